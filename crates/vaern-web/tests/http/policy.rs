//! Deny by default, walked: every declared route, tried by every role of the owning
//! municipality, by every role of the other municipality, and anonymously.

use reqwest::StatusCode;
use vaern_app::demo;
use vaern_web::routes::{Access, ROUTES};

use crate::{
    common::{TestApp, bearer},
    walk::{Target, concrete, send},
};
/// Whether the route's ids name something a municipality owns (so others must get 404).
fn tenant_owned(path: &str) -> bool {
    (path.contains("{id}") && !path.starts_with("/api/v1/deadline-rules/"))
        || ["{provider}", "{offer}", "{update}", "{run}"]
            .iter()
            .any(|p| path.contains(p))
}

/// Whether the walk's ids name nothing the route can act on, so 404 is a fine answer there too:
/// its sub-case is an Afklaring (no investigation), the child has no plan, and `{key}` names
/// neither a dimension nor a plan, and single sign-on is not set up.
fn target_may_be_missing(path: &str) -> bool {
    path.starts_with("/login/sso/")
        || path.starts_with("/login/saml/")
        || path.contains("/investigation")
        || path.contains("/undersoegelse")
        || path.starts_with("/api/v1/children/{id}/plans/{")
        || path.starts_with("/boern/{id}/plan/")
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
                Access::Operator => false,
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
        let refused = if route.access == Access::Operator {
            status == StatusCode::FORBIDDEN
        } else if path.starts_with("/api/") {
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
            "GET /login/sso/{municipality} Public",
            "GET /login/sso/{municipality}/callback Public",
            "GET /login/saml/{municipality} Public",
            "POST /login/saml/{municipality}/acs Public",
            "GET /login/saml/{municipality}/metadata Public",
            "GET /login/saml/{municipality}/slo Public",
            "GET /healthz Public",
            "GET /readyz Public",
            "GET /metrics Operator",
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
