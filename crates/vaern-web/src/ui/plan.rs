//! The child page's «Plan og opfølgning» tab: barnets plan made from the investigation, its
//! versions (edit the draft, approve, new version, compare), follow-ups scoring each goal, and the
//! goals' progress as a chart with a table alternative.

use crate::routes::Declared;
use std::collections::HashMap;

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use time::Duration;
use vaern_app::{
    AppError,
    plans::{self, GoalChange, PlanView},
};
use vaern_domain::{
    FieldErrors,
    dates::{format_date, format_datetime},
    ics::{Dimension, FollowUpDecision, FollowUpInput, GoalInput, SCORES},
};
use vaern_store::{
    ChildId, GoalKey, PlanId,
    access_log::AccessKind,
    investigations::Investigation,
    plans::{Plan, StoredGoal},
};

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
        .declared("/boern/{id}/plan", get(show).post(create))
        .declared("/boern/{id}/plan/maal", post(update_goals))
        .declared("/boern/{id}/plan/godkend", post(approve))
        .declared("/boern/{id}/plan/ny-version", post(new_version))
        .declared("/boern/{id}/plan/sammenlign", get(compare))
        .declared("/boern/{id}/plan/version/{version}", get(show_version))
        .declared("/boern/{id}/plan/opfoelgning", post(follow_up))
        .declared("/boern/{id}/plan/pdf", post(render_pdf))
}

/// A goal row of a form: its index, its fields' names and what the row is.
struct GoalRow {
    index: usize,
    dimension: &'static str,
    dimension_code: &'static str,
    goal_key: String,
    f_dimension: String,
    f_wording: String,
    f_measures: String,
    f_target: String,
    f_include: String,
}

impl GoalRow {
    fn new(index: usize, dimension: Option<Dimension>, goal_key: String) -> Self {
        GoalRow {
            index,
            dimension: dimension.map_or("", Dimension::label),
            dimension_code: dimension.map_or("", Dimension::code),
            goal_key,
            f_dimension: format!("dimension_{index}"),
            f_wording: format!("wording_{index}"),
            f_measures: format!("measures_{index}"),
            f_target: format!("target_date_{index}"),
            f_include: format!("include_{index}"),
        }
    }
}

struct GoalView {
    dimension: &'static str,
    wording: String,
    measures: String,
    target_date: String,
    /// The follow-up form's score field for the goal.
    score_field: String,
}

impl GoalView {
    fn new(g: &StoredGoal) -> Self {
        GoalView {
            dimension: Dimension::parse(&g.dimension).map_or("Ukendt", Dimension::label),
            wording: g.wording.clone(),
            measures: g.measures.clone().unwrap_or_default(),
            target_date: format_date(g.target_date),
            score_field: format!("score_{}", g.goal_key),
        }
    }
}

struct VersionView {
    version: i32,
    status: String,
}

fn status_text(plan: &Plan) -> String {
    match (&plan.approved_at, &plan.approved_by_name) {
        (Some(at), by) => format!(
            "Godkendt {} af {}",
            format_datetime(*at),
            by.as_deref().unwrap_or("ukendt")
        ),
        _ => format!(
            "Udkast, lavet {} af {}",
            format_datetime(plan.created_at),
            plan.created_by_name.as_deref().unwrap_or("ukendt")
        ),
    }
}

/// The progress chart: one line per goal over the follow-ups, score 1-5 upwards.
struct Chart {
    lines: Vec<ChartLine>,
    dates: Vec<(String, String)>,
    description: String,
    /// The table alternative: a row per goal, a cell per follow-up.
    rows: Vec<(String, Vec<String>)>,
}

struct ChartLine {
    number: usize,
    points: String,
    dots: Vec<(String, String)>,
    dash: &'static str,
}

const DASHES: [&str; 4] = ["", "8 4", "2 4", "12 4 2 4"];

fn chart(view: &PlanView) -> Option<Chart> {
    if view.follow_ups.is_empty() {
        return None;
    }
    let n = view.follow_ups.len();
    let x = |i: usize| 80.0 + 480.0 * (i as f64 + 0.5) / n as f64;
    let y = |score: i32| 260.0 - 50.0 * f64::from(score - 1);
    let mut keys: Vec<GoalKey> = Vec::new();
    for score in &view.scores {
        if !keys.contains(&score.goal_key) {
            keys.push(score.goal_key);
        }
    }
    let name = |key: &GoalKey| {
        view.goal_names
            .get(key)
            .map_or_else(|| "Mål".to_owned(), |(_, wording)| wording.clone())
    };
    let score_at = |key: &GoalKey, follow_up: usize| {
        view.scores
            .iter()
            .find(|s| s.goal_key == *key && s.follow_up_id == view.follow_ups[follow_up].id)
            .map(|s| s.score)
    };
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    let mut described = Vec::new();
    for (number, key) in keys.iter().enumerate() {
        let mut points = Vec::new();
        let mut cells = Vec::new();
        for i in 0..n {
            match score_at(key, i) {
                Some(score) => {
                    points.push((format!("{:.1}", x(i)), format!("{:.1}", y(score))));
                    cells.push(score.to_string());
                }
                None => cells.push("–".into()),
            }
        }
        described.push(format!(
            "Mål {}, {}: {}",
            number + 1,
            name(key),
            cells.join(", ")
        ));
        lines.push(ChartLine {
            number: number + 1,
            points: points
                .iter()
                .map(|(px, py)| format!("{px},{py}"))
                .collect::<Vec<_>>()
                .join(" "),
            dots: points,
            dash: DASHES[number % DASHES.len()],
        });
        rows.push((format!("{}. {}", number + 1, name(key)), cells));
    }
    Some(Chart {
        lines,
        dates: view
            .follow_ups
            .iter()
            .enumerate()
            .map(|(i, f)| (format!("{:.1}", x(i)), format_date(f.held_on)))
            .collect(),
        description: format!(
            "Score fra 1 (ingen fremgang) til 5 (målet er nået) ved hver opfølgning. {}.",
            described.join(". ")
        ),
        rows,
    })
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    current: Option<(PlanSummary, Vec<GoalView>)>,
    versions: Vec<VersionView>,
    oldest_version: i32,
    newest_version: i32,
    /// Rows to pick goals from the newest concluded investigation, when a plan can be made.
    pick: Option<(String, Vec<GoalRow>)>,
    edit_rows: Vec<GoalRow>,
    approved_goals: Vec<GoalView>,
    follow_ups: Vec<FollowUpView>,
    chart: Option<Chart>,
    dimensions: Vec<Choice>,
    decisions: Vec<Choice>,
    scores: Vec<(u8, &'static str)>,
    form: FormView,
}

struct PlanSummary {
    id: String,
    version: i32,
    draft: bool,
    status: String,
}

struct FollowUpView {
    held_on: String,
    decision: &'static str,
    next: String,
    by: String,
}

/// Prefilled goal rows from a concluded investigation: each dimension with concerns (or, if
/// none, every described dimension), worded from the first line of its concerns.
fn pick_rows(
    investigation: &Investigation,
    dimensions: &[vaern_store::investigations::StoredDimension],
    form: &mut FormView,
    keep: bool,
) -> (String, Vec<GoalRow>) {
    let target = format_date(vaern_app::today() + Duration::days(182));
    let with_concerns: Vec<_> = dimensions.iter().filter(|d| d.concerns.is_some()).collect();
    let mut chosen: Vec<_> = if with_concerns.is_empty() {
        dimensions.iter().collect()
    } else {
        with_concerns
    };
    // In the triangle's order, not the stored codes' alphabetical one.
    chosen.sort_by_key(|d| Dimension::ALL.iter().position(|x| x.code() == d.dimension));
    let rows = chosen
        .iter()
        .enumerate()
        .filter_map(|(index, d)| {
            let dimension = Dimension::parse(&d.dimension).ok()?;
            if !keep {
                let first = d
                    .concerns
                    .as_deref()
                    .or(d.description.as_deref())
                    .and_then(|t| t.lines().next())
                    .unwrap_or_default();
                form.insert(format!("include_{index}"), "on".into());
                form.insert(format!("wording_{index}"), first.to_owned());
                form.insert(format!("target_date_{index}"), target.clone());
            }
            Some(GoalRow::new(index, Some(dimension), String::new()))
        })
        .collect();
    (investigation.id.to_string(), rows)
}

/// Which form the request posted, whose fields are shown as typed; the others are filled in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Posted {
    Nothing,
    FromInvestigation,
    DraftGoals,
    FollowUp,
}

async fn page_with(
    state: &AppState,
    page: &Page,
    id: ChildId,
    notice: Option<String>,
    mut form: FormView,
    posted: Posted,
) -> Result<PlanPage, UiError> {
    let view = plans::overview(&state.db, &page.actor, id, AccessKind::View).await?;
    let current = view.current();
    let draft = current.is_some_and(|p| p.status == "draft");
    let pick = match (draft, view.investigations.first()) {
        (false, Some(investigation)) if page.actor.can(vaern_domain::Capability::EditChildren) => {
            Some(pick_rows(
                investigation,
                &view.investigation_dimensions,
                &mut form,
                posted == Posted::FromInvestigation,
            ))
        }
        _ => None,
    };
    let edit_rows = if draft {
        let mut rows: Vec<GoalRow> = view
            .goals
            .iter()
            .enumerate()
            .map(|(index, g)| {
                if posted != Posted::DraftGoals {
                    form.insert(format!("dimension_{index}"), g.dimension.clone());
                    form.insert(format!("wording_{index}"), g.wording.clone());
                    form.insert(
                        format!("measures_{index}"),
                        g.measures.clone().unwrap_or_default(),
                    );
                    form.insert(format!("target_date_{index}"), format_date(g.target_date));
                }
                GoalRow::new(index, None, g.goal_key.to_string())
            })
            .collect();
        rows.push(GoalRow::new(view.goals.len(), None, String::new()));
        rows
    } else {
        Vec::new()
    };
    let approved_goals = match view.approved() {
        Some(plan) if Some(plan.id) == current.map(|c| c.id) => {
            view.goals.iter().map(GoalView::new).collect()
        }
        Some(plan) => plans::version(&state.db, &page.actor, id, plan.version, AccessKind::View)
            .await?
            .2
            .iter()
            .map(GoalView::new)
            .collect(),
        None => Vec::new(),
    };
    let child = ChildView::new(&view.child);
    Ok(PlanPage {
        layout: page.layout(format!("Plan og opfølgning – {}", child.name)),
        notice,
        tab: "plan",
        current: current.map(|p| {
            (
                PlanSummary {
                    id: p.id.to_string(),
                    version: p.version,
                    draft: p.status == "draft",
                    status: status_text(p),
                },
                view.goals.iter().map(GoalView::new).collect(),
            )
        }),
        oldest_version: view.plans.last().map_or(1, |p| p.version),
        newest_version: view.plans.first().map_or(1, |p| p.version),
        versions: view
            .plans
            .iter()
            .map(|p| VersionView {
                version: p.version,
                status: status_text(p),
            })
            .collect(),
        pick,
        edit_rows,
        approved_goals,
        follow_ups: view
            .follow_ups
            .iter()
            .rev()
            .map(|f| FollowUpView {
                held_on: format_date(f.held_on),
                decision: FollowUpDecision::label_of(&f.decision),
                next: format!("{} – {}", format_date(f.next_date), f.next_reason),
                by: f.created_by_name.clone().unwrap_or_default(),
            })
            .collect(),
        chart: chart(&view),
        dimensions: Dimension::ALL
            .into_iter()
            .map(|d| Choice::new(d.code(), d.label()))
            .collect(),
        decisions: FollowUpDecision::ALL
            .into_iter()
            .map(|d| Choice::new(d.code(), d.label()))
            .collect(),
        scores: SCORES.to_vec(),
        form,
        child,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    besked: String,
}

fn notice(code: &str) -> Option<String> {
    match code {
        "udkast" => Some("Udkastet til barnets plan er gemt og noteret i journalen."),
        "godkendt" => Some("Planen er godkendt og noteret i journalen."),
        "ny-version" => Some("En ny version er lavet som udkast ud fra den godkendte plan."),
        "opfoelgning" => Some("Opfølgningen er registreret og noteret i journalen."),
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
    let page = page_with(
        &state,
        &page,
        id,
        notice(&q.besked),
        FormView::default(),
        Posted::Nothing,
    )
    .await?;
    Ok(render(&page).into_response())
}

fn back(id: ChildId, besked: &str) -> Response {
    Redirect::to(&format!("/boern/{id}/plan?besked={besked}")).into_response()
}

/// Re-renders the plan page with the errors and everything as typed (422).
async fn invalid(
    state: &AppState,
    page: &Page,
    id: ChildId,
    error: AppError,
    (posted, typed): (Posted, HashMap<String, String>),
) -> Result<Response, UiError> {
    let AppError::Invalid(errors) = error else {
        return Err(error.into());
    };
    let mut form = FormView::new([], errors);
    for (field, value) in typed {
        form.insert(field, value);
    }
    let page = page_with(state, page, id, None, form, posted).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// The goal rows of a posted form, in row order: those included (creating) or not removed
/// (editing) with something in them, and each row's index in the form.
fn goal_rows(
    form: &HashMap<String, String>,
    creating: bool,
) -> Vec<(usize, Option<GoalKey>, GoalInput)> {
    let value = |name: &str, i: usize| {
        form.get(&format!("{name}_{i}"))
            .cloned()
            .unwrap_or_default()
    };
    let mut rows: Vec<usize> = form
        .keys()
        .filter_map(|k| k.strip_prefix("wording_")?.parse().ok())
        .collect();
    rows.sort_unstable();
    rows.into_iter()
        .filter(|&i| {
            if creating {
                form.contains_key(&format!("include_{i}"))
            } else {
                // The empty row for a new goal is left out when nothing was typed in it.
                let blank = value("wording", i).trim().is_empty()
                    && value("goal_key", i).is_empty()
                    && value("target_date", i).trim().is_empty();
                !blank && !form.contains_key(&format!("remove_{i}"))
            }
        })
        .map(|i| {
            (
                i,
                value("goal_key", i).parse().ok(),
                GoalInput {
                    dimension: value("dimension", i),
                    wording: value("wording", i),
                    measures: value("measures", i),
                    target_date: value("target_date", i),
                },
            )
        })
        .collect()
}

/// The app reports a goal's errors at `<field>_<n>` for the n-th goal given; the form knows
/// the goal by its row index.
fn to_rows(error: AppError, rows: &[usize]) -> AppError {
    let AppError::Invalid(errors) = error else {
        return error;
    };
    let mut mapped = FieldErrors::new();
    for e in errors.iter() {
        let field = match e.field.rsplit_once('_') {
            Some((name, n)) => match n.parse::<usize>().ok().and_then(|n| rows.get(n)) {
                Some(row) => format!("{name}_{row}"),
                None => e.field.clone(),
            },
            None => e.field.clone(),
        };
        mapped.add(&field, e.message.clone());
    }
    AppError::Invalid(mapped)
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(form): UiForm<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let rows = goal_rows(&form, true);
    let indices: Vec<usize> = rows.iter().map(|(i, _, _)| *i).collect();
    let inputs: Vec<GoalInput> = rows.into_iter().map(|(_, _, g)| g).collect();
    let investigation = form.get("investigation").cloned().unwrap_or_default();
    match plans::create_from_investigation(&state.db, &page.actor, id, &investigation, &inputs)
        .await
    {
        Ok(_) => Ok(back(id, "udkast")),
        Err(error) => {
            let typed = (Posted::FromInvestigation, form);
            invalid(&state, &page, id, to_rows(error, &indices), typed).await
        }
    }
}

async fn update_goals(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(form): UiForm<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let plan: PlanId = form
        .get("plan")
        .and_then(|p| p.parse().ok())
        .ok_or(AppError::NotFound)?;
    let rows = goal_rows(&form, false);
    let indices: Vec<usize> = rows.iter().map(|(i, _, _)| *i).collect();
    let goals: Vec<(Option<GoalKey>, GoalInput)> =
        rows.into_iter().map(|(_, key, g)| (key, g)).collect();
    match plans::update_draft(&state.db, &page.actor, id, plan, &goals).await {
        Ok(_) => Ok(back(id, "udkast")),
        Err(error) => {
            let typed = (Posted::DraftGoals, form);
            invalid(&state, &page, id, to_rows(error, &indices), typed).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PlanForm {
    plan: String,
}

async fn approve(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(form): UiForm<PlanForm>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let plan: PlanId = form.plan.parse().map_err(|_| AppError::NotFound)?;
    match plans::approve(&state.db, &page.actor, id, plan).await {
        Ok(_) => Ok(back(id, "godkendt")),
        Err(error) => invalid(&state, &page, id, error, (Posted::Nothing, HashMap::new())).await,
    }
}

async fn new_version(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(_): UiForm<PlanForm>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    match plans::new_version(&state.db, &page.actor, id).await {
        Ok(_) => Ok(back(id, "ny-version")),
        Err(error) => invalid(&state, &page, id, error, (Posted::Nothing, HashMap::new())).await,
    }
}

async fn follow_up(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(form): UiForm<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let input = FollowUpInput {
        child_view: field("child_view"),
        parents_view: field("parents_view"),
        decision: field("decision"),
        next_date: field("next_date"),
        next_reason: field("next_reason"),
    };
    let scores: HashMap<String, String> = form
        .iter()
        .filter(|(k, _)| k.starts_with("score_"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    match plans::record_follow_up(&state.db, &page.actor, id, &input, &scores).await {
        Ok(_) => Ok(back(id, "opfoelgning")),
        Err(error) => invalid(&state, &page, id, error, (Posted::FollowUp, form)).await,
    }
}

#[derive(Template)]
#[template(path = "plan_version.html")]
struct VersionPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    version: i32,
    status: String,
    goals: Vec<GoalView>,
}

async fn show_version(
    State(state): State<AppState>,
    page: Page,
    Path((id, version)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let version: i32 = version.parse().map_err(|_| AppError::NotFound)?;
    let (child, plan, goals) =
        plans::version(&state.db, &page.actor, id, version, AccessKind::View).await?;
    let child = ChildView::new(&child);
    Ok(render(&VersionPage {
        layout: page.layout(format!("Barnets plan, version {version} – {}", child.name)),
        notice: None,
        tab: "plan",
        version,
        status: status_text(&plan),
        goals: goals.iter().map(GoalView::new).collect(),
        child,
    })
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CompareQuery {
    fra: String,
    til: String,
}

struct ChangeView {
    kind: &'static str,
    before: Option<GoalView>,
    after: Option<GoalView>,
}

#[derive(Template)]
#[template(path = "plan_compare.html")]
struct ComparePage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    from: i32,
    to: i32,
    changes: Vec<ChangeView>,
}

async fn compare(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<CompareQuery>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let (Ok(from), Ok(to)) = (q.fra.trim().parse::<i32>(), q.til.trim().parse::<i32>()) else {
        return Err(AppError::NotFound.into());
    };
    let (child, _, older) =
        plans::version(&state.db, &page.actor, id, from, AccessKind::View).await?;
    let (_, _, newer) = plans::version(&state.db, &page.actor, id, to, AccessKind::View).await?;
    let child = ChildView::new(&child);
    let changes = plans::compare(&older, &newer)
        .into_iter()
        .map(|change| match change {
            GoalChange::Added(g) => ChangeView {
                kind: "Tilføjet",
                before: None,
                after: Some(GoalView::new(&g)),
            },
            GoalChange::Removed(g) => ChangeView {
                kind: "Fjernet",
                before: Some(GoalView::new(&g)),
                after: None,
            },
            GoalChange::Changed { before, after } => ChangeView {
                kind: "Ændret",
                before: Some(GoalView::new(&before)),
                after: Some(GoalView::new(&after)),
            },
            GoalChange::Same(g) => ChangeView {
                kind: "Uændret",
                before: Some(GoalView::new(&g)),
                after: Some(GoalView::new(&g)),
            },
        })
        .collect();
    Ok(render(&ComparePage {
        layout: page.layout(format!(
            "Barnets plan, version {from} og {to} – {}",
            child.name
        )),
        notice: None,
        tab: "plan",
        from,
        to,
        changes,
        child,
    })
    .into_response())
}

async fn render_pdf(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(form): UiForm<VersionForm>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let version: i32 = form
        .version
        .trim()
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let document =
        plans::render_document(&state.db, &state.files, &page.actor, id, version).await?;
    Ok(Redirect::to(&format!("/boern/{id}/dokumenter/{}", document.id)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VersionForm {
    version: String,
}
