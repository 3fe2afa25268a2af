//! Admin authentication against a real PostgreSQL: every rule the sign-in page promises.

use std::time::Duration;

use engine::auth::{AdminError, AuthPolicy, Authenticator, SignInError};
use engine::testing::TestDatabase;
use model::{PageRequest, SortDirection};

const PASSWORD: &str = "Blue-Harbor-42";
const IP: &str = "203.0.113.7";

fn quick_policy() -> AuthPolicy {
    AuthPolicy {
        session_lifetime: Duration::from_secs(3600),
        idle_timeout: Duration::from_secs(1800),
        max_failures: 5,
        failure_window: Duration::from_secs(900),
        lockout: Duration::from_secs(300),
    }
}

async fn with_admin(policy: AuthPolicy) -> (TestDatabase, Authenticator) {
    let t = TestDatabase::create().await;
    let auth = Authenticator::new(t.db.pool.clone(), policy);
    auth.accounts.create_first("alice", PASSWORD).await.expect("first admin");
    (t, auth)
}

#[tokio::test]
async fn right_password_opens_a_session_that_validates() {
    let (_t, auth) = with_admin(quick_policy()).await;
    let (user, session) = auth.sign_in("Alice", PASSWORD, IP, "test").await.expect("sign in");
    assert_eq!(user.username, "alice");
    let seen = auth.sessions.validate(&session.token).await.expect("validate");
    assert_eq!(seen.map(|u| u.username), Some("alice".to_owned()));
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let (_t, auth) = with_admin(quick_policy()).await;
    let wrong = auth.sign_in("alice", "Wrong-Password-1", IP, "").await;
    assert!(matches!(wrong, Err(SignInError::InvalidCredentials { attempts_left: 4 })), "{wrong:?}");
    let unknown = auth.sign_in("mallory", PASSWORD, IP, "").await;
    assert!(matches!(unknown, Err(SignInError::InvalidCredentials { attempts_left: 3 })), "{unknown:?}");
    assert_eq!(wrong.unwrap_err().to_string(), unknown.unwrap_err().to_string());
}

#[tokio::test]
async fn five_failures_lock_the_ip_even_for_the_right_password() {
    let (_t, auth) = with_admin(quick_policy()).await;
    for _ in 0..4 {
        assert!(matches!(auth.sign_in("alice", "nope", IP, "").await, Err(SignInError::InvalidCredentials { .. })));
    }
    let fifth = auth.sign_in("alice", "nope", IP, "").await;
    assert!(matches!(fifth, Err(SignInError::Locked { retry_after_secs: 300 })), "{fifth:?}");
    let right = auth.sign_in("alice", PASSWORD, IP, "").await;
    assert!(matches!(right, Err(SignInError::Locked { retry_after_secs }) if retry_after_secs > 290), "{right:?}");
    // Another address is not affected.
    assert!(auth.sign_in("alice", PASSWORD, "198.51.100.1", "").await.is_ok());
}

#[tokio::test]
async fn lockout_expires_and_counting_starts_afresh() {
    let policy = AuthPolicy { lockout: Duration::from_millis(1200), ..quick_policy() };
    let (_t, auth) = with_admin(policy).await;
    for _ in 0..5 {
        let _ = auth.sign_in("alice", "nope", IP, "").await;
    }
    assert!(matches!(auth.sign_in("alice", PASSWORD, IP, "").await, Err(SignInError::Locked { .. })));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after = auth.sign_in("alice", "nope", IP, "").await;
    assert!(matches!(after, Err(SignInError::InvalidCredentials { attempts_left: 4 })), "{after:?}");
    assert!(auth.sign_in("alice", PASSWORD, IP, "").await.is_ok());
}

#[tokio::test]
async fn success_clears_earlier_failures() {
    let (_t, auth) = with_admin(quick_policy()).await;
    for _ in 0..4 {
        let _ = auth.sign_in("alice", "nope", IP, "").await;
    }
    auth.sign_in("alice", PASSWORD, IP, "").await.expect("sign in");
    let next = auth.sign_in("alice", "nope", IP, "").await;
    assert!(matches!(next, Err(SignInError::InvalidCredentials { attempts_left: 4 })), "{next:?}");
}

#[tokio::test]
async fn session_ends_at_its_absolute_expiry() {
    let policy = AuthPolicy { session_lifetime: Duration::from_millis(800), ..quick_policy() };
    let (_t, auth) = with_admin(policy).await;
    let (_, session) = auth.sign_in("alice", PASSWORD, IP, "").await.expect("sign in");
    assert!(auth.sessions.validate(&session.token).await.expect("validate").is_some());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(auth.sessions.validate(&session.token).await.expect("validate").is_none());
}

#[tokio::test]
async fn idle_session_times_out_but_activity_keeps_it_alive() {
    let policy = AuthPolicy { idle_timeout: Duration::from_millis(1000), ..quick_policy() };
    let (_t, auth) = with_admin(policy).await;
    let (_, session) = auth.sign_in("alice", PASSWORD, IP, "").await.expect("sign in");
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(auth.sessions.validate(&session.token).await.expect("validate").is_some());
    }
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(auth.sessions.validate(&session.token).await.expect("validate").is_none());
    assert_eq!(auth.sessions.purge_expired().await.expect("purge"), 1);
}

#[tokio::test]
async fn sign_out_revokes_only_that_session() {
    let (_t, auth) = with_admin(quick_policy()).await;
    let (_, a) = auth.sign_in("alice", PASSWORD, IP, "").await.expect("a");
    let (_, b) = auth.sign_in("alice", PASSWORD, IP, "").await.expect("b");
    auth.sessions.revoke(&a.token).await.expect("revoke");
    assert!(auth.sessions.validate(&a.token).await.expect("validate").is_none());
    assert!(auth.sessions.validate(&b.token).await.expect("validate").is_some());
}

#[tokio::test]
async fn forged_or_garbage_tokens_are_refused() {
    let (_t, auth) = with_admin(quick_policy()).await;
    for token in ["", "x", "' OR 1=1 --", &"A".repeat(4096)] {
        assert!(auth.sessions.validate(token).await.expect("validate").is_none());
    }
}

#[tokio::test]
async fn sql_in_username_is_just_a_wrong_username() {
    let (t, auth) = with_admin(quick_policy()).await;
    for name in ["alice' OR '1'='1", "alice'; DROP TABLE admins; --", "' UNION SELECT 1,'x','y' --"] {
        let r = auth.sign_in(name, PASSWORD, "192.0.2.50", "").await;
        assert!(matches!(r, Err(SignInError::InvalidCredentials { .. })), "{name}: {r:?}");
    }
    let admins: i64 = sqlx::query_scalar("SELECT count(*) FROM admins").fetch_one(&t.db.pool).await.expect("count");
    assert_eq!(admins, 1);
    // The attempt is logged verbatim (the UI escapes it when showing the log).
    let log = auth
        .log
        .page(&PageRequest { page: 1, per_page: 10, sort: "at".into(), direction: SortDirection::Ascending })
        .await
        .expect("log");
    assert!(log.rows.iter().any(|e| e.username == "alice'; DROP TABLE admins; --"));
}

#[tokio::test]
async fn markup_in_a_new_username_is_refused() {
    let t = TestDatabase::create().await;
    let auth = Authenticator::new(t.db.pool.clone(), quick_policy());
    let r = auth.accounts.create_first("<img src=x onerror=alert(1)>", PASSWORD).await;
    assert!(matches!(r, Err(AdminError::InvalidUsername(_))), "{r:?}");
    assert_eq!(auth.accounts.count().await.expect("count"), 0);
}

#[tokio::test]
async fn set_up_happens_once_even_when_raced() {
    let t = TestDatabase::create().await;
    let auth = Authenticator::new(t.db.pool.clone(), quick_policy());
    let (a, b) =
        tokio::join!(auth.accounts.create_first("alice", PASSWORD), auth.accounts.create_first("bob", PASSWORD));
    assert!(a.is_ok() != b.is_ok(), "exactly one set-up must win: {a:?} {b:?}");
    assert_eq!(auth.accounts.count().await.expect("count"), 1);
    let again = auth.accounts.create_first("carol", PASSWORD).await;
    assert!(matches!(again, Err(AdminError::AlreadySetUp)));
}

#[tokio::test]
async fn weak_password_is_refused_with_every_reason() {
    let t = TestDatabase::create().await;
    let auth = Authenticator::new(t.db.pool.clone(), quick_policy());
    match auth.accounts.create_first("alice", "alice").await {
        Err(AdminError::WeakPassword(problems)) => assert!(problems.len() >= 2, "{problems:?}"),
        other => panic!("expected a weak password error, got {other:?}"),
    }
}

#[tokio::test]
async fn password_reset_signs_the_admin_out_everywhere() {
    let (_t, auth) = with_admin(quick_policy()).await;
    let (_, s) = auth.sign_in("alice", PASSWORD, IP, "").await.expect("sign in");
    auth.accounts.reset_password("alice", "New-Harbor-Pass-7").await.expect("reset");
    assert!(auth.sessions.validate(&s.token).await.expect("validate").is_none());
    assert!(auth.sign_in("alice", PASSWORD, IP, "").await.is_err());
    assert!(auth.sign_in("alice", "New-Harbor-Pass-7", IP, "").await.is_ok());
}

#[tokio::test]
async fn the_last_admin_and_oneself_cannot_be_deleted() {
    let (_t, auth) = with_admin(quick_policy()).await;
    let bob = auth.accounts.create("bob", PASSWORD).await.expect("bob");
    let (alice, _) = auth.sign_in("alice", PASSWORD, IP, "").await.expect("sign in");
    assert!(matches!(auth.accounts.delete(alice.id, alice.id).await, Err(AdminError::DeletingSelf)));
    auth.accounts.delete(bob.id, alice.id).await.expect("delete bob");
    let carol = auth.accounts.create("carol", PASSWORD).await.expect("carol");
    auth.accounts.delete(alice.id, carol.id).await.expect("delete alice");
    assert!(matches!(auth.accounts.delete(carol.id, 0).await, Err(AdminError::LastAdmin)));
    assert!(matches!(auth.accounts.create("carol", PASSWORD).await, Err(AdminError::UsernameTaken(_))));
}

#[tokio::test]
async fn admin_list_sorts_and_pages_on_the_server() {
    let (_t, auth) = with_admin(quick_policy()).await;
    for name in ["carol", "bob", "dave"] {
        auth.accounts.create(name, PASSWORD).await.expect("create");
    }
    let page = |page, sort: &str, direction| PageRequest { page, per_page: 3, sort: sort.into(), direction };
    let first = auth.accounts.list(&page(1, "username", SortDirection::Ascending)).await.expect("list");
    assert_eq!(first.total, 4);
    let names: Vec<_> = first.rows.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(names, ["alice", "bob", "carol"]);
    let second = auth.accounts.list(&page(2, "username", SortDirection::Ascending)).await.expect("list");
    assert_eq!(second.rows.iter().map(|a| a.username.as_str()).collect::<Vec<_>>(), ["dave"]);
    let newest = auth.accounts.list(&page(1, "created_at", SortDirection::Descending)).await.expect("list");
    assert_eq!(newest.rows[0].username, "dave");
    // A hostile sort key is ignored, not executed.
    let hostile = auth.accounts.list(&page(1, "id; DROP TABLE admins", SortDirection::Ascending)).await.expect("list");
    assert_eq!(hostile.rows[0].username, "alice");
}

#[tokio::test]
async fn changing_ones_password_needs_the_current_one_and_ends_sessions() {
    let (_t, auth) = with_admin(quick_policy()).await;
    let (me, session) = auth.sign_in("alice", PASSWORD, IP, "").await.expect("sign in");
    let wrong = auth.accounts.change_own_password(me.id, "not-it", "Fresh-Harbor-Pass-8").await;
    assert!(matches!(wrong, Err(AdminError::WrongCurrentPassword)), "{wrong:?}");
    let weak = auth.accounts.change_own_password(me.id, PASSWORD, "short").await;
    assert!(matches!(weak, Err(AdminError::WeakPassword(_))), "{weak:?}");
    assert!(auth.sessions.validate(&session.token).await.expect("validate").is_some(), "refusals change nothing");
    auth.accounts.change_own_password(me.id, PASSWORD, "Fresh-Harbor-Pass-8").await.expect("change");
    assert!(auth.sessions.validate(&session.token).await.expect("validate").is_none());
    assert!(auth.sign_in("alice", "Fresh-Harbor-Pass-8", IP, "").await.is_ok());
}
