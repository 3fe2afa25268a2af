//! Pure helpers over PEM text: what a certificate chain says about itself (validity, issuer,
//! names, public key), whether a private key belongs to it, and whether it covers a host.
//! Uploads are checked with these before anything is stored, so a broken or mismatched pair
//! never reaches Postfix, Dovecot or the web listener, and the admin is told what is wrong.

use chrono::{DateTime, Utc};
use rustls_acme::rustls::crypto::ring::sign::any_supported_type;
use rustls_acme::rustls::pki_types::PrivateKeyDer;
use rustls_acme::rustls::pki_types::pem::PemObject;
use x509_parser::extensions::GeneralName;

use crate::deliverability::DeliverabilityError;

/// PEM label of a certificate block.
const CERTIFICATE: &str = "CERTIFICATE";

/// The facts about a chain that the certificate table stores and the checks need, read from
/// its leaf (the first `CERTIFICATE` block).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedChain {
    /// Start of the leaf's validity.
    pub not_before: DateTime<Utc>,
    /// End of the leaf's validity; renewal is planned from this.
    pub not_after: DateTime<Utc>,
    /// The leaf's issuer as a distinguished name (`CN=…, O=…`), shown on the TLS page.
    pub issuer: String,
    /// The DNS names of the subject alternative name extension, lower case (`*.` kept for
    /// wildcards). The subject CN is not used: clients ignore it too.
    pub names: Vec<String>,
    /// The leaf's SubjectPublicKeyInfo (DER), compared with the private key's.
    pub leaf_spki_der: Vec<u8>,
}

/// Reads a PEM chain (leaf first, then intermediates). Every `CERTIFICATE` block must be a
/// valid X.509 certificate; other blocks (a key pasted by mistake, say) are ignored here.
pub fn parse_chain(pem_text: &str) -> Result<ParsedChain, DeliverabilityError> {
    let invalid = DeliverabilityError::Certificate;
    let blocks = pem::parse_many(pem_text).map_err(|e| invalid(format!("the chain is not valid PEM: {e}")))?;
    let certificates: Vec<&pem::Pem> = blocks.iter().filter(|b| b.tag() == CERTIFICATE).collect();
    let Some(leaf) = certificates.first() else {
        return Err(invalid("no CERTIFICATE block in the chain".into()));
    };
    for (index, block) in certificates.iter().enumerate().skip(1) {
        if x509_parser::parse_x509_certificate(block.contents()).is_err() {
            return Err(invalid(format!("certificate {} of the chain is not a valid X.509 certificate", index + 1)));
        }
    }
    let (_, cert) = x509_parser::parse_x509_certificate(leaf.contents())
        .map_err(|_| invalid("the first CERTIFICATE block is not a valid X.509 certificate".into()))?;
    let validity = cert.validity();
    let time = |t: &x509_parser::time::ASN1Time| {
        DateTime::from_timestamp(t.timestamp(), 0)
            .ok_or_else(|| invalid("the certificate's validity dates are out of range".into()))
    };
    let not_before = time(&validity.not_before)?;
    let not_after = time(&validity.not_after)?;
    let names = match cert.subject_alternative_name() {
        Ok(Some(san)) => san
            .value
            .general_names
            .iter()
            .filter_map(|name| match name {
                GeneralName::DNSName(dns) => Some(dns.trim_end_matches('.').to_ascii_lowercase()),
                _ => None,
            })
            .collect(),
        Ok(None) => Vec::new(),
        Err(_) => return Err(invalid("the certificate's subject alternative names are malformed".into())),
    };
    Ok(ParsedChain {
        not_before,
        not_after,
        issuer: cert.issuer().to_string(),
        names,
        leaf_spki_der: cert.public_key().raw.to_vec(),
    })
}

/// Refuses a private key that does not belong to the chain's leaf, the most common upload
/// mistake (a key from an earlier certificate). Accepts unencrypted PKCS#8 (`PRIVATE KEY`),
/// PKCS#1 (`RSA PRIVATE KEY`) and SEC1 (`EC PRIVATE KEY`) keys: RSA, ECDSA P-256/P-384 or
/// Ed25519.
pub fn check_key_matches(chain: &ParsedChain, key_pem: &str) -> Result<(), DeliverabilityError> {
    let invalid = |message: &str| DeliverabilityError::Certificate(message.to_owned());
    let der = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|_| invalid("no unencrypted private key (PKCS#8, PKCS#1 or SEC1 PEM) found"))?;
    let key = any_supported_type(&der)
        .map_err(|_| invalid("the private key is not an RSA, ECDSA (P-256, P-384) or Ed25519 key"))?;
    let public = key.public_key().ok_or_else(|| invalid("the private key's public half cannot be derived"))?;
    if public.as_ref() == chain.leaf_spki_der.as_slice() {
        Ok(())
    } else {
        Err(invalid("the private key does not belong to the certificate"))
    }
}

/// Whether a certificate naming `names` is valid for `host`: an exact name, or a wildcard
/// `*.example.com` standing for exactly one label (`mail.example.com`, not `example.com` nor
/// `a.b.example.com`), as clients match them (RFC 6125).
pub fn covers(names: &[String], host: &str) -> bool {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() {
        return false;
    }
    names.iter().any(|name| {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        match name.strip_prefix("*.") {
            Some(suffix) => host
                .strip_suffix(suffix)
                .and_then(|rest| rest.strip_suffix('.'))
                .is_some_and(|label| !label.is_empty() && !label.contains('.')),
            None => name == host,
        }
    })
}

/// Splits a rustls-acme certificate bundle (the key's PKCS#8 PEM first, then the chain as
/// downloaded) into `(key_pem, chain_pem)`, so the table stores them like any other
/// certificate.
pub fn split_key_bundle(bundle: &str) -> Result<(String, String), DeliverabilityError> {
    let invalid = DeliverabilityError::Certificate;
    let mut blocks = pem::parse_many(bundle).map_err(|e| invalid(format!("the bundle is not valid PEM: {e}")))?;
    if blocks.len() < 2 {
        return Err(invalid(format!("the bundle has {} PEM blocks; expected a key and a chain", blocks.len())));
    }
    let key = blocks.remove(0);
    if !key.tag().ends_with("PRIVATE KEY") {
        return Err(invalid(format!("the bundle starts with a {} block, not a private key", key.tag())));
    }
    if let Some(other) = blocks.iter().find(|b| b.tag() != CERTIFICATE) {
        return Err(invalid(format!("the bundle's chain holds a {} block", other.tag())));
    }
    let chain: String = blocks.iter().map(encode).collect();
    Ok((encode(&key), chain))
}

/// The inverse of [`split_key_bundle`]: what rustls-acme expects back from its cache.
pub fn join_key_bundle(key_pem: &str, chain_pem: &str) -> String {
    format!("{}\n{chain_pem}", key_pem.trim_end())
}

/// One PEM block with Unix line endings (the `pem` crate defaults to CRLF).
pub(crate) fn encode(block: &pem::Pem) -> String {
    pem::encode_config(block, pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, DnType, KeyPair, date_time_ymd};

    fn self_signed(names: &[&str]) -> (String, KeyPair) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
        params.distinguished_name.push(DnType::CommonName, "BillionMail test");
        params.not_before = date_time_ymd(2025, 1, 2);
        params.not_after = date_time_ymd(2035, 3, 4);
        let cert = params.self_signed(&key).unwrap();
        (cert.pem(), key)
    }

    #[test]
    fn the_leaf_gives_dates_issuer_and_lower_case_names() {
        let (chain, _) = self_signed(&["Mail.Example.COM", "*.example.net", "192.0.2.1"]);
        let parsed = parse_chain(&chain).unwrap();
        assert_eq!(parsed.not_before.to_rfc3339(), "2025-01-02T00:00:00+00:00");
        assert_eq!(parsed.not_after.to_rfc3339(), "2035-03-04T00:00:00+00:00");
        assert!(parsed.issuer.contains("BillionMail test"), "{}", parsed.issuer);
        // The IP address SAN is not a DNS name.
        assert_eq!(parsed.names, vec!["mail.example.com".to_owned(), "*.example.net".to_owned()]);
    }

    #[test]
    fn the_matching_key_is_accepted_and_another_refused() {
        let (chain, key) = self_signed(&["mail.example.com"]);
        let parsed = parse_chain(&chain).unwrap();
        check_key_matches(&parsed, &key.serialize_pem()).unwrap();

        let other = KeyPair::generate().unwrap();
        let err = check_key_matches(&parsed, &other.serialize_pem()).unwrap_err();
        assert!(err.to_string().contains("does not belong to the certificate"), "{err}");

        let err = check_key_matches(&parsed, "not a key").unwrap_err();
        assert!(err.to_string().contains("no unencrypted private key"), "{err}");
    }

    #[test]
    fn garbage_is_refused_with_the_reason() {
        let err = parse_chain("hello").unwrap_err();
        assert!(err.to_string().contains("no CERTIFICATE block"), "{err}");

        let fake = pem::Pem::new("CERTIFICATE", b"definitely not DER".to_vec());
        let err = parse_chain(&encode(&fake)).unwrap_err();
        assert!(err.to_string().contains("not a valid X.509 certificate"), "{err}");

        // A valid leaf followed by a broken intermediate.
        let (chain, _) = self_signed(&["mail.example.com"]);
        let err = parse_chain(&format!("{chain}{}", encode(&fake))).unwrap_err();
        assert!(err.to_string().contains("certificate 2 of the chain"), "{err}");
    }

    #[test]
    fn wildcards_cover_exactly_one_label() {
        let names = vec!["*.example.com".to_owned(), "mail.example.org".to_owned()];
        assert!(covers(&names, "mail.example.com"));
        assert!(covers(&names, "MX.Example.com."));
        assert!(!covers(&names, "example.com"));
        assert!(!covers(&names, "a.b.example.com"));
        assert!(!covers(&names, "badexample.com"));
        assert!(covers(&names, "mail.example.org"));
        assert!(!covers(&names, "www.example.org"));
        assert!(!covers(&names, ""));
    }

    #[test]
    fn a_bundle_splits_into_key_and_chain_and_joins_back() {
        let (chain, key) = self_signed(&["admin.example.com"]);
        let bundle = format!("{}\n{chain}", key.serialize_pem());
        let (key_pem, chain_pem) = split_key_bundle(&bundle).unwrap();
        assert!(key_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let parsed = parse_chain(&chain_pem).unwrap();
        check_key_matches(&parsed, &key_pem).unwrap();
        let joined = join_key_bundle(&key_pem, &chain_pem);
        assert_eq!(split_key_bundle(&joined).unwrap(), (key_pem, chain_pem));
        assert!(split_key_bundle(&chain).is_err());
    }
}
