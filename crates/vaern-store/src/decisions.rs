//! Decisions. Stored once, final; only how and when it was made known is added later (once).

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
    /// `administration` or `committee` (børne- og ungeudvalget).
    pub decided_by_body: String,
    /// When the decision counts as received by the party (starts the appeal deadline).
    pub made_known_at: Option<OffsetDateTime>,
    /// `digital_post`, `letter` or `in_person`; none on decisions recorded before the channel was.
    pub made_known_channel: Option<String>,
    /// When it was sent (or handed over).
    pub sent_at: Option<OffsetDateTime>,
}

/// How a decision was made known.
pub struct MadeKnown {
    pub channel: &'static str,
    pub sent_at: OffsetDateTime,
    pub received_at: OffsetDateTime,
}

const SELECT: &str = "select d.id, d.sub_case_id, d.legal_basis, d.outcome, d.content, d.reasoning, \
    d.appeal_guidance, d.decided_at, u.name as decided_by_name, d.decided_by_body, d.made_known_at, \
    d.made_known_channel, d.sent_at \
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
             reasoning, appeal_guidance, decided_at, decided_by, decided_by_body) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(DecisionId::new()).bind(municipality).bind(sub_case).bind(decision.legal_basis)
        .bind(decision.outcome.code()).bind(&decision.content).bind(&decision.reasoning)
        .bind(&decision.appeal_guidance).bind(now()).bind(by).bind(decision.decided_by.code())
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

/// Records how and when the decision was made known to the party; `false` if already recorded.
pub async fn set_made_known(
    tx: &mut TenantTx,
    id: DecisionId,
    known: &MadeKnown,
) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => {
        sqlx::query(
            "update decisions set made_known_at = $3, made_known_channel = $4, sent_at = $5 \
             where municipality_id = $1 and id = $2 and made_known_at is null",
        )
        .bind(municipality).bind(id).bind(utc(known.received_at)).bind(known.channel)
        .bind(utc(known.sent_at)).execute(c).await?.rows_affected()
    });
    Ok(changed == 1)
}
