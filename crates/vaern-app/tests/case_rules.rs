//! Case-process rules that depend on the rest of the case, on either database: the
//! re-assessment by a person new to the case when measures run (BL § 137), feedback to a
//! professional notifier after the later decision (tidl. SEL § 155 b, stk. 2-3), and siblings
//! looked at when a child is placed for neglect or abuse (BL § 21, stk. 2-3).

use vaern_app::{Actor, AppError, auth, case_process, network};
use vaern_domain::{
    network::NewRelationInput,
    process::{decision::DecisionInput, notification::NewNotificationInput},
};
use vaern_integrations::register::InMemoryRegister;
use vaern_store::{children, deadlines, journal, sub_cases};
use vaern_testkit::TestDb;

async fn actor(test: &TestDb, username: &str) -> Actor {
    let token = auth::create_token(&test.db, username).await.unwrap();
    auth::token_actor(&test.db, &token).await.unwrap()
}

async fn children_of(test: &TestDb, anne: &Actor) -> Vec<children::Child> {
    let mut tx = test.db.tenant(anne.municipality_id).await.unwrap();
    let found = children::search(&mut tx, "a").await.unwrap();
    tx.commit().await.unwrap();
    found
}

fn underretning(kind: &str, concerns: &[&str]) -> NewNotificationInput {
    NewNotificationInput {
        received_at: "2026-11-20T09:00:00+01:00".into(),
        channel: "telefon".into(),
        notifier_kind: kind.into(),
        notifier_name: "Lise Lærer".into(),
        notifier_organisation: "Værnby Skole".into(),
        concerns: concerns.iter().map(|c| (*c).to_owned()).collect(),
        text: "Bekymring".into(),
        ..Default::default()
    }
}

/// Starts a measure on `basis` as `by`, who may approve it: the kompetenceplan's threshold is set
/// above its cost, so no team lead (who would then be involved in the case) approves it.
async fn start_measure(test: &TestDb, by: &Actor, child: &children::Child, basis: &str) {
    let economy = actor(test, "oekonomi901").await;
    vaern_app::economy::overview::set_threshold(&test.db, &economy, "1000000")
        .await
        .unwrap();
    let offer = vaern_app::economy::offers::catalogue(&test.db, by)
        .await
        .unwrap()
        .offers
        .into_iter()
        .find(|o| o.name == "Fast kontaktperson")
        .unwrap();
    let today = vaern_app::today();
    let request = vaern_app::economy::measures::NewMeasureRequest {
        measure: vaern_domain::economy::measures::MeasureInput {
            legal_basis: basis.into(),
            offer_id: offer.id.to_string(),
            quantity: "1".into(),
            hours_per: "week".into(),
            starts_on: today.to_string(),
            ends_on: (today + time::Duration::days(60)).to_string(),
            purpose: "Støtte i hverdagen".into(),
        },
        goals: Vec::new(),
    };
    let m = vaern_app::economy::measures::create(&test.db, by, child.id, &request)
        .await
        .unwrap();
    let m = vaern_app::economy::measures::approve(&test.db, by, child.id, m.id, m.version)
        .await
        .unwrap();
    vaern_app::economy::measures::start(&test.db, by, child.id, m.id, m.version)
        .await
        .unwrap();
}

fn done() -> case_process::StepInput {
    case_process::StepInput {
        action: "done".into(),
        note: String::new(),
    }
}

/// BL § 137: an underretning on a child with running measures is re-assessed with a person new
/// to the case — not the caseworker, not anyone who wrote in the journal — and not skipped.
#[tokio::test]
async fn with_running_measures_an_underretning_needs_a_person_new_to_the_case() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let users = [
        actor(&test, "raadgiver901").await,
        actor(&test, "raadgiver2901").await,
        actor(&test, "teamleder901").await,
    ];
    let child = children_of(&test, &users[0]).await.remove(0);
    let caseworker = child.caseworker_id.unwrap();
    let registrar = users.iter().find(|u| u.user_id != caseworker).unwrap();
    let newcomer = users
        .iter()
        .find(|u| u.user_id != caseworker && u.user_id != registrar.user_id)
        .unwrap();

    let (_, without) = case_process::register_notification(
        &test.db,
        registrar,
        child.id,
        &underretning("private", &[]),
    )
    .await
    .unwrap();
    assert!(
        !without
            .steps
            .iter()
            .any(|s| s.code == "genvurdering_ny_person"),
        "no measures, no second reviewer"
    );
    // BL § 137, stk. 1 names §§ 32, 46, 47 and 67: a running § 30 forebyggende tilbud does not
    // call for the second reviewer, a running § 32 støttende indsats does.
    start_measure(&test, registrar, &child, "bl30").await;
    let (_, preventive) = case_process::register_notification(
        &test.db,
        registrar,
        child.id,
        &underretning("private", &[]),
    )
    .await
    .unwrap();
    assert!(
        !preventive
            .steps
            .iter()
            .any(|s| s.code == "genvurdering_ny_person"),
        "a § 30 measure is not one § 137, stk. 1 names"
    );
    start_measure(&test, registrar, &child, "bl32_1_3").await;
    let (_, with) = case_process::register_notification(
        &test.db,
        registrar,
        child.id,
        &underretning("private", &[]),
    )
    .await
    .unwrap();
    assert!(
        with.steps
            .iter()
            .any(|s| s.code == "genvurdering_ny_person")
    );

    let finish = |by: &Actor, action: &str| {
        let by = by.clone();
        let action = action.to_owned();
        let db = test.db.clone();
        async move {
            case_process::finish_step(
                &db,
                &by,
                child.id,
                with.id,
                "genvurdering_ny_person",
                &case_process::StepInput {
                    action,
                    note: "Forsøg".into(),
                },
            )
            .await
        }
    };
    for (by, action, message) in [
        (registrar, "done", "ikke tidligere har været involveret"),
        (newcomer, "skip", "kan ikke springes over"),
    ] {
        let refused = finish(by, action).await.unwrap_err();
        let AppError::Invalid(errors) = refused else {
            panic!("{refused:?}")
        };
        assert!(
            errors.for_field("action").unwrap().contains(message),
            "{errors:?}"
        );
    }
    let done = finish(newcomer, "done").await.unwrap();
    let step = done
        .steps
        .iter()
        .find(|s| s.code == "genvurdering_ny_person")
        .unwrap();
    assert_eq!(step.status, "done");
}

/// Tidl. SEL § 155 b, stk. 2-3: after a professional's underretning, the investigation that
/// follows carries the feedback step with its deadline — once per case.
#[tokio::test]
async fn the_investigation_after_a_professionals_underretning_carries_the_feedback_task() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let anne = actor(&test, "raadgiver901").await;
    let mut kids = children_of(&test, &anne).await.into_iter();
    let (professional, private) = (kids.next().unwrap(), kids.next().unwrap());
    case_process::register_notification(
        &test.db,
        &anne,
        professional.id,
        &underretning("professional", &[]),
    )
    .await
    .unwrap();
    case_process::register_notification(&test.db, &anne, private.id, &underretning("private", &[]))
        .await
        .unwrap();
    let first = case_process::open_sub_case(&test.db, &anne, professional.id, "investigation")
        .await
        .unwrap();
    assert!(first.steps.iter().any(|s| s.code == "tilbagemelding"));
    let mut tx = test.db.tenant(anne.municipality_id).await.unwrap();
    let feedback = deadlines::for_case(&mut tx, professional.case_id.unwrap())
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.rule_id == "underretning.tilbagemelding" && d.sub_case_id == first.id)
        .count();
    tx.commit().await.unwrap();
    assert_eq!(feedback, 1);
    let second = case_process::open_sub_case(&test.db, &anne, professional.id, "investigation")
        .await
        .unwrap();
    assert!(
        !second.steps.iter().any(|s| s.code == "tilbagemelding"),
        "the notifier is told once"
    );
    // A new professional's underretning is owed its own feedback.
    case_process::register_notification(
        &test.db,
        &anne,
        professional.id,
        &NewNotificationInput {
            received_at: "2026-11-22T10:00:00+01:00".into(),
            notifier_name: "Sundhedsplejerske Hanne".into(),
            ..underretning("professional", &[])
        },
    )
    .await
    .unwrap();
    let third = case_process::open_sub_case(&test.db, &anne, professional.id, "investigation")
        .await
        .unwrap();
    assert!(
        third.steps.iter().any(|s| s.code == "tilbagemelding"),
        "the second notifier hears what came of their underretning"
    );
    let other = case_process::open_sub_case(&test.db, &anne, private.id, "investigation")
        .await
        .unwrap();
    assert!(
        !other.steps.iter().any(|s| s.code == "tilbagemelding"),
        "a private notifier has no right to feedback"
    );
}

/// BL § 21, stk. 2-3: a placement for neglect or abuse opens a sibling investigation on each
/// sibling under 15 with a case, and names siblings without one.
#[tokio::test]
async fn a_placement_for_neglect_opens_sibling_investigations() {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let anne = actor(&test, "raadgiver901").await;
    let today = vaern_app::today();
    let young: Vec<children::Child> = children_of(&test, &anne)
        .await
        .into_iter()
        .filter(|c| vaern_domain::dates::age_on(c.birth_date, today) < 15)
        .collect();
    let (placed, sibling) = (&young[0], &young[1]);
    let register = InMemoryRegister::default();
    for child in [placed, sibling] {
        network::add(
            &test.db,
            &register,
            &anne,
            child.id,
            &NewRelationInput {
                first_name: "Lone".into(),
                last_name: "Jensen".into(),
                cpr: Some("0101904002".into()),
                kind: "mother".into(),
                ..Default::default()
            },
            Default::default(),
        )
        .await
        .unwrap();
    }
    network::add(
        &test.db,
        &register,
        &anne,
        placed.id,
        &NewRelationInput {
            first_name: "Lille".into(),
            last_name: "Jensen".into(),
            birth_date: "01.02.2020".into(),
            kind: "half_sibling".into(),
            ..Default::default()
        },
        Default::default(),
    )
    .await
    .unwrap();
    case_process::register_notification(
        &test.db,
        &anne,
        placed.id,
        &underretning("private", &["omsorgssvigt"]),
    )
    .await
    .unwrap();
    let decision = case_process::open_sub_case(&test.db, &anne, placed.id, "decision")
        .await
        .unwrap();
    for step in ["partshoering", "boernesamtale"] {
        case_process::finish_step(&test.db, &anne, placed.id, decision.id, step, &done())
            .await
            .unwrap();
    }
    case_process::make_decision(
        &test.db,
        &anne,
        placed.id,
        decision.id,
        &DecisionInput {
            decided_by: String::new(),
            legal_basis: "bl46".into(),
            outcome: "grant".into(),
            content: "Anbringelse med samtykke".into(),
            reasoning: "Omsorgssvigt".into(),
            appeal_guidance: String::new(),
            placement_reason: "neglect_or_abuse".into(),
            plan: String::new(),
        },
    )
    .await
    .unwrap();

    let mut tx = test.db.tenant(anne.municipality_id).await.unwrap();
    let sibling_case = sibling.case_id.unwrap();
    let opened = sub_cases::for_case(&mut tx, sibling_case)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.kind == "sibling_investigation")
        .expect("a sibling investigation on the sibling's case");
    assert!(opened.title.contains(&placed.full_name()));
    let due = deadlines::for_case(&mut tx, sibling_case)
        .await
        .unwrap()
        .into_iter()
        .any(|d| d.rule_id == "soeskende.undersoegelse" && d.sub_case_id == opened.id);
    assert!(due, "the sibling investigation carries its deadline");
    let note = journal::list(&mut tx, placed.case_id.unwrap(), &Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.title == "Afgørelse truffet")
        .unwrap()
        .body;
    tx.commit().await.unwrap();
    assert!(note.contains("barnets lov § 21, stk. 2-3"), "{note}");
    assert!(note.contains(&sibling.full_name()), "{note}");
    assert!(
        note.contains(
            "Søskende uden egen sag i Værn (opret barnet for at undersøge): Lille Jensen"
        ),
        "{note}"
    );
}
