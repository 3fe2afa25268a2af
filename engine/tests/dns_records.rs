//! DNS record verification against a real DNS server (dnsmasq on a loopback port, serving a
//! zone each test writes): good records, each kind of bad record, and DNS failures, which must
//! be reported as failures and never as OK. Also DKIM rotation driven by what DNS serves.

mod support;

use std::time::{Duration, Instant};

use engine::deliverability::{Deliverability, DkimRotation, DnsResolver, DnsVerifier, ResolverChoice};
use engine::mail::{DkimKeys, MailDomains};
use engine::testing::TestDatabase;
use model::deliverability::{
    CheckStatus, DkimAlgorithm, DkimKeyState, DmarcPolicy, DnsPolicy, RecordCheck, ServerIdentity,
};
use model::mail::DomainInput;
use support::dnsmasq::{Dnsmasq, txt, unavailable};

struct Env {
    t: TestDatabase,
    domains: MailDomains,
    dkim: DkimKeys,
}

async fn env() -> Env {
    let t = TestDatabase::create().await;
    let dir = std::env::temp_dir().join(format!("bm-dns-dkim-{}", t.url.rsplit('/').next().unwrap_or("x")));
    let dkim = DkimKeys::new(&dir);
    Env { domains: MailDomains::new(t.db.pool.clone(), dkim.clone()), dkim, t }
}

fn server(ip: &str) -> ServerIdentity {
    ServerIdentity {
        mail_host: "mail.bm.test".into(),
        web_host: "web.bm.test".into(),
        ipv4: vec![ip.parse().unwrap()],
        ipv6: vec![],
    }
}

fn deliverability(e: &Env, dns: &Dnsmasq, server: ServerIdentity) -> Deliverability {
    let resolver = DnsResolver::new(&ResolverChoice::Servers(vec![dns.addr()]), Duration::from_millis(800), 0).unwrap();
    let rotation = DkimRotation::new(e.t.db.pool.clone(), e.dkim.clone());
    let verifier = DnsVerifier::new(e.t.db.pool.clone(), resolver, server, rotation.clone());
    Deliverability::new(e.t.db.pool.clone(), verifier, rotation)
}

async fn add_domain(e: &Env, name: &str) {
    e.domains.create(&DomainInput { name: name.into(), ..DomainInput::default() }).await.unwrap();
}

fn status<'a>(checks: &'a [RecordCheck], key: &str) -> &'a RecordCheck {
    checks.iter().find(|c| c.record.key == key).unwrap_or_else(|| panic!("no check {key}: {checks:#?}"))
}

/// The shared part of every zone: the mail host with forward and reverse DNS.
const BASE: &str = "local=/bm.test/\nlocal=/2.0.192.in-addr.arpa/\n\
host-record=mail.bm.test,192.0.2.10\nhost-record=web.bm.test,192.0.2.80\n";

/// A zone publishing exactly what the report asks for `domain`.
async fn published_zone(d: &Deliverability, domain: &str) -> String {
    let report = d.verifier.report(domain).await.unwrap();
    let mut zone = String::new();
    for (r, _) in &report.records {
        match r.rtype {
            model::deliverability::RecordType::Mx => {
                let (pref, host) = r.value.split_once(' ').unwrap();
                zone.push_str(&format!("mx-host={},{host},{pref}\n", r.host));
            }
            model::deliverability::RecordType::Txt => zone.push_str(&txt(&r.host, &r.value)),
            model::deliverability::RecordType::Cname => zone.push_str(&format!("cname={},{}\n", r.host, r.value)),
            // A and PTR come from BASE's host-record.
            _ => {}
        }
    }
    zone
}

#[tokio::test]
async fn a_correctly_published_domain_passes_every_check() {
    if unavailable() {
        return;
    }
    let e = env().await;
    add_domain(&e, "good.bm.test").await;
    let mut dns = Dnsmasq::start(BASE);
    let d = deliverability(&e, &dns, server("192.0.2.10"));
    let policy = DnsPolicy {
        dmarc_policy: DmarcPolicy::Reject,
        dmarc_rua: vec!["dmarc@good.bm.test".into()],
        ..DnsPolicy::default()
    };
    d.save_policy("good.bm.test", &policy).await.unwrap();
    let zone = published_zone(&d, "good.bm.test").await;
    dns.restart(&format!("{BASE}{zone}"));

    let started = Instant::now();
    let checks = d.verifier.verify("good.bm.test").await.unwrap();
    let wall = started.elapsed();
    println!("FIGURE dns_verify_all_records_ms={} records={}", wall.as_millis(), checks.len());
    for c in &checks {
        assert_eq!(c.status, CheckStatus::Ok, "{}: {:?} {:?} found {:?}", c.record.key, c.problem, c.fix, c.found);
    }
    let kinds: Vec<&str> = checks.iter().map(|c| c.record.key.split(':').next().unwrap()).collect();
    for kind in ["mx", "a", "spf", "dkim", "dmarc", "ptr", "mta_sts", "mta_sts_host", "tls_rpt"] {
        assert!(kinds.contains(&kind), "{kind} checked");
    }
    // The stored report shows the same verdicts and marks the domain ready.
    let report = d.verifier.report("good.bm.test").await.unwrap();
    assert!(report.all_ok_since.is_some());
    assert!(report.records.iter().all(|(_, c)| c.as_ref().is_some_and(|c| c.status == CheckStatus::Ok)));
    assert!(report.mta_sts_policy.unwrap().contains("mx: mail.bm.test\r\n"));
}

#[tokio::test]
async fn broken_records_say_what_was_found_what_was_expected_and_how_to_fix_it() {
    if unavailable() {
        return;
    }
    let e = env().await;
    add_domain(&e, "bad.bm.test").await;
    add_domain(&e, "weak.bm.test").await;
    let mut includes = String::new();
    let mut chain = String::new();
    for i in 1..=11 {
        includes.push_str(&format!(" include:i{i}.bm.test"));
        chain.push_str(&txt(&format!("i{i}.bm.test"), "v=spf1 -all"));
    }
    let zone = format!(
        "{BASE}{chain}\
         mx-host=bad.bm.test,mx.elsewhere.bm.test,10\nhost-record=mx.elsewhere.bm.test,192.0.2.99\n\
         {}{}{}{}\
         mx-host=weak.bm.test,mail.bm.test,10\n{}{}",
        txt("bad.bm.test", "v=spf1 mx -all"),
        txt("bad.bm.test", "v=spf1 ip4:192.0.2.10 -all"),
        txt("_dmarc.bad.bm.test", "v=DMARC1; p=sometimes"),
        txt(
            &format!("{}._domainkey.bad.bm.test", selector(&e, "bad.bm.test").await),
            "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwrong"
        ),
        txt("weak.bm.test", &format!("v=spf1 mx{includes} -all")),
        txt("_dmarc.weak.bm.test", "v=DMARC1; p=none; rua=mailto:d@weak.bm.test"),
    );
    let dns = Dnsmasq::start(&zone);
    let d = deliverability(&e, &dns, server("192.0.2.10"));

    let bad = d.verifier.verify("bad.bm.test").await.unwrap();
    let mx = status(&bad, "mx");
    assert_eq!(mx.status, CheckStatus::Mismatch);
    assert_eq!(mx.found, ["10 mx.elsewhere.bm.test"]);
    assert!(mx.problem.as_deref().unwrap().contains("not to mail.bm.test"), "{mx:?}");
    assert!(mx.fix.as_deref().unwrap().contains("10 mail.bm.test"));
    let spf = status(&bad, "spf");
    assert_eq!(spf.status, CheckStatus::Invalid);
    assert!(spf.problem.as_deref().unwrap().starts_with("2 SPF records"), "{spf:?}");
    let dmarc = status(&bad, "dmarc");
    assert_eq!(dmarc.status, CheckStatus::Invalid);
    assert!(dmarc.problem.as_deref().unwrap().contains("invalid"), "{dmarc:?}");
    let dkim = bad.iter().find(|c| c.record.key.starts_with("dkim:")).unwrap();
    assert_eq!(dkim.status, CheckStatus::Mismatch);
    assert!(dkim.problem.as_deref().unwrap().starts_with("DKIM key does not match"), "{dkim:?}");
    assert!(dkim.fix.as_deref().unwrap().contains(&dkim.record.value));

    let weak = d.verifier.verify("weak.bm.test").await.unwrap();
    let spf = status(&weak, "spf");
    assert_eq!(spf.status, CheckStatus::Invalid);
    assert_eq!(spf.problem.as_deref(), Some("SPF has 12 DNS lookups, limit 10"), "{spf:?}");
    let dmarc = status(&weak, "dmarc");
    assert_eq!(dmarc.status, CheckStatus::Warning);
    assert!(dmarc.problem.as_deref().unwrap().starts_with("DMARC p=none"), "{dmarc:?}");
    // Not published at all: missing, with the record to publish.
    let rpt = status(&weak, "tls_rpt");
    assert!(matches!(rpt.status, CheckStatus::NxDomain | CheckStatus::Missing), "{rpt:?}");
    assert!(rpt.fix.as_deref().unwrap().contains("v=TLSRPTv1"));
    // History keeps the first verdict of each record.
    let history = d.verifier.history("weak.bm.test", 100).await.unwrap();
    assert!(history.iter().any(|h| h.record_key == "spf" && h.status == CheckStatus::Invalid));
}

async fn selector(e: &Env, domain: &str) -> String {
    e.domains.get(domain).await.unwrap().dkim_selector.unwrap()
}

#[tokio::test]
async fn reverse_dns_must_name_the_helo_host_and_resolve_back() {
    if unavailable() {
        return;
    }
    let e = env().await;
    add_domain(&e, "ptr.bm.test").await;
    let zone = format!("{BASE}ptr-record=20.2.0.192.in-addr.arpa,vps-20.hoster.bm.test\n");
    let dns = Dnsmasq::start(&zone);
    let d = deliverability(&e, &dns, server("192.0.2.20"));
    let checks = d.verifier.verify("ptr.bm.test").await.unwrap();
    let ptr = status(&checks, "ptr:192.0.2.20");
    assert_eq!(ptr.status, CheckStatus::Mismatch);
    assert_eq!(ptr.problem.as_deref(), Some("PTR of 192.0.2.20 is vps-20.hoster.bm.test, HELO name is mail.bm.test"));
    // The mail host resolves to .10, not to the configured .20.
    assert_eq!(status(&checks, "a").status, CheckStatus::Mismatch);
}

#[tokio::test]
async fn nxdomain_servfail_and_timeouts_are_reported_as_such() {
    if unavailable() {
        return;
    }
    let e = env().await;
    add_domain(&e, "gone.bm.test").await;
    add_domain(&e, "broken.servfail.test").await;
    add_domain(&e, "slow.timeout.test").await;
    let zone = format!("{BASE}server=/timeout.test/127.0.0.1#1\n");
    let dns = Dnsmasq::with_servfail(&zone, "servfail.test");
    let d = deliverability(&e, &dns, server("192.0.2.10"));

    let gone = d.verifier.verify("gone.bm.test").await.unwrap();
    for key in ["mx", "spf", "dmarc"] {
        let c = status(&gone, key);
        assert_eq!(c.status, CheckStatus::NxDomain, "{c:?}");
        assert!(c.problem.as_deref().unwrap().contains("NXDOMAIN"));
    }
    let broken = d.verifier.verify("broken.servfail.test").await.unwrap();
    for key in ["mx", "spf", "dmarc"] {
        assert_eq!(status(&broken, key).status, CheckStatus::ServFail, "{:?}", status(&broken, key));
    }
    let slow = d.verifier.verify("slow.timeout.test").await.unwrap();
    for key in ["mx", "spf", "dmarc"] {
        assert_eq!(status(&slow, key).status, CheckStatus::Timeout, "{:?}", status(&slow, key));
    }
    for checks in [&gone, &broken, &slow] {
        let report_ok = checks.iter().filter(|c| c.record.key != "a" && !c.record.key.starts_with("ptr"));
        assert!(report_ok.clone().all(|c| c.status != CheckStatus::Ok), "{checks:#?}");
    }
    let report = d.verifier.report("slow.timeout.test").await.unwrap();
    assert!(report.all_ok_since.is_none());
}

#[tokio::test]
async fn new_or_failing_domains_are_rechecked_every_five_minutes_settled_ones_hourly() {
    if unavailable() {
        return;
    }
    let e = env().await;
    add_domain(&e, "fresh.bm.test").await;
    add_domain(&e, "settled.bm.test").await;
    let dns = Dnsmasq::start(BASE);
    let d = deliverability(&e, &dns, server("192.0.2.10"));
    assert_eq!(d.verifier.due().await.unwrap(), ["fresh.bm.test", "settled.bm.test"], "never checked: due at once");
    d.verifier.verify("fresh.bm.test").await.unwrap();
    d.verifier.verify("settled.bm.test").await.unwrap();
    assert!(d.verifier.due().await.unwrap().is_empty());
    let pool = &e.t.db.pool;
    // Six minutes later the failing new domain is due again; a domain all good for days is not.
    sqlx::query("UPDATE mail_domain SET dns_checked_at = now() - interval '6 minutes'").execute(pool).await.unwrap();
    sqlx::query(
        "UPDATE mail_domain SET created_at = now() - interval '3 days', dns_all_ok_since = now() - interval '2 days' \
         WHERE name = 'settled.bm.test'",
    )
    .execute(pool)
    .await
    .unwrap();
    assert_eq!(d.verifier.due().await.unwrap(), ["fresh.bm.test"]);
    sqlx::query("UPDATE mail_domain SET dns_checked_at = now() - interval '61 minutes'").execute(pool).await.unwrap();
    assert_eq!(d.verifier.due().await.unwrap().len(), 2);
    let report = d.verifier.report("fresh.bm.test").await.unwrap();
    let next = report.next_check_at.unwrap() - report.checked_at.unwrap();
    assert_eq!(next.num_minutes(), 5);
}

#[tokio::test]
async fn dkim_rotation_switches_once_dns_serves_the_new_key_and_retires_the_old_one() {
    if unavailable() {
        return;
    }
    let e = env().await;
    add_domain(&e, "rot.bm.test").await;
    let mut dns = Dnsmasq::start(BASE);
    let d = deliverability(&e, &dns, server("192.0.2.10"));
    let first = selector(&e, "rot.bm.test").await;
    let next = d.start_rotation("rot.bm.test", DkimAlgorithm::Ed25519, 0).await.unwrap();
    assert_eq!(next.state, DkimKeyState::Pending);
    assert!(matches!(
        d.start_rotation("rot.bm.test", DkimAlgorithm::Rsa, 7).await,
        Err(engine::deliverability::DeliverabilityError::RotationInProgress(_))
    ));
    // Both selectors are to be published at once.
    let report = d.verifier.report("rot.bm.test").await.unwrap();
    let dkim: Vec<&str> =
        report.records.iter().filter(|(r, _)| r.key.starts_with("dkim:")).map(|(r, _)| r.key.as_str()).collect();
    assert_eq!(dkim, [format!("dkim:{first}"), format!("dkim:{}", next.selector)]);
    assert!(report.records.iter().any(|(r, _)| r.value.starts_with("v=DKIM1; k=ed25519; p=")));
    // Switching before DNS serves the key is refused.
    assert!(matches!(
        d.switch_key("rot.bm.test", false).await,
        Err(engine::deliverability::DeliverabilityError::NotYetInDns { .. })
    ));
    // Publish only the old key: nothing changes.
    let only_old: String = published_zone(&d, "rot.bm.test")
        .await
        .lines()
        .filter(|l| !l.contains(&format!("{}._domainkey", next.selector)))
        .map(|l| format!("{l}\n"))
        .collect();
    dns.restart(&format!("{BASE}{only_old}"));
    d.verifier.verify("rot.bm.test").await.unwrap();
    assert_eq!(d.rotation.keys(report.domain_id).await.unwrap()[1].state, DkimKeyState::Pending);
    // Publish both: the verification switches signing to the new key.
    let zone = published_zone(&d, "rot.bm.test").await;
    dns.restart(&format!("{BASE}{zone}"));
    d.verifier.verify("rot.bm.test").await.unwrap();
    let keys = d.rotation.keys(report.domain_id).await.unwrap();
    assert_eq!(keys[0].state, DkimKeyState::Retiring);
    assert_eq!(keys[1].state, DkimKeyState::Active);
    assert!(keys[1].dns_verified_at.is_some() && keys[1].activated_at.is_some());
    let map = std::fs::read_to_string(e.dkim.dir().join("selectors.map")).unwrap();
    assert!(map.contains(&format!("rot.bm.test {}", next.selector)), "{map}");
    let key_file = std::fs::read_to_string(e.dkim.dir().join(format!("rot.bm.test.{}.key", next.selector))).unwrap();
    assert_eq!(key_file.trim().len(), 88, "Ed25519 key file is base64 of seed and public key");
    // Grace 0: the old key retires at once and leaves the records.
    assert_eq!(d.rotation.retire_due().await.unwrap(), 1);
    let report = d.verifier.report("rot.bm.test").await.unwrap();
    assert!(!report.records.iter().any(|(r, _)| r.key == format!("dkim:{first}")));
}
