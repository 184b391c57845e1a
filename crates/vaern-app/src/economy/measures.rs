//! Measures on a child's case: the tab «Indsatser og økonomi» with each measure's cost, the live
//! simulation of candidate measures before a decision, and the measure's way from planned
//! through approval (kompetenceplan) and start (which opens its follow-up) to its end.

use serde::Deserialize;
use time::{Date, Duration};
use vaern_domain::{
    Capability, FieldErrors,
    calendar::{add_months, danish_local},
    dates::{format_date, parse_date},
    economy::{
        cost::{Charge, Cost, Unit},
        measures::{
            MeasureGroup, MeasureInput, MeasureStatus, NewMeasure, Terms, format_quantity,
            may_approve, needs_lead_approval,
        },
        money::format_kroner,
        offers::ProviderKind,
    },
    law::paragraph,
    process::{Event, SubCaseKind, rules::table::PLACEMENTS},
    text::required_text,
};
use vaern_store::{
    ChildCaseId, ChildId, GoalKey, MeasureId, TenantTx,
    access_log::{self, AccessKind},
    budgets,
    children::Child,
    measures::{self, Change, Filter, Measure},
    offers::{self, Offer},
    plans,
};

use super::{PriceBook, charge, offers::chosen_offer};
use crate::{
    Actor, AppError,
    case_file::{automatic_note, child_case},
    case_process::{Opening, open_with_deadlines},
    clocks::{self, Clock},
    today,
};

/// What a measure costs, seen from today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MeasureCost {
    pub total: Cost,
    pub this_year: i64,
    pub next_year: i64,
    /// The cost of its first twelve months (what the kompetenceplan judges).
    pub first_year: i64,
    /// On average per 30 days of the measure.
    pub per_month: i64,
}

impl MeasureCost {
    pub fn of(charge: &Charge<'_>, year: i32) -> Self {
        let total = charge.total();
        let days = ((charge.ends_on - charge.starts_on).whole_days() + 1).max(1);
        MeasureCost {
            total,
            this_year: charge.in_year(year).ore,
            next_year: charge.in_year(year + 1).ore,
            first_year: charge.first_year().ore,
            per_month: total.ore * 30 / days,
        }
    }
}

impl std::ops::Add for MeasureCost {
    type Output = MeasureCost;
    fn add(self, o: MeasureCost) -> MeasureCost {
        MeasureCost {
            total: self.total + o.total,
            this_year: self.this_year + o.this_year,
            next_year: self.next_year + o.next_year,
            first_year: self.first_year + o.first_year,
            per_month: self.per_month + o.per_month,
        }
    }
}

/// A measure with its cost.
pub struct MeasureRow {
    pub measure: Measure,
    pub cost: MeasureCost,
    /// Whether approving it takes a team lead (kompetenceplan).
    pub needs_lead: bool,
}

/// The child's measures and what is needed to add one.
pub struct MeasuresView {
    pub child: Child,
    pub year: i32,
    pub rows: Vec<MeasureRow>,
    /// The approved and running measures together.
    pub committed: MeasureCost,
    /// The committed cost of each month of this year.
    pub months: [i64; 12],
    pub offers: Vec<Offer>,
    /// The goals of the child's newest plan version: a measure can work towards them.
    pub goals: Vec<(GoalKey, String)>,
    pub threshold: Option<i64>,
}

/// The case's measures with their costs, the prices they were computed from and the
/// kompetenceplan's threshold.
async fn rows(
    tx: &mut TenantTx,
    case: ChildCaseId,
    year: i32,
) -> Result<(Vec<MeasureRow>, PriceBook, Option<i64>), AppError> {
    let list = measures::for_case(tx, case).await?;
    let book = PriceBook::for_measures(tx, &list).await?;
    let threshold = budgets::approval_threshold(tx).await?;
    let rows = list
        .into_iter()
        .map(|measure| {
            let c = charge(&measure, book.of(measure.offer_id))?;
            let cost = MeasureCost::of(&c, year);
            Ok(MeasureRow {
                needs_lead: needs_lead_approval(cost.first_year, threshold),
                cost,
                measure,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok((rows, book, threshold))
}

/// The tab «Indsatser og økonomi»; reading it is access-logged.
pub async fn for_child(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    kind: AccessKind,
) -> Result<MeasuresView, AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let (child, case) = child_case(&mut tx, child).await?;
    let year = today().year();
    let (rows, book, threshold) = rows(&mut tx, case, year).await?;
    let mut months = [0i64; 12];
    let mut committed = MeasureCost::default();
    for row in rows.iter().filter(|r| counts(&r.measure)) {
        committed = committed + row.cost;
        let c = charge(&row.measure, book.of(row.measure.offer_id))?;
        for (month, cost) in months.iter_mut().zip(c.per_month(year)) {
            *month += cost;
        }
    }
    let offers = offers::offers(&mut tx).await?;
    let goals = current_goals(&mut tx, case).await?;
    access_log::record(
        &mut tx,
        actor.user_id,
        Some(child.id),
        kind,
        "Indsatser og økonomi",
    )
    .await?;
    tx.commit().await?;
    Ok(MeasuresView {
        child,
        year,
        rows,
        committed,
        months,
        offers,
        goals,
        threshold,
    })
}

/// Whether a measure's cost counts as committed: approved, running or ended (what ran is paid).
fn counts(measure: &Measure) -> bool {
    MeasureStatus::parse(&measure.status).is_some_and(|s| s != MeasureStatus::Planned)
}

async fn current_goals(
    tx: &mut TenantTx,
    case: ChildCaseId,
) -> Result<Vec<(GoalKey, String)>, AppError> {
    let newest = plans::for_case(tx, case).await?.first().map(|p| p.id);
    Ok(plans::goals_for_case(tx, case)
        .await?
        .into_iter()
        .filter(|(plan, _)| Some(*plan) == newest)
        .map(|(_, g)| (g.goal_key, g.wording))
        .collect())
}

/// A candidate measure in the simulation: an offer, a quantity and dates.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Candidate {
    pub offer_id: String,
    pub quantity: String,
    pub hours_per: String,
    pub starts_on: String,
    pub ends_on: String,
}

impl Candidate {
    fn as_input(&self) -> MeasureInput {
        MeasureInput {
            offer_id: self.offer_id.clone(),
            quantity: self.quantity.clone(),
            hours_per: self.hours_per.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            ..MeasureInput::default()
        }
    }
}

/// One candidate's cost, or why it cannot be computed.
pub struct SimulatedRow {
    pub label: String,
    pub cost: Result<MeasureCost, FieldErrors>,
}

/// The simulation: what is committed, each candidate, and the sum.
pub struct Simulation {
    pub year: i32,
    pub committed: MeasureCost,
    pub candidates: Vec<SimulatedRow>,
    pub total: MeasureCost,
}

/// Computes the expected cost of the child's committed measures plus `candidates`, without
/// storing anything. Reading the child's measures is access-logged.
pub async fn simulate(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    candidates: &[Candidate],
    kind: AccessKind,
) -> Result<Simulation, AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let (child, case) = child_case(&mut tx, child).await?;
    let year = today().year();
    let committed = rows(&mut tx, case, year)
        .await?
        .0
        .into_iter()
        .filter(|r| counts(&r.measure))
        .fold(MeasureCost::default(), |sum, r| sum + r.cost);
    let catalogue = offers::offers(&mut tx).await?;
    let book = PriceBook::all(&mut tx).await?;
    access_log::record(
        &mut tx,
        actor.user_id,
        Some(child.id),
        kind,
        "Økonomisimulering",
    )
    .await?;
    tx.commit().await?;
    let mut total = committed;
    let mut rows = Vec::new();
    for candidate in candidates {
        let offer = catalogue
            .iter()
            .find(|o| o.id.to_string() == candidate.offer_id.trim());
        let unit = offer.and_then(|o| Unit::parse(&o.unit).ok());
        let mut errors = FieldErrors::new();
        if offer.is_none() {
            errors.add("offer_id", "Vælg et tilbud fra listen");
        }
        let terms = Terms::parse(&candidate.as_input(), unit, &mut errors);
        let cost = match (offer, unit, terms) {
            (Some(offer), Some(unit), Some(terms)) if errors.is_empty() => {
                let c = terms_charge(unit, &terms, book.of(offer.id));
                Ok(MeasureCost::of(&c, year))
            }
            _ => Err(errors),
        };
        if let Ok(cost) = &cost {
            total = total + *cost;
        }
        rows.push(SimulatedRow {
            label: offer.map_or_else(|| "Ukendt tilbud".to_owned(), offer_label),
            cost,
        });
    }
    Ok(Simulation {
        year,
        committed,
        candidates: rows,
        total,
    })
}

fn terms_charge<'a>(
    unit: Unit,
    terms: &Terms,
    prices: &'a [vaern_domain::economy::cost::PricePeriod],
) -> Charge<'a> {
    Charge {
        unit,
        hours_per: terms.hours_per,
        quantity: terms.quantity,
        starts_on: terms.starts_on,
        ends_on: terms.ends_on,
        prices,
    }
}

/// `Familiebehandling (Familiehuset Lyngen)`.
pub fn offer_label(offer: &Offer) -> String {
    format!("{} ({})", offer.name, offer.provider_name)
}

/// A new measure: the measure and the plan goals it works towards.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewMeasureRequest {
    #[serde(flatten)]
    pub measure: MeasureInput,
    /// Goal keys of the child's current plan.
    pub goals: Vec<String>,
}

/// Plans a measure on the child's case, journalled with its expected cost and whether a team
/// lead must approve it.
pub async fn create(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    request: &NewMeasureRequest,
) -> Result<Measure, AppError> {
    actor.require(Capability::EditChildren)?;
    let input = &request.measure;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (_, case) = child_case(&mut tx, child).await?;
    let offer = match input.offer_id.trim() {
        "" => Err(AppError::Invalid(FieldErrors::single(
            "offer_id",
            "Vælg et tilbud fra listen",
        ))),
        raw => chosen_offer(&mut tx, raw, "offer_id").await,
    };
    let unit = offer.as_ref().ok().and_then(|o| Unit::parse(&o.unit).ok());
    let parsed = NewMeasure::parse(input, unit);
    let (offer, measure) = match (offer, parsed) {
        (Ok(offer), Ok(measure)) => (offer, measure),
        (Ok(_), Err(errors)) => return Err(AppError::Invalid(errors)),
        (Err(AppError::Invalid(offer_errors)), parsed) => {
            // Every problem at once: the offer's and the rest of the form's.
            let mut errors = parsed.err().unwrap_or_default();
            for e in offer_errors.iter() {
                errors.add(&e.field, e.message.clone());
            }
            return Err(AppError::Invalid(errors));
        }
        (Err(other), _) => return Err(other),
    };
    let goals = chosen_goals(&mut tx, case, &request.goals).await?;
    let provider = ProviderKind::parse(&offer.provider_kind).map_err(AppError::Internal)?;
    let group = MeasureGroup::of(measure.legal_basis.id, provider);
    let stored = measures::create(
        &mut tx,
        case,
        offer.id,
        &measure,
        group,
        &goals,
        actor.user_id,
    )
    .await?;
    let prices: Vec<_> = offers::prices(&mut tx, offer.id)
        .await?
        .iter()
        .map(|p| p.period())
        .collect();
    let cost = MeasureCost::of(&charge(&stored, &prices)?, today().year());
    let threshold = budgets::approval_threshold(&mut tx).await?;
    let mut body = format!(
        "{} planlagde indsatsen {} efter {} ({}).\nPeriode: {} til {} ({}).\nOmfang: {}.\n\
         Formål: {}\nForventet udgift i alt: {}; de første 12 måneder: {}.",
        actor.name,
        offer_label(&offer),
        measure.legal_basis.citation,
        measure.legal_basis.title.to_lowercase(),
        format_date(measure.terms.starts_on),
        format_date(measure.terms.ends_on),
        vaern_domain::economy::cost::duration_text(measure.terms.starts_on, measure.terms.ends_on),
        extent(&stored),
        measure.purpose,
        format_kroner(cost.total.ore),
        format_kroner(cost.first_year),
    );
    if cost.total.unpriced_days > 0 {
        body.push_str(&format!(
            "\nBemærk: tilbuddet har ingen pris i {} af indsatsens dage; de er ikke regnet med.",
            cost.total.unpriced_days
        ));
    }
    if needs_lead_approval(cost.first_year, threshold) {
        body.push_str("\nIndsatsen skal godkendes af en teamleder (kommunens kompetenceplan).");
    }
    automatic_note(&mut tx, actor, case, None, "Indsats planlagt", &body).await?;
    tx.commit().await?;
    Ok(stored)
}

/// `2 pr. døgn`, `6 timer pr. uge`.
pub fn extent(measure: &Measure) -> String {
    let quantity = format_quantity(measure.quantity);
    match Unit::parse(&measure.unit) {
        Ok(Unit::Hour) => {
            let per = vaern_domain::economy::cost::HoursPer::parse(&measure.hours_per)
                .map_or("timer", |h| h.label());
            format!("{quantity} {per}")
        }
        Ok(unit) => format!("{quantity} × {}", unit.label()),
        Err(_) => quantity,
    }
}

async fn chosen_goals(
    tx: &mut TenantTx,
    case: ChildCaseId,
    raw: &[String],
) -> Result<Vec<GoalKey>, AppError> {
    let current = current_goals(tx, case).await?;
    let mut keys = Vec::new();
    for r in raw.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        let key = r
            .parse::<GoalKey>()
            .ok()
            .filter(|k| current.iter().any(|(c, _)| c == k))
            .ok_or_else(|| {
                AppError::Invalid(FieldErrors::single(
                    "goals",
                    "Vælg mål fra barnets gældende plan",
                ))
            })?;
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// A transaction for changing a measure on the child's case: the case and the measure as read;
/// `NotFound` for another child's measure.
async fn editing(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    id: MeasureId,
) -> Result<(TenantTx, ChildCaseId, Measure), AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (_, case) = child_case(&mut tx, child).await?;
    let measure = measures::get(&mut tx, id).await?;
    if measure.child_case_id != case {
        return Err(AppError::NotFound);
    }
    Ok((tx, case, measure))
}

fn changed_meanwhile() -> AppError {
    AppError::Conflict("Indsatsen er netop ændret af en anden. Genindlæs siden.".into())
}

fn wrong_status(measure: &Measure, action: &str) -> AppError {
    AppError::Conflict(format!(
        "Indsatsen kan ikke {action}: den er {}",
        MeasureStatus::label_of(&measure.status).to_lowercase()
    ))
}

/// Approves a planned measure. Above the kompetenceplan's threshold only a team lead may, and
/// never the one who created it.
pub async fn approve(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    id: MeasureId,
    version: i32,
) -> Result<Measure, AppError> {
    let (mut tx, case, measure) = editing(db, actor, child, id).await?;
    if measure.status != MeasureStatus::Planned.code() {
        return Err(wrong_status(&measure, "godkendes"));
    }
    let prices: Vec<_> = offers::prices(&mut tx, measure.offer_id)
        .await?
        .iter()
        .map(|p| p.period())
        .collect();
    let cost = MeasureCost::of(&charge(&measure, &prices)?, today().year());
    let threshold = budgets::approval_threshold(&mut tx).await?;
    let created_it = measure.created_by == Some(actor.user_id);
    may_approve(actor.role, created_it, cost.first_year, threshold)
        .map_err(|m| AppError::Invalid(FieldErrors::single("approval", m)))?;
    if !measures::change(
        &mut tx,
        id,
        version,
        measure.status.as_str(),
        Change::Approve { by: actor.user_id },
    )
    .await?
    {
        return Err(changed_meanwhile());
    }
    let lead = if needs_lead_approval(cost.first_year, threshold) {
        " som teamleder efter kommunens kompetenceplan"
    } else {
        ""
    };
    let body = format!(
        "{} godkendte{lead} indsatsen {} ({} til {}). Udgift de første 12 måneder: {}.",
        actor.name,
        measure.offer_name,
        format_date(measure.starts_on),
        format_date(measure.ends_on),
        format_kroner(cost.first_year)
    );
    automatic_note(&mut tx, actor, case, None, "Indsats godkendt", &body).await?;
    let measure = measures::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(measure)
}

/// Starts an approved measure: opens its «Indsats og opfølgning» sub-case and starts what the
/// rule table says a measure of its section starts — the first follow-up 3 months from its first
/// day (BL § 95, stk. 2) and, for a placement, the ungeplan at 16 (§ 108) and the decision on
/// ungestøtte 6 months before 18 (§ 111).
pub async fn start(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    id: MeasureId,
    version: i32,
) -> Result<Measure, AppError> {
    let (mut tx, case, measure) = editing(db, actor, child, id).await?;
    if measure.status != MeasureStatus::Approved.code() {
        return Err(wrong_status(&measure, "igangsættes"));
    }
    let kind = SubCaseKind::Measure;
    let title = format!("{}: {}", kind.label(), measure.offer_name);
    let now = vaern_store::now();
    let (sub_case, mut started) = open_with_deadlines(
        &mut tx,
        Opening {
            case,
            kind,
            title: &title,
            opened_at: now,
            opened_by: Some(actor.user_id),
            steps: kind.steps().iter().collect(),
        },
        &Clock::at(now, "Indsatsen igangsat"),
    )
    .await?;
    let section = paragraph(&measure.legal_basis).map(|p| p.section);
    if let Some(section) = section {
        let first_day = danish_local(measure.starts_on, time::Time::MIDNIGHT);
        let clock = Clock::new(
            first_day,
            format!("Indsatsens første dag {}", format_date(measure.starts_on)),
        );
        let event = Event::MeasureStarted { section };
        started.extend(clocks::start_for_event(&mut tx, case, &sub_case, &event, &clock).await?);
    }
    if section.is_some_and(|s| PLACEMENTS.contains(&s)) {
        let born = vaern_store::children::get(&mut tx, child).await?.birth_date;
        for age in [16u8, 18] {
            let birthday = add_months(born, 12 * u32::from(age));
            if birthday <= today() && age == 16 {
                continue;
            }
            let clock = Clock::new(
                danish_local(birthday, time::Time::MIDNIGHT),
                format!("Barnet fylder {age} år {}", format_date(birthday)),
            );
            let event = Event::Birthday { age };
            started
                .extend(clocks::start_for_event(&mut tx, case, &sub_case, &event, &clock).await?);
        }
    }
    if !measures::change(
        &mut tx,
        id,
        version,
        measure.status.as_str(),
        Change::Start {
            sub_case: sub_case.id,
        },
    )
    .await?
    {
        return Err(changed_meanwhile());
    }
    let body = format!(
        "{} igangsatte indsatsen {} ({}) fra {}.\nFrister: {}.",
        actor.name,
        measure.offer_name,
        measure.provider_name,
        format_date(measure.starts_on),
        started.join("; ")
    );
    automatic_note(
        &mut tx,
        actor,
        case,
        Some(sub_case.id),
        "Indsats igangsat",
        &body,
    )
    .await?;
    let measure = measures::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(measure)
}

/// Ending a measure: its last day (for a running one) and why.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EndInput {
    pub ended_on: String,
    pub reason: String,
}

/// Ends a measure with its reason. A running measure ends on a day within its period; a planned
/// or approved one that is dropped ends before it began, so it costs nothing.
pub async fn end(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    id: MeasureId,
    version: i32,
    input: &EndInput,
) -> Result<Measure, AppError> {
    let (mut tx, case, measure) = editing(db, actor, child, id).await?;
    let status =
        MeasureStatus::parse(&measure.status).ok_or_else(|| AppError::Internal("status".into()))?;
    if status == MeasureStatus::Ended {
        return Err(wrong_status(&measure, "afsluttes"));
    }
    let mut errors = FieldErrors::new();
    let reason = errors.take("reason", required_text(&input.reason, "begrundelsen", 2000));
    let ended_on = if status == MeasureStatus::Active {
        match input.ended_on.trim() {
            "" => {
                errors.add("ended_on", "Udfyld indsatsens sidste dag");
                None
            }
            text => errors.take(
                "ended_on",
                parse_date(text).and_then(|d| last_day(d, &measure)),
            ),
        }
    } else {
        Some(measure.starts_on - Duration::days(1))
    };
    let (Some(reason), Some(ended_on)) = (reason, ended_on) else {
        return Err(AppError::Invalid(errors));
    };
    let change = Change::End {
        ended_on,
        reason: &reason,
    };
    if !measures::change(&mut tx, id, version, measure.status.as_str(), change).await? {
        return Err(changed_meanwhile());
    }
    let when = if status == MeasureStatus::Active {
        format!(" med sidste dag {}", format_date(ended_on))
    } else {
        " inden den begyndte".to_owned()
    };
    let body = format!(
        "{} afsluttede indsatsen {}{when}.\nBegrundelse: {reason}",
        actor.name, measure.offer_name
    );
    automatic_note(
        &mut tx,
        actor,
        case,
        measure.sub_case_id,
        "Indsats afsluttet",
        &body,
    )
    .await?;
    let measure = measures::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(measure)
}

fn last_day(day: Date, measure: &Measure) -> Result<Date, String> {
    if day < measure.starts_on {
        return Err(format!(
            "Den sidste dag kan ikke ligge før indsatsens start {}",
            format_date(measure.starts_on)
        ));
    }
    if day > measure.ends_on {
        return Err(format!(
            "Den sidste dag kan ikke ligge efter den forventede slutdato {}; en forlængelse \
             kræver en ny afgørelse",
            format_date(measure.ends_on)
        ));
    }
    Ok(day)
}

/// A measure awaiting a team lead's approval.
pub struct AwaitingApproval {
    pub measure: Measure,
    pub cost: MeasureCost,
}

/// The team lead's approval queue: planned measures above the kompetenceplan's threshold, oldest
/// first. The children listed are access-logged.
pub async fn approval_queue(
    db: &vaern_store::Db,
    actor: &Actor,
    kind: AccessKind,
) -> Result<(Vec<AwaitingApproval>, Option<i64>), AppError> {
    actor.require(Capability::LeadTeam)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let planned = measures::list(
        &mut tx,
        Filter {
            statuses: &[MeasureStatus::Planned.code()],
            ..Filter::default()
        },
    )
    .await?;
    let book = PriceBook::for_measures(&mut tx, &planned).await?;
    let threshold = budgets::approval_threshold(&mut tx).await?;
    let year = today().year();
    let mut queue = Vec::new();
    for measure in planned {
        let cost = MeasureCost::of(&charge(&measure, book.of(measure.offer_id))?, year);
        if needs_lead_approval(cost.first_year, threshold) {
            queue.push(AwaitingApproval { measure, cost });
        }
    }
    queue.sort_by_key(|a| a.measure.created_at);
    let persons: Vec<Option<ChildId>> = queue.iter().map(|a| Some(a.measure.child_id)).collect();
    if !persons.is_empty() {
        access_log::record_many(&mut tx, actor.user_id, &persons, kind, "Godkendelser").await?;
    }
    tx.commit().await?;
    Ok((queue, threshold))
}
