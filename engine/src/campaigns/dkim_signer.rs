//! DKIM signing of campaign messages. Every message a campaign sends is signed here before
//! it is submitted, so receivers can tie it to the sender domain (DMARC alignment) without
//! routing bulk mail through Rspamd.
//!
//! Throughput is the reason for the shape of this module: campaigns send 1,500+ messages/s
//! with RSA-2048 on two cores. mail-auth builds the signature (canonicalisation, body hash,
//! header text), but its `rust-crypto` RSA backend is several times slower than `ring` for
//! the private-key operation, so RSA keys are wrapped in `RingRsaKey`, which implements
//! mail-auth's `SigningKey` with `ring`. Ed25519 keeps mail-auth's own key (ed25519-dalek
//! is fast enough). Keys are parsed once per campaign ([`DkimSigning::from_stored`]) and the
//! result is shared by every worker.

use std::fmt;

use base64::Engine as _;
use mail_auth::common::crypto::{Algorithm, CryptoError, Ed25519Key, Sha256, SigningKey};
use mail_auth::common::headers::{HeaderWriter as _, Writable};
use mail_auth::dkim::{Canonicalization, DkimSigner};
use model::deliverability::DkimAlgorithm;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};

/// Name of the header [`DkimSigning::sign`] returns, as RFC 6376 spells it.
const HEADER_NAME: &str = "DKIM-Signature";

/// A sender domain's active DKIM key, parsed once per campaign and shared by every worker.
///
/// It is `Send + Sync` (share it with an `Arc`); signing takes `&self` and keeps no state
/// between messages.
pub struct DkimSigning {
    domain: String,
    selector: String,
    key: Key,
}

/// Why a stored key cannot be used, or why a message could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum DkimSignError {
    /// The stored key (or its domain or selector) is unusable; the campaign cannot sign with it.
    #[error("the DKIM key of {domain} cannot be used: {reason}")]
    BadKey { domain: String, reason: String },
    /// This message could not be signed (for example it has no `From` header).
    #[error("DKIM signing failed: {0}")]
    Sign(String),
}

impl DkimSigning {
    /// Parses a key as stored in `dkim_key`: RSA keys are PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`;
    /// PKCS#8 `BEGIN PRIVATE KEY` is accepted too), Ed25519 keys are base64 of the 32-byte seed
    /// followed by the 32-byte public key. Parsing happens once so that signing does no key
    /// work. Errors name the domain and what is wrong.
    pub fn from_stored(
        domain: &str,
        selector: &str,
        algorithm: DkimAlgorithm,
        private_pem: &str,
    ) -> Result<Self, DkimSignError> {
        let bad = |reason: String| DkimSignError::BadKey { domain: domain.to_owned(), reason };
        check_tag_value("domain", domain).map_err(bad)?;
        check_tag_value("selector", selector).map_err(bad)?;
        let key = match algorithm {
            DkimAlgorithm::Rsa => Key::Rsa(RingRsaKey::from_pem(private_pem).map_err(bad)?),
            DkimAlgorithm::Ed25519 => Key::Ed25519(ed25519_from_stored(private_pem).map_err(bad)?),
        };
        Ok(Self { domain: domain.to_owned(), selector: selector.to_owned(), key })
    }

    /// The `DKIM-Signature: ...` header (folded, with trailing CRLF) to prepend to `message`
    /// (a complete RFC 5322 message with CRLF line endings).
    ///
    /// Of the headers named in `signed_headers` (case-insensitive), those present in the
    /// message are signed and listed in `h=` (every instance of a repeated header is signed);
    /// absent ones are left out of `h=`. A name listed twice is claimed twice in `h=`, which
    /// is how a caller over-signs (forbids a second `From`, say). Canonicalisation is
    /// relaxed/relaxed. `From` must be requested and present: RFC 6376 §5.4 requires it to be
    /// signed, and a signature without it fails at receivers.
    pub fn sign(&self, message: &[u8], signed_headers: &[&str]) -> Result<String, DkimSignError> {
        if !signed_headers.iter().any(|name| name.eq_ignore_ascii_case("From")) {
            return Err(DkimSignError::Sign("From must be among the headers to sign (RFC 6376 §5.4)".into()));
        }
        let present = present_headers(message, signed_headers);
        if !present.iter().any(|name| name.eq_ignore_ascii_case("From")) {
            return Err(DkimSignError::Sign("the message has no From header".into()));
        }
        // The signer borrows the key, so building it per message costs a few small strings;
        // the RSA operation dominates by orders of magnitude. Body canonicalisation is
        // `simple` (as Amazon SES signs): the writer's quoted-printable body has no trailing
        // whitespace and short lines, so nothing relaxed would forgive ever happens to it,
        // and hashing it as it is costs a third of the relaxed byte-by-byte pass.
        let signature = DkimSigner::from_key(&self.key)
            .domain(self.domain.as_str())
            .selector(self.selector.as_str())
            .headers(present)
            .header_canonicalization(Canonicalization::Relaxed)
            .body_canonicalization(Canonicalization::Simple)
            .sign(message)
            .map_err(|e| DkimSignError::Sign(e.to_string()))?;
        Ok(as_header_line(signature.to_header()))
    }

    /// The `d=` of every signature, so callers can log or check alignment with `From`.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The `s=` of every signature: where receivers look up the public key.
    pub fn selector(&self) -> &str {
        &self.selector
    }
}

impl fmt::Debug for DkimSigning {
    /// Shows which key is in use, never the key itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let algorithm = match self.key {
            Key::Rsa(_) => "rsa-sha256",
            Key::Ed25519(_) => "ed25519-sha256",
        };
        f.debug_struct("DkimSigning")
            .field("domain", &self.domain)
            .field("selector", &self.selector)
            .field("algorithm", &algorithm)
            .finish_non_exhaustive()
    }
}

// Workers share one `DkimSigning` across tokio tasks; fail the build if that stops working.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<DkimSigning>();
};

/// The two kinds of key a domain can have.
enum Key {
    Rsa(RingRsaKey),
    Ed25519(Ed25519Key),
}

/// Lets mail-auth's signer borrow the shared key instead of owning a copy per message.
impl SigningKey for &Key {
    type Hasher = Sha256;

    fn sign(&self, input: impl Writable) -> mail_auth::Result<Vec<u8>> {
        match self {
            Key::Rsa(key) => key.sign(input),
            Key::Ed25519(key) => key.sign(input),
        }
    }

    fn algorithm(&self) -> Algorithm {
        match self {
            Key::Rsa(key) => key.algorithm(),
            Key::Ed25519(key) => key.algorithm(),
        }
    }
}

/// An RSA private key signed with `ring` (RSASSA-PKCS1-v1_5 with SHA-256, `a=rsa-sha256`),
/// because mail-auth's `rust-crypto` RSA is too slow for campaign volumes.
struct RingRsaKey {
    pair: RsaKeyPair,
    rng: SystemRandom,
}

impl RingRsaKey {
    /// Reads a PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`) PEM block.
    fn from_pem(private_pem: &str) -> Result<Self, String> {
        let block = pem::parse(private_pem.trim()).map_err(|e| format!("the RSA key is not valid PEM: {e}"))?;
        let pair = match block.tag() {
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(block.contents()),
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(block.contents()),
            other => return Err(format!("expected an RSA PRIVATE KEY PEM block, found {other}")),
        }
        .map_err(|e| format!("the RSA key was rejected ({e}); keys must be 2048 to 4096 bits"))?;
        Ok(Self { pair, rng: SystemRandom::new() })
    }
}

impl SigningKey for RingRsaKey {
    type Hasher = Sha256;

    /// `ring` hashes the input itself, so the canonical headers are collected first (a few
    /// hundred bytes to a few kilobytes).
    fn sign(&self, input: impl Writable) -> mail_auth::Result<Vec<u8>> {
        let mut data: Vec<u8> = Vec::with_capacity(2048);
        input.write(&mut data);
        let mut signature = vec![0u8; self.pair.public().modulus_len()];
        self.pair.sign(&RSA_PKCS1_SHA256, &self.rng, &data, &mut signature).map_err(|_| {
            mail_auth::Error::Crypto(CryptoError::Library("ring could not sign with the RSA key".into()))
        })?;
        Ok(signature)
    }

    fn algorithm(&self) -> Algorithm {
        Algorithm::RsaSha256
    }
}

/// Reads the stored Ed25519 form: base64 of seed || public key, which must match.
fn ed25519_from_stored(stored: &str) -> Result<Ed25519Key, String> {
    let pair = base64::engine::general_purpose::STANDARD
        .decode(stored.trim())
        .map_err(|e| format!("the Ed25519 key is not base64: {e}"))?;
    if pair.len() != 64 {
        return Err(format!("the Ed25519 key has {} bytes, expected 64 (seed and public key)", pair.len()));
    }
    let (seed, public) = pair.split_at(32);
    Ed25519Key::from_seed_and_public_key(seed, public).map_err(|e| format!("the Ed25519 key is unusable: {e}"))
}

/// `d=` and `s=` go into the header verbatim; anything that would break the tag list is refused.
fn check_tag_value(what: &str, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!("the {what} is empty"));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic() && b != b';' && b != b'=') {
        return Err(format!("the {what} {value:?} contains characters not allowed in a DKIM tag"));
    }
    Ok(())
}

/// The requested names (in the caller's order, repeats kept) whose header occurs in the
/// message. Field names are read the way mail-auth reads them (everything before the colon),
/// so a name found here is one mail-auth signs.
fn present_headers<'h>(message: &[u8], wanted: &[&'h str]) -> Vec<&'h str> {
    let mut found = vec![false; wanted.len()];
    for line in message.split(|&b| b == b'\n') {
        let (line, had_cr) = match line.strip_suffix(b"\r") {
            Some(line) => (line, true),
            None => (line, false),
        };
        if line.is_empty() {
            break; // end of the header section
        }
        if matches!(line.first(), Some(b' ' | b'\t')) {
            continue; // folded continuation of the previous field
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            // mail-auth ends the header section at a CRLF line without a colon.
            if had_cr {
                break;
            }
            continue;
        };
        let name = &line[..colon];
        for (seen, want) in found.iter_mut().zip(wanted) {
            if !*seen && name.eq_ignore_ascii_case(want.as_bytes()) {
                *seen = true;
            }
        }
    }
    wanted.iter().zip(found).filter(|(_, seen)| *seen).map(|(name, _)| *name).collect()
}

/// Ensures the text is one complete header field: `DKIM-Signature: ...` ending in CRLF.
fn as_header_line(text: String) -> String {
    let prefix = format!("{HEADER_NAME}:");
    let has_name = text.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(&prefix));
    let mut line = if has_name { text } else { format!("{HEADER_NAME}: {}", text.trim_start()) };
    if !line.ends_with("\r\n") {
        let trimmed = line.trim_end_matches(['\r', '\n']).len();
        line.truncate(trimmed);
        line.push_str("\r\n");
    }
    line
}

#[cfg(test)]
mod tests {
    use std::borrow::Borrow;
    use std::collections::HashMap;
    use std::hash::Hash;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use base64::Engine as _;
    use mail_auth::common::parse::TxtRecordParser;
    use mail_auth::common::verify::DomainKey;
    use mail_auth::dkim::DkimError;
    use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, ResolverCache, Txt};

    use super::*;
    use crate::mail::DkimKeys;
    use crate::mail::dkim_keys::GeneratedKey;

    const DOMAIN: &str = "news.example.com";

    const MESSAGE: &str = concat!(
        "From: Example News <hello@news.example.com>\r\n",
        "To: reader@example.net\r\n",
        "Subject: Spring  sale\r\n",
        "  starts today\r\n",
        "Date: Tue, 10 Mar 2026 09:00:00 +0000\r\n",
        "Message-ID: <c1.r1@news.example.com>\r\n",
        "MIME-Version: 1.0\r\n",
        "Content-Type: text/plain; charset=utf-8\r\n",
        "\r\n",
        "Hello reader,\r\n",
        "\r\n",
        "Our spring sale   starts today.\r\n",
    );

    const HEADERS: &[&str] =
        &["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Cc", "Reply-To"];

    /// RSA generation is slow (seconds in debug builds), so the tests share one key.
    static RSA_KEY: tokio::sync::OnceCell<GeneratedKey> = tokio::sync::OnceCell::const_new();

    async fn rsa_key() -> &'static GeneratedKey {
        RSA_KEY.get_or_init(|| async { DkimKeys::generate_with(DkimAlgorithm::Rsa, &[]).await.unwrap() }).await
    }

    async fn ed25519_key() -> GeneratedKey {
        DkimKeys::generate_with(DkimAlgorithm::Ed25519, &[]).await.unwrap()
    }

    fn signer(key: &GeneratedKey) -> DkimSigning {
        DkimSigning::from_stored(DOMAIN, &key.selector, key.algorithm, &key.private_pem).unwrap()
    }

    fn signed(signer: &DkimSigning, message: &str) -> Vec<u8> {
        let header = signer.sign(message.as_bytes(), HEADERS).unwrap();
        [header.as_bytes(), message.as_bytes()].concat()
    }

    struct MapCache<K, V>(Mutex<HashMap<K, V>>);

    impl<K: Hash + Eq, V: Clone> ResolverCache<K, V> for MapCache<K, V> {
        fn get<Q>(&self, name: &Q) -> Option<V>
        where
            K: Borrow<Q>,
            Q: Hash + Eq + ?Sized,
        {
            self.0.lock().unwrap().get(name).cloned()
        }

        fn remove<Q>(&self, name: &Q) -> Option<V>
        where
            K: Borrow<Q>,
            Q: Hash + Eq + ?Sized,
        {
            self.0.lock().unwrap().remove(name)
        }

        fn insert(&self, key: K, value: V, _: Instant) {
            self.0.lock().unwrap().insert(key, value);
        }
    }

    /// Verifies `raw` with mail-auth, the published record of `key` served from the cache
    /// (as `mail::dkim_verify` does), so no DNS is involved.
    async fn verify(raw: &[u8], key: &GeneratedKey) -> DkimResult {
        let message = AuthenticatedMessage::parse(raw).expect("an RFC 5322 message");
        let record = format!("v=DKIM1; k={}; p={}", key.algorithm.key_type(), key.public_b64);
        let cache: MapCache<Box<str>, Txt> = MapCache(Mutex::new(HashMap::new()));
        cache.insert(
            format!("{}._domainkey.{DOMAIN}.", key.selector).into_boxed_str(),
            Txt::from(DomainKey::parse(record.as_bytes()).unwrap()),
            Instant::now() + Duration::from_secs(60),
        );
        let authenticator = MessageAuthenticator::new_cloudflare().unwrap();
        let outputs = authenticator.verify_dkim(Parameters::new(&message).with_txt_cache(&cache)).await;
        assert_eq!(outputs.len(), 1, "one signature expected");
        outputs[0].result().clone()
    }

    #[tokio::test]
    async fn rsa_signatures_verify_with_the_published_key() {
        let key = rsa_key().await;
        let signer = signer(key);
        let raw = signed(&signer, MESSAGE);
        assert!(raw.starts_with(b"DKIM-Signature: v=1; a=rsa-sha256; s="), "{}", String::from_utf8_lossy(&raw));
        assert_eq!(verify(&raw, key).await, DkimResult::Pass);
        // The same parsed key signs any number of messages.
        let other = MESSAGE.replace("reader@example.net", "someone@example.org");
        assert_eq!(verify(&signed(&signer, &other), key).await, DkimResult::Pass);
    }

    #[tokio::test]
    async fn ed25519_signatures_verify_with_the_published_key() {
        let key = ed25519_key().await;
        let raw = signed(&signer(&key), MESSAGE);
        assert!(raw.starts_with(b"DKIM-Signature: v=1; a=ed25519-sha256; s="));
        assert_eq!(verify(&raw, &key).await, DkimResult::Pass);
    }

    #[tokio::test]
    async fn a_body_changed_after_signing_fails_verification() {
        let key = rsa_key().await;
        let raw = signed(&signer(key), MESSAGE);
        let tampered = String::from_utf8(raw).unwrap().replace("spring sale", "summer sale");
        assert_eq!(
            verify(tampered.as_bytes(), key).await,
            DkimResult::Neutral(mail_auth::Error::Dkim(DkimError::FailedBodyHashMatch))
        );
    }

    #[tokio::test]
    async fn a_signed_header_changed_after_signing_fails_verification() {
        let key = ed25519_key().await;
        let raw = signed(&signer(&key), MESSAGE);
        let tampered = String::from_utf8(raw).unwrap().replace("reader@example.net", "victim@example.net");
        assert_eq!(
            verify(tampered.as_bytes(), &key).await,
            DkimResult::Fail(mail_auth::Error::Crypto(CryptoError::FailedVerification))
        );
    }

    #[tokio::test]
    async fn header_whitespace_may_change_in_transit_but_the_body_may_not() {
        let key = ed25519_key().await;
        let raw = String::from_utf8(signed(&signer(&key), MESSAGE)).unwrap();
        let reflowed = raw.replace("Subject: Spring  sale", "subject:   Spring sale");
        assert_eq!(verify(reflowed.as_bytes(), &key).await, DkimResult::Pass);
        let body_changed = raw.replace("sale   starts", "sale starts");
        assert_ne!(verify(body_changed.as_bytes(), &key).await, DkimResult::Pass);
    }

    #[tokio::test]
    async fn the_signature_covers_exactly_the_requested_headers_present() {
        let key = ed25519_key().await;
        let raw = signed(&signer(&key), MESSAGE);
        let message = AuthenticatedMessage::parse(&raw).unwrap();
        let signature = &message.dkim_headers[0].header;
        let mut covered: Vec<String> = signature.h.iter().map(|h| h.to_ascii_lowercase()).collect();
        covered.sort();
        // Cc and Reply-To were requested but are not in the message.
        assert_eq!(covered, ["content-type", "date", "from", "message-id", "mime-version", "subject", "to"]);
        assert_eq!(signature.d, DOMAIN);
        assert_eq!(signature.s, key.selector);
        assert_eq!((signature.ch, signature.cb), (Canonicalization::Relaxed, Canonicalization::Simple));
    }

    #[tokio::test]
    async fn the_header_is_one_folded_field_ending_in_crlf() {
        let key = ed25519_key().await;
        let header = signer(&key).sign(MESSAGE.as_bytes(), HEADERS).unwrap();
        assert!(header.starts_with("DKIM-Signature: "));
        assert!(header.ends_with(";\r\n"));
        // Every line break inside is a fold (CRLF followed by whitespace).
        let inner = &header[..header.len() - 2];
        for (at, _) in inner.match_indices("\r\n") {
            assert!(matches!(inner.as_bytes().get(at + 2), Some(b' ' | b'\t')), "{header:?}");
        }
        assert_eq!(inner.matches('\n').count(), inner.matches("\r\n").count(), "bare LF in {header:?}");
    }

    #[tokio::test]
    async fn signing_without_from_is_refused() {
        let key = ed25519_key().await;
        let signer = signer(&key);
        let not_requested = signer.sign(MESSAGE.as_bytes(), &["To", "Subject"]).unwrap_err();
        assert!(matches!(not_requested, DkimSignError::Sign(ref m) if m.contains("From")), "{not_requested}");
        let no_from = MESSAGE.replace("From: Example News <hello@news.example.com>\r\n", "");
        let missing = signer.sign(no_from.as_bytes(), HEADERS).unwrap_err();
        assert!(matches!(missing, DkimSignError::Sign(ref m) if m.contains("no From")), "{missing}");
    }

    #[tokio::test]
    async fn one_signer_is_shared_by_concurrent_workers() {
        let key = ed25519_key().await;
        let shared = Arc::new(signer(&key));
        let tasks: Vec<_> = (0..8)
            .map(|n| {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let message = MESSAGE.replace("c1.r1", &format!("c1.r{n}"));
                    [shared.sign(message.as_bytes(), HEADERS).unwrap().into_bytes(), message.into_bytes()].concat()
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(verify(&task.await.unwrap(), &key).await, DkimResult::Pass);
        }
    }

    /// The reason of the `BadKey` error `result` must be, after checking it names the domain.
    fn bad_key_reason(result: Result<DkimSigning, DkimSignError>) -> String {
        let err = match result {
            Ok(signing) => panic!("expected BadKey, got {signing:?}"),
            Err(err) => err,
        };
        assert!(err.to_string().contains("broken.example"), "{err}");
        match err {
            DkimSignError::BadKey { domain, reason } => {
                assert_eq!(domain, "broken.example");
                reason
            }
            other => panic!("expected BadKey, got {other}"),
        }
    }

    #[test]
    fn a_malformed_pem_is_a_bad_key_naming_the_domain() {
        let not_pem = "-----BEGIN RSA PRIVATE KEY-----\n!!! not base64 !!!\n-----END RSA PRIVATE KEY-----\n";
        let reason = bad_key_reason(DkimSigning::from_stored("broken.example", "s1", DkimAlgorithm::Rsa, not_pem));
        assert!(reason.contains("PEM"), "{reason}");

        let not_a_key = "-----BEGIN RSA PRIVATE KEY-----\nAAAAAAAA\n-----END RSA PRIVATE KEY-----\n";
        let reason = bad_key_reason(DkimSigning::from_stored("broken.example", "s1", DkimAlgorithm::Rsa, not_a_key));
        assert!(reason.contains("rejected"), "{reason}");

        let certificate = "-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n";
        let reason = bad_key_reason(DkimSigning::from_stored("broken.example", "s1", DkimAlgorithm::Rsa, certificate));
        assert!(reason.contains("CERTIFICATE"), "{reason}");
    }

    #[tokio::test]
    async fn unusable_ed25519_keys_and_tags_are_bad_keys() {
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let reason = bad_key_reason(DkimSigning::from_stored("broken.example", "s1", DkimAlgorithm::Ed25519, &short));
        assert!(reason.contains("64"), "{reason}");

        let key = ed25519_key().await;
        let mut pair = base64::engine::general_purpose::STANDARD.decode(key.private_pem.trim()).unwrap();
        pair[40] ^= 1; // public half no longer matches the seed
        let mismatched = base64::engine::general_purpose::STANDARD.encode(&pair);
        bad_key_reason(DkimSigning::from_stored("broken.example", "s1", DkimAlgorithm::Ed25519, &mismatched));

        // An Ed25519 key stored under the RSA algorithm is not PEM.
        let reason =
            bad_key_reason(DkimSigning::from_stored("broken.example", "s1", DkimAlgorithm::Rsa, &key.private_pem));
        assert!(reason.contains("PEM"), "{reason}");

        // Selectors that would break the header's tag list.
        let reason = bad_key_reason(DkimSigning::from_stored(
            "broken.example",
            "s; x=1",
            DkimAlgorithm::Ed25519,
            &key.private_pem,
        ));
        assert!(reason.contains("selector"), "{reason}");
        let reason =
            bad_key_reason(DkimSigning::from_stored("broken.example", "", DkimAlgorithm::Ed25519, &key.private_pem));
        assert!(reason.contains("selector is empty"), "{reason}");
    }

    #[test]
    fn present_headers_follow_the_request_and_skip_the_body() {
        let message = b"From: a@b.c\r\nX-Long: one\r\n two: still X-Long\r\nfrom: again\r\n\r\nTo: in the body\r\n";
        assert_eq!(present_headers(message, &["To", "FROM", "x-long", "two", "From"]), ["FROM", "x-long", "From"]);
    }
}
