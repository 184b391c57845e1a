//! The login form's second factor for administrators: the one-time code field, and enrolling
//! an authenticator in the form after a right password.

use reqwest::StatusCode;
use vaern_domain::totp;

use crate::common::{PASSWORD, TestApp, hidden_csrf};

async fn post_login(
    app: &TestApp,
    client: &reqwest::Client,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let csrf = app.login_csrf(client).await;
    let mut form = vec![("csrf", csrf.as_str()), ("next", "/")];
    form.extend_from_slice(fields);
    let response = client
        .post(app.url("/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// The value of the hidden field `name` in `html`.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.to_owned())
}

#[tokio::test]
async fn an_administrator_without_the_code_is_asked_for_it_at_its_field() {
    let app = TestApp::spawn().await;
    let client = app.anonymous();
    let (status, html) = post_login(
        &app,
        &client,
        &[("username", "admin901"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        html.contains("href=\"#code\">Skriv engangskoden fra din godkender-app"),
        "{html}"
    );
    assert!(html.contains("value=\"admin901\""), "the username is kept");
    let overview = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(overview.status(), StatusCode::SEE_OTHER, "no session");
    // With the code (TestApp's login types it) the same administrator gets in.
    let (_, csrf) = app.login("admin901").await;
    assert!(!csrf.is_empty());
}

#[tokio::test]
async fn a_new_administrator_enrols_an_authenticator_in_the_login_form() {
    let app = TestApp::spawn().await;
    let password = "en-lang-adgangskode-3";
    vaern_app::users::create_as_operator(
        &app.test.db,
        "901",
        &vaern_domain::user::NewUserInput {
            username: "ny.admin".into(),
            name: "Ny Administrator".into(),
            role: "admin".into(),
            password: password.into(),
            team_id: None,
        },
    )
    .await
    .unwrap();
    let client = app.anonymous();
    let (status, html) = post_login(
        &app,
        &client,
        &[("username", "ny.admin"), ("password", password)],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("Tilføj en godkender-app"));
    let secret = hidden(&html, "enrolling").expect("the secret travels with the form");
    assert!(html.contains(&format!("<code class=\"vaern-secret\">{secret}</code>")));
    assert!(html.contains("href=\"otpauth://totp/V%C3%A6rn:ny.admin?secret="));
    assert!(hidden_csrf(&html).is_some());

    let bytes = totp::base32_decode(&secret).unwrap();
    let code = totp::code(&bytes, totp::step_at(vaern_store::now().unix_timestamp()));
    let fields = [
        ("username", "ny.admin"),
        ("password", password),
        ("enrolling", secret.as_str()),
        ("code", code.as_str()),
    ];
    let (status, _) = post_login(&app, &client, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "enrolled and logged in");
    let overview = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(overview.status(), StatusCode::OK);
}

#[tokio::test]
async fn another_administrator_resets_a_lost_authenticator_and_nobody_their_own() {
    let app = TestApp::spawn().await;
    let municipality = app.municipality("901").await;
    let id_of = |username: &'static str| {
        let db = app.test.db.clone();
        async move {
            let mut tx = db.tenant(municipality).await.unwrap();
            vaern_store::users::by_username(&mut tx, username)
                .await
                .unwrap()
                .id
        }
    };
    let (client, csrf) = app.login("admin901").await;
    let lene_id = id_of("admin901").await;
    let page = client.get(app.url("/admin/brugere")).send().await.unwrap();
    let page = page.text().await.unwrap();
    let other = id_of("admin2901").await;
    assert!(page.contains(&format!("action=\"/admin/brugere/{other}/godkender-app\"")));
    assert!(
        !page.contains(&format!(
            "action=\"/admin/brugere/{lene_id}/godkender-app\""
        )),
        "no button for one's own"
    );
    let reset_of = |id| {
        let form = [("csrf", csrf.clone())];
        client
            .post(app.url(&format!("/admin/brugere/{id}/godkender-app")))
            .form(&form)
            .send()
    };
    let own = reset_of(lene_id).await.unwrap();
    assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        own.text()
            .await
            .unwrap()
            .contains("href=\"#users\">Du kan ikke nulstille din egen")
    );

    let reset = reset_of(other).await.unwrap();
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);
    // The other administrator's password now opens an enrolment, not a session.
    let (status, html) = post_login(
        &app,
        &app.anonymous(),
        &[("username", "admin2901"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("Tilføj en godkender-app"));
    let log = client.get(app.url("/admin/brugere")).send().await.unwrap();
    assert!(
        log.text()
            .await
            .unwrap()
            .contains("Fjernede godkender-appen for")
    );
}
