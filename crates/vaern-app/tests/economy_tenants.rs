//! The economy across tenants: no user of one municipality sees, changes, undoes or exports
//! another municipality's providers, offers, prices, price updates or payment runs, whatever
//! their role, and afterwards the owner's economy is exactly as it was. Run both ways (901
//! against 902 and 902 against 901) on either database; on PostgreSQL row-level security is a
//! second wall behind the tenant handle these use cases go through.
//!
//! Dates are fixed: the owner's measure paid by a run lies in March 2020 (a payment run may not
//! be for a month after next, so the paid month lies in the past), the price update in 2031.

use time::{Date, Month};
use vaern_app::{
    Actor, AppError, auth,
    economy::{
        measures::{self, NewMeasureRequest},
        offers, payments,
        price_updates::{self, PriceUpdateInput},
    },
};
use vaern_domain::{
    Capability,
    economy::{
        measures::MeasureInput,
        offers::{NewOfferInput, NewProviderInput, PricePeriodInput},
    },
};
use vaern_store::{
    ChildId, OfferId, PaymentRunId, PriceUpdateId, ProviderId, children, journal,
    measures as stored_measures, offers as stored_offers, payments as stored_payments,
};
use vaern_testkit::TestDb;

/// The month the owner's payment run pays.
const PAID_PERIOD: &str = "2020-03";

fn day(year: i32, month: Month, day: u8) -> Date {
    Date::from_calendar_date(year, month, day).unwrap()
}

async fn actor(test: &TestDb, username: &str) -> Actor {
    let token = auth::create_token(&test.db, username).await.unwrap();
    auth::token_actor(&test.db, &token).await.unwrap()
}

/// A demo municipality's users of each role (demo users are `<role><code>`).
struct Tenant {
    caseworker: Actor,
    lead: Actor,
    finance: Actor,
    admin: Actor,
}

impl Tenant {
    async fn of(test: &TestDb, code: &str) -> Tenant {
        Tenant {
            caseworker: actor(test, &format!("raadgiver{code}")).await,
            lead: actor(test, &format!("teamleder{code}")).await,
            finance: actor(test, &format!("oekonomi{code}")).await,
            admin: actor(test, &format!("admin{code}")).await,
        }
    }

    fn everyone(&self) -> [&Actor; 4] {
        [&self.caseworker, &self.lead, &self.finance, &self.admin]
    }
}

/// What the owner municipality has made: a provider and an offer with a price from 2019, a
/// measure in March 2020 paid by a payment run, and a measure in 2031 whose price a price update
/// raised from 1 July 2031.
struct Economy {
    provider: ProviderId,
    offer: OfferId,
    child: ChildId,
    update: PriceUpdateId,
    run: PaymentRunId,
}

/// A child of the actor's municipality with an open case.
async fn a_child_with_a_case(test: &TestDb, actor: &Actor) -> ChildId {
    let mut tx = test.db.tenant(actor.municipality_id).await.unwrap();
    let child = children::search(&mut tx, "a")
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.case_id.is_some())
        .expect("a demo child with a case");
    tx.commit().await.unwrap();
    child.id
}

fn request(offer: OfferId, start: Date, end: Date) -> NewMeasureRequest {
    NewMeasureRequest {
        measure: MeasureInput {
            legal_basis: "bl32_1_3".into(),
            offer_id: offer.to_string(),
            quantity: "1".into(),
            hours_per: "week".into(),
            starts_on: start.to_string(),
            ends_on: end.to_string(),
            purpose: "At give barnet en fast voksen".into(),
        },
        goals: Vec::new(),
    }
}

async fn economy_of(test: &TestDb, owner: &Tenant) -> Economy {
    let finance = &owner.finance;
    let provider = offers::add_provider(
        &test.db,
        finance,
        &NewProviderInput {
            name: "Støttehuset Grænsen".into(),
            cvr: String::new(),
            kind: "contact_person".into(),
            tilbudsportal_id: String::new(),
        },
    )
    .await
    .unwrap();
    let offer = offers::add_offer(
        &test.db,
        finance,
        provider.id,
        &NewOfferInput {
            name: "Kontaktperson pr. døgn".into(),
            unit: "day".into(),
        },
    )
    .await
    .unwrap();
    offers::add_price(
        &test.db,
        finance,
        offer.id,
        &PricePeriodInput {
            valid_from: "2019-01-01".into(),
            valid_to: String::new(),
            price: "1.000,00".into(),
        },
    )
    .await
    .unwrap();

    let caseworker = &owner.caseworker;
    let child = a_child_with_a_case(test, caseworker).await;
    // A measure of the child buying the offer, created by the caseworker.
    let create = async |start, end| {
        measures::create(&test.db, caseworker, child, &request(offer.id, start, end))
            .await
            .unwrap()
    };
    // Below the kompetenceplan's threshold, so the caseworker approves it herself.
    let paid = create(day(2020, Month::March, 1), day(2020, Month::March, 31)).await;
    let paid = measures::approve(&test.db, caseworker, child, paid.id, paid.version)
        .await
        .unwrap();
    measures::start(&test.db, caseworker, child, paid.id, paid.version)
        .await
        .unwrap();
    let run = payments::run(&test.db, finance, PAID_PERIOD).await.unwrap();
    assert_eq!(
        (run.line_count, run.total_ore),
        (1, 31 * 100_000),
        "the owner's run pays its measure for March 2020"
    );

    create(day(2031, Month::January, 1), day(2031, Month::December, 31)).await;
    let (update, plan) = price_updates::apply(
        &test.db,
        finance,
        &raise(offer.id),
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap();
    assert_eq!(plan.cases.len(), 1, "the 2031 measure is affected");
    Economy {
        provider: provider.id,
        offer: offer.id,
        child,
        update,
        run: run.id,
    }
}

/// +10 % on `offer` from 1 July 2031.
fn raise(offer: OfferId) -> PriceUpdateInput {
    PriceUpdateInput {
        offer_ids: vec![offer.to_string()],
        effective_from: "2031-07-01".into(),
        mode: "percent".into(),
        percent: "10".into(),
        amount: String::new(),
        description: "Regulering".into(),
    }
}

/// Everything of the owner's economy the intruder could touch, read straight from the store.
async fn snapshot(test: &TestDb, owner: &Tenant, economy: &Economy) -> Vec<String> {
    let mut tx = test.db.tenant(owner.finance.municipality_id).await.unwrap();
    let case = children::get(&mut tx, economy.child)
        .await
        .unwrap()
        .case_id
        .unwrap();
    let state = vec![
        format!("{:?}", stored_offers::providers(&mut tx).await.unwrap()),
        format!("{:?}", stored_offers::offers(&mut tx).await.unwrap()),
        format!("{:?}", stored_offers::all_prices(&mut tx).await.unwrap()),
        format!("{:?}", stored_offers::updates(&mut tx).await.unwrap()),
        format!(
            "{:?}",
            stored_offers::update_by_id(&mut tx, economy.update)
                .await
                .unwrap()
        ),
        format!("{:?}", stored_payments::runs(&mut tx).await.unwrap()),
        format!(
            "{:?}",
            stored_payments::lines(&mut tx, economy.run).await.unwrap()
        ),
        format!(
            "{:?}",
            stored_measures::list(&mut tx, Default::default())
                .await
                .unwrap()
        ),
        format!(
            "{:?}",
            journal::list(&mut tx, case, &Default::default())
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.id)
                .collect::<Vec<_>>()
        ),
    ];
    tx.commit().await.unwrap();
    state
}

/// What went wrong, collected so one run lists every breach rather than the first.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    /// The intruder's attempt was refused the right way: a user whose role has `capability` is
    /// told the thing is not there (`allowed`: not found, or for a form naming the foreign id,
    /// invalid); one without it is forbidden before anything is looked up.
    fn refused<T>(
        &mut self,
        what: &str,
        who: &Actor,
        capability: Capability,
        result: Result<T, AppError>,
        allowed: impl Fn(&AppError) -> bool,
    ) {
        let may = who.role.can(capability);
        match result {
            Err(error) if may && allowed(&error) => {}
            Err(AppError::Forbidden) if !may => {}
            Err(error) => self.0.push(format!(
                "{what} by {}: refused the wrong way: {error:?}",
                who.username
            )),
            Ok(_) => self.0.push(format!(
                "{what} by {}: reached another municipality's economy",
                who.username
            )),
        }
    }

    /// A list the intruder may see (`Some`) or is forbidden (`None`), by its role's capability.
    fn listed<T>(
        &mut self,
        what: &str,
        who: &Actor,
        capability: Capability,
        result: Result<T, AppError>,
    ) -> Option<T> {
        match (result, who.role.can(capability)) {
            (Ok(list), true) => Some(list),
            (Err(AppError::Forbidden), false) => None,
            (Ok(_), false) => {
                self.0.push(format!(
                    "{what}: {} lacks the capability but was answered",
                    who.username
                ));
                None
            }
            (Err(error), _) => {
                self.0
                    .push(format!("{what} by {}: {error:?}", who.username));
                None
            }
        }
    }

    fn check(&mut self, ok: bool, problem: impl FnOnce() -> String) {
        if !ok {
            self.0.push(problem());
        }
    }
}

fn not_found(error: &AppError) -> bool {
    matches!(error, AppError::NotFound)
}

/// The form's offer field names no offer of the intruder's catalogue.
fn unknown_offer(field: &'static str) -> impl Fn(&AppError) -> bool {
    move |error| {
        matches!(error, AppError::Invalid(errors)
            if errors.for_field(field) == Some("Vælg tilbud fra listen")
                || errors.for_field(field) == Some("Vælg et tilbud fra listen"))
    }
}

async fn isolation(owner_code: &str, intruder_code: &str) {
    let test = TestDb::new().await;
    vaern_app::demo::seed(&test.db).await.unwrap();
    let owner = Tenant::of(&test, owner_code).await;
    let intruder = Tenant::of(&test, intruder_code).await;
    let economy = economy_of(&test, &owner).await;

    // The owner reaches all of it (so "not found" below is the tenant wall, not a broken id).
    let finance = &owner.finance;
    let catalogue = offers::catalogue(&test.db, finance).await.unwrap();
    assert!(catalogue.offers.iter().any(|o| o.id == economy.offer));
    assert!(
        price_updates::history(&test.db, finance)
            .await
            .unwrap()
            .iter()
            .any(|u| u.id == economy.update)
    );
    assert!(
        payments::runs(&test.db, finance)
            .await
            .unwrap()
            .iter()
            .any(|r| r.id == economy.run)
    );
    let (_, lines) = payments::run_with_lines(
        &test.db,
        finance,
        economy.run,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap();
    assert_eq!(lines.len(), 1);
    payments::export(&test.db, finance, economy.run, "csv")
        .await
        .unwrap();
    let before = snapshot(&test, &owner, &economy).await;

    let db = &test.db;
    let mut problems = Problems::default();
    let intruder_child = a_child_with_a_case(&test, &intruder.caseworker).await;
    for who in intruder.everyone() {
        use Capability::{EditChildren, ManageEconomy, ReadOffers};
        // Seeing: the intruder's lists hold nothing of the owner's.
        if let Some(catalogue) = problems.listed(
            "catalogue",
            who,
            ReadOffers,
            offers::catalogue(db, who).await,
        ) {
            problems.check(
                !catalogue.providers.iter().any(|p| p.id == economy.provider)
                    && !catalogue.offers.iter().any(|o| o.id == economy.offer)
                    && !catalogue.prices.iter().any(|p| p.offer_id == economy.offer),
                || format!("{} sees the other municipality's catalogue", who.username),
            );
        }
        let history = price_updates::history(db, who).await;
        if let Some(history) = problems.listed("price update history", who, ManageEconomy, history)
        {
            problems.check(
                !history
                    .iter()
                    .any(|u| u.id == economy.update || u.undoes == Some(economy.update)),
                || {
                    format!(
                        "{} sees the other municipality's price updates",
                        who.username
                    )
                },
            );
        }
        if let Some(runs) = problems.listed(
            "payment runs",
            who,
            ManageEconomy,
            payments::runs(db, who).await,
        ) {
            problems.check(!runs.iter().any(|r| r.id == economy.run), || {
                format!(
                    "{} sees the other municipality's payment runs",
                    who.username
                )
            });
        }
        problems.refused(
            "a payment run with its lines",
            who,
            ManageEconomy,
            payments::run_with_lines(
                db,
                who,
                economy.run,
                vaern_store::access_log::AccessKind::View,
            )
            .await,
            not_found,
        );
        for format in ["csv", "fixed"] {
            problems.refused(
                &format!("the {format} export of a payment run"),
                who,
                ManageEconomy,
                payments::export(db, who, economy.run, format).await,
                not_found,
            );
        }

        // Changing: prices, offers and measures on the owner's catalogue.
        let price = PricePeriodInput {
            valid_from: "2032-01-01".into(),
            valid_to: String::new(),
            price: "1,00".into(),
        };
        problems.refused(
            "a price on another municipality's offer",
            who,
            ManageEconomy,
            offers::add_price(db, who, economy.offer, &price).await,
            not_found,
        );
        let offer = NewOfferInput {
            name: "Indsmuglet tilbud".into(),
            unit: "day".into(),
        };
        problems.refused(
            "an offer at another municipality's provider",
            who,
            ManageEconomy,
            offers::add_offer(db, who, economy.provider, &offer).await,
            not_found,
        );
        let measure = request(
            economy.offer,
            day(2031, Month::January, 1),
            day(2031, Month::March, 31),
        );
        problems.refused(
            "a measure buying another municipality's offer",
            who,
            EditChildren,
            measures::create(db, who, intruder_child, &measure).await,
            unknown_offer("offer_id"),
        );
        problems.refused(
            "a price update preview of another municipality's offer",
            who,
            ManageEconomy,
            price_updates::preview(
                db,
                who,
                &raise(economy.offer),
                vaern_store::access_log::AccessKind::View,
            )
            .await,
            unknown_offer("offer_ids"),
        );
        problems.refused(
            "a price update of another municipality's offer",
            who,
            ManageEconomy,
            price_updates::apply(
                db,
                who,
                &raise(economy.offer),
                vaern_store::access_log::AccessKind::View,
            )
            .await,
            unknown_offer("offer_ids"),
        );

        // Undoing the owner's price update.
        problems.refused(
            "undoing another municipality's price update",
            who,
            ManageEconomy,
            price_updates::undo(
                db,
                who,
                economy.update,
                vaern_store::access_log::AccessKind::View,
            )
            .await,
            not_found,
        );

        // Paying: the intruder's run of the same month pays nothing of the owner's.
        let run = payments::run(db, who, PAID_PERIOD).await;
        if let Some(run) = problems.listed("a payment run", who, ManageEconomy, run) {
            problems.check((run.line_count, run.total_ore) == (0, 0), || {
                format!(
                    "{}'s run for {PAID_PERIOD} paid another municipality's measure: {run:?}",
                    who.username
                )
            });
        }
    }
    let view = measures::for_child(
        db,
        &intruder.caseworker,
        intruder_child,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap();
    problems.check(view.rows.is_empty(), || {
        "a measure was made on the intruder's child".to_owned()
    });

    let after = snapshot(&test, &owner, &economy).await;
    for (before, after) in before.iter().zip(&after) {
        problems.check(before == after, || {
            format!("the owner's economy changed:\n  before: {before}\n  after:  {after}")
        });
    }
    assert!(
        problems.0.is_empty(),
        "{} breaches of municipality {owner_code}'s economy by {intruder_code}:\n{}",
        problems.0.len(),
        problems.0.join("\n")
    );
    // And the owner can still undo its own update: nobody used it up.
    price_updates::undo(
        db,
        &owner.finance,
        economy.update,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn municipality_902_cannot_see_change_undo_or_export_901s_economy() {
    isolation("901", "902").await;
}

#[tokio::test]
async fn municipality_901_cannot_see_change_undo_or_export_902s_economy() {
    isolation("902", "901").await;
}
