//! Logins on either database: the work done does not tell a known username from an unknown one,
//! and an administrator's account needs a one-time code.

use vaern_app::{
    AppError,
    auth::{self, counting_password_checks},
    demo::{self, DEMO_PASSWORD},
};
use vaern_domain::{totp, user::NewUserInput};
use vaern_store::admin_log;
use vaern_testkit::TestDb;

/// Issue 17 (low): an unknown username used to skip argon2id, so its quick answer told that the
/// name does not exist. Every failed login now checks one password, whatever the name.
#[tokio::test]
async fn an_unknown_username_costs_the_same_password_check_as_a_known_one() {
    let test = TestDb::new().await;
    demo::seed(&test.db).await.unwrap();
    for username in ["raadgiver901", "findes-ikke"] {
        let (result, checks) = counting_password_checks(auth::login(
            &test.db,
            username,
            "forkert",
            &auth::OneTimeCode::NONE,
            None,
        ))
        .await;
        assert!(matches!(result, Err(AppError::Invalid(_))), "{username}");
        assert_eq!(checks, 1, "{username}");
    }
    let (result, checks) = counting_password_checks(auth::login(
        &test.db,
        "raadgiver901",
        DEMO_PASSWORD,
        &auth::OneTimeCode::NONE,
        None,
    ))
    .await;
    assert!(result.is_ok());
    assert_eq!(checks, 1);
}

fn code<'a>(code: &'a str, enrolling: &'a str) -> auth::OneTimeCode<'a> {
    auth::OneTimeCode { code, enrolling }
}

/// The field and message a refused login names.
fn refused_at(result: Result<auth::NewSession, AppError>) -> (String, String) {
    match result {
        Err(AppError::Invalid(errors)) => {
            let e = errors.iter().next().unwrap();
            (e.field.to_owned(), e.message.clone())
        }
        Err(other) => panic!("expected a refusal at a field, got {other:?}"),
        Ok(_) => panic!("expected a refusal, got a session"),
    }
}

fn enrolment(result: Result<auth::NewSession, AppError>) -> auth::Enrolment {
    match result {
        Err(AppError::Enrol(enrolment)) => *enrolment,
        Err(other) => panic!("expected an enrolment, got {other:?}"),
        Ok(_) => panic!("expected an enrolment, got a session"),
    }
}

/// The code of `secret` for `step`.
fn code_of(secret: &str, step: i64) -> String {
    totp::code(&totp::base32_decode(secret).unwrap(), step)
}

async fn login(test: &TestDb, code: auth::OneTimeCode<'_>) -> Result<auth::NewSession, AppError> {
    auth::login(&test.db, "admin901", DEMO_PASSWORD, &code, None).await
}

/// A code no step of the accepted window has for `secret`.
fn wrong_code(secret: &str) -> String {
    let bytes = totp::base32_decode(secret).unwrap();
    let now = now_step();
    (0..10)
        .map(|d| d.to_string().repeat(6))
        .find(|c| totp::matching_step(&bytes, c, now).is_none())
        .unwrap()
}

fn now_step() -> i64 {
    totp::step_at(vaern_store::now().unix_timestamp())
}

/// Issue 17: a local administrator's account needs a one-time code besides the password; each
/// code is accepted once; other roles need none.
#[tokio::test]
async fn an_administrator_logs_in_with_a_one_time_code_used_once_and_a_caseworker_without() {
    let test = TestDb::new().await;
    demo::seed(&test.db).await.unwrap();
    let (field, message) = refused_at(login(&test, auth::OneTimeCode::NONE).await);
    assert_eq!(
        (field.as_str(), message.as_str()),
        ("code", "Skriv engangskoden fra din godkender-app")
    );
    let wrong = &wrong_code(demo::DEMO_TOTP_SECRET);
    let (field, message) = refused_at(login(&test, code(wrong, "")).await);
    assert_eq!(field, "code");
    assert!(message.starts_with("Engangskoden er forkert"), "{message}");
    let right = code_of(demo::DEMO_TOTP_SECRET, now_step());
    let session = login(&test, code(&right, ""))
        .await
        .expect("the right code");
    assert_eq!(session.actor.username, "admin901");
    let (field, message) = refused_at(login(&test, code(&right, "")).await);
    assert_eq!(field, "code");
    assert!(
        message.starts_with("Engangskoden er allerede brugt"),
        "{message}"
    );
    // A caseworker's account needs no code.
    auth::login(
        &test.db,
        "raadgiver901",
        DEMO_PASSWORD,
        &auth::OneTimeCode::NONE,
        None,
    )
    .await
    .expect("no code for a caseworker");
}

/// Wrong codes count against the login throttle as wrong passwords do: the password alone
/// does not let anyone guess codes without limit.
#[tokio::test]
async fn wrong_codes_with_the_right_password_start_the_delay() {
    let test = TestDb::new().await;
    demo::seed(&test.db).await.unwrap();
    let address = Some("198.51.100.9".parse().unwrap());
    let wrong = &wrong_code(demo::DEMO_TOTP_SECRET);
    for _ in 0..auth::throttle::PAIR.free {
        let result = auth::login(
            &test.db,
            "admin901",
            DEMO_PASSWORD,
            &code(wrong, ""),
            address,
        )
        .await;
        assert_eq!(refused_at(result).0, "code");
    }
    let right = code_of(demo::DEMO_TOTP_SECRET, now_step());
    let result = auth::login(
        &test.db,
        "admin901",
        DEMO_PASSWORD,
        &code(&right, ""),
        address,
    )
    .await;
    assert!(
        matches!(result, Err(AppError::Throttled(_))),
        "{:?}",
        result.err()
    );
}

/// An administrator without an authenticator enrols one at login: the right password shows a
/// new secret, its first right code completes the enrolment (in the administration log), and
/// from then on only that secret's codes count. The operator can remove it (a lost phone).
#[tokio::test]
async fn a_new_administrator_enrols_an_authenticator_at_login_and_the_operator_can_reset_it() {
    let test = TestDb::new().await;
    demo::seed(&test.db).await.unwrap();
    let password = "en-lang-adgangskode-2";
    vaern_app::users::create_as_operator(
        &test.db,
        "901",
        &NewUserInput {
            username: "ny.admin".into(),
            name: "Ny Administrator".into(),
            role: "admin".into(),
            password: password.into(),
            team_id: None,
        },
    )
    .await
    .unwrap();
    let new_admin_login = |password: &'static str, code: auth::OneTimeCode<'static>| {
        let db = test.db.clone();
        async move { auth::login(&db, "ny.admin", password, &code, None).await }
    };
    let wrong_password = new_admin_login("forkert", auth::OneTimeCode::NONE).await;
    assert_eq!(
        refused_at(wrong_password).0,
        "username",
        "no secret before the password"
    );

    let first = enrolment(new_admin_login(password, auth::OneTimeCode::NONE).await);
    assert_eq!(first.problem, None);
    assert_eq!(
        totp::base32_decode(&first.secret).unwrap().len(),
        20,
        "160 bits"
    );
    assert!(
        first
            .uri
            .starts_with("otpauth://totp/V%C3%A6rn:ny.admin?secret="),
        "{}",
        first.uri
    );
    let wrong = &wrong_code(&first.secret);
    let again = enrolment(
        auth::login(
            &test.db,
            "ny.admin",
            password,
            &code(wrong, &first.secret),
            None,
        )
        .await,
    );
    assert_eq!(again.secret, first.secret, "the same secret is shown again");
    assert!(again.problem.is_some());

    let right = code_of(&first.secret, now_step());
    auth::login(
        &test.db,
        "ny.admin",
        password,
        &code(&right, &first.secret),
        None,
    )
    .await
    .expect("the first right code enrols");
    let municipality = {
        let mut tx = test.db.global().await.unwrap();
        vaern_store::municipalities::by_code(&mut tx, "901")
            .await
            .unwrap()
            .id
    };
    let actions = || async {
        let mut tx = test.db.tenant(municipality).await.unwrap();
        admin_log::latest(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect::<Vec<_>>()
    };
    assert!(
        actions()
            .await
            .iter()
            .any(|a| a == admin_log::TOTP_ENROLLED)
    );

    // Another secret offered now is no enrolment: the enrolled one's code is asked for.
    let other = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU";
    let next = code_of(other, now_step() + 1);
    assert_eq!(
        refused_at(auth::login(&test.db, "ny.admin", password, &code(&next, other), None).await).0,
        "code"
    );

    auth::second_factor::reset(&test.db, "ny.admin")
        .await
        .unwrap();
    assert!(actions().await.iter().any(|a| a == admin_log::TOTP_RESET));
    let fresh = enrolment(new_admin_login(password, auth::OneTimeCode::NONE).await);
    assert_ne!(fresh.secret, first.secret);
}

/// Issue 17: a municipality that logs its staff in through its own provider can switch local
/// passwords off; only once it has one (or nobody could log in), and the operator can always
/// switch them back on.
#[tokio::test]
async fn a_municipality_with_its_own_login_switches_local_passwords_off_and_the_operator_back_on() {
    let test = TestDb::new().await;
    demo::seed(&test.db).await.unwrap();
    let caseworker = |password: &'static str| {
        auth::login(
            &test.db,
            "raadgiver901",
            password,
            &auth::OneTimeCode::NONE,
            None,
        )
    };
    let admin = login(
        &test,
        code(
            &vaern_testkit::totp::next_code(&test.db, "admin901")
                .await
                .unwrap(),
            "",
        ),
    )
    .await
    .unwrap()
    .actor;
    let without = vaern_app::users::set_local_login(&test.db, &admin, false, false).await;
    match without {
        Err(AppError::Invalid(errors)) => {
            assert_eq!(errors.iter().next().unwrap().field, "local_login")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(
        vaern_app::users::local_login(&test.db, &admin)
            .await
            .unwrap()
    );

    vaern_app::users::set_local_login(&test.db, &admin, false, true)
        .await
        .unwrap();
    assert!(
        !vaern_app::users::local_login(&test.db, &admin)
            .await
            .unwrap()
    );
    let (field, message) = refused_at(caseworker(DEMO_PASSWORD).await);
    assert_eq!(field, "username");
    assert!(
        message.contains("slået login med adgangskode fra"),
        "{message}"
    );
    let (_, message) = refused_at(caseworker("forkert").await);
    assert_eq!(
        message, "Forkert brugernavn eller adgangskode",
        "a wrong password learns nothing"
    );
    // The other municipality is not affected.
    auth::login(
        &test.db,
        "raadgiver902",
        DEMO_PASSWORD,
        &auth::OneTimeCode::NONE,
        None,
    )
    .await
    .expect("902 still allows passwords");

    vaern_app::users::set_local_login_as_operator(&test.db, "901", true)
        .await
        .unwrap();
    caseworker(DEMO_PASSWORD)
        .await
        .expect("passwords are back on");
    let mut tx = test.db.tenant(admin.municipality_id).await.unwrap();
    let changes = admin_log::latest(&mut tx).await.unwrap();
    assert_eq!(
        changes
            .iter()
            .filter(|e| e.action == admin_log::LOCAL_LOGIN_CHANGED)
            .count(),
        2,
        "both changes are in the administration log"
    );
}

/// A SAML answer counts only for the login it answers: one sent to another municipality's
/// provider uses the request up without logging in, and an assertion seen once is refused on any
/// later request.
#[tokio::test]
async fn a_saml_answer_is_accepted_once_and_only_for_the_municipality_that_asked() {
    use vaern_app::auth::sso::{saml_answer_arrived, saml_request_sent};
    let test = TestDb::new().await;
    let minute = time::Duration::minutes(1);
    saml_request_sent(&test.db, "_r1", "901", "/boern")
        .await
        .unwrap();
    assert_eq!(
        saml_answer_arrived(&test.db, "_r1", "902", "_a1", minute)
            .await
            .unwrap(),
        None,
        "another municipality's login"
    );
    assert_eq!(
        saml_answer_arrived(&test.db, "_r1", "901", "_a1", minute)
            .await
            .unwrap(),
        None,
        "the request is used up"
    );
    saml_request_sent(&test.db, "_r2", "901", "/")
        .await
        .unwrap();
    assert_eq!(
        saml_answer_arrived(&test.db, "_r2", "901", "_a2", minute)
            .await
            .unwrap(),
        Some("/".to_owned())
    );
    saml_request_sent(&test.db, "_r3", "901", "/")
        .await
        .unwrap();
    assert_eq!(
        saml_answer_arrived(&test.db, "_r3", "901", "_a2", minute)
            .await
            .unwrap(),
        None,
        "the assertion was used"
    );
}
