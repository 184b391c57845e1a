//! The børnefaglig undersøgelse through the API: ICS dimensions with optimistic locking and
//! autosaved drafts, sources linked into the case, the conclusion with the foreløbig vurdering
//! after 4 months, the investigation as a PDF; barnets plan in versions and its follow-ups; and
//! only in the own municipality.

use reqwest::StatusCode;
use serde_json::{Value, json};
use vaern_store::{SubCaseId, children::Child, deadlines, journal};

use crate::common::{Api, TestApp, field_message};

/// Opens an investigation sub-case on the child as raadgiver901; its id.
async fn an_investigation(api: &Api, child: &Child) -> String {
    let created = api
        .post(
            &format!("/api/v1/children/{}/sub-cases", child.id),
            json!({"kind": "investigation"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let sub_case: Value = created.json().await.unwrap();
    sub_case["id"].as_str().unwrap().to_owned()
}

fn investigation_path(child: &Child, sub: &str) -> String {
    format!(
        "/api/v1/children/{}/sub-cases/{sub}/investigation",
        child.id
    )
}

fn dimension<'a>(investigation: &'a Value, code: &str) -> &'a Value {
    investigation["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("{code}"))
}

fn step_status(sub_case: &Value, code: &str) -> String {
    sub_case["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap_or_else(|| panic!("{code}"))["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The sub-case as the sub-case list shows it.
async fn sub_case(api: &Api, child: &Child, sub: &str) -> Value {
    let list = api
        .get_json(&format!("/api/v1/children/{}/sub-cases", child.id))
        .await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == sub)
        .unwrap()
        .clone()
}

fn conclusion() -> Value {
    json!({
        "assessment": "Emma trives ikke i skolen, men familien har ressourcer.",
        "position": "support",
        "reasoning": "Med støtte efter § 32 kan familien selv løfte opgaven."
    })
}

/// An ISO date `days` from today.
fn in_days(days: i64) -> String {
    (vaern_app::today() + time::Duration::days(days)).to_string()
}

/// Opens and concludes an investigation on the child; its id (for a plan).
async fn a_concluded_investigation(api: &Api, child: &Child) -> String {
    let sub = an_investigation(api, child).await;
    let concluded = api
        .post(
            &format!("{}/conclusion", investigation_path(child, &sub)),
            conclusion(),
        )
        .await;
    assert_eq!(concluded.status(), StatusCode::OK);
    let investigation: Value = concluded.json().await.unwrap();
    investigation["id"].as_str().unwrap().to_owned()
}

fn two_goals() -> Value {
    json!([
        {"dimension": "skole", "wording": "Emma går i skole hver dag",
         "measures": "Mentor i skolen", "target_date": in_days(180)},
        {"dimension": "omsorg", "wording": "Forældrene følger Emma i seng",
         "measures": "", "target_date": in_days(120)},
    ])
}

/// A draft plan version 1 made from a concluded investigation; the answer's JSON.
async fn a_plan(api: &Api, child: &Child) -> Value {
    let investigation = a_concluded_investigation(api, child).await;
    let created = api
        .post(
            &format!("/api/v1/children/{}/plans", child.id),
            json!({"investigation_id": investigation, "goals": two_goals()}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    created.json().await.unwrap()
}

fn goal_keys(version: &Value) -> Vec<String> {
    version["goals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["goal_key"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn dimensions_are_filled_and_sources_link_into_the_own_case_only() {
    let app = TestApp::spawn().await;
    let (child, entry) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let sub = an_investigation(&api, &child).await;
    let path = investigation_path(&child, &sub);

    let fresh = api.get_json(&path).await;
    assert_eq!(fresh["dimensions"].as_array().unwrap().len(), 10);
    assert!(fresh["due_at"].is_string(), "the 4-month deadline");
    assert_eq!(dimension(&fresh, "sundhed")["version"], 0);

    let saved = api
        .put(
            &format!("{path}/dimensions/sundhed"),
            json!({"description": "Emma er ofte syg.", "concerns": "Mange fraværsdage.",
                   "expected_version": 0}),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(
        (&saved["version"], &saved["filled"], &saved["label"]),
        (&json!(1), &json!(true), &json!("Sundhedsforhold"))
    );
    for (code, body) in [
        (
            "skole",
            json!({"resources": "Glad for sin lærer.", "expected_version": 0}),
        ),
        ("fritid", json!({"expected_version": 0})),
    ] {
        let response = api.put(&format!("{path}/dimensions/{code}"), body).await;
        assert_eq!(response.status(), StatusCode::OK, "{code}");
    }
    assert_eq!(
        api.put(
            &format!("{path}/dimensions/skolen"),
            json!({"expected_version": 0})
        )
        .await
        .status(),
        StatusCode::NOT_FOUND,
        "no such dimension"
    );

    let read = api.get_json(&path).await;
    let filled: Vec<&str> = read["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["filled"] == true)
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(filled, ["sundhed", "skole"], "in the ICS order");
    let health = dimension(&read, "sundhed");
    assert_eq!(health["description"], "Emma er ofte syg.");
    assert_eq!(health["side"], "child_development");
    assert!(health["resources"].is_null());
    let leisure = dimension(&read, "fritid");
    assert_eq!(
        (&leisure["version"], &leisure["filled"]),
        (&json!(1), &json!(false)),
        "saved empty: not filled"
    );

    let sources = format!("{path}/dimensions/sundhed/sources");
    let linked = api
        .post(
            &sources,
            json!({"who": "Sundhedsplejerske Lone", "said_on": "2026-01-10",
                   "link": format!("journal_entry:{entry}")}),
        )
        .await;
    assert_eq!(linked.status(), StatusCode::CREATED);
    let linked: Value = linked.json().await.unwrap();
    assert_eq!(linked["items"][0]["link_kind"], "journal_entry");
    assert_eq!(linked["items"][0]["link_id"], entry.to_string());

    // A journal entry of another child of the same municipality is not this case's.
    let municipality = app.municipality("901").await;
    let mut tx = app.test.db.tenant(municipality).await.unwrap();
    let other = vaern_store::children::search(&mut tx, "a")
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id != child.id && c.case_id.is_some())
        .unwrap();
    let others_entry = journal::list(&mut tx, other.case_id.unwrap(), &Default::default())
        .await
        .unwrap()[0]
        .id;
    tx.commit().await.unwrap();
    for link in [
        format!("journal_entry:{others_entry}"),
        "journal_entry:ikke-et-id".to_owned(),
        format!("brev:{entry}"),
    ] {
        let refused = api
            .post(
                &sources,
                json!({"who": "Lærer", "said_on": "2026-01-10", "link": link}),
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{link}");
        let problem: Value = refused.json().await.unwrap();
        assert!(
            field_message(&problem, "link").is_some(),
            "{link}: {problem}"
        );
    }
    let unlinked = api
        .post(
            &format!("{path}/dimensions/skole/sources"),
            json!({"who": "Klasselærer", "said_on": "12.01.2026"}),
        )
        .await;
    assert_eq!(unlinked.status(), StatusCode::CREATED);

    let read = api.get_json(&path).await;
    let listed: Vec<(&str, &str)> = read["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["dimension"].as_str().unwrap(), s["who"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [
            ("skole", "Klasselærer"),
            ("sundhed", "Sundhedsplejerske Lone")
        ],
        "nothing stored from the refused links"
    );
}

#[tokio::test]
async fn a_stale_save_is_a_conflict_and_overwrites_nothing() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let anne = app.api("raadgiver901").await;
    let mads = app.api("raadgiver2901").await;
    let sub = an_investigation(&anne, &child).await;
    let path = format!("{}/dimensions/omsorg", investigation_path(&child, &sub));
    let first = anne
        .put(
            &path,
            json!({"description": "Første udgave", "expected_version": 0}),
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);

    // Both read version 1; Anne saves first.
    let anne_saves = anne
        .put(
            &path,
            json!({"description": "Annes tekst", "expected_version": 1}),
        )
        .await;
    assert_eq!(anne_saves.status(), StatusCode::OK);
    let saved: Value = anne_saves.json().await.unwrap();
    assert_eq!(saved["version"], 2);

    let mads_saves = mads
        .put(
            &path,
            json!({"description": "Mads' tekst", "expected_version": 1}),
        )
        .await;
    assert_eq!(mads_saves.status(), StatusCode::CONFLICT);
    assert_eq!(
        mads_saves.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = mads_saves.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Trygt omsorgsmiljø"),
        "{problem}"
    );

    let read = mads.get_json(&investigation_path(&child, &sub)).await;
    let safe_care = dimension(&read, "omsorg");
    assert_eq!(safe_care["description"], "Annes tekst");
    assert_eq!(safe_care["version"], 2);
    assert_eq!(
        safe_care["updated_by"], "Anne Sørensen",
        "the first save stands"
    );

    // Two first saves of a dimension never saved: the second is the conflict.
    let path = format!("{}/dimensions/bolig", investigation_path(&child, &sub));
    let body = json!({"description": "x", "expected_version": 0});
    assert_eq!(anne.put(&path, body.clone()).await.status(), StatusCode::OK);
    assert_eq!(mads.put(&path, body).await.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_autosaved_draft_is_kept_for_its_author_until_saved() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let sub = an_investigation(&api, &child).await;
    let path = format!("{}/dimensions/udvikling", investigation_path(&child, &sub));
    let autosaved = api
        .post(
            &format!("{path}/draft"),
            json!({"description": "Halvt skrevet", "child_view": "Emma siger",
                   "expected_version": 0}),
        )
        .await;
    assert_eq!(autosaved.status(), StatusCode::OK);
    let autosaved: Value = autosaved.json().await.unwrap();
    assert!(autosaved["saved_at"].as_str().unwrap().ends_with('Z'));

    let sub_case: SubCaseId = sub.parse().unwrap();
    let anne = app.actor("raadgiver901").await;
    let edit = vaern_app::investigations::dimension(
        &app.test.db,
        &anne,
        child.id,
        sub_case,
        "udvikling",
        vaern_store::access_log::AccessKind::ApiRead,
    )
    .await
    .unwrap();
    let (input, draft) = edit.draft.expect("the draft is kept");
    assert_eq!(input.description, "Halvt skrevet");
    assert_eq!(input.child_view, "Emma siger");
    assert_eq!(draft.base_version, 0);
    assert!(edit.saved.is_none(), "a draft is not a save");
    let read = api.get_json(&investigation_path(&child, &sub)).await;
    assert_eq!(dimension(&read, "udvikling")["version"], 0);

    let mads = app.actor("raadgiver2901").await;
    let others = vaern_app::investigations::dimension(
        &app.test.db,
        &mads,
        child.id,
        sub_case,
        "udvikling",
        vaern_store::access_log::AccessKind::ApiRead,
    )
    .await
    .unwrap();
    assert!(others.draft.is_none(), "a draft is its author's own");

    let saved = api
        .put(
            &path,
            json!({"description": "Færdig tekst", "expected_version": 0}),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let edit = vaern_app::investigations::dimension(
        &app.test.db,
        &anne,
        child.id,
        sub_case,
        "udvikling",
        vaern_store::access_log::AccessKind::ApiRead,
    )
    .await
    .unwrap();
    assert!(edit.draft.is_none(), "the draft is discarded once saved");
    assert_eq!(
        edit.saved.unwrap().description.as_deref(),
        Some("Færdig tekst")
    );
}

#[tokio::test]
async fn a_conclusion_takes_a_position_completes_the_steps_and_is_final() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let sub = an_investigation(&api, &child).await;
    let path = investigation_path(&child, &sub);

    let talked = api
        .post(
            &format!("{path}/conversation"),
            json!({"held_on": "2026-01-15", "summary": "Emma fortalte om skolen."}),
        )
        .await;
    assert_eq!(talked.status(), StatusCode::CREATED);
    assert_eq!(
        step_status(&sub_case(&api, &child, &sub).await, "boernesamtale"),
        "done"
    );

    let mut without_position = conclusion();
    without_position["position"] = json!("");
    let refused = api
        .post(&format!("{path}/conclusion"), without_position)
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        field_message(&problem, "position")
            .unwrap()
            .contains("§ 32"),
        "{problem}"
    );
    let before = sub_case(&api, &child, &sub).await;
    assert_eq!(step_status(&before, "konklusion"), "pending");

    let concluded = api.post(&format!("{path}/conclusion"), conclusion()).await;
    assert_eq!(concluded.status(), StatusCode::OK);
    let investigation: Value = concluded.json().await.unwrap();
    assert_eq!(investigation["conclusion"]["position"], "support");
    assert_eq!(
        investigation["conclusion"]["position_label"],
        "Støtte efter barnets lov § 32"
    );
    assert!(
        investigation["due_at"].is_null(),
        "the 4-month deadline is met"
    );
    let after = sub_case(&api, &child, &sub).await;
    for code in ["undersoegelse", "konklusion"] {
        assert_eq!(step_status(&after, code), "done", "{code}");
    }
    let four_months = after["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule_id"] == "undersoegelse.4mdr")
        .unwrap();
    assert_eq!(four_months["state"], "met");

    let again = api.post(&format!("{path}/conclusion"), conclusion()).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let late = api
        .put(
            &format!("{path}/dimensions/sundhed"),
            json!({"description": "For sent", "expected_version": 0}),
        )
        .await;
    assert_eq!(late.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = late.json().await.unwrap();
    assert!(
        field_message(&problem, "investigation").is_some(),
        "{problem}"
    );
    let read = api.get_json(&path).await;
    assert_eq!(dimension(&read, "sundhed")["version"], 0);
}

#[tokio::test]
async fn after_four_months_the_preliminary_assessment_comes_first() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let sub = an_investigation(&api, &child).await;
    let path = investigation_path(&child, &sub);

    // Four months pass: the 4-month deadline is now overdue.
    let sub_case_id: SubCaseId = sub.parse().unwrap();
    let listed = sub_case(&api, &child, &sub).await;
    let step = listed["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "konklusion")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let municipality = app.municipality("901").await;
    let mut tx = app.test.db.tenant(municipality).await.unwrap();
    let now = vaern_store::now();
    deadlines::cancel_for_sub_case(&mut tx, sub_case_id, &[])
        .await
        .unwrap();
    deadlines::create(
        &mut tx,
        &deadlines::NewDeadline {
            case: child.case_id.unwrap(),
            sub_case: sub_case_id,
            step: Some(vaern_store::StepId(step)),
            rule_id: vaern_domain::process::RuleId::Investigation,
            trigger_at: now - time::Duration::days(125),
            due_at: now - time::Duration::days(3),
            started_by: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let overdue = api.get_json(&path).await;
    assert_eq!(overdue["preliminary_due"], true);

    let refused = api.post(&format!("{path}/conclusion"), conclusion()).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        field_message(&problem, "preliminary")
            .unwrap()
            .contains("§ 20, stk. 3"),
        "{problem}"
    );
    assert!(api.get_json(&path).await["conclusion"].is_null());

    let empty = api
        .post(&format!("{path}/preliminary"), json!({"text": " "}))
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let recorded = api
        .post(
            &format!("{path}/preliminary"),
            json!({"text": "Undersøgelsen trækker ud; skolens udtalelse mangler."}),
        )
        .await;
    assert_eq!(recorded.status(), StatusCode::OK);
    let recorded: Value = recorded.json().await.unwrap();
    assert_eq!(recorded["preliminary_due"], false);
    assert_eq!(recorded["preliminary"]["recorded_by"], "Anne Sørensen");

    let concluded = api.post(&format!("{path}/conclusion"), conclusion()).await;
    assert_eq!(concluded.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_plan_is_made_from_the_investigation_approved_once_and_versioned() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let plans = format!("/api/v1/children/{}/plans", child.id);
    let investigation = a_concluded_investigation(&api, &child).await;

    let mut goals = two_goals();
    goals[0]["wording"] = json!("");
    let refused = api
        .post(
            &plans,
            json!({"investigation_id": investigation, "goals": goals}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert!(field_message(&problem, "wording_0").is_some(), "{problem}");
    assert!(field_message(&problem, "wording_1").is_none());
    let overview = api.get_json(&plans).await;
    assert_eq!(
        overview["versions"].as_array().unwrap().len(),
        0,
        "nothing created"
    );
    assert_eq!(overview["investigations"][0]["id"], investigation.as_str());

    let created = api
        .post(
            &plans,
            json!({"investigation_id": investigation, "goals": two_goals()}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let v1: Value = created.json().await.unwrap();
    assert_eq!(
        (&v1["plan"]["version"], &v1["plan"]["status"]),
        (&json!(1), &json!("draft"))
    );
    assert_eq!(v1["plan"]["investigation_id"], investigation.as_str());
    assert_eq!(v1["goals"][0]["dimension"], "skole");
    assert_eq!(v1["goals"][1]["measures"], Value::Null);
    let plan_id = v1["plan"]["id"].as_str().unwrap();

    let approval = format!("{plans}/{plan_id}/approval");
    let approved = api.post(&approval, json!({})).await;
    assert_eq!(approved.status(), StatusCode::OK);
    let approved: Value = approved.json().await.unwrap();
    assert_eq!(approved["plan"]["status"], "approved");
    assert_eq!(approved["plan"]["approved_by"], "Anne Sørensen");
    assert_eq!(
        api.post(&approval, json!({})).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "approved once"
    );
    let changed = api
        .put(
            &format!("{plans}/{plan_id}/goals"),
            json!({"goals": two_goals()}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = changed.json().await.unwrap();
    assert!(field_message(&problem, "plan").is_some(), "{problem}");

    let next = api.post(&format!("{plans}/new-version"), json!({})).await;
    assert_eq!(next.status(), StatusCode::CREATED);
    let v2: Value = next.json().await.unwrap();
    assert_eq!(
        (&v2["plan"]["version"], &v2["plan"]["status"]),
        (&json!(2), &json!("draft"))
    );
    assert_eq!(goal_keys(&v2), goal_keys(&v1), "the goals keep their keys");

    let mut edited: Vec<Value> = v2["goals"].as_array().unwrap().clone();
    edited[1]["wording"] = json!("Forældrene følger Emma i seng hver aften");
    edited[1]["measures"] = json!("");
    let updated = api
        .put(
            &format!("{plans}/{}/goals", v2["plan"]["id"].as_str().unwrap()),
            json!({"goals": edited}),
        )
        .await;
    assert_eq!(updated.status(), StatusCode::OK);

    let compared = api.get(&format!("{plans}/compare?from=1&to=2")).await;
    assert_eq!(compared.status(), StatusCode::OK);
    let compared: Value = compared.json().await.unwrap();
    let changes: Vec<&str> = compared["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["same", "changed"]);
    assert_eq!(
        compared["changes"][1]["before"]["wording"],
        "Forældrene følger Emma i seng"
    );
    assert_eq!(
        compared["changes"][1]["after"]["wording"],
        "Forældrene følger Emma i seng hver aften"
    );
    assert_eq!(
        api.get(&format!("{plans}/compare?from=1")).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        api.get(&format!("{plans}/compare?from=1&to=7"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let first = api.get_json(&format!("{plans}/1")).await;
    assert_eq!(
        first["goals"][1]["wording"], "Forældrene følger Emma i seng",
        "the approved version is unchanged"
    );
    let overview = api.get_json(&plans).await;
    let versions: Vec<i64> = overview["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [2, 1], "newest first");
    assert_eq!(
        overview["goals"][1]["wording"],
        "Forældrene følger Emma i seng hver aften"
    );
}

#[tokio::test]
async fn a_follow_up_scores_every_goal_and_sets_the_next_date() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let v1 = a_plan(&api, &child).await;
    let plans = format!("/api/v1/children/{}/plans", child.id);
    let follow_ups = format!("/api/v1/children/{}/follow-ups", child.id);
    let keys = goal_keys(&v1);
    let scores = json!({ &keys[0]: 3, &keys[1]: 5 });
    let body = json!({
        "child_view": "Emma synes, det går bedre.", "parents_view": "",
        "decision": "continue", "next_date": in_days(90),
        "next_reason": "Tre måneder, så skoleåret kan vurderes", "scores": scores
    });

    let unapproved = api.post(&follow_ups, body.clone()).await;
    assert_eq!(
        unapproved.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "only an approved plan is followed up on"
    );
    let approved = api
        .post(
            &format!("{plans}/{}/approval", v1["plan"]["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(approved.status(), StatusCode::OK);

    let mut without_date = body.clone();
    without_date["next_date"] = json!("");
    let refused = api.post(&follow_ups, without_date).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        field_message(&problem, "next_date")
            .unwrap()
            .contains("§ 95"),
        "{problem}"
    );

    let mut too_high = body.clone();
    too_high["scores"][&keys[1]] = json!(6);
    let refused = api.post(&follow_ups, too_high).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    let field = format!("score_{}", keys[1]);
    assert!(field_message(&problem, &field).is_some(), "{problem}");
    assert!(field_message(&problem, &format!("score_{}", keys[0])).is_none());

    let mut missing = body.clone();
    missing["scores"] = json!({ &keys[0]: 2 });
    let refused: Value = api.post(&follow_ups, missing).await.json().await.unwrap();
    assert!(
        field_message(&refused, &format!("score_{}", keys[1])).is_some(),
        "every goal is scored: {refused}"
    );
    assert_eq!(
        api.get_json(&plans).await["follow_ups"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "nothing stored from the refused ones"
    );

    let recorded = api.post(&follow_ups, body).await;
    assert_eq!(recorded.status(), StatusCode::CREATED);
    let recorded: Value = recorded.json().await.unwrap();
    assert_eq!(recorded["decision"], "continue");
    assert_eq!(recorded["next_date"], in_days(90));

    let overview = api.get_json(&plans).await;
    let listed = &overview["follow_ups"][0];
    assert_eq!(listed["id"], recorded["id"]);
    assert_eq!(listed["plan_id"], v1["plan"]["id"]);
    assert_eq!(listed["child_view"], "Emma synes, det går bedre.");
    let mut scored: Vec<(String, i64)> = listed["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["goal_key"].as_str().unwrap().to_owned(),
                s["score"].as_i64().unwrap(),
            )
        })
        .collect();
    scored.sort();
    let mut expected = vec![(keys[0].clone(), 3), (keys[1].clone(), 5)];
    expected.sort();
    assert_eq!(scored, expected);
}

#[tokio::test]
async fn the_investigation_is_filed_on_the_case_as_a_pdf() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let sub = an_investigation(&api, &child).await;
    let path = investigation_path(&child, &sub);
    api.put(
        &format!("{path}/dimensions/skole"),
        json!({"description": "Emma er glad for sin klasse.", "expected_version": 0}),
    )
    .await;
    let before = app.documents_on_case(&child).await.len();

    let rendered = api.post(&format!("{path}/document"), json!({})).await;
    assert_eq!(rendered.status(), StatusCode::CREATED);
    let document: Value = rendered.json().await.unwrap();
    assert_eq!(
        document["title"],
        "Børnefaglig undersøgelse (ikke afsluttet)"
    );

    let documents = app.documents_on_case(&child).await;
    assert_eq!(documents.len(), before + 1);
    let filed = documents
        .iter()
        .find(|d| d["id"] == document["id"])
        .expect("listed on the case");
    assert_eq!(filed["media_type"], "application/pdf");
    assert_eq!(filed["sub_case_id"], sub.as_str());
    let content = api
        .get(&format!(
            "/api/v1/children/{}/documents/{}/versions/1/content",
            child.id,
            document["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(content.status(), StatusCode::OK);
    assert!(content.bytes().await.unwrap().starts_with(b"%PDF"));
}

#[tokio::test]
async fn another_municipality_finds_nothing() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let own = app.api("raadgiver901").await;
    let sub = an_investigation(&own, &child).await;
    let path = investigation_path(&child, &sub);
    let v1 = a_plan(&own, &child).await;
    let plan_id = v1["plan"]["id"].as_str().unwrap();
    let plans = format!("/api/v1/children/{}/plans", child.id);
    let other = app.api("raadgiver902").await;

    let reads = [
        path.clone(),
        plans.clone(),
        format!("{plans}/1"),
        format!("{plans}/compare?from=1&to=1"),
    ];
    for read in &reads {
        assert_eq!(
            other.get(read).await.status(),
            StatusCode::NOT_FOUND,
            "{read}"
        );
    }
    let dimension = json!({"description": "Fremmed tekst", "expected_version": 0});
    let writes = [
        (
            reqwest::Method::PUT,
            format!("{path}/dimensions/sundhed"),
            dimension.clone(),
        ),
        (
            reqwest::Method::POST,
            format!("{path}/dimensions/sundhed/draft"),
            dimension,
        ),
        (
            reqwest::Method::POST,
            format!("{path}/dimensions/sundhed/sources"),
            json!({"who": "X", "said_on": "2026-01-10"}),
        ),
        (
            reqwest::Method::POST,
            format!("{path}/conversation"),
            json!({"held_on": "2026-01-10", "summary": "x"}),
        ),
        (
            reqwest::Method::POST,
            format!("{path}/preliminary"),
            json!({"text": "x"}),
        ),
        (
            reqwest::Method::POST,
            format!("{path}/conclusion"),
            conclusion(),
        ),
        (reqwest::Method::POST, format!("{path}/document"), json!({})),
        (
            reqwest::Method::POST,
            plans.clone(),
            json!({"investigation_id": v1["plan"]["investigation_id"], "goals": two_goals()}),
        ),
        (
            reqwest::Method::PUT,
            format!("{plans}/{plan_id}/goals"),
            json!({"goals": two_goals()}),
        ),
        (
            reqwest::Method::POST,
            format!("{plans}/{plan_id}/approval"),
            json!({}),
        ),
        (
            reqwest::Method::POST,
            format!("{plans}/new-version"),
            json!({}),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/children/{}/follow-ups", child.id),
            json!({"decision": "continue", "next_date": in_days(30), "next_reason": "x",
                   "scores": {}}),
        ),
    ];
    for (method, write, body) in writes {
        assert_eq!(
            other
                .send(method.clone(), &write, Some(body))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "{method} {write}"
        );
    }

    // Bad input says nothing either: the id is looked up before the body is judged.
    for (method, write) in [
        (reqwest::Method::POST, format!("{path}/conversation")),
        (reqwest::Method::POST, format!("{path}/preliminary")),
        (reqwest::Method::POST, format!("{path}/conclusion")),
        (
            reqwest::Method::POST,
            format!("{path}/dimensions/sundhed/sources"),
        ),
        (reqwest::Method::POST, plans.clone()),
        (reqwest::Method::PUT, format!("{plans}/{plan_id}/goals")),
        (reqwest::Method::GET, format!("{plans}/compare")),
    ] {
        let body = (method != reqwest::Method::GET).then(|| json!({}));
        assert_eq!(
            other.send(method.clone(), &write, body).await.status(),
            StatusCode::NOT_FOUND,
            "{method} {write} with bad input"
        );
    }

    let read = own.get_json(&path).await;
    assert_eq!(dimension_version(&read, "sundhed"), 0, "nothing changed");
    assert!(read["conclusion"].is_null());
    let overview = own.get_json(&plans).await;
    assert_eq!(overview["versions"][0]["status"], "draft");
    assert_eq!(overview["versions"].as_array().unwrap().len(), 1);
}

fn dimension_version(investigation: &Value, code: &str) -> i64 {
    dimension(investigation, code)["version"].as_i64().unwrap()
}

#[tokio::test]
async fn the_openapi_document_describes_the_investigation_and_plan_paths() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let investigation = "/api/v1/children/{id}/sub-cases/{sub}/investigation";
    for (path, method) in [
        (investigation.to_owned(), "get"),
        (format!("{investigation}/dimensions/{{key}}"), "put"),
        (format!("{investigation}/dimensions/{{key}}/draft"), "post"),
        (
            format!("{investigation}/dimensions/{{key}}/sources"),
            "post",
        ),
        (format!("{investigation}/conversation"), "post"),
        (format!("{investigation}/preliminary"), "post"),
        (format!("{investigation}/conclusion"), "post"),
        (format!("{investigation}/document"), "post"),
        ("/api/v1/children/{id}/plans".to_owned(), "get"),
        ("/api/v1/children/{id}/plans".to_owned(), "post"),
        ("/api/v1/children/{id}/plans/{version}".to_owned(), "get"),
        ("/api/v1/children/{id}/plans/compare".to_owned(), "get"),
        ("/api/v1/children/{id}/plans/new-version".to_owned(), "post"),
        ("/api/v1/children/{id}/plans/{key}/goals".to_owned(), "put"),
        (
            "/api/v1/children/{id}/plans/{key}/approval".to_owned(),
            "post",
        ),
        ("/api/v1/children/{id}/follow-ups".to_owned(), "post"),
    ] {
        assert!(
            doc["paths"][&path][method].is_object(),
            "{method} {path} missing"
        );
    }
    assert!(doc["components"]["schemas"]["InvestigationDto"].is_object());
}
