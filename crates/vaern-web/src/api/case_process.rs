//! `/api/v1/children/{id}/notifications` and `/sub-cases`: underretninger, sub-cases, steps and
//! their deadlines (each with rule id, legal reference, due instant and state).

use crate::routes::Declared;
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use vaern_app::case_process::{self, StepInput};
use vaern_domain::process::{
    notification::{AssessmentInput, NewNotificationInput},
    rule_by_code,
};
use vaern_store::{
    ChildId, SubCaseId, access_log::AccessKind, deadlines::Deadline, notifications::Notification,
    sub_cases::SubCase,
};

use super::{
    ApiActor,
    dto::{Problem, instant},
};
use crate::{
    AppState,
    errors::ApiError,
    forms::{ApiJson, api_id},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared(
            "/api/v1/children/{id}/notifications",
            post(create_notification),
        )
        .declared(
            "/api/v1/children/{id}/sub-cases",
            get(list_sub_cases).post(create_sub_case),
        )
        .declared(
            "/api/v1/children/{id}/sub-cases/{sub}/assessment",
            post(create_assessment),
        )
        .declared(
            "/api/v1/children/{id}/sub-cases/{sub}/steps/{step}",
            post(finish_step),
        )
        .declared(
            "/api/v1/children/{id}/sub-cases/{sub}/close",
            post(close_sub_case),
        )
        .declared(
            "/api/v1/children/{id}/sub-cases/{sub}/decision",
            get(get_decision).post(create_decision),
        )
        .declared(
            "/api/v1/children/{id}/sub-cases/{sub}/decision/made-known",
            post(create_made_known),
        )
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineDto {
    pub id: Uuid,
    pub rule_id: String,
    pub legal_reference: Option<&'static str>,
    pub description: Option<&'static str>,
    pub sub_case_id: Uuid,
    pub step_id: Option<Uuid>,
    #[schema(format = DateTime)]
    pub trigger_at: String,
    #[schema(format = DateTime)]
    pub due_at: String,
    /// `open`, `overdue`, `met` or `cancelled`.
    pub state: &'static str,
    /// What started the clock, in Danish (e.g. «Underretning modtaget 12.11.2026 09:30»).
    pub started_by: Option<String>,
}

impl DeadlineDto {
    pub fn new(d: &Deadline) -> Self {
        let rule = rule_by_code(&d.rule_id);
        let state = d.state(vaern_store::now());
        DeadlineDto {
            id: d.id.0,
            rule_id: d.rule_id.clone(),
            legal_reference: rule.map(|r| r.legal_reference),
            description: rule.map(|r| r.description),
            sub_case_id: d.sub_case_id.0,
            step_id: d.step_id.map(|s| s.0),
            trigger_at: instant(d.trigger_at),
            due_at: instant(d.due_at),
            state,
            started_by: d.started_by.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StepDto {
    pub id: Uuid,
    pub code: String,
    pub label: Option<&'static str>,
    pub legal_reference: Option<&'static str>,
    pub required: bool,
    /// `pending`, `done` or `skipped`.
    pub status: String,
    pub note: Option<String>,
    pub finished_by: Option<String>,
    pub finished_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SubCaseDto {
    pub id: Uuid,
    /// `clarification`, `investigation`, `decision`, `measure`, …
    pub kind: String,
    pub title: String,
    /// `open` or `closed`.
    pub status: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub close_reason: Option<String>,
    /// The code of the first pending step: the next thing to do.
    pub next_step: Option<String>,
    pub steps: Vec<StepDto>,
    pub deadlines: Vec<DeadlineDto>,
}

impl SubCaseDto {
    pub fn new(s: &SubCase, deadlines: &[Deadline]) -> Self {
        SubCaseDto {
            id: s.id.0,
            kind: s.kind.clone(),
            title: s.title.clone(),
            status: s.status.clone(),
            opened_at: instant(s.opened_at),
            closed_at: s.closed_at.map(instant),
            close_reason: s.close_reason.clone(),
            next_step: s.next_step().map(|t| t.code.clone()),
            steps: s
                .steps
                .iter()
                .map(|t| {
                    let def = case_process::step_def(&s.kind, &t.code);
                    StepDto {
                        id: t.id.0,
                        code: t.code.clone(),
                        label: def.map(|d| d.label),
                        legal_reference: def.map(|d| d.legal_reference),
                        required: t.required,
                        status: t.status.clone(),
                        note: t.note.clone(),
                        finished_by: t.finished_by_name.clone(),
                        finished_at: t.finished_at.map(instant),
                    }
                })
                .collect(),
            deadlines: deadlines
                .iter()
                .filter(|d| d.sub_case_id == s.id)
                .map(DeadlineDto::new)
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SubCaseList {
    pub items: Vec<SubCaseDto>,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: Uuid,
    /// `underretning`, `henvendelse` or `ansoegning`.
    pub intake: String,
    pub sub_case_id: Uuid,
    pub received_at: String,
    pub channel: String,
    pub notifier_kind: String,
    pub notifier_name: Option<String>,
    pub notifier_organisation: Option<String>,
    pub concerns: Vec<String>,
    pub text: String,
    pub assessed_at: Option<String>,
    pub risk: Option<bool>,
    pub immediate_action: Option<bool>,
    pub assessment_reasoning: Option<String>,
    /// The sub-case the underretning opened, with its steps and deadlines.
    pub sub_case: Option<SubCaseDto>,
}

impl NotificationDto {
    fn new(n: &Notification, sub_case: Option<SubCaseDto>) -> Self {
        NotificationDto {
            id: n.id.0,
            intake: n.intake.clone(),
            sub_case_id: n.sub_case_id.0,
            received_at: instant(n.received_at),
            channel: n.channel.clone(),
            notifier_kind: n.notifier_kind.clone(),
            notifier_name: n.notifier_name.clone(),
            notifier_organisation: n.notifier_organisation.clone(),
            concerns: n
                .concerns
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            text: n.body.clone(),
            assessed_at: n.assessed_at.map(instant),
            risk: n.risk,
            immediate_action: n.immediate_action,
            assessment_reasoning: n.assessment_reasoning.clone(),
            sub_case,
        }
    }
}

/// Body of `POST /api/v1/children/{id}/notifications`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewNotificationBody {
    /// `underretning` (default), `henvendelse` or `ansoegning`.
    pub intake: String,
    /// RFC 3339 (or `YYYY-MM-DDTHH:MM` in Danish local time).
    pub received_at: String,
    /// `telefon`, `digital`, `brev` or `personligt`.
    pub channel: String,
    /// `professional`, `private` or `anonymous`.
    pub notifier_kind: String,
    pub notifier_name: String,
    pub notifier_organisation: String,
    pub notifier_contact: String,
    /// Codes: `vold`, `seksuelle_overgreb`, `omsorgssvigt`, `misbrug_hjemmet`, `psykisk_sygdom`,
    /// `skolefravaer`, `kriminalitet`, `andet`.
    pub concerns: Vec<String>,
    pub text: String,
}

/// Register an underretning, henvendelse or ansøgning: opens an Afklaring sub-case with its steps
/// and statutory deadlines (an underretning: 24 hours for the assessment and, from a professional,
/// 6 working days for the receipt; an ansøgning: the municipality's own deadline, if set).
#[utoipa::path(post, path = "/api/v1/children/{id}/notifications", tag = "case-process",
    params(("id" = Uuid, Path)), request_body = NewNotificationBody,
    responses((status = 201, body = NotificationDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_notification(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewNotificationBody>,
) -> Result<(StatusCode, Json<NotificationDto>), ApiError> {
    let child: ChildId = api_id(&id)?;
    let input = NewNotificationInput {
        intake: body.intake,
        received_at: body.received_at,
        channel: body.channel,
        notifier_kind: body.notifier_kind,
        notifier_name: body.notifier_name,
        notifier_organisation: body.notifier_organisation,
        notifier_contact: body.notifier_contact,
        concerns: body.concerns,
        text: body.text,
    };
    let (notification, sub_case) =
        case_process::register_notification(&state.db, &actor, child, &input).await?;
    let (_, _, _, deadlines) =
        case_process::sub_case(&state.db, &actor, child, sub_case.id).await?;
    let dto = NotificationDto::new(&notification, Some(SubCaseDto::new(&sub_case, &deadlines)));
    Ok((StatusCode::CREATED, Json(dto)))
}

/// The child's sub-cases, newest first, with steps, next step and deadlines.
#[utoipa::path(get, path = "/api/v1/children/{id}/sub-cases", tag = "case-process",
    params(("id" = Uuid, Path)), responses((status = 200, body = SubCaseList), (status = 404, body = Problem)))]
pub async fn list_sub_cases(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<SubCaseList>, ApiError> {
    let child: ChildId = api_id(&id)?;
    let (_, sub_cases, deadlines) =
        case_process::for_child(&state.db, &actor, child, AccessKind::ApiRead).await?;
    Ok(Json(SubCaseList {
        items: sub_cases
            .iter()
            .map(|s| SubCaseDto::new(s, &deadlines))
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewSubCaseBody {
    /// `investigation`, `decision`, `measure`, `supervision`, `child_conversation`,
    /// `sibling_investigation`, `appeal` or `transfer`.
    pub kind: String,
    /// For an `investigation`: the date (`2026-11-12` or `12.11.2026`) the municipality became
    /// aware of the need, when not the receipt of the first underretning, henvendelse or
    /// ansøgning since the last investigation (BL § 20, stk. 3). Earlier is allowed; later
    /// needs `aware_reason`.
    pub aware_since: String,
    pub aware_reason: String,
}

/// Open a sub-case (an Afklaring opens by registering an underretning).
#[utoipa::path(post, path = "/api/v1/children/{id}/sub-cases", tag = "case-process",
    params(("id" = Uuid, Path)), request_body = NewSubCaseBody,
    responses((status = 201, body = SubCaseDto), (status = 422, body = Problem)))]
pub async fn create_sub_case(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewSubCaseBody>,
) -> Result<(StatusCode, Json<SubCaseDto>), ApiError> {
    let child: ChildId = api_id(&id)?;
    let input = case_process::OpenSubCaseInput {
        kind: body.kind,
        aware_since: body.aware_since,
        aware_reason: body.aware_reason,
    };
    let sub_case = case_process::open_sub_case_with(&state.db, &actor, child, &input).await?;
    let (_, _, _, deadlines) =
        case_process::sub_case(&state.db, &actor, child, sub_case.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(SubCaseDto::new(&sub_case, &deadlines)),
    ))
}

/// Body of the 24-hour assessment.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct AssessmentBody {
    pub risk: Option<bool>,
    pub immediate_action: Option<bool>,
    pub reasoning: String,
}

fn yes_no(value: Option<bool>) -> String {
    value
        .map(|v| if v { "ja" } else { "nej" })
        .unwrap_or_default()
        .to_owned()
}

/// Record the 24-hour assessment of an underretning (once; a second attempt is 409).
#[utoipa::path(post, path = "/api/v1/children/{id}/sub-cases/{sub}/assessment", tag = "case-process",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path)), request_body = AssessmentBody,
    responses((status = 200, body = NotificationDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_assessment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub)): Path<(String, String)>,
    ApiJson(body): ApiJson<AssessmentBody>,
) -> Result<Json<NotificationDto>, ApiError> {
    let (child, sub): (ChildId, SubCaseId) = (api_id(&id)?, api_id(&sub)?);
    let input = AssessmentInput {
        risk: yes_no(body.risk),
        immediate_action: yes_no(body.immediate_action),
        reasoning: body.reasoning,
    };
    let notification =
        case_process::record_assessment(&state.db, &actor, child, sub, &input).await?;
    Ok(Json(NotificationDto::new(&notification, None)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct StepBody {
    /// `done` or `skip`.
    pub action: String,
    /// Required when skipping a required step.
    pub note: String,
}

/// Mark a step done, or skip it (a required step needs a reason). A step already finished is 409.
#[utoipa::path(post, path = "/api/v1/children/{id}/sub-cases/{sub}/steps/{step}", tag = "case-process",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path), ("step" = String, Path, description = "Step code")),
    request_body = StepBody,
    responses((status = 200, body = SubCaseDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn finish_step(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub, step)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<StepBody>,
) -> Result<Json<SubCaseDto>, ApiError> {
    let (child, sub): (ChildId, SubCaseId) = (api_id(&id)?, api_id(&sub)?);
    let input = StepInput {
        action: body.action,
        note: body.note,
    };
    let sub_case = case_process::finish_step(&state.db, &actor, child, sub, &step, &input).await?;
    let (_, _, _, deadlines) = case_process::sub_case(&state.db, &actor, child, sub).await?;
    Ok(Json(SubCaseDto::new(&sub_case, &deadlines)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CloseBody {
    pub reason: String,
}

/// Close a sub-case; refused while a required step is pending.
#[utoipa::path(post, path = "/api/v1/children/{id}/sub-cases/{sub}/close", tag = "case-process",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path)), request_body = CloseBody,
    responses((status = 200, body = SubCaseDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn close_sub_case(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub)): Path<(String, String)>,
    ApiJson(body): ApiJson<CloseBody>,
) -> Result<Json<SubCaseDto>, ApiError> {
    let (child, sub): (ChildId, SubCaseId) = (api_id(&id)?, api_id(&sub)?);
    let sub_case =
        case_process::close_sub_case(&state.db, &actor, child, sub, &body.reason).await?;
    let (_, _, _, deadlines) = case_process::sub_case(&state.db, &actor, child, sub).await?;
    Ok(Json(SubCaseDto::new(&sub_case, &deadlines)))
}

#[derive(Serialize, ToSchema)]
pub struct DecisionDto {
    pub id: Uuid,
    /// Paragraph id from the catalogue, e.g. `bl32_1_3`.
    pub legal_basis: String,
    pub legal_basis_citation: Option<&'static str>,
    /// `grant`, `partial` or `refusal`.
    pub outcome: String,
    pub content: String,
    pub reasoning: String,
    pub appeal_guidance: Option<String>,
    pub decided_at: String,
    pub decided_by: Option<String>,
    /// `administration` or `committee` (børne- og ungeudvalget).
    pub decided_by_body: String,
    /// When the decision counts as received by the party: the appeal deadline runs from here.
    pub made_known_at: Option<String>,
    /// `digital_post`, `letter` or `in_person`.
    pub made_known_channel: Option<String>,
    pub sent_at: Option<String>,
}

impl DecisionDto {
    fn new(d: &vaern_store::decisions::StoredDecision) -> Self {
        DecisionDto {
            id: d.id.0,
            legal_basis: d.legal_basis.clone(),
            legal_basis_citation: vaern_domain::law::paragraph(&d.legal_basis).map(|p| p.citation),
            outcome: d.outcome.clone(),
            content: d.content.clone(),
            reasoning: d.reasoning.clone(),
            appeal_guidance: d.appeal_guidance.clone(),
            decided_at: instant(d.decided_at),
            decided_by: d.decided_by_name.clone(),
            decided_by_body: d.decided_by_body.clone(),
            made_known_at: d.made_known_at.map(instant),
            made_known_channel: d.made_known_channel.clone(),
            sent_at: d.sent_at.map(instant),
        }
    }
}

/// Body of the decision.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DecisionBody {
    /// `administration` (default) or `committee` (børne- og ungeudvalget: no genvurdering, and
    /// a standard klagevejledning is replaced by the committee's).
    pub decided_by: String,
    /// Paragraph id: `bl32_1_1` … `bl32_1_8`, `bl46`, `bl47`, `bl114` (§ 30 is given without a
    /// decision).
    pub legal_basis: String,
    /// `grant`, `partial` or `refusal`.
    pub outcome: String,
    pub content: String,
    pub reasoning: String,
    /// Required unless `grant`.
    pub appeal_guidance: String,
    /// For a granted placement (`bl46`, `bl47`), required: `neglect_or_abuse` (opens the
    /// siblings' investigation, BL § 21, stk. 2-3) or `other`.
    pub placement_reason: String,
    /// For granted support under § 32 (`bl32_…`), required: `yes` if a barnets plan is to be
    /// made (starts its 3-month deadline, BL § 91, stk. 1) or `no`.
    pub plan: String,
}

/// Make the decision of a Decision sub-case (after partshøring and the conversation with the
/// child, or their recorded exceptions).
#[utoipa::path(post, path = "/api/v1/children/{id}/sub-cases/{sub}/decision", tag = "case-process",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path)), request_body = DecisionBody,
    responses((status = 201, body = DecisionDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_decision(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub)): Path<(String, String)>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<(StatusCode, Json<DecisionDto>), ApiError> {
    let (child, sub): (ChildId, SubCaseId) = (api_id(&id)?, api_id(&sub)?);
    let input = vaern_domain::process::decision::DecisionInput {
        decided_by: body.decided_by,
        legal_basis: body.legal_basis,
        outcome: body.outcome,
        content: body.content,
        reasoning: body.reasoning,
        appeal_guidance: body.appeal_guidance,
        placement_reason: body.placement_reason,
        plan: body.plan,
    };
    let decision = case_process::make_decision(&state.db, &actor, child, sub, &input).await?;
    Ok((StatusCode::CREATED, Json(DecisionDto::new(&decision))))
}

/// The decision of a sub-case.
#[utoipa::path(get, path = "/api/v1/children/{id}/sub-cases/{sub}/decision", tag = "case-process",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path)),
    responses((status = 200, body = DecisionDto), (status = 404, body = Problem)))]
pub async fn get_decision(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub)): Path<(String, String)>,
) -> Result<Json<DecisionDto>, ApiError> {
    let (child, sub): (ChildId, SubCaseId) = (api_id(&id)?, api_id(&sub)?);
    let decision = case_process::decision(&state.db, &actor, child, sub, Some(AccessKind::ApiRead))
        .await?
        .ok_or(ApiError(vaern_app::AppError::NotFound))?;
    Ok(Json(DecisionDto::new(&decision)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct MadeKnownBody {
    /// `digital_post`, `letter` or `in_person`.
    pub channel: String,
    /// When it was sent or handed over (RFC 3339, or `2026-11-23T09:00` in Danish time).
    pub sent_at: String,
}

/// Record how and when the decision was sent; the channel makes that the moment it counts as
/// received, which starts the 4-week appeal deadline (retssikkerhedslovens § 67).
#[utoipa::path(post, path = "/api/v1/children/{id}/sub-cases/{sub}/decision/made-known", tag = "case-process",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path)), request_body = MadeKnownBody,
    responses((status = 200, body = DecisionDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_made_known(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub)): Path<(String, String)>,
    ApiJson(body): ApiJson<MadeKnownBody>,
) -> Result<Json<DecisionDto>, ApiError> {
    let (child, sub): (ChildId, SubCaseId) = (api_id(&id)?, api_id(&sub)?);
    let input = case_process::MadeKnownInput {
        channel: body.channel,
        sent_at: body.sent_at,
    };
    let decision = case_process::record_made_known(&state.db, &actor, child, sub, &input).await?;
    Ok(Json(DecisionDto::new(&decision)))
}
