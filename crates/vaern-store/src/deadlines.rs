//! Deadline instances: one statutory rule applied to one sub-case (or step) with its due instant.
//! Whether a deadline is overdue is read against the clock, so no job is needed to show it.

use serde::Serialize;
use time::OffsetDateTime;
use vaern_domain::process::RuleId;

use crate::{
    ChildCaseId, ChildId, DeadlineId, StepId, StoreError, SubCaseId, TeamId, TenantTx, UserId, now,
    on, utc,
};

/// A deadline with what a list needs to show and link it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Deadline {
    pub id: DeadlineId,
    pub rule_id: String,
    pub sub_case_id: SubCaseId,
    pub sub_case_title: String,
    pub step_id: Option<StepId>,
    pub trigger_at: OffsetDateTime,
    pub due_at: OffsetDateTime,
    /// `open`, `met` or `cancelled`.
    pub status: String,
    pub child_id: ChildId,
    pub child_name: String,
    pub child_case_id: ChildCaseId,
    pub escalated_at: Option<OffsetDateTime>,
    /// What started the clock, in Danish (none on deadlines from before it was recorded).
    pub started_by: Option<String>,
}

impl Deadline {
    /// The rule, if the table still has it.
    pub fn rule(&self) -> Option<RuleId> {
        RuleId::parse(&self.rule_id)
    }

    /// Where the deadline stands at `now`: `open`, `overdue`, `met` or `cancelled`. Overdue is
    /// read against the clock, so nothing has to mark it.
    pub fn state(&self, now: OffsetDateTime) -> &'static str {
        match self.status.as_str() {
            "met" => "met",
            "cancelled" => "cancelled",
            _ if self.due_at < now => "overdue",
            _ => "open",
        }
    }
}

/// A deadline to create.
pub struct NewDeadline<'a> {
    pub case: ChildCaseId,
    pub sub_case: SubCaseId,
    pub step: Option<StepId>,
    pub rule_id: RuleId,
    pub trigger_at: OffsetDateTime,
    pub due_at: OffsetDateTime,
    /// What started the clock, in Danish.
    pub started_by: Option<&'a str>,
}

const DEADLINE_SELECT: &str = "select d.id, d.rule_id, d.sub_case_id, s.title as sub_case_title, \
    d.step_id, d.trigger_at, d.due_at, d.status, ch.id as child_id, \
    ch.first_name || ' ' || ch.last_name as child_name, d.child_case_id, d.escalated_at, \
    d.started_by \
    from deadlines d join sub_cases s on s.id = d.sub_case_id \
    join child_cases cc on cc.id = d.child_case_id join children ch on ch.id = cc.child_id";

pub async fn create(tx: &mut TenantTx, new: &NewDeadline<'_>) -> Result<DeadlineId, StoreError> {
    let id = DeadlineId::new();
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into deadlines (id, municipality_id, child_case_id, sub_case_id, step_id, rule_id, \
             trigger_at, due_at, status, created_at, started_by) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10)",
        )
        .bind(id).bind(municipality).bind(new.case).bind(new.sub_case).bind(new.step)
        .bind(new.rule_id.code()).bind(utc(new.trigger_at)).bind(utc(new.due_at)).bind(now())
        .bind(new.started_by)
        .execute(c).await?;
    });
    Ok(id)
}

/// Marks the open deadlines a step meets as met.
pub async fn meet_for_step(tx: &mut TenantTx, step: StepId) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "update deadlines set status = 'met', closed_at = $3 \
             where municipality_id = $1 and step_id = $2 and status = 'open'",
        )
        .bind(municipality).bind(step).bind(now()).execute(c).await?;
    });
    Ok(())
}

/// Marks the case's open deadlines of these rules as met (e.g. barnets plan approved).
pub async fn meet_rules_for_case(
    tx: &mut TenantTx,
    case: ChildCaseId,
    rules: &[RuleId],
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    for rule in rules.iter().map(|r| r.code()) {
        on!(&mut tx.tx, c => {
            sqlx::query(
                "update deadlines set status = 'met', closed_at = $4 \
                 where municipality_id = $1 and child_case_id = $2 and rule_id = $3 \
                 and status = 'open'",
            )
            .bind(municipality).bind(case).bind(rule).bind(now()).execute(c).await?;
        });
    }
    Ok(())
}

/// Brings the case's open deadlines of `rule` forward to `at` where they run out later: a duty
/// due "after 3 months, or when X happens if earlier" when X happens.
pub async fn bring_forward(
    tx: &mut TenantTx,
    case: ChildCaseId,
    rule: RuleId,
    at: OffsetDateTime,
) -> Result<u64, StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => {
        sqlx::query(
            "update deadlines set due_at = $4 \
             where municipality_id = $1 and child_case_id = $2 and rule_id = $3 \
             and status = 'open' and due_at > $4",
        )
        .bind(municipality).bind(case).bind(rule.code()).bind(utc(at)).execute(c).await?.rows_affected()
    });
    Ok(changed)
}

/// Cancels what is still open when a sub-case closes, except the deadlines of the rules in
/// `keep` (those that belong to the case, not the sub-case).
pub async fn cancel_for_sub_case(
    tx: &mut TenantTx,
    sub_case: SubCaseId,
    keep: &[RuleId],
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    // One placeholder per kept rule, after `''` so the list is never empty.
    let kept: Vec<String> = std::iter::once("''".to_owned())
        .chain((0..keep.len()).map(|i| format!("${}", i + 4)))
        .collect();
    let sql = format!(
        "update deadlines set status = 'cancelled', closed_at = $3 \
         where municipality_id = $1 and sub_case_id = $2 and status = 'open' \
         and rule_id not in ({})",
        kept.join(", ")
    );
    on!(&mut tx.tx, c => {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(municipality).bind(sub_case).bind(now());
        for rule in keep {
            query = query.bind(rule.code());
        }
        query.execute(c).await?;
    });
    Ok(())
}

/// The deadlines of one child's case, soonest first.
pub async fn for_case(tx: &mut TenantTx, case: ChildCaseId) -> Result<Vec<Deadline>, StoreError> {
    let municipality = tx.municipality();
    let sql = "where d.municipality_id = $1 and d.child_case_id = $2 order by d.due_at, d.id";
    let sql = format!("{DEADLINE_SELECT} {sql}");
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(municipality).bind(case).fetch_all(c).await?),
    )
}

/// Open deadlines due before `until` on the cases `caseworker` holds: Mit overblik's one list.
pub async fn open_for_caseworker(
    tx: &mut TenantTx,
    caseworker: UserId,
    until: OffsetDateTime,
) -> Result<Vec<Deadline>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{DEADLINE_SELECT} where d.municipality_id = $1 and cc.municipality_id = $1 and cc.caseworker_id = $2 \
         and d.status = 'open' and d.due_at <= $3 order by d.due_at, d.id limit 500"
    );
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(municipality).bind(caseworker).bind(utc(until)).fetch_all(c).await?
    }))
}

/// Open deadlines on a team's cases that are overdue at `now`: the team lead's escalations.
pub async fn overdue_for_team(
    tx: &mut TenantTx,
    team: TeamId,
    now: OffsetDateTime,
) -> Result<Vec<Deadline>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{DEADLINE_SELECT} where d.municipality_id = $1 and cc.municipality_id = $1 and cc.team_id = $2 \
         and d.status = 'open' and d.due_at < $3 order by d.due_at, d.id limit 500"
    );
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(municipality).bind(team).bind(utc(now)).fetch_all(c).await?
    }))
}

/// The most deadlines one escalation scan returns.
pub const SCAN_LIMIT: usize = 1000;

/// Open deadlines of the given rules that are overdue at `now` and not yet escalated, oldest
/// first, at most [`SCAN_LIMIT`].
pub async fn overdue_unescalated(
    tx: &mut TenantTx,
    rule_ids: &[&str],
    now: OffsetDateTime,
) -> Result<Vec<Deadline>, StoreError> {
    if rule_ids.is_empty() {
        return Ok(Vec::new());
    }
    let municipality = tx.municipality();
    // Placeholders only ($3, $4, …); the ids themselves are bound.
    let placeholders: Vec<String> = (0..rule_ids.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "{DEADLINE_SELECT} where d.municipality_id = $1 and d.status = 'open' and d.due_at < $2 \
         and d.escalated_at is null and d.rule_id in ({}) order by d.due_at, d.id limit {SCAN_LIMIT}",
        placeholders.join(", ")
    );
    Ok(on!(&mut tx.tx, c => {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(municipality).bind(utc(now));
        for id in rule_ids {
            query = query.bind(*id);
        }
        query.fetch_all(c).await?
    }))
}

/// Marks a deadline escalated; `false` if another run got there first.
pub async fn mark_escalated(tx: &mut TenantTx, id: DeadlineId) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => {
        sqlx::query("update deadlines set escalated_at = $3 where municipality_id = $1 and id = $2 and escalated_at is null")
            .bind(municipality).bind(id).bind(now()).execute(c).await?.rows_affected()
    });
    Ok(changed == 1)
}
