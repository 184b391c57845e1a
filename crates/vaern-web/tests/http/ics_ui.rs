//! The investigation and plan pages: autosave keeps a draft that comes back, two caseworkers
//! saving the same dimension get the conflict view (never a silent overwrite), and a plan's goal
//! errors are shown at the row the caseworker typed.

use reqwest::StatusCode;
use vaern_app::{case_process, investigations};
use vaern_domain::ics::{ConclusionInput, DimensionInput};

use crate::common::{TestApp, page_text};

/// An investigation sub-case on a child of 901, opened by the app.
async fn investigation(app: &TestApp) -> (vaern_store::children::Child, String) {
    let (child, _) = app.a_child("901").await;
    let anne = app.actor("raadgiver901").await;
    let sub = case_process::open_sub_case(&app.test.db, &anne, child.id, "investigation")
        .await
        .unwrap();
    (child, sub.id.to_string())
}

#[tokio::test]
async fn a_draft_typed_is_kept_and_comes_back_and_a_stale_save_shows_both_texts() {
    let app = TestApp::spawn().await;
    let (child, sub) = investigation(&app).await;
    let page = app.url(&format!(
        "/boern/{}/delsager/{sub}/undersoegelse/skole",
        child.id
    ));
    let (anne, anne_csrf) = app.login("raadgiver901").await;
    let (bo, bo_csrf) = app.login("raadgiver2901").await;

    // Anne types; the autosave keeps it, and the page gives it back as her draft.
    let saved = anne
        .post(format!("{page}/kladde"))
        .form(&[
            ("csrf", anne_csrf.as_str()),
            ("concerns", "Emma kommer sjældent i skole"),
            ("expected_version", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    assert!(saved.text().await.unwrap().contains("Kladde gemt"));
    let html = page_text(&anne, &page).await;
    assert!(html.contains("Din kladde fra"), "{html}");
    assert!(html.contains("Emma kommer sjældent i skole</textarea>"));
    assert!(
        !page_text(&bo, &page).await.contains("Emma kommer sjældent"),
        "a draft is the caseworker's own"
    );

    // Both start from version 0; Bo saves first, Anne's save is held with both texts shown.
    let bo_saves = bo
        .post(&page)
        .form(&[
            ("csrf", bo_csrf.as_str()),
            ("concerns", "Skolen melder fravær"),
            ("expected_version", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bo_saves.status(), StatusCode::SEE_OTHER);
    let anne_saves = anne
        .post(&page)
        .form(&[
            ("csrf", anne_csrf.as_str()),
            ("concerns", "Emma kommer sjældent i skole"),
            ("expected_version", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(anne_saves.status(), StatusCode::CONFLICT);
    let conflict = anne_saves.text().await.unwrap();
    assert!(conflict.contains("Gemt af en anden"), "{conflict}");
    assert!(conflict.contains("Emma kommer sjældent i skole</textarea>"));
    assert!(conflict.contains("Skolen melder fravær"), "Bo's saved text");
    assert!(
        conflict.contains("name=\"expected_version\" value=\"1\""),
        "saving again now starts from Bo's version"
    );
    let mut tx = app
        .test
        .db
        .tenant(app.municipality("901").await)
        .await
        .unwrap();
    let investigation =
        vaern_store::investigations::ensure(&mut tx, child.case_id.unwrap(), sub.parse().unwrap())
            .await
            .unwrap();
    let stored = vaern_store::investigations::dimensions(&mut tx, investigation.id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        stored[0].concerns.as_deref(),
        Some("Skolen melder fravær"),
        "nothing overwritten"
    );
}

#[tokio::test]
async fn a_plan_goal_without_wording_is_shown_at_its_row_and_nothing_is_made() {
    let app = TestApp::spawn().await;
    let (child, sub) = investigation(&app).await;
    let anne = app.actor("raadgiver901").await;
    let sub = sub.parse().unwrap();
    for (dimension, concerns) in [("skole", "Fravær"), ("omsorg", "Uro om morgenen")] {
        investigations::save_dimension(
            &app.test.db,
            &anne,
            child.id,
            sub,
            dimension,
            &DimensionInput {
                concerns: concerns.into(),
                ..Default::default()
            },
            0,
        )
        .await
        .unwrap();
    }
    let concluded = investigations::conclude(
        &app.test.db,
        &anne,
        child.id,
        sub,
        &ConclusionInput {
            assessment: "Behov for støtte".into(),
            position: "support".into(),
            reasoning: "Familien kan med støtte".into(),
        },
    )
    .await
    .unwrap();
    let (client, csrf) = app.login("raadgiver901").await;
    let plan = app.url(&format!("/boern/{}/plan", child.id));
    let html = page_text(&client, &plan).await;
    assert!(html.contains("Lav udkast til planen"), "{html}");
    let investigation_id = concluded.id.to_string();
    // Only the second row is taken, and its wording is empty: the error is at row 1.
    let refused = client
        .post(&plan)
        .form(&[
            ("csrf", csrf.as_str()),
            ("investigation", investigation_id.as_str()),
            ("dimension_0", "skole"),
            ("wording_0", "Går i skole"),
            ("target_date_0", "01.06.2030"),
            ("dimension_1", "omsorg"),
            ("include_1", "on"),
            ("wording_1", " "),
            ("target_date_1", "01.06.2030"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"wording_1-error\""), "{html}");
    assert!(html.contains("Udfyld målets formulering"));
    assert!(
        html.contains("id=\"include_1\" name=\"include_1\" checked"),
        "the choice is kept"
    );
    assert!(
        page_text(&client, &plan)
            .await
            .contains("Barnet har ingen plan endnu"),
        "nothing was made"
    );
}

#[tokio::test]
async fn an_approved_plan_is_filed_as_a_pdf_for_the_parties() {
    let app = TestApp::spawn().await;
    let (child, sub) = investigation(&app).await;
    let anne = app.actor("raadgiver901").await;
    let sub = sub.parse().unwrap();
    let concluded = investigations::conclude(
        &app.test.db,
        &anne,
        child.id,
        sub,
        &ConclusionInput {
            assessment: "Behov for støtte".into(),
            position: "support".into(),
            reasoning: "Familien kan med støtte".into(),
        },
    )
    .await
    .unwrap();
    let plan = vaern_app::plans::create_from_investigation(
        &app.test.db,
        &anne,
        child.id,
        &concluded.id.to_string(),
        &[vaern_domain::ics::GoalInput {
            dimension: "skole".into(),
            wording: "Går i skole hver dag".into(),
            measures: "Kontaktperson".into(),
            target_date: "01.06.2030".into(),
        }],
    )
    .await
    .unwrap();
    vaern_app::plans::approve(&app.test.db, &anne, child.id, plan.id)
        .await
        .unwrap();
    let (client, csrf) = app.login("raadgiver901").await;
    let filed = client
        .post(app.url(&format!("/boern/{}/plan/pdf", child.id)))
        .form(&[("csrf", csrf.as_str()), ("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(filed.status(), StatusCode::SEE_OTHER);
    let documents = app.documents_on_case(&child).await;
    let pdf = documents
        .iter()
        .find(|d| d["title"] == "Barnets plan (barnets lov § 91)")
        .unwrap_or_else(|| panic!("{documents:?}"));
    assert_eq!(pdf["media_type"], "application/pdf");
}
