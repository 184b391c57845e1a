//! The JSON API: shapes, problem+json errors, isolation, append-only journal.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;

fn field_message(problem: &Value, field: &str) -> Option<String> {
    problem["errors"]
        .as_array()?
        .iter()
        .find(|e| e["field"] == field)
        .map(|e| e["message"].as_str().unwrap().to_owned())
}

fn items(list: &Value) -> &Vec<Value> {
    list["items"].as_array().expect("a list with items")
}

mod children {
    use super::*;

    #[tokio::test]
    async fn a_child_is_created_with_birth_date_and_sex_derived_from_the_cpr() {
        let app = TestApp::spawn().await;
        let api = app.api("raadgiver901").await;
        let response = api
            .post(
                "/api/v1/children",
                json!({"cpr": "010107-4001", "first_name": "Bo", "last_name": "Ny"}),
            )
            .await;
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
        let journal = api
            .get_json(&format!(
                "/api/v1/children/{}/journal",
                child["id"].as_str().unwrap()
            ))
            .await;
        let first = &items(&journal)[0];
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
        let api = app.api("raadgiver901").await;
        let first = api
            .post_json(
                "/api/v1/children",
                json!({"cpr": "2304154999", "first_name": "Ea", "last_name": "Lund"}),
            )
            .await;
        let again = api
            .post(
                "/api/v1/children",
                json!({"cpr": "230415-4999", "first_name": "Anden", "last_name": "Stavemåde"}),
            )
            .await;
        assert_eq!(again.status(), StatusCode::OK);
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["existing"], true);
        assert_eq!(again["id"], first["id"]);
        assert_eq!(again["first_name"], "Ea", "the existing child is unchanged");
        assert_eq!(
            items(&api.get_json("/api/v1/children?q=230415-4999").await).len(),
            1
        );
    }

    #[tokio::test]
    async fn a_child_without_cpr_is_created_from_the_birth_date() {
        let app = TestApp::spawn().await;
        let api = app.api("raadgiver901").await;
        let response = api
            .post("/api/v1/children", json!({"first_name": "Amal", "last_name": "Haddad", "birth_date": "2019-03-04", "sex": "female"}))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let child: Value = response.json().await.unwrap();
        assert_eq!(
            (&child["cpr"], &child["birth_date"], &child["sex"]),
            (&Value::Null, &json!("2019-03-04"), &json!("female"))
        );
    }

    #[tokio::test]
    async fn invalid_input_gives_problem_json_with_danish_field_messages_and_stores_nothing() {
        let app = TestApp::spawn().await;
        let api = app.api("raadgiver901").await;
        let response = api
            .post(
                "/api/v1/children",
                json!({"cpr": "290201-4001", "first_name": "", "last_name": "x".repeat(101)}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(
            field_message(&problem, "cpr").unwrap(),
            "CPR-nummeret findes ikke: datoen 29.02.2001 eksisterer ikke"
        );
        assert_eq!(
            field_message(&problem, "first_name").unwrap(),
            "Udfyld fornavn"
        );
        assert!(
            field_message(&problem, "last_name")
                .unwrap()
                .contains("højst være 100 tegn")
        );
        assert!(items(&api.get_json("/api/v1/children?q=290201").await).is_empty());
    }

    #[tokio::test]
    async fn malformed_json_wrong_content_type_and_oversized_bodies_are_problems() {
        let app = TestApp::spawn().await;
        let api = app.api("raadgiver901").await;
        let syntax = api
            .post_raw(
                "/api/v1/children",
                Some("application/json"),
                "{\"first_name\": ",
            )
            .await;
        assert_eq!(syntax.status(), StatusCode::BAD_REQUEST);
        assert_eq!(syntax.headers()["content-type"], "application/problem+json");
        let problem: Value = syntax.json().await.unwrap();
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .starts_with("Forespørgslens JSON kan ikke læses")
        );
        assert_eq!(
            api.post_raw("/api/v1/children", None, "{}").await.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        // serde would read an object's fields from an array by position; the document says
        // object, so an array (or any other non-object) is refused before that.
        for not_an_object in ["[\"Ida\", \"Berg\"]", "\"Ida\"", "null"] {
            let refused = api
                .post_raw("/api/v1/children", Some("application/json"), not_an_object)
                .await;
            assert_eq!(
                refused.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{not_an_object}"
            );
            let problem: Value = refused.json().await.unwrap();
            assert!(
                problem["detail"].as_str().unwrap().contains("JSON-objekt"),
                "{problem}"
            );
        }
        let huge = json!({"first_name": "a".repeat(vaern_web::BODY_LIMIT + 1), "last_name": "b"});
        let too_big = api.post("/api/v1/children", huge).await;
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
        let api = app.api("raadgiver901").await;
        for path in [
            format!("/api/v1/children/{}", uuid::Uuid::new_v4()),
            "/api/v1/children/ikke-et-id".to_owned(),
            format!("/api/v1/children/{}", theirs.id),
            format!("/api/v1/children/{}/journal", theirs.id),
            format!("/api/v1/children/{}/case", theirs.id),
        ] {
            let response = api.get(&path).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{path}"
            );
        }
        let note = api
            .post(
                &format!("/api/v1/children/{}/journal", theirs.id),
                json!({"title": "x", "text": "y"}),
            )
            .await;
        assert_eq!(note.status(), StatusCode::NOT_FOUND);
        let name: String = form_urlencoded::byte_serialize(theirs.full_name().as_bytes()).collect();
        let found = api.get_json(&format!("/api/v1/children?q={name}")).await;
        assert!(
            items(&found)
                .iter()
                .all(|c| c["id"] != theirs.id.to_string())
        );
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

    /// Issue 17 (medium): the journal API answered the newest 100 entries and nothing told that
    /// there were more. A full page now carries `next_before`, which fetches the next, until a
    /// page without one; every entry comes exactly once.
    #[tokio::test]
    async fn the_journal_is_paged_with_a_cursor_to_its_oldest_entry() {
        let app = TestApp::spawn().await;
        let (child, _) = app.a_child("901").await;
        let api = app.api("raadgiver901").await;
        let path = format!("/api/v1/children/{}/journal", child.id);
        let before = items(&api.get_json(&format!("{path}?kind=manual")).await).len();
        for i in 0..vaern_store::journal::PAGE_SIZE {
            let note = api
                .post(
                    &path,
                    json!({"title": format!("Notat {i}"), "text": "Samtale"}),
                )
                .await;
            assert_eq!(note.status(), StatusCode::CREATED);
        }
        let mut seen = std::collections::HashSet::new();
        let mut pages = 0;
        let mut url = format!("{path}?kind=manual");
        loop {
            let page = api.get_json(&url).await;
            pages += 1;
            for entry in items(&page) {
                assert!(
                    seen.insert(entry["id"].as_str().unwrap().to_owned()),
                    "{entry}"
                );
            }
            match page["next_before"].as_str() {
                Some(cursor) => url = format!("{path}?kind=manual&before={cursor}"),
                None => break,
            }
        }
        assert_eq!(
            seen.len(),
            before + vaern_store::journal::PAGE_SIZE as usize
        );
        assert_eq!(pages, 2, "a full page, then the rest without a cursor");

        let all = api.get_json(&path).await;
        let cursor = all["next_before"]
            .as_str()
            .expect("more than 100 with the automatic notes");
        let older = api.get_json(&format!("{path}?before={cursor}")).await;
        assert!(!items(&older).is_empty());
        assert!(older["next_before"].is_null());

        let bad = api.get(&format!("{path}?before=noget-andet")).await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[tokio::test]
    async fn notes_are_written_read_filtered_and_corrected_but_never_changed() {
        let app = TestApp::spawn().await;
        let (child, _) = app.a_child("901").await;
        let api = app.api("raadgiver901").await;
        let path = format!("/api/v1/children/{}/journal", child.id);
        let created = api.post(&path, json!({"title": "Samtale", "text": "<script>alert(1)</script>", "event_date": "2026-01-15"})).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let created: Value = created.json().await.unwrap();
        assert_eq!(
            created["text"], "<script>alert(1)</script>",
            "stored as typed; escaped where shown"
        );
        assert_eq!(created["author_name"], "Anne Sørensen");
        let entry_path = format!("{path}/{}", created["id"].as_str().unwrap());
        for method in [Method::PUT, Method::PATCH, Method::DELETE] {
            let response = api
                .send(method.clone(), &path, Some(json!({"title": "ændret"})))
                .await;
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} on the journal"
            );
            assert!(
                response.headers()["allow"]
                    .to_str()
                    .unwrap()
                    .contains("POST")
            );
            let response = api.send(method.clone(), &entry_path, None).await;
            assert!(
                matches!(
                    response.status(),
                    StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
                ),
                "{method} on an entry"
            );
        }
        let correction = api
            .post_json(
                &path,
                json!({"title": "Rettelse", "text": "Rettet tekst", "corrects_id": created["id"]}),
            )
            .await;
        assert_eq!(correction["corrects_id"], created["id"]);
        let manual = api
            .get_json(&format!("{path}?kind=manual&from=2026-01-15&to=2026-01-15"))
            .await;
        assert_eq!(items(&manual).len(), 1, "{manual}");
        assert_eq!(
            items(&manual)[0]["title"],
            "Samtale",
            "the original is unchanged"
        );
        assert_eq!(items(&manual)[0]["corrected_by_id"], correction["id"]);
        assert_eq!(
            api.get(&format!("{path}?kind=andet")).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }

    #[tokio::test]
    async fn a_correction_of_another_childs_note_is_refused() {
        let app = TestApp::spawn().await;
        let (child, _) = app.a_child("901").await;
        let api = app.api("raadgiver901").await;
        let other = api
            .post_json(
                "/api/v1/children",
                json!({"cpr": "0101104002", "first_name": "X", "last_name": "Y"}),
            )
            .await;
        let other_notes = api
            .get_json(&format!(
                "/api/v1/children/{}/journal",
                other["id"].as_str().unwrap()
            ))
            .await;
        let journal = format!("/api/v1/children/{}/journal", child.id);
        let before = api.get_json(&journal).await;
        let response = api
            .post(
                &journal,
                json!({"title": "x", "text": "y", "corrects_id": items(&other_notes)[0]["id"]}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            api.get_json(&journal).await["items"],
            before["items"],
            "nothing was written on the child"
        );
        let other_after = api
            .get_json(&format!(
                "/api/v1/children/{}/journal",
                other["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(
            other_after["items"], other_notes["items"],
            "the other child's note is not marked corrected"
        );
    }

    #[tokio::test]
    async fn a_future_event_date_and_an_empty_note_are_rejected_at_their_fields() {
        let app = TestApp::spawn().await;
        let (child, _) = app.a_child("901").await;
        let api = app.api("raadgiver901").await;
        let response = api
            .post(
                &format!("/api/v1/children/{}/journal", child.id),
                json!({"title": "", "text": " ", "event_date": "2999-01-01"}),
            )
            .await;
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
        let admin = app.api("admin901").await;
        let new_user = json!({"username": "ny.raadgiver", "name": "Ny Rådgiver", "role": "caseworker", "password": "langt-nok-kodeord"});
        let created = admin.post("/api/v1/users", new_user).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let created: Value = created.json().await.unwrap();
        assert_eq!(created["active"], json!(false), "waits for four eyes");
        assert_eq!(created["pending"]["role"], json!("caseworker"));
        let id = created["id"].as_str().unwrap();
        let own = admin
            .post(&format!("/api/v1/users/{id}/approve"), json!({}))
            .await;
        assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let approved: Value = app
            .api("admin2901")
            .await
            .post(&format!("/api/v1/users/{id}/approve"), json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (&approved["active"], &approved["pending"]),
            (&json!(true), &Value::Null)
        );
        let newcomer = app.api("ny.raadgiver").await;
        assert_eq!(newcomer.get("/api/v1/me").await.status(), StatusCode::OK);
        let changed: Value = admin
            .put(
                &format!("/api/v1/users/{}", created["id"].as_str().unwrap()),
                json!({"role": "team_lead", "active": false}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (&changed["role"], &changed["active"]),
            (&json!("team_lead"), &json!(false))
        );
        assert_eq!(
            newcomer.get("/api/v1/me").await.status(),
            StatusCode::UNAUTHORIZED,
            "a deactivated user's tokens stop working"
        );
        let taken = json!({"username": "raadgiver902", "name": "X", "role": "caseworker", "password": "langt-nok-kodeord"});
        let duplicate = admin.post("/api/v1/users", taken).await;
        assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = duplicate.json().await.unwrap();
        assert_eq!(
            field_message(&problem, "username").unwrap(),
            "Brugernavnet «raadgiver902» er optaget"
        );
        let theirs = app.user_id("902", "raadgiver902").await;
        let other = admin
            .put(
                &format!("/api/v1/users/{theirs}"),
                json!({"role": "admin", "active": true}),
            )
            .await;
        assert_eq!(
            other.status(),
            StatusCode::NOT_FOUND,
            "another municipality's user"
        );
        let changes = admin.get_json("/api/v1/user-changes").await;
        let details: Vec<&str> = items(&changes)
            .iter()
            .map(|c| c["detail"].as_str().unwrap())
            .collect();
        assert!(
            details[0].starts_with("Ændrede Ny Rådgiver: rolle Rådgiver → Teamleder; deaktiveret"),
            "{details:?}"
        );
        assert!(
            details.contains(
                &"Oprettede Ny Rådgiver (ny.raadgiver) som Rådgiver – afventer godkendelse af en anden administrator"
            ),
            "{details:?}"
        );
        let actors: Vec<&str> = items(&changes)
            .iter()
            .map(|c| c["actor_name"].as_str().unwrap())
            .collect();
        assert_eq!(
            actors,
            ["Lene Dahl", "Jens Brix", "Lene Dahl"],
            "who made each change"
        );
        let auditor = app
            .api("revisor901")
            .await
            .get_json("/api/v1/user-changes")
            .await;
        assert_eq!(
            items(&auditor).len(),
            items(&changes).len(),
            "auditors read the same log"
        );
        let listed = admin.get_json("/api/v1/users").await;
        assert!(
            items(&listed)
                .iter()
                .all(|u| u["username"].as_str().unwrap().ends_with("901")
                    || u["username"] == "ny.raadgiver")
        );
    }

    #[tokio::test]
    async fn an_administrator_cannot_deactivate_themselves() {
        let app = TestApp::spawn().await;
        let me = app.user_id("901", "admin901").await;
        let response = app
            .api("admin901")
            .await
            .put(
                &format!("/api/v1/users/{me}"),
                json!({"role": "admin", "active": false}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let users = app.api("admin901").await.get_json("/api/v1/users").await;
        let me = items(&users)
            .iter()
            .find(|u| u["username"] == "admin901")
            .unwrap()
            .clone();
        assert_eq!(
            (me["active"].clone(), me["role"].clone()),
            (json!(true), json!("admin")),
            "still an active administrator: {me}"
        );
    }
}

mod access_log {
    use super::*;

    #[tokio::test]
    async fn reads_searches_and_exports_are_logged_and_only_administrators_and_auditors_see_them() {
        let app = TestApp::spawn().await;
        let (child, _) = app.a_child("901").await;
        let worker = app.api("raadgiver901").await;
        worker.get(&format!("/api/v1/children/{}", child.id)).await;
        worker
            .get(&format!("/api/v1/children?q={}", child.first_name))
            .await;
        assert_eq!(
            worker.get("/api/v1/access-log").await.status(),
            StatusCode::FORBIDDEN
        );

        let admin = app.api("admin901").await;
        let log = admin
            .get_json(&format!("/api/v1/access-log?person_id={}", child.id))
            .await;
        assert!(
            items(&log)
                .iter()
                .any(|r| r["kind"] == "api_read" && r["user_name"] == "Anne Sørensen"),
            "{log}"
        );
        let search = items(&log)
            .iter()
            .find(|r| r["kind"] == "search")
            .expect("the search is logged per person");
        assert_eq!(search["detail"], format!("Søgning: «{}»", child.first_name));

        let csv = admin
            .get(&format!("/api/v1/access-log/export?person_id={}", child.id))
            .await;
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(
            csv.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let csv = csv.text().await.unwrap();
        assert!(csv.contains("Anne Sørensen") && csv.contains(&child.full_name()));
        let exports = admin.get_json("/api/v1/access-log?kind=export").await;
        assert_eq!(
            items(&exports)[0]["kind"],
            "export",
            "the export itself is logged"
        );

        assert_eq!(
            app.api("revisor901")
                .await
                .get("/api/v1/access-log")
                .await
                .status(),
            StatusCode::OK
        );
        let theirs = app
            .api("admin902")
            .await
            .get_json(&format!("/api/v1/access-log?person_id={}", child.id))
            .await;
        assert!(
            items(&theirs).is_empty(),
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
    assert!(
        doc["components"]["schemas"]["ChildDto"].is_object(),
        "schemas are collected"
    );
}

/// Issue 17 (OpenAPI truthfulness): every operation lists the answers the policy layer and the
/// extractors give before its handler runs, each error as problem+json; and the server's real
/// answers of those kinds carry that type.
#[tokio::test]
async fn the_openapi_document_lists_every_error_the_server_gives_as_problem_json() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut wrong = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let mut expected = vec!["401", "403"];
            if operation["requestBody"].is_object() {
                expected.extend(["400", "413", "415", "422"]);
            }
            if path.contains('{') {
                expected.push("404");
            }
            for status in expected {
                if responses.get(status).is_none() {
                    wrong.push(format!("{method} {path}: no {status}"));
                }
            }
            for (status, response) in responses {
                if !status.starts_with('2')
                    && response["content"]["application/problem+json"].is_null()
                {
                    wrong.push(format!("{method} {path} {status}: not problem+json"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let problem_type = |response: &reqwest::Response| {
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let anonymous = reqwest::get(app.url("/api/v1/children")).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(problem_type(&anonymous), "application/problem+json");
    let finance = app.api("oekonomi901").await;
    let forbidden = finance.get("/api/v1/children").await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    assert_eq!(problem_type(&forbidden), "application/problem+json");
    let plain = reqwest::Client::new()
        .post(app.url("/api/v1/users"))
        .header(
            "authorization",
            format!("Bearer {}", app.token("admin901").await),
        )
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(problem_type(&plain), "application/problem+json");
}

mod deadline_rules {
    use super::*;

    #[tokio::test]
    async fn every_rule_is_listed_with_its_legal_reference_and_offset() {
        let app = TestApp::spawn().await;
        let rules = app
            .api("revisor901")
            .await
            .get_json("/api/v1/deadline-rules")
            .await;
        assert_eq!(items(&rules).len(), vaern_domain::process::RULES.len());
        let rule = |id: &str| {
            items(&rules)
                .iter()
                .find(|r| r["id"] == id)
                .cloned()
                .unwrap_or_else(|| panic!("{id}"))
        };
        assert_eq!(
            rule("underretning.vurdering_24t")["offset"],
            json!({"unit": "hours", "amount": 24})
        );
        assert_eq!(
            rule("underretning.kvittering_6hd")["offset"],
            json!({"unit": "working_days", "amount": 6})
        );
        assert_eq!(
            rule("undersoegelse.4mdr")["legal_reference"],
            "Barnets lov § 20, stk. 3"
        );
        assert_eq!(
            rule("afgoerelse.klagefrist_4u")["offset"],
            json!({"unit": "weeks", "amount": 4})
        );
        assert_eq!(rule("afgoerelse.partshoering")["when_due"], "blocking");
    }

    #[tokio::test]
    async fn a_rules_due_instant_is_computed_in_danish_working_days_and_time() {
        let app = TestApp::spawn().await;
        let api = app.api("raadgiver901").await;
        let due = |id: &str, at: &str| {
            let at: String = form_urlencoded::byte_serialize(at.as_bytes()).collect();
            format!("/api/v1/deadline-rules/{id}/due?trigger_at={at}")
        };
        // 6 working days over Christmas in the law's calendar (25.-27.12 are not working days;
        // juleaftensdag is, though the municipality keeps it closed).
        let receipt = api
            .get_json(&due(
                "underretning.kvittering_6hd",
                "2026-12-17T15:00:00+01:00",
            ))
            .await;
        assert_eq!(receipt["due_at"], "2026-12-28T23:59:59+01:00");
        assert_eq!(receipt["legal_reference"], "Barnets lov § 138, stk. 1");
        // The appeal deadline: 4 weeks from receipt, to the next working day (2. juledag, a
        // Saturday, runs to Monday 28.12).
        let appeal = api
            .get_json(&due(
                "afgoerelse.klagefrist_4u",
                "2026-11-28T10:00:00+01:00",
            ))
            .await;
        assert_eq!(appeal["due_at"], "2026-12-28T23:59:59+01:00");
        // 24 elapsed hours across the summer-time change, given in UTC, answered in Danish time.
        let assessment = api
            .get_json(&due("underretning.vurdering_24t", "2026-03-28T09:00:00Z"))
            .await;
        assert_eq!(assessment["due_at"], "2026-03-29T11:00:00+02:00");
        let investigation = api
            .get_json(&due("undersoegelse.4mdr", "2026-10-31T14:00:00+01:00"))
            .await;
        assert_eq!(investigation["due_at"], "2027-02-28T23:59:59+01:00");
        let appeal = api
            .get_json(&due(
                "afgoerelse.klagefrist_4u",
                "2026-11-25T11:00:00+01:00",
            ))
            .await;
        assert_eq!(appeal["due_at"], "2026-12-23T23:59:59+01:00");
    }

    /// Retssikkerhedslovens § 67 with Justitsministeriets vejledning om beregning af
    /// klagefrister (2018): the channel turns the sending time into the moment of receipt —
    /// Digital Post the same moment, a letter 6 working days later — and `trigger_at` says so.
    #[tokio::test]
    async fn rsl_67_the_channel_turns_the_sending_time_into_the_appeal_clocks_start() {
        let app = TestApp::spawn().await;
        let api = app.api("raadgiver901").await;
        let sent: String =
            form_urlencoded::byte_serialize("2026-11-20T10:00:00+01:00".as_bytes()).collect();
        let by = |channel: &str| {
            format!(
                "/api/v1/deadline-rules/afgoerelse.klagefrist_4u/due?channel={channel}&sent_at={sent}"
            )
        };
        // Digital Post on Friday 20.11: received then, 4 weeks to Friday 18.12.
        let digital = api.get_json(&by("digital_post")).await;
        assert_eq!(digital["trigger_at"], "2026-11-20T10:00:00+01:00");
        assert_eq!(digital["due_at"], "2026-12-18T23:59:59+01:00");
        // A letter: 23, 24, 25, 26, 27 and 30.11 → received Monday 30.11, due Monday 28.12.
        let letter = api.get_json(&by("letter")).await;
        assert_eq!(letter["trigger_at"], "2026-11-30T00:00:00+01:00");
        assert_eq!(letter["due_at"], "2026-12-28T23:59:59+01:00");
        let fax = api.get(&by("fax")).await;
        assert_eq!(fax.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = fax.json().await.unwrap();
        assert!(field_message(&problem, "channel").is_some(), "{problem}");
        let other = api
            .get(&format!(
                "/api/v1/deadline-rules/undersoegelse.4mdr/due?channel=letter&sent_at={sent}"
            ))
            .await;
        assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[tokio::test]
    async fn a_bad_trigger_an_unknown_rule_and_a_local_rule_are_explained() {
        let app = TestApp::spawn().await;
        let api = app.api("raadgiver901").await;
        let bad = api
            .get("/api/v1/deadline-rules/undersoegelse.4mdr/due?trigger_at=23.11.2026")
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = bad.json().await.unwrap();
        assert!(
            field_message(&problem, "trigger_at")
                .unwrap()
                .contains("RFC 3339")
        );
        let unknown = api
            .get("/api/v1/deadline-rules/findes.ikke/due?trigger_at=2026-11-23T09:00:00Z")
            .await;
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        let local = api.get("/api/v1/deadline-rules/ansoegning.sagsbehandlingsfrist/due?trigger_at=2026-11-23T09:00:00Z").await;
        assert_eq!(local.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}

mod municipality_rules {
    use super::*;

    fn due(id: &str, at: &str) -> String {
        let at: String = form_urlencoded::byte_serialize(at.as_bytes()).collect();
        format!("/api/v1/deadline-rules/{id}/due?trigger_at={at}")
    }

    #[tokio::test]
    async fn a_stricter_local_standard_applies_and_a_looser_one_does_not() {
        let app = TestApp::spawn().await;
        let admin = app.api("admin901").await;
        let worker = app.api("raadgiver901").await;
        let receipt = due("underretning.kvittering_6hd", "2026-11-23T09:00:00+01:00");
        assert_eq!(
            worker.get_json(&receipt).await["due_at"],
            "2026-12-01T23:59:59+01:00"
        );
        let set = admin
            .put("/api/v1/deadline-rules/underretning.kvittering_6hd/local", json!({"unit": "working_days", "amount": 3, "description": "Servicemål: kvittering inden 3 arbejdsdage"}))
            .await;
        assert_eq!(set.status(), StatusCode::OK);
        assert_eq!(
            worker.get_json(&receipt).await["due_at"],
            "2026-11-26T23:59:59+01:00"
        );
        let rules = worker.get_json("/api/v1/deadline-rules").await;
        let rule = items(&rules)
            .iter()
            .find(|r| r["id"] == "underretning.kvittering_6hd")
            .unwrap();
        assert_eq!(rule["local"]["offset_text"], "3 arbejdsdage");
        admin
            .put(
                "/api/v1/deadline-rules/underretning.kvittering_6hd/local",
                json!({"unit": "working_days", "amount": 10, "description": "For løst"}),
            )
            .await;
        assert_eq!(
            worker.get_json(&receipt).await["due_at"],
            "2026-12-01T23:59:59+01:00",
            "the law still applies"
        );
        let other = app.api("raadgiver902").await.get_json(&receipt).await;
        assert_eq!(
            other["due_at"], "2026-12-01T23:59:59+01:00",
            "another municipality is unaffected"
        );
        let changes = admin.get_json("/api/v1/user-changes").await;
        assert!(
            items(&changes)
                .iter()
                .any(|c| c["action"] == "local_rule_set"),
            "the change is logged"
        );
    }

    /// Retssikkerhedslovens § 3, stk. 2: the municipality sets the application deadline itself.
    #[tokio::test]
    async fn a_deadline_left_to_the_municipality_applies_once_set_and_bad_input_is_explained() {
        let app = TestApp::spawn().await;
        let admin = app.api("admin901").await;
        let path = due(
            "ansoegning.sagsbehandlingsfrist",
            "2026-11-23T09:00:00+01:00",
        );
        assert_eq!(
            admin.get(&path).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        admin
            .put(
                "/api/v1/deadline-rules/ansoegning.sagsbehandlingsfrist/local",
                json!({"unit": "weeks", "amount": 8, "description": "Afgørelse inden 8 uger"}),
            )
            .await;
        assert_eq!(
            admin.get_json(&path).await["due_at"],
            "2027-01-18T23:59:59+01:00"
        );
        let bad = admin
            .put(
                "/api/v1/deadline-rules/afgoerelse.partshoering/local",
                json!({"unit": "years", "amount": 0, "description": ""}),
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = bad.json().await.unwrap();
        assert!(
            field_message(&problem, "rule_id")
                .unwrap()
                .contains("kontrol før handlingen")
        );
        assert!(
            field_message(&problem, "amount").is_some()
                || field_message(&problem, "unit").is_some()
        );
        assert!(field_message(&problem, "description").is_some());
        let removed = admin
            .send(
                Method::DELETE,
                "/api/v1/deadline-rules/ansoegning.sagsbehandlingsfrist/local",
                None,
            )
            .await;
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    }

    /// Issue 16, item 8: the municipality's closed days never make a statutory deadline later;
    /// its own local standards count them.
    #[tokio::test]
    async fn closed_days_never_move_statutory_deadlines_but_local_standards_count_them() {
        let app = TestApp::spawn().await;
        let admin = app.api("admin901").await;
        let worker = app.api("raadgiver901").await;
        let christmas = due("underretning.kvittering_6hd", "2026-12-17T15:00:00+01:00");
        assert_eq!(
            worker.get_json(&christmas).await["due_at"],
            "2026-12-28T23:59:59+01:00"
        );
        let open = admin
            .put(
                "/api/v1/closed-days",
                json!({"grundlovsdag": true, "juleaftensdag": false, "nytaarsaftensdag": true}),
            )
            .await;
        assert_eq!(open.status(), StatusCode::OK);
        assert_eq!(
            worker.get_json(&christmas).await["due_at"],
            "2026-12-28T23:59:59+01:00",
            "opening on juleaftensdag changes nothing: the law counts it anyway"
        );
        // A closed day of its own (Friday 6.3.2026).
        let added = admin
            .post(
                "/api/v1/closed-days/days",
                json!({"day": "2026-03-06", "reason": "Kommunal lukkedag"}),
            )
            .await;
        assert_eq!(added.status(), StatusCode::CREATED);
        let again = admin
            .post(
                "/api/v1/closed-days/days",
                json!({"day": "06.03.2026", "reason": "Igen"}),
            )
            .await;
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (child, _) = app.a_child("901").await;
        let receipt_of = |received: &str| {
            json!({"received_at": received, "channel": "telefon", "notifier_kind": "professional",
                "notifier_name": "Lise Lærer", "notifier_organisation": "Værnby Skole", "text": "Bekymring"})
        };
        let registered = |created: Value| {
            created["sub_case"]["deadlines"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["rule_id"] == "underretning.kvittering_6hd")
                .unwrap()["due_at"]
                .clone()
        };
        let path = format!("/api/v1/children/{}/notifications", child.id);
        // Mon 2.3: 3, 4, 5, 6 (closed, but the law counts it), 9, 10.3 → Tue 10.3.2026.
        let national = worker
            .post_json(&path, receipt_of("2026-03-02T10:00:00+01:00"))
            .await;
        assert_eq!(registered(national), "2026-03-10T22:59:59Z");
        // A local standard of 4 working days counts the closed day: 3, 4, 5, 9.3.
        let local = admin
            .put(
                "/api/v1/deadline-rules/underretning.kvittering_6hd/local",
                json!({"unit": "working_days", "amount": 4, "description": "Kvittering inden 4 arbejdsdage"}),
            )
            .await;
        assert_eq!(local.status(), StatusCode::OK);
        let stricter = worker
            .post_json(&path, receipt_of("2026-03-02T11:00:00+01:00"))
            .await;
        assert_eq!(registered(stricter), "2026-03-09T22:59:59Z");
        let calendar = admin.get_json("/api/v1/closed-days").await;
        assert_eq!(calendar["days"][0]["day"], "2026-03-06");
        assert_eq!(calendar["juleaftensdag"], false);
    }
}
