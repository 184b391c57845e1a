//! Finance pages: the provider catalogue (Tilbud og priser), mass price updates with preview and
//! undo (Prisregulering), payment runs with the finance export (Udbetalinger), and the economy
//! overview against budget (Økonomi).

use crate::routes::Declared;
use std::collections::HashMap;

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use vaern_app::{
    AppError,
    economy::{
        offers,
        overview::{self, BudgetInput},
        payments,
        price_updates::{self, PricePlan, PriceUpdateInput, signed},
    },
};
use vaern_domain::{
    FieldErrors,
    dates::{format_date, format_datetime},
    economy::{
        cost::Unit,
        measures::MeasureGroup,
        money::{format_kroner, format_whole_kroner},
        offers::{
            NewOfferInput, NewProviderInput, PricePeriodInput, ProviderKind, gaps, period_text,
        },
    },
};
use vaern_integrations::finance::EXPORTS;
use vaern_store::{
    OfferId, PaymentRunId, PriceUpdateId, ProviderId, TeamId, access_log::AccessKind,
};

use super::{Layout, Page, measures::MonthBar, measures::month_bars, views::Choice};
use crate::{
    AppState,
    errors::{UiError, render},
    forms::{FormView, UiForm, parse_id},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/leverandoerer", get(catalogue).post(add_provider))
        .declared("/leverandoerer/{provider}/tilbud", post(add_offer))
        .declared("/tilbud/{offer}/priser", post(add_price))
        .declared("/prisregulering", get(price_update).post(apply_update))
        .declared("/prisregulering/forhaandsvisning", post(preview_update))
        .declared("/prisregulering/{update}/fortryd", post(undo_update))
        .declared("/udbetalinger", get(payment_runs).post(run_payments))
        .declared("/udbetalinger/{run}", get(payment_run))
        .declared("/udbetalinger/{run}/fil/{format}", get(export_run))
        .declared("/oekonomi", get(economy))
        .declared("/oekonomi/budget", post(set_budget))
        .declared("/oekonomi/beloebsgraense", post(set_threshold))
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    #[serde(default)]
    besked: String,
}

fn invalid_form(error: AppError, typed: HashMap<String, String>) -> Result<FormView, UiError> {
    let AppError::Invalid(errors) = error else {
        return Err(error.into());
    };
    let mut form = FormView::new([], errors);
    for (k, v) in typed {
        form.insert(k, v);
    }
    Ok(form)
}

// --- Tilbud og priser ---

struct PriceRow {
    period: String,
    price: String,
}

struct OfferRow {
    id: String,
    name: String,
    unit: &'static str,
    prices: Vec<PriceRow>,
    gaps: Vec<String>,
    f_from: String,
    f_to: String,
    f_price: String,
}

struct ProviderRow {
    id: String,
    name: String,
    kind: &'static str,
    cvr: Option<String>,
    tilbudsportal_id: Option<String>,
    offers: Vec<OfferRow>,
    f_name: String,
    f_unit: String,
}

#[derive(Template)]
#[template(path = "providers.html")]
struct CataloguePage {
    layout: Layout,
    notice: Option<String>,
    providers: Vec<ProviderRow>,
    kinds: Vec<Choice>,
    units: Vec<Choice>,
    form: FormView,
    /// The form the errors belong to: `provider`, or a provider's or offer's id.
    form_for: String,
}

async fn catalogue_page(
    state: &AppState,
    page: &Page,
    notice: Option<String>,
    form: FormView,
    form_for: String,
) -> Result<CataloguePage, UiError> {
    let catalogue = offers::catalogue(&state.db, &page.actor).await?;
    let providers = catalogue
        .providers
        .iter()
        .map(|p| ProviderRow {
            id: p.id.to_string(),
            name: p.name.clone(),
            kind: ProviderKind::label_of(&p.kind),
            cvr: p.cvr.clone(),
            tilbudsportal_id: p.tilbudsportal_id.clone(),
            offers: catalogue
                .offers
                .iter()
                .filter(|o| o.provider_id == p.id)
                .map(|o| {
                    let periods = catalogue.prices_of(o.id);
                    OfferRow {
                        id: o.id.to_string(),
                        name: o.name.clone(),
                        unit: Unit::parse(&o.unit).map_or("", Unit::label),
                        prices: periods
                            .iter()
                            .map(|p| PriceRow {
                                period: period_text(p),
                                price: format_kroner(p.price_ore),
                            })
                            .collect(),
                        gaps: gaps(&periods)
                            .iter()
                            .map(|(a, b)| format!("{} til {}", format_date(*a), format_date(*b)))
                            .collect(),
                        f_from: format!("valid_from_{}", o.id),
                        f_to: format!("valid_to_{}", o.id),
                        f_price: format!("price_{}", o.id),
                    }
                })
                .collect(),
            f_name: format!("offer_name_{}", p.id),
            f_unit: format!("unit_{}", p.id),
        })
        .collect();
    Ok(CataloguePage {
        layout: page.layout("Tilbud og priser"),
        notice,
        providers,
        kinds: ProviderKind::ALL
            .iter()
            .map(|k| Choice::new(k.code(), k.label()))
            .collect(),
        units: Unit::ALL
            .iter()
            .map(|u| Choice::new(u.code(), u.label()))
            .collect(),
        form,
        form_for,
    })
}

async fn catalogue(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let notice = match q.besked.as_str() {
        "udfoerer" => Some("Udføreren er oprettet."),
        "tilbud" => Some("Tilbuddet er oprettet."),
        "pris" => Some("Prisen er gemt."),
        _ => None,
    }
    .map(str::to_owned);
    let view = catalogue_page(&state, &page, notice, FormView::default(), String::new()).await?;
    Ok(render(&view).into_response())
}

async fn catalogue_invalid(
    state: &AppState,
    page: &Page,
    form: FormView,
    form_for: String,
) -> Result<Response, UiError> {
    let view = catalogue_page(state, page, None, form, form_for).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
}

async fn add_provider(
    State(state): State<AppState>,
    page: Page,
    UiForm(form): UiForm<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let input = NewProviderInput {
        name: get("name"),
        cvr: get("cvr"),
        kind: get("kind"),
        tilbudsportal_id: get("tilbudsportal_id"),
    };
    match offers::add_provider(&state.db, &page.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/leverandoerer?besked=udfoerer").into_response()),
        Err(e) => {
            let view = invalid_form(e, form)?;
            catalogue_invalid(&state, &page, view, "provider".into()).await
        }
    }
}

/// Errors reported at `field` are shown at `<field>_<id>`, the field of that row's form.
fn rename(error: AppError, id: &str) -> AppError {
    match error {
        AppError::Invalid(errors) => {
            let mut renamed = FieldErrors::new();
            for e in errors.iter() {
                let field = if e.field == "name" {
                    "offer_name"
                } else {
                    &e.field
                };
                renamed.add(&format!("{field}_{id}"), e.message.clone());
            }
            AppError::Invalid(renamed)
        }
        other => other,
    }
}

async fn add_offer(
    State(state): State<AppState>,
    page: Page,
    Path(provider): Path<String>,
    UiForm(form): UiForm<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let provider_id: ProviderId = parse_id(&provider)?;
    let get = |k: &str| {
        form.get(&format!("{k}_{provider}"))
            .cloned()
            .unwrap_or_default()
    };
    let input = NewOfferInput {
        name: get("offer_name"),
        unit: get("unit"),
    };
    match offers::add_offer(&state.db, &page.actor, provider_id, &input).await {
        Ok(_) => Ok(Redirect::to("/leverandoerer?besked=tilbud").into_response()),
        Err(e) => {
            let view = invalid_form(rename(e, &provider), form)?;
            catalogue_invalid(&state, &page, view, provider).await
        }
    }
}

async fn add_price(
    State(state): State<AppState>,
    page: Page,
    Path(offer): Path<String>,
    UiForm(form): UiForm<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let offer_id: OfferId = parse_id(&offer)?;
    let get = |k: &str| {
        form.get(&format!("{k}_{offer}"))
            .cloned()
            .unwrap_or_default()
    };
    let input = PricePeriodInput {
        valid_from: get("valid_from"),
        valid_to: get("valid_to"),
        price: get("price"),
    };
    match offers::add_price(&state.db, &page.actor, offer_id, &input).await {
        Ok(_) => Ok(Redirect::to("/leverandoerer?besked=pris").into_response()),
        Err(e) => {
            let view = invalid_form(rename(e, &offer), form)?;
            catalogue_invalid(&state, &page, view, offer).await
        }
    }
}

// --- Prisregulering ---

struct UpdateRow {
    id: String,
    when: String,
    effective_from: String,
    description: String,
    by: String,
    can_undo: bool,
    state: &'static str,
}

struct PreviewView {
    effective_from: String,
    changes: Vec<(String, String, String)>,
    skipped: Vec<(String, String)>,
    cases: Vec<(String, usize, String, String, String)>,
    total_before: String,
    total_after: String,
    total_change: String,
}

impl PreviewView {
    fn new(plan: &PricePlan) -> Self {
        PreviewView {
            effective_from: format_date(plan.effective_from),
            changes: plan
                .changes
                .iter()
                .map(|c| {
                    (
                        format!("{} ({})", c.offer.name, c.offer.provider_name),
                        format_kroner(c.period.price_ore),
                        format_kroner(c.new_price),
                    )
                })
                .collect(),
            skipped: plan
                .skipped
                .iter()
                .map(|(o, why)| (format!("{} ({})", o.name, o.provider_name), why.clone()))
                .collect(),
            cases: plan
                .cases
                .iter()
                .map(|c| {
                    (
                        c.case_number.clone(),
                        c.measures,
                        format_whole_kroner(c.before),
                        format_whole_kroner(c.after),
                        signed(c.after - c.before),
                    )
                })
                .collect(),
            total_before: format_whole_kroner(plan.total_before),
            total_after: format_whole_kroner(plan.total_after),
            total_change: signed(plan.total_after - plan.total_before),
        }
    }
}

#[derive(Template)]
#[template(path = "price_update.html")]
struct PriceUpdatePage {
    layout: Layout,
    notice: Option<String>,
    offers: Vec<(String, String, bool)>,
    form: FormView,
    preview: Option<PreviewView>,
    history: Vec<UpdateRow>,
}

fn update_input(pairs: &[(String, String)]) -> PriceUpdateInput {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    PriceUpdateInput {
        offer_ids: pairs
            .iter()
            .filter(|(k, _)| k == "offer_ids")
            .map(|(_, v)| v.clone())
            .collect(),
        effective_from: get("effective_from"),
        mode: get("mode"),
        percent: get("percent"),
        amount: get("amount"),
        description: get("description"),
    }
}

async fn update_page(
    state: &AppState,
    page: &Page,
    notice: Option<String>,
    pairs: &[(String, String)],
    errors: FieldErrors,
    preview: Option<PreviewView>,
) -> Result<PriceUpdatePage, UiError> {
    let catalogue = offers::catalogue(&state.db, &page.actor).await?;
    let history = price_updates::history(&state.db, &page.actor).await?;
    let chosen: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "offer_ids")
        .map(|(_, v)| v.as_str())
        .collect();
    let mut form = FormView::new([], errors);
    for (k, v) in pairs.iter().filter(|(k, _)| k != "offer_ids") {
        form.insert(k.clone(), v.clone());
    }
    Ok(PriceUpdatePage {
        layout: page.layout("Prisregulering"),
        notice,
        offers: catalogue
            .offers
            .iter()
            .map(|o| {
                let id = o.id.to_string();
                let checked = chosen.contains(&id.as_str());
                (id, format!("{} ({})", o.name, o.provider_name), checked)
            })
            .collect(),
        form,
        preview,
        history: history
            .iter()
            .map(|u| UpdateRow {
                id: u.id.to_string(),
                when: format_datetime(u.created_at),
                effective_from: format_date(u.effective_from),
                description: u.description.clone(),
                by: u.created_by_name.clone().unwrap_or_default(),
                can_undo: !u.undone && u.undoes.is_none(),
                state: if u.undone {
                    "Fortrudt"
                } else if u.undoes.is_some() {
                    "Fortrydelse"
                } else {
                    "Gennemført"
                },
            })
            .collect(),
    })
}

async fn price_update(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let notice = match q.besked.as_str() {
        "gennemfoert" => Some("Prisreguleringen er gennemført og noteret på alle berørte sager."),
        "fortrudt" => Some(
            "Prisreguleringen er fortrudt med en ny regulering, noteret på alle berørte sager.",
        ),
        _ => None,
    }
    .map(str::to_owned);
    let defaults = [("mode".to_owned(), "percent".to_owned())];
    let view = update_page(&state, &page, notice, &defaults, FieldErrors::new(), None).await?;
    Ok(render(&view).into_response())
}

async fn preview_update(
    State(state): State<AppState>,
    page: Page,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    match price_updates::preview(
        &state.db,
        &page.actor,
        &update_input(&pairs),
        AccessKind::View,
    )
    .await
    {
        Ok(plan) => {
            let view = update_page(
                &state,
                &page,
                None,
                &pairs,
                FieldErrors::new(),
                Some(PreviewView::new(&plan)),
            )
            .await?;
            Ok(render(&view).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let view = update_page(&state, &page, None, &pairs, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn apply_update(
    State(state): State<AppState>,
    page: Page,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    match price_updates::apply(
        &state.db,
        &page.actor,
        &update_input(&pairs),
        AccessKind::View,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/prisregulering?besked=gennemfoert").into_response()),
        Err(AppError::Invalid(errors)) => {
            let view = update_page(&state, &page, None, &pairs, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn undo_update(
    State(state): State<AppState>,
    page: Page,
    Path(update): Path<String>,
) -> Result<Response, UiError> {
    let id: PriceUpdateId = parse_id(&update)?;
    price_updates::undo(&state.db, &page.actor, id, AccessKind::View).await?;
    Ok(Redirect::to("/prisregulering?besked=fortrudt").into_response())
}

// --- Udbetalinger ---

struct RunRow {
    id: String,
    period: String,
    lines: i32,
    total: String,
    when: String,
    by: String,
}

#[derive(Template)]
#[template(path = "payments.html")]
struct PaymentsPage {
    layout: Layout,
    notice: Option<String>,
    runs: Vec<RunRow>,
    form: FormView,
}

async fn payments_page(
    state: &AppState,
    page: &Page,
    notice: Option<String>,
    form: FormView,
) -> Result<PaymentsPage, UiError> {
    let runs = payments::runs(&state.db, &page.actor).await?;
    Ok(PaymentsPage {
        layout: page.layout("Udbetalinger"),
        notice,
        runs: runs
            .iter()
            .map(|r| RunRow {
                id: r.id.to_string(),
                period: r.period.clone(),
                lines: r.line_count,
                total: format_kroner(r.total_ore),
                when: format_datetime(r.created_at),
                by: r.created_by_name.clone().unwrap_or_default(),
            })
            .collect(),
        form,
    })
}

async fn payment_runs(State(state): State<AppState>, page: Page) -> Result<Response, UiError> {
    let today = vaern_app::today();
    let form = FormView::new(
        [(
            "period",
            payments::period_code(today.year(), u8::from(today.month())),
        )],
        FieldErrors::new(),
    );
    let view = payments_page(&state, &page, None, form).await?;
    Ok(render(&view).into_response())
}

async fn run_payments(
    State(state): State<AppState>,
    page: Page,
    UiForm(form): UiForm<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let period = form.get("period").cloned().unwrap_or_default();
    match payments::run(&state.db, &page.actor, &period).await {
        Ok(run) => Ok(Redirect::to(&format!("/udbetalinger/{}", run.id)).into_response()),
        Err(e) => {
            let form = invalid_form(e, form)?;
            let view = payments_page(&state, &page, None, form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
    }
}

struct LineRow {
    provider: String,
    case_number: String,
    text: String,
    account: String,
    kind: &'static str,
    amount: String,
}

#[derive(Template)]
#[template(path = "payment_run.html")]
struct RunPage {
    layout: Layout,
    id: String,
    period: String,
    when: String,
    by: String,
    total: String,
    lines: Vec<LineRow>,
    providers: Vec<(String, usize, String)>,
    formats: Vec<Choice>,
}

async fn payment_run(
    State(state): State<AppState>,
    page: Page,
    Path(run): Path<String>,
) -> Result<Response, UiError> {
    let id: PaymentRunId = parse_id(&run)?;
    let (run, lines) =
        payments::run_with_lines(&state.db, &page.actor, id, AccessKind::View).await?;
    let records = payments::records(&lines, vaern_app::today());
    let report = vaern_integrations::finance::report(&records);
    let view = RunPage {
        layout: page.layout(format!("Udbetaling {}", run.period)),
        id: run.id.to_string(),
        period: run.period.clone(),
        when: format_datetime(run.created_at),
        by: run.created_by_name.clone().unwrap_or_default(),
        total: format_kroner(run.total_ore),
        lines: lines
            .iter()
            .map(|l| LineRow {
                provider: l.provider_name.clone(),
                case_number: l.case_number.clone(),
                text: l.text.clone(),
                account: l.account.clone(),
                kind: if l.kind == "correction" {
                    "Korrektion"
                } else {
                    "Betaling"
                },
                amount: format_kroner(l.amount_ore),
            })
            .collect(),
        providers: report
            .per_provider
            .iter()
            .map(|p| (p.name.clone(), p.lines, format_kroner(p.total_ore)))
            .collect(),
        formats: EXPORTS
            .iter()
            .map(|e| Choice::new(e.code(), e.label()))
            .collect(),
    };
    Ok(render(&view).into_response())
}

async fn export_run(
    State(state): State<AppState>,
    page: Page,
    Path((run, format)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let id: PaymentRunId = parse_id(&run)?;
    let file = payments::export(&state.db, &page.actor, id, &format).await?;
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

// --- Økonomi ---

struct AreaRow {
    label: &'static str,
    budget: String,
    to_date: String,
    committed: String,
    forecast: String,
    deviation: String,
    over: bool,
}

#[derive(Template)]
#[template(path = "economy.html")]
struct EconomyPage {
    layout: Layout,
    notice: Option<String>,
    year: i32,
    team_name: String,
    team_id: String,
    teams: Vec<Choice>,
    areas: Vec<AreaRow>,
    total: AreaRow,
    bars: Vec<MonthBar>,
    threshold: String,
    groups: Vec<Choice>,
    form: FormView,
}

#[derive(Deserialize, Default)]
struct EconomyQuery {
    #[serde(default)]
    aar: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    besked: String,
}

fn area_row(label: &'static str, line: &overview::AreaLine) -> AreaRow {
    AreaRow {
        label,
        budget: line
            .budget
            .map_or_else(|| "Intet budget".to_owned(), format_whole_kroner),
        to_date: format_whole_kroner(line.to_date),
        committed: format_whole_kroner(line.committed),
        forecast: format_whole_kroner(line.forecast),
        deviation: line
            .budget
            .map_or_else(String::new, |b| signed(b - line.forecast)),
        over: line.budget.is_some_and(|b| line.forecast > b),
    }
}

async fn economy_page(
    state: &AppState,
    page: &Page,
    q: &EconomyQuery,
    form: FormView,
) -> Result<EconomyPage, UiError> {
    let year = q.aar.trim().parse().ok();
    let team: Option<TeamId> = match q.team.trim() {
        "" => None,
        raw => Some(parse_id(raw)?),
    };
    let o = overview::overview(&state.db, &page.actor, year, team).await?;
    let notice = match q.besked.as_str() {
        "budget" => Some("Budgettet er gemt."),
        "graense" => Some("Beløbsgrænsen er gemt."),
        _ => None,
    }
    .map(str::to_owned);
    Ok(EconomyPage {
        layout: page.layout("Økonomi"),
        notice,
        year: o.year,
        team_name: o
            .team
            .as_ref()
            .map_or_else(|| "Hele kommunen".to_owned(), |t| t.name.clone()),
        team_id: o
            .team
            .as_ref()
            .map(|t| t.id.to_string())
            .unwrap_or_default(),
        teams: o
            .teams
            .iter()
            .map(|t| Choice::new(t.id, t.name.clone()))
            .collect(),
        areas: o
            .areas
            .iter()
            .map(|a| area_row(a.group.map_or("", MeasureGroup::label), a))
            .collect(),
        total: area_row("I alt", &o.total),
        bars: month_bars(&o.months),
        threshold: o
            .threshold
            .map_or_else(|| "Ikke fastsat".to_owned(), format_kroner),
        groups: MeasureGroup::ALL
            .iter()
            .map(|g| Choice::new(g.code(), g.label()))
            .collect(),
        form,
    })
}

async fn economy(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<EconomyQuery>,
) -> Result<Response, UiError> {
    let mut form = FormView::default();
    form.insert("year".into(), q.aar.clone());
    let view = economy_page(&state, &page, &q, form).await?;
    Ok(render(&view).into_response())
}

async fn economy_invalid(
    state: &AppState,
    page: &Page,
    form: FormView,
) -> Result<Response, UiError> {
    let view = economy_page(state, page, &EconomyQuery::default(), form).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
}

async fn set_budget(
    State(state): State<AppState>,
    page: Page,
    UiForm(form): UiForm<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let input = BudgetInput {
        year: get("year"),
        measure_group: get("measure_group"),
        amount: get("amount"),
    };
    match overview::set_budget(&state.db, &page.actor, &input).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/oekonomi?aar={}&besked=budget",
            input.year.trim()
        ))
        .into_response()),
        Err(e) => economy_invalid(&state, &page, invalid_form(e, form)?).await,
    }
}

async fn set_threshold(
    State(state): State<AppState>,
    page: Page,
    UiForm(form): UiForm<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let amount = form.get("threshold").cloned().unwrap_or_default();
    match overview::set_threshold(&state.db, &page.actor, &amount).await {
        Ok(()) => Ok(Redirect::to("/oekonomi?besked=graense").into_response()),
        Err(e) => economy_invalid(&state, &page, invalid_form(e, form)?).await,
    }
}
