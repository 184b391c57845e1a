//! `/api/v1/providers`, `/offers`, `/children/{id}/measures`, `/price-updates`,
//! `/payment-runs` and `/economy`: the measures and their economy. Amounts are whole øre.

use crate::routes::Declared;
use axum::{
    Json, Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use vaern_app::economy::{
    measures::{self, Candidate, EndInput, MeasureCost, NewMeasureRequest},
    offers, overview, payments,
    price_updates::{self, PricePlan, PriceUpdateInput},
};
use vaern_domain::economy::{
    measures::MeasureInput,
    money::format_amount,
    offers::{NewOfferInput, NewProviderInput, PricePeriodInput},
};
use vaern_store::{
    access_log::AccessKind,
    measures::Measure,
    offers::{Offer, Provider},
    payments::{PaymentLine, PaymentRun},
};

use super::{ApiActor, dto::Problem, dto::instant};
use crate::{
    AppState,
    errors::ApiError,
    forms::{ApiJson, ApiQuery, api_id},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared(
            "/api/v1/providers",
            get(list_providers).post(create_provider),
        )
        .declared("/api/v1/providers/{provider}/offers", post(create_offer))
        .declared("/api/v1/offers", get(list_offers))
        .declared("/api/v1/offers/{offer}/prices", post(create_price))
        .declared(
            "/api/v1/children/{id}/measures",
            get(list_measures).post(create_measure),
        )
        .declared("/api/v1/children/{id}/measures/simulation", post(simulate))
        .declared(
            "/api/v1/children/{id}/measures/{measure}/approve",
            post(approve_measure),
        )
        .declared(
            "/api/v1/children/{id}/measures/{measure}/start",
            post(start_measure),
        )
        .declared(
            "/api/v1/children/{id}/measures/{measure}/end",
            post(end_measure),
        )
        .declared("/api/v1/measures/awaiting-approval", get(awaiting_approval))
        .declared(
            "/api/v1/price-updates",
            get(list_price_updates).post(create_price_update),
        )
        .declared("/api/v1/price-updates/preview", post(preview_price_update))
        .declared(
            "/api/v1/price-updates/{update}/undo",
            post(undo_price_update),
        )
        .declared(
            "/api/v1/payment-runs",
            get(list_payment_runs).post(create_payment_run),
        )
        .declared("/api/v1/payment-runs/{run}", get(get_payment_run))
        .declared(
            "/api/v1/payment-runs/{run}/export/{format}",
            get(export_payment_run),
        )
        .declared("/api/v1/economy", get(get_economy))
        .declared("/api/v1/economy/budgets", put(put_budget))
        .declared("/api/v1/economy/approval-threshold", put(put_threshold))
}

#[derive(Serialize, ToSchema)]
pub struct ProviderDto {
    pub id: Uuid,
    pub name: String,
    pub cvr: Option<String>,
    /// `foster_family`, `municipal_foster_family`, `residential_institution`,
    /// `residential_home`, `own_room`, `family_treatment`, `contact_person` or `other`.
    pub kind: String,
    pub tilbudsportal_id: Option<String>,
}

impl ProviderDto {
    fn new(p: &Provider) -> Self {
        ProviderDto {
            id: p.id.0,
            name: p.name.clone(),
            cvr: p.cvr.clone(),
            kind: p.kind.clone(),
            tilbudsportal_id: p.tilbudsportal_id.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PriceDto {
    #[schema(format = Date)]
    pub valid_from: String,
    /// Null: until further notice.
    #[schema(format = Date)]
    pub valid_to: Option<String>,
    pub price_ore: i64,
}

#[derive(Serialize, ToSchema)]
pub struct OfferDto {
    pub id: Uuid,
    pub provider_id: Uuid,
    pub provider_name: String,
    pub name: String,
    /// `day`, `week`, `month`, `hour` or `once`.
    pub unit: String,
    pub prices: Vec<PriceDto>,
}

fn offer_dto(o: &Offer, prices: &[vaern_domain::economy::cost::PricePeriod]) -> OfferDto {
    OfferDto {
        id: o.id.0,
        provider_id: o.provider_id.0,
        provider_name: o.provider_name.clone(),
        name: o.name.clone(),
        unit: o.unit.clone(),
        prices: prices
            .iter()
            .map(|p| PriceDto {
                valid_from: p.from.to_string(),
                valid_to: p.to.map(|d| d.to_string()),
                price_ore: p.price_ore,
            })
            .collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProviderList {
    pub items: Vec<ProviderDto>,
}

#[derive(Serialize, ToSchema)]
pub struct OfferList {
    pub items: Vec<OfferDto>,
}

/// The providers.
#[utoipa::path(get, path = "/api/v1/providers", tag = "economy",
    responses((status = 200, body = ProviderList)))]
pub async fn list_providers(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<ProviderList>, ApiError> {
    let c = offers::catalogue(&state.db, &actor).await?;
    Ok(Json(ProviderList {
        items: c.providers.iter().map(ProviderDto::new).collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ProviderBody {
    pub name: String,
    /// Eight digits (modulus-11 checked); optional.
    pub cvr: String,
    pub kind: String,
    pub tilbudsportal_id: String,
}

/// Add a provider (finance staff).
#[utoipa::path(post, path = "/api/v1/providers", tag = "economy", request_body = ProviderBody,
    responses((status = 201, body = ProviderDto), (status = 422, body = Problem)))]
pub async fn create_provider(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<ProviderBody>,
) -> Result<(StatusCode, Json<ProviderDto>), ApiError> {
    let input = NewProviderInput {
        name: b.name,
        cvr: b.cvr,
        kind: b.kind,
        tilbudsportal_id: b.tilbudsportal_id,
    };
    let p = offers::add_provider(&state.db, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(ProviderDto::new(&p))))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct OfferBody {
    pub name: String,
    /// `day`, `week`, `month`, `hour` or `once`.
    pub unit: String,
}

/// Add an offer to a provider (finance staff).
#[utoipa::path(post, path = "/api/v1/providers/{provider}/offers", tag = "economy",
    params(("provider" = Uuid, Path)), request_body = OfferBody,
    responses((status = 201, body = OfferDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_offer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(provider): Path<String>,
    ApiJson(b): ApiJson<OfferBody>,
) -> Result<(StatusCode, Json<OfferDto>), ApiError> {
    let o = offers::add_offer(
        &state.db,
        &actor,
        api_id(&provider)?,
        &NewOfferInput {
            name: b.name,
            unit: b.unit,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(offer_dto(&o, &[]))))
}

/// The offers with their price periods.
#[utoipa::path(get, path = "/api/v1/offers", tag = "economy",
    responses((status = 200, body = OfferList)))]
pub async fn list_offers(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<OfferList>, ApiError> {
    let c = offers::catalogue(&state.db, &actor).await?;
    Ok(Json(OfferList {
        items: c
            .offers
            .iter()
            .map(|o| offer_dto(o, &c.prices_of(o.id)))
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PriceBody {
    #[schema(format = Date)]
    pub valid_from: String,
    /// Empty or absent: until further notice.
    #[schema(format = Date)]
    pub valid_to: String,
    pub price_ore: i64,
}

/// Add a price period to an offer; refused if it overlaps another (finance staff).
#[utoipa::path(post, path = "/api/v1/offers/{offer}/prices", tag = "economy",
    params(("offer" = Uuid, Path)), request_body = PriceBody,
    responses((status = 201, body = Vec<PriceDto>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_price(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(offer): Path<String>,
    ApiJson(b): ApiJson<PriceBody>,
) -> Result<(StatusCode, Json<Vec<PriceDto>>), ApiError> {
    let input = PricePeriodInput {
        valid_from: b.valid_from,
        valid_to: b.valid_to,
        price: format_amount(b.price_ore),
    };
    let prices = offers::add_price(&state.db, &actor, api_id(&offer)?, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            prices
                .iter()
                .map(|p| PriceDto {
                    valid_from: p.valid_from.to_string(),
                    valid_to: p.valid_to.map(|d| d.to_string()),
                    price_ore: p.price_ore,
                })
                .collect(),
        ),
    ))
}

#[derive(Serialize, ToSchema, Default)]
pub struct CostDto {
    pub total_ore: i64,
    pub this_year_ore: i64,
    pub next_year_ore: i64,
    pub first_year_ore: i64,
    /// Average per 30 days.
    pub per_month_ore: i64,
    /// Days of the period without a valid price (not counted).
    pub unpriced_days: i64,
}

impl CostDto {
    fn new(c: &MeasureCost) -> Self {
        CostDto {
            total_ore: c.total.ore,
            this_year_ore: c.this_year,
            next_year_ore: c.next_year,
            first_year_ore: c.first_year,
            per_month_ore: c.per_month,
            unpriced_days: c.total.unpriced_days,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeasureDto {
    pub id: Uuid,
    pub version: i32,
    pub offer_id: Uuid,
    pub offer_name: String,
    pub provider_name: String,
    pub legal_basis: String,
    pub measure_group: String,
    /// Hundredths (150 = 1,5).
    pub quantity: i64,
    pub hours_per: String,
    #[schema(format = Date)]
    pub starts_on: String,
    #[schema(format = Date)]
    pub ends_on: String,
    #[schema(format = Date)]
    pub ended_on: Option<String>,
    pub purpose: String,
    /// `planned`, `approved`, `active` or `ended`.
    pub status: String,
    pub end_reason: Option<String>,
    pub goal_keys: Vec<Uuid>,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub cost: Option<CostDto>,
}

fn measure_dto(m: &Measure, cost: Option<&MeasureCost>) -> MeasureDto {
    MeasureDto {
        id: m.id.0,
        version: m.version,
        offer_id: m.offer_id.0,
        offer_name: m.offer_name.clone(),
        provider_name: m.provider_name.clone(),
        legal_basis: m.legal_basis.clone(),
        measure_group: m.measure_group.clone(),
        quantity: m.quantity,
        hours_per: m.hours_per.clone(),
        starts_on: m.starts_on.to_string(),
        ends_on: m.ends_on.to_string(),
        ended_on: m.ended_on.map(|d| d.to_string()),
        purpose: m.purpose.clone(),
        status: m.status.clone(),
        end_reason: m.end_reason.clone(),
        goal_keys: m.goals.iter().map(|g| g.0).collect(),
        created_at: instant(m.created_at),
        cost: cost.map(CostDto::new),
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeasureList {
    pub items: Vec<MeasureDto>,
    /// Approved, running and ended measures together.
    pub committed: CostDto,
}

/// The child's measures with their cost (access-logged).
#[utoipa::path(get, path = "/api/v1/children/{id}/measures", tag = "economy",
    params(("id" = Uuid, Path)), responses((status = 200, body = MeasureList), (status = 404, body = Problem)))]
pub async fn list_measures(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<MeasureList>, ApiError> {
    let view = measures::for_child(&state.db, &actor, api_id(&id)?, AccessKind::ApiRead).await?;
    Ok(Json(MeasureList {
        items: view
            .rows
            .iter()
            .map(|r| measure_dto(&r.measure, Some(&r.cost)))
            .collect(),
        committed: CostDto::new(&view.committed),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct MeasureBody {
    /// A paragraph id, e.g. `bl32_1_3`, `bl46`, `bl114`.
    pub legal_basis: String,
    pub offer_id: String,
    /// `1`, `7,5`.
    pub quantity: String,
    /// `week` or `month` (hourly offers).
    pub hours_per: String,
    #[schema(format = Date)]
    pub starts_on: String,
    /// The expected end (BL § 32, stk. 3).
    #[schema(format = Date)]
    pub ends_on: String,
    pub purpose: String,
    /// Goal keys of the child's current plan.
    pub goals: Vec<String>,
}

/// Plan a measure on the child's case (journalled).
#[utoipa::path(post, path = "/api/v1/children/{id}/measures", tag = "economy",
    params(("id" = Uuid, Path)), request_body = MeasureBody,
    responses((status = 201, body = MeasureDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_measure(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MeasureBody>,
) -> Result<(StatusCode, Json<MeasureDto>), ApiError> {
    let request = NewMeasureRequest {
        measure: MeasureInput {
            legal_basis: b.legal_basis,
            offer_id: b.offer_id,
            quantity: b.quantity,
            hours_per: b.hours_per,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
            purpose: b.purpose,
        },
        goals: b.goals,
    };
    let m = measures::create(&state.db, &actor, api_id(&id)?, &request).await?;
    Ok((StatusCode::CREATED, Json(measure_dto(&m, None))))
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CandidateBody {
    pub offer_id: String,
    pub quantity: String,
    pub hours_per: String,
    #[schema(format = Date)]
    pub starts_on: String,
    #[schema(format = Date)]
    pub ends_on: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SimulationBody {
    pub candidates: Vec<CandidateBody>,
}

#[derive(Serialize, ToSchema)]
pub struct SimulatedDto {
    pub label: String,
    pub cost: Option<CostDto>,
    pub errors: Vec<super::dto::FieldErrorDto>,
}

#[derive(Serialize, ToSchema)]
pub struct SimulationDto {
    pub committed: CostDto,
    pub candidates: Vec<SimulatedDto>,
    pub total: CostDto,
}

/// The expected cost of the child's committed measures plus candidates; nothing is stored.
#[utoipa::path(post, path = "/api/v1/children/{id}/measures/simulation", tag = "economy",
    params(("id" = Uuid, Path)), request_body = SimulationBody,
    responses((status = 200, body = SimulationDto), (status = 404, body = Problem)))]
pub async fn simulate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SimulationBody>,
) -> Result<Json<SimulationDto>, ApiError> {
    let candidates: Vec<Candidate> = b
        .candidates
        .into_iter()
        .map(|c| Candidate {
            offer_id: c.offer_id,
            quantity: c.quantity,
            hours_per: c.hours_per,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
        })
        .collect();
    let sim = measures::simulate(
        &state.db,
        &actor,
        api_id(&id)?,
        &candidates,
        AccessKind::ApiRead,
    )
    .await?;
    Ok(Json(SimulationDto {
        committed: CostDto::new(&sim.committed),
        candidates: sim
            .candidates
            .iter()
            .map(|r| SimulatedDto {
                label: r.label.clone(),
                cost: r.cost.as_ref().ok().map(CostDto::new),
                errors: r
                    .cost
                    .as_ref()
                    .err()
                    .map(|e| {
                        e.iter()
                            .map(|e| super::dto::FieldErrorDto {
                                field: e.field.clone(),
                                message: e.message.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        total: CostDto::new(&sim.total),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct VersionBody {
    /// The version read: a change made meanwhile answers 409.
    pub version: i32,
}

/// Approve a planned measure (kompetenceplan: above the threshold a team lead, never their own).
#[utoipa::path(post, path = "/api/v1/children/{id}/measures/{measure}/approve", tag = "economy",
    params(("id" = Uuid, Path), ("measure" = Uuid, Path)), request_body = VersionBody,
    responses((status = 200, body = MeasureDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn approve_measure(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, measure)): Path<(String, String)>,
    ApiJson(b): ApiJson<VersionBody>,
) -> Result<Json<MeasureDto>, ApiError> {
    let m = measures::approve(
        &state.db,
        &actor,
        api_id(&id)?,
        api_id(&measure)?,
        b.version,
    )
    .await?;
    Ok(Json(measure_dto(&m, None)))
}

/// Start an approved measure: opens its follow-up sub-case and deadline (BL § 95, stk. 2).
#[utoipa::path(post, path = "/api/v1/children/{id}/measures/{measure}/start", tag = "economy",
    params(("id" = Uuid, Path), ("measure" = Uuid, Path)), request_body = VersionBody,
    responses((status = 200, body = MeasureDto), (status = 409, body = Problem)))]
pub async fn start_measure(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, measure)): Path<(String, String)>,
    ApiJson(b): ApiJson<VersionBody>,
) -> Result<Json<MeasureDto>, ApiError> {
    let m = measures::start(
        &state.db,
        &actor,
        api_id(&id)?,
        api_id(&measure)?,
        b.version,
    )
    .await?;
    Ok(Json(measure_dto(&m, None)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct EndBody {
    pub version: i32,
    /// The last day (a running measure).
    #[schema(format = Date)]
    pub ended_on: String,
    pub reason: String,
}

/// End a measure with its reason.
#[utoipa::path(post, path = "/api/v1/children/{id}/measures/{measure}/end", tag = "economy",
    params(("id" = Uuid, Path), ("measure" = Uuid, Path)), request_body = EndBody,
    responses((status = 200, body = MeasureDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn end_measure(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, measure)): Path<(String, String)>,
    ApiJson(b): ApiJson<EndBody>,
) -> Result<Json<MeasureDto>, ApiError> {
    let input = EndInput {
        ended_on: b.ended_on,
        reason: b.reason,
    };
    let m = measures::end(
        &state.db,
        &actor,
        api_id(&id)?,
        api_id(&measure)?,
        b.version,
        &input,
    )
    .await?;
    Ok(Json(measure_dto(&m, None)))
}

#[derive(Serialize, ToSchema)]
pub struct AwaitingDto {
    pub child_id: Uuid,
    pub child_name: String,
    pub measure: MeasureDto,
}

/// The team lead's approval queue (the children listed are access-logged).
#[utoipa::path(get, path = "/api/v1/measures/awaiting-approval", tag = "economy",
    responses((status = 200, body = Vec<AwaitingDto>)))]
pub async fn awaiting_approval(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<AwaitingDto>>, ApiError> {
    let (queue, _) = measures::approval_queue(&state.db, &actor, AccessKind::ApiRead).await?;
    Ok(Json(
        queue
            .iter()
            .map(|a| AwaitingDto {
                child_id: a.measure.child_id.0,
                child_name: a.measure.child_name.clone(),
                measure: measure_dto(&a.measure, Some(&a.cost)),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PriceUpdateBody {
    pub offer_ids: Vec<String>,
    #[schema(format = Date)]
    pub effective_from: String,
    /// `percent` or `amount`.
    pub mode: String,
    /// `2,5`; may be negative.
    pub percent: String,
    /// The new price in øre (`amount` mode).
    pub amount_ore: Option<i64>,
    pub description: String,
}

impl PriceUpdateBody {
    fn input(self) -> PriceUpdateInput {
        PriceUpdateInput {
            offer_ids: self.offer_ids,
            effective_from: self.effective_from,
            mode: self.mode,
            percent: self.percent,
            amount: self.amount_ore.map(format_amount).unwrap_or_default(),
            description: self.description,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OfferChangeDto {
    pub offer_id: Uuid,
    pub old_price_ore: i64,
    pub new_price_ore: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CaseEffectDto {
    pub case_number: String,
    pub measures: usize,
    pub before_ore: i64,
    pub after_ore: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PricePlanDto {
    /// The update made; null for a preview.
    pub id: Option<Uuid>,
    #[schema(format = Date)]
    pub effective_from: String,
    pub changes: Vec<OfferChangeDto>,
    /// Offers left out and why.
    pub skipped: Vec<String>,
    pub cases: Vec<CaseEffectDto>,
    pub total_before_ore: i64,
    pub total_after_ore: i64,
}

fn plan_dto(id: Option<Uuid>, p: &PricePlan) -> PricePlanDto {
    PricePlanDto {
        id,
        effective_from: p.effective_from.to_string(),
        changes: p
            .changes
            .iter()
            .map(|c| OfferChangeDto {
                offer_id: c.offer.id.0,
                old_price_ore: c.period.price_ore,
                new_price_ore: c.new_price,
            })
            .collect(),
        skipped: p
            .skipped
            .iter()
            .map(|(o, why)| format!("{} {why}", o.name))
            .collect(),
        cases: p
            .cases
            .iter()
            .map(|c| CaseEffectDto {
                case_number: c.case_number.clone(),
                measures: c.measures,
                before_ore: c.before,
                after_ore: c.after,
            })
            .collect(),
        total_before_ore: p.total_before,
        total_after_ore: p.total_after,
    }
}

/// Preview a price update: nothing is changed.
#[utoipa::path(post, path = "/api/v1/price-updates/preview", tag = "economy", request_body = PriceUpdateBody,
    responses((status = 200, body = PricePlanDto), (status = 422, body = Problem)))]
pub async fn preview_price_update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<PriceUpdateBody>,
) -> Result<Json<PricePlanDto>, ApiError> {
    let plan = price_updates::preview(&state.db, &actor, &b.input(), AccessKind::ApiRead).await?;
    Ok(Json(plan_dto(None, &plan)))
}

/// Apply a price update in one transaction, journalled on every affected case.
#[utoipa::path(post, path = "/api/v1/price-updates", tag = "economy", request_body = PriceUpdateBody,
    responses((status = 201, body = PricePlanDto), (status = 422, body = Problem)))]
pub async fn create_price_update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<PriceUpdateBody>,
) -> Result<(StatusCode, Json<PricePlanDto>), ApiError> {
    let (id, plan) =
        price_updates::apply(&state.db, &actor, &b.input(), AccessKind::ApiRead).await?;
    Ok((StatusCode::CREATED, Json(plan_dto(Some(id.0), &plan))))
}

/// Undo a price update by a new update restoring the old prices.
#[utoipa::path(post, path = "/api/v1/price-updates/{update}/undo", tag = "economy",
    params(("update" = Uuid, Path)),
    responses((status = 201, body = PricePlanDto), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn undo_price_update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(update): Path<String>,
) -> Result<(StatusCode, Json<PricePlanDto>), ApiError> {
    let (id, plan) =
        price_updates::undo(&state.db, &actor, api_id(&update)?, AccessKind::ApiRead).await?;
    Ok((StatusCode::CREATED, Json(plan_dto(Some(id.0), &plan))))
}

#[derive(Serialize, ToSchema)]
pub struct PriceUpdateDto {
    pub id: Uuid,
    #[schema(format = Date)]
    pub effective_from: String,
    pub description: String,
    pub undoes: Option<Uuid>,
    pub undone: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// The price updates, newest first.
#[utoipa::path(get, path = "/api/v1/price-updates", tag = "economy",
    responses((status = 200, body = Vec<PriceUpdateDto>)))]
pub async fn list_price_updates(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<PriceUpdateDto>>, ApiError> {
    let list = price_updates::history(&state.db, &actor).await?;
    Ok(Json(
        list.iter()
            .map(|u| PriceUpdateDto {
                id: u.id.0,
                effective_from: u.effective_from.to_string(),
                description: u.description.clone(),
                undoes: u.undoes.map(|i| i.0),
                undone: u.undone,
                created_at: instant(u.created_at),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct PaymentRunDto {
    pub id: Uuid,
    /// `YYYY-MM`.
    pub period: String,
    pub line_count: i32,
    pub total_ore: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
}

fn run_dto(r: &PaymentRun) -> PaymentRunDto {
    PaymentRunDto {
        id: r.id.0,
        period: r.period.clone(),
        line_count: r.line_count,
        total_ore: r.total_ore,
        created_at: instant(r.created_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct PaymentLineDto {
    pub id: Uuid,
    pub measure_id: Uuid,
    pub provider_name: String,
    pub case_number: String,
    /// `payment` or `correction`.
    pub kind: String,
    pub amount_ore: i64,
    pub account: String,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentRunDetail {
    pub run: PaymentRunDto,
    pub lines: Vec<PaymentLineDto>,
}

fn line_dto(l: &PaymentLine) -> PaymentLineDto {
    PaymentLineDto {
        id: l.id.0,
        measure_id: l.measure_id.0,
        provider_name: l.provider_name.clone(),
        case_number: l.case_number.clone(),
        kind: l.kind.clone(),
        amount_ore: l.amount_ore,
        account: l.account.clone(),
        text: l.text.clone(),
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PaymentRunBody {
    /// `YYYY-MM`.
    pub period: String,
}

/// Run payments for a month; a second run for the same month pays only corrections.
#[utoipa::path(post, path = "/api/v1/payment-runs", tag = "economy", request_body = PaymentRunBody,
    responses((status = 201, body = PaymentRunDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_payment_run(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<PaymentRunBody>,
) -> Result<(StatusCode, Json<PaymentRunDto>), ApiError> {
    let run = payments::run(&state.db, &actor, &b.period).await?;
    Ok((StatusCode::CREATED, Json(run_dto(&run))))
}

/// The payment runs, newest first.
#[utoipa::path(get, path = "/api/v1/payment-runs", tag = "economy",
    responses((status = 200, body = Vec<PaymentRunDto>)))]
pub async fn list_payment_runs(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<PaymentRunDto>>, ApiError> {
    Ok(Json(
        payments::runs(&state.db, &actor)
            .await?
            .iter()
            .map(run_dto)
            .collect(),
    ))
}

/// A payment run with its lines.
#[utoipa::path(get, path = "/api/v1/payment-runs/{run}", tag = "economy", params(("run" = Uuid, Path)),
    responses((status = 200, body = PaymentRunDetail), (status = 404, body = Problem)))]
pub async fn get_payment_run(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(run): Path<String>,
) -> Result<Json<PaymentRunDetail>, ApiError> {
    let (run, lines) =
        payments::run_with_lines(&state.db, &actor, api_id(&run)?, AccessKind::ApiRead).await?;
    Ok(Json(PaymentRunDetail {
        run: run_dto(&run),
        lines: lines.iter().map(line_dto).collect(),
    }))
}

/// The run as a file for the finance system: `csv` (Værn betalingsfil v1) or `fixed`
/// (fixed-width, ISO-8859-1); both documented in the integrations README.
#[utoipa::path(get, path = "/api/v1/payment-runs/{run}/export/{format}", tag = "economy",
    params(("run" = Uuid, Path), ("format" = String, Path)),
    responses((status = 200, description = "The file"), (status = 404, body = Problem)))]
pub async fn export_payment_run(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((run, format)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let file = payments::export(&state.db, &actor, api_id(&run)?, &format).await?;
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.file_name),
            ),
        ],
        file.bytes,
    )
        .into_response())
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct EconomyQuery {
    pub year: Option<i32>,
    pub team_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AreaDto {
    /// The budget area code; null for the total.
    pub measure_group: Option<String>,
    pub to_date_ore: i64,
    pub committed_ore: i64,
    pub forecast_ore: i64,
    pub budget_ore: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EconomyDto {
    pub year: i32,
    pub team_id: Option<Uuid>,
    pub areas: Vec<AreaDto>,
    pub total: AreaDto,
    /// Committed cost per month, January first.
    pub months_ore: Vec<i64>,
    pub approval_threshold_ore: Option<i64>,
}

fn area_dto(a: &overview::AreaLine) -> AreaDto {
    AreaDto {
        measure_group: a.group.map(|g| g.code().to_owned()),
        to_date_ore: a.to_date,
        committed_ore: a.committed,
        forecast_ore: a.forecast,
        budget_ore: a.budget,
    }
}

/// The economy overview for the municipality or a team (aggregates only).
#[utoipa::path(get, path = "/api/v1/economy", tag = "economy", params(EconomyQuery),
    responses((status = 200, body = EconomyDto), (status = 404, body = Problem, description = "No such team"),
        (status = 422, body = Problem)))]
pub async fn get_economy(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<EconomyQuery>,
) -> Result<Json<EconomyDto>, ApiError> {
    let team = match q.team_id.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(api_id(raw)?),
    };
    let o = overview::overview(&state.db, &actor, q.year, team).await?;
    Ok(Json(EconomyDto {
        year: o.year,
        team_id: o.team.as_ref().map(|t| t.id.0),
        areas: o.areas.iter().map(area_dto).collect(),
        total: area_dto(&o.total),
        months_ore: o.months.to_vec(),
        approval_threshold_ore: o.threshold,
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct BudgetBody {
    pub year: i32,
    pub measure_group: String,
    pub amount_ore: i64,
}

/// Set an area's budget for a year (finance staff).
#[utoipa::path(put, path = "/api/v1/economy/budgets", tag = "economy", request_body = BudgetBody,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn put_budget(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<BudgetBody>,
) -> Result<StatusCode, ApiError> {
    let input = overview::BudgetInput {
        year: b.year.to_string(),
        measure_group: b.measure_group,
        amount: format_amount(b.amount_ore),
    };
    overview::set_budget(&state.db, &actor, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ThresholdBody {
    pub amount_ore: i64,
}

/// Set the kompetenceplan's threshold (finance staff).
#[utoipa::path(put, path = "/api/v1/economy/approval-threshold", tag = "economy", request_body = ThresholdBody,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn put_threshold(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<ThresholdBody>,
) -> Result<StatusCode, ApiError> {
    overview::set_threshold(&state.db, &actor, &format_amount(b.amount_ore)).await?;
    Ok(StatusCode::NO_CONTENT)
}
