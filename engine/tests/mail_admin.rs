//! The mail server's admin rules against a real PostgreSQL, read back through the same
//! `mail_*` views Postfix and Dovecot query.

use engine::mail::{AliasDomains, Aliases, BccRules, DkimKeys, MailDomains, MailError, Mailboxes};
use engine::testing::TestDatabase;
use model::mail::{
    AliasDomainInput, AliasInput, BatchCreate, BccKind, BccRuleInput, DomainInput, MailboxFilter, MailboxInput,
};
use model::{PageRequest, SortDirection};

const PW: &str = "Tidal-Lantern-58";

struct Mail {
    t: TestDatabase,
    domains: MailDomains,
    mailboxes: Mailboxes,
    aliases: Aliases,
    alias_domains: AliasDomains,
    bcc: BccRules,
    dkim_dir: std::path::PathBuf,
}

async fn setup() -> Mail {
    let t = TestDatabase::create().await;
    let pool = t.db.pool.clone();
    let dkim_dir = std::env::temp_dir().join(format!("bm-dkim-{}", t.url.rsplit('/').next().unwrap_or("x")));
    Mail {
        domains: MailDomains::new(pool.clone(), DkimKeys::new(&dkim_dir)),
        mailboxes: Mailboxes::new(pool.clone()),
        aliases: Aliases::new(pool.clone()),
        alias_domains: AliasDomains::new(pool.clone()),
        bcc: BccRules::new(pool),
        dkim_dir,
        t,
    }
}

fn domain(name: &str) -> DomainInput {
    DomainInput { name: name.into(), ..DomainInput::default() }
}

fn mailbox(address: &str) -> MailboxInput {
    MailboxInput { address: address.into(), active: true, password: Some(PW.into()), ..MailboxInput::default() }
}

fn alias(address: &str, targets: &[&str]) -> AliasInput {
    AliasInput {
        address: address.into(),
        targets: targets.iter().map(|t| (*t).to_owned()).collect(),
        active: true,
        ..AliasInput::default()
    }
}

fn page() -> PageRequest {
    PageRequest { page: 1, per_page: 50, sort: "address".into(), direction: SortDirection::Ascending }
}

async fn view_rows(m: &Mail, sql: &str) -> Vec<(String, String)> {
    sqlx::query_as(sql).fetch_all(&m.t.db.pool).await.unwrap()
}

#[tokio::test]
async fn a_domain_comes_with_role_addresses_and_a_dkim_key_file() {
    let m = setup().await;
    let d = m.domains.create(&domain("Example.COM")).await.unwrap();
    assert_eq!(d.name, "example.com");
    assert_eq!(d.alias_count, 2);
    let selector = d.dkim_selector.clone().expect("dkim key");
    let key = m.dkim_dir.join(format!("example.com.{selector}.key"));
    assert!(std::fs::read_to_string(&key).unwrap().contains("BEGIN RSA PRIVATE KEY"));
    let map = std::fs::read_to_string(m.dkim_dir.join("selectors.map")).unwrap();
    assert!(map.contains(&format!("example.com {selector}")), "{map}");

    // Role aliases have no target until the first mailbox, which then receives them.
    let roles = view_rows(&m, "SELECT address, goto FROM mail_aliases WHERE address LIKE 'postmaster@%'").await;
    assert!(roles.is_empty());
    m.mailboxes.create(&mailbox("boss@example.com")).await.unwrap();
    m.mailboxes.create(&mailbox("second@example.com")).await.unwrap();
    let roles = view_rows(&m, "SELECT address, goto FROM mail_aliases WHERE address IN ('postmaster@example.com', 'abuse@example.com') ORDER BY 1").await;
    assert_eq!(
        roles,
        vec![
            ("abuse@example.com".into(), "boss@example.com".into()),
            ("postmaster@example.com".into(), "boss@example.com".into())
        ]
    );

    m.domains.delete("example.com", Some("example.com")).await.unwrap();
    assert!(!key.exists(), "the key file of a deleted domain is removed");
}

#[tokio::test]
async fn idn_domains_are_stored_as_punycode() {
    let m = setup().await;
    let d = m.domains.create(&domain("Bücher.example")).await.unwrap();
    assert_eq!((d.name.as_str(), d.display_name.as_str()), ("xn--bcher-kva.example", "bücher.example"));
    let mb = m.mailboxes.create(&mailbox("Anna@bücher.example")).await.unwrap();
    assert_eq!(mb.address, "anna@xn--bcher-kva.example");
    assert_eq!(mb.display_address, "anna@bücher.example");
    let rows = view_rows(&m, "SELECT username, maildir FROM mail_mailboxes").await;
    assert_eq!(rows, vec![("anna@xn--bcher-kva.example".into(), "xn--bcher-kva.example/anna".into())]);
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_half_written() {
    let m = setup().await;
    assert!(matches!(m.domains.create(&domain("not a domain")).await, Err(MailError::InvalidDomain { .. })));
    assert!(matches!(m.domains.create(&domain("localhost")).await, Err(MailError::InvalidDomain { .. })));
    m.domains.create(&domain("example.org")).await.unwrap();
    assert!(matches!(m.domains.create(&domain("EXAMPLE.org")).await, Err(MailError::DomainExists(_))));
    assert!(matches!(m.mailboxes.create(&mailbox("a b@example.org")).await, Err(MailError::InvalidAddress { .. })));
    assert!(matches!(m.mailboxes.create(&mailbox("x@nowhere.example")).await, Err(MailError::NotOurDomain(_))));
    let weak = MailboxInput { password: Some("short".into()), ..mailbox("weak@example.org") };
    assert!(matches!(m.mailboxes.create(&weak).await, Err(MailError::WeakPassword(_))));
    m.mailboxes.create(&mailbox("dup@example.org")).await.unwrap();
    assert!(matches!(
        m.mailboxes.create(&mailbox("DUP@example.org")).await,
        Err(MailError::AddressTaken { used_by: "mailbox", .. })
    ));
    assert!(matches!(
        m.mailboxes.create(&mailbox("postmaster@example.org")).await,
        Err(MailError::AddressTaken { used_by: "alias", .. })
    ));
    // A batch with one clash creates nothing.
    m.mailboxes.create(&mailbox("desk3@example.org")).await.unwrap();
    let batch =
        BatchCreate { domain: "example.org".into(), prefix: "desk".into(), start: 1, count: 5, quota_bytes: None };
    assert!(matches!(m.mailboxes.batch_create(&batch).await, Err(MailError::AddressTaken { .. })));
    let all = m.mailboxes.list(&MailboxFilter { search: "desk".into(), domain: String::new() }, &page()).await.unwrap();
    assert_eq!(all.total, 1);
}

#[tokio::test]
async fn limits_of_the_domain_are_enforced() {
    let m = setup().await;
    let gib = 1024 * 1024 * 1024;
    let d = DomainInput {
        max_mailboxes: 2,
        default_quota_bytes: gib,
        total_quota_bytes: 3 * gib,
        ..domain("small.example")
    };
    m.domains.create(&d).await.unwrap();
    m.mailboxes.create(&mailbox("a@small.example")).await.unwrap();
    let big = MailboxInput { quota_bytes: Some(3 * gib), ..mailbox("b@small.example") };
    assert!(matches!(m.mailboxes.create(&big).await, Err(MailError::DomainQuotaExceeded { .. })));
    let unlimited = MailboxInput { quota_bytes: Some(0), ..mailbox("b@small.example") };
    assert!(matches!(m.mailboxes.create(&unlimited).await, Err(MailError::UnlimitedInLimitedDomain { .. })));
    m.mailboxes.create(&mailbox("b@small.example")).await.unwrap();
    assert!(matches!(
        m.mailboxes.create(&mailbox("c@small.example")).await,
        Err(MailError::MailboxLimit { max: 2, .. })
    ));
    // The domain's limits cannot be lowered under what is in use.
    let lower = DomainInput { max_mailboxes: 1, ..d.clone() };
    assert!(matches!(m.domains.update("small.example", &lower).await, Err(MailError::Limit(_))));
    let smaller_total = DomainInput { total_quota_bytes: gib, ..d };
    assert!(matches!(m.domains.update("small.example", &smaller_total).await, Err(MailError::Limit(_))));
}

#[tokio::test]
async fn aliases_forwards_and_loops() {
    let m = setup().await;
    m.domains.create(&domain("example.net")).await.unwrap();
    m.mailboxes.create(&mailbox("b@example.net")).await.unwrap();
    m.aliases.create(&alias("team@example.net", &["b@example.net", "outside@gmail.com"])).await.unwrap();
    let goto = view_rows(&m, "SELECT address, goto FROM mail_aliases WHERE address = 'team@example.net'").await;
    assert_eq!(goto, vec![("team@example.net".into(), "b@example.net,outside@gmail.com".into())]);

    // A local target must exist.
    let ghost = m.aliases.create(&alias("x@example.net", &["ghost@example.net"])).await;
    assert!(matches!(ghost, Err(MailError::UnknownLocalTarget { .. })), "{ghost:?}");
    // Loops are refused with their path.
    m.aliases.create(&alias("one@example.net", &["team@example.net"])).await.unwrap();
    let looped = m.aliases.update("team@example.net", &alias("team@example.net", &["one@example.net"])).await;
    match looped {
        Err(MailError::AliasLoop(path)) => {
            assert_eq!(path, vec!["team@example.net", "one@example.net", "team@example.net"])
        }
        other => panic!("expected a loop, got {other:?}"),
    }
    assert!(matches!(
        m.aliases.create(&alias("self@example.net", &["self@example.net"])).await,
        Err(MailError::SelfAlias)
    ));
    // A forward on a mailbox's own address, keeping a copy.
    let fwd = m.aliases.create(&alias("b@example.net", &["b@example.net", "archive@elsewhere.org"])).await.unwrap();
    assert!(fwd.is_forward);
    let goto = view_rows(&m, "SELECT address, goto FROM mail_aliases WHERE address = 'b@example.net'").await;
    assert_eq!(goto, vec![("b@example.net".into(), "archive@elsewhere.org,b@example.net".into())]);

    // Deleting a mailbox takes it out of alias targets.
    m.aliases.delete("b@example.net").await.unwrap();
    m.mailboxes.delete("b@example.net").await.unwrap();
    let team = m.aliases.get("team@example.net").await.unwrap();
    assert_eq!(team.targets, vec!["outside@gmail.com"]);
}

#[tokio::test]
async fn alias_domains_catch_all_and_bcc_reach_the_views() {
    let m = setup().await;
    let main = DomainInput { catch_all: Some("b@example.com".into()), ..domain("example.com") };
    // A catch-all must reach something that exists (no backscatter): not at creation...
    assert!(matches!(m.domains.create(&main).await, Err(MailError::UnknownLocalTarget { .. })));
    m.domains.create(&domain("example.com")).await.unwrap();
    m.mailboxes.create(&mailbox("b@example.com")).await.unwrap();
    let ghost = DomainInput { catch_all: Some("ghost@example.com".into()), ..domain("example.com") };
    assert!(matches!(m.domains.update("example.com", &ghost).await, Err(MailError::UnknownLocalTarget { .. })));
    // ...but once the mailbox is there, and external addresses always.
    m.domains.update("example.com", &main).await.unwrap();
    m.alias_domains
        .create(&AliasDomainInput { name: "example.co".into(), target_domain: "example.com".into(), active: true })
        .await
        .unwrap();
    let rows = view_rows(&m, "SELECT alias_domain, target_domain FROM mail_alias_domains").await;
    assert_eq!(rows, vec![("example.co".into(), "example.com".into())]);
    let catch_all = view_rows(&m, "SELECT address, goto FROM mail_aliases WHERE address = '@example.com'").await;
    assert_eq!(catch_all, vec![("@example.com".into(), "b@example.com".into())]);
    // An alias domain cannot also be a domain, nor hold mailboxes.
    assert!(matches!(m.domains.create(&domain("example.co")).await, Err(MailError::AliasDomainExists(_))));
    assert!(matches!(m.mailboxes.create(&mailbox("z@example.co")).await, Err(MailError::Limit(_))));
    // Targets through the alias domain resolve (and loop-check) to the real domain.
    assert!(m.aliases.create(&alias("sales@example.com", &["b@example.co"])).await.is_ok());

    let rule = BccRuleInput {
        kind: BccKind::Sender,
        matches: "@example.com".into(),
        bcc_to: "audit@archive.example".into(),
        active: true,
        description: String::new(),
    };
    m.bcc.create(&rule).await.unwrap();
    assert!(matches!(m.bcc.create(&rule).await, Err(MailError::BccExists(_))));
    let bcc: Vec<(String, String, String)> =
        sqlx::query_as("SELECT kind, match, bcc_to FROM mail_bcc").fetch_all(&m.t.db.pool).await.unwrap();
    assert_eq!(bcc, vec![("sender".into(), "@example.com".into(), "audit@archive.example".into())]);

    // A disabled domain disappears from every view at once.
    m.domains.set_active("example.com", false).await.unwrap();
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM mail_domains) + (SELECT count(*) FROM mail_mailboxes) + (SELECT count(*) FROM mail_aliases) \
           + (SELECT count(*) FROM mail_alias_domains) + (SELECT count(*) FROM mail_bcc)",
    )
    .fetch_one(&m.t.db.pool)
    .await
    .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn deleting_a_domain_with_mailboxes_needs_its_name_typed() {
    let m = setup().await;
    m.domains.create(&domain("keep.example")).await.unwrap();
    m.mailboxes.create(&mailbox("a@keep.example")).await.unwrap();
    assert!(matches!(
        m.domains.delete("keep.example", None).await,
        Err(MailError::ConfirmationRequired { mailboxes: 1, .. })
    ));
    assert!(matches!(
        m.domains.delete("keep.example", Some("other.example")).await,
        Err(MailError::ConfirmationRequired { .. })
    ));
    assert!(m.mailboxes.get("a@keep.example").await.is_ok(), "nothing was deleted");
    m.domains.delete("keep.example", Some("KEEP.example")).await.unwrap();
    assert!(matches!(m.mailboxes.get("a@keep.example").await, Err(MailError::MailboxNotFound(_))));
}

#[tokio::test]
async fn disabling_a_mailbox_removes_it_from_the_login_view() {
    let m = setup().await;
    m.domains.create(&domain("example.io")).await.unwrap();
    m.mailboxes.create(&mailbox("a@example.io")).await.unwrap();
    let hash: String = sqlx::query_scalar("SELECT password FROM mail_mailboxes WHERE username = 'a@example.io'")
        .fetch_one(&m.t.db.pool)
        .await
        .unwrap();
    assert!(hash.starts_with("{ARGON2ID}$argon2id$"));
    assert!(engine::mail::password::verify_mailbox_password(PW, &hash).await);
    m.mailboxes.set_active("a@example.io", false).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_mailboxes").fetch_one(&m.t.db.pool).await.unwrap();
    assert_eq!(n, 0);
    m.mailboxes.set_password("a@example.io", "Another-Secret-93").await.unwrap();
    m.mailboxes.set_active("a@example.io", true).await.unwrap();
    let hash: String = sqlx::query_scalar("SELECT password FROM mail_mailboxes").fetch_one(&m.t.db.pool).await.unwrap();
    assert!(engine::mail::password::verify_mailbox_password("Another-Secret-93", &hash).await);
}

#[tokio::test]
async fn csv_import_keeps_good_rows_and_reports_bad_ones_by_line() {
    let m = setup().await;
    m.domains.create(&domain("example.edu")).await.unwrap();
    m.mailboxes.create(&mailbox("old@example.edu")).await.unwrap();
    let csv = "address,name,password,quota,active\n\
               new1@example.edu,New One,,500 MB,yes\n\
               broken address,x,,,\n\
               old@example.edu,Old Renamed,,1 GB,no\n\
               new2@example.edu,\"Two, Jr.\",Given-Password-77,,\n\
               x@unknown.example,,,,\n\
               new3@example.edu,,,lots,\n";
    let report = m.mailboxes.import_csv(csv).await.unwrap();
    assert_eq!(report.created.len(), 2);
    assert_eq!(report.created[0].address, "new1@example.edu");
    assert_eq!(report.created[0].password.len(), 20, "generated password returned once");
    assert!(report.created[1].password.is_empty(), "a given password is not echoed");
    assert_eq!(report.updated, 1);
    let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 6, 7], "{:?}", report.errors);
    let old = m.mailboxes.get("old@example.edu").await.unwrap();
    assert_eq!((old.display_name.as_str(), old.active, old.quota_bytes), ("Old Renamed", false, 1024 * 1024 * 1024));

    let exported = m.mailboxes.export_csv(&MailboxFilter::default()).await.unwrap();
    assert!(exported.starts_with("address,display_name,quota_bytes"));
    assert!(exported.contains("\"Two, Jr.\""));
    assert!(!exported.contains("ARGON2ID"));
    // The export imports back as updates only.
    let again = m.mailboxes.import_csv(&exported).await.unwrap();
    assert_eq!((again.created.len(), again.updated, again.errors.len()), (0, 3, 0), "{:?}", again.errors);
}

#[tokio::test]
async fn mailbox_search_sort_and_paging() {
    let m = setup().await;
    m.domains.create(&domain("example.dev")).await.unwrap();
    let made = m
        .mailboxes
        .batch_create(&BatchCreate {
            domain: "example.dev".into(),
            prefix: "user".into(),
            start: 1,
            count: 12,
            quota_bytes: Some(1_000_000),
        })
        .await
        .unwrap();
    assert_eq!(made.len(), 12);
    assert!(made.iter().all(|c| c.password.len() == 20));
    let req = PageRequest { page: 2, per_page: 5, sort: "address".into(), direction: SortDirection::Descending };
    let p =
        m.mailboxes.list(&MailboxFilter { search: "user1".into(), domain: "example.dev".into() }, &req).await.unwrap();
    // user1, user10, user11, user12 match; page 2 of 5 is empty.
    assert_eq!((p.total, p.rows.len()), (4, 0));
    let hostile = PageRequest {
        page: 1,
        per_page: 5,
        sort: "address; DROP TABLE mailbox".into(),
        direction: SortDirection::Ascending,
    };
    let p = m.mailboxes.list(&MailboxFilter::default(), &hostile).await.unwrap();
    // Falls back to address order: "user10@" sorts before "user1@" ("0" < "@").
    assert_eq!(p.rows[0].address, "user10@example.dev");
    assert_eq!(p.total, 12);
}

#[tokio::test]
async fn quota_usage_reported_by_dovecot_shows_per_mailbox_and_domain() {
    let m = setup().await;
    m.domains.create(&domain("example.biz")).await.unwrap();
    m.mailboxes.create(&mailbox("a@example.biz")).await.unwrap();
    m.mailboxes.create(&mailbox("b@example.biz")).await.unwrap();
    sqlx::query("INSERT INTO mail_quota_usage (username, bytes, messages) VALUES ('a@example.biz', 1000, 3), ('b@example.biz', 500, 1)")
        .execute(&m.t.db.pool)
        .await
        .unwrap();
    let a = m.mailboxes.get("a@example.biz").await.unwrap();
    assert_eq!((a.used_bytes, a.messages), (1000, 3));
    let d = m.domains.get("example.biz").await.unwrap();
    assert_eq!((d.used_bytes, d.mailbox_count), (1500, 2));
}

#[tokio::test]
async fn a_forward_left_without_targets_does_not_hand_the_mailbox_to_the_catch_all() {
    let m = setup().await;
    m.domains.create(&domain("example.info")).await.unwrap();
    m.mailboxes.create(&mailbox("a@example.info")).await.unwrap();
    m.mailboxes.create(&mailbox("b@example.info")).await.unwrap();
    let catch_all = DomainInput { catch_all: Some("b@example.info".into()), ..domain("example.info") };
    m.domains.update("example.info", &catch_all).await.unwrap();
    // A forwards everything to C; then C is deleted, leaving A's forward with no target.
    m.mailboxes.create(&mailbox("c@example.info")).await.unwrap();
    m.aliases.create(&alias("a@example.info", &["c@example.info"])).await.unwrap();
    m.mailboxes.delete("c@example.info").await.unwrap();
    let a = view_rows(&m, "SELECT address, goto FROM mail_aliases WHERE address = 'a@example.info'").await;
    assert_eq!(a, vec![("a@example.info".into(), "a@example.info".into())], "A receives its own mail again");
}

#[tokio::test]
async fn csv_update_keeps_what_the_file_does_not_mention() {
    let m = setup().await;
    m.domains.create(&domain("example.app")).await.unwrap();
    let named = MailboxInput { display_name: "Kept Name".into(), active: false, ..mailbox("kept@example.app") };
    m.mailboxes.create(&named).await.unwrap();
    let report = m.mailboxes.import_csv("address,password\nkept@example.app,Brand-New-Pass-31\n").await.unwrap();
    assert_eq!((report.updated, report.errors.len()), (1, 0), "{:?}", report.errors);
    let kept = m.mailboxes.get("kept@example.app").await.unwrap();
    assert_eq!((kept.display_name.as_str(), kept.active), ("Kept Name", false));
}

#[tokio::test]
async fn a_bad_alias_target_is_reported_as_a_target() {
    let m = setup().await;
    m.domains.create(&domain("example.page")).await.unwrap();
    let bad = m.aliases.create(&alias("x@example.page", &["not an address"])).await;
    assert!(matches!(bad, Err(MailError::InvalidTarget { .. })), "{bad:?}");
}

#[tokio::test]
async fn search_finds_unicode_names_and_unicode_domains() {
    let m = setup().await;
    m.domains.create(&domain("bücher.example")).await.unwrap();
    let jurgen = MailboxInput { display_name: "Jürgen Weiß".into(), ..mailbox("jw@bücher.example") };
    m.mailboxes.create(&jurgen).await.unwrap();
    let find = |q: &str| MailboxFilter { search: q.into(), domain: String::new() };
    assert_eq!(m.mailboxes.list(&find("jürgen"), &page()).await.unwrap().total, 1, "a Unicode name");
    assert_eq!(m.mailboxes.list(&find("bücher.example"), &page()).await.unwrap().total, 1, "a Unicode domain");
    assert_eq!(m.mailboxes.list(&find("xn--bcher"), &page()).await.unwrap().total, 1, "the punycode");
}

#[tokio::test]
async fn the_daemon_login_reads_the_views_and_nothing_else() {
    let m = setup().await;
    m.domains.create(&domain("example.space")).await.unwrap();
    m.mailboxes.create(&mailbox("a@example.space")).await.unwrap();
    assert!(matches!(
        engine::mail::daemon_role::enable_login(&m.t.db.pool, "has$dollar").await,
        Err(MailError::Limit(_))
    ));
    engine::mail::daemon_role::enable_login(&m.t.db.pool, "Daemon-Secret-42").await.unwrap();
    // Connect as the daemons do (this test server may trust local logins; the grants are what count).
    let opts: sqlx::postgres::PgConnectOptions = m.t.url.parse().unwrap();
    let daemon =
        sqlx::PgPool::connect_with(opts.username("billionmail_mail").password("Daemon-Secret-42")).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_mailboxes").fetch_one(&daemon).await.unwrap();
    assert_eq!(n, 1);
    sqlx::query("INSERT INTO mail_quota_usage (username, bytes, messages) VALUES ('a@example.space', 1, 1)")
        .execute(&daemon)
        .await
        .unwrap();
    for forbidden in [
        "SELECT password_hash FROM mailbox",
        "SELECT private_pem FROM dkim_key",
        "SELECT * FROM admins",
        "DELETE FROM mail_domain",
    ] {
        let err = sqlx::query(forbidden).execute(&daemon).await.expect_err(forbidden);
        assert!(err.to_string().contains("permission denied"), "{forbidden}: {err}");
    }
    daemon.close().await;
}
