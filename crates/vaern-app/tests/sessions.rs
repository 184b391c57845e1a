//! Sessions on either database: a page view reads the session without writing unless its last
//! use is older than a minute; a session idle past the timeout is ended and deleted.

use time::Duration;
use vaern_app::{
    AppError,
    auth::{self, IDLE_TIMEOUT, SESSION_LIFETIME, TOUCH_INTERVAL},
    demo::{self, DEMO_PASSWORD},
};
use vaern_store::auth as stored;
use vaern_testkit::TestDb;

async fn logged_in() -> (TestDb, String) {
    let test = TestDb::new().await;
    demo::seed(&test.db).await.unwrap();
    let session = auth::login(
        &test.db,
        "raadgiver901",
        DEMO_PASSWORD,
        &auth::OneTimeCode::NONE,
        None,
    )
    .await
    .unwrap();
    (test, session.session_id)
}

/// Sets the session's last use to `ago` before now; returns that instant.
async fn last_used(test: &TestDb, session_id: &str, ago: Duration) -> time::OffsetDateTime {
    let at = vaern_store::now() - ago;
    let mut tx = test.db.auth().await.unwrap();
    stored::touch_session(&mut tx, &auth::secret_hash(session_id), at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    at
}

async fn stored_last_use(test: &TestDb, session_id: &str) -> Option<time::OffsetDateTime> {
    let mut tx = test.db.auth_read().await.unwrap();
    let found = stored::find_session(&mut tx, &auth::secret_hash(session_id)).await;
    tx.commit().await.unwrap();
    found.ok().map(|s| s.last_seen_at)
}

#[tokio::test]
async fn a_recent_session_is_not_rewritten_on_every_page() {
    let (test, session_id) = logged_in().await;
    let at = last_used(&test, &session_id, TOUCH_INTERVAL / 2).await;
    let session = auth::session(&test.db, &session_id, SESSION_LIFETIME)
        .await
        .unwrap();
    assert_eq!(session.actor.municipality_code, "901");
    assert_eq!(session.actor.municipality_name, "Værnby Kommune");
    assert_eq!(stored_last_use(&test, &session_id).await, Some(at));
}

#[tokio::test]
async fn a_session_used_over_a_minute_ago_is_marked_used_now() {
    let (test, session_id) = logged_in().await;
    let at = last_used(&test, &session_id, TOUCH_INTERVAL * 2).await;
    auth::session(&test.db, &session_id, SESSION_LIFETIME)
        .await
        .unwrap();
    let now = stored_last_use(&test, &session_id).await.unwrap();
    assert!(now > at + TOUCH_INTERVAL, "{now} after {at}");
}

#[tokio::test]
async fn an_idle_session_is_ended_and_deleted() {
    let (test, session_id) = logged_in().await;
    last_used(&test, &session_id, IDLE_TIMEOUT + Duration::seconds(1)).await;
    assert!(matches!(
        auth::session(&test.db, &session_id, SESSION_LIFETIME).await,
        Err(AppError::Unauthenticated)
    ));
    assert_eq!(stored_last_use(&test, &session_id).await, None);
}

/// Issue 17 (info): a session used all day long used to live for ever; it now ends when it is
/// older than its lifetime (a working day by default), however recently it was used.
#[tokio::test]
async fn a_session_older_than_its_lifetime_has_ended_though_just_used() {
    let (test, session_id) = logged_in().await;
    last_used(&test, &session_id, Duration::seconds(1)).await;
    assert!(
        auth::session(&test.db, &session_id, SESSION_LIFETIME)
            .await
            .is_ok()
    );
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert!(matches!(
        auth::session(&test.db, &session_id, Duration::milliseconds(1)).await,
        Err(AppError::Unauthenticated)
    ));
    assert_eq!(stored_last_use(&test, &session_id).await, None, "deleted");
}

#[tokio::test]
async fn an_unknown_session_is_refused() {
    let (test, _) = logged_in().await;
    assert!(matches!(
        auth::session(&test.db, "no-such-session", SESSION_LIFETIME).await,
        Err(AppError::Unauthenticated)
    ));
}
