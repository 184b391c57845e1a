//! Four eyes on case access (issue 17), on either database: an administrator cannot give an
//! account a case-reading role alone, since they know its first password and could read every
//! child's case through it.

use vaern_app::{
    Actor, AppError, auth,
    demo::{self, DEMO_PASSWORD},
    users::{self, UpdateUserInput},
};
use vaern_domain::{Role, user::NewUserInput};
use vaern_store::users::User;
use vaern_testkit::TestDb;

const NEW_PASSWORD: &str = "midlertidig-kode-1234";

async fn seeded() -> TestDb {
    let test = TestDb::new().await;
    demo::seed(&test.db).await.unwrap();
    test
}

async fn actor(test: &TestDb, username: &str) -> Actor {
    let code = vaern_testkit::totp::next_code(&test.db, username)
        .await
        .unwrap_or_default();
    let code = auth::OneTimeCode {
        code: &code,
        enrolling: "",
    };
    let session = auth::login(&test.db, username, DEMO_PASSWORD, &code, None)
        .await
        .unwrap();
    session.actor
}

fn new_user(username: &str, role: Role) -> NewUserInput {
    NewUserInput {
        username: username.into(),
        name: "Ny Medarbejder".into(),
        role: role.code().into(),
        password: NEW_PASSWORD.into(),
        team_id: None,
    }
}

fn change(role: Role, active: bool) -> UpdateUserInput {
    UpdateUserInput {
        role: role.code().into(),
        team_id: None,
        active: active.then(|| "on".into()),
    }
}

/// Whether the account opens with its first password (an administrator's then asks to enrol an
/// authenticator, which is as far as a password goes).
async fn logs_in(test: &TestDb, username: &str) -> bool {
    matches!(
        auth::login(
            &test.db,
            username,
            NEW_PASSWORD,
            &auth::OneTimeCode::NONE,
            None
        )
        .await,
        Ok(_) | Err(AppError::Enrol(_))
    )
}

fn refused_at_approval(result: Result<User, AppError>) -> String {
    match result {
        Err(AppError::Invalid(errors)) => errors
            .iter()
            .find(|e| e.field == "approval")
            .map(|e| e.message.clone())
            .unwrap(),
        other => panic!("expected a refusal at «approval», got {other:?}"),
    }
}

#[tokio::test]
async fn a_caseworker_account_waits_for_a_second_administrator() {
    let test = seeded().await;
    let first = actor(&test, "admin901").await;
    let second = actor(&test, "admin2901").await;
    let created = users::create(
        &test.db,
        &first,
        &new_user("ny.raadgiver", Role::Caseworker),
    )
    .await
    .unwrap();
    let pending = created.pending.expect("the account waits");
    assert_eq!(pending.role, Role::Caseworker);
    assert_eq!(pending.requested_by, first.user_id);
    assert!(!created.active);
    assert!(
        !logs_in(&test, "ny.raadgiver").await,
        "no login before approval"
    );

    let own = users::approve(&test.db, &first, created.id).await;
    assert!(refused_at_approval(own).contains("firøjeprincippet"));
    assert!(!logs_in(&test, "ny.raadgiver").await);

    let approved = users::approve(&test.db, &second, created.id).await.unwrap();
    assert!(approved.active && approved.pending.is_none());
    assert_eq!(approved.role, Role::Caseworker);
    assert!(logs_in(&test, "ny.raadgiver").await);
    let again = users::approve(&test.db, &second, created.id).await;
    assert!(refused_at_approval(again).contains("venter ikke"));

    let log = users::changes(&test.db, &second).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"user_approved"), "{actions:?}");
    assert!(
        log.iter().any(|e| e.action == "user_created"
            && e.detail
                .contains("afventer godkendelse af en anden administrator")),
        "{log:?}"
    );
}

#[tokio::test]
async fn accounts_without_case_access_are_made_at_once() {
    let test = seeded().await;
    let admin = actor(&test, "admin901").await;
    for (username, role) in [("ny.oekonomi", Role::Finance), ("ny.admin", Role::Admin)] {
        let created = users::create(&test.db, &admin, &new_user(username, role))
            .await
            .unwrap();
        assert!(created.active && created.pending.is_none(), "{role:?}");
        assert!(logs_in(&test, username).await, "{role:?}");
    }
}

#[tokio::test]
async fn raising_or_reactivating_to_case_access_waits_and_the_old_access_stands() {
    let test = seeded().await;
    let first = actor(&test, "admin901").await;
    let second = actor(&test, "admin2901").await;
    let finance = users::create(&test.db, &first, &new_user("ny.oekonomi", Role::Finance))
        .await
        .unwrap();
    let raised = users::update(&test.db, &first, finance.id, &change(Role::Auditor, true))
        .await
        .unwrap();
    assert_eq!(raised.role, Role::Finance, "the old role stands meanwhile");
    assert_eq!(raised.pending.map(|p| p.role), Some(Role::Auditor));
    let rejected = users::reject(&test.db, &second, finance.id).await.unwrap();
    assert_eq!((rejected.role, rejected.pending), (Role::Finance, None));

    let worker = test_user(&test, &first, &second, "ny.raadgiver").await;
    users::update(
        &test.db,
        &first,
        worker.id,
        &change(Role::Caseworker, false),
    )
    .await
    .unwrap();
    let reactivated = users::update(&test.db, &first, worker.id, &change(Role::Caseworker, true))
        .await
        .unwrap();
    assert!(!reactivated.active, "still inactive until approved");
    assert!(reactivated.pending.is_some());
    assert!(!logs_in(&test, "ny.raadgiver").await);
    users::approve(&test.db, &second, worker.id).await.unwrap();
    assert!(logs_in(&test, "ny.raadgiver").await);

    // A caseworker moving to team lead keeps case access it already had: no second pair of eyes.
    let lead = users::update(&test.db, &first, worker.id, &change(Role::TeamLead, true))
        .await
        .unwrap();
    assert_eq!((lead.role, lead.pending), (Role::TeamLead, None));
}

/// A caseworker account made by `first` and approved by `second`.
async fn test_user(test: &TestDb, first: &Actor, second: &Actor, username: &str) -> User {
    let created = users::create(&test.db, first, &new_user(username, Role::Caseworker))
        .await
        .unwrap();
    users::approve(&test.db, second, created.id).await.unwrap()
}
