//! `/api/v1/children/{id}/sub-cases/{sub}/investigation`, `/plans` and `/follow-ups`: the
//! børnefaglig undersøgelse with its ten ICS dimensions (optimistic locking, autosaved drafts,
//! sources), the conversation with the child, the foreløbig vurdering and the conclusion; barnets
//! plan in versions with goals; and the follow-ups that score the goals.

use crate::routes::Declared;
use std::collections::HashMap;

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post, put},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use vaern_app::{
    AppError,
    investigations::{self, InvestigationView},
    plans::{self, GoalChange, PlanView},
};
use vaern_domain::{
    FieldErrors,
    ics::{
        ConclusionInput, Dimension, DimensionInput, DimensionText, FollowUpDecision, FollowUpInput,
        GoalInput, Position, Side, SourceInput,
    },
};
use vaern_store::{
    ChildId, GoalKey, PlanId, SubCaseId,
    access_log::AccessKind,
    investigations::{StoredDimension, StoredSource},
    plans::{Plan, Score, StoredFollowUp, StoredGoal},
};

use super::{
    ApiActor,
    case_process::{StepDto, SubCaseDto},
    documents::DocumentDto,
    dto::{Problem, instant},
    schema,
};
use crate::{
    AppState,
    errors::ApiError,
    forms::{ApiJson, ApiQuery, api_id},
};

pub fn router() -> Router<AppState> {
    let investigation = "/api/v1/children/{id}/sub-cases/{sub}/investigation";
    Router::new()
        .declared(investigation, get(get_investigation))
        .declared(
            &format!("{investigation}/dimensions/{{key}}"),
            put(put_dimension),
        )
        .declared(
            &format!("{investigation}/dimensions/{{key}}/draft"),
            post(create_draft),
        )
        .declared(
            &format!("{investigation}/dimensions/{{key}}/sources"),
            post(create_source),
        )
        .declared(
            &format!("{investigation}/conversation"),
            post(create_conversation),
        )
        .declared(
            &format!("{investigation}/preliminary"),
            post(create_preliminary),
        )
        .declared(
            &format!("{investigation}/conclusion"),
            post(create_conclusion),
        )
        .declared(&format!("{investigation}/document"), post(create_document))
        .declared(
            "/api/v1/children/{id}/plans",
            get(get_plans).post(create_plan),
        )
        .declared(
            "/api/v1/children/{id}/plans/{version}",
            get(get_plan_version),
        )
        .declared("/api/v1/children/{id}/plans/compare", get(compare_plans))
        .declared(
            "/api/v1/children/{id}/plans/new-version",
            post(new_plan_version),
        )
        .declared("/api/v1/children/{id}/plans/{key}/goals", put(put_goals))
        .declared(
            "/api/v1/children/{id}/plans/{key}/approval",
            post(approve_plan),
        )
        .declared("/api/v1/children/{id}/follow-ups", post(create_follow_up))
}

fn side_code(side: Side) -> &'static str {
    match side {
        Side::ChildDevelopment => "child_development",
        Side::ParentingCapacity => "parenting_capacity",
        Side::FamilyAndEnvironment => "family_and_environment",
    }
}

/// One of the ten ICS dimensions with what is saved in it.
#[derive(Serialize, ToSchema)]
pub struct DimensionDto {
    /// `sundhed`, `udvikling`, `skole`, `fritid`, `omsorg`, `stimulering`, `relationer`,
    /// `familie`, `bolig` or `netvaerk`.
    pub code: &'static str,
    pub label: &'static str,
    /// `child_development`, `parenting_capacity` or `family_and_environment`.
    pub side: &'static str,
    pub side_label: &'static str,
    pub description: Option<String>,
    pub resources: Option<String>,
    pub concerns: Option<String>,
    pub child_view: Option<String>,
    pub parents_view: Option<String>,
    /// The saved version; 0 when never saved. Send it back as `expected_version`.
    pub version: i32,
    /// Whether any of the five texts is filled in.
    pub filled: bool,
    #[schema(format = DateTime)]
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

impl DimensionDto {
    fn new(dimension: Dimension, saved: Option<&StoredDimension>) -> Self {
        let text = saved.map(StoredDimension::text).unwrap_or_default();
        let filled = !text.is_empty();
        let DimensionText {
            description,
            resources,
            concerns,
            child_view,
            parents_view,
        } = text;
        DimensionDto {
            code: dimension.code(),
            label: dimension.label(),
            side: side_code(dimension.side()),
            side_label: dimension.side().label(),
            description,
            resources,
            concerns,
            child_view,
            parents_view,
            version: saved.map_or(0, |s| s.version),
            filled,
            updated_at: saved.map(|s| instant(s.updated_at)),
            updated_by: saved.and_then(|s| s.updated_by_name.clone()),
        }
    }
}

/// Who said something in a dimension, and when.
#[derive(Serialize, ToSchema)]
pub struct SourceDto {
    pub id: Uuid,
    /// The dimension's code.
    pub dimension: String,
    pub who: String,
    #[schema(format = Date)]
    pub said_on: String,
    /// `journal_entry`, `document` or `person`, when the source is linked.
    pub link_kind: Option<String>,
    pub link_id: Option<Uuid>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl SourceDto {
    fn new(s: &StoredSource) -> Self {
        SourceDto {
            id: s.id.0,
            dimension: s.dimension.clone(),
            who: s.who.clone(),
            said_on: s.said_on.to_string(),
            link_kind: s.link_kind.clone(),
            link_id: s.link_id,
            created_at: instant(s.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SourceList {
    pub items: Vec<SourceDto>,
}

/// The foreløbig vurdering (BL § 20, stk. 3).
#[derive(Serialize, ToSchema)]
pub struct PreliminaryDto {
    pub text: String,
    #[schema(format = DateTime)]
    pub recorded_at: Option<String>,
    pub recorded_by: Option<String>,
}

/// The conclusion (BL § 22, stk. 6).
#[derive(Serialize, ToSchema)]
pub struct ConclusionDto {
    pub assessment: Option<String>,
    /// `support`, `placement_with_consent`, `placement_without_consent` or `no_measure`.
    pub position: Option<String>,
    pub position_label: Option<&'static str>,
    pub reasoning: Option<String>,
    #[schema(format = DateTime)]
    pub concluded_at: String,
    pub concluded_by: Option<String>,
}

/// A børnefaglig undersøgelse with everything it holds.
#[derive(Serialize, ToSchema)]
pub struct InvestigationDto {
    pub id: Uuid,
    pub child_id: Uuid,
    pub sub_case_id: Uuid,
    /// The investigation sub-case's steps (`boernesamtale`, `undersoegelse`, `konklusion`).
    pub steps: Vec<StepDto>,
    /// All ten dimensions in the order of the ICS triangle.
    pub dimensions: Vec<DimensionDto>,
    pub sources: Vec<SourceDto>,
    pub preliminary: Option<PreliminaryDto>,
    /// Whether 4 months have passed without a foreløbig vurdering: concluding is refused (422 at
    /// `preliminary`) until it is recorded.
    pub preliminary_due: bool,
    pub conclusion: Option<ConclusionDto>,
    /// The 4-month deadline (BL § 20, stk. 3) while it is open.
    #[schema(format = DateTime)]
    pub due_at: Option<String>,
}

impl InvestigationDto {
    fn new(view: &InvestigationView) -> Self {
        let i = &view.investigation;
        InvestigationDto {
            id: i.id.0,
            child_id: view.child.id.0,
            sub_case_id: view.sub_case.id.0,
            steps: SubCaseDto::new(&view.sub_case, &[]).steps,
            dimensions: Dimension::ALL
                .into_iter()
                .map(|d| DimensionDto::new(d, view.dimension(d)))
                .collect(),
            sources: view.sources.iter().map(SourceDto::new).collect(),
            preliminary: i.preliminary.as_ref().map(|text| PreliminaryDto {
                text: text.clone(),
                recorded_at: i.preliminary_at.map(instant),
                recorded_by: i.preliminary_by_name.clone(),
            }),
            preliminary_due: view.preliminary_due(vaern_store::now()),
            conclusion: i.concluded_at.map(|at| ConclusionDto {
                assessment: i.assessment.clone(),
                position: i.position.clone(),
                position_label: i.position.as_deref().map(Position::label_of),
                reasoning: i.reasoning.clone(),
                concluded_at: instant(at),
                concluded_by: i.concluded_by_name.clone(),
            }),
            due_at: view.deadline.as_ref().map(|d| instant(d.due_at)),
        }
    }
}

fn ids(id: &str, sub: &str) -> Result<(ChildId, SubCaseId), ApiError> {
    Ok((api_id(id)?, api_id(sub)?))
}

async fn read_investigation(
    state: &AppState,
    actor: &vaern_app::Actor,
    child: ChildId,
    sub: SubCaseId,
) -> Result<InvestigationDto, ApiError> {
    let view =
        investigations::investigation(&state.db, actor, child, sub, AccessKind::ApiRead).await?;
    Ok(InvestigationDto::new(&view))
}

/// The investigation of an investigation sub-case (made on first use): all ten dimensions,
/// sources, the foreløbig vurdering, the conclusion and the 4-month deadline. Any other kind of
/// sub-case is 404. Drafts are not included: they belong to the caseworker who typed them.
#[utoipa::path(get, path = "/api/v1/children/{id}/sub-cases/{sub}/investigation", tag = "investigation",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path)),
    responses((status = 200, body = InvestigationDto), (status = 404, body = Problem)))]
pub async fn get_investigation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub)): Path<(String, String)>,
) -> Result<Json<InvestigationDto>, ApiError> {
    let (child, sub) = ids(&id, &sub)?;
    Ok(Json(read_investigation(&state, &actor, child, sub).await?))
}

/// A dimension's five texts (each may be empty) and the version they were written against.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DimensionBody {
    pub description: String,
    pub resources: String,
    pub concerns: String,
    pub child_view: String,
    pub parents_view: String,
    /// The dimension's `version` when the text was read (0: never saved).
    pub expected_version: i32,
}

impl DimensionBody {
    fn input(self) -> (DimensionInput, i32) {
        (
            DimensionInput {
                description: self.description,
                resources: self.resources,
                concerns: self.concerns,
                child_view: self.child_view,
                parents_view: self.parents_view,
            },
            self.expected_version,
        )
    }
}

/// Save a dimension (journalled). If someone saved it since `expected_version`, nothing is
/// overwritten and the answer is 409: read it again, compare and save again. Refused (422 at
/// `investigation`) once the investigation is concluded.
#[utoipa::path(put, path = "/api/v1/children/{id}/sub-cases/{sub}/investigation/dimensions/{key}",
    tag = "investigation",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path), ("key" = String, Path, description = "Dimension code")),
    request_body = DimensionBody,
    responses((status = 200, body = DimensionDto), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn put_dimension(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub, key)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<DimensionBody>,
) -> Result<Json<DimensionDto>, ApiError> {
    let (child, sub) = ids(&id, &sub)?;
    let (input, expected_version) = body.input();
    let saved = investigations::save_dimension(
        &state.db,
        &actor,
        child,
        sub,
        &key,
        &input,
        expected_version,
    )
    .await?;
    let dimension = Dimension::parse(&saved.dimension).map_err(AppError::Internal)?;
    Ok(Json(DimensionDto::new(dimension, Some(&saved))))
}

#[derive(Serialize, ToSchema)]
pub struct DraftSaved {
    #[schema(format = DateTime)]
    pub saved_at: String,
}

/// Autosave: keep what the caller is typing in a dimension as their own draft, so nothing typed
/// is lost. The body is the same as for saving; `expected_version` is the version it is based on.
#[utoipa::path(post, path = "/api/v1/children/{id}/sub-cases/{sub}/investigation/dimensions/{key}/draft",
    tag = "investigation",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path), ("key" = String, Path, description = "Dimension code")),
    request_body = DimensionBody,
    responses((status = 200, body = DraftSaved), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_draft(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub, key)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<DimensionBody>,
) -> Result<Json<DraftSaved>, ApiError> {
    let (child, sub) = ids(&id, &sub)?;
    let (input, base_version) = body.input();
    let at =
        investigations::autosave(&state.db, &actor, child, sub, &key, &input, base_version).await?;
    Ok(Json(DraftSaved {
        saved_at: instant(at),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SourceBody {
    /// Who said it.
    pub who: String,
    /// `YYYY-MM-DD` or `DD.MM.YYYY`, not in the future.
    pub said_on: String,
    /// Empty, or `journal_entry:<id>`, `document:<id>` or `person:<id>` of the child's own case
    /// (anything else is 422 at `link`).
    pub link: String,
}

/// Record a source of a dimension: who said it, when, and optionally where in the case file.
/// Answers with the dimension's sources.
#[utoipa::path(post, path = "/api/v1/children/{id}/sub-cases/{sub}/investigation/dimensions/{key}/sources",
    tag = "investigation",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path), ("key" = String, Path, description = "Dimension code")),
    request_body = SourceBody,
    responses((status = 201, body = SourceList), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_source(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub, key)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<SourceBody>,
) -> Result<(StatusCode, Json<SourceList>), ApiError> {
    let (child, sub) = ids(&id, &sub)?;
    let input = SourceInput {
        who: body.who,
        said_on: body.said_on,
        link: body.link,
    };
    investigations::add_source(&state.db, &actor, child, sub, &key, &input).await?;
    let view = read_investigation(&state, &actor, child, sub).await?;
    let code = Dimension::parse(&key)
        .map_err(|_| AppError::NotFound)?
        .code();
    Ok((
        StatusCode::CREATED,
        Json(SourceList {
            items: view
                .sources
                .into_iter()
                .filter(|s| s.dimension == code)
                .collect(),
        }),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ConversationBody {
    /// `YYYY-MM-DD` or `DD.MM.YYYY`, not in the future.
    pub held_on: String,
    pub summary: String,
}

/// Record the conversation with the child (BL § 5) as a journal note on the investigation; its
/// step is done.
#[utoipa::path(post, path = "/api/v1/children/{id}/sub-cases/{sub}/investigation/conversation",
    tag = "investigation",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path)), request_body = ConversationBody,
    responses((status = 201, body = InvestigationDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_conversation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub)): Path<(String, String)>,
    ApiJson(body): ApiJson<ConversationBody>,
) -> Result<(StatusCode, Json<InvestigationDto>), ApiError> {
    let (child, sub) = ids(&id, &sub)?;
    investigations::record_conversation(
        &state.db,
        &actor,
        child,
        sub,
        &body.held_on,
        &body.summary,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(read_investigation(&state, &actor, child, sub).await?),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PreliminaryBody {
    pub text: String,
}

/// Record the foreløbig vurdering (BL § 20, stk. 3), required before concluding once 4 months
/// have passed; a later one replaces it (journalled).
#[utoipa::path(post, path = "/api/v1/children/{id}/sub-cases/{sub}/investigation/preliminary",
    tag = "investigation",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path)), request_body = PreliminaryBody,
    responses((status = 200, body = InvestigationDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_preliminary(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub)): Path<(String, String)>,
    ApiJson(body): ApiJson<PreliminaryBody>,
) -> Result<Json<InvestigationDto>, ApiError> {
    let (child, sub) = ids(&id, &sub)?;
    investigations::record_preliminary(&state.db, &actor, child, sub, &body.text).await?;
    Ok(Json(read_investigation(&state, &actor, child, sub).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ConclusionBody {
    /// The overall assessment.
    pub assessment: String,
    /// `support` (§ 32), `placement_with_consent` (§ 46), `placement_without_consent` (§ 47) or
    /// `no_measure`.
    pub position: String,
    pub reasoning: String,
}

/// Conclude the investigation (BL § 22, stk. 6), once: the `undersoegelse` and `konklusion`
/// steps are done and the 4-month deadline is met. After 4 months the foreløbig vurdering must be
/// recorded first (422 at `preliminary`); a second conclusion is 422.
#[utoipa::path(post, path = "/api/v1/children/{id}/sub-cases/{sub}/investigation/conclusion",
    tag = "investigation",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path)), request_body = ConclusionBody,
    responses((status = 200, body = InvestigationDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_conclusion(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub)): Path<(String, String)>,
    ApiJson(body): ApiJson<ConclusionBody>,
) -> Result<Json<InvestigationDto>, ApiError> {
    let (child, sub) = ids(&id, &sub)?;
    let input = ConclusionInput {
        assessment: body.assessment,
        position: body.position,
        reasoning: body.reasoning,
    };
    investigations::conclude(&state.db, &actor, child, sub, &input).await?;
    Ok(Json(read_investigation(&state, &actor, child, sub).await?))
}

/// Render the investigation as a PDF document filed on the case (a new document each time).
#[utoipa::path(post, path = "/api/v1/children/{id}/sub-cases/{sub}/investigation/document",
    tag = "investigation",
    params(("id" = Uuid, Path), ("sub" = Uuid, Path)),
    responses((status = 201, body = DocumentDto), (status = 404, body = Problem)))]
pub async fn create_document(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, sub)): Path<(String, String)>,
) -> Result<(StatusCode, Json<DocumentDto>), ApiError> {
    let (child, sub) = ids(&id, &sub)?;
    let document =
        investigations::render_document(&state.db, &state.files, &actor, child, sub).await?;
    Ok((StatusCode::CREATED, Json(DocumentDto::new(&document))))
}

/// One version of barnets plan.
#[derive(Serialize, ToSchema)]
pub struct PlanDto {
    pub id: Uuid,
    pub version: i32,
    /// `draft` or `approved`.
    pub status: String,
    /// The investigation the goals came from.
    pub investigation_id: Option<Uuid>,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub created_by: Option<String>,
    #[schema(format = DateTime)]
    pub approved_at: Option<String>,
    pub approved_by: Option<String>,
}

impl PlanDto {
    fn new(p: &Plan) -> Self {
        PlanDto {
            id: p.id.0,
            version: p.version,
            status: p.status.clone(),
            investigation_id: p.investigation_id.map(|i| i.0),
            created_at: instant(p.created_at),
            created_by: p.created_by_name.clone(),
            approved_at: p.approved_at.map(instant),
            approved_by: p.approved_by_name.clone(),
        }
    }
}

/// A goal of a plan version.
#[derive(Serialize, ToSchema)]
pub struct GoalDto {
    /// The goal's key: the same across versions, so its progress can be followed.
    pub goal_key: Uuid,
    /// The dimension's code.
    pub dimension: String,
    pub dimension_label: Option<&'static str>,
    pub wording: String,
    pub measures: Option<String>,
    #[schema(format = Date)]
    pub target_date: String,
}

impl GoalDto {
    fn new(g: &StoredGoal) -> Self {
        GoalDto {
            goal_key: g.goal_key.0,
            dimension: g.dimension.clone(),
            dimension_label: Dimension::parse(&g.dimension).ok().map(Dimension::label),
            wording: g.wording.clone(),
            measures: g.measures.clone(),
            target_date: g.target_date.to_string(),
        }
    }
}

/// A plan version with its goals.
#[derive(Serialize, ToSchema)]
pub struct PlanVersionDto {
    pub plan: PlanDto,
    pub goals: Vec<GoalDto>,
}

impl PlanVersionDto {
    fn new(plan: &Plan, goals: &[StoredGoal]) -> Self {
        PlanVersionDto {
            plan: PlanDto::new(plan),
            goals: goals.iter().map(GoalDto::new).collect(),
        }
    }
}

/// A goal's score at a follow-up.
#[derive(Serialize, ToSchema)]
pub struct ScoreDto {
    pub goal_key: Uuid,
    /// The goal as its newest version words it.
    pub wording: Option<String>,
    /// 1 (no progress) to 5 (the goal is reached).
    pub score: i32,
}

/// A follow-up (BL § 95) with its scores.
#[derive(Serialize, ToSchema)]
pub struct FollowUpDto {
    pub id: Uuid,
    /// The approved plan version followed up on.
    pub plan_id: Uuid,
    #[schema(format = Date)]
    pub held_on: String,
    pub child_view: Option<String>,
    pub parents_view: Option<String>,
    /// `continue`, `adjust` or `stop`.
    pub decision: String,
    pub decision_label: &'static str,
    #[schema(format = Date)]
    pub next_date: String,
    pub next_reason: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub created_by: Option<String>,
    pub scores: Vec<ScoreDto>,
}

impl FollowUpDto {
    fn new(f: &StoredFollowUp, scores: &[Score], view: &PlanView) -> Self {
        FollowUpDto {
            id: f.id.0,
            plan_id: f.plan_id.0,
            held_on: f.held_on.to_string(),
            child_view: f.child_view.clone(),
            parents_view: f.parents_view.clone(),
            decision: f.decision.clone(),
            decision_label: FollowUpDecision::label_of(&f.decision),
            next_date: f.next_date.to_string(),
            next_reason: f.next_reason.clone(),
            created_at: instant(f.created_at),
            created_by: f.created_by_name.clone(),
            scores: scores
                .iter()
                .filter(|s| s.follow_up_id == f.id)
                .map(|s| ScoreDto {
                    goal_key: s.goal_key.0,
                    wording: view.goal_names.get(&s.goal_key).map(|(_, w)| w.clone()),
                    score: s.score,
                })
                .collect(),
        }
    }
}

/// A concluded investigation a plan can take its goals from.
#[derive(Serialize, ToSchema)]
pub struct ConcludedInvestigationDto {
    pub id: Uuid,
    pub sub_case_id: Uuid,
    pub position: Option<String>,
    #[schema(format = DateTime)]
    pub concluded_at: Option<String>,
}

/// Barnets plan: the versions, the newest version's goals and the follow-ups.
#[derive(Serialize, ToSchema)]
pub struct PlanOverviewDto {
    /// Newest first.
    pub versions: Vec<PlanDto>,
    /// The goals of the newest version.
    pub goals: Vec<GoalDto>,
    /// Oldest first, each with a score per goal.
    pub follow_ups: Vec<FollowUpDto>,
    /// The concluded investigations a plan can be made from, newest first.
    pub investigations: Vec<ConcludedInvestigationDto>,
}

/// The child's plan versions (newest first) with the newest version's goals, the follow-ups with
/// their scores, and the concluded investigations a plan can be made from.
#[utoipa::path(get, path = "/api/v1/children/{id}/plans", tag = "plans",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = PlanOverviewDto), (status = 404, body = Problem)))]
pub async fn get_plans(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<PlanOverviewDto>, ApiError> {
    let view = plans::overview(&state.db, &actor, api_id(&id)?, AccessKind::ApiRead).await?;
    Ok(Json(PlanOverviewDto {
        versions: view.plans.iter().map(PlanDto::new).collect(),
        goals: view.goals.iter().map(GoalDto::new).collect(),
        follow_ups: view
            .follow_ups
            .iter()
            .map(|f| FollowUpDto::new(f, &view.scores, &view))
            .collect(),
        investigations: view
            .investigations
            .iter()
            .map(|i| ConcludedInvestigationDto {
                id: i.id.0,
                sub_case_id: i.sub_case_id.0,
                position: i.position.clone(),
                concluded_at: i.concluded_at.map(instant),
            })
            .collect(),
    }))
}

async fn read_version(
    state: &AppState,
    actor: &vaern_app::Actor,
    child: ChildId,
    version: i32,
) -> Result<PlanVersionDto, ApiError> {
    let (_, plan, goals) =
        plans::version(&state.db, actor, child, version, AccessKind::ApiRead).await?;
    Ok(PlanVersionDto::new(&plan, &goals))
}

/// One version of the plan with its goals.
#[utoipa::path(get, path = "/api/v1/children/{id}/plans/{version}", tag = "plans",
    params(("id" = Uuid, Path), ("version" = i32, Path, description = "Version number")),
    responses((status = 200, body = PlanVersionDto), (status = 404, body = Problem)))]
pub async fn get_plan_version(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<PlanVersionDto>, ApiError> {
    Ok(Json(
        read_version(&state, &actor, api_id(&id)?, api_id(&version)?).await?,
    ))
}

/// A goal as typed.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct GoalBody {
    /// The goal's key when it continues a goal of the version (keeps its follow-up history);
    /// omitted for a new goal.
    pub goal_key: Option<String>,
    /// A dimension code.
    #[schema(schema_with = schema::dimension, required = true)]
    pub dimension: String,
    #[schema(schema_with = schema::text::<2_000>, required = true)]
    pub wording: String,
    #[schema(schema_with = schema::optional_text::<2_000>)]
    pub measures: String,
    /// `YYYY-MM-DD` or `DD.MM.YYYY`, after today.
    #[schema(format = Date, required = true)]
    pub target_date: String,
}

impl GoalBody {
    fn input(&self) -> GoalInput {
        GoalInput {
            dimension: self.dimension.clone(),
            wording: self.wording.clone(),
            measures: self.measures.clone(),
            target_date: self.target_date.clone(),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewPlanBody {
    /// A concluded investigation of the child's case (422 at `investigation` otherwise).
    pub investigation_id: String,
    /// At least one; errors of row `n` are reported at `<field>_<n>`, e.g. `wording_0`.
    pub goals: Vec<GoalBody>,
}

/// Make a draft plan from a concluded investigation with these goals (journalled). Refused while
/// a draft version exists.
#[utoipa::path(post, path = "/api/v1/children/{id}/plans", tag = "plans",
    params(("id" = Uuid, Path)), request_body = NewPlanBody,
    responses((status = 201, body = PlanVersionDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_plan(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewPlanBody>,
) -> Result<(StatusCode, Json<PlanVersionDto>), ApiError> {
    let child: ChildId = api_id(&id)?;
    let rows: Vec<GoalInput> = body.goals.iter().map(GoalBody::input).collect();
    let plan =
        plans::create_from_investigation(&state.db, &actor, child, &body.investigation_id, &rows)
            .await?;
    Ok((
        StatusCode::CREATED,
        Json(read_version(&state, &actor, child, plan.version).await?),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct GoalsBody {
    pub goals: Vec<GoalBody>,
}

/// Replace the goals of a draft version (journalled). An approved version is never changed (422
/// at `plan`): make a new version.
#[utoipa::path(put, path = "/api/v1/children/{id}/plans/{key}/goals", tag = "plans",
    params(("id" = Uuid, Path), ("key" = Uuid, Path, description = "The plan version's id")),
    request_body = GoalsBody,
    responses((status = 200, body = PlanVersionDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_goals(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, key)): Path<(String, String)>,
    ApiJson(body): ApiJson<GoalsBody>,
) -> Result<Json<PlanVersionDto>, ApiError> {
    let (child, plan): (ChildId, PlanId) = (api_id(&id)?, api_id(&key)?);
    let mut errors = FieldErrors::new();
    let mut rows = Vec::new();
    for (row, goal) in body.goals.iter().enumerate() {
        let key = match goal.goal_key.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => match text.parse::<GoalKey>() {
                Ok(key) => Some(key),
                Err(_) => {
                    errors.add(&format!("goal_key_{row}"), "Målets nøgle er ugyldig");
                    None
                }
            },
        };
        rows.push((key, goal.input()));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let plan = plans::update_draft(&state.db, &actor, child, plan, &rows).await?;
    Ok(Json(
        read_version(&state, &actor, child, plan.version).await?,
    ))
}

/// Approve a draft version (who and when are recorded; journalled). Approving twice is 422.
#[utoipa::path(post, path = "/api/v1/children/{id}/plans/{key}/approval", tag = "plans",
    params(("id" = Uuid, Path), ("key" = Uuid, Path, description = "The plan version's id")),
    responses((status = 200, body = PlanVersionDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn approve_plan(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, key)): Path<(String, String)>,
) -> Result<Json<PlanVersionDto>, ApiError> {
    let (child, plan): (ChildId, PlanId) = (api_id(&id)?, api_id(&key)?);
    let plan = plans::approve(&state.db, &actor, child, plan).await?;
    Ok(Json(
        read_version(&state, &actor, child, plan.version).await?,
    ))
}

/// Make a new draft version from the newest approved one, with the same goals and goal keys
/// (journalled). 422 while a draft exists or when nothing is approved.
#[utoipa::path(post, path = "/api/v1/children/{id}/plans/new-version", tag = "plans",
    params(("id" = Uuid, Path)),
    responses((status = 201, body = PlanVersionDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn new_plan_version(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<PlanVersionDto>), ApiError> {
    let child: ChildId = api_id(&id)?;
    let plan = plans::new_version(&state.db, &actor, child).await?;
    Ok((
        StatusCode::CREATED,
        Json(read_version(&state, &actor, child, plan.version).await?),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CompareQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// How one goal differs from one version to the other.
#[derive(Serialize, ToSchema)]
pub struct GoalChangeDto {
    /// `added`, `removed`, `changed` or `same`.
    pub change: &'static str,
    pub goal_key: Uuid,
    /// The goal in the `from` version (absent when added).
    pub before: Option<GoalDto>,
    /// The goal in the `to` version (absent when removed).
    pub after: Option<GoalDto>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanComparisonDto {
    pub from: i32,
    pub to: i32,
    /// In the `to` version's order, removed goals last.
    pub changes: Vec<GoalChangeDto>,
}

/// Compare the goals of two versions by goal key.
#[utoipa::path(get, path = "/api/v1/children/{id}/plans/compare", tag = "plans",
    params(("id" = Uuid, Path),
        ("from" = i32, Query, description = "The earlier version number"),
        ("to" = i32, Query, description = "The later version number")),
    responses((status = 200, body = PlanComparisonDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn compare_plans(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<CompareQuery>,
) -> Result<Json<PlanComparisonDto>, ApiError> {
    let child: ChildId = api_id(&id)?;
    let mut errors = FieldErrors::new();
    let mut version = |field: &str, value: &Option<String>| {
        errors.take(
            field,
            value
                .as_deref()
                .and_then(|v| v.trim().parse::<i32>().ok())
                .ok_or_else(|| "Angiv et versionsnummer for planen".to_owned()),
        )
    };
    let (from, to) = (version("from", &query.from), version("to", &query.to));
    let (Some(from), Some(to)) = (from, to) else {
        // Judge the query only for a child of the own municipality: any other is 404.
        plans::overview(&state.db, &actor, child, AccessKind::ApiRead).await?;
        return Err(AppError::Invalid(errors).into());
    };
    let (_, _, before) =
        plans::version(&state.db, &actor, child, from, AccessKind::ApiRead).await?;
    let (_, _, after) = plans::version(&state.db, &actor, child, to, AccessKind::ApiRead).await?;
    let changes = plans::compare(&before, &after)
        .into_iter()
        .map(|change| match change {
            GoalChange::Added(g) => GoalChangeDto {
                change: "added",
                goal_key: g.goal_key.0,
                before: None,
                after: Some(GoalDto::new(&g)),
            },
            GoalChange::Removed(g) => GoalChangeDto {
                change: "removed",
                goal_key: g.goal_key.0,
                before: Some(GoalDto::new(&g)),
                after: None,
            },
            GoalChange::Changed { before, after } => GoalChangeDto {
                change: "changed",
                goal_key: after.goal_key.0,
                before: Some(GoalDto::new(&before)),
                after: Some(GoalDto::new(&after)),
            },
            GoalChange::Same(g) => GoalChangeDto {
                change: "same",
                goal_key: g.goal_key.0,
                before: Some(GoalDto::new(&g)),
                after: Some(GoalDto::new(&g)),
            },
        })
        .collect();
    Ok(Json(PlanComparisonDto { from, to, changes }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct FollowUpBody {
    pub child_view: String,
    pub parents_view: String,
    /// `continue`, `adjust` or `stop`.
    pub decision: String,
    /// Mandatory (BL § 95, stk. 3), after today: `YYYY-MM-DD` or `DD.MM.YYYY`.
    pub next_date: String,
    /// Why the next follow-up is then; mandatory.
    pub next_reason: String,
    /// A score from 1 to 5 for every goal of the newest approved version, by goal key; a missing
    /// or bad score is 422 at `score_<goal_key>`.
    pub scores: HashMap<String, i64>,
}

/// Record a follow-up of the newest approved plan version (journalled): a score per goal, the
/// parties' views, the decision and the next follow-up with its reason.
#[utoipa::path(post, path = "/api/v1/children/{id}/follow-ups", tag = "plans",
    params(("id" = Uuid, Path)), request_body = FollowUpBody,
    responses((status = 201, body = FollowUpDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_follow_up(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FollowUpBody>,
) -> Result<(StatusCode, Json<FollowUpDto>), ApiError> {
    let child: ChildId = api_id(&id)?;
    let input = FollowUpInput {
        child_view: body.child_view,
        parents_view: body.parents_view,
        decision: body.decision,
        next_date: body.next_date,
        next_reason: body.next_reason,
    };
    let scores: HashMap<String, String> = body
        .scores
        .into_iter()
        .map(|(key, score)| {
            // The key as the app spells it (lower-case, hyphenated), however it was sent.
            let key = key
                .trim()
                .parse::<GoalKey>()
                .map_or_else(|_| key.trim().to_owned(), |k| k.to_string());
            (format!("score_{key}"), score.to_string())
        })
        .collect();
    let stored = plans::record_follow_up(&state.db, &actor, child, &input, &scores).await?;
    let view = plans::overview(&state.db, &actor, child, AccessKind::ApiRead).await?;
    let follow_up = view
        .follow_ups
        .iter()
        .find(|f| f.id == stored.id)
        .ok_or(AppError::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(FollowUpDto::new(follow_up, &view.scores, &view)),
    ))
}
