//! A real server on port 0 over a fresh database with the demo data, and clients for it.

use std::sync::Arc;

use reqwest::{Client, Response, StatusCode, redirect::Policy};
use serde_json::Value;
use vaern_app::documents::CaseFiles;
use vaern_domain::{
    Cpr,
    register::{RegisterAddress, RegisterPerson, RegisterStatus},
};
use vaern_integrations::register::InMemoryRegister;
use vaern_store::{
    JournalEntryId, MunicipalityId, UserId, children, journal, municipalities, users,
};
use vaern_testkit::{TestDb, TestFiles};
use vaern_web::{AppState, WebConfig};

pub const PASSWORD: &str = vaern_app::demo::DEMO_PASSWORD;

/// A small limit so the tests can exceed it cheaply.
pub const MAX_FILE_BYTES: u64 = 256 * 1024;

pub struct TestApp {
    pub base: String,
    pub test: TestDb,
    pub files: TestFiles,
    /// The CPR register the server looks numbers up in; empty until a test fills it.
    pub register: Arc<InMemoryRegister>,
}

/// The token the test server's `/metrics` asks for.
pub const METRICS_TOKEN: &str = "test-metrics-token";

impl TestApp {
    /// Starts Værn on an ephemeral port with the demo data.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(vaern_web::ServerLimits::default()).await
    }

    /// [`Self::spawn`] with the server's connection limits set.
    pub async fn spawn_with(limits: vaern_web::ServerLimits) -> TestApp {
        Self::spawn_configured(limits, |_, _| {}).await
    }

    /// [`Self::spawn_with`], the web settings changed by `configure`, which gets the server's
    /// base URL too.
    pub async fn spawn_configured(
        limits: vaern_web::ServerLimits,
        configure: impl FnOnce(&str, &mut WebConfig),
    ) -> TestApp {
        let test = TestDb::new().await;
        vaern_app::demo::seed(&test.db).await.expect("demo data");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let files = TestFiles::local();
        let case_files = CaseFiles::new(files.store.clone(), MAX_FILE_BYTES);
        let register = Arc::new(InMemoryRegister::default());
        // The test client stands in for a reverse proxy, so tests can log in "from" any
        // address with `X-Forwarded-For`.
        let mut config = WebConfig {
            trusted_proxies: vec![std::net::Ipv4Addr::LOCALHOST.into()],
            metrics_token: Some(METRICS_TOKEN.into()),
            public_url: base.clone(),
            ..WebConfig::default()
        };
        configure(&base, &mut config);
        let state =
            AppState::new(test.db.clone(), config, case_files).with_register(register.clone());
        tokio::spawn(vaern_web::serve(
            listener,
            state,
            limits,
            std::future::pending(),
        ));
        TestApp {
            base,
            test,
            files,
            register,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client (cookies, no automatic redirects), not logged in.
    pub fn anonymous(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    /// A client logged in through the login form; returns it with the session's CSRF token.
    pub async fn login(&self, username: &str) -> (Client, String) {
        let (client, csrf, _) = self.login_with_cookies(username).await;
        (client, csrf)
    }

    /// [`TestApp::login`], also returning the `Cookie` header the client sends (to replay it
    /// from another client).
    pub async fn login_with_cookies(&self, username: &str) -> (Client, String, String) {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .build()
            .unwrap();
        let status = self.submit_login(&client, username, PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "login as {username}");
        let page = client
            .get(self.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden_csrf(&page).expect("the layout carries the CSRF token");
        let url = self.url("/").parse().unwrap();
        let cookies = reqwest::cookie::CookieStore::cookies(jar.as_ref(), &url)
            .expect("the login set a cookie")
            .to_str()
            .unwrap()
            .to_owned();
        (client, csrf, cookies)
    }

    /// Posts the login form (fetching its login-CSRF cookie first); returns the status.
    pub async fn submit_login(
        &self,
        client: &Client,
        username: &str,
        password: &str,
    ) -> StatusCode {
        self.submit_login_from(client, username, password, "127.0.0.1")
            .await
    }

    /// [`Self::submit_login`] from the client `address`, as the reverse proxy forwards it.
    pub async fn submit_login_from(
        &self,
        client: &Client,
        username: &str,
        password: &str,
        address: &str,
    ) -> StatusCode {
        let form = client
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden_csrf(&form).unwrap();
        // An administrator's authenticator gives the code (the field is empty for others).
        let code = vaern_testkit::totp::next_code(&self.test.db, username)
            .await
            .unwrap_or_default();
        client
            .post(self.url("/login"))
            .header("x-forwarded-for", address)
            .form(&[
                ("username", username),
                ("password", password),
                ("code", &code),
                ("csrf", &csrf),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap()
            .status()
    }

    /// An API client acting as `username` through a fresh bearer token.
    pub async fn api(&self, username: &str) -> Api {
        Api {
            client: Client::new(),
            base: self.base.clone(),
            auth: bearer(&self.token(username).await),
        }
    }

    /// Fetches the login form and returns its login-CSRF token (the cookie lands in `client`).
    pub async fn login_csrf(&self, client: &Client) -> String {
        let form = client
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        hidden_csrf(&form).unwrap()
    }

    /// A bearer token for a user.
    pub async fn token(&self, username: &str) -> String {
        vaern_app::auth::create_token(&self.test.db, username)
            .await
            .unwrap()
    }

    pub async fn municipality(&self, code: &str) -> MunicipalityId {
        let mut tx = self.test.db.global().await.unwrap();
        municipalities::by_code(&mut tx, code).await.unwrap().id
    }

    /// The first demo child of a municipality (by name) and a manual journal entry of it.
    pub async fn a_child(&self, code: &str) -> (children::Child, JournalEntryId) {
        let municipality = self.municipality(code).await;
        let mut tx = self.test.db.tenant(municipality).await.unwrap();
        let child = children::search(&mut tx, "a").await.unwrap().remove(0);
        let entries = journal::list(&mut tx, child.case_id.unwrap(), &Default::default())
            .await
            .unwrap();
        let manual = entries.iter().find(|e| e.kind == "manual").unwrap().id;
        (child, manual)
    }

    /// The demo children of a municipality who have a CPR number, by name.
    pub async fn children_with_cpr(&self, code: &str) -> Vec<children::Child> {
        let municipality = self.municipality(code).await;
        let mut tx = self.test.db.tenant(municipality).await.unwrap();
        let mut found = children::search(&mut tx, "a").await.unwrap();
        found.retain(|c| c.cpr.is_some());
        found
    }

    /// The demo children of a municipality with a CPR number: those who have turned 10 and are
    /// parties (barnets lov § 3), and those who have not.
    pub async fn children_by_party_age(
        &self,
        code: &str,
    ) -> (Vec<children::Child>, Vec<children::Child>) {
        let today = vaern_app::today();
        self.children_with_cpr(code)
            .await
            .into_iter()
            .partition(|c| vaern_domain::dates::age_on(c.birth_date, today) >= 10)
    }

    /// Registers an underretning (from a professional) on a 901 child as its caseworker; returns
    /// the Afklaring sub-case it opened.
    pub async fn an_underretning(&self, child: &children::Child) -> vaern_store::SubCaseId {
        self.an_underretning_as(child, "raadgiver901").await
    }

    /// [`TestApp::an_underretning`] registered by `username` (on a child of their municipality).
    pub async fn an_underretning_as(
        &self,
        child: &children::Child,
        username: &str,
    ) -> vaern_store::SubCaseId {
        let actor = self.actor(username).await;
        let input = vaern_domain::process::notification::NewNotificationInput {
            received_at: "2026-01-05T09:00:00+01:00".into(),
            channel: "telefon".into(),
            notifier_kind: "professional".into(),
            notifier_name: "Lise Lærer".into(),
            notifier_organisation: "Værnby Skole".into(),
            text: "Barnet kommer ofte sultent i skole.".into(),
            ..Default::default()
        };
        vaern_app::case_process::register_notification(&self.test.db, &actor, child.id, &input)
            .await
            .unwrap()
            .1
            .id
    }

    /// Opens a decision (Afgørelse) sub-case on a 901 child's case as its caseworker; its id.
    pub async fn a_decision_sub_case(&self, child: &children::Child) -> String {
        let sub_case = self
            .api("raadgiver901")
            .await
            .post_json(
                &format!("/api/v1/children/{}/sub-cases", child.id),
                serde_json::json!({"kind": "decision"}),
            )
            .await;
        sub_case["id"].as_str().unwrap().to_owned()
    }

    /// The documents on a 901 child's case, as its caseworker lists them through the API.
    pub async fn documents_on_case(&self, child: &children::Child) -> Vec<Value> {
        let api = self.api("raadgiver901").await;
        let list = api
            .get_json(&format!("/api/v1/children/{}/documents", child.id))
            .await;
        list["items"].as_array().unwrap().clone()
    }

    /// Files a small PDF on a 901 child's case as its caseworker.
    pub async fn a_document(&self, child: &children::Child) -> vaern_store::DocumentId {
        self.a_titled_document(child, "Skoleudtalelse", false).await
    }

    /// Files a small PDF with this title on a 901 child's case as its caseworker, marked «Må
    /// deles med søskendes sager» when `shareable`.
    pub async fn a_titled_document(
        &self,
        child: &children::Child,
        title: &str,
        shareable: bool,
    ) -> vaern_store::DocumentId {
        self.a_titled_document_as(child, title, shareable, "raadgiver901")
            .await
    }

    /// [`TestApp::a_titled_document`] filed by `username` (on a child of their municipality).
    pub async fn a_titled_document_as(
        &self,
        child: &children::Child,
        title: &str,
        shareable: bool,
        username: &str,
    ) -> vaern_store::DocumentId {
        let actor = self.actor(username).await;
        let files = CaseFiles::new(self.files.store.clone(), MAX_FILE_BYTES);
        let input = vaern_app::documents::UploadInput {
            document: vaern_domain::document::NewDocumentInput {
                title: title.into(),
                kind: "incoming".into(),
                shareable_with_siblings: shareable,
                ..Default::default()
            },
            sub_case: None,
        };
        let file = vaern_app::documents::Received::File {
            name: "udtalelse.pdf".into(),
            content: b"%PDF-1.7\n%%EOF\n".to_vec().into(),
        };
        vaern_app::documents::upload(&self.test.db, &files, &actor, child.id, &input, file)
            .await
            .unwrap()
            .id
    }

    /// Plans a measure of the demo catalogue's offer `offer` (one unit a week) on a 901 child as
    /// its caseworker, from `starts_on` for `days` days.
    pub async fn a_measure(
        &self,
        child: vaern_store::ChildId,
        offer: &str,
        starts_on: time::Date,
        days: i64,
    ) -> vaern_store::measures::Measure {
        let anne = self.actor("raadgiver901").await;
        let offer = vaern_app::economy::offers::catalogue(&self.test.db, &anne)
            .await
            .unwrap()
            .offers
            .into_iter()
            .find(|o| o.name == offer)
            .unwrap_or_else(|| panic!("no offer {offer} in the demo catalogue"));
        let request = vaern_app::economy::measures::NewMeasureRequest {
            measure: vaern_domain::economy::measures::MeasureInput {
                legal_basis: "bl32_1_3".into(),
                offer_id: offer.id.to_string(),
                quantity: "1".into(),
                hours_per: "week".into(),
                starts_on: starts_on.to_string(),
                ends_on: (starts_on + time::Duration::days(days)).to_string(),
                purpose: "Støtte i hverdagen".into(),
            },
            goals: Vec::new(),
        };
        vaern_app::economy::measures::create(&self.test.db, &anne, child, &request)
            .await
            .unwrap()
    }

    /// The app-layer actor for a username.
    pub async fn actor(&self, username: &str) -> vaern_app::Actor {
        let token = self.token(username).await;
        vaern_app::auth::token_actor(&self.test.db, &token)
            .await
            .unwrap()
    }

    pub async fn user_id(&self, code: &str, username: &str) -> UserId {
        let municipality = self.municipality(code).await;
        let mut tx = self.test.db.tenant(municipality).await.unwrap();
        users::list(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.username == username)
            .unwrap()
            .id
    }
}

/// An active person's record in the CPR register, living at `address`.
pub fn registered(
    cpr: &str,
    first_name: &str,
    last_name: &str,
    address: &[&str],
) -> RegisterPerson {
    RegisterPerson {
        cpr: Cpr::parse(cpr).unwrap(),
        first_name: first_name.into(),
        last_name: last_name.into(),
        status: RegisterStatus::Active,
        address: Some(RegisterAddress {
            municipality_code: "0901".into(),
            lines: address.iter().map(|l| (*l).to_owned()).collect(),
        }),
        mother: None,
        father: None,
        custody: Vec::new(),
    }
}

/// The message a problem+json answer gives at `field`.
pub fn field_message(problem: &Value, field: &str) -> Option<String> {
    problem["errors"]
        .as_array()?
        .iter()
        .find(|e| e["field"] == field)
        .map(|e| e["message"].as_str().unwrap().to_owned())
}

/// The HTML of a page fetched with `client`.
pub async fn page_text(client: &Client, url: impl reqwest::IntoUrl) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// The value of the first `name="csrf"` hidden input in a page.
pub fn hidden_csrf(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[at..].split('"').next()?.to_owned())
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// JSON API calls with a bearer token.
pub struct Api {
    pub client: Client,
    base: String,
    auth: String,
}

impl Api {
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Response {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("authorization", &self.auth);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn get_json(&self, path: &str) -> Value {
        self.get(path).await.json().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn post_json(&self, path: &str, body: Value) -> Value {
        self.post(path, body).await.json().await.unwrap()
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    /// A request with a raw body and content type (for malformed input).
    pub async fn post_raw(&self, path: &str, content_type: Option<&str>, body: &str) -> Response {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("authorization", &self.auth)
            .body(body.to_owned());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        request.send().await.unwrap()
    }
}

/// A page parsed, for assertions on the element that carries a fact rather than on text that
/// could be anywhere on the page.
pub struct Page(scraper::Html);

impl Page {
    pub fn parse(html: &str) -> Page {
        Page(scraper::Html::parse_document(html))
    }

    fn select(&self, selector: &str) -> Vec<scraper::ElementRef<'_>> {
        let parsed = scraper::Selector::parse(selector)
            .unwrap_or_else(|e| panic!("bad selector {selector:?}: {e}"));
        self.0.select(&parsed).collect()
    }

    /// The whitespace-normalised text of every element `selector` matches.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        self.select(selector)
            .into_iter()
            .map(|e| e.text().collect::<Vec<_>>().join(" "))
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    /// The text of the one element `selector` matches; fails when there is none or several.
    pub fn text(&self, selector: &str) -> String {
        let found = self.texts(selector);
        assert_eq!(found.len(), 1, "{selector} matched {found:?}");
        found.into_iter().next().unwrap()
    }

    /// The attribute of every element `selector` matches.
    pub fn attrs(&self, selector: &str, attribute: &str) -> Vec<String> {
        self.select(selector)
            .into_iter()
            .filter_map(|e| e.value().attr(attribute).map(str::to_owned))
            .collect()
    }

    /// The message shown at a form field (the `{field}-error` element of the field macro).
    pub fn field_error(&self, field: &str) -> Option<String> {
        self.texts(&format!("#{field}-error")).into_iter().next()
    }

    /// The value of the input named `name` in the form `form` (a selector).
    pub fn input_value(&self, form: &str, name: &str) -> Option<String> {
        self.attrs(&format!("{form} [name=\"{name}\"]"), "value")
            .into_iter()
            .next()
    }

    /// The description (`<dd>`) given for a term (`<dt>`) of a definition list.
    pub fn definition(&self, term: &str) -> Option<String> {
        let dt = scraper::Selector::parse("dt").unwrap();
        self.0.select(&dt).find_map(|e| {
            let text: String = e.text().collect();
            if text.trim() != term {
                return None;
            }
            e.next_siblings()
                .filter_map(scraper::ElementRef::wrap)
                .find(|s| s.value().name() == "dd")
                .map(|dd| {
                    let text: Vec<_> = dd.text().collect();
                    text.join(" ")
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
        })
    }
}
