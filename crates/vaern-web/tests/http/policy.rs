//! Deny by default, walked: every declared route, tried by every role of the owning
//! municipality, by every role of the other municipality, and anonymously.

use reqwest::{Client, Method, StatusCode};
use serde_json::json;
use vaern_app::demo;
use vaern_web::routes::{Access, ROUTES};

use crate::common::{TestApp, bearer};

/// The ids a walk puts into the route patterns: all of one municipality, real, so a request
/// reaches its handler rather than a 404 for a malformed or unknown id.
#[derive(Clone)]
struct Target {
    child: String,
    entry: String,
    user: String,
    sub_case: String,
    document: String,
    measure: String,
    provider: String,
    offer: String,
    update: String,
    run: String,
}

impl Target {
    /// Ids that name nothing in any municipality (for the anonymous walk, which never gets past
    /// the login check).
    fn unknown(child: String, entry: String) -> Target {
        let none = || uuid::Uuid::new_v4().to_string();
        Target {
            child,
            entry,
            user: none(),
            sub_case: none(),
            document: none(),
            measure: none(),
            provider: none(),
            offer: none(),
            update: none(),
            run: none(),
        }
    }

    /// A municipality 901 caseworker's case with real ids of each kind: the child, a manual
    /// note, an Afklaring sub-case, a document, a measure, and finance's provider, offer, price
    /// update and payment run.
    async fn of_901(app: &TestApp) -> Target {
        let (child, entry) = app.a_child("901").await;
        let sub_case = app.an_underretning(&child).await;
        let document = app.a_document(&child).await;
        let anne = app.actor("raadgiver901").await;
        let finance = app.actor("oekonomi901").await;
        let catalogue = vaern_app::economy::offers::catalogue(&app.test.db, &anne)
            .await
            .unwrap();
        let offer = &catalogue.offers[0];
        let start = vaern_app::today() + time::Duration::days(7);
        let measure = vaern_app::economy::measures::create(
            &app.test.db,
            &anne,
            child.id,
            &vaern_app::economy::measures::NewMeasureRequest {
                measure: vaern_domain::economy::measures::MeasureInput {
                    legal_basis: "bl32_1_3".into(),
                    offer_id: offer.id.to_string(),
                    quantity: "1".into(),
                    hours_per: "week".into(),
                    starts_on: start.to_string(),
                    ends_on: (start + time::Duration::days(90)).to_string(),
                    purpose: "Rutetest".into(),
                },
                goals: Vec::new(),
            },
        )
        .await
        .unwrap();
        let (update, _) = vaern_app::economy::price_updates::apply(
            &app.test.db,
            &finance,
            &vaern_app::economy::price_updates::PriceUpdateInput {
                offer_ids: vec![offer.id.to_string()],
                effective_from: (start + time::Duration::days(30)).to_string(),
                mode: "percent".into(),
                percent: "2".into(),
                amount: String::new(),
                description: "Rutetest".into(),
            },
        )
        .await
        .unwrap();
        let last_month = vaern_app::today() - time::Duration::days(31);
        let run = vaern_app::economy::payments::run(
            &app.test.db,
            &finance,
            &format!("{}-{:02}", last_month.year(), u8::from(last_month.month())),
        )
        .await
        .unwrap();
        Target {
            child: child.id.to_string(),
            entry: entry.to_string(),
            user: app.user_id("901", "raadgiver2901").await.to_string(),
            sub_case: sub_case.to_string(),
            document: document.to_string(),
            measure: measure.id.to_string(),
            provider: offer.provider_id.to_string(),
            offer: offer.id.to_string(),
            update: update.to_string(),
            run: run.id.to_string(),
        }
    }
}

fn concrete(path: &str, target: &Target) -> String {
    if path.starts_with("/api/v1/deadline-rules/") {
        return path.replace("{id}", "undersoegelse.4mdr") + "?trigger_at=2026-11-23T09:00:00Z";
    }
    let id = if path.contains("/users/") || path.contains("/brugere/") {
        &target.user
    } else {
        &target.child
    };
    path.replace("{id}", id)
        .replace("{entry}", &target.entry)
        .replace("{sub}", &target.sub_case)
        .replace("{step}", "screening")
        .replace("{day}", "2026-12-28")
        .replace("{doc}", &target.document)
        .replace("{version}", "1")
        .replace("{key}", "afgoerelse")
        .replace("{measure}", &target.measure)
        .replace("{provider}", &target.provider)
        .replace("{offer}", &target.offer)
        .replace("{update}", &target.update)
        .replace("{run}", &target.run)
        .replace("{format}", "csv")
        .replace("{*path}", "app.css")
}

/// Whether the route's ids name something a municipality owns (so others must get 404).
fn tenant_owned(path: &str) -> bool {
    (path.contains("{id}") && !path.starts_with("/api/v1/deadline-rules/"))
        || ["{provider}", "{offer}", "{update}", "{run}"]
            .iter()
            .any(|p| path.contains(p))
}

/// Whether the walk's ids name nothing the route can act on, so 404 is a fine answer there too:
/// its sub-case is an Afklaring (no investigation), the child has no plan, and `{key}` names
/// neither a dimension nor a plan.
fn target_may_be_missing(path: &str) -> bool {
    path.contains("/investigation")
        || path.contains("/undersoegelse")
        || path.starts_with("/api/v1/children/{id}/plans/{")
        || path.starts_with("/boern/{id}/plan/")
}

/// Whether a concrete path matches a route pattern (`{…}` matches one segment).
fn concrete_like(pattern: &str, path: &str) -> bool {
    let (pattern, path): (Vec<_>, Vec<_>) =
        (pattern.split('/').collect(), path.split('/').collect());
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| p.starts_with('{') || p == s)
}

/// A body that passes validation where possible, so allowed requests reach the id lookup.
async fn send(
    app: &TestApp,
    client: &Client,
    auth: Option<&str>,
    csrf: &str,
    method: &str,
    path: &str,
) -> StatusCode {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client.request(method.clone(), app.url(path));
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    if method == Method::POST
        && vaern_web::routes::UPLOADS
            .iter()
            .any(|u| concrete_like(u, path))
    {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_owned())
            .text("title", "Rutetest")
            .text("kind", "internal")
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"%PDF-1.7\n%%EOF\n".to_vec())
                    .file_name("rutetest.pdf"),
            );
        request = request.multipart(form);
    } else if path.starts_with("/api/") {
        if method == Method::POST && path.ends_with("/journal") {
            request = request.json(&json!({"title": "Rutetest", "text": "x"}));
        } else if method == Method::POST && path.ends_with("/offers") {
            request = request.json(&json!({"name": "Rutetest", "unit": "hour"}));
        } else if method == Method::PUT && path.contains("/users/") {
            request = request.json(&json!({"role": "caseworker", "active": true}));
        } else if method != Method::GET {
            request = request.json(&json!({}));
        }
    } else if method == Method::POST {
        // The offer form names its fields after the provider (several forms on one page).
        let provider = path.split('/').nth(2).unwrap_or_default();
        let (offer_name, unit) = (format!("offer_name_{provider}"), format!("unit_{provider}"));
        let fields: Vec<(&str, &str)> = if path.contains("/journal") {
            vec![("csrf", csrf), ("title", "Rutetest"), ("text", "x")]
        } else if path.ends_with("/tilbud") {
            vec![("csrf", csrf), (&offer_name, "Rutetest"), (&unit, "hour")]
        } else if path.contains("/brugere/") {
            vec![("csrf", csrf), ("role", "caseworker"), ("active", "on")]
        } else {
            vec![("csrf", csrf)]
        };
        request = request.form(&fields);
    }
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn every_route_with_every_role_and_municipality() {
    let app = TestApp::spawn().await;
    let target = Target::of_901(&app).await;
    let mut failures = Vec::new();
    for login in demo::logins() {
        if login.username == "raadgiver2901" {
            continue; // the target of the user routes
        }
        let own = login.username.ends_with("901");
        let (session, csrf) = app.login(&login.username).await;
        let token = bearer(&app.token(&login.username).await);
        for route in ROUTES.iter().filter(|r| r.path != "/logout") {
            let path = concrete(route.path, &target);
            let api = path.starts_with("/api/");
            let status = send(
                &app,
                &session,
                api.then_some(token.as_str()),
                &csrf,
                route.method,
                &path,
            )
            .await;
            let allowed = match route.access {
                Access::Public | Access::Authenticated => true,
                Access::Needs(capability) => login.role.can(capability),
            };
            let expected_ok = if !allowed {
                status == StatusCode::FORBIDDEN
            } else if !own && tenant_owned(route.path) {
                status == StatusCode::NOT_FOUND
            } else if route.method == "GET" && route.path.ends_with("/decision") {
                // The target sub-case is an Afklaring: it has no decision, so 404 is the answer.
                status == StatusCode::NOT_FOUND
            } else if target_may_be_missing(route.path) {
                !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                    && !status.is_server_error()
            } else {
                !matches!(
                    status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                ) && !status.is_server_error()
            };
            if !expected_ok {
                failures.push(format!(
                    "{} ({:?}) {} {path} → {status}",
                    login.username, login.role, route.method
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "unexpected answers:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn anonymous_requests_reach_only_public_routes() {
    let app = TestApp::spawn().await;
    let (child, entry) = app.a_child("901").await;
    let target = Target::unknown(child.id.to_string(), entry.to_string());
    let client = app.anonymous();
    for route in ROUTES {
        let path = concrete(route.path, &target);
        let status = send(&app, &client, None, "", route.method, &path).await;
        let refused = if path.starts_with("/api/") {
            status == StatusCode::UNAUTHORIZED
        } else {
            status == StatusCode::SEE_OTHER
        };
        if route.access == Access::Public {
            assert!(
                !refused || route.path == "/login",
                "{} {path} is public but got {status}",
                route.method
            );
        } else {
            assert!(
                refused,
                "{} {path} needs a login but got {status}",
                route.method
            );
        }
    }
}

/// The routes anyone, or any logged-in user whatever their role, may use. A new route that
/// needs no capability must be added here on purpose.
#[test]
fn the_routes_open_to_anyone_or_any_login_are_exactly_these() {
    let open: Vec<String> = ROUTES
        .iter()
        .filter(|r| !matches!(r.access, Access::Needs(_)))
        .map(|r| format!("{} {} {:?}", r.method, r.path, r.access))
        .collect();
    assert_eq!(
        open,
        [
            "GET /login Public",
            "POST /login Public",
            "POST /logout Authenticated",
            "GET /healthz Public",
            "GET /readyz Public",
            "GET /metrics Public",
            "GET /static/{*path} Public",
            "GET / Authenticated",
            "GET /frister Authenticated",
            "GET /api/v1/openapi.json Public",
            "GET /api/v1/me Authenticated",
            "GET /api/v1/deadline-rules Authenticated",
            "GET /api/v1/deadline-rules/{id}/due Authenticated",
        ]
    );
}

/// A caseworker's own child with the other municipality's sub-case, document, note or measure:
/// the route must not reach into the other municipality (404), whichever way it is asked.
#[tokio::test]
async fn my_child_with_their_ids_is_not_found() {
    let app = TestApp::spawn().await;
    let mine = Target::of_901(&app).await;
    let (their_child, their_entry) = app.a_child("902").await;
    let theirs = Target {
        sub_case: app
            .an_underretning_as(&their_child, "raadgiver902")
            .await
            .to_string(),
        document: app
            .a_titled_document_as(&their_child, "Deres dokument", false, "raadgiver902")
            .await
            .to_string(),
        entry: their_entry.to_string(),
        ..mine.clone()
    };
    let mixed = Target {
        child: mine.child.clone(),
        ..theirs
    };
    let (session, csrf) = app.login("raadgiver901").await;
    let token = bearer(&app.token("raadgiver901").await);
    let mut failures = Vec::new();
    let mut tried = 0;
    for route in ROUTES.iter().filter(|r| {
        ["{sub}", "{doc}", "{entry}"]
            .iter()
            .any(|p| r.path.contains(p))
    }) {
        let path = concrete(route.path, &mixed);
        let api = path.starts_with("/api/");
        let status = send(
            &app,
            &session,
            api.then_some(token.as_str()),
            &csrf,
            route.method,
            &path,
        )
        .await;
        tried += 1;
        if status != StatusCode::NOT_FOUND {
            failures.push(format!("{} {path} → {status}", route.method));
        }
    }
    assert!(
        tried > 30,
        "only {tried} routes take a sub-case, document or note"
    );
    assert!(
        failures.is_empty(),
        "another municipality's ids reached:\n{}",
        failures.join("\n")
    );
}
