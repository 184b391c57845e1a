//! The child's network: adding people with their relation, bad input kept at the field,
//! journalled, access-logged, and only in the own municipality; fetching a person from CPR,
//! warnings against a second mother, and copying shared data from a sibling's case.

use reqwest::StatusCode;
use serde_json::{Value, json};
use vaern_domain::Cpr;
use vaern_store::children::Child;

use crate::common::{TestApp, field_message, page_text, registered};

/// The mother the child's CPR record names, and another woman.
const MOTHER: &str = "010190-4002";
const OTHER_WOMAN: &str = "020285-4008";

/// Puts the child and its mother in the register: the child's record names [`MOTHER`] as mother
/// and custody holder; another woman is registered without relation to the child.
fn register_family(app: &TestApp, child: &Child) {
    let mother = Cpr::parse(MOTHER).unwrap();
    let mut record = registered(
        child.cpr.as_deref().expect("demo children have CPR"),
        &child.first_name,
        &child.last_name,
        &["Skolevej 2", "9999 Værnby"],
    );
    record.mother = Some(mother.clone());
    record.custody = vec![mother];
    app.register.insert(record);
    app.register.insert(registered(
        MOTHER,
        "Mette Marie",
        "Hansen",
        &["Skolevej 2", "9999 Værnby"],
    ));
    app.register.insert(registered(
        OTHER_WOMAN,
        "Lone",
        "Jensen",
        &["Havnegade 5, 2. tv.", "9999 Værnby"],
    ));
}

/// The details of the access log's rows on the child, as an administrator reads them.
async fn access_details(app: &TestApp, child: &Child) -> Vec<String> {
    let log = app
        .api("admin901")
        .await
        .get_json(&format!("/api/v1/access-log?person_id={}", child.id))
        .await;
    log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["detail"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The add-person form's fields for a person with this relation.
fn person_form(
    csrf: &str,
    first_name: &str,
    cpr: &str,
    kind: &str,
    confirm_register: bool,
) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("csrf", csrf.to_owned()),
        ("first_name", first_name.to_owned()),
        ("last_name", "Jensen".to_owned()),
        ("cpr", cpr.to_owned()),
        ("kind", kind.to_owned()),
    ];
    if confirm_register {
        fields.push(("confirm_register", "on".to_owned()));
    }
    fields
}

#[tokio::test]
async fn a_caseworker_adds_a_custody_holder_and_sees_the_network() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let (client, csrf) = app.login("raadgiver901").await;
    let page = app.url(&format!("/boern/{}/netvaerk", child.id));
    assert!(
        page_text(&client, &page)
            .await
            .contains("ingen personer i barnets netværk")
    );

    let refused = client
        .post(&page)
        .form(&[
            ("csrf", csrf.as_str()),
            ("first_name", "Kim"),
            ("last_name", ""),
            ("kind", "sibling"),
            ("custody", "on"),
            ("address", "Skolevej 2"),
            ("email", "kim@"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    for message in [
        "Udfyld efternavn",
        "Søskende kan ikke have forældremyndighed",
        "gyldig e-mailadresse",
    ] {
        assert!(html.contains(message), "{message}");
    }
    assert!(
        html.contains("value=\"Kim\"") && html.contains("Skolevej 2"),
        "input kept"
    );

    let added = client
        .post(&page)
        .form(&[
            ("csrf", csrf.as_str()),
            ("first_name", "Mette"),
            ("last_name", "Hansen"),
            ("cpr", "010190-4002"),
            ("kind", "mother"),
            ("custody", "on"),
            ("address", "Skolevej 2\r\n9999 Værnby"),
            ("phone", "12 34 56 78"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let html = page_text(&client, &page).await;
    assert!(
        html.contains("Mette Hansen") && html.contains("010190-xxxx"),
        "CPR masked"
    );
    assert!(html.contains("Skolevej 2<br>9999 Værnby"));
    let svg = &html[html.find("<svg").expect("the network picture")..];
    assert!(svg.contains("role=\"img\""));
    assert!(
        svg.contains("<desc id=\"netvaerk-beskrivelse\">")
            && svg.contains("Mor: Mette Hansen, forældremyndighed"),
        "the picture has a text alternative"
    );
    assert!(svg.contains(">Mette Hansen</text>"));
    assert!(svg.contains("stroke-width=\"5\""), "custody is drawn thick");
    let journal = page_text(&client, app.url(&format!("/boern/{}/journal", child.id))).await;
    assert!(
        journal.contains("Netværk ændret") && journal.contains("Personen har forældremyndighed")
    );

    let api = app.api("raadgiver901").await;
    let network = api
        .get_json(&format!("/api/v1/children/{}/network", child.id))
        .await;
    assert_eq!(network["items"][0]["custody"], true);
    assert_eq!(network["items"][0]["address"][1], "9999 Værnby");
    let log = app
        .api("admin901")
        .await
        .get_json(&format!("/api/v1/access-log?person_id={}", child.id))
        .await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["detail"] == "Netværk"),
        "{log}"
    );
}

#[tokio::test]
async fn the_child_is_not_its_own_relative_and_other_municipalities_see_nothing() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let path = format!("/api/v1/children/{}/network", child.id);
    let own_cpr = child.cpr.clone().expect("demo children have CPR");
    let refused = api
        .post(
            &path,
            json!({"first_name": "Selv", "last_name": "Samme", "cpr": own_cpr, "kind": "sibling"}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "cpr");
    assert!(
        api.get_json(&path).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let foreign = app.api("raadgiver902").await;
    assert_eq!(foreign.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        foreign
            .post(
                &path,
                json!({"first_name": "A", "last_name": "B", "kind": "network"})
            )
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_person_without_cpr_who_sounds_like_someone_born_the_same_day_needs_confirming() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let path = format!("/api/v1/children/{}/network", child.id);
    let person = |first: &str, born: &str, confirm: bool| json!({"first_name": first, "last_name": "Andersen", "birth_date": born, "kind": "network", "confirm_new": confirm});
    assert_eq!(
        api.post(&path, person("Lis", "03.04.1970", false))
            .await
            .status(),
        StatusCode::CREATED
    );
    let held = api.post(&path, person("Liss", "03.04.1970", false)).await;
    assert_eq!(held.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = held.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "confirm_new");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Lis Andersen med samme fødselsdato (03.04.1970)"),
        "{problem}"
    );
    assert_eq!(
        api.post(&path, person("Lis", "04.04.1970", false))
            .await
            .status(),
        StatusCode::CREATED,
        "another birth date is another person"
    );

    let (client, csrf) = app.login("raadgiver901").await;
    let page = app.url(&format!("/boern/{}/netvaerk", child.id));
    let form = |confirm: bool| {
        let mut fields = vec![
            ("csrf", csrf.clone()),
            ("first_name", "Lise".to_owned()),
            ("last_name", "Andersen".to_owned()),
            ("birth_date", "03.04.1970".to_owned()),
            ("kind", "network".to_owned()),
        ];
        if confirm {
            fields.push(("confirm_new", "on".to_owned()));
        }
        fields
    };
    let warned = client.post(&page).form(&form(false)).send().await.unwrap();
    assert_eq!(warned.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = warned.text().await.unwrap();
    assert!(html.contains("Det er en anden person") && html.contains("value=\"Lise\""));
    let confirmed = client.post(&page).form(&form(true)).send().await.unwrap();
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        api.get_json(&path).await["items"].as_array().unwrap().len(),
        3
    );
}

#[tokio::test]
async fn a_cpr_lookup_fills_the_form_with_the_register_and_the_childs_relation() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    register_family(&app, &child);
    let (client, csrf) = app.login("raadgiver901").await;
    let lookup = app.url(&format!("/boern/{}/netvaerk/cpr", child.id));

    let found = client
        .post(&lookup)
        .form(&[("csrf", csrf.as_str()), ("lookup_cpr", "0101904002")])
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), StatusCode::OK);
    let html = found.text().await.unwrap();
    assert!(
        html.contains("Mette Marie Hansen er hentet fra CPR"),
        "{html}"
    );
    for filled in [
        "name=\"first_name\" value=\"Mette Marie\"",
        "name=\"last_name\" value=\"Hansen\"",
        "name=\"cpr\" value=\"010190-4002\"",
        ">Skolevej 2\n9999 Værnby</textarea>",
        "<option value=\"mother\" selected>",
        "name=\"custody\" checked>",
    ] {
        assert!(html.contains(filled), "{filled}");
    }

    let stranger = client
        .post(&lookup)
        .form(&[("csrf", csrf.as_str()), ("lookup_cpr", OTHER_WOMAN)])
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), StatusCode::OK);
    let html = stranger.text().await.unwrap();
    assert!(html.contains("name=\"first_name\" value=\"Lone\""));
    assert!(
        !html.contains("\" selected>") && !html.contains("name=\"custody\" checked"),
        "the child's record names her neither mother nor custody holder"
    );

    let mut dead = registered("050575-4013", "Bent", "Jensen", &[]);
    dead.status = vaern_domain::register::RegisterStatus::Dead(
        time::Date::from_calendar_date(2026, time::Month::January, 5).unwrap(),
    );
    dead.address = None;
    app.register.insert(dead);
    let html = client
        .post(&lookup)
        .form(&[("csrf", csrf.as_str()), ("lookup_cpr", "050575-4013")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Bemærk: CPR-status er «død» fra 05.01.2026"),
        "{html}"
    );

    let unknown = client
        .post(&lookup)
        .form(&[("csrf", csrf.as_str()), ("lookup_cpr", "030382-4011")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unknown.text().await.unwrap();
    assert!(
        html.contains(&format!(
            "id=\"lookup_cpr-error\"><span class=\"sr-only\">Fejl: </span>{}",
            vaern_app::cpr::UNKNOWN
        )),
        "{html}"
    );
    assert!(
        html.contains("name=\"lookup_cpr\" value=\"030382-4011\""),
        "input kept"
    );

    let malformed = client
        .post(&lookup)
        .form(&[("csrf", csrf.as_str()), ("lookup_cpr", "0101-90")])
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = malformed.text().await.unwrap();
    assert!(
        html.contains("id=\"lookup_cpr-error\"") && html.contains("DDMMÅÅ-XXXX"),
        "{html}"
    );
    assert!(html.contains("name=\"lookup_cpr\" value=\"0101-90\""));

    let details = access_details(&app, &child).await;
    for looked_up in ["CPR-opslag på 010190-xxxx", "CPR-opslag på 030382-xxxx"] {
        assert!(
            details.iter().any(|d| d == looked_up),
            "{looked_up} is logged, found or not: {details:?}"
        );
    }
    let api = app.api("raadgiver901").await;
    assert!(
        api.get_json(&format!("/api/v1/children/{}/network", child.id))
            .await["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "a lookup adds nobody"
    );
}

#[tokio::test]
async fn the_api_looks_a_person_up_in_cpr_with_the_childs_relation() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    register_family(&app, &child);
    let api = app.api("raadgiver901").await;
    let path = format!("/api/v1/children/{}/network/cpr-lookup", child.id);

    let found = api.post(&path, json!({"cpr": MOTHER})).await;
    assert_eq!(found.status(), StatusCode::OK);
    let person: Value = found.json().await.unwrap();
    assert_eq!(person["cpr"], "0101904002");
    assert_eq!(person["first_name"], "Mette Marie");
    assert_eq!(person["last_name"], "Hansen");
    assert_eq!(person["status"], "active");
    assert_eq!(person["municipality_code"], "0901");
    assert_eq!(person["address"], json!(["Skolevej 2", "9999 Værnby"]));
    assert_eq!(person["kind"], "mother");
    assert_eq!(person["holds_custody_of_child"], true);

    let stranger = api.post_json(&path, json!({"cpr": OTHER_WOMAN})).await;
    assert_eq!(stranger["first_name"], "Lone");
    assert_eq!(stranger["kind"], Value::Null);
    assert_eq!(stranger["holds_custody_of_child"], false);

    for refused in ["030382-4011", "12345"] {
        let response = api.post(&path, json!({"cpr": refused})).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{refused}"
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert!(field_message(&problem, "cpr").is_some(), "{problem}");
    }
    let problem = api.post_json(&path, json!({"cpr": "030382-4011"})).await;
    assert_eq!(
        field_message(&problem, "cpr").unwrap(),
        vaern_app::cpr::UNKNOWN
    );
    assert!(
        access_details(&app, &child)
            .await
            .iter()
            .any(|d| d == "CPR-opslag på 010190-xxxx")
    );

    let added = api
        .post(
            &format!("/api/v1/children/{}/network", child.id),
            json!({"first_name": person["first_name"], "last_name": person["last_name"],
                "cpr": person["cpr"], "kind": person["kind"],
                "custody": person["holds_custody_of_child"], "address": person["address"]}),
        )
        .await;
    assert_eq!(added.status(), StatusCode::CREATED, "the mother CPR names");
    assert!(
        access_details(&app, &child)
            .await
            .iter()
            .any(|d| d == "CPR-opslag på barnet (kontrol af forældre)"),
        "asking CPR about the child's parents is logged"
    );
}

#[tokio::test]
async fn asking_cpr_about_the_child_is_logged_also_when_the_add_is_held() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    register_family(&app, &child);
    let held = app
        .api("raadgiver901")
        .await
        .post(
            &format!("/api/v1/children/{}/network", child.id),
            json!({"first_name": "Lone", "last_name": "Jensen", "cpr": OTHER_WOMAN,
                "kind": "mother"}),
        )
        .await;
    assert_eq!(held.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let details = access_details(&app, &child).await;
    assert!(
        details
            .iter()
            .any(|d| d == "CPR-opslag på barnet (kontrol af forældre)"),
        "CPR was asked, and its answer shown (the mother's masked CPR): {details:?}"
    );
}

#[tokio::test]
async fn a_mother_other_than_the_one_cpr_names_is_held_until_confirmed() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    register_family(&app, &child);
    let (client, csrf) = app.login("raadgiver901").await;
    let page = app.url(&format!("/boern/{}/netvaerk", child.id));
    let api = app.api("raadgiver901").await;
    let network = format!("/api/v1/children/{}/network", child.id);

    for cpr in [OTHER_WOMAN, ""] {
        let warned = client
            .post(&page)
            .form(&person_form(&csrf, "Lone", cpr, "mother", false))
            .send()
            .await
            .unwrap();
        assert_eq!(
            warned.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "CPR «{cpr}»"
        );
        let html = warned.text().await.unwrap();
        assert!(
            html.contains(
                "id=\"confirm_register-error\"><span class=\"sr-only\">Fejl: </span>\
                 CPR-registret angiver en anden som barnets mor (010190-xxxx)"
            ),
            "{html}"
        );
        assert!(
            html.contains("name=\"confirm_register\""),
            "the box to confirm"
        );
        assert!(
            html.contains("name=\"first_name\" value=\"Lone\""),
            "input kept"
        );
        assert!(
            api.get_json(&network).await["items"]
                .as_array()
                .unwrap()
                .is_empty(),
            "nothing stored"
        );
    }
    let held = api
        .post(
            &network,
            json!({"first_name": "Lone", "last_name": "Jensen", "cpr": OTHER_WOMAN, "kind": "mother"}),
        )
        .await;
    assert_eq!(held.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = held.json().await.unwrap();
    assert!(
        field_message(&problem, "confirm_register").is_some(),
        "{problem}"
    );

    let confirmed = client
        .post(&page)
        .form(&person_form(&csrf, "Lone", OTHER_WOMAN, "mother", true))
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
    let members = api.get_json(&network).await;
    assert_eq!(members["items"].as_array().unwrap().len(), 1);
    assert_eq!(members["items"][0]["kind"], "mother");
    let journal = page_text(&client, app.url(&format!("/boern/{}/journal", child.id))).await;
    assert!(
        journal.contains("Tilføjet trods advarsel om, at CPR eller netværket angiver en anden"),
        "{journal}"
    );

    // The mother CPR names is now held too: the network already has a mother.
    let second = client
        .post(&page)
        .form(&person_form(&csrf, "Mette Marie", MOTHER, "mother", false))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = second.text().await.unwrap();
    assert!(
        html.contains("Barnet har allerede Lone Jensen som mor i netværket"),
        "{html}"
    );
}

#[tokio::test]
async fn a_second_mother_in_the_network_is_held_and_the_same_person_twice_refused() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let network = format!("/api/v1/children/{}/network", child.id);
    let person = |first: &str, cpr: Option<&str>, kind: &str, confirm: bool| {
        json!({"first_name": first, "last_name": "Jensen", "cpr": cpr, "kind": kind,
            "confirm_register": confirm})
    };
    assert_eq!(
        api.post(&network, person("Lone", Some(OTHER_WOMAN), "mother", false))
            .await
            .status(),
        StatusCode::CREATED,
        "the register does not know the child: nothing to warn about"
    );
    for cpr in [Some(MOTHER), None] {
        let held = api
            .post(&network, person("Mette", cpr, "mother", false))
            .await;
        assert_eq!(held.status(), StatusCode::UNPROCESSABLE_ENTITY, "{cpr:?}");
        let problem: Value = held.json().await.unwrap();
        assert!(
            field_message(&problem, "confirm_register")
                .unwrap()
                .contains("Barnet har allerede Lone Jensen som mor i netværket"),
            "{problem}"
        );
    }
    assert_eq!(
        api.post(
            &network,
            person("Far", Some("030382-4011"), "father", false)
        )
        .await
        .status(),
        StatusCode::CREATED,
        "a father beside the mother is no second mother"
    );
    assert_eq!(
        api.get_json(&network).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let (client, csrf) = app.login("raadgiver901").await;
    let page = app.url(&format!("/boern/{}/netvaerk", child.id));
    let twice = client
        .post(&page)
        .form(&person_form(&csrf, "Lone", "0202854008", "network", false))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = twice.text().await.unwrap();
    assert!(
        html.contains(
            "id=\"cpr-error\"><span class=\"sr-only\">Fejl: </span>Personen er allerede i \
             barnets netværk"
        ),
        "{html}"
    );
    let twice = api
        .post(&network, person("Lone", Some(OTHER_WOMAN), "mother", true))
        .await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = twice.json().await.unwrap();
    assert!(
        field_message(&problem, "cpr")
            .unwrap()
            .contains("allerede i barnets netværk")
    );
    assert_eq!(
        api.get_json(&network).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "nothing stored twice"
    );
}

#[tokio::test]
async fn a_second_mother_without_cpr_beside_one_without_cpr_is_held() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let network = format!("/api/v1/children/{}/network", child.id);
    let mother =
        |first: &str| json!({"first_name": first, "last_name": "Jensen", "kind": "mother"});
    assert_eq!(
        api.post(&network, mother("Lone")).await.status(),
        StatusCode::CREATED
    );
    let held = api.post(&network, mother("Mette")).await;
    assert_eq!(held.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = held.json().await.unwrap();
    assert!(
        field_message(&problem, "confirm_register").is_some(),
        "{problem}"
    );
}

/// Two demo children of 901 with the same mother (by CPR), and a third child of 901.
async fn siblings(app: &TestApp) -> (Child, Child, Child) {
    let mut children = app.children_with_cpr("901").await.into_iter();
    let (first, second, third) = (
        children.next().unwrap(),
        children.next().unwrap(),
        children.next().unwrap(),
    );
    let api = app.api("raadgiver901").await;
    for child in [&first, &second] {
        let added = api
            .post(
                &format!("/api/v1/children/{}/network", child.id),
                json!({"first_name": "Lone", "last_name": "Jensen", "cpr": OTHER_WOMAN,
                    "kind": "mother", "custody": true}),
            )
            .await;
        assert_eq!(added.status(), StatusCode::CREATED);
    }
    (first, second, third)
}

#[tokio::test]
async fn copying_from_a_siblings_case_brings_persons_professionals_and_shared_documents() {
    let app = TestApp::spawn().await;
    let (first, second, third) = siblings(&app).await;
    let api = app.api("raadgiver901").await;
    for person in [
        json!({"first_name": "Bent", "last_name": "Jensen", "cpr": "030382-4011",
            "kind": "father", "custody": true}),
        json!({"first_name": "Rita", "last_name": "Nabo", "kind": "network"}),
    ] {
        let added = api
            .post(&format!("/api/v1/children/{}/network", first.id), person)
            .await;
        assert_eq!(added.status(), StatusCode::CREATED);
    }
    let school: Value = api
        .post_json(
            "/api/v1/organisations",
            json!({"name": "Værnby Skole", "kind": "school"}),
        )
        .await;
    let teacher = api
        .post(
            &format!("/api/v1/children/{}/professionals", first.id),
            json!({"organisation_id": school["id"], "name": "Lise Lærer", "role": "teacher"}),
        )
        .await;
    assert_eq!(teacher.status(), StatusCode::CREATED);
    app.a_titled_document(&first, "Fælles skoleudtalelse", true)
        .await;
    app.a_titled_document(&first, "Kun for det ene barn", false)
        .await;

    let (client, csrf) = app.login("raadgiver901").await;
    let page = app.url(&format!("/boern/{}/netvaerk", second.id));
    let html = page_text(&client, &page).await;
    assert!(
        html.contains(&format!(
            "<option value=\"{}\">{}",
            first.id,
            first.full_name()
        )),
        "the sibling is offered: {html}"
    );
    assert!(
        !html.contains(&format!("<option value=\"{}\">", third.id)),
        "a child who is no sibling is not offered"
    );
    let copy = app.url(&format!("/boern/{}/netvaerk/kopier", second.id));
    let copied = client
        .post(&copy)
        .form(&[("csrf", csrf.as_str()), ("from", &first.id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(copied.status(), StatusCode::SEE_OTHER);
    assert!(
        copied.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("?besked=kopieret")
    );

    let network = api
        .get_json(&format!("/api/v1/children/{}/network", second.id))
        .await;
    let mut names: Vec<&str> = network["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["first_name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["Lone", "Rita"],
        "the shared mother was there; the sibling's father is not copied: {network}"
    );
    assert_eq!(network["professionals"][0]["name"], "Lise Lærer");
    assert_eq!(network["professionals"].as_array().unwrap().len(), 1);
    let titles: Vec<String> = app
        .documents_on_case(&second)
        .await
        .iter()
        .map(|d| d["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        titles,
        ["Fælles skoleudtalelse"],
        "only the shareable document"
    );

    let journal = page_text(&client, app.url(&format!("/boern/{}/journal", second.id))).await;
    assert!(journal.contains("Kopieret fra søskendes sag"), "{journal}");
    assert!(journal.contains("1 personer, 1 fagpersoner og 1 dokumenter"));
    let journal = page_text(&client, app.url(&format!("/boern/{}/journal", first.id))).await;
    assert!(journal.contains("Kopieret til søskendes sag"), "{journal}");

    let again = api
        .post(
            &format!("/api/v1/children/{}/network/copy-from-sibling", second.id),
            json!({"from": first.id}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(
        again.json::<Value>().await.unwrap(),
        json!({"persons": 0, "professionals": 0, "documents": 0}),
        "copying again adds nothing"
    );
    assert_eq!(app.documents_on_case(&second).await.len(), 1);

    let refused = client
        .post(&copy)
        .form(&[("csrf", csrf.as_str()), ("from", &third.id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains(
            "id=\"from-error\"><span class=\"sr-only\">Fejl: </span>Vælg et af barnets søskende"
        ),
        "{html}"
    );
    let refused = api
        .post(
            &format!("/api/v1/children/{}/network/copy-from-sibling", second.id),
            json!({"from": third.id}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert!(field_message(&problem, "from").is_some(), "{problem}");
    assert!(
        api.get_json(&format!("/api/v1/children/{}/network", third.id))
            .await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn another_municipality_can_neither_look_up_nor_copy_for_a_child() {
    let app = TestApp::spawn().await;
    let (first, second, _) = siblings(&app).await;
    register_family(&app, &first);
    let lookups_before = access_details(&app, &first)
        .await
        .iter()
        .filter(|d| d.starts_with("CPR-opslag"))
        .count();
    let (client, csrf) = app.login("raadgiver902").await;
    let lookup = client
        .post(app.url(&format!("/boern/{}/netvaerk/cpr", first.id)))
        .form(&[("csrf", csrf.as_str()), ("lookup_cpr", MOTHER)])
        .send()
        .await
        .unwrap();
    assert_eq!(lookup.status(), StatusCode::NOT_FOUND);
    assert!(!lookup.text().await.unwrap().contains("Hansen"));
    let copy = client
        .post(app.url(&format!("/boern/{}/netvaerk/kopier", second.id)))
        .form(&[("csrf", csrf.as_str()), ("from", &first.id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(copy.status(), StatusCode::NOT_FOUND);

    let foreign = app.api("raadgiver902").await;
    let lookup = foreign
        .post(
            &format!("/api/v1/children/{}/network/cpr-lookup", first.id),
            json!({"cpr": MOTHER}),
        )
        .await;
    assert_eq!(lookup.status(), StatusCode::NOT_FOUND);
    let copy = foreign
        .post(
            &format!("/api/v1/children/{}/network/copy-from-sibling", second.id),
            json!({"from": first.id}),
        )
        .await;
    assert_eq!(copy.status(), StatusCode::NOT_FOUND);

    // Nor into one of its own children: a child of 901 is no sibling of a child of 902.
    let (own, _) = app.a_child("902").await;
    let copy = foreign
        .post(
            &format!("/api/v1/children/{}/network/copy-from-sibling", own.id),
            json!({"from": first.id}),
        )
        .await;
    assert_eq!(copy.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        foreign
            .get_json(&format!("/api/v1/children/{}/network", own.id))
            .await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let lookups_after = access_details(&app, &first)
        .await
        .iter()
        .filter(|d| d.starts_with("CPR-opslag"))
        .count();
    assert_eq!(lookups_after, lookups_before, "nothing looked up for 902");
}

#[tokio::test]
async fn a_refused_copy_shows_why_also_for_a_child_without_siblings() {
    let app = TestApp::spawn().await;
    let (first, _, third) = siblings(&app).await;
    let (client, csrf) = app.login("raadgiver901").await;
    let refused = client
        .post(app.url(&format!("/boern/{}/netvaerk/kopier", third.id)))
        .form(&[("csrf", csrf.as_str()), ("from", &first.id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("Vælg et af barnets søskende"),
        "a 422 page without the message: {html}"
    );
}

/// Half-siblings share one parent: copying must not give the child the sibling's other parent.
#[tokio::test]
async fn copying_from_a_half_sibling_leaves_out_the_other_parent() {
    let app = TestApp::spawn().await;
    let (first, second, _) = siblings(&app).await;
    let api = app.api("raadgiver901").await;
    for (child, first_name, cpr) in [
        (&first, "Bent", "030382-4011"),
        (&second, "Kurt", "040485-4013"),
    ] {
        let added = api
            .post(
                &format!("/api/v1/children/{}/network", child.id),
                json!({"first_name": first_name, "last_name": "Jensen", "cpr": cpr,
                    "kind": "father", "custody": true, "confirm_register": true}),
            )
            .await;
        assert_eq!(added.status(), StatusCode::CREATED);
    }
    let copied: Value = api
        .post_json(
            &format!("/api/v1/children/{}/network/copy-from-sibling", second.id),
            json!({"from": first.id}),
        )
        .await;
    assert_eq!(
        copied["persons"], 0,
        "the shared mother is there already: {copied}"
    );
    let network = api
        .get_json(&format!("/api/v1/children/{}/network", second.id))
        .await;
    let fathers: Vec<&str> = network["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "father")
        .map(|m| m["first_name"].as_str().unwrap())
        .collect();
    assert_eq!(fathers, ["Kurt"]);
}

/// A confirmation already ticked stays ticked when another warning holds the person, so the
/// caseworker is not sent in circles between two warnings.
#[tokio::test]
async fn a_ticked_confirmation_is_kept_when_another_warning_comes() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    register_family(&app, &child);
    let (client, csrf) = app.login("raadgiver901").await;
    let mut form = person_form(&csrf, "Lone", "", "mother", false);
    form.push(("confirm_new", "on".to_owned()));
    let warned = client
        .post(app.url(&format!("/boern/{}/netvaerk", child.id)))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(warned.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = warned.text().await.unwrap();
    assert!(html.contains("id=\"confirm_register-error\""), "{html}");
    assert!(
        html.contains("id=\"confirm_new\" name=\"confirm_new\" checked"),
        "the first confirmation is kept: {html}"
    );
}
