//! Walking the route table: real ids of one municipality to put into the route patterns, and
//! a request for each route with a body that passes validation where it can.

use reqwest::{Client, Method, StatusCode};
use serde_json::json;

use crate::common::TestApp;

/// The ids a walk puts into the route patterns: all of one municipality, real, so a request
/// reaches its handler rather than a 404 for a malformed or unknown id.
#[derive(Clone)]
pub struct Target {
    pub child: String,
    pub entry: String,
    pub user: String,
    pub sub_case: String,
    pub document: String,
    pub measure: String,
    pub provider: String,
    pub offer: String,
    pub update: String,
    pub run: String,
}

impl Target {
    /// Ids that name nothing in any municipality (for the anonymous walk, which never gets past
    /// the login check).
    pub fn unknown(child: String, entry: String) -> Target {
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
    pub async fn of_901(app: &TestApp) -> Target {
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
        let measure = app.a_measure(child.id, &offer.name, start, 90).await;
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
            vaern_store::access_log::AccessKind::View,
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

pub fn concrete(path: &str, target: &Target) -> String {
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
        .replace("{municipality}", "901")
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
pub async fn send(
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
