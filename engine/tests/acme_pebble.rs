//! Certificates end to end: issued by a real ACME server (pebble, Let's Encrypt's test CA)
//! over HTTP-01 for the mail host and TLS-ALPN-01 for the admin host, stored in PostgreSQL,
//! exported as files, and renewed; plus the bookkeeping of uploaded certificates and failed
//! attempts. Names under `bm-acme.test` resolve to 127.0.0.1 through a dnsmasq started here
//! (`support::dnsmasq`), so pebble validates against the responders this test runs.
//!
//! Needs `/usr/bin/pebble` (or `$PEBBLE`) and dnsmasq (`apt-get install pebble dnsmasq-base`).
//! Without them the ACME tests are skipped, unless `CI` is set, where they fail.

mod support;

use std::fs::File;
use std::net::TcpListener as StdTcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{TimeDelta, Utc};
use engine::deliverability::DeliverabilityError;
use engine::testing::TestDatabase;
use engine::tls::{
    AcmeIssuer, Certificates, Http01Challenges, admin_acme_state, check_key_matches, covers, parse_chain,
};
use futures::StreamExt;
use model::deliverability::CustomCertificate;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, date_time_ymd,
};
use rustls_acme::EventOk;
use support::dnsmasq::Dnsmasq;

const MAIL_HOST: &str = "mail.bm-acme.test";
const ADMIN_HOST: &str = "admin.bm-acme.test";
const CONTACT: &str = "mailto:postmaster@bm-acme.test";
/// Pebble's certificates live 10 days: inside the 30-day renewal window from the start.
const VALIDITY_SECONDS: u64 = 864_000;

// ---------------------------------------------------------------------------------------
// The rig: pebble, dnsmasq, and the files they need, killed and removed on drop.

struct Tools {
    pebble: PathBuf,
}

/// The binaries, or `None` (skip) when missing outside CI. In CI a missing tool fails.
fn tools() -> Option<Tools> {
    let pebble = std::env::var_os("PEBBLE").map_or_else(|| PathBuf::from("/usr/bin/pebble"), PathBuf::from);
    let mut missing = Vec::new();
    if !pebble.exists() {
        missing.push(pebble.display().to_string());
    }
    if support::dnsmasq::binary().is_none() {
        missing.push("dnsmasq".to_owned());
    }
    if missing.is_empty() {
        return Some(Tools { pebble });
    }
    let message = format!("{} not installed (apt-get install pebble dnsmasq-base)", missing.join(" and "));
    assert!(std::env::var_os("CI").is_none(), "{message}; `.ci/setup --tests` installs them");
    println!("skipping the ACME test: {message}");
    None
}

struct Rig {
    dir: PathBuf,
    /// `https://127.0.0.1:<port>/dir`: an IP, which pebble's listener certificate names.
    directory_url: String,
    /// The CA of pebble's listener certificate, for the ACME client to trust.
    ca_pem: String,
    pebble: Option<Child>,
    /// Answers every name under `bm-acme.test` with 127.0.0.1; stopped on drop.
    dns: Dnsmasq,
}

impl Rig {
    /// Starts dnsmasq and pebble. Pebble validates HTTP-01 on `http_port` and TLS-ALPN-01 on
    /// `tls_port` of 127.0.0.1 (the address every `bm-acme.test` name resolves to).
    async fn start(tools: &Tools, http_port: u16, tls_port: u16) -> Rig {
        let dir = std::env::temp_dir().join(format!("bm-acme-{}-{:x}", std::process::id(), rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let (ca_pem, cert_pem, key_pem) = listener_certificates();
        std::fs::write(dir.join("listener-cert.pem"), cert_pem).unwrap();
        std::fs::write(dir.join("listener-key.pem"), key_pem).unwrap();
        // Only an A answer (127.0.0.1); AAAA queries get none, so pebble dials IPv4.
        let dns = Dnsmasq::start("address=/bm-acme.test/127.0.0.1\n");
        let mut rig = Rig { dir, directory_url: String::new(), ca_pem, pebble: None, dns };

        let acme_port = free_tcp_port();
        let config = serde_json::json!({
            "pebble": {
                "listenAddress": format!("127.0.0.1:{acme_port}"),
                "managementListenAddress": format!("127.0.0.1:{}", free_tcp_port()),
                "certificate": rig.dir.join("listener-cert.pem"),
                "privateKey": rig.dir.join("listener-key.pem"),
                "httpPort": http_port,
                "tlsPort": tls_port,
                "ocspResponderURL": "",
                "externalAccountBindingRequired": false,
                "certificateValidityPeriod": VALIDITY_SECONDS,
            }
        });
        let config_path = rig.dir.join("pebble.json");
        std::fs::write(&config_path, config.to_string()).unwrap();
        let pebble = Command::new(&tools.pebble)
            .arg("-config")
            .arg(config_path)
            .arg("-dnsserver")
            .arg(rig.dns.addr().to_string())
            .current_dir(&rig.dir)
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .env("PEBBLE_AUTHZREUSE", "0")
            .stdin(Stdio::null())
            .stdout(rig.log("pebble"))
            .stderr(rig.log("pebble"))
            .spawn()
            .expect("start pebble");
        rig.pebble = Some(pebble);

        rig.wait_for_port(acme_port).await;
        rig.directory_url = format!("https://127.0.0.1:{acme_port}/dir");
        rig
    }

    fn log(&self, name: &str) -> File {
        File::options().create(true).append(true).open(self.dir.join(format!("{name}.log"))).unwrap()
    }

    async fn wait_for_port(&mut self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(Ok(Some(status))) = self.pebble.as_mut().map(Child::try_wait) {
                panic!("pebble exited ({status}):\n{}", self.logs());
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return;
            }
            assert!(Instant::now() < deadline, "pebble did not listen on {port} within 15 s:\n{}", self.logs());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn logs(&self) -> String {
        let text = std::fs::read_to_string(self.dir.join("pebble.log")).unwrap_or_default();
        format!("--- pebble.log ---\n{text}")
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        if let Some(child) = &mut self.pebble {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!("{}", self.logs());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A throw-away CA and, signed by it, pebble's listener certificate for `localhost` and
/// 127.0.0.1 (webpki refuses a CA certificate used as the server's own).
fn listener_certificates() -> (String, String, String) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CommonName, "BillionMail test CA for pebble");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca.self_signed(&ca_key).unwrap();

    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, "localhost");
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).unwrap();
    (ca_cert.pem(), leaf_cert.pem(), leaf_key.serialize_pem())
}

fn free_tcp_port() -> u16 {
    StdTcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The HTTP-01 responder, as the web server mounts it on port 80.
async fn serve_challenges(listener: tokio::net::TcpListener, challenges: Http01Challenges) {
    let app =
        Router::new().route("/.well-known/acme-challenge/{token}", get(challenge_response)).with_state(challenges);
    axum::serve(listener, app).await.expect("HTTP-01 responder");
}

async fn challenge_response(
    State(challenges): State<Http01Challenges>,
    UrlPath(token): UrlPath<String>,
) -> Result<String, StatusCode> {
    challenges.get(&token).ok_or(StatusCode::NOT_FOUND)
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The leaf's serial number, to tell two certificates apart.
fn serial(chain: &str) -> String {
    let blocks = pem::parse_many(chain).unwrap();
    let leaf = blocks.iter().find(|b| b.tag() == "CERTIFICATE").unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(leaf.contents()).unwrap();
    cert.raw_serial_as_string()
}

// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_host_certificate_is_issued_over_http01_exported_and_renewed() {
    let Some(tools) = tools() else { return };
    let t = TestDatabase::create().await;
    let pool = t.db.pool.clone();

    let challenges = Http01Challenges::default();
    let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let http_port = http.local_addr().unwrap().port();
    let responder = tokio::spawn(serve_challenges(http, challenges.clone()));
    let rig = Rig::start(&tools, http_port, free_tcp_port()).await;

    let client = AcmeIssuer::client_config(Some(rig.ca_pem.as_str())).unwrap();
    let issuer =
        AcmeIssuer::new(rig.directory_url.clone(), client, vec![CONTACT.to_owned()], pool.clone(), challenges.clone());
    let export_dir = rig.dir.join("export");
    let reloaded = rig.dir.join("reloaded");
    let certs = Certificates::new(pool.clone(), &export_dir, Some(format!("touch '{}'", reloaded.display())));

    // A configured host shows (and is due) before its first issuance.
    certs.ensure_host(MAIL_HOST, "mail").await.unwrap();
    assert_eq!(certs.get(MAIL_HOST).await.unwrap().unwrap().status, "pending");
    assert_eq!(certs.due_for_renewal(Utc::now()).await.unwrap(), vec![MAIL_HOST.to_owned()]);

    let started = Instant::now();
    let (chain, key) = issuer.issue(&[MAIL_HOST.to_owned()]).await.unwrap();
    println!("FIGURE acme_issue_ms={}", started.elapsed().as_millis());
    assert!(challenges.is_empty(), "challenge tokens are withdrawn after the issuance");

    let status = certs.store_issued(MAIL_HOST, "mail", &chain, &key).await.unwrap();
    assert_eq!((status.status.as_str(), status.source.as_str(), status.purpose.as_str()), ("valid", "acme", "mail"));
    assert_eq!(status.last_error, None);
    assert!(status.issued_at.is_some() && status.last_attempt.is_some());
    assert!(reloaded.exists(), "the reload command ran after the export");

    // The exported files: world-readable chain, private key, both matching the host.
    let fullchain = export_dir.join(MAIL_HOST).join("fullchain.pem");
    let privkey = export_dir.join(MAIL_HOST).join("privkey.pem");
    #[cfg(unix)]
    {
        assert_eq!(mode(&fullchain), 0o644);
        assert_eq!(mode(&privkey), 0o600);
    }
    let first = parse_chain(&std::fs::read_to_string(&fullchain).unwrap()).unwrap();
    assert!(covers(&first.names, MAIL_HOST), "{:?}", first.names);
    check_key_matches(&first, &std::fs::read_to_string(&privkey).unwrap()).unwrap();
    let left = first.not_after - Utc::now();
    assert!(left > TimeDelta::days(9) && left <= TimeDelta::days(10), "{left}");
    assert_eq!(status.not_after, Some(first.not_after));
    assert!(status.issuer.as_deref().is_some_and(|i| i.to_lowercase().contains("pebble")), "{:?}", status.issuer);

    // 10 days left is inside the renewal window; the attempt just made holds it back an hour.
    assert!(certs.due_for_renewal(Utc::now()).await.unwrap().is_empty());
    let later = Utc::now() + TimeDelta::hours(2);
    assert_eq!(certs.due_for_renewal(later).await.unwrap(), vec![MAIL_HOST.to_owned()]);

    // Renewal: a new certificate and key, exported and reloaded again, on the same account.
    std::fs::remove_file(&reloaded).unwrap();
    let (renewed_chain, renewed_key) = issuer.issue(&[MAIL_HOST.to_owned()]).await.unwrap();
    let renewed = certs.store_issued(MAIL_HOST, "mail", &renewed_chain, &renewed_key).await.unwrap();
    let second = parse_chain(&std::fs::read_to_string(&fullchain).unwrap()).unwrap();
    assert_ne!(serial(&renewed_chain), serial(&chain));
    assert!(second.not_before >= first.not_before);
    assert_ne!(second.leaf_spki_der, first.leaf_spki_der, "each issuance gets a new key");
    assert_eq!(renewed.not_after, Some(second.not_after));
    assert!(reloaded.exists(), "the reload command ran after the renewal");
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM acme_account").fetch_one(&pool).await.unwrap();
    assert_eq!(accounts, 1);

    responder.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_host_gets_a_certificate_over_tls_alpn_01() {
    let Some(tools) = tools() else { return };
    let t = TestDatabase::create().await;
    let pool = t.db.pool.clone();
    let certs = Certificates::new(pool.clone(), std::env::temp_dir().join("bm-acme-unused"), None);
    certs.ensure_host(ADMIN_HOST, "admin").await.unwrap();

    let tls = StdTcpListener::bind("127.0.0.1:0").unwrap();
    tls.set_nonblocking(true).unwrap();
    let tls_port = tls.local_addr().unwrap().port();
    let rig = Rig::start(&tools, free_tcp_port(), tls_port).await;
    let client = AcmeIssuer::client_config(Some(rig.ca_pem.as_str())).unwrap();
    let contact = vec![CONTACT.to_owned()];

    let mta_sts = vec!["mta-sts.bm-acme.test".to_owned()];
    let mut state = admin_acme_state(ADMIN_HOST, &mta_sts, &rig.directory_url, &contact, client.clone(), pool.clone());
    let acceptor = state.axum_acceptor(state.default_rustls_config());
    let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let poller = tokio::spawn(async move {
        while let Some(event) = state.next().await {
            if events_tx.send(event.map_err(|e| e.to_string())).is_err() {
                break;
            }
        }
    });
    let app = Router::new().route("/", get(|| async { "ok" }));
    let server = tokio::spawn(async move {
        axum_server::from_tcp(tls).expect("TLS listener").acceptor(acceptor).serve(app.into_make_service()).await
    });

    // Deployed (served by the listener) and stored (in the table), within a minute.
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let (mut deployed, mut stored) = (false, false);
    while !(deployed && stored) {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("no admin certificate within 60 s")
            .expect("the ACME state stopped");
        match event {
            Ok(EventOk::DeployedNewCert) => deployed = true,
            Ok(EventOk::CertCacheStore) => stored = true,
            Ok(other) => println!("ACME event: {other:?}"),
            Err(e) => println!("ACME event error (rustls-acme retries after a back-off): {e}"),
        }
    }
    println!("FIGURE acme_tls_alpn_issue_ms={}", started.elapsed().as_millis());

    let status = certs.get(ADMIN_HOST).await.unwrap().expect("the admin host's row");
    assert_eq!((status.status.as_str(), status.source.as_str(), status.purpose.as_str()), ("valid", "acme", "admin"));
    assert!(status.not_after.is_some_and(|t| t > Utc::now() + TimeDelta::days(9)), "{:?}", status.not_after);
    assert_eq!(status.last_error, None);

    // After a restart the certificate comes from the table instead of a new order.
    let stored: String = sqlx::query_scalar("SELECT chain_pem FROM tls_certificate WHERE host = $1")
        .bind(ADMIN_HOST)
        .fetch_one(&pool)
        .await
        .unwrap();
    let names = parse_chain(&stored).unwrap().names;
    assert!(covers(&names, ADMIN_HOST) && covers(&names, "mta-sts.bm-acme.test"), "{names:?}");
    let mut restarted =
        admin_acme_state(ADMIN_HOST, &mta_sts, &rig.directory_url, &contact, client.clone(), pool.clone());
    let first = tokio::time::timeout(Duration::from_secs(10), restarted.next())
        .await
        .expect("the cached certificate loads at once")
        .expect("the ACME state yields events");
    assert!(matches!(first, Ok(EventOk::DeployedCachedCert)), "{first:?}");
    drop(restarted);

    // A domain added since: its mta-sts. name is not covered, so the cache is not used.
    let more = vec!["mta-sts.bm-acme.test".to_owned(), "mta-sts.new.bm-acme.test".to_owned()];
    let mut grown = admin_acme_state(ADMIN_HOST, &more, &rig.directory_url, &contact, client, pool.clone());
    let first = tokio::time::timeout(Duration::from_secs(10), grown.next()).await.ok().flatten();
    assert!(!matches!(first, Some(Ok(EventOk::DeployedCachedCert))), "{first:?}");

    poller.abort();
    server.abort();
}

// ---------------------------------------------------------------------------------------
// Bookkeeping without an ACME server.

/// A self-signed certificate for `names`, valid from 2000 until `expires_year`.
fn self_signed(names: &[&str], expires_year: i32) -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, "BillionMail custom test");
    params.not_before = date_time_ymd(2000, 1, 1);
    params.not_after = date_time_ymd(expires_year, 1, 1);
    (params.self_signed(&key).unwrap().pem(), key.serialize_pem())
}

#[tokio::test]
async fn uploaded_certificates_are_checked_exported_and_left_alone_by_acme() {
    let t = TestDatabase::create().await;
    let pool = t.db.pool.clone();
    let export_dir = std::env::temp_dir().join(format!("bm-tls-custom-{:x}", rand::random::<u64>()));
    let certs = Certificates::new(pool.clone(), &export_dir, None);
    let host = "custom.bm-acme.test";
    let (chain, key) = self_signed(&[host], 2040);
    let upload = |host: &str, chain: &str, key: &str| CustomCertificate {
        host: host.to_owned(),
        chain_pem: chain.to_owned(),
        key_pem: key.to_owned(),
    };

    // Refused, each with its reason.
    let err = certs.upload_custom(upload("not a host!", &chain, &key)).await.unwrap_err();
    assert!(matches!(err, DeliverabilityError::InvalidInput { field: "host", .. }), "{err}");
    let err = certs.upload_custom(upload("other.bm-acme.test", &chain, &key)).await.unwrap_err();
    assert!(err.to_string().contains("does not cover other.bm-acme.test"), "{err}");
    let (_, other_key) = self_signed(&[host], 2040);
    let err = certs.upload_custom(upload(host, &chain, &other_key)).await.unwrap_err();
    assert!(err.to_string().contains("does not belong to the certificate"), "{err}");
    let (old_chain, old_key) = self_signed(&[host], 2001);
    let err = certs.upload_custom(upload(host, &old_chain, &old_key)).await.unwrap_err();
    assert!(err.to_string().contains("expired on 2001-01-01"), "{err}");
    let err = certs.upload_custom(upload(host, "garbage", &key)).await.unwrap_err();
    assert!(err.to_string().contains("no CERTIFICATE block"), "{err}");
    assert!(certs.list().await.unwrap().is_empty(), "nothing was stored");

    // Accepted: stored as custom, host lower-cased, files exported.
    let status = certs.upload_custom(upload("Custom.BM-ACME.test", &chain, &key)).await.unwrap();
    assert_eq!((status.host.as_str(), status.source.as_str(), status.status.as_str()), (host, "custom", "valid"));
    assert_eq!(status.purpose, "mail");
    assert_eq!(status.not_after.map(|t| t.to_rfc3339()).as_deref(), Some("2040-01-01T00:00:00+00:00"));
    let exported = std::fs::read_to_string(export_dir.join(host).join("fullchain.pem")).unwrap();
    assert_eq!(parse_chain(&exported).unwrap(), parse_chain(&chain).unwrap());
    assert!(export_dir.join(host).join("privkey.pem").exists());

    // ACME neither renews nor overwrites a custom certificate.
    assert!(certs.due_for_renewal(Utc::now() + TimeDelta::days(365 * 20)).await.unwrap().is_empty());
    let (acme_chain, acme_key) = self_signed(&[host], 2030);
    let kept = certs.store_issued(host, "mail", &acme_chain, &acme_key).await.unwrap();
    assert_eq!((kept.source.as_str(), kept.not_after), ("custom", status.not_after));

    // A failure on a host without a certificate marks it failed; with a valid one it stays valid.
    certs.record_failure("new.bm-acme.test", "mail", "DNS problem: NXDOMAIN").await.unwrap();
    let failed = certs.get("new.bm-acme.test").await.unwrap().unwrap();
    assert_eq!((failed.status.as_str(), failed.source.as_str()), ("failed", "acme"));
    assert_eq!(failed.last_error.as_deref(), Some("DNS problem: NXDOMAIN"));
    assert!(failed.last_attempt.is_some());

    let served = "served.bm-acme.test";
    let (served_chain, served_key) = self_signed(&[served], 2040);
    certs.store_issued(served, "mail", &served_chain, &served_key).await.unwrap();
    certs.record_failure(served, "mail", "connection refused").await.unwrap();
    let still = certs.get(served).await.unwrap().unwrap();
    assert_eq!((still.status.as_str(), still.last_error.as_deref()), ("valid", Some("connection refused")));

    // The page lists admin hosts first, then mail hosts by name.
    certs.ensure_host("web.bm-acme.test", "admin").await.unwrap();
    let hosts: Vec<String> = certs.list().await.unwrap().into_iter().map(|c| c.host).collect();
    assert_eq!(hosts, ["web.bm-acme.test", host, "new.bm-acme.test", served]);

    let _ = std::fs::remove_dir_all(&export_dir);
}
