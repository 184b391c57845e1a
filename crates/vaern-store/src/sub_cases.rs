//! Sub-cases (delsager) and their steps. Finishing a step and closing a sub-case are conditional
//! updates: two people finishing the same step at once cannot both succeed.

use serde::Serialize;
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;

use crate::{ChildCaseId, StepId, StoreError, SubCaseId, TenantTx, UserId, now, on, utc};

/// A step as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Step {
    pub id: StepId,
    pub sub_case_id: SubCaseId,
    pub code: String,
    pub position: i32,
    pub required: bool,
    /// `pending`, `done` or `skipped`.
    pub status: String,
    pub note: Option<String>,
    pub finished_at: Option<OffsetDateTime>,
    pub finished_by_name: Option<String>,
}

/// A sub-case with its steps in order.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SubCase {
    pub id: SubCaseId,
    pub child_case_id: ChildCaseId,
    pub kind: String,
    pub title: String,
    /// `open` or `closed`.
    pub status: String,
    pub opened_at: OffsetDateTime,
    pub opened_by_name: Option<String>,
    pub closed_at: Option<OffsetDateTime>,
    pub close_reason: Option<String>,
    #[sqlx(skip)]
    pub steps: Vec<Step>,
}

impl SubCase {
    /// The first step still pending: the next thing to do.
    pub fn next_step(&self) -> Option<&Step> {
        self.steps.iter().find(|s| s.status == "pending")
    }
}

/// A step to create.
pub struct NewStep<'a> {
    pub code: &'a str,
    pub required: bool,
}

const SUB_CASE_SELECT: &str = "select s.id, s.child_case_id, s.kind, s.title, s.status, s.opened_at, \
    o.name as opened_by_name, s.closed_at, s.close_reason \
    from sub_cases s left join users o on o.id = s.opened_by";
const STEP_SELECT: &str = "select t.id, t.sub_case_id, t.code, t.position, t.required, t.status, \
    t.note, t.finished_at, u.name as finished_by_name \
    from steps t left join users u on u.id = t.finished_by";

/// Opens a sub-case with its steps (in the order given); `opened_by` is `None` when Værn opens
/// it itself (a move reported by CPR).
pub async fn open(
    tx: &mut TenantTx,
    case: ChildCaseId,
    kind: &str,
    title: &str,
    opened_at: OffsetDateTime,
    opened_by: Option<UserId>,
    steps: &[NewStep<'_>],
) -> Result<SubCase, StoreError> {
    let id = SubCaseId::new();
    let municipality = tx.municipality();
    let at = now();
    on!(&mut tx.tx, c => {
        let inserted = sqlx::query(
            "insert into sub_cases (id, municipality_id, child_case_id, kind, title, status, opened_at, \
             opened_by, created_at, updated_at) \
             select $1, $2, cc.id, $4, $5, 'open', $6, $7, $8, $8 from child_cases cc \
             where cc.municipality_id = $2 and cc.id = $3",
        )
        .bind(id).bind(municipality).bind(case).bind(kind).bind(title).bind(utc(opened_at))
        .bind(opened_by).bind(at)
        .execute(&mut *c).await?.rows_affected();
        if inserted == 0 {
            return Err(StoreError::NotFound);
        }
        crate::count_queries(steps.len() as u64);
        for (position, step) in steps.iter().enumerate() {
            sqlx::query(
                "insert into steps (id, municipality_id, sub_case_id, code, position, required, status) \
                 values ($1, $2, $3, $4, $5, $6, 'pending')",
            )
            .bind(StepId::new()).bind(municipality).bind(id).bind(step.code)
            .bind(position as i32).bind(step.required)
            .execute(&mut *c).await?;
        }
    });
    get(tx, id).await
}

/// One sub-case of the municipality with its steps.
pub async fn get(tx: &mut TenantTx, id: SubCaseId) -> Result<SubCase, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{SUB_CASE_SELECT} where s.municipality_id = $1 and s.id = $2");
    let steps_sql = format!(
        "{STEP_SELECT} where t.municipality_id = $1 and t.sub_case_id = $2 order by t.position"
    );
    crate::count_queries(1);
    let (mut sub_case, steps): (SubCase, Vec<Step>) = on!(&mut tx.tx, c => {
        let sub_case = sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(&mut *c).await?;
        let steps = sqlx::query_as(AssertSqlSafe(steps_sql)).bind(municipality).bind(id).fetch_all(&mut *c).await?;
        (sub_case, steps)
    });
    sub_case.steps = steps;
    Ok(sub_case)
}

/// All sub-cases of a child's case, newest first, each with its steps (two queries in all).
pub async fn for_case(tx: &mut TenantTx, case: ChildCaseId) -> Result<Vec<SubCase>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{SUB_CASE_SELECT} where s.municipality_id = $1 and s.child_case_id = $2 order by s.opened_at desc, s.id"
    );
    let steps_sql = format!(
        "{STEP_SELECT} join sub_cases s on s.id = t.sub_case_id \
         where t.municipality_id = $1 and s.child_case_id = $2 order by t.position"
    );
    crate::count_queries(1);
    let (mut sub_cases, steps): (Vec<SubCase>, Vec<Step>) = on!(&mut tx.tx, c => {
        let sub_cases = sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(case).fetch_all(&mut *c).await?;
        let steps = sqlx::query_as(AssertSqlSafe(steps_sql)).bind(municipality).bind(case).fetch_all(&mut *c).await?;
        (sub_cases, steps)
    });
    for step in steps {
        if let Some(sub_case) = sub_cases.iter_mut().find(|s| s.id == step.sub_case_id) {
            sub_case.steps.push(step);
        }
    }
    Ok(sub_cases)
}

/// Marks a pending step `done` or `skipped`. `false` if it was no longer pending (someone else
/// finished it first) — the caller tells the user instead of overwriting.
pub async fn finish_step(
    tx: &mut TenantTx,
    step: StepId,
    status: &str,
    note: Option<&str>,
    by: UserId,
) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => {
        sqlx::query(
            "update steps set status = $3, note = $4, finished_at = $5, finished_by = $6 \
             where municipality_id = $1 and id = $2 and status = 'pending'",
        )
        .bind(municipality).bind(step).bind(status).bind(note).bind(now()).bind(by)
        .execute(c).await?.rows_affected()
    });
    Ok(changed == 1)
}

/// Closes an open sub-case. `false` if it was already closed.
pub async fn close(
    tx: &mut TenantTx,
    id: SubCaseId,
    by: UserId,
    reason: &str,
) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let at = now();
    let changed = on!(&mut tx.tx, c => {
        sqlx::query(
            "update sub_cases set status = 'closed', closed_at = $3, closed_by = $4, close_reason = $5, \
             updated_at = $3 where municipality_id = $1 and id = $2 and status = 'open'",
        )
        .bind(municipality).bind(id).bind(at).bind(by).bind(reason)
        .execute(c).await?.rows_affected()
    });
    Ok(changed == 1)
}

/// The open sub-cases (with steps) on cases `caseworker` holds, oldest first: for each case's
/// next step in Mit overblik. Two queries in all.
pub async fn open_for_caseworker(
    tx: &mut TenantTx,
    caseworker: UserId,
) -> Result<Vec<SubCase>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{SUB_CASE_SELECT} join child_cases cc on cc.id = s.child_case_id \
         where s.municipality_id = $1 and cc.municipality_id = $1 and cc.caseworker_id = $2 and s.status = 'open' \
         order by s.opened_at, s.id limit 1000"
    );
    let steps_sql = format!(
        "{STEP_SELECT} join sub_cases s on s.id = t.sub_case_id join child_cases cc on cc.id = s.child_case_id \
         where t.municipality_id = $1 and cc.municipality_id = $1 and cc.caseworker_id = $2 and s.status = 'open' and t.status = 'pending' \
         order by t.position"
    );
    crate::count_queries(1);
    let (mut sub_cases, steps): (Vec<SubCase>, Vec<Step>) = on!(&mut tx.tx, c => {
        let sub_cases = sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(caseworker).fetch_all(&mut *c).await?;
        let steps = sqlx::query_as(AssertSqlSafe(steps_sql)).bind(municipality).bind(caseworker).fetch_all(&mut *c).await?;
        (sub_cases, steps)
    });
    for step in steps {
        if let Some(sub_case) = sub_cases.iter_mut().find(|s| s.id == step.sub_case_id) {
            sub_case.steps.push(step);
        }
    }
    Ok(sub_cases)
}
