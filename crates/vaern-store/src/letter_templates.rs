//! A municipality's own wording of its letter templates. Each save is a new version; the
//! newest one is in use, and without any the standard wording Værn ships applies.

use serde::Serialize;
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;

use crate::{LetterTemplateId, StoreError, TenantTx, UserId, now, on};

/// One saved version of a template.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StoredTemplate {
    pub id: LetterTemplateId,
    pub template_key: String,
    pub version: i32,
    pub title: String,
    pub body: String,
    pub created_at: OffsetDateTime,
    pub created_by_name: Option<String>,
}

const SELECT: &str = "select t.id, t.template_key, t.version, t.title, t.body, t.created_at, \
    u.name as created_by_name from letter_templates t left join users u on u.id = t.created_by";

/// Saves a new version of the template as the one in use. Two saves racing for the same
/// version number: the second is a `Conflict`.
pub async fn save(
    tx: &mut TenantTx,
    key: &str,
    title: &str,
    body: &str,
    by: UserId,
) -> Result<StoredTemplate, StoreError> {
    let municipality = tx.municipality();
    let id = LetterTemplateId::new();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into letter_templates (id, municipality_id, template_key, version, title, body, \
             created_at, created_by) select $1, $2, $3, coalesce(max(version), 0) + 1, $4, $5, $6, $7 \
             from letter_templates where municipality_id = $2 and template_key = $3",
        )
        .bind(id).bind(municipality).bind(key).bind(title).bind(body).bind(now()).bind(by)
        .execute(c).await?;
    });
    let sql = format!("{SELECT} where t.municipality_id = $1 and t.id = $2");
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?),
    )
}

/// The version in use of each template the municipality has changed.
pub async fn current(tx: &mut TenantTx) -> Result<Vec<StoredTemplate>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{SELECT} where t.municipality_id = $1 and t.version = (select max(l.version) \
         from letter_templates l where l.municipality_id = t.municipality_id \
         and l.template_key = t.template_key) order by t.template_key"
    );
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).fetch_all(c).await?),
    )
}

/// Every saved version of one template, newest first.
pub async fn history(tx: &mut TenantTx, key: &str) -> Result<Vec<StoredTemplate>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{SELECT} where t.municipality_id = $1 and t.template_key = $2 order by t.version desc"
    );
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(key).fetch_all(c).await?),
    )
}

/// The version in use of one template, if the municipality has changed it.
pub async fn in_use(tx: &mut TenantTx, key: &str) -> Result<Option<StoredTemplate>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{SELECT} where t.municipality_id = $1 and t.template_key = $2 order by t.version desc limit 1"
    );
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(key).fetch_optional(c).await?),
    )
}
