//! Mass price updates: finance staff change the prices of one or many offers from a date (by a
//! percentage or to a new amount). A preview shows every affected measure's cost change per case
//! and in total; applying it is one transaction that splits the price periods at the date and
//! journals the change on every affected case. An update is undone by a new update restoring
//! the old prices.

use serde::Deserialize;
use time::{Date, Duration};
use vaern_domain::{
    Capability, FieldErrors,
    dates::{format_date, parse_date},
    economy::{
        cost::{PricePeriod, Unit},
        measures::MeasureStatus,
        money::{format_kroner, parse_kroner},
    },
    text::optional_line,
};
use vaern_store::{
    ChildCaseId, ChildId, OfferId, PriceUpdateId, TenantTx,
    access_log::{self, AccessKind},
    measures::{self, Filter},
    offers::{self, Offer, PriceUpdate, StoredPrice},
};

use super::{PriceBook, charge};
use crate::{Actor, AppError, case_file::automatic_note};

/// A price update as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PriceUpdateInput {
    pub offer_ids: Vec<String>,
    pub effective_from: String,
    /// `percent` or `amount`.
    pub mode: String,
    /// `2,5` for 2.5 %; may be negative.
    pub percent: String,
    /// The new price in kroner (`amount` mode).
    pub amount: String,
    pub description: String,
}

#[derive(Debug, Clone, Copy)]
enum NewPrice {
    /// Basis points: 250 = +2.5 %.
    Percent(i64),
    Amount(i64),
}

impl NewPrice {
    fn apply(self, old: i64) -> i64 {
        match self {
            // Rounded half up to whole øre.
            NewPrice::Percent(bp) => {
                (i128::from(old) * i128::from(10_000 + bp) + 5_000).div_euclid(10_000) as i64
            }
            NewPrice::Amount(amount) => amount,
        }
    }
}

/// One offer's change.
pub struct OfferChange {
    pub offer: Offer,
    pub period: StoredPrice,
    pub new_price: i64,
}

/// The effect on one case.
pub struct CaseEffect {
    pub case: ChildCaseId,
    pub child: ChildId,
    pub case_number: String,
    pub measures: usize,
    /// The cost from the date to the measures' ends, before and after.
    pub before: i64,
    pub after: i64,
}

/// What an update will do (the preview), or did.
pub struct PricePlan {
    pub effective_from: Date,
    pub description: String,
    pub changes: Vec<OfferChange>,
    /// Offers left out, with the reason.
    pub skipped: Vec<(Offer, String)>,
    pub cases: Vec<CaseEffect>,
    pub total_before: i64,
    pub total_after: i64,
}

/// Parses `2,5`, `-1` or `3` percent into basis points, between -50 % and +100 %.
fn percent(text: &str) -> Result<i64, String> {
    let trimmed = text.trim().trim_end_matches('%').trim();
    let (negative, digits) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, trimmed.trim_start_matches('+').trim()),
    };
    let (whole, fraction) = digits.split_once(',').unwrap_or((digits, ""));
    let numeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !numeric(whole)
        || whole.len() > 3
        || fraction.len() > 2
        || !(fraction.is_empty() || numeric(fraction))
    {
        return Err("Skriv procentsatsen som et tal, fx 2,5 eller -1".into());
    }
    let bp = whole.parse::<i64>().unwrap_or(0) * 100
        + format!("{fraction:0<2}").parse::<i64>().unwrap_or(0);
    let bp = if negative { -bp } else { bp };
    if !(-5_000..=10_000).contains(&bp) {
        return Err("Procentsatsen skal ligge mellem -50 og 100".into());
    }
    if bp == 0 {
        return Err("En regulering på 0 % ændrer ingenting".into());
    }
    Ok(bp)
}

struct Parsed {
    effective_from: Date,
    description: String,
    changes: Vec<(OfferId, NewPrice)>,
}

fn parse(input: &PriceUpdateInput) -> Result<Parsed, FieldErrors> {
    let mut errors = FieldErrors::new();
    let effective_from = errors.take("effective_from", parse_date(&input.effective_from));
    let new_price = match input.mode.trim() {
        "percent" => errors
            .take("percent", percent(&input.percent))
            .map(NewPrice::Percent),
        "amount" => errors
            .take("amount", parse_kroner(&input.amount, "den nye pris"))
            .map(NewPrice::Amount),
        _ => {
            errors.add(
                "mode",
                "Vælg om priserne reguleres med en procentsats eller sættes til et nyt beløb",
            );
            None
        }
    };
    let mut offers = Vec::new();
    for raw in input
        .offer_ids
        .iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
    {
        match raw.parse::<OfferId>() {
            Ok(id) if !offers.contains(&id) => offers.push(id),
            Ok(_) => {}
            Err(_) => errors.add("offer_ids", "Vælg tilbud fra listen"),
        }
    }
    if offers.is_empty() && errors.for_field("offer_ids").is_none() {
        errors.add("offer_ids", "Vælg mindst ét tilbud");
    }
    let description = errors.take(
        "description",
        optional_line(&input.description, "beskrivelsen", 200),
    );
    match (effective_from, new_price, description) {
        (Some(effective_from), Some(new_price), Some(description)) if errors.is_empty() => {
            Ok(Parsed {
                effective_from,
                description: description.unwrap_or_else(|| "Prisregulering".to_owned()),
                changes: offers.into_iter().map(|o| (o, new_price)).collect(),
            })
        }
        _ => Err(errors),
    }
}

/// Works out what the update does: each offer's period at the date and new price, and each
/// affected measure's cost from the date before and after.
async fn plan(tx: &mut TenantTx, parsed: Parsed) -> Result<PricePlan, AppError> {
    let eff = parsed.effective_from;
    let ids: Vec<OfferId> = parsed.changes.iter().map(|(o, _)| *o).collect();
    let catalogue = offers::offers(tx).await?;
    let stored = offers::prices_for(tx, &ids).await?;
    let book = PriceBook::from_rows(stored.clone());
    let mut changes = Vec::new();
    let mut skipped = Vec::new();
    let mut new_book = PriceBook::default();
    for (id, new_price) in &parsed.changes {
        let offer = catalogue
            .iter()
            .find(|o| o.id == *id)
            .cloned()
            .ok_or_else(|| {
                AppError::Invalid(FieldErrors::single("offer_ids", "Vælg tilbud fra listen"))
            })?;
        let periods: Vec<&StoredPrice> = stored.iter().filter(|p| p.offer_id == *id).collect();
        if let Some(later) = periods.iter().find(|p| p.valid_from > eff) {
            skipped.push((
                offer,
                format!(
                    "har allerede en pris fra {}; regulér fra den dato eller senere",
                    format_date(later.valid_from)
                ),
            ));
            continue;
        }
        let Some(period) = periods
            .iter()
            .find(|p| p.period().contains(eff))
            .map(|p| (*p).clone())
        else {
            skipped.push((offer, format!("har ingen pris {}", format_date(eff))));
            continue;
        };
        let new_price = new_price.apply(period.price_ore);
        let mut after: Vec<PricePeriod> = periods
            .iter()
            .filter(|p| p.id != period.id)
            .map(|p| p.period())
            .collect();
        if period.valid_from < eff {
            after.push(PricePeriod {
                to: Some(eff - Duration::days(1)),
                ..period.period()
            });
        }
        after.push(PricePeriod {
            from: eff,
            to: period.valid_to,
            price_ore: new_price,
        });
        new_book.set(*id, after);
        changes.push(OfferChange {
            offer,
            period,
            new_price,
        });
    }
    let changed: Vec<OfferId> = changes.iter().map(|c| c.offer.id).collect();
    let affected = measures::list(
        tx,
        Filter {
            statuses: &[
                MeasureStatus::Planned.code(),
                MeasureStatus::Approved.code(),
                MeasureStatus::Active.code(),
            ],
            running_from: Some(eff),
            offers: Some(&changed),
            ..Filter::default()
        },
    )
    .await?;
    let mut cases: Vec<CaseEffect> = Vec::new();
    for measure in &affected {
        let last = measure.last_day();
        let before = charge(measure, book.of(measure.offer_id))?
            .cost_between(eff, last)
            .ore;
        let after = charge(measure, new_book.of(measure.offer_id))?
            .cost_between(eff, last)
            .ore;
        match cases.last_mut() {
            Some(effect) if effect.case == measure.child_case_id => {
                effect.measures += 1;
                effect.before += before;
                effect.after += after;
            }
            _ => cases.push(CaseEffect {
                case: measure.child_case_id,
                child: measure.child_id,
                case_number: measure.case_number.clone(),
                measures: 1,
                before,
                after,
            }),
        }
    }
    Ok(PricePlan {
        effective_from: eff,
        description: parsed.description,
        total_before: cases.iter().map(|c| c.before).sum(),
        total_after: cases.iter().map(|c| c.after).sum(),
        changes,
        skipped,
        cases,
    })
}

/// The preview: nothing is changed. The cases it lists are shown, so each child is logged
/// (of `kind`), as are those an update or its undoing lists.
pub async fn preview(
    db: &vaern_store::Db,
    actor: &Actor,
    input: &PriceUpdateInput,
    kind: AccessKind,
) -> Result<PricePlan, AppError> {
    actor.require(Capability::ManageEconomy)?;
    let parsed = parse(input)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let plan = plan(&mut tx, parsed).await?;
    log_shown(&mut tx, actor, &plan, kind).await?;
    tx.commit().await?;
    Ok(plan)
}

async fn log_shown(
    tx: &mut TenantTx,
    actor: &Actor,
    plan: &PricePlan,
    kind: AccessKind,
) -> Result<(), AppError> {
    let mut children: Vec<Option<ChildId>> = plan.cases.iter().map(|c| Some(c.child)).collect();
    children.sort();
    children.dedup();
    if !children.is_empty() {
        let detail = format!("Prisregulering «{}»", plan.description);
        access_log::record_many(tx, actor.user_id, &children, kind, &detail).await?;
    }
    Ok(())
}

/// Applies an update in one transaction, journalled on every affected case.
pub async fn apply(
    db: &vaern_store::Db,
    actor: &Actor,
    input: &PriceUpdateInput,
    kind: AccessKind,
) -> Result<(PriceUpdateId, PricePlan), AppError> {
    actor.require(Capability::ManageEconomy)?;
    let parsed = parse(input)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let plan = plan(&mut tx, parsed).await?;
    let id = record(&mut tx, actor, &plan, None).await?;
    log_shown(&mut tx, actor, &plan, kind).await?;
    tx.commit().await?;
    Ok((id, plan))
}

async fn record(
    tx: &mut TenantTx,
    actor: &Actor,
    plan: &PricePlan,
    undoes: Option<PriceUpdateId>,
) -> Result<PriceUpdateId, AppError> {
    if plan.changes.is_empty() {
        return Err(AppError::Invalid(FieldErrors::single(
            "offer_ids",
            "Ingen af de valgte tilbud kan reguleres fra datoen (se forhåndsvisningen)",
        )));
    }
    let changes: Vec<(StoredPrice, i64)> = plan
        .changes
        .iter()
        .map(|c| (c.period.clone(), c.new_price))
        .collect();
    let id = offers::apply_update(
        tx,
        plan.effective_from,
        &plan.description,
        undoes,
        &changes,
        actor.user_id,
    )
    .await?;
    let prices: Vec<String> = plan
        .changes
        .iter()
        .map(|c| {
            let unit = Unit::parse(&c.offer.unit).map_or("", |u| u.label());
            format!(
                "{} ({}): {} → {} {unit}",
                c.offer.name,
                c.offer.provider_name,
                format_kroner(c.period.price_ore),
                format_kroner(c.new_price)
            )
        })
        .collect();
    for effect in &plan.cases {
        let body = format!(
            "{} gennemførte «{}» med virkning fra {}.\n{}\nDen forventede udgift til barnets \
             berørte indsatser fra {} til deres slutdato ændres fra {} til {} ({}).",
            actor.name,
            plan.description,
            format_date(plan.effective_from),
            prices.join("\n"),
            format_date(plan.effective_from),
            format_kroner(effect.before),
            format_kroner(effect.after),
            signed(effect.after - effect.before)
        );
        automatic_note(tx, actor, effect.case, None, "Prisregulering", &body).await?;
    }
    Ok(id)
}

/// `+1.234,00 kr.` or `-5,00 kr.`.
pub fn signed(ore: i64) -> String {
    if ore > 0 {
        format!("+{}", format_kroner(ore))
    } else {
        format_kroner(ore)
    }
}

/// Undoes an update by a new update from the same date restoring each offer's old price.
pub async fn undo(
    db: &vaern_store::Db,
    actor: &Actor,
    id: PriceUpdateId,
    kind: AccessKind,
) -> Result<(PriceUpdateId, PricePlan), AppError> {
    actor.require(Capability::ManageEconomy)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (update, changes) = offers::update_by_id(&mut tx, id).await?;
    if update.undone {
        return Err(AppError::Conflict(
            "Prisreguleringen er allerede fortrudt".into(),
        ));
    }
    if update.undoes.is_some() {
        return Err(AppError::Conflict(
            "En fortrydelse kan ikke fortrydes; lav en ny prisregulering i stedet".into(),
        ));
    }
    let current = offers::prices_for(
        &mut tx,
        &changes.iter().map(|c| c.offer_id).collect::<Vec<_>>(),
    )
    .await?;
    let unchanged = changes.iter().all(|c| {
        current.iter().any(|p| {
            p.offer_id == c.offer_id
                && p.valid_from == update.effective_from
                && p.price_ore == c.new_price_ore
        })
    });
    if !unchanged {
        return Err(AppError::Conflict(
            "Priserne er ændret igen siden reguleringen; lav en ny prisregulering i stedet".into(),
        ));
    }
    let parsed = Parsed {
        effective_from: update.effective_from,
        description: format!("Fortrydelse af «{}»", update.description),
        changes: changes
            .iter()
            .map(|c| (c.offer_id, NewPrice::Amount(c.old_price_ore)))
            .collect(),
    };
    let plan = plan(&mut tx, parsed).await?;
    let new_id = record(&mut tx, actor, &plan, Some(id)).await?;
    log_shown(&mut tx, actor, &plan, kind).await?;
    tx.commit().await?;
    Ok((new_id, plan))
}

/// The municipality's price updates, newest first.
pub async fn history(db: &vaern_store::Db, actor: &Actor) -> Result<Vec<PriceUpdate>, AppError> {
    actor.require(Capability::ManageEconomy)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let updates = offers::updates(&mut tx).await?;
    tx.commit().await?;
    Ok(updates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_up_to_whole_ore() {
        assert_eq!(NewPrice::Percent(250).apply(100_000), 102_500);
        assert_eq!(
            NewPrice::Percent(333).apply(1_001),
            1_034,
            "1.001 × 1.0333 = 1.034,33"
        );
        assert_eq!(
            NewPrice::Percent(-1_000).apply(1_005),
            905,
            "904,5 rounds up"
        );
        assert_eq!(percent("2,5"), Ok(250));
        assert_eq!(percent("-1 %"), Ok(-100));
        assert!(percent("150").is_err());
        assert!(percent("0").is_err());
        assert!(percent("abc").is_err());
    }
}
