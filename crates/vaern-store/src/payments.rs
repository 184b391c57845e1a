//! Monthly payment runs and their lines. A measure's lines for a month are numbered; the number
//! is unique, so two runs for the same month at once cannot both pay it.

use serde::Serialize;
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;

use crate::{
    MeasureId, PaymentLineId, PaymentRunId, ProviderId, StoreError, TenantTx, UserId, now, on,
};

/// A payment run.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PaymentRun {
    pub id: PaymentRunId,
    /// `YYYY-MM`.
    pub period: String,
    pub line_count: i32,
    pub total_ore: i64,
    pub created_at: OffsetDateTime,
    pub created_by_name: Option<String>,
}

/// A payment line with what the finance export needs.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PaymentLine {
    pub id: PaymentLineId,
    pub payment_run_id: PaymentRunId,
    pub measure_id: MeasureId,
    /// The child the measure is for (a line names the child's case, so showing it is logged).
    pub child_id: crate::ChildId,
    pub provider_id: ProviderId,
    pub provider_name: String,
    pub provider_cvr: Option<String>,
    pub case_number: String,
    pub period: String,
    pub seq: i32,
    /// `payment` or `correction`.
    pub kind: String,
    pub amount_ore: i64,
    pub account: String,
    pub text: String,
    pub created_at: OffsetDateTime,
}

/// A line to write.
pub struct NewLine<'a> {
    pub measure: MeasureId,
    pub provider: ProviderId,
    pub seq: i32,
    pub correction: bool,
    pub amount_ore: i64,
    pub account: &'a str,
    pub text: &'a str,
}

/// What has been paid per measure for `period` so far, and how many lines it took.
pub async fn paid_for_period(
    tx: &mut TenantTx,
    period: &str,
) -> Result<Vec<(MeasureId, i64, i32)>, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select measure_id, cast(sum(amount_ore) as bigint), cast(count(*) as integer) from payment_lines \
             where municipality_id = $1 and period = $2 group by measure_id",
        )
        .bind(municipality).bind(period).fetch_all(c).await?
    }))
}

/// Records a run with its lines. `Conflict` if another run wrote a line with the same number
/// for the same measure and month meanwhile.
pub async fn create_run(
    tx: &mut TenantTx,
    period: &str,
    lines: &[NewLine<'_>],
    by: UserId,
) -> Result<PaymentRunId, StoreError> {
    let municipality = tx.municipality();
    let id = PaymentRunId::new();
    let at = now();
    let total: i64 = lines.iter().map(|l| l.amount_ore).sum();
    let count = i32::try_from(lines.len()).unwrap_or(i32::MAX);
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into payment_runs (id, municipality_id, period, line_count, total_ore, \
             created_at, created_by) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id).bind(municipality).bind(period).bind(count).bind(total).bind(at).bind(by)
        .execute(c).await?;
    });
    // Many rows per statement: a large municipality's run is tens of thousands of lines.
    for chunk in lines.chunks(500) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 8 + 5;
                format!(
                    "(${b}, $1, $2, ${}, ${}, $3, ${}, ${}, ${}, ${}, ${}, $4)",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7
                )
            })
            .collect();
        let sql = format!(
            "insert into payment_lines (id, municipality_id, payment_run_id, measure_id, \
             provider_id, period, seq, kind, amount_ore, account, text, created_at) values {}",
            values.join(", ")
        );
        on!(&mut tx.tx, c => {
            let mut query = sqlx::query(AssertSqlSafe(sql))
                .bind(municipality).bind(id).bind(period).bind(at);
            for line in chunk {
                query = query
                    .bind(PaymentLineId::new()).bind(line.measure).bind(line.provider)
                    .bind(line.seq)
                    .bind(if line.correction { "correction" } else { "payment" })
                    .bind(line.amount_ore).bind(line.account).bind(line.text);
            }
            query.execute(c).await?;
        });
    }
    Ok(id)
}

/// The municipality's runs, newest first.
pub async fn runs(tx: &mut TenantTx) -> Result<Vec<PaymentRun>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{RUN} where r.municipality_id = $1 order by r.created_at desc, r.id");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).fetch_all(c).await?
    }))
}

/// One run.
pub async fn run(tx: &mut TenantTx, id: PaymentRunId) -> Result<PaymentRun, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{RUN} where r.municipality_id = $1 and r.id = $2");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?
    }))
}

const RUN: &str = "select r.id, r.period, r.line_count, r.total_ore, r.created_at, \
    u.name as created_by_name from payment_runs r left join users u on u.id = r.created_by";

/// A run's lines by provider and case.
pub async fn lines(tx: &mut TenantTx, run: PaymentRunId) -> Result<Vec<PaymentLine>, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select l.id, l.payment_run_id, l.measure_id, cc.child_id, l.provider_id, \
             p.name as provider_name, \
             p.cvr as provider_cvr, cc.case_number, l.period, l.seq, l.kind, l.amount_ore, \
             l.account, l.text, l.created_at from payment_lines l \
             join providers p on p.id = l.provider_id join measures m on m.id = l.measure_id \
             join child_cases cc on cc.id = m.child_case_id \
             where l.municipality_id = $1 and l.payment_run_id = $2 \
             order by p.name, cc.case_number, l.measure_id, l.seq",
        )
        .bind(municipality).bind(run).fetch_all(c).await?
    }))
}

/// What has been paid per month of `year` (months `YYYY-MM`), optionally for one case.
pub async fn paid_per_month(
    tx: &mut TenantTx,
    year: i32,
    case: Option<crate::ChildCaseId>,
) -> Result<Vec<(String, i64)>, StoreError> {
    let municipality = tx.municipality();
    let prefix = format!("{year:04}-%");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select l.period, cast(sum(l.amount_ore) as bigint) from payment_lines l \
             join measures m on m.id = l.measure_id where l.municipality_id = $1 \
             and l.period like $2 and ($3 is null or m.child_case_id = $3) \
             group by l.period order by l.period",
        )
        .bind(municipality).bind(prefix).bind(case).fetch_all(c).await?
    }))
}
