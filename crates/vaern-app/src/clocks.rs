//! Starting deadlines. The rule table decides which rules a step or an event starts; this module
//! stores each with the moment its clock started and, in Danish, what started it, so the
//! caseworker sees not only when a deadline runs out but why it started when it did.

use time::OffsetDateTime;
use vaern_domain::{
    dates::format_datetime,
    process::{DeadlineRule, Event, Requirement, started_by},
};
use vaern_store::{
    ChildCaseId, StepId, TenantTx,
    deadlines::{self, NewDeadline},
    sub_cases::SubCase,
};

use crate::{AppError, deadlines::MunicipalityRules};

/// The moment a clock starts and what started it («Underretning modtaget 12.11.2026 10:00»).
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    pub at: OffsetDateTime,
    pub source: String,
}

impl Clock {
    pub fn new(at: OffsetDateTime, source: impl Into<String>) -> Self {
        Self {
            at,
            source: source.into(),
        }
    }

    /// A clock started by `what` at `at`: «{what} {at}».
    pub fn at(at: OffsetDateTime, what: &str) -> Self {
        Self::new(at, format!("{what} {}", format_datetime(at)))
    }
}

/// Stores `rule`'s deadline on the sub-case (met by `step`, if given) and returns the journal
/// line saying when it runs out; `None` for a rule without a due date here.
pub(crate) async fn start(
    tx: &mut TenantTx,
    rules: &MunicipalityRules,
    case: ChildCaseId,
    sub_case: &SubCase,
    rule: &DeadlineRule,
    step: Option<StepId>,
    clock: &Clock,
) -> Result<Option<(OffsetDateTime, String)>, AppError> {
    let Some(due_at) = rules.due_at(rule, clock.at) else {
        return Ok(None);
    };
    deadlines::create(
        tx,
        &NewDeadline {
            case,
            sub_case: sub_case.id,
            step,
            rule_id: rule.id,
            trigger_at: clock.at,
            due_at,
            started_by: Some(&clock.source),
        },
    )
    .await?;
    Ok(Some((
        due_at,
        format!(
            "{} senest {} ({}; regnet fra: {})",
            rule.description,
            format_datetime(due_at),
            rule.legal_reference,
            clock.source
        ),
    )))
}

/// Starts every deadline `event` starts, on `sub_case`; a rule met by a step is tied to that
/// step of the sub-case, and a rule met by an approved plan is not started while the case has
/// one. Returns the journal lines.
pub(crate) async fn start_for_event(
    tx: &mut TenantTx,
    case: ChildCaseId,
    sub_case: &SubCase,
    event: &Event,
    clock: &Clock,
) -> Result<Vec<String>, AppError> {
    let rules = MunicipalityRules::load(tx).await?;
    let mut lines = Vec::new();
    for rule in started_by(event) {
        if rule.requires == Some(Requirement::PlanApproved)
            && crate::plans::current_plan_approved(tx, case).await?
        {
            continue;
        }
        let step = match rule.requires {
            Some(Requirement::Step(code)) => {
                sub_case.steps.iter().find(|s| s.code == code).map(|s| s.id)
            }
            _ => None,
        };
        if let Some((_, line)) = start(tx, &rules, case, sub_case, rule, step, clock).await? {
            lines.push(line);
        }
    }
    Ok(lines)
}
