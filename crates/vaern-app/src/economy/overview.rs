//! The economy overview for the municipality or a team: per budget area what has run so far
//! this year, what is committed for the year, the forecast including measures awaiting approval,
//! and the budget finance staff entered; a month-by-month chart. Aggregates only: no child is
//! named, so nothing here is a read of a person's data.

use serde::Deserialize;
use vaern_domain::{
    Capability, FieldErrors,
    economy::{
        cost::year_bounds,
        measures::{MeasureGroup, MeasureStatus},
        money::{MAX_BUDGET_ORE, parse_amount, parse_kroner},
    },
};
use vaern_store::{
    TeamId, admin_log, budgets,
    measures::{self, Filter},
    municipalities::{self, Team},
};

use super::{PriceBook, charge};
use crate::{Actor, AppError, today};

/// One budget area's figures.
#[derive(Debug, Clone, Default)]
pub struct AreaLine {
    pub group: Option<MeasureGroup>,
    /// What has run from 1 January to today.
    pub to_date: i64,
    /// Approved, running and ended measures over the whole year.
    pub committed: i64,
    /// Committed plus measures still awaiting approval.
    pub forecast: i64,
    pub budget: Option<i64>,
}

/// The overview.
pub struct EconomyOverview {
    pub year: i32,
    pub team: Option<Team>,
    pub teams: Vec<Team>,
    pub areas: Vec<AreaLine>,
    pub total: AreaLine,
    /// Committed cost per month.
    pub months: [i64; 12],
    pub threshold: Option<i64>,
}

/// The years an overview or a budget can be for.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The overview of `year` (default: this year) for the municipality or one team.
pub async fn overview(
    db: &vaern_store::Db,
    actor: &Actor,
    year: Option<i32>,
    team: Option<TeamId>,
) -> Result<EconomyOverview, AppError> {
    actor.require(Capability::ReadEconomy)?;
    let year = year.unwrap_or_else(|| today().year());
    if !YEARS.contains(&year) {
        return Err(AppError::Invalid(FieldErrors::single(
            "year",
            format!("Vælg et år mellem {} og {}", YEARS.start(), YEARS.end()),
        )));
    }
    let (first, last) = year_bounds(year);
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let teams = municipalities::teams(&mut tx).await?;
    let team = match team {
        Some(id) => Some(
            teams
                .iter()
                .find(|t| t.id == id)
                .cloned()
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let list = measures::list(
        &mut tx,
        Filter {
            running_from: Some(first),
            running_until: Some(last),
            team: team.as_ref().map(|t| t.id),
            ..Filter::default()
        },
    )
    .await?;
    let book = PriceBook::for_measures(&mut tx, &list).await?;
    let budgets = budgets::for_year(&mut tx, year).await?;
    let threshold = budgets::approval_threshold(&mut tx).await?;
    tx.commit().await?;
    let mut areas: Vec<AreaLine> = MeasureGroup::ALL
        .iter()
        .map(|g| AreaLine {
            group: Some(*g),
            budget: budgets
                .iter()
                .find(|b| b.measure_group == g.code())
                .map(|b| b.amount_ore),
            ..AreaLine::default()
        })
        .collect();
    let mut months = [0i64; 12];
    let to_date = today().min(last);
    for measure in &list {
        let Some(status) = MeasureStatus::parse(&measure.status) else {
            continue;
        };
        let c = charge(measure, book.of(measure.offer_id))?;
        let Some(area) = areas
            .iter_mut()
            .find(|a| a.group.is_some_and(|g| g.code() == measure.measure_group))
        else {
            continue;
        };
        let in_year = c.in_year(year).ore;
        area.forecast += in_year;
        if status == MeasureStatus::Planned {
            continue;
        }
        area.committed += in_year;
        if status != MeasureStatus::Approved {
            area.to_date += c.cost_between(first, to_date).ore;
        }
        for (month, cost) in months.iter_mut().zip(c.per_month(year)) {
            *month += cost;
        }
    }
    let total = AreaLine {
        group: None,
        to_date: areas.iter().map(|a| a.to_date).sum(),
        committed: areas.iter().map(|a| a.committed).sum(),
        forecast: areas.iter().map(|a| a.forecast).sum(),
        budget: areas.iter().filter_map(|a| a.budget).reduce(|a, b| a + b),
    };
    Ok(EconomyOverview {
        year,
        team,
        teams,
        areas,
        total,
        months,
        threshold,
    })
}

/// A budget as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BudgetInput {
    pub year: String,
    pub measure_group: String,
    /// Kroner.
    pub amount: String,
}

/// Sets an area's budget for a year; recorded in the administration log.
pub async fn set_budget(
    db: &vaern_store::Db,
    actor: &Actor,
    input: &BudgetInput,
) -> Result<(), AppError> {
    actor.require(Capability::ManageEconomy)?;
    let mut errors = FieldErrors::new();
    let year = errors.take(
        "year",
        input
            .year
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| YEARS.contains(y))
            .ok_or_else(|| "Angiv budgetåret, fx 2027".to_owned()),
    );
    let group = errors.take("measure_group", MeasureGroup::parse(&input.measure_group));
    let amount = errors.take(
        "amount",
        parse_amount(&input.amount, "budgettet", MAX_BUDGET_ORE),
    );
    let (Some(year), Some(group), Some(amount)) = (year, group, amount) else {
        return Err(AppError::Invalid(errors));
    };
    let mut tx = db.tenant(actor.municipality_id).await?;
    budgets::set(&mut tx, year, group.code(), amount, actor.user_id).await?;
    let detail = format!(
        "Budget {year} for {}: {}",
        group.label(),
        vaern_domain::economy::money::format_kroner(amount)
    );
    admin_log::record(&mut tx, Some(actor.user_id), None, "Budget sat", &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the kompetenceplan's threshold; recorded in the administration log.
pub async fn set_threshold(
    db: &vaern_store::Db,
    actor: &Actor,
    amount: &str,
) -> Result<(), AppError> {
    actor.require(Capability::ManageEconomy)?;
    let amount = parse_kroner(amount, "beløbsgrænsen")
        .map_err(|m| AppError::Invalid(FieldErrors::single("threshold", m)))?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    budgets::set_approval_threshold(&mut tx, amount, actor.user_id).await?;
    let detail = format!(
        "Indsatser over {} det første år godkendes af en teamleder",
        vaern_domain::economy::money::format_kroner(amount)
    );
    admin_log::record(
        &mut tx,
        Some(actor.user_id),
        None,
        "Beløbsgrænse i kompetenceplanen",
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
