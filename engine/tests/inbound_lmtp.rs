//! Inbound reports over real LMTP (swaks speaking LMTP to the engine's listener) against the
//! real database: a hard bounce suppresses the address, a success DSN marks the row
//! delivered, soft bounces suppress only after the policy's count, a complaint unsubscribes,
//! a mailto unsubscribe works, and a forged VERP address changes nothing. Every message is
//! kept in `inbound_report`, and the rollups count what the ledger shows.

use std::process::Command;
use std::sync::Arc;

use engine::campaign_fixture as fx;
use engine::campaigns::secrets;
use engine::campaigns::starter::start;
use engine::campaigns::tracking::TokenKey;
use engine::inbound::Inbound;
use engine::testing::TestDatabase;
use model::deliverability::DkimAlgorithm;
use sqlx::PgPool;
use tokio::sync::watch;

const DOMAIN: &str = "news.bm-inbound.example";
const BOUNCES: &str = "bounces.bm-inbound.example";

struct Setup {
    pool: PgPool,
    key: TokenKey,
    port: u16,
    campaign: i64,
    _stop: watch::Sender<bool>,
}

/// A started campaign to `n` recipients whose rows are all marked submitted, and the LMTP
/// listener on a free port.
async fn setup(db: &TestDatabase, n: i64) -> Setup {
    let pool = db.db.pool.clone();
    fx::sender_domain(&pool, DOMAIN, DkimAlgorithm::Ed25519).await.unwrap();
    let list = fx::audience(&pool, "Readers", n, "example.com").await.unwrap();
    let campaign = fx::campaign(&pool, list, &format!("hello@{DOMAIN}"), 2_000).await.unwrap();
    let key = secrets::tracking_key(&pool).await.unwrap();
    start(&pool, &key, &fx::sender_settings(), campaign, &["draft"]).await.unwrap();
    sqlx::query(
        "UPDATE delivery SET state = 'submitted', smtp_code = 250, submitted_at = now() WHERE campaign_id = $1",
    )
    .bind(campaign)
    .execute(&pool)
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop_tx, stop) = watch::channel(false);
    let inbound = Arc::new(Inbound::new(pool.clone(), key.clone(), None));
    tokio::spawn(engine::inbound::lmtp::serve(listener, "lmtp.bm-test".into(), inbound, stop));
    Setup { pool, key, port, campaign, _stop: stop_tx }
}

impl Setup {
    async fn delivery(&self, email: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM delivery WHERE campaign_id = $1 AND email = $2")
            .bind(self.campaign)
            .bind(email)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    async fn verp(&self, email: &str) -> String {
        self.key.verp_address(self.campaign, self.delivery(email).await, BOUNCES)
    }

    async fn row(&self, email: &str) -> (String, Option<String>, Option<String>, Option<String>) {
        sqlx::query_as(
            "SELECT state, dsn_status, bounce_class, bounce_reason FROM delivery WHERE campaign_id = $1 AND email = $2",
        )
        .bind(self.campaign)
        .bind(email)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    async fn suppression(&self, email: &str) -> Option<String> {
        sqlx::query_scalar("SELECT reason FROM suppression WHERE email = $1 AND list_id IS NULL")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .unwrap()
    }

    /// Hands `message` to the listener with swaks (LMTP), as Postfix would; returns swaks'
    /// transcript.
    async fn lmtp(&self, rcpt: &str, message: String) -> String {
        let port = self.port;
        let rcpt = rcpt.to_owned();
        tokio::task::spawn_blocking(move || {
            let dir = std::env::temp_dir().join(format!("bm-inbound-{}-{}", std::process::id(), fx::free_port()));
            std::fs::create_dir_all(&dir).unwrap();
            let file = dir.join("report.eml");
            std::fs::write(&file, message).unwrap();
            let out = Command::new("swaks")
                .args(["--server", "127.0.0.1", "--port", &port.to_string(), "--protocol", "LMTP"])
                .args(["--from", "", "--to", &rcpt, "--data"])
                .arg(format!("@{}", file.display()))
                .output()
                .expect("swaks is installed (.ci/setup --tests)");
            let _ = std::fs::remove_dir_all(&dir);
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(out.status.success(), "swaks failed: {text}{}", String::from_utf8_lossy(&out.stderr));
            text
        })
        .await
        .unwrap()
    }
}

/// An RFC 3464 report from a receiving MTA about `rcpt`.
fn dsn(verp: &str, rcpt: &str, action: &str, status: &str, diagnostic: &str) -> String {
    format!(
        "From: MAILER-DAEMON@mx.example.com\r\nTo: <{verp}>\r\nSubject: Delivery Status Notification\r\n\
         Date: Sun, 29 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"r1\"\r\n\r\n\
         --r1\r\nContent-Type: text/plain\r\n\r\nThis is the mail system at host mx.example.com.\r\n\r\n\
         --r1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\
         Arrival-Date: Sun, 29 Nov 2026 09:59:58 +0000\r\n\r\nFinal-Recipient: rfc822; {rcpt}\r\n\
         Action: {action}\r\nStatus: {status}\r\nRemote-MTA: dns; mx.example.com\r\n\
         Diagnostic-Code: smtp; {diagnostic}\r\n\r\n\
         --r1\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: hello@{DOMAIN}\r\nTo: {rcpt}\r\nSubject: News\r\n\r\n\
         --r1--\r\n"
    )
}

/// An RFC 5965 abuse report about the message sent to `rcpt`.
fn complaint(verp: &str, rcpt: &str) -> String {
    format!(
        "From: feedback@fbl.example.net\r\nTo: <{verp}>\r\nSubject: FW: News\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=feedback-report; boundary=\"f1\"\r\n\r\n\
         --f1\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report.\r\n\r\n\
         --f1\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: FBL/1.0\r\n\
         Version: 1\r\nOriginal-Mail-From: <{verp}>\r\nOriginal-Rcpt-To: <{rcpt}>\r\n\r\n\
         --f1\r\nContent-Type: message/rfc822\r\n\r\nFrom: hello@{DOMAIN}\r\nTo: {rcpt}\r\nSubject: News\r\n\r\nHello.\r\n\
         --f1--\r\n"
    )
}

#[tokio::test]
async fn a_hard_bounce_marks_the_row_suppresses_the_address_and_is_counted() {
    let db = TestDatabase::create().await;
    let s = setup(&db, 3).await;
    let rcpt = "user1@example.com";
    let out = s
        .lmtp(
            &s.verp(rcpt).await,
            dsn(&s.verp(rcpt).await, rcpt, "failed", "5.1.1", "550 5.1.1 <user1@example.com>: user unknown"),
        )
        .await;
    assert!(out.contains("250 2.0.0"), "{out}");
    assert_eq!(
        s.row(rcpt).await,
        ("bounced".into(), Some("5.1.1".into()), Some("hard".into()), Some("userunknown".into()))
    );
    assert_eq!(s.suppression(rcpt).await.as_deref(), Some("hard_bounce"));
    let timeline: Vec<String> = sqlx::query_scalar(
        "SELECT e.kind FROM contact_event e JOIN contact c ON c.id = e.contact_id WHERE c.email = $1 ORDER BY e.id",
    )
    .bind(rcpt)
    .fetch_all(&s.pool)
    .await
    .unwrap();
    assert!(
        timeline.contains(&"hard_bounced".to_owned()) && timeline.contains(&"suppressed".to_owned()),
        "{timeline:?}"
    );
    let (hard, stored): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT sum(bounced_hard)::bigint FROM campaign_stats_hourly WHERE campaign_id = $1), \
                (SELECT count(*) FROM inbound_report WHERE campaign_id = $1 AND kind = 'dsn' AND raw IS NOT NULL)",
    )
    .bind(s.campaign)
    .fetch_one(&s.pool)
    .await
    .unwrap();
    assert_eq!((hard, stored), (1, 1));
    // The same report again (Postfix retrying after a lost reply) changes nothing more.
    s.lmtp(&s.verp(rcpt).await, dsn(&s.verp(rcpt).await, rcpt, "failed", "5.1.1", "550 user unknown")).await;
    let hard: i64 =
        sqlx::query_scalar("SELECT sum(bounced_hard)::bigint FROM campaign_stats_hourly WHERE campaign_id = $1")
            .bind(s.campaign)
            .fetch_one(&s.pool)
            .await
            .unwrap();
    assert_eq!(hard, 1);
}

#[tokio::test]
async fn success_and_delay_notices_and_sender_side_refusals() {
    let db = TestDatabase::create().await;
    let s = setup(&db, 3).await;
    let (a, b, c) = ("user1@example.com", "user2@example.com", "user3@example.com");
    s.lmtp(&s.verp(a).await, dsn(&s.verp(a).await, a, "delivered", "2.0.0", "250 2.0.0 OK queued")).await;
    assert_eq!(s.row(a).await.0, "delivered");
    // Delayed: the row keeps its state (the engine must not send again), the reason shows.
    s.lmtp(&s.verp(b).await, dsn(&s.verp(b).await, b, "delayed", "4.4.1", "connect to mx.example.com timed out")).await;
    let (state, status, _, _) = s.row(b).await;
    assert_eq!((state.as_str(), status.as_deref()), ("submitted", Some("4.4.1")));
    // Blocked for the sender's IP: bounced, but the recipient's address is not suppressed.
    s.lmtp(
        &s.verp(c).await,
        dsn(
            &s.verp(c).await,
            c,
            "failed",
            "5.7.1",
            "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org",
        ),
    )
    .await;
    let (state, _, class, reason) = s.row(c).await;
    assert_eq!(state, "bounced");
    assert_ne!(class.as_deref(), Some("hard"));
    assert_eq!(reason.as_deref(), Some("blocked"));
    assert_eq!(s.suppression(c).await, None);
}

#[tokio::test]
async fn soft_bounces_suppress_only_after_the_policy_count() {
    let db = TestDatabase::create().await;
    let s = setup(&db, 1).await;
    sqlx::query("UPDATE bounce_policy SET soft_bounce_limit = 2").execute(&s.pool).await.unwrap();
    let rcpt = "user1@example.com";
    let full = |verp: &str| dsn(verp, rcpt, "failed", "5.2.2", "552 5.2.2 mailbox full");
    s.lmtp(&s.verp(rcpt).await, full(&s.verp(rcpt).await)).await;
    assert_eq!(s.row(rcpt).await.2.as_deref(), Some("soft"));
    assert_eq!(s.suppression(rcpt).await, None, "one soft bounce is not enough");
    // A second campaign to the same person bounces soft as well: now suppressed.
    let list: i64 =
        sqlx::query_scalar("SELECT id FROM contact_list WHERE name = 'Readers'").fetch_one(&s.pool).await.unwrap();
    let second = fx::campaign(&s.pool, list, &format!("hello@{DOMAIN}"), 2_000).await.unwrap();
    start(&s.pool, &s.key, &fx::sender_settings(), second, &["draft"]).await.unwrap();
    sqlx::query("UPDATE delivery SET state = 'submitted' WHERE campaign_id = $1")
        .bind(second)
        .execute(&s.pool)
        .await
        .unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM delivery WHERE campaign_id = $1")
        .bind(second)
        .fetch_one(&s.pool)
        .await
        .unwrap();
    let verp = s.key.verp_address(second, id, BOUNCES);
    s.lmtp(&verp, full(&verp)).await;
    assert_eq!(s.suppression(rcpt).await.as_deref(), Some("soft_bounce"));
}

#[tokio::test]
async fn a_complaint_unsubscribes_and_a_mailto_unsubscribe_works() {
    let db = TestDatabase::create().await;
    let s = setup(&db, 2).await;
    let (a, b) = ("user1@example.com", "user2@example.com");
    s.lmtp(&s.verp(a).await, complaint(&s.verp(a).await, a)).await;
    assert_eq!(s.row(a).await.0, "complained");
    assert_eq!(s.suppression(a).await.as_deref(), Some("complaint"));
    let statuses: Vec<String> = sqlx::query_scalar(
        "SELECT m.status FROM list_membership m JOIN contact c ON c.id = m.contact_id WHERE c.email = $1",
    )
    .bind(a)
    .fetch_all(&s.pool)
    .await
    .unwrap();
    assert_eq!(statuses, ["unsubscribed"]);
    // List-Unsubscribe's mailto: any message to the signed address unsubscribes.
    let id = s.delivery(b).await;
    let address = s.key.unsubscribe_address(s.campaign, id, BOUNCES);
    let out = s.lmtp(&address, format!("From: {b}\r\nTo: {address}\r\nSubject: unsubscribe\r\n\r\n\r\n")).await;
    assert!(out.contains("250 2.0.0"), "{out}");
    let status: String = sqlx::query_scalar(
        "SELECT m.status FROM list_membership m JOIN contact c ON c.id = m.contact_id WHERE c.email = $1",
    )
    .bind(b)
    .fetch_one(&s.pool)
    .await
    .unwrap();
    assert_eq!(status, "unsubscribed");
}

#[tokio::test]
async fn a_forged_bounce_address_changes_nothing_but_is_kept() {
    let db = TestDatabase::create().await;
    let s = setup(&db, 1).await;
    let rcpt = "user1@example.com";
    let forged = TokenKey::from_bytes([9; 32]).verp_address(s.campaign, s.delivery(rcpt).await, BOUNCES);
    let out = s.lmtp(&forged, dsn(&forged, rcpt, "failed", "5.1.1", "550 user unknown")).await;
    assert!(out.contains("250 2.0.0"), "{out}");
    assert_eq!(s.row(rcpt).await.0, "submitted");
    assert_eq!(s.suppression(rcpt).await, None);
    let outcome: String = sqlx::query_scalar("SELECT outcome FROM inbound_report WHERE rcpt_to = $1")
        .bind(&forged)
        .fetch_one(&s.pool)
        .await
        .unwrap();
    assert!(outcome.contains("not about a message of ours"), "{outcome}");
}
