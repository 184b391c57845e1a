//! Barnets plan and the decisions that need it (BL § 91), on either database: a § 47 placement is
//! blocked until a plan is approved (stk. 2); a § 46 placement or § 32 support starts the 3-month
//! deadline for the plan (stk. 1-2), which outlives the decision's sub-case and is met when a plan
//! is approved.

use time::{Date, Month};
use vaern_app::{Actor, AppError, auth, case_process, investigations, plans};
use vaern_domain::{
    ics::{ConclusionInput, DimensionInput, GoalInput},
    process::decision::DecisionInput,
};
use vaern_store::{children, deadlines};
use vaern_testkit::TestDb;

/// The first of `month`, `years` years from now: a target or follow-up date that stays in the
/// future whatever the clock says.
fn in_years(years: i32, month: Month) -> Date {
    Date::from_calendar_date(vaern_app::today().year() + years, month, 1).unwrap()
}

/// A date as the form takes it (dd.mm.åååå).
fn danish(date: Date) -> String {
    format!(
        "{:02}.{:02}.{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

async fn actor(test: &TestDb) -> Actor {
    let token = auth::create_token(&test.db, "raadgiver901").await.unwrap();
    auth::token_actor(&test.db, &token).await.unwrap()
}

async fn a_child(test: &TestDb, anne: &Actor) -> children::Child {
    let mut tx = test.db.tenant(anne.municipality_id).await.unwrap();
    let child = children::search(&mut tx, "a").await.unwrap().remove(0);
    tx.commit().await.unwrap();
    child
}

/// A decision sub-case with partshøring done, and the decision made on `basis` (for § 32
/// support: a plan is to be made).
async fn decide(
    test: &TestDb,
    anne: &Actor,
    child: &children::Child,
    basis: &str,
) -> Result<vaern_store::SubCaseId, AppError> {
    decide_with_plan(test, anne, child, basis, "yes").await
}

async fn decide_with_plan(
    test: &TestDb,
    anne: &Actor,
    child: &children::Child,
    basis: &str,
    plan: &str,
) -> Result<vaern_store::SubCaseId, AppError> {
    let sub = case_process::open_sub_case(&test.db, anne, child.id, "decision")
        .await
        .unwrap();
    for step in ["partshoering", "boernesamtale"] {
        case_process::finish_step(
            &test.db,
            anne,
            child.id,
            sub.id,
            step,
            &case_process::StepInput {
                action: "done".into(),
                note: String::new(),
            },
        )
        .await
        .unwrap();
    }
    case_process::make_decision(
        &test.db,
        anne,
        child.id,
        sub.id,
        &DecisionInput {
            // Barnets lov § 142: børne- og ungeudvalget decides a placement without consent.
            decided_by: if basis == "bl47" { "committee" } else { "" }.into(),
            legal_basis: basis.into(),
            outcome: "grant".into(),
            content: "Anbringelse".into(),
            reasoning: "Barnets behov".into(),
            appeal_guidance: String::new(),
            placement_reason: "other".into(),
            plan: plan.into(),
        },
    )
    .await
    .map(|_| sub.id)
}

/// A concluded investigation and an approved plan made from it.
async fn approved_plan(test: &TestDb, anne: &Actor, child: &children::Child) {
    let sub = case_process::open_sub_case(&test.db, anne, child.id, "investigation")
        .await
        .unwrap();
    investigations::save_dimension(
        &test.db,
        anne,
        child.id,
        sub.id,
        "skole",
        &DimensionInput {
            concerns: "Fravær".into(),
            ..Default::default()
        },
        0,
    )
    .await
    .unwrap();
    let investigation = investigations::conclude(
        &test.db,
        anne,
        child.id,
        sub.id,
        &ConclusionInput {
            assessment: "Behov for anbringelse".into(),
            position: "placement_without_consent".into(),
            reasoning: "Barnets sikkerhed".into(),
        },
    )
    .await
    .unwrap();
    let plan = plans::create_from_investigation(
        &test.db,
        anne,
        child.id,
        &investigation.id.to_string(),
        &[GoalInput {
            dimension: "skole".into(),
            wording: "Går i skole hver dag".into(),
            measures: String::new(),
            target_date: danish(in_years(4, Month::June)),
        }],
    )
    .await
    .unwrap();
    plans::approve(&test.db, anne, child.id, plan.id)
        .await
        .unwrap();
}

async fn plan_deadlines(test: &TestDb, anne: &Actor, child: &children::Child) -> Vec<String> {
    let mut tx = test.db.tenant(anne.municipality_id).await.unwrap();
    let found = deadlines::for_case(&mut tx, child.case_id.unwrap())
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.rule_id.starts_with("plan."))
        .map(|d| format!("{}:{}", d.rule_id, d.status))
        .collect();
    tx.commit().await.unwrap();
    found
}

/// BL § 91, stk. 2: the plan before a placement without consent.
#[tokio::test]
async fn a_placement_without_consent_waits_for_an_approved_plan() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let anne = actor(&test).await;
    let child = a_child(&test, &anne).await;
    let refused = decide(&test, &anne, &child, "bl47").await.unwrap_err();
    let AppError::Invalid(errors) = refused else {
        panic!("{refused:?}")
    };
    assert!(
        errors
            .for_field("legal_basis")
            .unwrap()
            .contains("§ 91, stk. 2")
    );
    approved_plan(&test, &anne, &child).await;
    decide(&test, &anne, &child, "bl47").await.unwrap();
}

/// BL § 91, stk. 1-2: 3 months for the plan after § 46 (and § 32), met by approving one.
#[tokio::test]
async fn a_placement_with_consent_starts_the_plan_deadline_until_a_plan_is_approved() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let anne = actor(&test).await;
    let child = a_child(&test, &anne).await;
    let sub = decide(&test, &anne, &child, "bl46").await.unwrap();
    assert_eq!(
        plan_deadlines(&test, &anne, &child).await,
        ["plan.46_3mdr:open"]
    );
    // Closing the decision's sub-case leaves the plan's deadline running.
    case_process::finish_step(
        &test.db,
        &anne,
        child.id,
        sub,
        "meddelelse",
        &case_process::StepInput {
            action: "skip".into(),
            note: "Meddelt mundtligt".into(),
        },
    )
    .await
    .unwrap();
    case_process::close_sub_case(&test.db, &anne, child.id, sub, "Afgørelsen er truffet")
        .await
        .unwrap();
    assert_eq!(
        plan_deadlines(&test, &anne, &child).await,
        ["plan.46_3mdr:open"]
    );
    approved_plan(&test, &anne, &child).await;
    assert_eq!(
        plan_deadlines(&test, &anne, &child).await,
        ["plan.46_3mdr:met"]
    );
    // With a plan approved, a § 32 decision starts no new deadline.
    decide(&test, &anne, &child, "bl32_1_2").await.unwrap();
    assert_eq!(
        plan_deadlines(&test, &anne, &child).await,
        ["plan.46_3mdr:met"]
    );
}

/// BL § 95, stk. 2-3: each follow-up meets the open follow-up deadline and sets the next one at
/// the date it decided, on the open «Indsats og opfølgning» sub-case.
#[tokio::test]
async fn a_follow_up_sets_the_next_follow_up_deadline() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let anne = actor(&test).await;
    let child = a_child(&test, &anne).await;
    approved_plan(&test, &anne, &child).await;
    case_process::open_sub_case(&test.db, &anne, child.id, "measure")
        .await
        .unwrap();
    let view = plans::overview(
        &test.db,
        &anne,
        child.id,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap();
    let key = view.goals[0].goal_key;
    let (march, june) = (in_years(4, Month::March), in_years(4, Month::June));
    for next in [danish(march), danish(june)] {
        plans::record_follow_up(
            &test.db,
            &anne,
            child.id,
            &vaern_domain::ics::FollowUpInput {
                decision: "continue".into(),
                next_date: next,
                next_reason: "Kvartalsvis".into(),
                ..Default::default()
            },
            &[(format!("score_{key}"), "3".to_owned())]
                .into_iter()
                .collect(),
        )
        .await
        .unwrap();
    }
    let mut tx = test.db.tenant(anne.municipality_id).await.unwrap();
    let follow_ups: Vec<(String, String)> = deadlines::for_case(&mut tx, child.case_id.unwrap())
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.rule_id == "opfoelgning.foerste_3mdr")
        .map(|d| {
            (
                vaern_domain::calendar::danish_date(d.due_at).to_string(),
                d.status,
            )
        })
        .collect();
    tx.commit().await.unwrap();
    let open: Vec<_> = follow_ups.iter().filter(|(_, s)| s == "open").collect();
    assert_eq!(open.len(), 1, "{follow_ups:?}");
    assert_eq!(open[0].0, june.to_string());
    assert!(
        follow_ups.contains(&(march.to_string(), "met".into())),
        "{follow_ups:?}"
    );
}

/// A plan answers the investigation it was made from: after a new investigation is concluded,
/// the old approved plan no longer clears a § 47 placement (BL § 91, stk. 2).
#[tokio::test]
async fn a_plan_from_an_earlier_investigation_does_not_clear_a_placement_without_consent() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let anne = actor(&test).await;
    let child = a_child(&test, &anne).await;
    approved_plan(&test, &anne, &child).await;
    let sub = case_process::open_sub_case(&test.db, &anne, child.id, "investigation")
        .await
        .unwrap();
    investigations::conclude(
        &test.db,
        &anne,
        child.id,
        sub.id,
        &ConclusionInput {
            assessment: "Situationen er forværret".into(),
            position: "placement_without_consent".into(),
            reasoning: "Barnets sikkerhed".into(),
        },
    )
    .await
    .unwrap();
    let refused = decide(&test, &anne, &child, "bl47").await.unwrap_err();
    assert!(matches!(refused, AppError::Invalid(_)), "{refused:?}");
}

/// BL § 91, stk. 1: support under § 32 starts the 3-month deadline only when the caseworker
/// decides that a plan is to be made.
#[tokio::test]
async fn support_starts_the_plan_deadline_only_when_a_plan_is_chosen() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let anne = actor(&test).await;
    let child = a_child(&test, &anne).await;
    decide_with_plan(&test, &anne, &child, "bl32_1_3", "no")
        .await
        .unwrap();
    assert!(plan_deadlines(&test, &anne, &child).await.is_empty());
    decide_with_plan(&test, &anne, &child, "bl32_1_3", "yes")
        .await
        .unwrap();
    assert_eq!(
        plan_deadlines(&test, &anne, &child).await,
        ["plan.32_3mdr:open"]
    );
}
