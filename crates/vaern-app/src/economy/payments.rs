//! Monthly payment runs: for a month, each running measure is owed what it costs that month;
//! a line pays the difference between that and what earlier runs paid. So running the same month
//! twice pays nothing twice, and a measure ended early or repriced afterwards gets a correction
//! line. The run is exported to the finance system through a [`FinanceExport`].

use std::collections::HashMap;

use time::{Date, Month};
use vaern_domain::{
    Capability, FieldErrors,
    dates::danish_today,
    economy::{
        cost::month_bounds,
        measures::{MeasureGroup, MeasureStatus},
    },
};
use vaern_integrations::finance::{self, ExportReport, FinanceExport, PaymentRecord};
use vaern_store::{
    ChildId, MeasureId, PaymentRunId, StoreError,
    access_log::{self, AccessKind},
    measures::{self, Filter, Measure},
    payments::{self, NewLine, PaymentLine, PaymentRun},
};

use super::{PriceBook, charge};
use crate::{Actor, AppError, today};

const SHORT_MONTHS: [&str; 12] = [
    "jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.",
];

/// Parses `2026-11` (as the month field sends it) or `11-2026`.
pub fn parse_period(text: &str) -> Result<(i32, u8), String> {
    let trimmed = text.trim();
    let bad = || "Angiv måneden som ÅÅÅÅ-MM, fx 2026-11".to_owned();
    let (a, b) = trimmed.split_once('-').ok_or_else(bad)?;
    let (year, month) = if a.len() == 4 { (a, b) } else { (b, a) };
    let year: i32 = year.parse().map_err(|_| bad())?;
    let month: u8 = month.parse().map_err(|_| bad())?;
    if year.to_string().len() != 4 || Month::try_from(month).is_err() {
        return Err(bad());
    }
    Ok((year, month))
}

/// `2026-11`.
pub fn period_code(year: i32, month: u8) -> String {
    format!("{year:04}-{month:02}")
}

/// `nov. 2026`.
pub fn period_label(year: i32, month: u8) -> String {
    format!(
        "{} {year}",
        SHORT_MONTHS[usize::from(month.clamp(1, 12)) - 1]
    )
}

/// Runs payments for a month. Refused for a month more than one ahead of today.
pub async fn run(
    db: &vaern_store::Db,
    actor: &Actor,
    period: &str,
) -> Result<PaymentRun, AppError> {
    actor.require(Capability::ManageEconomy)?;
    let (year, month) =
        parse_period(period).map_err(|m| AppError::Invalid(FieldErrors::single("period", m)))?;
    let (first, last) = month_bounds(year, month);
    let next_month_start = month_bounds(today().year(), u8::from(today().month()))
        .1
        .next_day();
    if next_month_start
        .is_some_and(|next| first > month_bounds(next.year(), u8::from(next.month())).0)
    {
        return Err(AppError::Invalid(FieldErrors::single(
            "period",
            "Der kan højst betales for næste måned",
        )));
    }
    let code = period_code(year, month);
    let mut tx = db.tenant(actor.municipality_id).await?;
    let mut running = measures::list(
        &mut tx,
        Filter {
            statuses: &[MeasureStatus::Active.code(), MeasureStatus::Ended.code()],
            running_from: Some(first),
            running_until: Some(last),
            ..Filter::default()
        },
    )
    .await?;
    let paid: HashMap<MeasureId, (i64, i32)> = payments::paid_for_period(&mut tx, &code)
        .await?
        .into_iter()
        .map(|(measure, sum, count)| (measure, (sum, count)))
        .collect();
    // Measures paid for the month but no longer running in it (ended or cut short since).
    for id in paid.keys() {
        if !running.iter().any(|m| m.id == *id) {
            running.push(measures::get(&mut tx, *id).await?);
        }
    }
    let book = PriceBook::for_measures(&mut tx, &running).await?;
    let mut texts = Vec::with_capacity(running.len());
    let mut owed = Vec::with_capacity(running.len());
    for measure in &running {
        let cost = charge(measure, book.of(measure.offer_id))?
            .cost_between(first, last)
            .ore;
        let (already, lines) = paid.get(&measure.id).copied().unwrap_or((0, 0));
        if cost != already {
            texts.push(line_text(measure, year, month, lines > 0));
            owed.push((measure, cost - already, lines));
        }
    }
    let lines: Vec<NewLine<'_>> = owed
        .iter()
        .zip(&texts)
        .map(|((measure, amount, lines), text)| NewLine {
            measure: measure.id,
            provider: measure.provider_id,
            seq: lines + 1,
            correction: *lines > 0,
            amount_ore: *amount,
            account: account(measure),
            text,
        })
        .collect();
    let id = match payments::create_run(&mut tx, &code, &lines, actor.user_id).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(
                "En anden betalingskørsel for samme måned blev gennemført samtidig. Prøv igen; \
                 intet betales to gange."
                    .into(),
            ));
        }
        Err(other) => return Err(other.into()),
    };
    let run = payments::run(&mut tx, id).await?;
    tx.commit().await?;
    Ok(run)
}

fn account(measure: &Measure) -> &'static str {
    MeasureGroup::parse(&measure.measure_group).map_or("5.28.21", MeasureGroup::account)
}

fn line_text(measure: &Measure, year: i32, month: u8, correction: bool) -> String {
    let prefix = if correction { "Korrektion: " } else { "" };
    format!(
        "{prefix}{}, {}",
        measure.offer_name,
        period_label(year, month)
    )
}

/// The runs, newest first.
pub async fn runs(db: &vaern_store::Db, actor: &Actor) -> Result<Vec<PaymentRun>, AppError> {
    actor.require(Capability::ManageEconomy)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let runs = payments::runs(&mut tx).await?;
    tx.commit().await?;
    Ok(runs)
}

/// A run with its lines. Each line names a child's case, so the children shown are logged
/// (one row per child, of `kind`).
pub async fn run_with_lines(
    db: &vaern_store::Db,
    actor: &Actor,
    id: PaymentRunId,
    kind: AccessKind,
) -> Result<(PaymentRun, Vec<PaymentLine>), AppError> {
    actor.require(Capability::ManageEconomy)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let run = payments::run(&mut tx, id).await?;
    let lines = payments::lines(&mut tx, id).await?;
    let mut children: Vec<Option<ChildId>> = lines.iter().map(|l| Some(l.child_id)).collect();
    children.sort();
    children.dedup();
    if !children.is_empty() {
        let detail = format!("Udbetalingskørsel {}", run.period);
        access_log::record_many(&mut tx, actor.user_id, &children, kind, &detail).await?;
    }
    tx.commit().await?;
    Ok((run, lines))
}

/// The records the finance system receives for a run's lines, posted on `posting_date`.
pub fn records(lines: &[PaymentLine], posting_date: Date) -> Vec<PaymentRecord> {
    lines
        .iter()
        .map(|l| PaymentRecord {
            line_id: l.id.to_string(),
            period: l.period.clone(),
            posting_date,
            provider_name: l.provider_name.clone(),
            provider_cvr: l.provider_cvr.clone(),
            account: l.account.clone(),
            case_ref: l.case_number.clone(),
            measure_ref: l.measure_id.to_string(),
            text: l.text.clone(),
            amount_ore: l.amount_ore,
        })
        .collect()
}

/// An export file and its report.
pub struct ExportFile {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    pub report: ExportReport,
}

/// Exports a run in `format` (`csv` or `fixed`), posted on the day the run was made.
pub async fn export(
    db: &vaern_store::Db,
    actor: &Actor,
    id: PaymentRunId,
    format: &str,
) -> Result<ExportFile, AppError> {
    let exporter: &dyn FinanceExport = finance::export(format).ok_or(AppError::NotFound)?;
    let (run, lines) = run_with_lines(db, actor, id, AccessKind::Export).await?;
    let records = records(&lines, danish_today(run.created_at));
    let bytes = exporter
        .render(&actor.municipality_code, &records)
        .map_err(|e| AppError::Invalid(FieldErrors::single("format", e.to_string())))?;
    Ok(ExportFile {
        file_name: exporter.file_name(&actor.municipality_code, &run.period),
        content_type: exporter.content_type(),
        bytes,
        report: finance::report(&records),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_both_ways_round() {
        assert_eq!(parse_period("2026-11"), Ok((2026, 11)));
        assert_eq!(parse_period("11-2026"), Ok((2026, 11)));
        assert!(parse_period("2026-13").is_err());
        assert!(parse_period("november").is_err());
        assert_eq!(period_label(2026, 11), "nov. 2026");
    }
}
