//! The child's network: adding people with their relation, bad input kept at the field,
//! journalled, access-logged, and only in the own municipality.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestApp, page_text};

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
