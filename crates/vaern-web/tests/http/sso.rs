//! Staff single sign-on over OpenID Connect against a real provider (`oidc-provider-mock`,
//! started per test): the code flow with PKCE, state and nonce; just-in-time accounts with the
//! role the groups map to; and a forged, expired, replayed or wrongly-audienced answer refused.

use std::sync::Arc;

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, header},
    response::Response,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use reqwest::{Client, StatusCode, redirect::Policy};
use vaern_domain::Role;
use vaern_store::{admin_log, users};
use vaern_testkit::oidc::{OidcProvider, ProviderOptions};
use vaern_web::oidc::{OidcSettings, RoleMapping};

use crate::common::TestApp;

const CLIENT_ID: &str = "vaern-test";

/// The directory's users: Bo a caseworker, Lis a team lead, Kaj in no group Værn knows.
fn directory() -> Vec<String> {
    [
        r#"{"sub":"bo","preferred_username":"bo@kommune.dk","name":"Bo Berg","groups":["alle","vaern-raadgivere"]}"#,
        r#"{"sub":"lis","preferred_username":"lis@kommune.dk","name":"Lis Lund","groups":["vaern-raadgivere","vaern-ledere"]}"#,
        r#"{"sub":"kaj","preferred_username":"kaj@kommune.dk","name":"Kaj Kok","groups":["kantinen"]}"#,
    ]
    .map(str::to_owned)
    .to_vec()
}

fn settings(issuer: &str) -> OidcSettings {
    let mapping = |group: &str, role| RoleMapping {
        group: group.into(),
        role,
    };
    OidcSettings {
        municipality: "901".into(),
        label: "Log ind med Kommune 901s login".into(),
        issuer: issuer.into(),
        client_id: CLIENT_ID.into(),
        client_secret: "test-secret".into(),
        username_claim: "preferred_username".into(),
        name_claim: "name".into(),
        groups_claim: "groups".into(),
        roles: vec![
            mapping("vaern-ledere", Role::TeamLead),
            mapping("vaern-raadgivere", Role::Caseworker),
        ],
    }
}

async fn app_with(issuer: &str) -> TestApp {
    let settings = settings(issuer);
    TestApp::spawn_configured(Default::default(), |_, config| {
        config.oidc = vec![settings];
    })
    .await
}

pub(crate) fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

pub(crate) fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(header::LOCATION)
        .unwrap_or_else(|| panic!("{} has no Location", response.url()))
        .to_str()
        .unwrap()
        .to_owned()
}

/// The browser's way through: Værn's button, the provider's login page (choosing `sub`), back to
/// Værn's callback. Returns the callback's URL and Værn's answer to it.
async fn through_provider(
    app: &TestApp,
    browser: &Client,
    sub: &str,
) -> (String, reqwest::Response) {
    let start = browser
        .get(app.url("/login/sso/901?next=/boern"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        start.status(),
        StatusCode::SEE_OTHER,
        "the button leads to the provider"
    );
    let authorize = location(&start);
    let login = browser
        .post(&authorize)
        .form(&[("sub", sub)])
        .send()
        .await
        .unwrap();
    assert!(
        login.status().is_redirection(),
        "the provider sends the browser back"
    );
    let callback = location(&login);
    assert!(
        callback.starts_with(&app.url("/login/sso/901/callback?")),
        "{callback}"
    );
    let answer = browser.get(&callback).send().await.unwrap();
    (callback, answer)
}

pub(crate) const NOT_ACCEPTED: &str = "Svaret fra kommunens login kunne ikke godkendes";

/// Værn refused the provider's answer: 401 with `message` at the login's own field, no account
/// for `username`, no session in the browser.
pub(crate) async fn assert_refused(
    app: &TestApp,
    browser: &Client,
    answer: reqwest::Response,
    message: &str,
    username: &str,
) {
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let html = scraper::Html::parse_document(&answer.text().await.unwrap());
    let selector = scraper::Selector::parse("#sso .form-error-message").unwrap();
    let shown: String = html.select(&selector).flat_map(|e| e.text()).collect();
    assert!(shown.contains(message), "at the field: {shown:?}");
    assert!(
        user(app, username).await.is_none(),
        "no account for {username}"
    );
    let overview = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(overview.status(), StatusCode::SEE_OTHER, "no session");
}

pub(crate) async fn user(app: &TestApp, username: &str) -> Option<users::User> {
    let municipality = app.municipality("901").await;
    let mut tx = app.test.db.tenant(municipality).await.unwrap();
    users::by_username(&mut tx, username).await.ok()
}

pub(crate) async fn admin_actions(app: &TestApp) -> Vec<(String, String)> {
    let municipality = app.municipality("901").await;
    let mut tx = app.test.db.tenant(municipality).await.unwrap();
    admin_log::latest(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.detail))
        .collect()
}

#[tokio::test]
async fn a_caseworker_logs_in_through_the_municipalitys_provider_and_gets_the_account_the_groups_give()
 {
    let provider = OidcProvider::start(&directory(), &ProviderOptions::default()).await;
    let app = app_with(&provider.issuer).await;
    let browser = browser();

    let page = browser
        .get(app.url("/login?next=/boern"))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(
        html.contains("href=\"/login/sso/901?next=%2Fboern\"")
            && html.contains("Log ind med Kommune 901s login"),
        "the login page offers the municipality's login"
    );

    let start = browser
        .get(app.url("/login/sso/901?next=/boern"))
        .send()
        .await
        .unwrap();
    let authorize = reqwest::Url::parse(&location(&start)).unwrap();
    assert!(
        authorize
            .as_str()
            .starts_with(&format!("{}/oauth2/authorize?", provider.issuer))
    );
    let query: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], CLIENT_ID);
    assert_eq!(query["code_challenge_method"], "S256", "PKCE");
    assert!(query["code_challenge"].len() >= 43);
    assert!(query["state"].len() >= 16 && query["nonce"].len() >= 16);
    assert_eq!(query["redirect_uri"], app.url("/login/sso/901/callback"));

    assert!(user(&app, "bo@kommune.dk").await.is_none());
    let (_, answer) = through_provider(&app, &browser, "bo").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&answer),
        "/boern",
        "back where the login was asked for"
    );
    let overview = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(overview.status(), StatusCode::OK);
    assert!(overview.text().await.unwrap().contains("Bo Berg"));

    let bo = user(&app, "bo@kommune.dk")
        .await
        .expect("created on first login");
    assert_eq!(
        (bo.role, bo.name.as_str(), bo.active),
        (Role::Caseworker, "Bo Berg", true)
    );
    let created = admin_actions(&app).await;
    assert!(
        created
            .iter()
            .any(|(action, detail)| action == admin_log::SSO_USER_CREATED
                && detail.contains("bo@kommune.dk")
                && detail.contains("Rådgiver")),
        "{created:?}"
    );

    // A second login uses the same account.
    let again = self::browser();
    let (_, answer) = through_provider(&app, &again, "bo").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(user(&app, "bo@kommune.dk").await.unwrap().id, bo.id);
}

#[tokio::test]
async fn the_first_mapped_group_decides_the_role_and_replaces_the_accounts_old_one() {
    let provider = OidcProvider::start(&directory(), &ProviderOptions::default()).await;
    let app = app_with(&provider.issuer).await;
    // Lis already has a caseworker account; the directory now makes her a team lead.
    vaern_app::users::create_as_operator(
        &app.test.db,
        "901",
        &vaern_domain::user::NewUserInput {
            username: "lis@kommune.dk".into(),
            name: "Lis Lund".into(),
            role: "caseworker".into(),
            password: "en-lang-adgangskode-1".into(),
            team_id: None,
        },
    )
    .await
    .unwrap();
    let (_, answer) = through_provider(&app, &browser(), "lis").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        user(&app, "lis@kommune.dk").await.unwrap().role,
        Role::TeamLead
    );
    let log = admin_actions(&app).await;
    assert!(
        log.iter()
            .any(|(action, detail)| action == admin_log::SSO_ROLE_CHANGED
                && detail.contains("fra Rådgiver til Teamleder")),
        "{log:?}"
    );
}

#[tokio::test]
async fn a_user_in_no_mapped_group_gets_no_account_and_is_told_why() {
    let provider = OidcProvider::start(&directory(), &ProviderOptions::default()).await;
    let app = app_with(&provider.issuer).await;
    let browser = browser();
    let (_, answer) = through_provider(&app, &browser, "kaj").await;
    assert_refused(
        &app,
        &browser,
        answer,
        "Din bruger har ingen rolle i Værn",
        "kaj@kommune.dk",
    )
    .await;
}

#[tokio::test]
async fn an_answer_replayed_or_brought_to_another_browser_is_refused() {
    let provider = OidcProvider::start(&directory(), &ProviderOptions::default()).await;
    let app = app_with(&provider.issuer).await;
    let browser = browser();
    let (callback, answer) = through_provider(&app, &browser, "bo").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);

    // The same answer again, in the browser that used it: its login is used up.
    let replayed = browser.get(&callback).send().await.unwrap();
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    // In another browser (an attacker's link, login CSRF): it never began a login.
    let elsewhere = self::browser().get(&callback).send().await.unwrap();
    assert_eq!(elsewhere.status(), StatusCode::BAD_REQUEST);
    assert!(
        elsewhere
            .text()
            .await
            .unwrap()
            .contains("Login-forløbet er udløbet")
    );

    // A fresh login whose state was changed on the way back.
    let other = self::browser();
    let start = other.get(app.url("/login/sso/901")).send().await.unwrap();
    let login = other
        .post(location(&start))
        .form(&[("sub", "bo")])
        .send()
        .await
        .unwrap();
    let tampered = location(&login).replace("state=", "state=x");
    let refused = other.get(&tampered).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let overview = other.get(app.url("/")).send().await.unwrap();
    assert_eq!(overview.status(), StatusCode::SEE_OTHER, "no session");
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    // Tokens that live three seconds (whole seconds, so at least two): through an honest proxy
    // they are still fresh when checked, held back five seconds on the way they are not.
    let provider = OidcProvider::start(
        &directory(),
        &ProviderOptions {
            token_max_age: Some(3),
        },
    )
    .await;
    let honest = app_with(&middle(&provider.issuer, Tamper::Nothing).await).await;
    let (_, answer) = through_provider(&honest, &browser(), "bo").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "a fresh token");

    let app = app_with(&middle(&provider.issuer, Tamper::HoldBack).await).await;
    let browser = browser();
    let (_, answer) = through_provider(&app, &browser, "bo").await;
    assert_refused(&app, &browser, answer, NOT_ACCEPTED, "bo@kommune.dk").await;
}

/// What the man in the middle does to the provider's traffic.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tamper {
    Nothing,
    /// Rewrites the ID token's claims (a team lead's groups for Bo) without its signature.
    ForgeClaims,
    /// Asks the provider as another of its clients, so its genuine, signed tokens are for that
    /// client's audience, not Værn's.
    OtherClient,
    /// Holds the token response back five seconds, past a short-lived ID token's expiry.
    HoldBack,
}

struct Middle {
    upstream: String,
    host: String,
    tamper: Tamper,
    http: Client,
}

const OTHER_CLIENT: &str = "another-app";

/// A proxy in front of the provider, which names its issuer after the Host it is asked on, so
/// Værn sees the proxy as the provider.
async fn middle(upstream: &str, tamper: Tamper) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let host = listener.local_addr().unwrap().to_string();
    let state = Arc::new(Middle {
        upstream: upstream.to_owned(),
        host: host.clone(),
        tamper,
        http: Client::builder().redirect(Policy::none()).build().unwrap(),
    });
    let router = axum::Router::new().fallback(forward).with_state(state);
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{host}")
}

fn other_client(text: &str) -> String {
    text.replace(CLIENT_ID, OTHER_CLIENT)
}

async fn forward(State(middle): State<Arc<Middle>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    let mut path = parts.uri.path_and_query().unwrap().as_str().to_owned();
    let mut body = String::from_utf8(body.to_vec()).unwrap();
    let mut authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap().to_owned());
    if middle.tamper == Tamper::OtherClient {
        path = other_client(&path);
        body = other_client(&body);
        authorization = authorization.map(|basic| {
            let encoded = basic.trim_start_matches("Basic ");
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .unwrap();
            let swapped = other_client(&String::from_utf8(decoded).unwrap());
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(swapped)
            )
        });
    }
    let mut upstream = middle
        .http
        .request(parts.method.clone(), format!("{}{path}", middle.upstream))
        .header(header::HOST, &middle.host)
        .body(body);
    if let Some(kind) = parts.headers.get(header::CONTENT_TYPE) {
        upstream = upstream.header(header::CONTENT_TYPE, kind);
    }
    if let Some(authorization) = authorization {
        upstream = upstream.header(header::AUTHORIZATION, authorization);
    }
    let answer = upstream.send().await.unwrap();
    if middle.tamper == Tamper::HoldBack && parts.uri.path() == "/oauth2/token" {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
    let status = answer.status();
    let headers = answer.headers().clone();
    let mut text = answer.text().await.unwrap();
    if middle.tamper == Tamper::ForgeClaims && parts.uri.path() == "/oauth2/token" {
        text = forge_id_token(&text);
    }
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    for name in [header::CONTENT_TYPE, header::LOCATION] {
        if let Some(value) = headers.get(&name) {
            response
                .headers_mut()
                .insert(name, HeaderValue::from_bytes(value.as_bytes()).unwrap());
        }
    }
    response
}

/// The token response with the ID token's payload given a team lead's groups, signature kept.
fn forge_id_token(token_response: &str) -> String {
    let mut json: serde_json::Value = serde_json::from_str(token_response).unwrap();
    let id_token = json["id_token"].as_str().unwrap().to_owned();
    let parts: Vec<&str> = id_token.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["groups"] = serde_json::json!(["vaern-ledere"]);
    let forged = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    json["id_token"] = format!("{}.{forged}.{}", parts[0], parts[2]).into();
    json.to_string()
}

#[tokio::test]
async fn a_forged_id_token_or_one_for_another_client_is_refused() {
    let provider = OidcProvider::start(&directory(), &ProviderOptions::default()).await;
    // The control: through an untouched proxy the same login works, so the refusals below are
    // the tampering's.
    let honest = middle(&provider.issuer, Tamper::Nothing).await;
    let app = app_with(&honest).await;
    let (_, answer) = through_provider(&app, &browser(), "bo").await;
    assert_eq!(
        answer.status(),
        StatusCode::SEE_OTHER,
        "through the honest proxy"
    );

    for tamper in [Tamper::ForgeClaims, Tamper::OtherClient] {
        let issuer = middle(&provider.issuer, tamper).await;
        let app = app_with(&issuer).await;
        let browser = browser();
        let (_, answer) = through_provider(&app, &browser, "bo").await;
        assert_refused(&app, &browser, answer, NOT_ACCEPTED, "bo@kommune.dk").await;
    }
}

/// Presses «Log af» on Mit overblik.
pub(crate) async fn log_out(app: &TestApp, browser: &Client) -> reqwest::Response {
    let page = browser.get(app.url("/")).send().await.unwrap();
    let csrf = crate::common::hidden_csrf(&page.text().await.unwrap()).unwrap();
    let form = [("csrf", csrf)];
    browser
        .post(app.url("/logout"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn logging_out_ends_the_providers_session_too_and_an_unreachable_provider_is_explained() {
    let provider = OidcProvider::start(&directory(), &ProviderOptions::default()).await;
    let app = app_with(&provider.issuer).await;
    let browser = browser();
    let (_, answer) = through_provider(&app, &browser, "bo").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let csp = browser.get(app.url("/")).send().await.unwrap();
    let policy = csp.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains(&format!("form-action 'self' {}", provider.issuer)),
        "the logout form may go on to the provider: {policy}"
    );
    let out = log_out(&app, &browser).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let end = reqwest::Url::parse(&location(&out)).unwrap();
    assert_eq!(
        end.as_str().split('?').next().unwrap(),
        format!("{}/oauth2/end_session", provider.issuer)
    );
    let query: std::collections::HashMap<_, _> = end.query_pairs().into_owned().collect();
    assert_eq!(query["post_logout_redirect_uri"], app.url("/login"));
    assert_eq!(query["client_id"], CLIENT_ID);
    let overview = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        overview.status(),
        StatusCode::SEE_OTHER,
        "Værn's session has ended"
    );

    // A password login in the same browser afterwards is no provider's: its logout stays here.
    let status = app
        .submit_login(&browser, "raadgiver901", crate::common::PASSWORD)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&log_out(&app, &browser).await), "/login");

    // A provider that does not answer: the user is told, not shown a server error.
    let port = provider.port;
    drop(provider);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let down = app_with(&format!("http://127.0.0.1:{port}")).await;
    let start = self::browser()
        .get(down.url("/login/sso/901"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::BAD_GATEWAY);
    assert!(
        start
            .text()
            .await
            .unwrap()
            .contains("Kommunens login svarer ikke")
    );
    // A municipality without a login of its own has no such page.
    let none = self::browser()
        .get(down.url("/login/sso/902"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_administrator_switches_local_passwords_off_once_the_municipality_has_its_own_login() {
    let switch = |client: &Client, app: &TestApp, csrf: &str, allowed: &str| {
        client
            .post(app.url("/admin/brugere/lokalt-login"))
            .form(&[("csrf", csrf), ("allowed", allowed)])
            .send()
    };
    // Without a login of its own the municipality would lock itself out: refused at the field.
    let plain = TestApp::spawn().await;
    let (admin, csrf) = plain.login("admin901").await;
    let refused = switch(&admin, &plain, &csrf, "false").await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("href=\"#local_login\">Kommunen har ikke sit eget login")
    );

    let provider = OidcProvider::start(&directory(), &ProviderOptions::default()).await;
    let app = app_with(&provider.issuer).await;
    let (admin, csrf) = app.login("admin901").await;
    let page = admin
        .get(app.url("/admin/brugere"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Slå login med adgangskode fra"));
    let done = switch(&admin, &app, &csrf, "false").await.unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/admin/brugere?besked=adgangskode-fra");
    let password = app
        .submit_login(&app.anonymous(), "raadgiver901", crate::common::PASSWORD)
        .await;
    assert_eq!(password, StatusCode::UNAUTHORIZED, "passwords are off");
    let (_, answer) = through_provider(&app, &browser(), "bo").await;
    assert_eq!(
        answer.status(),
        StatusCode::SEE_OTHER,
        "the municipality's own login works"
    );
    let page = admin
        .get(app.url("/admin/brugere"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Slå login med adgangskode til"));
    assert!(
        page.contains("Kommunens login</td>"),
        "the account the login created is in the log"
    );
}
