//! `/api/v1/deadline-rules`: the statutory deadline rules and their arithmetic.

use axum::{
    Json, Router,
    extract::{Path, Query},
    routing::get,
};
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};
use utoipa::{IntoParams, ToSchema};
use vaern_app::{AppError, deadlines};
use vaern_domain::{
    FieldErrors,
    dates::danish_offset,
    process::{DeadlineRule, Offset},
};

use super::{ApiActor, dto::Problem};
use crate::{AppState, errors::ApiError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/deadline-rules", get(list_deadline_rules))
        .route("/api/v1/deadline-rules/{id}/due", get(get_due))
}

/// How far from the trigger: `hours`, `working_days`, `calendar_days`, `weeks`, `months` with an
/// amount, or `at_event` (a blocking check) / `set_locally` (the municipality's own standard).
#[derive(Serialize, ToSchema)]
pub struct OffsetDto {
    pub unit: &'static str,
    pub amount: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineRuleDto {
    /// Stable id, e.g. `underretning.kvittering_6hd`.
    pub id: &'static str,
    pub trigger: &'static str,
    pub description: &'static str,
    pub legal_reference: &'static str,
    pub offset: OffsetDto,
    /// The offset in Danish words.
    pub offset_text: String,
    /// `reminder`, `escalation` or `blocking`.
    pub when_due: &'static str,
    /// False where the legal reference still awaits verification against the consolidated act.
    pub verified: bool,
}

impl DeadlineRuleDto {
    fn new(rule: &DeadlineRule) -> Self {
        let (unit, amount) = match rule.offset {
            Offset::Hours(n) => ("hours", Some(n)),
            Offset::WorkingDays(n) => ("working_days", Some(n)),
            Offset::CalendarDays(n) => ("calendar_days", Some(n)),
            Offset::Weeks(n) => ("weeks", Some(n)),
            Offset::Months(n) => ("months", Some(n)),
            Offset::AtEvent => ("at_event", None),
            Offset::SetLocally => ("set_locally", None),
        };
        let when_due = match rule.when_due {
            vaern_domain::process::WhenDue::Reminder => "reminder",
            vaern_domain::process::WhenDue::Escalation => "escalation",
            vaern_domain::process::WhenDue::Blocking => "blocking",
        };
        DeadlineRuleDto {
            id: rule.id,
            trigger: rule.trigger,
            description: rule.description,
            legal_reference: rule.legal_reference,
            offset: OffsetDto { unit, amount },
            offset_text: rule.offset_text(),
            when_due,
            verified: rule.verified,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineRuleList {
    pub items: Vec<DeadlineRuleDto>,
}

/// Every statutory deadline rule with its legal reference.
#[utoipa::path(get, path = "/api/v1/deadline-rules", tag = "deadlines",
    responses((status = 200, body = DeadlineRuleList), (status = 401, body = Problem)))]
pub async fn list_deadline_rules(ApiActor(_actor): ApiActor) -> Json<DeadlineRuleList> {
    Json(DeadlineRuleList {
        items: deadlines::rules()
            .iter()
            .map(DeadlineRuleDto::new)
            .collect(),
    })
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct DueParams {
    /// When the clock starts, RFC 3339 (e.g. `2026-11-23T09:00:00+01:00`).
    trigger_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct DueDto {
    pub rule_id: &'static str,
    pub legal_reference: &'static str,
    pub trigger_at: String,
    /// RFC 3339 in Danish local time.
    pub due_at: String,
}

/// When a rule runs out for a given trigger, in the caller's municipality's working days.
#[utoipa::path(get, path = "/api/v1/deadline-rules/{id}/due", tag = "deadlines",
    params(("id" = String, Path, description = "Rule id"), DueParams),
    responses((status = 200, body = DueDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn get_due(
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Query(params): Query<DueParams>,
) -> Result<Json<DueDto>, ApiError> {
    let trigger_at = OffsetDateTime::parse(params.trigger_at.trim(), &Rfc3339).map_err(|_| {
        AppError::Invalid(FieldErrors::single(
            "trigger_at",
            "Angiv tidspunktet som RFC 3339, fx 2026-11-23T09:00:00+01:00",
        ))
    })?;
    let (rule, due) = deadlines::due_at(&actor, &id, trigger_at)?;
    let local = |at: OffsetDateTime| {
        at.to_offset(danish_offset(at))
            .format(&Rfc3339)
            .unwrap_or_default()
    };
    Ok(Json(DueDto {
        rule_id: rule.id,
        legal_reference: rule.legal_reference,
        trigger_at: local(trigger_at),
        due_at: local(due),
    }))
}
