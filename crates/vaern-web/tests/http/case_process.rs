//! The case process through the API: underretninger with statutory deadlines, the 24-hour
//! assessment, steps, closing rules and concurrent finishing.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;

fn step<'a>(sub_case: &'a Value, code: &str) -> &'a Value {
    sub_case["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap_or_else(|| panic!("{code}"))
}

fn deadline<'a>(sub_case: &'a Value, rule: &str) -> Option<&'a Value> {
    sub_case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule_id"] == rule)
}

fn underretning(received_at: &str, kind: &str, concerns: &[&str]) -> Value {
    json!({
        "received_at": received_at, "channel": "telefon", "notifier_kind": kind,
        "notifier_name": if kind == "anonymous" { "" } else { "Lise Lærer" },
        "notifier_organisation": if kind == "professional" { "Værnby Skole" } else { "" },
        "concerns": concerns, "text": "Barnet fortæller om slag derhjemme."
    })
}

#[tokio::test]
async fn a_professionals_underretning_gets_the_24_hour_and_6_working_day_deadlines() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let response = api
        .post(
            &format!("/api/v1/children/{}/notifications", child.id),
            underretning("2026-04-01T15:00:00+02:00", "professional", &[]),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let sub_case = &created["sub_case"];
    assert_eq!(sub_case["kind"], "clarification");
    assert_eq!(
        sub_case["next_step"], "vurdering_24t",
        "the assessment comes first"
    );
    // BL § 136: 24 elapsed hours. BL § 138: 6 working days; 2.-6.4.2026 are Easter holidays,
    // so the 6th working day after Wed 1.4 is Tue 14.4 (end of day, Danish summer time).
    assert_eq!(
        deadline(sub_case, "underretning.vurdering_24t").unwrap()["due_at"],
        "2026-04-02T13:00:00Z"
    );
    let receipt = deadline(sub_case, "underretning.kvittering_6hd").unwrap();
    assert_eq!(receipt["due_at"], "2026-04-14T21:59:59Z");
    assert_eq!(receipt["legal_reference"], "Barnets lov § 138, stk. 1");
    let journal = api
        .get_json(&format!(
            "/api/v1/children/{}/journal?kind=automatic",
            child.id
        ))
        .await;
    let note = journal["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"] == "Underretning registreret")
        .expect("journalled");
    assert!(
        note["text"]
            .as_str()
            .unwrap()
            .contains("Lise Lærer, Værnby Skole")
    );
}

#[tokio::test]
async fn a_private_underretning_has_no_receipt_and_one_about_abuse_requires_the_conversation() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let created = api
        .post_json(
            &format!("/api/v1/children/{}/notifications", child.id),
            underretning("2026-11-20T10:00:00+01:00", "private", &["vold"]),
        )
        .await;
    let sub_case = &created["sub_case"];
    assert!(
        deadline(sub_case, "underretning.kvittering_6hd").is_none(),
        "no receipt for private notifiers"
    );
    assert_eq!(
        step(sub_case, "samtale_overgreb")["required"],
        true,
        "BL § 137, stk. 3"
    );
}

#[tokio::test]
async fn closing_waits_for_the_assessment_and_required_steps() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let created = api
        .post_json(
            &format!("/api/v1/children/{}/notifications", child.id),
            underretning("2026-11-20T10:00:00+01:00", "anonymous", &[]),
        )
        .await;
    let base = format!(
        "/api/v1/children/{}/sub-cases/{}",
        child.id,
        created["sub_case_id"].as_str().unwrap()
    );
    let refused = api
        .post(
            &format!("{base}/close"),
            json!({"reason": "Ingen bekymring"}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Vurdering inden 24 timer"),
        "{problem}"
    );

    let generic = api
        .post(
            &format!("{base}/steps/vurdering_24t"),
            json!({"action": "done"}),
        )
        .await;
    assert_eq!(
        generic.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the assessment needs its answers and reasoning"
    );
    let incomplete = api
        .post(&format!("{base}/assessment"), json!({"risk": true}))
        .await;
    assert_eq!(incomplete.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let assessed = api
        .post(
            &format!("{base}/assessment"),
            json!({"risk": false, "immediate_action": false, "reasoning": "Ingen tegn på fare."}),
        )
        .await;
    assert_eq!(assessed.status(), StatusCode::OK);
    let again = api
        .post(
            &format!("{base}/assessment"),
            json!({"risk": true, "immediate_action": true, "reasoning": "Anden vurdering"}),
        )
        .await;
    assert_eq!(
        again.status(),
        StatusCode::CONFLICT,
        "an assessment is never overwritten"
    );

    let skip = api
        .post(
            &format!("{base}/steps/screening"),
            json!({"action": "skip"}),
        )
        .await;
    assert_eq!(
        skip.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a required step needs a reason to skip"
    );
    api.post(
        &format!("{base}/steps/screening"),
        json!({"action": "done", "note": "Screenet"}),
    )
    .await;
    let konklusion = api
        .post(
            &format!("{base}/steps/konklusion"),
            json!({"action": "skip", "note": "Afsluttes uden videre"}),
        )
        .await;
    let sub_case: Value = konklusion.json().await.unwrap();
    assert_eq!(step(&sub_case, "konklusion")["status"], "skipped");
    assert_eq!(step(&sub_case, "vurdering_24t")["status"], "done");
    assert_eq!(
        deadline(&sub_case, "underretning.vurdering_24t").unwrap()["state"],
        "met"
    );
    let closed = api
        .post(
            &format!("{base}/close"),
            json!({"reason": "Ingen bekymring"}),
        )
        .await;
    assert_eq!(closed.status(), StatusCode::OK);
    let closed: Value = closed.json().await.unwrap();
    assert_eq!(closed["status"], "closed");
    let after = api
        .post(
            &format!("{base}/steps/screening"),
            json!({"action": "skip", "note": "Efter lukning"}),
        )
        .await;
    assert_eq!(
        after.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a closed sub-case does not change"
    );
}

#[tokio::test]
async fn two_people_finishing_the_same_step_at_once_one_wins_and_the_other_is_told() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let sub = app.an_underretning(&child).await;
    let (anne, mads) = (
        app.api("raadgiver901").await,
        app.api("raadgiver2901").await,
    );
    let path = format!(
        "/api/v1/children/{}/sub-cases/{sub}/steps/screening",
        child.id
    );
    let (a, b) = tokio::join!(
        anne.post(&path, json!({"action": "done"})),
        mads.post(&path, json!({"action": "done"}))
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let loser = if a.status() == StatusCode::CONFLICT {
        a
    } else {
        b
    };
    let problem: Value = loser.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("allerede afsluttet")
            || problem["detail"]
                .as_str()
                .unwrap()
                .contains("netop afsluttet"),
        "{problem}"
    );
}

#[tokio::test]
async fn an_investigation_gets_the_four_month_deadline_and_bad_input_is_explained() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let path = format!("/api/v1/children/{}/sub-cases", child.id);
    let created = api.post(&path, json!({"kind": "investigation"})).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let sub_case: Value = created.json().await.unwrap();
    assert!(
        deadline(&sub_case, "undersoegelse.4mdr").is_some(),
        "BL § 20, stk. 3"
    );
    assert_eq!(
        api.post(&path, json!({"kind": "clarification"}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        api.post(&path, json!({"kind": "ukendt"})).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let future = api
        .post(
            &format!("/api/v1/children/{}/notifications", child.id),
            underretning("2999-01-01T10:00:00+01:00", "private", &[]),
        )
        .await;
    assert_eq!(future.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let listed = api.get_json(&path).await;
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        1,
        "nothing half-stored from the refused ones"
    );
}

#[tokio::test]
async fn mit_overblik_shows_the_awaiting_assessment_and_overdue_deadlines() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let sub = app.an_underretning(&child).await; // received 05.01.2026: long overdue
    let caseworker = child.caseworker_name.clone().unwrap();
    let username = if caseworker == "Anne Sørensen" {
        "raadgiver901"
    } else if caseworker == "Mads Kjær" {
        "raadgiver2901"
    } else {
        "teamleder901"
    };
    let (client, _) = app.login(username).await;
    let page = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Underretninger der venter på 24-timersvurdering (1)"),
        "{caseworker}"
    );
    assert!(page.contains(&format!("/delsager/{sub}#vurdering")));
    assert!(
        page.contains("overskredet med"),
        "the countdown says it is overdue"
    );
    assert!(page.contains("vaern-overdue"));
}

mod team {
    use super::*;

    async fn team_case_ids(app: &TestApp) -> Vec<String> {
        let team = app.api("teamleder901").await.get_json("/api/v1/team").await;
        team["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    }

    #[tokio::test]
    async fn a_team_lead_moves_cases_in_one_go_and_each_case_is_journalled() {
        let app = TestApp::spawn().await;
        let lead = app.api("teamleder901").await;
        let team = lead.get_json("/api/v1/team").await;
        assert_eq!(team["team_name"], "Team Småbørn");
        let ids = team_case_ids(&app).await;
        assert!(ids.len() >= 2);
        let mads = app.user_id("901", "raadgiver2901").await;
        let moved = lead
            .post(
                "/api/v1/team/reassign",
                json!({"child_ids": &ids[..2], "caseworker_id": mads}),
            )
            .await;
        assert_eq!(moved.status(), StatusCode::OK);
        let worker = app.api("raadgiver901").await;
        for id in &ids[..2] {
            let child = worker.get_json(&format!("/api/v1/children/{id}")).await;
            assert_eq!(child["case"]["caseworker_name"], "Mads Kjær");
            let journal = worker
                .get_json(&format!("/api/v1/children/{id}/journal?kind=automatic"))
                .await;
            let note = journal["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["title"] == "Rådgiver ændret (masseskift)");
            assert!(
                note.unwrap()["text"]
                    .as_str()
                    .unwrap()
                    .contains("Birgitte Holm"),
                "who moved it"
            );
        }
    }

    #[tokio::test]
    async fn masseskift_is_all_or_nothing_and_explains_bad_input() {
        let app = TestApp::spawn().await;
        let lead = app.api("teamleder901").await;
        let ids = team_case_ids(&app).await;
        let (theirs, _) = app.a_child("902").await;
        let mads = app.user_id("901", "raadgiver2901").await;
        let mixed = lead.post("/api/v1/team/reassign", json!({"child_ids": [ids[0].clone(), theirs.id.to_string()], "caseworker_id": mads})).await;
        assert_eq!(mixed.status(), StatusCode::NOT_FOUND);
        let child = app
            .api("raadgiver901")
            .await
            .get_json(&format!("/api/v1/children/{}", ids[0]))
            .await;
        assert_ne!(
            child["case"]["caseworker_name"], "Mads Kjær",
            "nothing moved"
        );
        let empty = lead
            .post(
                "/api/v1/team/reassign",
                json!({"child_ids": [], "caseworker_id": mads}),
            )
            .await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let finance = app.user_id("901", "oekonomi901").await;
        let not_caseworker = lead
            .post(
                "/api/v1/team/reassign",
                json!({"child_ids": [ids[0].clone()], "caseworker_id": finance}),
            )
            .await;
        assert_eq!(not_caseworker.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[tokio::test]
    async fn overdue_deadlines_on_the_team_escalate_to_the_lead() {
        let app = TestApp::spawn().await;
        let lead = app.api("teamleder901").await;
        let ids = team_case_ids(&app).await;
        let worker_child = {
            let municipality = app.municipality("901").await;
            let mut tx = app.test.db.tenant(municipality).await.unwrap();
            vaern_store::children::get(&mut tx, ids[0].parse().unwrap())
                .await
                .unwrap()
        };
        app.an_underretning(&worker_child).await; // received in January: long overdue
        let team = lead.get_json("/api/v1/team").await;
        let escalations = team["escalations"].as_array().unwrap();
        assert!(
            escalations
                .iter()
                .any(|d| d["rule_id"] == "underretning.vurdering_24t" && d["state"] == "overdue"),
            "{team}"
        );
        let (client, _) = app.login("teamleder901").await;
        let page = client
            .get(app.url("/team"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Overskredne frister (") && page.contains("Vurdér inden 24 timer"));
    }

    #[tokio::test]
    async fn the_masseskift_form_without_a_selection_keeps_the_choice_and_says_what_is_missing() {
        let app = TestApp::spawn().await;
        let (client, csrf) = app.login("teamleder901").await;
        let mads = app.user_id("901", "raadgiver2901").await.to_string();
        let response = client
            .post(app.url("/team/masseskift"))
            .form(&[("csrf", csrf.as_str()), ("caseworker_id", mads.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(page.contains("Vælg mindst én sag, der skal flyttes"));
        assert!(page.contains(&format!("value=\"{mads}\" selected")));
    }
}

mod decisions {
    use super::*;

    fn decision(outcome: &str, guidance: &str) -> Value {
        json!({"legal_basis": "bl32_1_3", "outcome": outcome, "content": "Der bevilges fast kontaktperson.",
               "reasoning": "Undersøgelsen viser behov for en fast voksen.", "appeal_guidance": guidance,
               "plan": "no"})
    }

    /// Retssikkerhedslovens § 66 and barnets lov § 142: the prefilled standard klagevejledning
    /// becomes the committee's (no genvurdering) when børne- og ungeudvalget decided; barnets
    /// lov § 3: for a child of 10 or more it also says the child may appeal itself.
    #[tokio::test]
    async fn rsl_66_bl_3_the_klagevejledning_follows_the_decider_and_tells_a_child_of_ten_it_may_appeal()
     {
        use vaern_domain::process::decision::{
            CHILD_PARTY_APPEAL_GUIDANCE, COMMITTEE_APPEAL_GUIDANCE, STANDARD_APPEAL_GUIDANCE,
        };
        let app = TestApp::spawn().await;
        let (party, young) = app.children_by_party_age("901").await;
        let api = app.api("raadgiver901").await;
        for (child, decided_by, expected, child_party) in [
            (&party[0], "committee", COMMITTEE_APPEAL_GUIDANCE, true),
            (&young[0], "administration", STANDARD_APPEAL_GUIDANCE, false),
        ] {
            let sub_case = app.a_decision_sub_case(child).await;
            let base = format!("/api/v1/children/{}/sub-cases/{sub_case}", child.id);
            for step in ["partshoering", "boernesamtale"] {
                let skipped = api
                    .post(
                        &format!("{base}/steps/{step}"),
                        json!({"action": "skip", "note": "Registreret i et andet møde"}),
                    )
                    .await;
                assert_eq!(skipped.status(), StatusCode::OK);
            }
            let made = api
                .post(
                    &format!("{base}/decision"),
                    json!({"decided_by": decided_by, "appeal_guidance": STANDARD_APPEAL_GUIDANCE,
                           "legal_basis": "bl32_1_3", "outcome": "refusal", "plan": "no",
                           "content": "Der gives afslag på fast kontaktperson.",
                           "reasoning": "Behovet dækkes af familiebehandlingen."}),
                )
                .await;
            assert_eq!(made.status(), StatusCode::CREATED, "{decided_by}");
            let made: Value = made.json().await.unwrap();
            let guidance = made["appeal_guidance"].as_str().unwrap();
            assert!(guidance.starts_with(expected), "{guidance}");
            assert_eq!(
                guidance.contains(CHILD_PARTY_APPEAL_GUIDANCE),
                child_party,
                "{guidance}"
            );
            assert_eq!(made["decided_by_body"], decided_by);
        }
    }

    #[tokio::test]
    async fn a_decision_needs_partshoering_the_childs_view_begrundelse_and_klagevejledning_and_starts_the_appeal_deadline()
     {
        let app = TestApp::spawn().await;
        let (child, _) = app.a_child("901").await;
        let api = app.api("raadgiver901").await;
        let sub_case = app.a_decision_sub_case(&child).await;
        let base = format!("/api/v1/children/{}/sub-cases/{sub_case}", child.id);

        let early = api
            .post(&format!("{base}/decision"), decision("grant", ""))
            .await;
        assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = early.json().await.unwrap();
        let messages = problem["errors"].to_string();
        assert!(messages.contains("Forvaltningslovens § 19"), "{problem}");
        assert!(messages.contains("Barnets lov § 5, stk. 3-4"), "{problem}");

        // The exception to partshøring is recorded by skipping the step with its reason.
        let skipped = api.post(&format!("{base}/steps/partshoering"), json!({"action": "skip", "note": "Undtagelse: afgørelsen giver fuldt medhold (FVL § 19, stk. 2, nr. 1)"})).await;
        assert_eq!(skipped.status(), StatusCode::OK);
        let still = api
            .post(&format!("{base}/decision"), decision("grant", ""))
            .await;
        assert_eq!(still.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let still: Value = still.json().await.unwrap();
        assert!(!still["errors"].to_string().contains("§ 19"), "{still}");
        assert!(
            still["errors"].to_string().contains("§ 5, stk. 3-4"),
            "{still}"
        );
        // BL § 5, stk. 4: the conversation may be left out with a recorded reason.
        let child_heard = api.post(&format!("{base}/steps/boernesamtale"), json!({"action": "skip", "note": "Barnet er 2 år; samtalen undlades efter barnets lov § 5, stk. 4"})).await;
        assert_eq!(child_heard.status(), StatusCode::OK);
        let no_guidance = api
            .post(&format!("{base}/decision"), decision("refusal", ""))
            .await;
        assert_eq!(no_guidance.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let no_reason = api.post(&format!("{base}/decision"), json!({"legal_basis": "bl32_1_3", "outcome": "grant", "content": "x", "reasoning": ""})).await;
        assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let made = api
            .post(&format!("{base}/decision"), decision("grant", ""))
            .await;
        assert_eq!(made.status(), StatusCode::CREATED);
        let made: Value = made.json().await.unwrap();
        assert_eq!(
            made["legal_basis_citation"],
            "Barnets lov § 32, stk. 1, nr. 3"
        );
        assert_eq!(
            made["appeal_guidance"],
            Value::Null,
            "a full grant needs no klagevejledning"
        );
        assert_eq!(
            api.post(&format!("{base}/decision"), decision("grant", ""))
                .await
                .status(),
            StatusCode::CONFLICT
        );

        let future = api
            .post(
                &format!("{base}/decision/made-known"),
                json!({"channel": "digital_post", "sent_at": "2999-01-01T10:00:00+01:00"}),
            )
            .await;
        assert_eq!(future.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let no_channel = api
            .post(
                &format!("{base}/decision/made-known"),
                json!({"sent_at": "2026-01-01T10:00:00+01:00"}),
            )
            .await;
        assert_eq!(no_channel.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let now = vaern_store::now();
        let known = now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let told = api
            .post(
                &format!("{base}/decision/made-known"),
                json!({"channel": "digital_post", "sent_at": known}),
            )
            .await;
        assert_eq!(told.status(), StatusCode::OK);
        let told: Value = told.json().await.unwrap();
        assert_eq!(told["made_known_channel"], "digital_post");
        let sub_cases = api
            .get_json(&format!("/api/v1/children/{}/sub-cases", child.id))
            .await;
        let decided = sub_cases["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["kind"] == "decision")
            .unwrap();
        assert_eq!(step(decided, "afgoerelse")["status"], "done");
        assert_eq!(step(decided, "meddelelse")["status"], "done");
        let appeal =
            deadline(decided, "afgoerelse.klagefrist_4u").expect("retssikkerhedslovens § 67");
        let due = time::OffsetDateTime::parse(
            appeal["due_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let local = |at: time::OffsetDateTime| at.to_offset(vaern_domain::dates::danish_offset(at));
        // Digital Post: received when sent; 4 weeks to the same weekday, or the next working day
        // when that is a weekend or public holiday (the domain's table tests pin the dates).
        let four_weeks = local(now).date() + time::Duration::weeks(4);
        let statutory = vaern_domain::calendar::Calendar::statutory();
        let expected = if statutory.is_working_day(four_weeks) {
            four_weeks
        } else {
            statutory.add_working_days(four_weeks, 1)
        };
        assert_eq!(local(due).date(), expected);
        assert!(
            appeal["started_by"]
                .as_str()
                .unwrap()
                .contains("Digital Post")
        );
        let again = api
            .post(
                &format!("{base}/decision/made-known"),
                json!({"channel": "letter", "sent_at": known}),
            )
            .await;
        assert_eq!(again.status(), StatusCode::CONFLICT);
    }

    #[tokio::test]
    async fn the_decision_form_offers_the_standard_klagevejledning_and_keeps_input_on_errors() {
        let app = TestApp::spawn().await;
        let (child, _) = app.a_child("901").await;
        let sub_case = app.a_decision_sub_case(&child).await;
        let path = format!("/boern/{}/delsager/{sub_case}", child.id);
        let (client, csrf) = app.login("raadgiver901").await;
        let page = client
            .get(app.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Du kan klage over afgørelsen til Ankestyrelsen"));
        assert!(
            page.contains("Forvaltningslovens § 19") && page.contains("Barnets lov § 5, stk. 3-4"),
            "the page says partshøring and the child's view come first"
        );
        let response = client
            .post(app.url(&format!("{path}/afgoerelse")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("legal_basis", "bl46"),
                ("outcome", "refusal"),
                ("content", "Afslag på anbringelse"),
                ("reasoning", ""),
                ("appeal_guidance", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = crate::common::Page::parse(&response.text().await.unwrap());
        assert_eq!(
            page.text("textarea[name=\"content\"]"),
            "Afslag på anbringelse",
            "the content typed is kept"
        );
        assert!(
            page.field_error("reasoning")
                .is_some_and(|m| m.contains("forvaltningslovens § 22")),
            "a refusal needs its begrundelse"
        );
        assert!(
            page.field_error("appeal_guidance")
                .is_some_and(|m| m.contains("forvaltningslovens § 25")),
            "a refusal needs its klagevejledning"
        );
    }
}

#[tokio::test]
async fn an_ansoegning_gets_the_municipalitys_own_deadline_and_no_24_hour_assessment() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let admin = app.api("admin901").await;
    admin
        .put(
            "/api/v1/deadline-rules/ansoegning.sagsbehandlingsfrist/local",
            json!({"unit": "weeks", "amount": 8, "description": "Afgørelse inden 8 uger"}),
        )
        .await;
    let api = app.api("raadgiver901").await;
    let body = json!({"intake": "ansoegning", "received_at": "2026-11-02T10:00:00+01:00", "channel": "brev",
        "notifier_kind": "private", "notifier_name": "Mette Nielsen", "text": "Ansøgning om aflastning"});
    let created = api
        .post_json(
            &format!("/api/v1/children/{}/notifications", child.id),
            body,
        )
        .await;
    assert_eq!(created["intake"], "ansoegning");
    let sub_case = &created["sub_case"];
    assert!(
        sub_case["title"]
            .as_str()
            .unwrap()
            .starts_with("Ansøgning modtaget")
    );
    assert!(
        deadline(sub_case, "underretning.vurdering_24t").is_none(),
        "the 24-hour rule is for underretninger"
    );
    // Retssikkerhedslovens § 3, stk. 2: 8 weeks from 2.11.2026 is 28.12.2026, end of day.
    assert_eq!(
        deadline(sub_case, "ansoegning.sagsbehandlingsfrist").unwrap()["due_at"],
        "2026-12-28T22:59:59Z"
    );
    assert_eq!(sub_case["next_step"], "screening");
    let (client, _) = app.login("raadgiver901").await;
    let page = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("Ansøgning modtaget"),
        "an ansøgning does not wait for a 24-hour assessment"
    );
}

#[tokio::test]
async fn the_journal_shows_which_sub_case_a_note_concerns_and_filters_by_it() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let sub = app.an_underretning(&child).await;
    let api = app.api("raadgiver901").await;
    let path = format!("/api/v1/children/{}/journal", child.id);
    let about = api
        .post_json(
            &path,
            json!({"title": "Opringning til skolen", "text": "Aftalt møde", "sub_case_id": sub}),
        )
        .await;
    assert_eq!(about["sub_case_id"], sub.to_string());
    assert!(
        about["sub_case_title"]
            .as_str()
            .unwrap()
            .starts_with("Underretning modtaget")
    );
    let only = api.get_json(&format!("{path}?sub_case={sub}")).await;
    let titles: Vec<&str> = only["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Underretning registreret") && titles.contains(&"Opringning til skolen"),
        "{titles:?}"
    );
    assert!(
        !titles.contains(&"Barnets sag oprettet"),
        "case-level notes are not about the sub-case"
    );
    // A sub-case of another child's case is refused.
    let (other, _) = app.a_child("901").await;
    let others = {
        let municipality = app.municipality("901").await;
        let mut tx = app.test.db.tenant(municipality).await.unwrap();
        vaern_store::children::search(&mut tx, "e")
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.id != other.id)
            .unwrap()
    };
    let foreign = api
        .post(
            &format!("/api/v1/children/{}/journal", others.id),
            json!({"title": "x", "text": "y", "sub_case_id": sub}),
        )
        .await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    let (client, _) = app.login("raadgiver901").await;
    let page = client
        .get(app.url(&format!("/boern/{}/journal?sub_case={sub}", child.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Delsag: Underretning modtaget")
            && page.contains("Viser kun notater om én delsag")
    );
}

/// Barnets lov § 18, stk. 1, nr. 2, and § 19: an afdækning is opened as its own sub-case with
/// its own steps and no statutory deadline, closes when they are done, and the form for a new
/// sub-case offers it.
#[tokio::test]
async fn bl_19_an_afdaekning_opens_as_its_own_sub_case_without_a_statutory_deadline() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let opened = api
        .post_json(
            &format!("/api/v1/children/{}/sub-cases", child.id),
            json!({"kind": "needs_assessment"}),
        )
        .await;
    assert_eq!(opened["kind"], "needs_assessment");
    let codes: Vec<_> = opened["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["afdaekning", "konklusion"]);
    assert_eq!(opened["deadlines"], json!([]), "{opened}");
    let base = format!(
        "/api/v1/children/{}/sub-cases/{}",
        child.id,
        opened["id"].as_str().unwrap()
    );
    for code in codes {
        let done = api
            .post(
                &format!("{base}/steps/{code}"),
                json!({"action": "done", "note": "Skolens og sundhedsplejens oplysninger er indhentet"}),
            )
            .await;
        assert_eq!(done.status(), StatusCode::OK);
    }
    let closed = api
        .post(
            &format!("{base}/close"),
            json!({"reason": "Ingen yderligere støtte"}),
        )
        .await;
    assert_eq!(closed.status(), StatusCode::OK);

    let (client, _) = app.login("raadgiver901").await;
    let overview =
        crate::common::page_text(&client, app.url(&format!("/boern/{}", child.id))).await;
    assert!(
        overview.contains("<option value=\"needs_assessment\">Afdækning</option>"),
        "the new sub-case form offers the afdækning"
    );
}
