//! Measures and economy through the UI and the API: a measure planned with bad input keeps the
//! input and shows the messages at the fields, the simulation answers htmx with its block only,
//! the lead approves from the queue, finance pages answer, and the API runs and exports payments.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Page, TestApp, field_message, page_text};

async fn offer_id(app: &TestApp, name: &str) -> String {
    let offers = app
        .api("raadgiver901")
        .await
        .get_json("/api/v1/offers")
        .await;
    offers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_measure_with_bad_input_is_kept_and_the_simulation_answers_htmx() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let (client, csrf) = app.login("raadgiver901").await;
    let page = app.url(&format!("/boern/{}/indsatser", child.id));
    let html = page_text(&client, &page).await;
    assert!(html.contains("Barnet har ingen indsatser"), "{html}");
    let offer = offer_id(&app, "Døgnophold").await;

    let refused = client
        .post(&page)
        .form(&[
            ("csrf", csrf.as_str()),
            ("legal_basis", "bl46"),
            ("offer_id", offer.as_str()),
            ("quantity", "1"),
            ("starts_on", "2027-02-01"),
            ("ends_on", "2027-01-01"),
            ("purpose", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let form = Page::parse(&refused.text().await.unwrap());
    assert_eq!(
        form.field_error("ends_on").as_deref(),
        Some("Fejl: Slutdatoen ligger før startdatoen")
    );
    assert!(
        form.field_error("purpose")
            .is_some_and(|m| m.contains("barnets lov § 32, stk. 3")),
        "the missing purpose is refused at its field, citing the paragraph"
    );
    assert_eq!(
        form.input_value("form[action$=\"/indsatser#ny-indsats\"]", "starts_on")
            .as_deref(),
        Some("2027-02-01"),
        "the input is kept"
    );

    let block = client
        .post(app.url(&format!("/boern/{}/indsatser/simulering", child.id)))
        .header("hx-request", "true")
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "add"),
            ("offer_id", offer.as_str()),
            ("quantity", "1"),
            ("starts_on", "2027-01-01"),
            ("ends_on", "2027-01-10"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(block.starts_with("<section id=\"simulering\""), "{block}");
    assert!(
        block.contains("29.500 kr."),
        "ten days at 2.950 kr.: {block}"
    );

    let created = client
        .post(&page)
        .form(&[
            ("csrf", csrf.as_str()),
            ("legal_basis", "bl46"),
            ("offer_id", offer.as_str()),
            ("quantity", "1"),
            ("starts_on", "2027-01-01"),
            ("ends_on", "2027-12-31"),
            ("purpose", "Tryg hverdag"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER, "back to the tab");
    let html = page_text(&client, format!("{page}?besked=planlagt")).await;
    assert!(html.contains("Indsatsen er planlagt"), "{html}");
    assert!(html.contains("kræver teamleder"), "{html}");

    let (lead, lead_csrf) = app.login("teamleder901").await;
    let queue = page_text(&lead, app.url("/godkendelser")).await;
    assert!(queue.contains(&child.first_name), "{queue}");
    let measures = app
        .api("raadgiver901")
        .await
        .get_json(&format!("/api/v1/children/{}/measures", child.id))
        .await;
    let measure = measures["items"][0]["id"].as_str().unwrap().to_owned();
    let approved = lead
        .post(app.url(&format!("/boern/{}/indsatser/{measure}/godkend", child.id)))
        .form(&[
            ("csrf", lead_csrf.as_str()),
            ("version", "1"),
            ("tilbage", "godkendelser"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    let queue = page_text(&lead, app.url("/godkendelser?besked=godkendt")).await;
    assert!(queue.contains("Ingen indsatser venter"), "{queue}");
}

#[tokio::test]
async fn finance_pages_answer_and_the_api_runs_and_exports_payments() {
    let app = TestApp::spawn().await;
    let (finance, _) = app.login("oekonomi901").await;
    for path in [
        "/leverandoerer",
        "/prisregulering",
        "/udbetalinger",
        "/oekonomi",
    ] {
        let response = finance.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let api = app.api("oekonomi901").await;
    let bad = api
        .post(
            "/api/v1/providers",
            json!({"name": "", "kind": "spaceship", "cvr": "12345678"}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = bad.json().await.unwrap();
    for field in ["name", "kind", "cvr"] {
        assert!(
            field_message(&problem, field).is_some(),
            "{field}: {problem}"
        );
    }
    let offer = offer_id(&app, "Døgnophold").await;
    let overlap = api
        .post(
            &format!("/api/v1/offers/{offer}/prices"),
            json!({"valid_from": "2030-01-01", "price_ore": 100}),
        )
        .await;
    assert_eq!(
        overlap.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the demo price runs on"
    );
    let negative = api
        .post(
            &format!("/api/v1/offers/{offer}/prices"),
            json!({"valid_from": "2010-01-01", "valid_to": "2010-12-31", "price_ore": -100}),
        )
        .await;
    let problem: Value = negative.json().await.unwrap();
    assert_eq!(
        field_message(&problem, "price").as_deref(),
        Some("Prisen kan ikke være negativ")
    );

    let today = vaern_app::today();
    let period = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    let run: Value = api
        .post_json("/api/v1/payment-runs", json!({"period": period}))
        .await;
    let id = run["id"].as_str().unwrap();
    let file = api
        .get(&format!("/api/v1/payment-runs/{id}/export/fixed"))
        .await;
    assert_eq!(file.status(), StatusCode::OK);
    let bytes = file.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"00901"),
        "the start record names the municipality"
    );
    let unknown = api
        .get(&format!("/api/v1/payment-runs/{id}/export/xml"))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let openapi = api.get_json("/api/v1/openapi.json").await;
    for path in [
        "/api/v1/children/{id}/measures/simulation",
        "/api/v1/price-updates/preview",
        "/api/v1/payment-runs",
    ] {
        assert!(
            openapi["paths"].get(path).is_some(),
            "{path} in the OpenAPI document"
        );
    }
}
