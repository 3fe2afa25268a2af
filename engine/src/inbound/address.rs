//! What an address at the bounce domain stands for. Bounce and unsubscribe addresses carry a
//! signed token naming one ledger row, so a forged or mangled address is simply "not ours" and
//! can never bounce or unsubscribe somebody else.

use crate::campaigns::tracking::{TokenKey, TrackingToken};

/// The meaning of one envelope recipient of an inbound message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboundAddress {
    /// `bounce+<token>@…`: a DSN, complaint, auto-reply or reply about one delivery.
    Bounce(TrackingToken),
    /// `unsubscribe+<token>@…`: the mailto target of `List-Unsubscribe`.
    Unsubscribe(TrackingToken),
    /// Anything else at the bounce domain (a forged token included).
    Other,
}

impl InboundAddress {
    /// Reads `rcpt` with the install's key.
    pub fn classify(key: &TokenKey, rcpt: &str) -> Self {
        if let Some(t) = key.parse_verp(rcpt) {
            InboundAddress::Bounce(t)
        } else if let Some(t) = key.parse_unsubscribe_address(rcpt) {
            InboundAddress::Unsubscribe(t)
        } else {
            InboundAddress::Other
        }
    }
}

/// The ledger id and campaign id in a Message-ID the engine generated
/// (`<delivery>.<campaign>.<salt>@<domain>`), for reports that reach us without the VERP
/// address (some MTAs send complaints to the From domain). The caller must still check that
/// the stored Message-ID matches exactly: the salt is what makes it unguessable.
pub fn ids_from_message_id(message_id: &str) -> Option<(i64, i64)> {
    let id = message_id.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, _) = id.rsplit_once('@')?;
    let mut parts = local.split('.');
    let delivery = parts.next()?.parse().ok()?;
    let campaign = parts.next()?.parse().ok()?;
    let salt = parts.next()?;
    (parts.next().is_none() && !salt.is_empty()).then_some((delivery, campaign))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaigns::tracking::TokenKind;

    #[test]
    fn verp_and_unsubscribe_addresses_are_recognised_and_forgeries_are_not() {
        let key = TokenKey::from_bytes([7; 32]);
        let verp = key.verp_address(3, 44, "bounces.example.test");
        let unsub = key.unsubscribe_address(3, 44, "bounces.example.test");
        match InboundAddress::classify(&key, &verp.to_uppercase()) {
            InboundAddress::Bounce(t) => assert_eq!((t.kind, t.campaign_id, t.delivery_id), (TokenKind::Bounce, 3, 44)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(InboundAddress::classify(&key, &unsub), InboundAddress::Unsubscribe(_)));
        let other_key = TokenKey::from_bytes([8; 32]);
        assert_eq!(InboundAddress::classify(&other_key, &verp), InboundAddress::Other);
        assert_eq!(InboundAddress::classify(&key, "postmaster@bounces.example.test"), InboundAddress::Other);
        let swapped = verp.replacen("bounce+", "unsubscribe+", 1);
        assert_eq!(InboundAddress::classify(&key, &swapped), InboundAddress::Other);
    }

    #[test]
    fn engine_message_ids_give_back_their_ids() {
        assert_eq!(ids_from_message_id("<12.3.00ab12cd@news.example>"), Some((12, 3)));
        assert_eq!(ids_from_message_id("12.3@news.example"), None);
        assert_eq!(ids_from_message_id("<CAF=abc@mail.gmail.com>"), None);
    }
}
