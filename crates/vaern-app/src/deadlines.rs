//! Statutory deadline rules in a municipality: its working-day calendar (customary closed days
//! and its own) and its local, stricter standards (retssikkerhedslovens § 3, stk. 2). Changing
//! them affects deadlines started afterwards; running deadlines keep their due instant.

use time::OffsetDateTime;
use vaern_domain::{
    Capability, FieldErrors,
    calendar::{Calendar, ClosedDays},
    dates::{format_date, parse_date},
    process::{DeadlineRule, LocalStandard, Offset, RULES, RuleId, effective_due_at, rule_by_code},
    text::{required_line, required_text},
};
use vaern_store::{
    Db, StoreError, TenantTx, admin_log,
    municipality_settings::{self, ClosedDay},
};

use crate::{Actor, AppError};

/// Every national rule, in the order of DOMAIN.md §3.
pub fn rules() -> &'static [DeadlineRule] {
    RULES
}

/// A municipality's calendar and local standards: what deadlines are computed with.
#[derive(Debug, Clone, Default)]
pub struct MunicipalityRules {
    pub calendar: Calendar,
    pub local: Vec<LocalStandard>,
}

impl MunicipalityRules {
    /// Loads the settings of the transaction's municipality.
    pub async fn load(tx: &mut TenantTx) -> Result<Self, AppError> {
        Ok(Self {
            calendar: Calendar::new(municipality_settings::closed_days(tx).await?),
            local: municipality_settings::local_standards(tx).await?,
        })
    }

    /// The local standard for a rule, if the municipality has one.
    pub fn local_for(&self, id: RuleId) -> Option<&LocalStandard> {
        self.local.iter().find(|l| l.rule_id == id)
    }

    /// When `rule` runs out for a trigger here: national, or the local standard if stricter.
    pub fn due_at(
        &self,
        rule: &DeadlineRule,
        trigger_at: OffsetDateTime,
    ) -> Option<OffsetDateTime> {
        effective_due_at(rule, self.local_for(rule.id), trigger_at, &self.calendar)
    }
}

/// The actor's municipality's rules (any logged-in user may read them).
pub async fn municipality_rules(db: &Db, actor: &Actor) -> Result<MunicipalityRules, AppError> {
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let rules = MunicipalityRules::load(&mut tx).await?;
    tx.commit().await?;
    Ok(rules)
}

/// When `id` runs out for a trigger at `trigger_at` in the actor's municipality.
pub async fn due_at(
    db: &Db,
    actor: &Actor,
    id: &str,
    trigger_at: OffsetDateTime,
) -> Result<(&'static DeadlineRule, OffsetDateTime), AppError> {
    let rule = rule_by_code(id).ok_or(AppError::NotFound)?;
    let due = municipality_rules(db, actor)
        .await?
        .due_at(rule, trigger_at)
        .ok_or_else(|| {
            AppError::Invalid(FieldErrors::single(
                "id",
                "Reglen har ingen national frist, og kommunen har ikke fastsat en lokal frist",
            ))
        })?;
    Ok((rule, due))
}

/// The settings page's data: customary closed days and the municipality's own closed days.
pub async fn calendar_settings(
    db: &Db,
    actor: &Actor,
) -> Result<(ClosedDays, Vec<ClosedDay>), AppError> {
    actor.require(Capability::ManageMunicipality)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let days = municipality_settings::closed_days(&mut tx).await?;
    let extra = municipality_settings::extra_closed_days(&mut tx).await?;
    tx.commit().await?;
    Ok((days, extra))
}

async fn logged(
    tx: &mut TenantTx,
    actor: &Actor,
    action: &str,
    detail: &str,
) -> Result<(), AppError> {
    admin_log::record(tx, Some(actor.user_id), None, action, detail).await?;
    Ok(())
}

fn yes_no(closed: bool) -> &'static str {
    if closed { "lukket" } else { "åben" }
}

/// Sets which customary days are closed.
pub async fn set_customary_days(
    db: &Db,
    actor: &Actor,
    grundlovsdag: bool,
    juleaftensdag: bool,
    nytaarsaftensdag: bool,
) -> Result<(), AppError> {
    actor.require(Capability::ManageMunicipality)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    municipality_settings::set_customary_days(
        &mut tx,
        grundlovsdag,
        juleaftensdag,
        nytaarsaftensdag,
    )
    .await?;
    let detail = format!(
        "Lukkedage: grundlovsdag {}, juleaftensdag {}, nytårsaftensdag {}",
        yes_no(grundlovsdag),
        yes_no(juleaftensdag),
        yes_no(nytaarsaftensdag)
    );
    logged(&mut tx, actor, "calendar_changed", &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds one of the municipality's own closed days.
pub async fn add_closed_day(
    db: &Db,
    actor: &Actor,
    day: &str,
    reason: &str,
) -> Result<(), AppError> {
    actor.require(Capability::ManageMunicipality)?;
    let mut errors = FieldErrors::new();
    let day = errors.take("day", parse_date(day));
    let reason = errors.take("reason", required_line(reason, "anledningen", 200));
    let (Some(day), Some(reason)) = (day, reason) else {
        return Err(AppError::Invalid(errors));
    };
    let mut tx = db.tenant(actor.municipality_id).await?;
    match municipality_settings::add_closed_day(&mut tx, day, &reason).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Invalid(FieldErrors::single(
                "day",
                format!("{} er allerede en lukkedag", format_date(day)),
            )));
        }
        Err(other) => return Err(other.into()),
    }
    logged(
        &mut tx,
        actor,
        "calendar_changed",
        &format!("Lukkedag tilføjet: {} ({reason})", format_date(day)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes one of the municipality's own closed days (nothing happens if it was not closed).
pub async fn remove_closed_day(db: &Db, actor: &Actor, day: &str) -> Result<(), AppError> {
    actor.require(Capability::ManageMunicipality)?;
    let day = parse_date(day).map_err(|m| AppError::Invalid(FieldErrors::single("day", m)))?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    if municipality_settings::remove_closed_day(&mut tx, day).await? {
        logged(
            &mut tx,
            actor,
            "calendar_changed",
            &format!("Lukkedag fjernet: {}", format_date(day)),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sets the municipality's own standard for a rule. It can only tighten the law: where it is
/// looser, the statutory deadline still applies (and the page says so).
pub async fn set_local_standard(
    db: &Db,
    actor: &Actor,
    rule_id: &str,
    unit: &str,
    amount: &str,
    description: &str,
) -> Result<LocalStandard, AppError> {
    actor.require(Capability::ManageMunicipality)?;
    let mut errors = FieldErrors::new();
    let rule = match rule_by_code(rule_id) {
        Some(r) if r.offset == Offset::AtEvent => {
            errors.add(
                "rule_id",
                "Reglen er en kontrol før handlingen og har ingen frist at skærpe",
            );
            None
        }
        Some(r) => Some(r),
        None => {
            errors.add("rule_id", "Vælg en regel fra listen");
            None
        }
    };
    let amount = errors.take(
        "amount",
        amount
            .trim()
            .parse::<u32>()
            .map_err(|_| "Skriv et helt tal".to_owned()),
    );
    let offset = amount.and_then(|a| errors.take("unit", Offset::parse(unit, a)));
    let description = errors.take(
        "description",
        required_text(description, "kommunens beskrivelse af fristen", 1000),
    );
    let (Some(rule), Some(offset), Some(description)) = (rule, offset, description) else {
        return Err(AppError::Invalid(errors));
    };
    let standard = LocalStandard {
        rule_id: rule.id,
        offset,
        description,
    };
    let mut tx = db.tenant(actor.municipality_id).await?;
    municipality_settings::set_local_standard(&mut tx, &standard).await?;
    let shown = DeadlineRule { offset, ..*rule }.offset_text();
    logged(
        &mut tx,
        actor,
        "local_rule_set",
        &format!("Lokal frist for «{}»: {shown}", rule.description),
    )
    .await?;
    tx.commit().await?;
    Ok(standard)
}

/// Removes the municipality's own standard for a rule (nothing happens if there was none).
pub async fn remove_local_standard(db: &Db, actor: &Actor, rule_id: &str) -> Result<(), AppError> {
    actor.require(Capability::ManageMunicipality)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    if municipality_settings::remove_local_standard(&mut tx, rule_id).await? {
        let detail = format!("Lokal frist fjernet for reglen {rule_id}");
        logged(&mut tx, actor, "local_rule_removed", &detail).await?;
    }
    tx.commit().await?;
    Ok(())
}
