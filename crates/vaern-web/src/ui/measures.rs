//! The child page's «Indsatser og økonomi» tab: the measures with their cost, the live cost
//! simulation of candidate measures (htmx, no page reload), planning a measure, and approving,
//! starting and ending one; and the team lead's approval queue.

use crate::routes::Declared;
use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use vaern_app::{
    AppError,
    economy::measures::{
        self, Candidate, EndInput, MeasureCost, MeasureRow, NewMeasureRequest, Simulation, extent,
        offer_label,
    },
};
use vaern_domain::{
    FieldErrors,
    dates::format_date,
    economy::{
        cost::{HoursPer, duration_text},
        measures::{MeasureInput, MeasureStatus, legal_bases},
        money::{format_kroner, format_whole_kroner},
    },
    law::paragraph,
};
use vaern_store::{ChildId, MeasureId, access_log::AccessKind};

use super::{
    Layout, Page,
    views::{ChildView, Choice},
};
use crate::{
    AppState,
    errors::{UiError, render},
    forms::{FormView, UiForm, parse_id},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/boern/{id}/indsatser", get(show).post(create))
        .declared("/boern/{id}/indsatser/simulering", post(simulate))
        .declared("/boern/{id}/indsatser/{measure}/godkend", post(approve))
        .declared("/boern/{id}/indsatser/{measure}/igangsaet", post(start))
        .declared("/boern/{id}/indsatser/{measure}/afslut", post(end))
        .declared("/godkendelser", get(queue))
}

/// Costs as the page shows them.
pub(super) struct CostView {
    this_year: String,
    next_year: String,
    per_month: String,
    total: String,
    first_year: String,
    unpriced_days: i64,
}

impl CostView {
    pub(super) fn new(c: &MeasureCost) -> Self {
        CostView {
            this_year: format_whole_kroner(c.this_year),
            next_year: format_whole_kroner(c.next_year),
            per_month: format_whole_kroner(c.per_month),
            total: format_whole_kroner(c.total.ore),
            first_year: format_whole_kroner(c.first_year),
            unpriced_days: c.total.unpriced_days,
        }
    }
}

struct MeasureView {
    id: String,
    version: i32,
    offer: String,
    basis: String,
    period: String,
    extent: String,
    purpose: String,
    status: &'static str,
    status_code: String,
    detail: String,
    cost: CostView,
    needs_lead: bool,
    goals: Vec<String>,
    f_end: String,
    f_reason: String,
}

impl MeasureView {
    fn new(row: &MeasureRow, goal_names: &[(vaern_store::GoalKey, String)]) -> Self {
        let m = &row.measure;
        let detail = match MeasureStatus::parse(&m.status) {
            Some(MeasureStatus::Ended) => format!(
                "Afsluttet{}: {}",
                m.ended_on
                    .filter(|d| *d >= m.starts_on)
                    .map(|d| format!(" med sidste dag {}", format_date(d)))
                    .unwrap_or_default(),
                m.end_reason.as_deref().unwrap_or("")
            ),
            Some(MeasureStatus::Approved | MeasureStatus::Active) => format!(
                "Godkendt af {}",
                m.approved_by_name.as_deref().unwrap_or("ukendt")
            ),
            _ => format!(
                "Planlagt af {}",
                m.created_by_name.as_deref().unwrap_or("ukendt")
            ),
        };
        MeasureView {
            id: m.id.to_string(),
            version: m.version,
            offer: format!("{} ({})", m.offer_name, m.provider_name),
            basis: paragraph(&m.legal_basis)
                .map_or(m.legal_basis.clone(), |p| p.citation.to_owned()),
            period: format!(
                "{} – {} ({})",
                format_date(m.starts_on),
                format_date(m.ends_on),
                duration_text(m.starts_on, m.ends_on)
            ),
            extent: extent(m),
            purpose: m.purpose.clone(),
            status: MeasureStatus::label_of(&m.status),
            status_code: m.status.clone(),
            detail,
            cost: CostView::new(&row.cost),
            needs_lead: row.needs_lead,
            goals: m
                .goals
                .iter()
                .filter_map(|k| {
                    goal_names
                        .iter()
                        .find(|(g, _)| g == k)
                        .map(|(_, w)| w.clone())
                })
                .collect(),
            f_end: format!("ended_on_{}", m.id),
            f_reason: format!("reason_{}", m.id),
        }
    }
}

/// One bar of the month chart, with its table twin.
pub(super) struct MonthBar {
    pub label: &'static str,
    pub amount: String,
    pub x: i64,
    pub y: i64,
    pub height: i64,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec",
];

/// Bars for 12 monthly amounts in a 600 × 200 chart.
pub(super) fn month_bars(months: &[i64; 12]) -> Vec<MonthBar> {
    let max = months.iter().copied().max().unwrap_or(0).max(1);
    months
        .iter()
        .enumerate()
        .map(|(i, &amount)| {
            let height = amount.max(0) * 180 / max;
            MonthBar {
                label: MONTHS[i],
                amount: format_whole_kroner(amount),
                x: 20 + i as i64 * 48,
                y: 190 - height,
                height,
            }
        })
        .collect()
}

struct CandidateRow {
    index: usize,
    label: String,
    offer_id: String,
    quantity: String,
    hours_per: String,
    starts_on: String,
    ends_on: String,
    cost: Option<CostView>,
    errors: Vec<String>,
}

/// The simulation block: the candidates as hidden fields, their costs and the totals.
#[derive(Template)]
#[template(path = "measure_simulation.html")]
struct SimulationBlock {
    child_id: String,
    csrf: String,
    year: i32,
    offers: Vec<Choice>,
    hours_per: Vec<Choice>,
    candidates: Vec<CandidateRow>,
    committed: CostView,
    total: CostView,
    form: FormView,
}

#[derive(Template)]
#[template(path = "child_measures.html")]
struct MeasuresPage {
    layout: Layout,
    child: ChildView,
    tab: &'static str,
    notice: Option<String>,
    year: i32,
    measures: Vec<MeasureView>,
    committed: CostView,
    bars: Vec<MonthBar>,
    threshold: Option<String>,
    offers: Vec<Choice>,
    bases: Vec<Choice>,
    hours_per: Vec<Choice>,
    goals: Vec<(String, String, bool)>,
    form: FormView,
    action_error: Option<String>,
    simulation: SimulationBlock,
}

fn hours_per_choices() -> Vec<Choice> {
    HoursPer::ALL
        .iter()
        .map(|h| Choice::new(h.code(), h.label()))
        .collect()
}

fn simulation_block(
    page: &Page,
    child: ChildId,
    offers: Vec<Choice>,
    candidates: &[Candidate],
    simulation: &Simulation,
    form: FormView,
) -> SimulationBlock {
    SimulationBlock {
        child_id: child.to_string(),
        csrf: page.csrf.clone(),
        year: simulation.year,
        offers,
        hours_per: hours_per_choices(),
        candidates: candidates
            .iter()
            .zip(&simulation.candidates)
            .enumerate()
            .map(|(index, (c, row))| CandidateRow {
                index,
                label: row.label.clone(),
                offer_id: c.offer_id.clone(),
                quantity: c.quantity.clone(),
                hours_per: c.hours_per.clone(),
                starts_on: c.starts_on.clone(),
                ends_on: c.ends_on.clone(),
                cost: row.cost.as_ref().ok().map(CostView::new),
                errors: row
                    .cost
                    .as_ref()
                    .err()
                    .map(|e| e.iter().map(|e| e.message.clone()).collect())
                    .unwrap_or_default(),
            })
            .collect(),
        committed: CostView::new(&simulation.committed),
        total: CostView::new(&simulation.total),
        form,
    }
}

async fn page_with(
    state: &AppState,
    page: &Page,
    id: ChildId,
    notice: Option<String>,
    form: FormView,
    action_error: Option<String>,
) -> Result<MeasuresPage, UiError> {
    let view = measures::for_child(&state.db, &page.actor, id, AccessKind::View).await?;
    // No candidates yet: the simulation starts from what is committed.
    let simulation = Simulation {
        year: view.year,
        committed: view.committed,
        candidates: Vec::new(),
        total: view.committed,
    };
    let offers: Vec<Choice> = view
        .offers
        .iter()
        .map(|o| Choice::new(o.id, offer_label(o)))
        .collect();
    let chosen: Vec<String> = form.value("goals").split(',').map(str::to_owned).collect();
    Ok(MeasuresPage {
        layout: page.layout(format!("Indsatser og økonomi – {}", view.child.full_name())),
        child: ChildView::new(&view.child),
        tab: "indsatser",
        notice,
        year: view.year,
        measures: view
            .rows
            .iter()
            .map(|r| MeasureView::new(r, &view.goals))
            .collect(),
        committed: CostView::new(&view.committed),
        bars: month_bars(&view.months),
        threshold: view.threshold.map(format_kroner),
        simulation: simulation_block(
            page,
            id,
            offers.clone(),
            &[],
            &simulation,
            FormView::default(),
        ),
        offers,
        bases: legal_bases()
            .map(|p| Choice::new(p.id, format!("{} – {}", p.citation, p.title)))
            .collect(),
        hours_per: hours_per_choices(),
        goals: view
            .goals
            .iter()
            .map(|(k, w)| (k.to_string(), w.clone(), chosen.contains(&k.to_string())))
            .collect(),
        form,
        action_error,
    })
}

#[derive(Deserialize)]
struct NoticeQuery {
    #[serde(default)]
    besked: String,
}

fn notice(code: &str) -> Option<String> {
    match code {
        "planlagt" => Some("Indsatsen er planlagt og noteret i journalen."),
        "godkendt" => Some("Indsatsen er godkendt og noteret i journalen."),
        "igangsat" => Some("Indsatsen er igangsat; opfølgningsfristen er startet."),
        "afsluttet" => Some("Indsatsen er afsluttet og noteret i journalen."),
        _ => None,
    }
    .map(str::to_owned)
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let view = page_with(
        &state,
        &page,
        id,
        notice(&q.besked),
        FormView::default(),
        None,
    )
    .await?;
    Ok(render(&view).into_response())
}

/// A form's pairs; repeated names (the goals) joined by commas for re-rendering.
fn pairs_form(pairs: &[(String, String)], errors: FieldErrors) -> FormView {
    let mut form = FormView::new([], errors);
    let mut goals = Vec::new();
    for (k, v) in pairs {
        if k == "goals" {
            goals.push(v.clone());
        } else {
            form.insert(k.clone(), v.clone());
        }
    }
    form.insert("goals".into(), goals.join(","));
    form
}

fn value(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let id: ChildId = parse_id(&id)?;
    let request = NewMeasureRequest {
        measure: MeasureInput {
            legal_basis: value(&pairs, "legal_basis"),
            offer_id: value(&pairs, "offer_id"),
            quantity: value(&pairs, "quantity"),
            hours_per: value(&pairs, "hours_per"),
            starts_on: value(&pairs, "starts_on"),
            ends_on: value(&pairs, "ends_on"),
            purpose: value(&pairs, "purpose"),
        },
        goals: pairs
            .iter()
            .filter(|(k, _)| k == "goals")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    match measures::create(&state.db, &page.actor, id, &request).await {
        Ok(_) => Ok(back(id, "planlagt")),
        Err(AppError::Invalid(errors)) => {
            let view = page_with(&state, &page, id, None, pairs_form(&pairs, errors), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn back(id: ChildId, besked: &str) -> Response {
    Redirect::to(&format!("/boern/{id}/indsatser?besked={besked}")).into_response()
}

/// The candidates of a posted simulation form, with one added or removed as asked.
fn candidates(pairs: &[(String, String)]) -> (Vec<Candidate>, FormView) {
    let field = |name: &str, i: usize| value(pairs, &format!("c{i}_{name}"));
    let mut indices: Vec<usize> = pairs
        .iter()
        .filter_map(|(k, _)| k.strip_prefix('c')?.strip_suffix("_offer_id")?.parse().ok())
        .collect();
    indices.sort_unstable();
    indices.dedup();
    let remove: Option<usize> = value(pairs, "remove").parse().ok();
    let mut list: Vec<Candidate> = indices
        .into_iter()
        .filter(|i| Some(*i) != remove)
        .map(|i| Candidate {
            offer_id: field("offer_id", i),
            quantity: field("quantity", i),
            hours_per: field("hours_per", i),
            starts_on: field("starts_on", i),
            ends_on: field("ends_on", i),
        })
        .collect();
    let mut form = FormView::default();
    if value(pairs, "action") == "add" {
        list.push(Candidate {
            offer_id: value(pairs, "offer_id"),
            quantity: value(pairs, "quantity"),
            hours_per: value(pairs, "hours_per"),
            starts_on: value(pairs, "starts_on"),
            ends_on: value(pairs, "ends_on"),
        });
    } else {
        // Keep what was typed in the new candidate's fields.
        for name in ["offer_id", "quantity", "hours_per", "starts_on", "ends_on"] {
            form.insert(name.into(), value(pairs, name));
        }
    }
    (list, form)
}

async fn simulate(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let id: ChildId = parse_id(&id)?;
    let (list, form) = candidates(&pairs);
    let simulation =
        measures::simulate(&state.db, &page.actor, id, &list, AccessKind::View).await?;
    let offers = vaern_app::economy::offers::catalogue(&state.db, &page.actor)
        .await?
        .offers
        .iter()
        .map(|o| Choice::new(o.id, offer_label(o)))
        .collect();
    let block = simulation_block(&page, id, offers, &list, &simulation, form);
    if headers.contains_key("hx-request") {
        return Ok(render(&block).into_response());
    }
    let mut view = page_with(&state, &page, id, None, FormView::default(), None).await?;
    view.simulation = block;
    Ok(render(&view).into_response())
}

/// A measure action's form: the version the page showed, where to go back to, and for ending
/// the last day and reason.
struct ActionForm(std::collections::HashMap<String, String>);

impl ActionForm {
    fn get(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_default()
    }

    fn version(&self) -> i32 {
        self.get("version").trim().parse().unwrap_or(0)
    }

    fn to_queue(&self) -> bool {
        self.get("tilbage") == "godkendelser"
    }
}

async fn act(
    state: &AppState,
    page: &Page,
    id: ChildId,
    result: Result<vaern_store::measures::Measure, AppError>,
    besked: &str,
    back_to_queue: bool,
) -> Result<Response, UiError> {
    match result {
        Ok(_) if back_to_queue => Ok(Redirect::to("/godkendelser?besked=godkendt").into_response()),
        Ok(_) => Ok(back(id, besked)),
        Err(AppError::Invalid(errors)) if back_to_queue => {
            let message = errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join(" ");
            queue_page(state, page, None, Some(message)).await
        }
        Err(AppError::Invalid(errors)) => {
            let message = errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join(" ");
            let view = page_with(state, page, id, None, FormView::default(), Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn approve(
    State(state): State<AppState>,
    page: Page,
    Path((id, measure)): Path<(String, String)>,
    UiForm(form): UiForm<std::collections::HashMap<String, String>>,
) -> Result<Response, UiError> {
    let form = ActionForm(form);
    let id: ChildId = parse_id(&id)?;
    let measure: MeasureId = parse_id(&measure)?;
    let result = measures::approve(&state.db, &page.actor, id, measure, form.version()).await;
    act(&state, &page, id, result, "godkendt", form.to_queue()).await
}

async fn start(
    State(state): State<AppState>,
    page: Page,
    Path((id, measure)): Path<(String, String)>,
    UiForm(form): UiForm<std::collections::HashMap<String, String>>,
) -> Result<Response, UiError> {
    let form = ActionForm(form);
    let id: ChildId = parse_id(&id)?;
    let measure: MeasureId = parse_id(&measure)?;
    let result = measures::start(&state.db, &page.actor, id, measure, form.version()).await;
    act(&state, &page, id, result, "igangsat", false).await
}

async fn end(
    State(state): State<AppState>,
    page: Page,
    Path((id, measure)): Path<(String, String)>,
    UiForm(form): UiForm<std::collections::HashMap<String, String>>,
) -> Result<Response, UiError> {
    let form = ActionForm(form);
    let id: ChildId = parse_id(&id)?;
    let measure_id: MeasureId = parse_id(&measure)?;
    let input = EndInput {
        ended_on: form.get(&format!("ended_on_{measure}")),
        reason: form.get(&format!("reason_{measure}")),
    };
    let result = measures::end(
        &state.db,
        &page.actor,
        id,
        measure_id,
        form.version(),
        &input,
    )
    .await;
    act(&state, &page, id, result, "afsluttet", false).await
}

struct QueueRow {
    child_id: String,
    child_name: String,
    measure_id: String,
    version: i32,
    offer: String,
    period: String,
    created_by: String,
    first_year: String,
    total: String,
}

#[derive(Template)]
#[template(path = "approvals.html")]
struct QueuePage {
    layout: Layout,
    notice: Option<String>,
    error: Option<String>,
    threshold: Option<String>,
    rows: Vec<QueueRow>,
}

async fn queue_page(
    state: &AppState,
    page: &Page,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, UiError> {
    let (queue, threshold) =
        measures::approval_queue(&state.db, &page.actor, AccessKind::View).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = QueuePage {
        layout: page.layout("Godkendelser"),
        notice,
        error,
        threshold: threshold.map(format_kroner),
        rows: queue
            .iter()
            .map(|a| QueueRow {
                child_id: a.measure.child_id.to_string(),
                child_name: a.measure.child_name.clone(),
                measure_id: a.measure.id.to_string(),
                version: a.measure.version,
                offer: format!("{} ({})", a.measure.offer_name, a.measure.provider_name),
                period: format!(
                    "{} – {}",
                    format_date(a.measure.starts_on),
                    format_date(a.measure.ends_on)
                ),
                created_by: a.measure.created_by_name.clone().unwrap_or_default(),
                first_year: format_whole_kroner(a.cost.first_year),
                total: format_whole_kroner(a.cost.total.ore),
            })
            .collect(),
    };
    Ok((status, render(&view)).into_response())
}

async fn queue(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let notice = (q.besked == "godkendt")
        .then(|| "Indsatsen er godkendt og noteret i journalen.".to_owned());
    queue_page(&state, &page, notice, None).await
}
