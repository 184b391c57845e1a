//! Decisions. Stored once, final; only the date it was made known is added later (once).

use serde::Serialize;
use time::OffsetDateTime;
use vaern_domain::process::decision::Decision;

use crate::{DecisionId, StoreError, SubCaseId, TenantTx, UserId, now, on, utc};

/// A decision as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StoredDecision {
    pub id: DecisionId,
    pub sub_case_id: SubCaseId,
    pub legal_basis: String,
    pub outcome: String,
    pub content: String,
    pub reasoning: String,
    pub appeal_guidance: Option<String>,
    pub decided_at: OffsetDateTime,
    pub decided_by_name: Option<String>,
    pub made_known_at: Option<OffsetDateTime>,
}

const SELECT: &str = "select d.id, d.sub_case_id, d.legal_basis, d.outcome, d.content, d.reasoning, \
    d.appeal_guidance, d.decided_at, u.name as decided_by_name, d.made_known_at \
    from decisions d left join users u on u.id = d.decided_by";

/// Stores the decision of a sub-case; a second one is a `Conflict`.
pub async fn create(
    tx: &mut TenantTx,
    sub_case: SubCaseId,
    decision: &Decision,
    by: UserId,
) -> Result<StoredDecision, StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into decisions (id, municipality_id, sub_case_id, legal_basis, outcome, content, \
             reasoning, appeal_guidance, decided_at, decided_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(DecisionId::new()).bind(municipality).bind(sub_case).bind(decision.legal_basis)
        .bind(decision.outcome.code()).bind(&decision.content).bind(&decision.reasoning)
        .bind(&decision.appeal_guidance).bind(now()).bind(by)
        .execute(c).await?;
    });
    for_sub_case(tx, sub_case)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The decision of a sub-case, if made.
pub async fn for_sub_case(
    tx: &mut TenantTx,
    sub_case: SubCaseId,
) -> Result<Option<StoredDecision>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{SELECT} where d.municipality_id = $1 and d.sub_case_id = $2");
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(municipality).bind(sub_case).fetch_optional(c).await?),
    )
}

/// Records when the decision was made known to the party; `false` if already recorded.
pub async fn set_made_known(
    tx: &mut TenantTx,
    id: DecisionId,
    at: OffsetDateTime,
) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => {
        sqlx::query("update decisions set made_known_at = $3 where municipality_id = $1 and id = $2 and made_known_at is null")
            .bind(municipality).bind(id).bind(utc(at)).execute(c).await?.rows_affected()
    });
    Ok(changed == 1)
}
