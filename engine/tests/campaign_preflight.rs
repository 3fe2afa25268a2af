//! The checks before a send and the test send, against the real database, a stand-in
//! Rspamd answering `/checkv2` as Rspamd does, and Postfix's `smtp-sink` as the relay.

use std::time::Duration;

use engine::campaign_fixture::{self as fx, SmtpSink};
use engine::campaigns::Outbox;
use engine::testing::TestDatabase;
use model::campaigns::{CampaignStatus, Preflight, PreflightStatus};
use model::deliverability::DkimAlgorithm;
use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const FROM: &str = "hello@news.bm-test.example";

fn outbox(pool: &PgPool, relay_port: u16, rspamd: Option<String>) -> Outbox {
    Outbox::new(pool.clone(), fx::sender_settings(), fx::loopback_relay(relay_port), rspamd)
}

/// Answers every request like Rspamd's `/checkv2` with a score of 6.5 and two symbols.
async fn fake_rspamd() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 256 * 1024];
                let mut seen = Vec::new();
                // Read the head and the announced body.
                loop {
                    let n = socket.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&seen);
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let len: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("Content-Length: "))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if body.len() >= len {
                            break;
                        }
                    }
                }
                let body = r#"{"is_skipped":false,"score":6.5,"required_score":15.0,"action":"add header",
                    "symbols":{"MIME_HTML_ONLY":{"name":"MIME_HTML_ONLY","score":0.2,"description":"Messages that have only HTML part"},
                    "URI_COUNT_ODD":{"name":"URI_COUNT_ODD","score":1.0,"description":"Odd number of URIs"}}}"#;
                let reply = format!(
                    "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                socket.write_all(reply.as_bytes()).await.ok();
            });
        }
    });
    addr
}

fn status(p: &Preflight, key: &str) -> PreflightStatus {
    p.checks.iter().find(|c| c.key == key).unwrap_or_else(|| panic!("no check {key}: {:?}", p.checks)).status
}

#[tokio::test]
async fn preflight_blocks_on_missing_merge_values_and_passes_once_fixed() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    fx::sender_domain(pool, "news.bm-test.example", DkimAlgorithm::Ed25519).await.unwrap();
    let list = fx::audience(pool, "Newsletter", 5, "example.com").await.unwrap();
    // One subscriber without the `plan` the content merges without a default.
    sqlx::query("UPDATE contact SET attributes = attributes - 'plan' WHERE email = 'user3@example.com'")
        .execute(pool)
        .await
        .unwrap();
    let id = fx::campaign(pool, list, FROM, 20_000).await.unwrap();
    let rspamd = fake_rspamd().await;
    let out = outbox(pool, fx::free_port(), Some(rspamd));

    let p = out.preflight(id).await.unwrap();
    assert_eq!(status(&p, "sender_domain"), PreflightStatus::Pass);
    assert_eq!(status(&p, "unsubscribe"), PreflightStatus::Pass);
    assert_eq!(status(&p, "links"), PreflightStatus::Pass);
    assert_eq!(status(&p, "size"), PreflightStatus::Pass);
    assert_eq!(status(&p, "audience"), PreflightStatus::Pass);
    assert_eq!(status(&p, "dkim"), PreflightStatus::Warn, "no DNS check has run yet");
    let merge = p.checks.iter().find(|c| c.key == "merge_fields").unwrap();
    assert_eq!(merge.status, PreflightStatus::Fail);
    assert!(merge.detail.contains("1 without plan"), "{}", merge.detail);
    let spam = p.checks.iter().find(|c| c.key == "spam_score").unwrap();
    assert_eq!(spam.status, PreflightStatus::Warn, "{}", spam.detail);
    assert_eq!(spam.symbols.first().map(|s| s.name.as_str()), Some("URI_COUNT_ODD"), "highest score first");
    assert!(p.blocked());
    assert_eq!(p.recipients.sendable, 5);
    assert!(p.sample_subject.starts_with("User, "), "{}", p.sample_subject);
    assert!(p.sample_html.contains("Your pro plan"), "the preview is personalised for the first recipient");

    let refused = out.start_now(id).await.unwrap_err();
    assert!(refused.to_string().contains("Merge fields"), "{refused}");
    assert_eq!(out.campaigns.get(id).await.unwrap().status, CampaignStatus::Draft);

    sqlx::query(
        "UPDATE contact SET attributes = attributes || '{\"plan\": \"basic\"}' WHERE email = 'user3@example.com'",
    )
    .execute(pool)
    .await
    .unwrap();
    assert!(!out.preflight(id).await.unwrap().blocked());
    let started = out.start_now(id).await.unwrap();
    assert_eq!(started.queued, 5);
    assert_eq!(out.progress(id).await.unwrap().counts.queued, 5);
}

#[tokio::test]
async fn content_without_unsubscribe_link_or_with_a_broken_link_is_blocked() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    fx::sender_domain(pool, "news.bm-test.example", DkimAlgorithm::Ed25519).await.unwrap();
    let list = fx::audience(pool, "Newsletter", 2, "example.com").await.unwrap();
    let id = fx::campaign(pool, list, FROM, 2_000).await.unwrap();
    let out = outbox(pool, fx::free_port(), Some(format!("127.0.0.1:{}", fx::free_port())));
    let mut c = out.campaigns.get(id).await.unwrap();
    c.input.html = Some("<p>Hi {{ first_name }} <a href=\"https://exa mple.com/x\">x</a></p>".into());
    out.campaigns.update(id, &c.input).await.unwrap();
    let p = out.preflight(id).await.unwrap();
    assert_eq!(status(&p, "unsubscribe"), PreflightStatus::Fail);
    assert_eq!(status(&p, "links"), PreflightStatus::Fail);
    assert_eq!(status(&p, "spam_score"), PreflightStatus::Skipped, "nothing listens there");
    assert!(p.blocked());
}

#[tokio::test]
async fn a_test_send_reaches_the_relay_untracked_and_marked_as_a_test() {
    let dir = fx::dump_dir("test-send").unwrap();
    let dump = dir.join("dump");
    let Some(sink) = SmtpSink::start(&["-D", &dump.to_string_lossy()]).await else { return };
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    fx::sender_domain(pool, "news.bm-test.example", DkimAlgorithm::Ed25519).await.unwrap();
    let list = fx::audience(pool, "Newsletter", 3, "example.com").await.unwrap();
    let id = fx::campaign(pool, list, FROM, 5_000).await.unwrap();
    let out = outbox(pool, sink.port, None);
    let results = out.send_test(id, &["me@example.org".into(), " Boss@Example.org ".into()]).await.unwrap();
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r.accepted && r.reply.starts_with("250")), "{results:?}");
    assert_eq!(results[1].address, "boss@example.org");
    let mut text = String::new();
    for _ in 0..100 {
        text = String::from_utf8_lossy(&std::fs::read(&dump).unwrap_or_default()).into_owned();
        if text.matches("X-Rcpt-Args:").count() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(text.contains("Subject: [Test] User, your monthly update"), "{text}");
    assert!(!text.contains("/t/c/") && !text.contains("/t/o/"), "test sends are not tracked");
    assert!(text.contains("DKIM-Signature:"));
    let ledger: i64 = sqlx::query_scalar("SELECT count(*) FROM delivery").fetch_one(pool).await.unwrap();
    assert_eq!(ledger, 0, "a test send leaves no ledger rows");

    let bad = out.send_test(id, &["not an address".into()]).await.unwrap_err();
    assert!(bad.to_string().contains("not an email address"), "{bad}");
}
