//! Sending settings against the real database and `smtp-sink`: a domain's external relay is
//! stored (password write-only), tested and used by its campaigns; a warm-up plan caps a
//! day's sending and says why the campaign waits; provider limits are kept per provider.

use std::sync::Arc;
use std::time::Duration;

use engine::campaign_fixture::{self as fx, SmtpSink};
use engine::campaigns::starter::start;
use engine::campaigns::{
    Campaigns, DeliveryLedger, RetryPolicy, SendEngine, SendEngineConfig, SenderSettings, SendingSetup, secrets,
};
use engine::testing::TestDatabase;
use model::campaigns::{Provider, ProviderLimit, RelayConfig, WarmupPlan};
use model::deliverability::DkimAlgorithm;
use tokio::sync::watch;

const DOMAIN: &str = "news.bm-test.example";

fn settings() -> SenderSettings {
    fx::sender_settings()
}

fn config(port: u16) -> SendEngineConfig {
    fx::engine_config(port, 4)
}

fn relay(port: u16) -> RelayConfig {
    RelayConfig {
        host: "127.0.0.1".into(),
        port,
        security: model::campaigns::RelaySecurity::None,
        username: "sender".into(),
        password: "s3cret".into(),
        has_password: false,
        max_connections: 2,
    }
}

#[tokio::test]
async fn a_domain_relay_is_stored_tested_and_used_by_its_campaigns() {
    let dir = fx::dump_dir("relay").unwrap();
    let dump = dir.join("dump");
    let Some(external) = SmtpSink::start(&["-D", &dump.to_string_lossy()]).await else { return };
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    fx::sender_domain(pool, DOMAIN, DkimAlgorithm::Ed25519).await.unwrap();
    let setup = SendingSetup::new(pool.clone());
    setup.set_relay(DOMAIN, Some(&relay(external.port))).await.unwrap();
    let listed = setup.domains().await.unwrap();
    let stored = listed[0].relay.clone().unwrap();
    assert_eq!(
        (stored.host.as_str(), stored.port, stored.password.as_str(), stored.has_password),
        ("127.0.0.1", external.port, "", true)
    );
    // An empty password on save keeps the stored one.
    setup.set_relay(DOMAIN, Some(&RelayConfig { password: String::new(), ..relay(external.port) })).await.unwrap();
    assert!(setup.domains().await.unwrap()[0].relay.as_ref().unwrap().has_password);
    let offered = setup.test_relay(DOMAIN, &stored, "bm.example.test").await.unwrap();
    assert!(offered.contains("PIPELINING") && offered.contains("DSN"), "{offered}");
    let bad = setup.set_relay(DOMAIN, Some(&RelayConfig { host: "a b".into(), ..relay(1) })).await.unwrap_err();
    assert!(bad.to_string().contains("host name"), "{bad}");

    // The engine's default relay is a closed port: only the domain's relay can take the mail.
    let list = fx::audience(pool, "Newsletter", 6, "example.com").await.unwrap();
    let id = fx::campaign(pool, list, &format!("hello@{DOMAIN}"), 2_000).await.unwrap();
    let key = secrets::tracking_key(pool).await.unwrap();
    start(pool, &key, &settings(), id, &["draft"]).await.unwrap();
    let engine = Arc::new(SendEngine::new(pool.clone(), config(fx::free_port())).await.unwrap());
    let (_stop, stop) = watch::channel(false);
    tokio::time::timeout(Duration::from_secs(60), engine.run(stop, true)).await.unwrap().unwrap();
    let counts = DeliveryLedger::new(pool.clone(), RetryPolicy::default()).counts(id).await.unwrap();
    assert_eq!((counts.submitted, counts.remaining()), (6, 0));
    let text = String::from_utf8_lossy(&std::fs::read(&dump).unwrap_or_default()).into_owned();
    assert_eq!(text.matches("X-Rcpt-Args:").count(), 6);
    drop(external);
}

#[tokio::test]
async fn a_warm_up_cap_holds_the_day_s_sending_and_says_why() {
    let Some(sink) = SmtpSink::start(&[]).await else { return };
    let t = TestDatabase::create().await;
    let pool = t.db.pool.clone();
    fx::sender_domain(&pool, DOMAIN, DkimAlgorithm::Ed25519).await.unwrap();
    let setup = SendingSetup::new(pool.clone());
    let today = chrono::Utc::now().date_naive();
    setup
        .set_warmup(DOMAIN, Some(&WarmupPlan { started_on: today, daily_caps: vec![10, 20], enabled: true }))
        .await
        .unwrap();
    assert!(
        setup
            .set_warmup(DOMAIN, Some(&WarmupPlan { started_on: today, daily_caps: vec![], enabled: true }))
            .await
            .is_err()
    );
    let list = fx::audience(&pool, "Newsletter", 30, "example.com").await.unwrap();
    let id = fx::campaign(&pool, list, &format!("hello@{DOMAIN}"), 2_000).await.unwrap();
    let key = secrets::tracking_key(&pool).await.unwrap();
    start(&pool, &key, &settings(), id, &["draft"]).await.unwrap();
    let engine = Arc::new(SendEngine::new(pool.clone(), config(sink.port)).await.unwrap());
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(engine.run(stop, false));
    let campaigns = Campaigns::new(pool.clone());
    let mut reason = String::new();
    for _ in 0..100 {
        reason = campaigns.get(id).await.unwrap().waiting_reason;
        if reason.starts_with("warm-up") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(reason.contains("cap of 10"), "{reason:?}");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let ledger = DeliveryLedger::new(pool.clone(), RetryPolicy::default());
    let counts = ledger.counts(id).await.unwrap();
    assert_eq!((counts.submitted, counts.queued), (10, 20), "{counts:?}");
    assert_eq!(setup.domains().await.unwrap()[0].sent_today, 10);
    stop_tx.send(true).unwrap();
    run.await.unwrap().unwrap();

    setup
        .set_provider_limits(&[
            ProviderLimit { provider: Provider::Gmail, per_minute: 600 },
            ProviderLimit { provider: Provider::Yahoo, per_minute: 0 },
        ])
        .await
        .unwrap();
    let limits = setup.provider_limits().await.unwrap();
    assert_eq!(limits.len(), 5);
    assert_eq!(limits.iter().find(|l| l.provider == Provider::Gmail).unwrap().per_minute, 600);
    assert_eq!(limits.iter().find(|l| l.provider == Provider::Yahoo).unwrap().per_minute, 0);
}
