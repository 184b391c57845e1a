//! Measures and their economy on either database: the kompetenceplan decides who approves,
//! starting a measure starts its follow-up deadline (BL § 95, stk. 2), the simulation stores
//! nothing, a mass price update is previewed, applied in one transaction journalled on every
//! case and undone by a new update, and a payment run pays nothing twice and corrects.

use time::{Date, Duration, Month};
use vaern_app::{
    Actor, AppError, auth,
    economy::{
        measures::{self, Candidate, EndInput, NewMeasureRequest},
        offers, overview, payments,
        price_updates::{self, PriceUpdateInput},
    },
    today,
};
use vaern_domain::economy::{cost::month_bounds, measures::MeasureInput};
use vaern_store::{ChildId, children, deadlines, journal, offers::Offer};
use vaern_testkit::TestDb;

async fn seeded() -> TestDb {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    test
}

async fn actor(test: &TestDb, username: &str) -> Actor {
    let token = auth::create_token(&test.db, username).await.unwrap();
    auth::token_actor(&test.db, &token).await.unwrap()
}

async fn a_child(test: &TestDb, anne: &Actor, nth: usize) -> ChildId {
    let mut tx = test.db.tenant(anne.municipality_id).await.unwrap();
    let child = children::search(&mut tx, "a").await.unwrap().remove(nth);
    tx.commit().await.unwrap();
    child.id
}

async fn offer(test: &TestDb, anne: &Actor, name: &str) -> Offer {
    offers::catalogue(&test.db, anne)
        .await
        .unwrap()
        .offers
        .into_iter()
        .find(|o| o.name == name)
        .unwrap()
}

fn first_of_this_month() -> Date {
    let t = today();
    Date::from_calendar_date(t.year(), t.month(), 1).unwrap()
}

fn request(offer: &Offer, quantity: &str, start: Date, end: Date) -> NewMeasureRequest {
    NewMeasureRequest {
        measure: MeasureInput {
            legal_basis: "bl32_1_3".into(),
            offer_id: offer.id.to_string(),
            quantity: quantity.into(),
            hours_per: "week".into(),
            starts_on: start.to_string(),
            ends_on: end.to_string(),
            purpose: "At give Emma en voksen at tale med".into(),
        },
        goals: Vec::new(),
    }
}

async fn titles(test: &TestDb, anne: &Actor, child: ChildId) -> Vec<String> {
    let mut tx = test.db.tenant(anne.municipality_id).await.unwrap();
    let case = children::get(&mut tx, child)
        .await
        .unwrap()
        .case_id
        .unwrap();
    let page = journal::list(&mut tx, case, &Default::default())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    page.into_iter().map(|e| e.title).collect()
}

/// The kompetenceplan (threshold 500.000 kr. in the demo): a caseworker approves a cheap
/// measure herself; an expensive one needs a team lead, never the one who created it.
#[tokio::test]
async fn approval_follows_the_kompetenceplan_and_starting_opens_the_follow_up() {
    let test = seeded().await;
    let anne = actor(&test, "raadgiver901").await;
    let lead = actor(&test, "teamleder901").await;
    let child = a_child(&test, &anne, 0).await;
    let start = today() + Duration::days(7);

    let cheap = offer(&test, &anne, "Familiebehandling").await;
    let m = measures::create(
        &test.db,
        &anne,
        child,
        &request(&cheap, "2", start, start + Duration::days(90)),
    )
    .await
    .unwrap();
    let approved = measures::approve(&test.db, &anne, child, m.id, m.version)
        .await
        .unwrap();
    assert_eq!(approved.status, "approved");

    let placement = offer(&test, &anne, "Døgnophold").await;
    let year = start + Duration::days(364);
    let m = measures::create(
        &test.db,
        &anne,
        child,
        &request(&placement, "1", start, year),
    )
    .await
    .unwrap();
    let refused = measures::approve(&test.db, &anne, child, m.id, m.version).await;
    let Err(AppError::Invalid(errors)) = refused else {
        panic!("a caseworker approved above the threshold: {refused:?}");
    };
    assert!(errors.for_field("approval").unwrap().contains("teamleder"));

    let own = measures::create(
        &test.db,
        &lead,
        child,
        &request(&placement, "1", start, year),
    )
    .await
    .unwrap();
    let refused = measures::approve(&test.db, &lead, child, own.id, own.version).await;
    let Err(AppError::Invalid(errors)) = refused else {
        panic!("a lead approved their own measure: {refused:?}");
    };
    assert!(
        errors
            .for_field("approval")
            .unwrap()
            .contains("selv har oprettet")
    );

    let (queue, _) =
        measures::approval_queue(&test.db, &lead, vaern_store::access_log::AccessKind::View)
            .await
            .unwrap();
    assert_eq!(queue.len(), 2, "both expensive measures wait for a lead");

    let approved = measures::approve(&test.db, &lead, child, m.id, m.version)
        .await
        .unwrap();
    let stale = measures::approve(&test.db, &lead, child, m.id, m.version).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");

    let started = measures::start(&test.db, &anne, child, approved.id, approved.version)
        .await
        .unwrap();
    assert_eq!(started.status, "active");
    let sub_case = started
        .sub_case_id
        .expect("starting opens the follow-up sub-case");
    let mut tx = test.db.tenant(anne.municipality_id).await.unwrap();
    let case = children::get(&mut tx, child)
        .await
        .unwrap()
        .case_id
        .unwrap();
    let follow_up = deadlines::for_case(&mut tx, case)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.sub_case_id == sub_case)
        .expect("BL § 95, stk. 2: the first follow-up deadline starts");
    assert_eq!(follow_up.rule_id, "opfoelgning.foerste_3mdr");
    tx.commit().await.unwrap();
    let titles = titles(&test, &anne, child).await;
    for title in ["Indsats planlagt", "Indsats godkendt", "Indsats igangsat"] {
        assert!(titles.iter().any(|t| t == title), "{title} in {titles:?}");
    }
}

/// BL § 32, stk. 3: the decision states purpose and expected duration.
#[tokio::test]
async fn a_measure_without_purpose_or_end_is_refused_and_nothing_is_stored() {
    let test = seeded().await;
    let anne = actor(&test, "raadgiver901").await;
    let child = a_child(&test, &anne, 0).await;
    let o = offer(&test, &anne, "Familiebehandling").await;
    let mut bad = request(&o, "2", today(), today());
    bad.measure.purpose = "  ".into();
    bad.measure.ends_on = String::new();
    bad.measure.hours_per = String::new();
    let Err(AppError::Invalid(errors)) = measures::create(&test.db, &anne, child, &bad).await
    else {
        panic!("accepted");
    };
    for field in ["purpose", "ends_on", "hours_per"] {
        assert!(errors.for_field(field).is_some(), "{field}: {errors:?}");
    }
    let view = measures::for_child(
        &test.db,
        &anne,
        child,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap();
    assert!(view.rows.is_empty());
}

#[tokio::test]
async fn the_simulation_adds_candidates_to_what_is_committed_and_stores_nothing() {
    let test = seeded().await;
    let anne = actor(&test, "raadgiver901").await;
    let child = a_child(&test, &anne, 1).await;
    let o = offer(&test, &anne, "Aflastning i weekender").await;
    let start = Date::from_calendar_date(today().year() + 1, Month::January, 1).unwrap();
    let candidate = |days: i64| Candidate {
        offer_id: o.id.to_string(),
        quantity: "1".into(),
        hours_per: String::new(),
        starts_on: start.to_string(),
        ends_on: (start + Duration::days(days - 1)).to_string(),
    };
    let two = [candidate(10), candidate(20)];
    let kind = vaern_store::access_log::AccessKind::View;
    let sim = measures::simulate(&test.db, &anne, child, &two, kind)
        .await
        .unwrap();
    assert_eq!(sim.committed.total.ore, 0);
    assert_eq!(
        sim.total.total.ore,
        30 * 160_000,
        "1.600 kr. a day for 10 + 20 days"
    );
    assert_eq!(sim.total.next_year, 30 * 160_000);
    let one = measures::simulate(&test.db, &anne, child, &two[..1], kind)
        .await
        .unwrap();
    assert_eq!(
        one.total.total.ore,
        10 * 160_000,
        "removing a candidate lowers the total"
    );
    let bad = Candidate {
        quantity: "-1".into(),
        ..candidate(5)
    };
    let sim = measures::simulate(&test.db, &anne, child, &[bad], kind)
        .await
        .unwrap();
    assert!(sim.candidates[0].cost.is_err());
    let view = measures::for_child(&test.db, &anne, child, kind)
        .await
        .unwrap();
    assert!(view.rows.is_empty(), "simulating stores nothing");
}

async fn active_measure(
    test: &TestDb,
    anne: &Actor,
    lead: &Actor,
    child: ChildId,
    offer: &Offer,
    start: Date,
    end: Date,
) -> vaern_store::measures::Measure {
    let m = measures::create(&test.db, anne, child, &request(offer, "1", start, end))
        .await
        .unwrap();
    let m = measures::approve(&test.db, lead, child, m.id, m.version)
        .await
        .unwrap();
    measures::start(&test.db, anne, child, m.id, m.version)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_mass_price_update_is_previewed_applied_journalled_and_undone() {
    let test = seeded().await;
    let anne = actor(&test, "raadgiver901").await;
    let lead = actor(&test, "teamleder901").await;
    let finance = actor(&test, "oekonomi901").await;
    let child = a_child(&test, &anne, 2).await;
    let o = offer(&test, &anne, "Døgnophold").await;
    // A fixed year, not next year: the day counts below (181 + 184 = 365) hold only for a year
    // that is not a leap year.
    let year = 2031;
    let start = Date::from_calendar_date(year, Month::January, 1).unwrap();
    let end = Date::from_calendar_date(year, Month::December, 31).unwrap();
    active_measure(&test, &anne, &lead, child, &o, start, end).await;
    let from = Date::from_calendar_date(year, Month::July, 1).unwrap();
    let input = PriceUpdateInput {
        offer_ids: vec![o.id.to_string()],
        effective_from: from.to_string(),
        mode: "percent".into(),
        percent: "10".into(),
        amount: String::new(),
        description: "Pris- og lønregulering".into(),
    };
    let preview = price_updates::preview(
        &test.db,
        &finance,
        &input,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap();
    let days_from_july = 184;
    assert_eq!(preview.cases.len(), 1);
    // Issue 17 (low): the preview lists cases by number, so it is a read of those children.
    let mut tx = test.db.tenant(finance.municipality_id).await.unwrap();
    let logged = vaern_store::access_log::list(&mut tx, &Default::default(), 100)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(logged.iter().any(|e| e.person_id == Some(child)
        && e.user_id == Some(finance.user_id)
        && e.detail == "Prisregulering «Pris- og lønregulering»"));
    assert_eq!(preview.total_before, days_from_july * 295_000);
    assert_eq!(preview.total_after, days_from_july * 324_500);
    let before = offers::catalogue(&test.db, &anne)
        .await
        .unwrap()
        .prices_of(o.id);
    assert_eq!(before.len(), 1, "the preview changes nothing");

    let (update, _) = price_updates::apply(
        &test.db,
        &finance,
        &input,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap();
    let after = offers::catalogue(&test.db, &anne)
        .await
        .unwrap()
        .prices_of(o.id);
    assert_eq!(after.len(), 2, "the period is split at the date");
    assert_eq!(after[0].to, Some(from - Duration::days(1)));
    assert_eq!((after[1].from, after[1].price_ore), (from, 324_500));
    assert!(
        titles(&test, &anne, child)
            .await
            .iter()
            .any(|t| t == "Prisregulering")
    );
    let view = measures::for_child(
        &test.db,
        &anne,
        child,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap();
    assert_eq!(view.rows[0].cost.total.ore, 181 * 295_000 + 184 * 324_500);

    price_updates::undo(
        &test.db,
        &finance,
        update,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap();
    let view = measures::for_child(
        &test.db,
        &anne,
        child,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap();
    assert_eq!(
        view.rows[0].cost.total.ore,
        365 * 295_000,
        "undone: the old price again"
    );
    let again = price_updates::undo(
        &test.db,
        &finance,
        update,
        vaern_store::access_log::AccessKind::View,
    )
    .await;
    assert!(matches!(again, Err(AppError::Conflict(_))));

    let overlap = PriceUpdateInput {
        percent: "200".into(),
        ..input
    };
    let Err(AppError::Invalid(errors)) = price_updates::preview(
        &test.db,
        &finance,
        &overlap,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    else {
        panic!("an absurd percentage was accepted");
    };
    assert!(errors.for_field("percent").is_some());
    assert!(matches!(
        price_updates::preview(
            &test.db,
            &anne,
            &PriceUpdateInput::default(),
            vaern_store::access_log::AccessKind::View
        )
        .await,
        Err(AppError::Forbidden)
    ));
}

#[tokio::test]
async fn a_payment_run_pays_nothing_twice_and_corrects_a_measure_ended_early() {
    let test = seeded().await;
    let anne = actor(&test, "raadgiver901").await;
    let lead = actor(&test, "teamleder901").await;
    let finance = actor(&test, "oekonomi901").await;
    let child = a_child(&test, &anne, 3).await;
    let o = offer(&test, &anne, "Døgnophold").await;
    let first = first_of_this_month();
    let (_, last) = month_bounds(first.year(), u8::from(first.month()));
    let m = active_measure(
        &test,
        &anne,
        &lead,
        child,
        &o,
        first,
        first + Duration::days(200),
    )
    .await;
    let period = payments::period_code(first.year(), u8::from(first.month()));
    let days = i64::from(last.day());

    let run = payments::run(&test.db, &finance, &period).await.unwrap();
    assert_eq!((run.line_count, run.total_ore), (1, days * 295_000));
    let again = payments::run(&test.db, &finance, &period).await.unwrap();
    assert_eq!(
        (again.line_count, again.total_ore),
        (0, 0),
        "nothing is paid twice"
    );

    measures::end(
        &test.db,
        &anne,
        child,
        m.id,
        m.version,
        &EndInput {
            ended_on: (first + Duration::days(9)).to_string(),
            reason: "Hjemgivet".into(),
        },
    )
    .await
    .unwrap();
    let correction = payments::run(&test.db, &finance, &period).await.unwrap();
    assert_eq!(correction.line_count, 1);
    assert_eq!(
        correction.total_ore,
        10 * 295_000 - days * 295_000,
        "only ten days are owed"
    );
    let (_, lines) = payments::run_with_lines(
        &test.db,
        &finance,
        correction.id,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap();
    assert_eq!(lines[0].kind, "correction");
    assert_eq!(
        lines[0].account, "5.28.21",
        "§ 32 support is posted as preventive"
    );

    for format in ["csv", "fixed"] {
        let file = payments::export(&test.db, &finance, run.id, format)
            .await
            .unwrap();
        assert_eq!(file.report.lines, 1);
        assert_eq!(file.report.total_ore, days * 295_000);
        assert!(!file.bytes.is_empty());
    }
    let csv = payments::export(&test.db, &finance, run.id, "csv")
        .await
        .unwrap();
    let text = String::from_utf8(csv.bytes).unwrap();
    assert!(
        text.contains(&lines[0].case_number),
        "the line names the case, not the child"
    );
    assert!(matches!(
        payments::run(&test.db, &anne, &period).await,
        Err(AppError::Forbidden)
    ));
    let future = payments::period_code(first.year() + 1, u8::from(first.month()));
    assert!(matches!(
        payments::run(&test.db, &finance, &future).await,
        Err(AppError::Invalid(_))
    ));
}

#[tokio::test]
async fn the_overview_sets_committed_cost_against_the_budget() {
    let test = seeded().await;
    let anne = actor(&test, "raadgiver901").await;
    let finance = actor(&test, "oekonomi901").await;
    let child = a_child(&test, &anne, 4).await;
    let o = offer(&test, &anne, "Familiebehandling").await;
    let year = today().year() + 1;
    let start = Date::from_calendar_date(year, Month::January, 4).unwrap();
    let m = measures::create(
        &test.db,
        &anne,
        child,
        &request(&o, "2", start, start + Duration::days(27)),
    )
    .await
    .unwrap();
    measures::approve(&test.db, &anne, child, m.id, m.version)
        .await
        .unwrap();
    measures::create(
        &test.db,
        &anne,
        child,
        &request(&o, "1", start, start + Duration::days(27)),
    )
    .await
    .unwrap();
    overview::set_budget(
        &test.db,
        &finance,
        &overview::BudgetInput {
            year: year.to_string(),
            measure_group: "preventive".into(),
            amount: "1.000.000".into(),
        },
    )
    .await
    .unwrap();
    let view = overview::overview(&test.db, &finance, Some(year), None)
        .await
        .unwrap();
    let preventive = &view.areas[0];
    assert_eq!(
        preventive.committed,
        4 * 2 * 85_000,
        "four weeks of two hours"
    );
    assert_eq!(
        preventive.forecast,
        4 * 3 * 85_000,
        "plus the planned measure"
    );
    assert_eq!(preventive.budget, Some(100_000_000));
    assert_eq!(view.months[0], 4 * 2 * 85_000);
    let Err(AppError::Invalid(errors)) = overview::set_budget(
        &test.db,
        &finance,
        &overview::BudgetInput {
            year: "1900".into(),
            measure_group: "x".into(),
            amount: "-5".into(),
        },
    )
    .await
    else {
        panic!("accepted");
    };
    assert_eq!(errors.iter().count(), 3);
    // A year the calendar cannot hold panicked the request (issue 17, found by schemathesis).
    for far in [i32::MIN, 1999, 2101, i32::MAX] {
        let Err(AppError::Invalid(errors)) =
            overview::overview(&test.db, &finance, Some(far), None).await
        else {
            panic!("an overview of {far}");
        };
        assert!(errors.iter().any(|e| e.field == "year"), "{far}");
    }
    assert!(matches!(
        overview::overview(&test.db, &anne, None, None).await,
        Err(AppError::Forbidden)
    ));
}
