//! Blocklist scans against a real DNS server (dnsmasq) that serves the curated catalog's 40
//! zones: listings with their reasons, refused queries and timeouts kept apart from "clean",
//! listings opened and closed across scans, and the alert mail.

mod support;

use std::time::{Duration, Instant};

use engine::deliverability::{DnsResolver, ResolverChoice};
use engine::dnsbl::{AlertMailer, Blocklists, DEFAULT_LISTS, DnsblScanner};
use engine::testing::TestDatabase;
use model::deliverability::BlocklistInput;
use support::dnsmasq::{Dnsmasq, txt, unavailable};
use support::smtp_sink::SmtpSink;

/// Every catalog zone answered locally (NXDOMAIN = not listed), plus the given listings.
fn zone(extra: &str) -> String {
    let mut conf: String = DEFAULT_LISTS.iter().map(|l| format!("local=/{}/\n", l.zone)).collect();
    conf.push_str("local=/bm.test/\nserver=/dead.bl.test/127.0.0.1#1\n");
    conf.push_str(extra);
    conf
}

fn listed_on_zen() -> String {
    // 192.0.2.2 on Spamhaus ZEN (SBL) with a reason; the domain on Spamhaus DBL.
    format!(
        "address=/2.2.0.192.zen.spamhaus.org/127.0.0.2\n{}address=/spam.bm.test.dbl.spamhaus.org/127.0.1.2\n\
         address=/2.2.0.192.b.barracudacentral.org/127.255.255.254\n",
        txt("2.2.0.192.zen.spamhaus.org", "Listed by SBL, see https://check.spamhaus.org/sbl/query/SBL1")
    )
}

async fn scanner(t: &TestDatabase, dns: &Dnsmasq, alerts: Option<AlertMailer>) -> (DnsblScanner, Blocklists) {
    let resolver = DnsResolver::new(&ResolverChoice::Servers(vec![dns.addr()]), Duration::from_millis(700), 0).unwrap();
    let lists = Blocklists::new(t.db.pool.clone());
    lists.seed_catalog().await.unwrap();
    (DnsblScanner::new(t.db.pool.clone(), resolver, 16, alerts), lists)
}

#[tokio::test]
async fn a_scan_finds_listings_reports_refusals_and_timeouts_and_alerts_once() {
    if unavailable() {
        return;
    }
    let t = TestDatabase::create().await;
    let sink = SmtpSink::start().await;
    let mut dns = Dnsmasq::start(&zone(&listed_on_zen()));
    let alerts = AlertMailer::new("127.0.0.1", sink.port, "BillionMail <alerts@bm.test>", "admin@bm.test").unwrap();
    let (scanner, lists) = scanner(&t, &dns, Some(alerts)).await;
    assert_eq!(lists.all().await.unwrap().len(), 40);
    // The catalog alone: 40 lists, one IP and one domain, 16 lookups at a time.
    let pair = vec!["192.0.2.3".to_owned(), "fine.bm.test".to_owned()];
    let started = Instant::now();
    let first = scanner.scan(&pair, "manual").await.unwrap();
    println!("FIGURE dnsbl_scan_40_lists_ms={} queries={}", started.elapsed().as_millis(), first.queries);
    assert_eq!((first.queries, first.listed, first.errors), (40, 0, 0), "{first:?}");
    lists
        .add(&BlocklistInput {
            zone: "dead.bl.test".into(),
            name: "Dead list".into(),
            kind: "ip".into(),
            delist_url: String::new(),
        })
        .await
        .unwrap();
    let targets = vec!["192.0.2.2".to_owned(), "spam.bm.test".to_owned(), "clean.bm.test".to_owned()];

    let started = Instant::now();
    let scan = scanner.scan(&targets, "manual").await.unwrap();
    println!("FIGURE dnsbl_scan_ms={} lists=41 queries={} concurrency=16", started.elapsed().as_millis(), scan.queries);
    let ip_lists = DEFAULT_LISTS.iter().filter(|l| l.kind == engine::dnsbl::ListKind::Ip).count() + 1;
    let domain_lists = 40 + 1 - ip_lists;
    assert_eq!(scan.queries as usize, ip_lists + 2 * domain_lists);
    assert_eq!(scan.listed, 2, "{scan:?}");
    assert_eq!(scan.errors, 2, "Barracuda's refusal code and the dead list: {scan:?}");

    let overview = scanner.overview(targets.clone(), &lists).await.unwrap();
    let zen = overview.open.iter().find(|l| l.zone == "zen.spamhaus.org").unwrap();
    assert_eq!((zen.target.as_str(), zen.answer.as_str()), ("192.0.2.2", "127.0.0.2"));
    assert!(zen.reason.contains("SBL"), "{zen:?}");
    assert_eq!(zen.list_name, "Spamhaus ZEN");
    assert!(zen.delist_url.starts_with("https://"));
    assert!(overview.open.iter().any(|l| l.target == "spam.bm.test" && l.zone == "dbl.spamhaus.org"));
    let errors: Vec<&str> = overview.last_errors.iter().map(|e| e.zone.as_str()).collect();
    assert_eq!(errors, ["b.barracudacentral.org", "dead.bl.test"]);
    assert!(overview.last_errors[0].error.contains("refused"), "{:?}", overview.last_errors);
    assert!(overview.last_errors[1].error.contains("timeout"), "{:?}", overview.last_errors);

    // One alert mail naming both listings and where to delist.
    let mail = sink.received();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert!(mail[0].contains("192.0.2.2 is listed on Spamhaus ZEN"), "{}", mail[0]);
    assert!(mail[0].contains("delist: https://"));

    // Seen again: still one listing, no second alert.
    scanner.scan(&targets, "schedule").await.unwrap();
    assert_eq!(sink.received().len(), 1);
    assert_eq!(scanner.overview(targets.clone(), &lists).await.unwrap().open.len(), 2);

    // Delisted from ZEN: the listing closes and moves to the history.
    dns.restart(&zone("address=/spam.bm.test.dbl.spamhaus.org/127.0.1.2\n"));
    scanner.scan(&targets, "manual").await.unwrap();
    let overview = scanner.overview(targets, &lists).await.unwrap();
    assert_eq!(overview.open.len(), 1);
    let closed = &overview.history[0];
    assert_eq!(closed.zone, "zen.spamhaus.org");
    assert!(closed.delisted_at.is_some());
    assert_eq!(overview.scans.len(), 4);
}

#[tokio::test]
async fn disabled_lists_are_not_queried_and_custom_lists_can_be_removed() {
    if unavailable() {
        return;
    }
    let t = TestDatabase::create().await;
    let dns = Dnsmasq::start(&zone(&listed_on_zen()));
    let (scanner, lists) = scanner(&t, &dns, None).await;
    lists.set_enabled("zen.spamhaus.org", false).await.unwrap();
    let scan = scanner.scan(&["192.0.2.2".to_owned()], "manual").await.unwrap();
    assert_eq!(scan.listed, 0);
    // Re-seeding keeps the admin's choice.
    lists.seed_catalog().await.unwrap();
    assert!(!lists.all().await.unwrap().iter().find(|l| l.zone == "zen.spamhaus.org").unwrap().enabled);
    assert!(lists.remove("zen.spamhaus.org").await.is_err(), "catalog lists are disabled, not deleted");
    let bad = lists
        .add(&BlocklistInput {
            zone: "not a zone".into(),
            name: "x".into(),
            kind: "ip".into(),
            delist_url: String::new(),
        })
        .await;
    assert!(matches!(bad, Err(engine::deliverability::DeliverabilityError::InvalidInput { field: "zone", .. })));
}
