//! `/api/v1/deadline-rules`: the statutory deadline rules and their arithmetic.

use crate::routes::Declared;
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{delete, get, post, put},
};
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};
use utoipa::{IntoParams, ToSchema};
use vaern_app::{AppError, deadlines};
use vaern_domain::{
    FieldErrors,
    dates::danish_offset,
    process::{DeadlineRule, LocalStandard, Trigger, appeal::Channel},
};

use super::{ApiActor, dto::Problem, schema};
use crate::{
    AppState,
    errors::ApiError,
    forms::{ApiJson, ApiQuery},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/api/v1/deadline-rules", get(list_deadline_rules))
        .declared("/api/v1/deadline-rules/{id}/due", get(get_due))
        .declared(
            "/api/v1/deadline-rules/{id}/local",
            put(set_local_rule).delete(delete_local_rule),
        )
        .declared(
            "/api/v1/closed-days",
            get(get_closed_days).put(put_closed_days),
        )
        .declared("/api/v1/closed-days/days", post(add_closed_day))
        .declared("/api/v1/closed-days/days/{day}", delete(delete_closed_day))
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
    /// The caller's municipality's own, stricter standard, if it has one.
    pub local: Option<LocalDto>,
}

/// A municipality's local standard for a rule.
#[derive(Serialize, ToSchema)]
pub struct LocalDto {
    pub offset: OffsetDto,
    pub offset_text: String,
    pub description: String,
}

impl DeadlineRuleDto {
    fn new(rule: &DeadlineRule, local: Option<&LocalStandard>) -> Self {
        let (unit, amount) = rule.offset.unit_amount();
        let when_due = match rule.when_due {
            vaern_domain::process::WhenDue::Reminder => "reminder",
            vaern_domain::process::WhenDue::Escalation => "escalation",
            vaern_domain::process::WhenDue::Blocking => "blocking",
        };
        DeadlineRuleDto {
            id: rule.id.code(),
            trigger: rule.trigger,
            description: rule.description,
            legal_reference: rule.legal_reference,
            offset: OffsetDto { unit, amount },
            offset_text: rule.offset_text(),
            when_due,
            verified: rule.verified,
            local: local.map(|l| {
                let (unit, amount) = l.offset.unit_amount();
                LocalDto {
                    offset: OffsetDto { unit, amount },
                    offset_text: DeadlineRule {
                        offset: l.offset,
                        ..*rule
                    }
                    .offset_text(),
                    description: l.description.clone(),
                }
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineRuleList {
    pub items: Vec<DeadlineRuleDto>,
}

/// Every statutory deadline rule with its legal reference and the caller's municipality's local standard.
#[utoipa::path(get, path = "/api/v1/deadline-rules", tag = "deadlines",
    responses((status = 200, body = DeadlineRuleList), (status = 401, body = Problem)))]
pub async fn list_deadline_rules(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<DeadlineRuleList>, ApiError> {
    let local = deadlines::municipality_rules(&state.db, &actor).await?;
    Ok(Json(DeadlineRuleList {
        items: deadlines::rules()
            .iter()
            .map(|r| DeadlineRuleDto::new(r, local.local_for(r.id)))
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DueParams {
    /// When the clock starts, RFC 3339 (e.g. `2026-11-23T09:00:00+01:00`).
    #[param(format = DateTime, required = false)]
    trigger_at: String,
    /// Instead of `trigger_at`, for the appeal deadline: how the decision was sent
    /// (`digital_post`, `letter` or `in_person`) …
    #[param(schema_with = schema::channel, required = false)]
    channel: String,
    /// … and when, RFC 3339; the channel turns it into the moment the decision was received.
    #[param(format = DateTime, required = false)]
    sent_at: String,
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
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<DueParams>,
) -> Result<Json<DueDto>, ApiError> {
    let instant = |field: &'static str, text: &str| {
        OffsetDateTime::parse(text.trim(), &Rfc3339).map_err(|_| {
            AppError::Invalid(FieldErrors::single(
                field,
                "Angiv tidspunktet som RFC 3339, fx 2026-11-23T09:00:00+01:00",
            ))
        })
    };
    let trigger_at = if params.channel.trim().is_empty() {
        instant("trigger_at", &params.trigger_at)?
    } else {
        let channel = Channel::parse(&params.channel)
            .map_err(|m| AppError::Invalid(FieldErrors::single("channel", m)))?;
        channel.received_at(instant("sent_at", &params.sent_at)?)
    };
    let (rule, due) = deadlines::due_at(&state.db, &actor, &id, trigger_at).await?;
    if !params.channel.trim().is_empty() && !matches!(rule.starts, Trigger::DecisionReceived) {
        return Err(AppError::Invalid(FieldErrors::single(
            "channel",
            "Forsendelsesmåden gælder kun frister, der regnes fra modtagelsen af en afgørelse; \
             angiv trigger_at",
        ))
        .into());
    }
    let local = |at: OffsetDateTime| {
        at.to_offset(danish_offset(at))
            .format(&Rfc3339)
            .unwrap_or_default()
    };
    Ok(Json(DueDto {
        rule_id: rule.id.code(),
        legal_reference: rule.legal_reference,
        trigger_at: local(trigger_at),
        due_at: local(due),
    }))
}

/// Body of `PUT /api/v1/deadline-rules/{id}/local`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct LocalBody {
    /// `hours`, `working_days`, `calendar_days`, `weeks` or `months`.
    pub unit: String,
    pub amount: u32,
    /// The municipality's published text.
    pub description: String,
}

/// Set the municipality's own standard for a rule (it only applies where stricter than the law).
#[utoipa::path(put, path = "/api/v1/deadline-rules/{id}/local", tag = "deadlines",
    params(("id" = String, Path, description = "Rule id")), request_body = LocalBody,
    responses((status = 200, body = DeadlineRuleDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_local_rule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LocalBody>,
) -> Result<Json<DeadlineRuleDto>, ApiError> {
    let standard = deadlines::set_local_standard(
        &state.db,
        &actor,
        &id,
        &body.unit,
        &body.amount.to_string(),
        &body.description,
    )
    .await?;
    let rule = vaern_domain::process::rule_by_code(&id).ok_or(ApiError(AppError::NotFound))?;
    Ok(Json(DeadlineRuleDto::new(rule, Some(&standard))))
}

/// Remove the municipality's own standard for a rule.
#[utoipa::path(delete, path = "/api/v1/deadline-rules/{id}/local", tag = "deadlines",
    params(("id" = String, Path, description = "Rule id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_local_rule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    deadlines::remove_local_standard(&state.db, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ClosedDayDto {
    #[schema(format = Date)]
    pub day: String,
    pub reason: String,
}

/// The municipality's working-day calendar.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CalendarDto {
    pub grundlovsdag: bool,
    pub juleaftensdag: bool,
    pub nytaarsaftensdag: bool,
    /// The municipality's own closed days (read-only here; see `/closed-days/days`).
    #[serde(default, skip_deserializing)]
    pub days: Vec<ClosedDayDto>,
}

/// Which days the municipality keeps closed besides weekends and public holidays.
#[utoipa::path(get, path = "/api/v1/closed-days", tag = "deadlines",
    responses((status = 200, body = CalendarDto), (status = 403, body = Problem)))]
pub async fn get_closed_days(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<CalendarDto>, ApiError> {
    let (days, extra) = deadlines::calendar_settings(&state.db, &actor).await?;
    Ok(Json(CalendarDto {
        grundlovsdag: days.grundlovsdag,
        juleaftensdag: days.juleaftensdag,
        nytaarsaftensdag: days.nytaarsaftensdag,
        days: extra
            .into_iter()
            .map(|d| ClosedDayDto {
                day: d.day.to_string(),
                reason: d.reason,
            })
            .collect(),
    }))
}

/// Set which customary days are closed.
#[utoipa::path(put, path = "/api/v1/closed-days", tag = "deadlines", request_body = CalendarDto,
    responses((status = 200, body = CalendarDto), (status = 403, body = Problem)))]
pub async fn put_closed_days(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<CalendarDto>,
) -> Result<Json<CalendarDto>, ApiError> {
    deadlines::set_customary_days(
        &state.db,
        &actor,
        body.grundlovsdag,
        body.juleaftensdag,
        body.nytaarsaftensdag,
    )
    .await?;
    get_closed_days(State(state), ApiActor(actor)).await
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ClosedDayBody {
    /// `YYYY-MM-DD` or `DD.MM.ÅÅÅÅ`.
    pub day: String,
    pub reason: String,
}

/// Add one of the municipality's own closed days.
#[utoipa::path(post, path = "/api/v1/closed-days/days", tag = "deadlines", request_body = ClosedDayBody,
    responses((status = 201), (status = 422, body = Problem)))]
pub async fn add_closed_day(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ClosedDayBody>,
) -> Result<StatusCode, ApiError> {
    deadlines::add_closed_day(&state.db, &actor, &body.day, &body.reason).await?;
    Ok(StatusCode::CREATED)
}

/// Remove one of the municipality's own closed days.
#[utoipa::path(delete, path = "/api/v1/closed-days/days/{day}", tag = "deadlines",
    params(("day" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem, description = "Not a date")))]
pub async fn delete_closed_day(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(day): Path<String>,
) -> Result<StatusCode, ApiError> {
    deadlines::remove_closed_day(&state.db, &actor, &day).await?;
    Ok(StatusCode::NO_CONTENT)
}
