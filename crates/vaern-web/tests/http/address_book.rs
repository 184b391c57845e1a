//! The municipality's address book (Adressebog) through the UI and the API, and professionals
//! linked to a child from the Netværk tab: bad input kept at the field, journalled, in the
//! network picture, and only in the own municipality.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestApp, field_message, page_text};

/// A CVR number passing the modulus-11 check, and one failing it.
const CVR: &str = "12345674";
const BAD_CVR: &str = "12345678";

/// Creates an organisation in 901's address book through the API; its id.
async fn an_organisation(app: &TestApp, name: &str) -> String {
    let created = app
        .api("raadgiver901")
        .await
        .post(
            "/api/v1/organisations",
            json!({"name": name, "kind": "school", "cvr": CVR}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let organisation: Value = created.json().await.unwrap();
    organisation["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_caseworker_adds_an_organisation_and_a_bad_cvr_is_kept_at_the_field() {
    let app = TestApp::spawn().await;
    let (client, csrf) = app.login("raadgiver901").await;
    let page = app.url("/adressebog");
    let html = page_text(&client, &page).await;
    assert!(html.contains("Adressebogen er tom"), "{html}");

    let organisation = |cvr: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("name", "Værnby Skole".to_owned()),
            ("kind", "school".to_owned()),
            ("cvr", cvr.to_owned()),
            ("p_number", "1234567890".to_owned()),
            ("address", "Skolevej 1\r\n9999 Værnby".to_owned()),
            ("phone", "99 99 99 99".to_owned()),
        ]
    };
    let refused = client
        .post(&page)
        .form(&organisation(BAD_CVR))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains(
            "id=\"cvr-error\"><span class=\"sr-only\">Fejl: </span>CVR-nummeret findes ikke"
        ),
        "{html}"
    );
    for kept in [
        "name=\"name\" value=\"Værnby Skole\"",
        "name=\"cvr\" value=\"12345678\"",
        "<option value=\"school\" selected>",
        "Skolevej 1\r\n9999 Værnby</textarea>",
    ] {
        assert!(html.contains(kept), "{kept} kept");
    }
    assert!(html.contains("Adressebogen er tom"), "nothing stored");

    let created = client
        .post(&page)
        .form(&organisation(CVR))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert_eq!(created.headers()["location"], "/adressebog?besked=oprettet");
    let html = page_text(&client, app.url("/adressebog?besked=oprettet")).await;
    assert!(html.contains("Organisationen er oprettet i adressebogen"));
    for shown in [
        "<td>Værnby Skole</td>",
        "<td>Skole</td>",
        "CVR 12345674<br>P-nr. 1234567890",
        "Skolevej 1<br>9999 Værnby<br>",
    ] {
        assert!(html.contains(shown), "{shown}: {html}");
    }

    let listed = app
        .api("raadgiver901")
        .await
        .get_json("/api/v1/organisations")
        .await;
    assert_eq!(listed["items"][0]["name"], "Værnby Skole");
    assert_eq!(listed["items"][0]["cvr"], CVR);
    assert_eq!(
        listed["items"][0]["address"],
        json!(["Skolevej 1", "9999 Værnby"])
    );
    let other = app
        .api("raadgiver902")
        .await
        .get_json("/api/v1/organisations")
        .await;
    assert!(
        other["items"].as_array().unwrap().is_empty(),
        "another municipality's address book is its own"
    );
}

#[tokio::test]
async fn the_api_refuses_a_bad_organisation_with_field_errors() {
    let app = TestApp::spawn().await;
    let api = app.api("raadgiver901").await;
    let refused = api
        .post(
            "/api/v1/organisations",
            json!({"name": "", "kind": "bank", "cvr": BAD_CVR, "p_number": "123", "email": "skole@"}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = refused.json().await.unwrap();
    for field in ["name", "kind", "cvr", "p_number", "email"] {
        assert!(
            field_message(&problem, field).is_some(),
            "{field}: {problem}"
        );
    }
    assert!(
        field_message(&problem, "cvr")
            .unwrap()
            .contains("kontrolcifferet"),
        "{problem}"
    );
    assert!(
        api.get_json("/api/v1/organisations").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let created = api
        .post(
            "/api/v1/organisations",
            json!({"name": "Sundhedsplejen", "kind": "health", "cvr": "1234 5674",
                "address": ["Rådhuspladsen 1", "9999 Værnby"]}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let organisation: Value = created.json().await.unwrap();
    assert_eq!(organisation["cvr"], CVR, "spaces are dropped");
    assert_eq!(organisation["kind"], "health");
    let listed = api.get_json("/api/v1/organisations").await;
    assert_eq!(listed["items"][0]["id"], organisation["id"]);
}

#[tokio::test]
async fn a_caseworker_links_a_new_teacher_to_a_child_and_sees_them_in_the_network() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let school = an_organisation(&app, "Værnby Skole").await;
    let (client, csrf) = app.login("raadgiver901").await;
    let form_page = app.url(&format!("/boern/{}/netvaerk/fagperson", child.id));
    let html = page_text(&client, &form_page).await;
    assert!(
        html.contains(&format!("<option value=\"{school}\">Værnby Skole</option>")),
        "{html}"
    );
    assert!(html.contains("<option value=\"teacher\">Lærer</option>"));

    let missing = client
        .post(&form_page)
        .form(&[
            ("csrf", csrf.as_str()),
            ("professional_id", ""),
            ("organisation_id", ""),
            ("name", "Lise Lærer"),
            ("role", "teacher"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = missing.text().await.unwrap();
    assert!(html.contains("id=\"organisation_id-error\""), "{html}");
    assert!(
        html.contains("name=\"name\" value=\"Lise Lærer\"")
            && html.contains("<option value=\"teacher\" selected>"),
        "input kept"
    );

    let added = client
        .post(&form_page)
        .form(&[
            ("csrf", csrf.as_str()),
            ("professional_id", ""),
            ("organisation_id", school.as_str()),
            ("name", "Lise Lærer"),
            ("role", "teacher"),
            ("phone", "12 34 56 78"),
            ("email", "lise@vaernby-skole.dk"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        added.headers()["location"].to_str().unwrap(),
        format!("/boern/{}/netvaerk?besked=fagperson", child.id)
    );
    let html = page_text(&client, app.url(&format!("/boern/{}/netvaerk", child.id))).await;
    assert!(
        html.contains("<td>Lise Lærer</td>\n    <td>Lærer</td>\n    <td>Værnby Skole</td>"),
        "{html}"
    );
    assert!(html.contains("mailto:lise@vaernby-skole.dk"));
    let svg = &html[html.find("<svg").expect("the network picture")..];
    assert!(svg.contains(">Lise Lærer</text>"), "{svg}");
    assert!(svg.contains("Lærer: Lise Lærer"), "in the text alternative");
    assert!(
        svg.contains("stroke-dasharray"),
        "a professional is outside the family"
    );
    let journal = page_text(&client, app.url(&format!("/boern/{}/journal", child.id))).await;
    assert!(
        journal.contains("Netværk ændret")
            && journal.contains("tilknyttede Lise Lærer (lærer, Værnby Skole)"),
        "{journal}"
    );

    let api = app.api("raadgiver901").await;
    let professionals = api.get_json("/api/v1/professionals").await;
    let teacher = professionals["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        professionals["items"][0]["organisation_id"],
        school.as_str()
    );
    let again = client
        .post(&form_page)
        .form(&[
            ("csrf", csrf.as_str()),
            ("professional_id", teacher.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = again.text().await.unwrap();
    assert!(
        html.contains(
            "id=\"professional_id-error\"><span class=\"sr-only\">Fejl: </span>Lise Lærer er \
             allerede tilknyttet barnet"
        ),
        "{html}"
    );
    assert_eq!(
        api.get_json(&format!("/api/v1/children/{}/professionals", child.id))
            .await["items"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "linked once"
    );
    let html = page_text(&client, app.url("/adressebog")).await;
    assert!(html.contains("<li>Lise Lærer (Lærer)</li>"), "{html}");
}

#[tokio::test]
async fn the_api_links_professionals_to_a_child_and_lists_them_with_the_network() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let school = an_organisation(&app, "Værnby Skole").await;
    let api = app.api("raadgiver901").await;
    let path = format!("/api/v1/children/{}/professionals", child.id);
    assert!(
        api.get_json(&path).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let missing = api
        .post(&path, json!({"name": "Lise Lærer", "role": "teacher"}))
        .await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = missing.json().await.unwrap();
    assert!(
        field_message(&problem, "organisation_id").is_some(),
        "{problem}"
    );
    let bad_role = api
        .post(
            &path,
            json!({"organisation_id": school, "name": "Lise Lærer", "role": "rektor"}),
        )
        .await;
    assert_eq!(bad_role.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = bad_role.json().await.unwrap();
    assert!(field_message(&problem, "role").is_some(), "{problem}");

    let created = api
        .post(
            &path,
            json!({"organisation_id": school, "name": "Lise Lærer", "role": "teacher",
                "phone": "12 34 56 78"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let teacher: Value = created.json().await.unwrap();
    assert_eq!(teacher["role"], "teacher");
    assert_eq!(teacher["organisation_name"], "Værnby Skole");

    let listed = api.get_json(&path).await;
    assert_eq!(listed["items"][0]["id"], teacher["id"]);
    let network = api
        .get_json(&format!("/api/v1/children/{}/network", child.id))
        .await;
    assert_eq!(network["professionals"][0]["name"], "Lise Lærer");
    assert_eq!(
        network["professionals"][0]["organisation_id"],
        school.as_str()
    );

    let again = api
        .post(&path, json!({"professional_id": teacher["id"]}))
        .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = again.json().await.unwrap();
    assert!(
        field_message(&problem, "professional_id")
            .unwrap()
            .contains("allerede tilknyttet"),
        "{problem}"
    );

    // Another municipality sees neither the child nor 901's professional.
    let foreign = app.api("raadgiver902").await;
    assert_eq!(foreign.get(&path).await.status(), StatusCode::NOT_FOUND);
    let (own, _) = app.a_child("902").await;
    let borrowed = foreign
        .post(
            &format!("/api/v1/children/{}/professionals", own.id),
            json!({"professional_id": teacher["id"]}),
        )
        .await;
    assert_eq!(borrowed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = borrowed.json().await.unwrap();
    assert!(
        field_message(&problem, "professional_id").is_some(),
        "{problem}"
    );
    let elsewhere = foreign
        .post(
            &format!("/api/v1/children/{}/professionals", own.id),
            json!({"organisation_id": school, "name": "Lise Lærer", "role": "teacher"}),
        )
        .await;
    assert_eq!(elsewhere.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = elsewhere.json().await.unwrap();
    assert!(
        field_message(&problem, "organisation_id").is_some(),
        "{problem}"
    );
    assert!(
        foreign.get_json("/api/v1/professionals").await["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing created in 902's address book"
    );
}
