//! Statutory deadline rules: listing them and computing a rule's due instant for the actor's
//! municipality, so anyone can check a rule against the law without opening a case.

use time::OffsetDateTime;
use vaern_domain::{
    FieldErrors,
    calendar::Calendar,
    process::{DeadlineRule, RULES, rule},
};

use crate::{Actor, AppError};

/// Every national rule, in the order of DOMAIN.md §3.
pub fn rules() -> &'static [DeadlineRule] {
    RULES
}

/// The municipality's working-day calendar. Until municipalities can set their own closed days,
/// every municipality uses the common default (grundlovsdag, juleaftensdag and nytårsaftensdag
/// closed) — the rules page says so.
pub fn calendar(_actor: &Actor) -> Calendar {
    Calendar::default()
}

/// When `id` runs out for a trigger at `trigger_at`.
pub fn due_at(
    actor: &Actor,
    id: &str,
    trigger_at: OffsetDateTime,
) -> Result<(&'static DeadlineRule, OffsetDateTime), AppError> {
    let rule = rule(id).ok_or(AppError::NotFound)?;
    let due = rule.due_at(trigger_at, &calendar(actor)).ok_or_else(|| {
        AppError::Invalid(FieldErrors::single(
            "id",
            "Reglen har ingen national frist: kommunen fastsætter og offentliggør selv fristen",
        ))
    })?;
    Ok((rule, due))
}
