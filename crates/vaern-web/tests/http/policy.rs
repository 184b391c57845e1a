//! Deny by default, walked: every declared route, tried by every role of the owning
//! municipality, by every role of the other municipality, and anonymously.

use reqwest::{Client, Method, StatusCode};
use serde_json::json;
use vaern_app::demo;
use vaern_domain::Role;
use vaern_web::routes::{Access, ROUTES};

use crate::common::{TestApp, bearer};

struct Target {
    child: String,
    entry: String,
    user: String,
    sub_case: String,
    document: String,
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
}

/// Whether the route's `{id}` names something a municipality owns (so others must get 404).
fn tenant_owned(path: &str) -> bool {
    path.contains("{id}") && !path.starts_with("/api/v1/deadline-rules/")
}

/// Whether the walk's ids name nothing the route can act on, so 404 is a fine answer there too:
/// its sub-case is an Afklaring (no investigation), the child has no plan, and `{key}` names
/// neither a dimension nor a plan.
fn target_may_be_missing(path: &str) -> bool {
    path.contains("/investigation")
        || path.contains("/undersoegelse")
        || path.starts_with("/api/v1/children/{id}/plans/{")
        || path.starts_with("/boern/{id}/plan/")
        || ["{measure}", "{provider}", "{offer}", "{update}", "{run}"]
            .iter()
            .any(|p| path.contains(p))
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
        } else if method == Method::PUT && path.contains("/users/") {
            request = request.json(&json!({"role": "caseworker", "active": true}));
        } else if method != Method::GET {
            request = request.json(&json!({}));
        }
    } else if method == Method::POST {
        let fields: Vec<(&str, &str)> = if path.contains("/journal") {
            vec![("csrf", csrf), ("title", "Rutetest"), ("text", "x")]
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
    let (child, entry) = app.a_child("901").await;
    let target_user = app.user_id("901", "raadgiver2901").await;
    let sub_case = app.an_underretning(&child).await;
    let document = app.a_document(&child).await;
    let target = Target {
        document: document.to_string(),
        child: child.id.to_string(),
        entry: entry.to_string(),
        user: target_user.to_string(),
        sub_case: sub_case.to_string(),
    };
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
    let target = Target {
        child: child.id.to_string(),
        entry: entry.to_string(),
        user: uuid::Uuid::new_v4().to_string(),
        sub_case: uuid::Uuid::new_v4().to_string(),
        document: uuid::Uuid::new_v4().to_string(),
    };
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

#[tokio::test]
async fn a_route_missing_from_the_table_is_refused_for_everyone() {
    // Every routed path is looked up in ROUTES; this checks the lookup refuses what it lacks.
    assert!(vaern_web::routes::lookup("GET", "/boern/{id}/hemmelig").is_none());
    assert!(vaern_web::routes::lookup("DELETE", "/api/v1/children/{id}/journal").is_none());
    assert_eq!(
        vaern_web::routes::lookup("HEAD", "/").map(|r| r.path),
        Some("/")
    );
    assert!(
        Role::ALL
            .iter()
            .all(|role| !role.capabilities().is_empty() || *role == Role::Finance)
    );
}
