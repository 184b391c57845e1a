//! Letters: administrators' templates checked at save time, letters made on a case and filed as
//! documents with their data, and the cases where a letter cannot be made.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestApp, hidden_csrf, page_text};

fn decision_fields(outcome: &str) -> Value {
    json!({
        "udfald": outcome,
        "afgoerelse": "Kommunen bevilger familiebehandling 2 timer om ugen.",
        "lovgrundlag": "barnets lov § 32, stk. 1, nr. 3",
        "begrundelse": "Familien har brug for støtte til struktur i hverdagen.",
    })
}

#[tokio::test]
async fn an_administrator_saves_a_template_only_when_its_fields_are_known() {
    let app = TestApp::spawn().await;
    let (client, csrf) = app.login("admin901").await;
    let page = app.url("/admin/brevskabeloner/afgoerelse");
    let editor = page_text(&client, &page).await;
    assert!(editor.contains("brev.begrundelse") && editor.contains("Klagevejledning"));

    for (body, message) in [
        (
            "Kære {{ modtager.navnn }}",
            "Ukendt flettefelt «{{ modtager.navnn }}»",
        ),
        ("Kære {{ modtager.navn }", "syntaksfejl i linje 1"),
    ] {
        let refused = client
            .post(&page)
            .form(&[
                ("csrf", csrf.as_str()),
                ("title", "Afgørelse"),
                ("body", body),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text().await.unwrap();
        assert!(html.contains(message), "{message} in the page");
        assert!(html.contains("modtager.navn"), "the typed text is kept");
    }
    let api = app.api("admin901").await;
    let templates = api.get_json("/api/v1/letter-templates").await;
    let decision = templates["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "afgoerelse")
        .unwrap()
        .clone();
    assert_eq!(decision["version"], Value::Null, "nothing was saved");

    let body = format!(
        "{}\nVores egen tilføjelse.",
        decision["body"].as_str().unwrap()
    );
    let submit = |url: String| {
        client
            .post(url)
            .form(&[
                ("csrf", csrf.as_str()),
                ("title", "Afgørelse"),
                ("body", &body),
            ])
            .send()
    };
    let preview = submit(format!("{page}/forhaandsvisning")).await.unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    assert_eq!(preview.headers()["content-type"], "application/pdf");
    assert!(preview.bytes().await.unwrap().starts_with(b"%PDF-"));

    let saved = submit(page.clone()).await.unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let list = page_text(&client, app.url("/admin/brevskabeloner")).await;
    assert!(list.contains("Version 1 af"), "{list}");

    let put = api
        .put(
            "/api/v1/letter-templates/afgoerelse",
            json!({"title": "Afgørelse", "body": "{{ brev.findes_ikke }}"}),
        )
        .await;
    assert_eq!(put.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = put.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "body");
}

#[tokio::test]
async fn a_decision_letter_is_filed_with_the_data_and_template_version_it_was_made_from() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let admin = app.api("admin901").await;
    let standard = admin.get_json("/api/v1/letter-templates").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "afgoerelse")
        .unwrap()["body"]
        .clone();
    let saved = admin
        .put(
            "/api/v1/letter-templates/afgoerelse",
            json!({"title": "Afgørelse", "body": standard}),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);

    let api = app.api("raadgiver901").await;
    let created = api
        .post(
            &format!("/api/v1/children/{}/letters", child.id),
            json!({
                "template": "afgoerelse",
                "recipient": "anden",
                "recipient_name": "Mette Hansen",
                "recipient_address": "Skolevej 2\n9999 Værnby",
                "fields": decision_fields("afslag"),
            }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(
        created["items"].as_array().unwrap().len(),
        1,
        "one recipient, one letter"
    );
    let created = &created["items"][0];
    assert_eq!(created["kind"], "decision");
    assert_eq!(created["media_type"], "application/pdf");
    assert!(created["title"].as_str().unwrap().contains("Mette Hansen"));

    let doc = format!(
        "/api/v1/children/{}/documents/{}",
        child.id,
        created["id"].as_str().unwrap()
    );
    let shown = api.get_json(&doc).await;
    let record = &shown["versions"][0]["letter_data"];
    assert_eq!(record["template_key"], "afgoerelse");
    assert_eq!(
        record["template_version"], 1,
        "the municipality's own version"
    );
    assert_eq!(
        record["merge_data"]["modtager"]["adresse"][1],
        "9999 Værnby"
    );
    assert_eq!(record["merge_data"]["barn"]["navn"], child.full_name());
    let pdf = api.get(&format!("{doc}/versions/1/content")).await;
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));

    let docx = api
        .post(
            &format!("/api/v1/children/{}/letters", child.id),
            json!({
                "template": "afgoerelse", "recipient": "anden", "format": "docx",
                "recipient_name": "Mette Hansen", "recipient_address": "Skolevej 2",
                "fields": decision_fields("bevilling"),
            }),
        )
        .await;
    assert_eq!(docx.status(), StatusCode::CREATED);
    let docx: Value = docx.json().await.unwrap();
    let docx = &docx["items"][0];
    assert_eq!(
        docx["media_type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
}

#[tokio::test]
async fn a_letter_without_what_it_needs_is_refused_and_nothing_is_filed() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let path = format!("/api/v1/children/{}/letters", child.id);
    let cases = [
        (
            json!({"template": "afgoerelse", "recipient": "foraeldremyndighed", "fields": decision_fields("afslag")}),
            "recipient",
            "ingen forældremyndighedsindehavere med adresse",
        ),
        (
            json!({"template": "afgoerelse", "recipient": "anden", "recipient_name": "Mette", "fields": decision_fields("afslag")}),
            "recipient_address",
            "Skriv modtagerens adresse",
        ),
        (
            json!({"template": "afgoerelse", "recipient": "anden", "recipient_name": "M", "recipient_address": "Vej 1",
                   "fields": {"udfald": "måske", "afgoerelse": "x", "lovgrundlag": "y"}}),
            "fields.begrundelse",
            "Udfyld «Begrundelse»",
        ),
        (
            json!({"template": "kvittering_underretning"}),
            "sub_case",
            "Vælg den delsag med underretningen",
        ),
        (
            json!({"template": "hemmeligt_brev"}),
            "template",
            "Vælg en brevtype",
        ),
        (
            json!({"template": "afgoerelse", "recipient": "anden", "recipient_name": "Mette 😀",
                   "recipient_address": "Vej 1", "fields": decision_fields("afslag")}),
            "recipient_name",
            "Tegnet «😀» kan ikke vises i brevet",
        ),
    ];
    for (body, field, message) in cases {
        let response = api.post(&path, body.clone()).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        let problem: Value = response.json().await.unwrap();
        let errors = problem["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field && e["message"].as_str().unwrap().contains(message)),
            "{body}: {problem}"
        );
    }
    assert!(app.documents_on_case(&child).await.is_empty());
}

#[tokio::test]
async fn a_receipt_goes_to_the_professional_who_made_the_underretning() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let sub_case = app.an_underretning(&child).await;
    let (client, csrf) = app.login("raadgiver901").await;
    let sub_case_page = page_text(
        &client,
        app.url(&format!("/boern/{}/delsager/{sub_case}", child.id)),
    )
    .await;
    assert!(
        sub_case_page.contains(&format!(
            "/breve/ny?skabelon=kvittering_underretning&amp;delsag={sub_case}"
        )),
        "the receipt step links to the letter"
    );
    let form_url = app.url(&format!(
        "/boern/{}/breve/ny?skabelon=kvittering_underretning&delsag={sub_case}",
        child.id
    ));
    let form = page_text(&client, &form_url).await;
    assert!(form.contains("Underretningen, brevet svarer på"));
    assert_eq!(hidden_csrf(&form).as_deref(), Some(csrf.as_str()));
    let created = client
        .post(app.url(&format!("/boern/{}/breve", child.id)))
        .form(&[
            ("csrf", csrf.as_str()),
            ("template", "kvittering_underretning"),
            ("sub_case", &sub_case.to_string()),
            ("format", "pdf"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("?besked=brev"));
    let letters = app.documents_on_case(&child).await;
    assert_eq!(letters.len(), 1);
    assert!(letters[0]["title"].as_str().unwrap().contains("Lise Lærer"));
    assert_eq!(letters[0]["sub_case_id"], sub_case.to_string());

    let refused = client
        .post(app.url(&format!("/boern/{}/breve", child.id)))
        .form(&[
            ("csrf", csrf.as_str()),
            ("template", "indkaldelse"),
            ("recipient", "anden"),
            ("recipient_name", "Mette Hansen"),
            ("fields.sted", "Rådhuset"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("Udfyld «Tidspunkt»") && html.contains("Skriv modtagerens adresse"));
    assert!(
        html.contains("value=\"Rådhuset\"") && html.contains("value=\"Mette Hansen\""),
        "input kept"
    );
}

#[tokio::test]
async fn the_decision_letter_form_is_filled_from_the_recorded_decision() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let sub = app.a_decision_sub_case(&child).await;
    let base = format!("/api/v1/children/{}/sub-cases/{sub}", child.id);
    for step in ["partshoering", "boernesamtale"] {
        api.post(
            &format!("{base}/steps/{step}"),
            json!({"action": "done", "note": "Gennemført"}),
        )
        .await;
    }
    let made = api
        .post(
            &format!("{base}/decision"),
            json!({"legal_basis": "bl32_1_3", "outcome": "refusal", "content": "Der gives afslag på aflastning.",
                   "reasoning": "Behovet kan dækkes af familiebehandlingen.", "appeal_guidance": "Klag inden 4 uger til kommunen."}),
        )
        .await;
    assert_eq!(made.status(), StatusCode::CREATED);

    let (client, _) = app.login("raadgiver901").await;
    let sub_case_page = page_text(
        &client,
        app.url(&format!("/boern/{}/delsager/{sub}", child.id)),
    )
    .await;
    assert!(sub_case_page.contains("Dan afgørelsesbrev"));
    let form = page_text(
        &client,
        app.url(&format!(
            "/boern/{}/breve/ny?skabelon=afgoerelse&delsag={sub}",
            child.id
        )),
    )
    .await;
    assert!(
        form.contains("<option value=\"afslag\" selected>"),
        "outcome"
    );
    assert!(form.contains("Der gives afslag på aflastning."));
    assert!(form.contains("value=\"Barnets lov § 32, stk. 1, nr. 3\""));
    assert!(form.contains("Behovet kan dækkes af familiebehandlingen."));
    assert!(form.contains("Klag inden 4 uger til kommunen."));
}

#[tokio::test]
async fn a_letter_to_the_custody_holders_is_made_once_for_each_with_an_address() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let network = format!("/api/v1/children/{}/network", child.id);
    for (first, kind, custody, address) in [
        ("Mette", "mother", true, vec!["Skolevej 2", "9999 Værnby"]),
        ("Jonas", "father", true, vec!["Prøvegade 7", "9999 Værnby"]),
        ("Ole", "family", false, vec!["Bakken 1"]),
        ("Hanne", "foster_family", true, vec![]),
    ] {
        let added = api
            .post(
                &network,
                json!({"first_name": first, "last_name": "Hansen", "kind": kind, "custody": custody, "address": address}),
            )
            .await;
        assert_eq!(added.status(), StatusCode::CREATED);
    }
    let made = api
        .post(
            &format!("/api/v1/children/{}/letters", child.id),
            json!({"template": "indkaldelse", "recipient": "foraeldremyndighed",
                   "fields": {"tidspunkt": "3. december kl. 10", "sted": "Rådhuset", "formaal": "Samtale"}}),
        )
        .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.unwrap();
    let mut titles: Vec<&str> = made["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap())
        .collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            "Indkaldelse til møde – Jonas Hansen",
            "Indkaldelse til møde – Mette Hansen"
        ],
        "custody holders with an address; not the relative, not the holder without address"
    );
    let doc = format!(
        "/api/v1/children/{}/documents/{}",
        child.id,
        made["items"][0]["id"].as_str().unwrap()
    );
    let record = &api.get_json(&doc).await["versions"][0]["letter_data"]["merge_data"];
    assert_eq!(
        record["foraeldremyndighed"].as_array().unwrap().len(),
        3,
        "the merge field lists every custody holder"
    );
}

/// Barnets lov § 3: a child who has turned 10 is a party, so a letter can be addressed to the
/// child in its own name and the network shows it as a party; a younger child is refused at the
/// recipient field and nothing is filed.
#[tokio::test]
async fn bl_3_a_letter_goes_to_the_child_itself_only_from_ten() {
    let app = TestApp::spawn().await;
    let (party, young) = app.children_by_party_age("901").await;
    let (party, young) = (&party[0], &young[0]);
    let api = app.api("raadgiver901").await;
    let letter = json!({"template": "indkaldelse", "recipient": "barnet",
        "recipient_address": "Skolevej 2\n9999 Værnby",
        "fields": {"tidspunkt": "3. december kl. 10", "sted": "Rådhuset", "formaal": "Samtale"}});

    let made = api
        .post(
            &format!("/api/v1/children/{}/letters", party.id),
            letter.clone(),
        )
        .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.unwrap();
    assert_eq!(
        made["items"][0]["title"],
        format!("Indkaldelse til møde – {}", party.full_name())
    );
    let (browser, _) = app.login("raadgiver901").await;
    let network = page_text(&browser, app.url(&format!("/boern/{}/netvaerk", party.id))).await;
    assert!(
        network.contains(&format!(
            "{} – fyldt 10 år og selv part (barnets lov § 3)",
            party.full_name()
        )),
        "{network}"
    );

    let refused = api
        .post(&format!("/api/v1/children/{}/letters", young.id), letter)
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "recipient"
                && e["message"].as_str().unwrap().contains("under 10 år")),
        "{problem}"
    );
    assert!(app.documents_on_case(young).await.is_empty());
    let network = page_text(&browser, app.url(&format!("/boern/{}/netvaerk", young.id))).await;
    assert!(
        network.contains("er under 10 år og er ikke selv part"),
        "{network}"
    );
}
