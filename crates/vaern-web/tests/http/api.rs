//! The JSON API: shapes, problem+json errors, isolation, append-only journal.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestApp, bearer};

async fn caseworker(app: &TestApp) -> String {
    bearer(&app.token("raadgiver901").await)
}

mod children {
    use super::*;

    #[tokio::test]
    async fn a_child_is_created_with_birth_date_and_sex_derived_from_the_cpr() {
        let app = TestApp::spawn().await;
        let auth = caseworker(&app).await;
        let client = reqwest::Client::new();
        let response = client
            .post(app.url("/api/v1/children"))
            .header("authorization", &auth)
            .json(&json!({"cpr": "010107-4001", "first_name": "Bo", "last_name": "Ny"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let child: Value = response.json().await.unwrap();
        assert_eq!(
            child["birth_date"], "2007-01-01",
            "century from digit 7; modulus 11 not required"
        );
        assert_eq!(child["sex"], "male");
        assert_eq!(child["existing"], false);
        assert!(
            child["case"]["case_number"]
                .as_str()
                .unwrap()
                .starts_with("901-")
        );
        let id = child["id"].as_str().unwrap();
        let journal: Value = client
            .get(app.url(&format!("/api/v1/children/{id}/journal")))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let first = &journal["items"][0];
        assert_eq!(
            first["kind"], "automatic",
            "opening the case writes an automatic note"
        );
        assert_eq!(first["title"], "Barnets sag oprettet");
        assert!(
            first["text"].as_str().unwrap().contains("Anne Sørensen"),
            "who: {first}"
        );
    }

    #[tokio::test]
    async fn a_registered_cpr_returns_the_existing_child_instead_of_a_duplicate() {
        let app = TestApp::spawn().await;
        let auth = caseworker(&app).await;
        let client = reqwest::Client::new();
        let body = json!({"cpr": "2304154999", "first_name": "Ea", "last_name": "Lund"});
        let first: Value = client
            .post(app.url("/api/v1/children"))
            .header("authorization", &auth)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let again = client
            .post(app.url("/api/v1/children"))
            .header("authorization", &auth)
            .json(&json!({"cpr": "230415-4999", "first_name": "Anden", "last_name": "Stavemåde"}))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::OK);
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["existing"], true);
        assert_eq!(again["id"], first["id"]);
        assert_eq!(again["first_name"], "Ea", "the existing child is unchanged");
        let found: Value = client
            .get(app.url("/api/v1/children?q=230415-4999"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(found["items"].as_array().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_child_without_cpr_is_created_from_the_birth_date() {
        let app = TestApp::spawn().await;
        let client = reqwest::Client::new();
        let response = client.post(app.url("/api/v1/children")).header("authorization", caseworker(&app).await)
            .json(&json!({"first_name": "Amal", "last_name": "Haddad", "birth_date": "2019-03-04", "sex": "female"}))
            .send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let child: Value = response.json().await.unwrap();
        assert_eq!(child["cpr"], Value::Null);
        assert_eq!(child["birth_date"], "2019-03-04");
        assert_eq!(child["sex"], "female");
    }

    #[tokio::test]
    async fn invalid_input_gives_problem_json_with_danish_field_messages_and_stores_nothing() {
        let app = TestApp::spawn().await;
        let auth = caseworker(&app).await;
        let client = reqwest::Client::new();
        let response = client
            .post(app.url("/api/v1/children"))
            .header("authorization", &auth)
            .json(&json!({"cpr": "290201-4001", "first_name": "", "last_name": "x".repeat(101)}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        let message = |field: &str| {
            problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["field"] == field)
                .map(|e| e["message"].as_str().unwrap().to_owned())
        };
        assert_eq!(
            message("cpr").unwrap(),
            "CPR-nummeret findes ikke: datoen 29.02.2001 eksisterer ikke"
        );
        assert_eq!(message("first_name").unwrap(), "Udfyld fornavn");
        assert!(
            message("last_name")
                .unwrap()
                .contains("højst være 100 tegn")
        );
        let found: Value = client
            .get(app.url("/api/v1/children?q=290201"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(found["items"].as_array().unwrap().is_empty());
    }

    #[tokio::test]
    async fn malformed_json_wrong_content_type_and_oversized_bodies_are_problems() {
        let app = TestApp::spawn().await;
        let auth = caseworker(&app).await;
        let client = reqwest::Client::new();
        let url = app.url("/api/v1/children");
        let syntax = client
            .post(&url)
            .header("authorization", &auth)
            .header("content-type", "application/json")
            .body("{\"first_name\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(syntax.status(), StatusCode::BAD_REQUEST);
        assert_eq!(syntax.headers()["content-type"], "application/problem+json");
        let problem: Value = syntax.json().await.unwrap();
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .starts_with("Forespørgslens JSON kan ikke læses")
        );
        let wrong_type = client
            .post(&url)
            .header("authorization", &auth)
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let huge = json!({"first_name": "a".repeat(vaern_web::BODY_LIMIT + 1), "last_name": "b"});
        let too_big = client
            .post(&url)
            .header("authorization", &auth)
            .json(&huge)
            .send()
            .await
            .unwrap();
        assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            too_big.headers()["content-type"],
            "application/problem+json"
        );
    }

    #[tokio::test]
    async fn unknown_malformed_and_other_municipalities_ids_are_404() {
        let app = TestApp::spawn().await;
        let (theirs, _) = app.a_child("902").await;
        let auth = caseworker(&app).await;
        let client = reqwest::Client::new();
        for path in [
            format!("/api/v1/children/{}", uuid::Uuid::new_v4()),
            "/api/v1/children/ikke-et-id".to_owned(),
            format!("/api/v1/children/{}", theirs.id),
            format!("/api/v1/children/{}/journal", theirs.id),
            format!("/api/v1/children/{}/case", theirs.id),
        ] {
            let response = client
                .get(app.url(&path))
                .header("authorization", &auth)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{path}"
            );
        }
        let note = client
            .post(app.url(&format!("/api/v1/children/{}/journal", theirs.id)))
            .header("authorization", &auth)
            .json(&json!({"title": "x", "text": "y"}))
            .send()
            .await
            .unwrap();
        assert_eq!(note.status(), StatusCode::NOT_FOUND);
        let found: Value = client
            .get(app.url(&format!(
                "/api/v1/children?q={}",
                urlencode(&theirs.full_name())
            )))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            found["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["id"] != theirs.id.to_string())
        );
    }

    fn urlencode(value: &str) -> String {
        form_urlencoded::byte_serialize(value.as_bytes()).collect()
    }

    #[tokio::test]
    async fn requests_without_a_valid_token_are_401() {
        let app = TestApp::spawn().await;
        let client = reqwest::Client::new();
        let none = client
            .get(app.url("/api/v1/children?q=a"))
            .send()
            .await
            .unwrap();
        assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(none.headers()["www-authenticate"], "Bearer");
        let wrong = client
            .get(app.url("/api/v1/children?q=a"))
            .header("authorization", "Bearer vaern_forkert")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
}

mod journal {
    use super::*;

    #[tokio::test]
    async fn notes_are_written_read_filtered_and_corrected_but_never_changed() {
        let app = TestApp::spawn().await;
        let (child, _) = app.a_child("901").await;
        let auth = caseworker(&app).await;
        let client = reqwest::Client::new();
        let url = app.url(&format!("/api/v1/children/{}/journal", child.id));
        let created = client.post(&url).header("authorization", &auth)
            .json(&json!({"title": "Samtale", "text": "<script>alert(1)</script>", "event_date": "2026-01-15"}))
            .send().await.unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        let created: Value = created.json().await.unwrap();
        assert_eq!(
            created["text"], "<script>alert(1)</script>",
            "stored as typed; escaped where shown"
        );
        assert_eq!(created["author_name"], "Anne Sørensen");
        let entry_url = format!("{url}/{}", created["id"].as_str().unwrap());
        for method in [
            reqwest::Method::PUT,
            reqwest::Method::PATCH,
            reqwest::Method::DELETE,
        ] {
            let response = client
                .request(method.clone(), &url)
                .header("authorization", &auth)
                .json(&json!({"title": "ændret"}))
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} on the journal"
            );
            let response = client
                .request(method.clone(), &entry_url)
                .header("authorization", &auth)
                .send()
                .await
                .unwrap();
            assert!(
                matches!(
                    response.status(),
                    StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
                ),
                "{method} on an entry"
            );
        }
        let correction: Value = client
            .post(&url)
            .header("authorization", &auth)
            .json(
                &json!({"title": "Rettelse", "text": "Rettet tekst", "corrects_id": created["id"]}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(correction["corrects_id"], created["id"]);
        let manual: Value = client
            .get(format!("{url}?kind=manual&from=2026-01-15&to=2026-01-15"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = manual["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{manual}");
        assert_eq!(items[0]["title"], "Samtale", "the original is unchanged");
        assert_eq!(items[0]["corrected_by_id"], correction["id"]);
        let bad = client
            .get(format!("{url}?kind=andet"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[tokio::test]
    async fn a_correction_of_another_childs_note_is_refused() {
        let app = TestApp::spawn().await;
        let (child, _) = app.a_child("901").await;
        let auth = caseworker(&app).await;
        let client = reqwest::Client::new();
        let other: Value = client
            .post(app.url("/api/v1/children"))
            .header("authorization", &auth)
            .json(&json!({"cpr": "0101104002", "first_name": "X", "last_name": "Y"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let other_note: Value = client
            .get(app.url(&format!(
                "/api/v1/children/{}/journal",
                other["id"].as_str().unwrap()
            )))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let response = client
            .post(app.url(&format!("/api/v1/children/{}/journal", child.id)))
            .header("authorization", &auth)
            .json(&json!({"title": "x", "text": "y", "corrects_id": other_note["items"][0]["id"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn a_future_event_date_and_an_empty_note_are_rejected_at_their_fields() {
        let app = TestApp::spawn().await;
        let (child, _) = app.a_child("901").await;
        let response = reqwest::Client::new()
            .post(app.url(&format!("/api/v1/children/{}/journal", child.id)))
            .header("authorization", caseworker(&app).await)
            .json(&json!({"title": "", "text": " ", "event_date": "2999-01-01"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = response.json().await.unwrap();
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["title", "text", "event_date"]);
    }
}

mod administration {
    use super::*;

    #[tokio::test]
    async fn an_administrator_creates_changes_and_deactivates_users_of_their_municipality() {
        let app = TestApp::spawn().await;
        let auth = bearer(&app.token("admin901").await);
        let client = reqwest::Client::new();
        let created = client.post(app.url("/api/v1/users")).header("authorization", &auth)
            .json(&json!({"username": "ny.raadgiver", "name": "Ny Rådgiver", "role": "caseworker", "password": "langt-nok-kodeord"}))
            .send().await.unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        let created: Value = created.json().await.unwrap();
        let token = app.token("ny.raadgiver").await;
        let me = client
            .get(app.url("/api/v1/me"))
            .header("authorization", bearer(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), StatusCode::OK);
        let changed: Value = client
            .put(app.url(&format!(
                "/api/v1/users/{}",
                created["id"].as_str().unwrap()
            )))
            .header("authorization", &auth)
            .json(&json!({"role": "team_lead", "active": false}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(changed["role"], "team_lead");
        assert_eq!(changed["active"], false);
        let after = client
            .get(app.url("/api/v1/me"))
            .header("authorization", bearer(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(
            after.status(),
            StatusCode::UNAUTHORIZED,
            "a deactivated user's tokens stop working"
        );
        let duplicate = client.post(app.url("/api/v1/users")).header("authorization", &auth)
            .json(&json!({"username": "raadgiver902", "name": "X", "role": "caseworker", "password": "langt-nok-kodeord"}))
            .send().await.unwrap();
        assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let theirs = app.user_id("902", "raadgiver902").await;
        let other = client
            .put(app.url(&format!("/api/v1/users/{theirs}")))
            .header("authorization", &auth)
            .json(&json!({"role": "admin", "active": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            other.status(),
            StatusCode::NOT_FOUND,
            "another municipality's user"
        );
        let listed: Value = client
            .get(app.url("/api/v1/users"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            listed["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|u| u["username"].as_str().unwrap().ends_with("901")
                    || u["username"] == "ny.raadgiver")
        );
    }

    #[tokio::test]
    async fn an_administrator_cannot_deactivate_themselves() {
        let app = TestApp::spawn().await;
        let me = app.user_id("901", "admin901").await;
        let response = reqwest::Client::new()
            .put(app.url(&format!("/api/v1/users/{me}")))
            .header("authorization", bearer(&app.token("admin901").await))
            .json(&json!({"role": "admin", "active": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}

mod access_log {
    use super::*;

    #[tokio::test]
    async fn reads_searches_and_exports_are_logged_and_only_administrators_and_auditors_see_them() {
        let app = TestApp::spawn().await;
        let (child, _) = app.a_child("901").await;
        let auth = caseworker(&app).await;
        let client = reqwest::Client::new();
        client
            .get(app.url(&format!("/api/v1/children/{}", child.id)))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        client
            .get(app.url(&format!("/api/v1/children?q={}", child.first_name)))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        let denied = client
            .get(app.url("/api/v1/access-log"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(denied.status(), StatusCode::FORBIDDEN);
        let admin = bearer(&app.token("admin901").await);
        let log: Value = client
            .get(app.url(&format!("/api/v1/access-log?person_id={}", child.id)))
            .header("authorization", &admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = log["items"].as_array().unwrap();
        assert!(
            items
                .iter()
                .any(|r| r["kind"] == "api_read" && r["user_name"] == "Anne Sørensen"),
            "{log}"
        );
        let search = items
            .iter()
            .find(|r| r["kind"] == "search")
            .expect("the search is logged per person");
        assert_eq!(search["detail"], format!("Søgning: «{}»", child.first_name));
        let csv = client
            .get(app.url(&format!("/api/v1/access-log/export?person_id={}", child.id)))
            .header("authorization", &admin)
            .send()
            .await
            .unwrap();
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(
            csv.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let csv = csv.text().await.unwrap();
        assert!(csv.contains("Anne Sørensen") && csv.contains(&child.full_name()));
        let after: Value = client
            .get(app.url("/api/v1/access-log?kind=export"))
            .header("authorization", &admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            after["items"][0]["kind"], "export",
            "the export itself is logged"
        );
        let auditor = bearer(&app.token("revisor901").await);
        let read = client
            .get(app.url("/api/v1/access-log"))
            .header("authorization", &auditor)
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), StatusCode::OK);
        let other_admin = bearer(&app.token("admin902").await);
        let theirs: Value = client
            .get(app.url(&format!("/api/v1/access-log?person_id={}", child.id)))
            .header("authorization", &other_admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            theirs["items"].as_array().unwrap().is_empty(),
            "another municipality sees none of it"
        );
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_core_paths() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/children",
        "/api/v1/children/{id}",
        "/api/v1/children/{id}/journal",
        "/api/v1/users",
        "/api/v1/access-log",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(
        doc["paths"]["/api/v1/children/{id}/journal"]["put"].is_null(),
        "no PUT on the journal"
    );
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}
