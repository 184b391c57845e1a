//! The municipality's kompetenceplan threshold and its budget per area and year.

use serde::Serialize;

use crate::{StoreError, TenantTx, UserId, now, on};

/// The cost in a measure's first year above which a team lead approves; `None` when the
/// municipality has not set one.
pub async fn approval_threshold(tx: &mut TenantTx) -> Result<Option<i64>, StoreError> {
    let municipality = tx.municipality();
    let threshold: Option<Option<i64>> = on!(&mut tx.tx, c => {
        sqlx::query_scalar(
            "select approval_threshold_ore from economy_settings where municipality_id = $1",
        )
        .bind(municipality).fetch_optional(c).await?
    });
    Ok(threshold.flatten())
}

/// Sets the threshold.
pub async fn set_approval_threshold(
    tx: &mut TenantTx,
    threshold_ore: i64,
    by: UserId,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into economy_settings (municipality_id, approval_threshold_ore, updated_at, \
             updated_by) values ($1, $2, $3, $4) on conflict (municipality_id) do update set \
             approval_threshold_ore = excluded.approval_threshold_ore, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(municipality).bind(threshold_ore).bind(now()).bind(by)
        .execute(c).await?;
    });
    Ok(())
}

/// A budget for one area in one year.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Budget {
    pub year: i32,
    pub measure_group: String,
    pub amount_ore: i64,
}

/// The year's budgets.
pub async fn for_year(tx: &mut TenantTx, year: i32) -> Result<Vec<Budget>, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select year, measure_group, amount_ore from budgets where municipality_id = $1 \
             and year = $2 order by measure_group",
        )
        .bind(municipality).bind(year).fetch_all(c).await?
    }))
}

/// Sets the budget of one area in one year.
pub async fn set(
    tx: &mut TenantTx,
    year: i32,
    group: &str,
    amount_ore: i64,
    by: UserId,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into budgets (municipality_id, year, measure_group, amount_ore, updated_at, \
             updated_by) values ($1, $2, $3, $4, $5, $6) on conflict (municipality_id, year, \
             measure_group) do update set amount_ore = excluded.amount_ore, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(municipality).bind(year).bind(group).bind(amount_ore).bind(now()).bind(by)
        .execute(c).await?;
    });
    Ok(())
}
