//! Underretninger: the notification itself and its 24-hour assessment. The assessment is recorded
//! once (a conditional update), never overwritten.

use serde::Serialize;
use time::OffsetDateTime;
use vaern_domain::process::notification::{Assessment, NewNotification};

use crate::{
    ChildCaseId, ChildId, NotificationId, StoreError, SubCaseId, TenantTx, UserId, now, on, utc,
};

/// An underretning as stored, with the child and the assessor's name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: NotificationId,
    /// `underretning`, `henvendelse` or `ansoegning`.
    pub intake: String,
    pub sub_case_id: SubCaseId,
    pub received_at: OffsetDateTime,
    pub channel: String,
    pub notifier_kind: String,
    pub notifier_name: Option<String>,
    pub notifier_organisation: Option<String>,
    pub notifier_contact: Option<String>,
    /// Comma-separated concern codes.
    pub concerns: String,
    pub body: String,
    pub assessed_at: Option<OffsetDateTime>,
    pub assessed_by_name: Option<String>,
    pub risk: Option<bool>,
    pub immediate_action: Option<bool>,
    pub assessment_reasoning: Option<String>,
    pub child_id: ChildId,
    pub child_name: String,
    /// The 24-hour assessment's deadline, as started when the underretning was registered.
    pub assessment_due_at: Option<OffsetDateTime>,
}

const NOTIFICATION_SELECT: &str = "select n.id, n.intake, n.sub_case_id, n.received_at, n.channel, \
    n.notifier_kind, n.notifier_name, n.notifier_organisation, n.notifier_contact, n.concerns, n.body, \
    n.assessed_at, a.name as assessed_by_name, n.risk, n.immediate_action, n.assessment_reasoning, \
    ch.id as child_id, ch.first_name || ' ' || ch.last_name as child_name, \
    (select d.due_at from deadlines d where d.sub_case_id = n.sub_case_id \
     and d.rule_id = 'underretning.vurdering_24t' order by d.due_at limit 1) as assessment_due_at \
    from notifications n join sub_cases s on s.id = n.sub_case_id \
    join child_cases cc on cc.id = s.child_case_id join children ch on ch.id = cc.child_id \
    left join users a on a.id = n.assessed_by";

pub async fn create(
    tx: &mut TenantTx,
    sub_case: SubCaseId,
    new: &NewNotification,
) -> Result<Notification, StoreError> {
    let id = NotificationId::new();
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into notifications (id, municipality_id, sub_case_id, received_at, channel, \
             notifier_kind, notifier_name, notifier_organisation, notifier_contact, concerns, body, \
             created_at, intake) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id).bind(municipality).bind(sub_case).bind(utc(new.received_at)).bind(&new.channel)
        .bind(new.notifier_kind.code()).bind(&new.notifier_name).bind(&new.notifier_organisation)
        .bind(&new.notifier_contact).bind(new.concerns.join(",")).bind(&new.text).bind(now())
        .bind(new.intake.code())
        .execute(c).await?;
    });
    get(tx, id).await
}

pub async fn get(tx: &mut TenantTx, id: NotificationId) -> Result<Notification, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{NOTIFICATION_SELECT} where n.municipality_id = $1 and n.id = $2");
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?),
    )
}

/// The underretning of a sub-case, if it has one.
pub async fn for_sub_case(
    tx: &mut TenantTx,
    sub_case: SubCaseId,
) -> Result<Option<Notification>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{NOTIFICATION_SELECT} where n.municipality_id = $1 and n.sub_case_id = $2");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(municipality).bind(sub_case).fetch_optional(c).await?
    }))
}

/// The case's underretninger, henvendelser and ansøgninger, newest first.
pub async fn for_case(
    tx: &mut TenantTx,
    case: ChildCaseId,
) -> Result<Vec<Notification>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{NOTIFICATION_SELECT} where n.municipality_id = $1 and s.child_case_id = $2 \
         order by n.received_at desc, n.id"
    );
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(municipality).bind(case).fetch_all(c).await?
    }))
}

/// Records the assessment once. `false` if someone already recorded it.
pub async fn record_assessment(
    tx: &mut TenantTx,
    id: NotificationId,
    by: UserId,
    assessment: &Assessment,
) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => {
        sqlx::query(
            "update notifications set assessed_at = $3, assessed_by = $4, risk = $5, \
             immediate_action = $6, assessment_reasoning = $7 \
             where municipality_id = $1 and id = $2 and assessed_at is null",
        )
        .bind(municipality).bind(id).bind(now()).bind(by).bind(assessment.risk)
        .bind(assessment.immediate_action).bind(&assessment.reasoning)
        .execute(c).await?.rows_affected()
    });
    Ok(changed == 1)
}

/// Underretninger on `caseworker`'s cases still awaiting the 24-hour assessment, oldest first.
pub async fn awaiting_assessment(
    tx: &mut TenantTx,
    caseworker: UserId,
) -> Result<Vec<Notification>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{NOTIFICATION_SELECT} where n.municipality_id = $1 and cc.municipality_id = $1 and cc.caseworker_id = $2 \
         and n.intake = 'underretning' and n.assessed_at is null and s.status = 'open' order by n.received_at, n.id limit 200"
    );
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(municipality).bind(caseworker).fetch_all(c).await?
    }))
}
