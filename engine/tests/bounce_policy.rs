//! The bounce policy as the Sending page reads and saves it, against the real database: a new
//! install reads the migration's defaults, a valid save round-trips (and recreates a deleted
//! row), and an out-of-range number is refused with its field while the stored row stays as it
//! was.

use engine::inbound::BouncePolicy;
use engine::inbound::policy::{PolicyError, load_settings, save_settings};
use engine::testing::TestDatabase;
use model::bounce_policy::BouncePolicySettings;

#[tokio::test]
async fn a_new_install_reads_the_migration_defaults() {
    let t = TestDatabase::create().await;
    let loaded = load_settings(&t.db.pool).await.unwrap();
    assert_eq!(loaded, BouncePolicySettings::default());
    assert_eq!((loaded.soft_bounce_limit, loaded.soft_bounce_days, loaded.event_retention_months), (3, 14, 13));
}

#[tokio::test]
async fn valid_settings_are_saved_and_read_back() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let wanted = BouncePolicySettings {
        suppress_hard: false,
        soft_bounce_limit: 5,
        soft_bounce_days: 30,
        complaint_unsubscribes: false,
        forward_replies: false,
        event_retention_months: 24,
    };
    assert_eq!(save_settings(pool, &wanted).await.unwrap(), wanted);
    assert_eq!(load_settings(pool).await.unwrap(), wanted);
    // The intake's view of the same row changes with it.
    let intake = BouncePolicy::load(pool).await.unwrap();
    assert_eq!((intake.suppress_hard, intake.soft_bounce_limit, intake.soft_bounce_days), (false, 5, 30));
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM bounce_policy").fetch_one(pool).await.unwrap();
    assert_eq!(rows, 1);

    // A missing row reads as the defaults and is recreated by the next save.
    sqlx::query("DELETE FROM bounce_policy").execute(pool).await.unwrap();
    assert_eq!(load_settings(pool).await.unwrap(), BouncePolicySettings::default());
    assert_eq!(save_settings(pool, &wanted).await.unwrap(), wanted);
    assert_eq!(load_settings(pool).await.unwrap(), wanted);
}

#[tokio::test]
async fn out_of_range_numbers_are_refused_and_nothing_changes() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let stored = BouncePolicySettings { soft_bounce_limit: 4, ..BouncePolicySettings::default() };
    save_settings(pool, &stored).await.unwrap();

    let zero_limit = BouncePolicySettings { soft_bounce_limit: 0, ..stored.clone() };
    match save_settings(pool, &zero_limit).await {
        Err(PolicyError::Invalid { field, message }) => {
            assert_eq!(field, "soft_bounce_limit");
            assert!(message.contains("1 to 50"), "{message}");
        }
        other => panic!("a limit of 0 was not refused: {other:?}"),
    }
    let long_window = BouncePolicySettings { soft_bounce_days: 400, ..stored.clone() };
    match save_settings(pool, &long_window).await {
        Err(PolicyError::Invalid { field, message }) => {
            assert_eq!(field, "soft_bounce_days");
            assert!(message.contains("1 to 365"), "{message}");
        }
        other => panic!("a window of 400 days was not refused: {other:?}"),
    }
    let both = BouncePolicySettings { soft_bounce_limit: 0, soft_bounce_days: 400, ..stored.clone() };
    assert!(matches!(save_settings(pool, &both).await, Err(PolicyError::Invalid { .. })));
    assert_eq!(load_settings(pool).await.unwrap(), stored);
}
