//! Barnets plan in versions (draft → approved; an approved version is never changed, a new
//! version is made), its goals, and the follow-ups that score them.

use serde::Serialize;
use sqlx::AssertSqlSafe;
use time::{Date, OffsetDateTime};
use vaern_domain::ics::{FollowUp, Goal};

use crate::{
    ChildCaseId, FollowUpId, GoalId, GoalKey, InvestigationId, PlanId, StoreError, TenantTx,
    UserId, now, on,
};

/// One version of barnets plan.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Plan {
    pub id: PlanId,
    pub child_case_id: ChildCaseId,
    pub version: i32,
    /// `draft` or `approved`.
    pub status: String,
    pub investigation_id: Option<InvestigationId>,
    pub created_at: OffsetDateTime,
    pub created_by_name: Option<String>,
    pub approved_at: Option<OffsetDateTime>,
    pub approved_by_name: Option<String>,
}

/// A goal of one plan version.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StoredGoal {
    pub id: GoalId,
    pub goal_key: GoalKey,
    pub position: i32,
    pub dimension: String,
    pub wording: String,
    pub measures: Option<String>,
    pub target_date: Date,
}

const PLAN: &str = "select p.id, p.child_case_id, p.version, p.status, p.investigation_id, \
    p.created_at, c.name as created_by_name, p.approved_at, a.name as approved_by_name \
    from plans p left join users c on c.id = p.created_by left join users a on a.id = p.approved_by";

/// Makes the next version of the case's plan, as a draft with these goals (each with the key it
/// keeps across versions). `NotFound` if the case, or the investigation it is made from, is not
/// the case's.
pub async fn create(
    tx: &mut TenantTx,
    case: ChildCaseId,
    investigation: Option<InvestigationId>,
    goals: &[(GoalKey, Goal)],
    by: UserId,
) -> Result<Plan, StoreError> {
    let municipality = tx.municipality();
    let id = PlanId::new();
    let inserted = on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into plans (id, municipality_id, child_case_id, version, status, \
             investigation_id, created_at, created_by) select $1, $2, cc.id, \
             coalesce((select max(version) from plans where child_case_id = cc.id), 0) + 1, \
             'draft', $4, $5, $6 from child_cases cc where cc.municipality_id = $2 and cc.id = $3 \
             and ($4 is null or exists (select 1 from investigations i where i.id = $4 \
             and i.child_case_id = cc.id))",
        )
        .bind(id).bind(municipality).bind(case).bind(investigation).bind(now()).bind(by)
        .execute(c).await?.rows_affected()
    });
    if inserted == 0 {
        return Err(StoreError::NotFound);
    }
    insert_goals(tx, id, goals).await?;
    get(tx, id).await
}

async fn insert_goals(
    tx: &mut TenantTx,
    plan: PlanId,
    goals: &[(GoalKey, Goal)],
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    crate::count_queries(goals.len().saturating_sub(1) as u64);
    on!(&mut tx.tx, c => {
        for (position, (key, goal)) in goals.iter().enumerate() {
            sqlx::query(
                "insert into plan_goals (id, municipality_id, plan_id, goal_key, position, \
                 dimension, wording, measures, target_date) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(GoalId::new()).bind(municipality).bind(plan).bind(key).bind(position as i32)
            .bind(goal.dimension.code()).bind(&goal.wording).bind(&goal.measures)
            .bind(goal.target_date)
            .execute(&mut *c).await?;
        }
    });
    Ok(())
}

/// Replaces a draft's goals; false (nothing changed) if the version is approved.
pub async fn replace_goals(
    tx: &mut TenantTx,
    plan: PlanId,
    goals: &[(GoalKey, Goal)],
) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let draft = on!(&mut tx.tx, c => {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from plans where municipality_id = $1 and id = $2 and status = 'draft'",
        )
        .bind(municipality).bind(plan).fetch_one(c).await?
    });
    if draft == 0 {
        return Ok(false);
    }
    on!(&mut tx.tx, c => {
        sqlx::query("delete from plan_goals where municipality_id = $1 and plan_id = $2")
            .bind(municipality).bind(plan).execute(c).await?;
    });
    insert_goals(tx, plan, goals).await?;
    Ok(true)
}

/// Approves a draft; false if it was approved already.
pub async fn approve(tx: &mut TenantTx, plan: PlanId, by: UserId) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => {
        sqlx::query(
            "update plans set status = 'approved', approved_at = $3, approved_by = $4 \
             where municipality_id = $1 and id = $2 and status = 'draft'",
        )
        .bind(municipality).bind(plan).bind(now()).bind(by)
        .execute(c).await?.rows_affected()
    });
    Ok(changed == 1)
}

/// One plan version of the municipality.
pub async fn get(tx: &mut TenantTx, plan: PlanId) -> Result<Plan, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{PLAN} where p.municipality_id = $1 and p.id = $2");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(plan).fetch_one(c).await?
    }))
}

/// The case's plan versions, newest first.
pub async fn for_case(tx: &mut TenantTx, case: ChildCaseId) -> Result<Vec<Plan>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{PLAN} where p.municipality_id = $1 and p.child_case_id = $2 order by p.version desc"
    );
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(case).fetch_all(c).await?
    }))
}

/// A plan version's goals in order.
pub async fn goals(tx: &mut TenantTx, plan: PlanId) -> Result<Vec<StoredGoal>, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select id, goal_key, position, dimension, wording, measures, target_date \
             from plan_goals where municipality_id = $1 and plan_id = $2 order by position",
        )
        .bind(municipality).bind(plan).fetch_all(c).await?
    }))
}

/// Every goal of every version of the case's plan, oldest version first, each in order.
pub async fn goals_for_case(
    tx: &mut TenantTx,
    case: ChildCaseId,
) -> Result<Vec<(PlanId, StoredGoal)>, StoreError> {
    let municipality = tx.municipality();
    let rows: Vec<GoalRow> = on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select g.plan_id, g.id, g.goal_key, g.position, g.dimension, g.wording, g.measures, \
             g.target_date from plan_goals g join plans p on p.id = g.plan_id \
             where g.municipality_id = $1 and p.child_case_id = $2 \
             order by p.version, g.position",
        )
        .bind(municipality).bind(case).fetch_all(c).await?
    });
    Ok(rows.into_iter().map(|r| (r.plan_id, r.goal)).collect())
}

#[derive(sqlx::FromRow)]
struct GoalRow {
    plan_id: PlanId,
    #[sqlx(flatten)]
    goal: StoredGoal,
}

/// A follow-up as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StoredFollowUp {
    pub id: FollowUpId,
    pub plan_id: PlanId,
    pub held_on: Date,
    pub child_view: Option<String>,
    pub parents_view: Option<String>,
    /// `continue`, `adjust` or `stop`.
    pub decision: String,
    pub next_date: Date,
    pub next_reason: String,
    pub created_at: OffsetDateTime,
    pub created_by_name: Option<String>,
}

/// A goal's score at a follow-up.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Score {
    pub follow_up_id: FollowUpId,
    pub goal_key: GoalKey,
    pub score: i32,
}

/// Records a follow-up of an approved plan version with a score per goal.
pub async fn add_follow_up(
    tx: &mut TenantTx,
    case: ChildCaseId,
    plan: PlanId,
    held_on: Date,
    follow_up: &FollowUp,
    scores: &[(GoalKey, u8)],
    by: UserId,
) -> Result<FollowUpId, StoreError> {
    let municipality = tx.municipality();
    let id = FollowUpId::new();
    let inserted = on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into follow_ups (id, municipality_id, child_case_id, plan_id, held_on, \
             child_view, parents_view, decision, next_date, next_reason, created_at, created_by) \
             select $1, $2, p.child_case_id, p.id, $5, $6, $7, $8, $9, $10, $11, $12 from plans p \
             where p.municipality_id = $2 and p.child_case_id = $3 and p.id = $4",
        )
        .bind(id).bind(municipality).bind(case).bind(plan).bind(held_on)
        .bind(&follow_up.child_view).bind(&follow_up.parents_view)
        .bind(follow_up.decision.code()).bind(follow_up.next_date).bind(&follow_up.next_reason)
        .bind(now()).bind(by)
        .execute(c).await?.rows_affected()
    });
    if inserted == 0 {
        return Err(StoreError::NotFound);
    }
    crate::count_queries(scores.len().saturating_sub(1) as u64);
    on!(&mut tx.tx, c => {
        for (key, score) in scores {
            sqlx::query(
                "insert into follow_up_scores (follow_up_id, municipality_id, goal_key, score) \
                 values ($1, $2, $3, $4)",
            )
            .bind(id).bind(municipality).bind(key).bind(i32::from(*score))
            .execute(&mut *c).await?;
        }
    });
    Ok(id)
}

/// The case's follow-ups, oldest first, and all their scores.
pub async fn follow_ups(
    tx: &mut TenantTx,
    case: ChildCaseId,
) -> Result<(Vec<StoredFollowUp>, Vec<Score>), StoreError> {
    let municipality = tx.municipality();
    let follow_ups = on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select f.id, f.plan_id, f.held_on, f.child_view, f.parents_view, f.decision, \
             f.next_date, f.next_reason, f.created_at, u.name as created_by_name \
             from follow_ups f left join users u on u.id = f.created_by \
             where f.municipality_id = $1 and f.child_case_id = $2 \
             order by f.held_on, f.created_at, f.id",
        )
        .bind(municipality).bind(case).fetch_all(c).await?
    });
    let scores = on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select s.follow_up_id, s.goal_key, s.score from follow_up_scores s \
             join follow_ups f on f.id = s.follow_up_id \
             where s.municipality_id = $1 and f.child_case_id = $2",
        )
        .bind(municipality).bind(case).fetch_all(c).await?
    });
    Ok((follow_ups, scores))
}
