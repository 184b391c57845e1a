//! Logins on either database: the work done does not tell a known username from an unknown one.

use vaern_app::{
    AppError,
    auth::{self, counting_password_checks},
    demo::{self, DEMO_PASSWORD},
};
use vaern_testkit::TestDb;

/// Issue 17 (low): an unknown username used to skip argon2id, so its quick answer told that the
/// name does not exist. Every failed login now checks one password, whatever the name.
#[tokio::test]
async fn an_unknown_username_costs_the_same_password_check_as_a_known_one() {
    let test = TestDb::new().await;
    demo::seed(&test.db).await.unwrap();
    for username in ["raadgiver901", "findes-ikke"] {
        let (result, checks) =
            counting_password_checks(auth::login(&test.db, username, "forkert", None)).await;
        assert!(matches!(result, Err(AppError::Invalid(_))), "{username}");
        assert_eq!(checks, 1, "{username}");
    }
    let (result, checks) =
        counting_password_checks(auth::login(&test.db, "raadgiver901", DEMO_PASSWORD, None)).await;
    assert!(result.is_ok());
    assert_eq!(checks, 1);
}
