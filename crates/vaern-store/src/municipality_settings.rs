//! A municipality's calendar settings and local deadline standards. Changes are recorded in the
//! user-administration log by the app, in the same transaction.

use serde::Serialize;
use time::Date;
use vaern_domain::{
    calendar::ClosedDays,
    process::{LocalStandard, Offset, RuleId},
};

use crate::{StoreError, TenantTx, now, on};

#[derive(sqlx::FromRow)]
struct CalendarRow {
    grundlovsdag: bool,
    juleaftensdag: bool,
    nytaarsaftensdag: bool,
}

/// One of the municipality's own closed days.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ClosedDay {
    pub day: Date,
    pub reason: String,
}

/// The municipality's closed days; the common default where nothing is set.
pub async fn closed_days(tx: &mut TenantTx) -> Result<ClosedDays, StoreError> {
    let municipality = tx.municipality();
    crate::count_queries(1);
    let (row, extra): (Option<CalendarRow>, Vec<ClosedDay>) = on!(&mut tx.tx, c => {
        let row = sqlx::query_as(
            "select grundlovsdag, juleaftensdag, nytaarsaftensdag from municipality_calendars \
             where municipality_id = $1",
        )
        .bind(municipality).fetch_optional(&mut *c).await?;
        let extra = sqlx::query_as("select day, reason from closed_days where municipality_id = $1 order by day")
            .bind(municipality).fetch_all(&mut *c).await?;
        (row, extra)
    });
    let defaults = ClosedDays::default();
    Ok(ClosedDays {
        grundlovsdag: row
            .as_ref()
            .map_or(defaults.grundlovsdag, |r| r.grundlovsdag),
        juleaftensdag: row
            .as_ref()
            .map_or(defaults.juleaftensdag, |r| r.juleaftensdag),
        nytaarsaftensdag: row
            .as_ref()
            .map_or(defaults.nytaarsaftensdag, |r| r.nytaarsaftensdag),
        extra: extra.into_iter().map(|d| d.day).collect(),
    })
}

/// The municipality's own closed days with their reasons.
pub async fn extra_closed_days(tx: &mut TenantTx) -> Result<Vec<ClosedDay>, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as("select day, reason from closed_days where municipality_id = $1 order by day")
            .bind(municipality).fetch_all(c).await?
    }))
}

/// Sets which customary days the municipality keeps closed.
pub async fn set_customary_days(
    tx: &mut TenantTx,
    grundlovsdag: bool,
    juleaftensdag: bool,
    nytaarsaftensdag: bool,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into municipality_calendars (municipality_id, grundlovsdag, juleaftensdag, \
             nytaarsaftensdag, updated_at) values ($1, $2, $3, $4, $5) \
             on conflict (municipality_id) do update set grundlovsdag = excluded.grundlovsdag, \
             juleaftensdag = excluded.juleaftensdag, nytaarsaftensdag = excluded.nytaarsaftensdag, \
             updated_at = excluded.updated_at",
        )
        .bind(municipality).bind(grundlovsdag).bind(juleaftensdag).bind(nytaarsaftensdag).bind(now())
        .execute(c).await?;
    });
    Ok(())
}

/// Adds a closed day; a day already closed is a `Conflict`.
pub async fn add_closed_day(tx: &mut TenantTx, day: Date, reason: &str) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query("insert into closed_days (id, municipality_id, day, reason, created_at) values ($1, $2, $3, $4, $5)")
            .bind(uuid::Uuid::new_v4()).bind(municipality).bind(day).bind(reason).bind(now())
            .execute(c).await?;
    });
    Ok(())
}

/// Removes a closed day; `false` if it was not closed.
pub async fn remove_closed_day(tx: &mut TenantTx, day: Date) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let removed = on!(&mut tx.tx, c => {
        sqlx::query("delete from closed_days where municipality_id = $1 and day = $2")
            .bind(municipality).bind(day).execute(c).await?.rows_affected()
    });
    Ok(removed == 1)
}

#[derive(sqlx::FromRow)]
struct LocalRow {
    rule_id: String,
    unit: String,
    amount: i32,
    description: String,
}

/// The municipality's local standards.
pub async fn local_standards(tx: &mut TenantTx) -> Result<Vec<LocalStandard>, StoreError> {
    let municipality = tx.municipality();
    let rows: Vec<LocalRow> = on!(&mut tx.tx, c => {
        sqlx::query_as("select rule_id, unit, amount, description from local_deadline_rules where municipality_id = $1 order by rule_id")
            .bind(municipality).fetch_all(c).await?
    });
    // A standard for a rule the table no longer has is kept in the database but not applied.
    rows.into_iter()
        .filter_map(|r| Some((RuleId::parse(&r.rule_id)?, r)))
        .map(|(rule_id, r)| {
            let offset = Offset::parse(&r.unit, r.amount.max(0) as u32).map_err(|e| {
                StoreError::Database(sqlx::Error::Decode(
                    format!("local_deadline_rules: {e}").into(),
                ))
            })?;
            Ok(LocalStandard {
                rule_id,
                offset,
                description: r.description,
            })
        })
        .collect()
}

/// Sets (or replaces) the local standard for a rule.
pub async fn set_local_standard(
    tx: &mut TenantTx,
    standard: &LocalStandard,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    let (unit, amount) = standard.offset.unit_amount();
    let amount = amount.unwrap_or(0) as i32;
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into local_deadline_rules (id, municipality_id, rule_id, unit, amount, description, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7) on conflict (municipality_id, rule_id) do update set \
             unit = excluded.unit, amount = excluded.amount, description = excluded.description, \
             updated_at = excluded.updated_at",
        )
        .bind(uuid::Uuid::new_v4()).bind(municipality).bind(standard.rule_id.code()).bind(unit).bind(amount)
        .bind(&standard.description).bind(now())
        .execute(c).await?;
    });
    Ok(())
}

/// Removes the local standard for a rule; `false` if there was none.
pub async fn remove_local_standard(tx: &mut TenantTx, rule_id: &str) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let removed = on!(&mut tx.tx, c => {
        sqlx::query("delete from local_deadline_rules where municipality_id = $1 and rule_id = $2")
            .bind(municipality).bind(rule_id).execute(c).await?.rows_affected()
    });
    Ok(removed == 1)
}
