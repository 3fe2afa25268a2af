//! Signed tokens that tie an open pixel, a tracked click, an unsubscribe or web-view link, or
//! a bounce address back to exactly one recipient (one row of the delivery ledger).
//!
//! Tracking URLs and bounce addresses are public: anyone can edit them. A token therefore
//! carries its own MAC, and the tracking endpoints act only on tokens that verify. A tampered
//! token is simply unknown (404), so it can never be turned into an open redirect or be used
//! to unsubscribe or bounce somebody else.
//!
//! The payload is tiny (a kind byte and three LEB128 varints), the MAC is truncated to 80
//! bits (plenty for an online-only check), so a typical click token is 24 characters. URL
//! tokens are base64url; VERP tokens are lowercase base32 because MTAs may change the case of
//! a local part. A one-byte domain tag in the MAC input keeps the two forms from being
//! swapped.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::digest::Key;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of HMAC-SHA256 kept in a token.
const MAC_LEN: usize = 10;
/// Longest payload: kind byte, two 64-bit varints (10 bytes each), one 32-bit varint.
const MAX_PAYLOAD_LEN: usize = 1 + 10 + 10 + 5;
/// Longest sealed token (payload and MAC) in bytes.
const MAX_SEALED_LEN: usize = MAX_PAYLOAD_LEN + MAC_LEN;
/// Longest base64url text a valid token can have; longer input is rejected before decoding.
const MAX_URL_TOKEN_CHARS: usize = (MAX_SEALED_LEN * 8).div_ceil(6);
/// Longest base32 text a valid VERP token can have.
const MAX_VERP_TOKEN_CHARS: usize = (MAX_SEALED_LEN * 8).div_ceil(5);
/// Domain separation tag mixed into the MAC of URL tokens.
const URL_TAG: u8 = b'u';
/// Domain separation tag mixed into the MAC of VERP tokens.
const VERP_TAG: u8 = b'v';
/// Local-part prefix of VERP envelope senders.
const VERP_PREFIX: &str = "bounce+";
/// Local-part prefix of the mailto unsubscribe address.
const UNSUBSCRIBE_PREFIX: &str = "unsubscribe+";
/// RFC 4648 base32 alphabet, lowercased.
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// The install's tracking secret. Holding it is what makes tracking links unforgeable, so it
/// lives in the database (32 random bytes) and never appears in logs.
#[derive(Clone)]
pub struct TokenKey {
    /// HMAC state already keyed with the secret: every sign and verify clones it instead of
    /// hashing the key again.
    keyed: HmacSha256,
}

impl TokenKey {
    /// Wraps the stored secret.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        // HMAC pads keys shorter than the hash block with zeros, so padding the 32-byte secret
        // into a full block gives the very same MAC as keying with the 32 bytes themselves
        // (and needs no fallible length check).
        let mut key = Key::<HmacSha256>::default();
        key[..bytes.len()].copy_from_slice(&bytes);
        TokenKey { keyed: <HmacSha256 as Mac>::new(&key) }
    }

    /// Makes the token for an open, click, unsubscribe or web-view URL: base64url of the
    /// payload and its truncated MAC, safe in a path segment without escaping.
    ///
    /// Ids are database serials and therefore never negative; a negative id is encoded as a
    /// value above `i64::MAX`, which [`verify`](Self::verify) always rejects, so such a token
    /// can never be confused with a real recipient.
    pub fn sign(&self, token: &TrackingToken) -> String {
        URL_SAFE_NO_PAD.encode(self.seal(URL_TAG, token))
    }

    /// Reads a token from a URL. `None` for anything this key did not sign as a URL token:
    /// malformed, truncated, extended, of unknown kind, or with a wrong MAC.
    pub fn verify(&self, text: &str) -> Option<TrackingToken> {
        if text.is_empty() || text.len() > MAX_URL_TOKEN_CHARS {
            return None;
        }
        // The engine rejects padding and non-zero trailing bits, so every token has exactly
        // one accepted spelling.
        let sealed = URL_SAFE_NO_PAD.decode(text).ok()?;
        self.open(URL_TAG, &sealed)
    }

    /// The VERP envelope sender `bounce+<token>@<bounce_domain>` for one delivery, so a bounce
    /// names the recipient it is about even when the DSN itself is unparsable.
    pub fn verp_address(&self, campaign_id: i64, delivery_id: i64, bounce_domain: &str) -> String {
        self.mail_address(VERP_PREFIX, TokenKind::Bounce, campaign_id, delivery_id, bounce_domain)
    }

    /// `unsubscribe+<token>@<domain>`: the mailto target of `List-Unsubscribe`, in the same
    /// case-proof base32 form as VERP addresses (a mail server may change a local part's case).
    pub fn unsubscribe_address(&self, campaign_id: i64, delivery_id: i64, domain: &str) -> String {
        self.mail_address(UNSUBSCRIBE_PREFIX, TokenKind::Unsubscribe, campaign_id, delivery_id, domain)
    }

    fn mail_address(&self, prefix: &str, kind: TokenKind, campaign_id: i64, delivery_id: i64, domain: &str) -> String {
        let token = TrackingToken { kind, campaign_id, delivery_id, link: 0 };
        let encoded = base32_encode(&self.seal(VERP_TAG, &token));
        format!("{prefix}{encoded}@{domain}")
    }

    /// Reads the recipient from the address a bounce was sent to (as made by
    /// [`verp_address`](Self::verp_address)). Case-insensitive, any domain, surrounding angle
    /// brackets ignored; `None` when the address is not ours or was tampered with.
    pub fn parse_verp(&self, address: &str) -> Option<TrackingToken> {
        self.parse_mail_address(address, VERP_PREFIX, TokenKind::Bounce)
    }

    /// Reads an address made by [`unsubscribe_address`](Self::unsubscribe_address).
    pub fn parse_unsubscribe_address(&self, address: &str) -> Option<TrackingToken> {
        self.parse_mail_address(address, UNSUBSCRIBE_PREFIX, TokenKind::Unsubscribe)
    }

    fn parse_mail_address(&self, address: &str, want_prefix: &str, kind: TokenKind) -> Option<TrackingToken> {
        let address = address.trim();
        let address = address.strip_prefix('<').unwrap_or(address);
        let address = address.strip_suffix('>').unwrap_or(address).trim();
        let (local, _domain) = address.rsplit_once('@')?;
        let prefix = local.get(..want_prefix.len())?;
        if !prefix.eq_ignore_ascii_case(want_prefix) {
            return None;
        }
        let encoded = local.get(want_prefix.len()..)?;
        if encoded.is_empty() || encoded.len() > MAX_VERP_TOKEN_CHARS {
            return None;
        }
        let sealed = base32_decode(&encoded.to_ascii_lowercase())?;
        let token = self.open(VERP_TAG, &sealed)?;
        (token.kind == kind).then_some(token)
    }

    /// The MAC state for `payload` in the form selected by `tag`.
    fn mac(&self, tag: u8, payload: &[u8]) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(&[tag]);
        mac.update(payload);
        mac
    }

    /// Payload followed by its truncated MAC.
    fn seal(&self, tag: u8, token: &TrackingToken) -> Vec<u8> {
        let mut sealed = Vec::with_capacity(MAX_SEALED_LEN);
        encode_payload(token, &mut sealed);
        let mac = self.mac(tag, &sealed).finalize().into_bytes();
        sealed.extend_from_slice(&mac[..MAC_LEN]);
        sealed
    }

    /// Checks the MAC (in constant time) and decodes the payload.
    fn open(&self, tag: u8, sealed: &[u8]) -> Option<TrackingToken> {
        let split = sealed.len().checked_sub(MAC_LEN)?;
        let (payload, mac) = sealed.split_at(split);
        if payload.is_empty() || payload.len() > MAX_PAYLOAD_LEN {
            return None;
        }
        self.mac(tag, payload).verify_truncated_left(mac).ok()?;
        decode_payload(payload)
    }
}

impl std::fmt::Debug for TokenKey {
    /// Shows that a key is present without revealing it (keys end up in logged structs).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKey").finish_non_exhaustive()
    }
}

/// What a token lets its bearer do; part of the signed payload so a pixel token cannot be
/// replayed as an unsubscribe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Open,
    Click,
    Unsubscribe,
    WebView,
    Bounce,
}

impl TokenKind {
    fn to_byte(self) -> u8 {
        match self {
            TokenKind::Open => 1,
            TokenKind::Click => 2,
            TokenKind::Unsubscribe => 3,
            TokenKind::WebView => 4,
            TokenKind::Bounce => 5,
        }
    }

    fn from_byte(byte: u8) -> Option<Self> {
        Some(match byte {
            1 => TokenKind::Open,
            2 => TokenKind::Click,
            3 => TokenKind::Unsubscribe,
            4 => TokenKind::WebView,
            5 => TokenKind::Bounce,
            _ => return None,
        })
    }
}

/// The facts a tracking URL or bounce address stands for: which recipient of which campaign
/// did what. Ids are positive database ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrackingToken {
    pub kind: TokenKind,
    pub campaign_id: i64,
    pub delivery_id: i64,
    /// Link index for `Click` (the `N` of `__click_N`), 0 otherwise.
    pub link: u32,
}

/// Ids as unsigned varint values; negative ids become `u64::MAX`, which never decodes.
fn id_value(id: i64) -> u64 {
    u64::try_from(id).unwrap_or(u64::MAX)
}

fn encode_payload(token: &TrackingToken, out: &mut Vec<u8>) {
    out.push(token.kind.to_byte());
    write_varint(out, id_value(token.campaign_id));
    write_varint(out, id_value(token.delivery_id));
    write_varint(out, u64::from(token.link));
}

fn decode_payload(payload: &[u8]) -> Option<TrackingToken> {
    let (&kind, mut rest) = payload.split_first()?;
    let kind = TokenKind::from_byte(kind)?;
    let campaign_id = i64::try_from(read_varint(&mut rest)?).ok()?;
    let delivery_id = i64::try_from(read_varint(&mut rest)?).ok()?;
    let link = u32::try_from(read_varint(&mut rest)?).ok()?;
    rest.is_empty().then_some(TrackingToken { kind, campaign_id, delivery_id, link })
}

/// LEB128: seven bits per byte, least significant first, high bit set on all but the last.
fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value & 0x7f) as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads one canonical LEB128 value and advances `input`; `None` when truncated, overlong
/// (a redundant zero group), or beyond 64 bits.
fn read_varint(input: &mut &[u8]) -> Option<u64> {
    let bytes: &[u8] = input;
    let mut value: u64 = 0;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        // The tenth byte carries bit 63 only.
        if i == 9 && byte > 1 {
            return None;
        }
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            if byte == 0 && i > 0 {
                return None;
            }
            *input = bytes.get(i + 1..)?;
            return Some(value);
        }
    }
    None
}

/// RFC 4648 base32, lowercase, without padding.
fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity((bytes.len() * 8).div_ceil(5));
    let mut buffer: u32 = 0;
    let mut bits: u32 = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Inverse of [`base32_encode`]; rejects other characters (including upper case: callers
/// lowercase first), impossible lengths and non-zero padding bits, so each byte string has
/// exactly one accepted spelling.
fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits: u32 = 0;
    for c in text.bytes() {
        let value = match c {
            b'a'..=b'z' => c - b'a',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buffer = ((buffer << 5) | u32::from(value)) & 0xfff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    // Five or more leftover bits mean a character that carries no byte: a wrong length.
    if bits >= 5 || buffer & ((1 << bits) - 1) != 0 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_KINDS: [TokenKind; 5] =
        [TokenKind::Open, TokenKind::Click, TokenKind::Unsubscribe, TokenKind::WebView, TokenKind::Bounce];
    const URL_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    fn key() -> TokenKey {
        TokenKey::from_bytes([7; 32])
    }

    fn click() -> TrackingToken {
        TrackingToken { kind: TokenKind::Click, campaign_id: 1234, delivery_id: 5_000_000, link: 3 }
    }

    fn open(campaign_id: i64, delivery_id: i64) -> TrackingToken {
        TrackingToken { kind: TokenKind::Open, campaign_id, delivery_id, link: 0 }
    }

    #[test]
    fn every_kind_round_trips() {
        let k = key();
        for kind in ALL_KINDS {
            for (campaign_id, delivery_id, link) in
                [(0, 0, 0), (1, 2, 3), (1234, 5_000_000, 17), (i64::MAX, i64::MAX, u32::MAX)]
            {
                let token = TrackingToken { kind, campaign_id, delivery_id, link };
                let text = k.sign(&token);
                assert_eq!(k.verify(&text), Some(token), "{text}");
            }
        }
    }

    #[test]
    fn hmac_matches_rfc_4231_test_case_1() {
        // A 20-byte key zero-padded to 32 bytes is the same HMAC key.
        let mut bytes = [0u8; 32];
        bytes[..20].copy_from_slice(&[0x0b; 20]);
        let mut mac = TokenKey::from_bytes(bytes).keyed.clone();
        mac.update(b"Hi There");
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    }

    #[test]
    fn typical_click_token_is_short() {
        let text = key().sign(&click());
        assert!(text.len() < 32, "{text} is {} chars", text.len());
        assert_eq!(text.len(), 24);
        assert!(text.bytes().all(|b| URL_ALPHABET.contains(&b)));
    }

    #[test]
    fn changing_any_character_is_rejected() {
        let k = key();
        // 24 characters (no spare bits) and 19 characters (two spare bits in the last one).
        for token in [click(), open(1, 1)] {
            let text = k.sign(&token);
            for pos in 0..text.len() {
                for &c in URL_ALPHABET {
                    if c == text.as_bytes()[pos] {
                        continue;
                    }
                    let mut bytes = text.clone().into_bytes();
                    bytes[pos] = c;
                    let forged = String::from_utf8(bytes).unwrap();
                    assert_eq!(k.verify(&forged), None, "{forged}");
                }
            }
        }
    }

    #[test]
    fn another_key_is_rejected() {
        let text = key().sign(&click());
        assert_eq!(TokenKey::from_bytes([8; 32]).verify(&text), None);
        let verp = key().verp_address(1, 2, "b.example");
        assert_eq!(TokenKey::from_bytes([8; 32]).parse_verp(&verp), None);
    }

    #[test]
    fn truncated_and_extended_tokens_are_rejected() {
        let k = key();
        let text = k.sign(&click());
        for len in 0..text.len() {
            assert_eq!(k.verify(&text[..len]), None, "{}", &text[..len]);
        }
        for tail in ["A", "AA", "AAA", "AAAA", "=", "==", " ", "x"] {
            assert_eq!(k.verify(&format!("{text}{tail}")), None, "{text}{tail}");
        }
        assert_eq!(k.verify(&" ".repeat(10_000)), None);
    }

    #[test]
    fn malformed_payloads_are_rejected_even_with_a_valid_mac() {
        let k = key();
        let seal = |payload: &[u8]| {
            let mut sealed = payload.to_vec();
            let mac = k.mac(URL_TAG, payload).finalize().into_bytes();
            sealed.extend_from_slice(&mac[..MAC_LEN]);
            URL_SAFE_NO_PAD.encode(sealed)
        };
        // Sanity: a hand-made canonical payload verifies.
        assert_eq!(k.verify(&seal(&[1, 5, 6, 0])), Some(open(5, 6)));
        let malformed: [&[u8]; 9] = [
            &[0, 5, 6, 0],                                                          // unknown kind
            &[6, 5, 6, 0],                                                          // unknown kind
            &[1, 5, 6],                                                             // missing link
            &[1, 5, 6, 0, 0],                                                       // trailing byte
            &[1, 0x85, 0x00, 6, 0],                                                 // overlong zero group
            &[1, 5, 6, 0x80],                                                       // truncated varint
            &[1, 5, 6, 0x80, 0x80, 0x80, 0x80, 0x10],                               // link above u32::MAX
            &[1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80, 0x01, 6, 0], // above i64::MAX
            &[1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 6, 0], // above 64 bits
        ];
        for payload in malformed {
            assert_eq!(k.verify(&seal(payload)), None, "{payload:?}");
        }
        // i64::MAX itself is fine.
        let max = [1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 6, 0];
        assert_eq!(k.verify(&seal(&max)), Some(open(i64::MAX, 6)));
    }

    #[test]
    fn negative_ids_make_tokens_that_never_verify() {
        let k = key();
        assert_eq!(k.verify(&k.sign(&open(-1, 5))), None);
        assert_eq!(k.verify(&k.sign(&open(5, i64::MIN))), None);
        assert_eq!(k.parse_verp(&k.verp_address(-3, 5, "b.example")), None);
    }

    #[test]
    fn unsubscribe_addresses_round_trip_and_are_not_bounce_addresses() {
        let k = key();
        let address = k.unsubscribe_address(7, 99, "bounce.example.com");
        assert!(address.starts_with("unsubscribe+"), "{address}");
        let t = k.parse_unsubscribe_address(&address.to_uppercase()).unwrap();
        assert_eq!((t.kind, t.campaign_id, t.delivery_id), (TokenKind::Unsubscribe, 7, 99));
        assert_eq!(k.parse_verp(&address), None);
        assert_eq!(k.parse_unsubscribe_address(&k.verp_address(7, 99, "b.example")), None);
    }

    #[test]
    fn verp_address_round_trips() {
        let k = key();
        let address = k.verp_address(1234, 5_000_000, "bounce.example.com");
        assert!(address.starts_with("bounce+"), "{address}");
        assert!(address.ends_with("@bounce.example.com"), "{address}");
        let local = address.split('@').next().unwrap();
        assert!(local.len() <= 64, "{local}");
        assert!(local.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'+'));
        let expected = TrackingToken { kind: TokenKind::Bounce, campaign_id: 1234, delivery_id: 5_000_000, link: 0 };
        assert_eq!(k.parse_verp(&address), Some(expected));
        assert_eq!(k.parse_verp(&format!("<{address}>")), Some(expected));
        assert_eq!(k.parse_verp(&format!("  <{address}> ")), Some(expected));
        // Any domain: the token alone identifies the recipient.
        let other = address.replace("bounce.example.com", "mx.other.example");
        assert_eq!(k.parse_verp(&other), Some(expected));
    }

    #[test]
    fn upper_cased_verp_address_still_parses() {
        let k = key();
        let address = k.verp_address(42, 99, "bounce.example.com");
        assert_eq!(k.parse_verp(&address.to_ascii_uppercase()).map(|t| t.delivery_id), Some(99));
    }

    #[test]
    fn changed_verp_tokens_and_foreign_addresses_are_rejected() {
        let k = key();
        let address = k.verp_address(42, 99, "b.example");
        let start = VERP_PREFIX.len();
        let end = address.find('@').unwrap();
        for pos in start..end {
            for &c in BASE32 {
                if c == address.as_bytes()[pos] {
                    continue;
                }
                let mut bytes = address.clone().into_bytes();
                bytes[pos] = c;
                let forged = String::from_utf8(bytes).unwrap();
                assert_eq!(k.parse_verp(&forged), None, "{forged}");
            }
        }
        let token = &address[start..end];
        let foreign = [
            String::new(),
            "postmaster@b.example".to_owned(),
            "bounce+@b.example".to_owned(),
            format!("bounce+{token}"),
            format!("bounce-{token}@b.example"),
            format!("bounce+{token}a@b.example"),
            format!("bounce+{}@b.example", &token[..token.len() - 1]),
        ];
        for bad in &foreign {
            assert_eq!(k.parse_verp(bad), None, "{bad}");
        }
    }

    #[test]
    fn url_and_verp_tokens_cannot_be_swapped() {
        let k = key();
        let bounce = TrackingToken { kind: TokenKind::Bounce, campaign_id: 1, delivery_id: 2, link: 0 };
        // A VERP token re-encoded as base64url does not verify as a URL token...
        let address = k.verp_address(1, 2, "b.example");
        let token = &address[VERP_PREFIX.len()..address.find('@').unwrap()];
        let sealed = base32_decode(token).unwrap();
        assert_eq!(k.verify(&URL_SAFE_NO_PAD.encode(&sealed)), None);
        // ...and a URL token (even of kind Bounce) re-encoded as base32 is no VERP address.
        let url = k.sign(&bounce);
        assert_eq!(k.verify(&url), Some(bounce));
        let sealed = URL_SAFE_NO_PAD.decode(&url).unwrap();
        assert_eq!(k.parse_verp(&format!("bounce+{}@b.example", base32_encode(&sealed))), None);
    }

    #[test]
    fn base32_matches_rfc_4648_vectors() {
        for (raw, encoded) in [
            ("", ""),
            ("f", "my"),
            ("fo", "mzxq"),
            ("foo", "mzxw6"),
            ("foob", "mzxw6yq"),
            ("fooba", "mzxw6ytb"),
            ("foobar", "mzxw6ytboi"),
        ] {
            assert_eq!(base32_encode(raw.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).as_deref(), Some(raw.as_bytes()));
        }
        // Impossible lengths and non-zero spare bits.
        for bad in ["m", "mzx", "mzxw6y", "mz", "MY", "m1"] {
            assert_eq!(base32_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn varints_round_trip_at_the_edges() {
        for value in [0, 1, 127, 128, 16_383, 16_384, u64::from(u32::MAX), i64::MAX as u64, u64::MAX] {
            let mut out = Vec::new();
            write_varint(&mut out, value);
            let mut input = &out[..];
            assert_eq!(read_varint(&mut input), Some(value));
            assert!(input.is_empty());
        }
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let shown = format!("{:?}", TokenKey::from_bytes([0xab; 32]));
        assert_eq!(shown, "TokenKey { .. }");
    }
}
