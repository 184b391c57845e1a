//! Lukkedage og lokale frister: the municipality's calendar and local deadline standards.

use crate::routes::Declared;
use askama::Template;
use axum::{
    Router,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use vaern_app::{AppError, deadlines};
use vaern_domain::{
    FieldErrors,
    calendar::ClosedDays,
    dates::format_date,
    process::{DeadlineRule, Offset, RULES},
};

use super::{Layout, Page, views::Choice};
use crate::{
    AppState,
    errors::{UiError, render},
    forms::{FormView, UiForm},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/admin/frister", get(show_settings))
        .declared("/admin/frister/lukkedage", post(set_customary_days))
        .declared("/admin/frister/lukkedage/ny", post(add_closed_day))
        .declared("/admin/frister/lukkedage/fjern", post(remove_closed_day))
        .declared("/admin/frister/lokale", post(set_local_standard))
        .declared("/admin/frister/lokale/fjern", post(remove_local_standard))
}

struct LocalView {
    rule_id: String,
    rule: &'static str,
    offset: String,
    description: String,
}

#[derive(Template)]
#[template(path = "municipality_settings.html")]
struct SettingsPage {
    layout: Layout,
    notice: Option<String>,
    form: FormView,
    customary: ClosedDays,
    closed: Vec<LocalClosed>,
    local: Vec<LocalView>,
    rules: Vec<Choice>,
    units: Vec<Choice>,
}

struct LocalClosed {
    id: String,
    name: String,
    reason: String,
}

async fn settings_page(
    state: &AppState,
    page: &Page,
    form: FormView,
    notice: Option<String>,
) -> Result<SettingsPage, UiError> {
    let (customary, extra) = deadlines::calendar_settings(&state.db, &page.actor).await?;
    let rules = deadlines::municipality_rules(&state.db, &page.actor).await?;
    Ok(SettingsPage {
        layout: page.layout("Lukkedage og lokale frister"),
        notice,
        form,
        customary,
        closed: extra
            .into_iter()
            .map(|d| LocalClosed {
                id: format_date(d.day),
                name: format_date(d.day),
                reason: d.reason,
            })
            .collect(),
        local: rules
            .local
            .iter()
            .filter_map(|l| {
                let rule = RULES.iter().find(|r| r.id == l.rule_id)?;
                Some(LocalView {
                    rule_id: l.rule_id.code().to_owned(),
                    rule: rule.description,
                    offset: DeadlineRule {
                        offset: l.offset,
                        ..*rule
                    }
                    .offset_text(),
                    description: l.description.clone(),
                })
            })
            .collect(),
        rules: RULES
            .iter()
            .filter(|r| r.offset != Offset::AtEvent)
            .map(|r| {
                Choice::new(
                    r.id.code(),
                    format!("{} ({})", r.description, r.offset_text()),
                )
            })
            .collect(),
        units: [
            ("working_days", "arbejdsdage"),
            ("calendar_days", "dage"),
            ("weeks", "uger"),
            ("months", "måneder"),
            ("hours", "timer"),
        ]
        .into_iter()
        .map(|(code, label)| Choice::new(code, label))
        .collect(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    besked: String,
}

async fn show_settings(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let notice = (q.besked == "gemt").then(|| "Ændringen er gemt og logget.".to_owned());
    Ok(render(
        &settings_page(
            &state,
            &page,
            FormView::new([("unit", "working_days".to_owned())], FieldErrors::new()),
            notice,
        )
        .await?,
    ))
}

/// Saved: back to the page; invalid: the page again with the input and messages.
async fn answer(
    state: &AppState,
    page: &Page,
    result: Result<(), AppError>,
    kept: Vec<(&'static str, String)>,
) -> Result<Response, UiError> {
    match result {
        Ok(()) => Ok(Redirect::to("/admin/frister?besked=gemt").into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = settings_page(state, page, FormView::new(kept, errors), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CustomaryForm {
    grundlovsdag: Option<String>,
    juleaftensdag: Option<String>,
    nytaarsaftensdag: Option<String>,
}

async fn set_customary_days(
    State(state): State<AppState>,
    page: Page,
    UiForm(form): UiForm<CustomaryForm>,
) -> Result<Response, UiError> {
    let result = deadlines::set_customary_days(
        &state.db,
        &page.actor,
        form.grundlovsdag.is_some(),
        form.juleaftensdag.is_some(),
        form.nytaarsaftensdag.is_some(),
    )
    .await;
    answer(&state, &page, result, Vec::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ClosedDayForm {
    day: String,
    reason: String,
}

async fn add_closed_day(
    State(state): State<AppState>,
    page: Page,
    UiForm(form): UiForm<ClosedDayForm>,
) -> Result<Response, UiError> {
    let result = deadlines::add_closed_day(&state.db, &page.actor, &form.day, &form.reason).await;
    answer(
        &state,
        &page,
        result,
        vec![("day", form.day), ("reason", form.reason)],
    )
    .await
}

async fn remove_closed_day(
    State(state): State<AppState>,
    page: Page,
    UiForm(form): UiForm<ClosedDayForm>,
) -> Result<Response, UiError> {
    let result = deadlines::remove_closed_day(&state.db, &page.actor, &form.day).await;
    answer(&state, &page, result, Vec::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LocalForm {
    rule_id: String,
    unit: String,
    amount: String,
    description: String,
}

async fn set_local_standard(
    State(state): State<AppState>,
    page: Page,
    UiForm(form): UiForm<LocalForm>,
) -> Result<Response, UiError> {
    let result = deadlines::set_local_standard(
        &state.db,
        &page.actor,
        &form.rule_id,
        &form.unit,
        &form.amount,
        &form.description,
    )
    .await
    .map(|_| ());
    let kept = vec![
        ("rule_id", form.rule_id),
        ("unit", form.unit),
        ("amount", form.amount),
        ("description", form.description),
    ];
    answer(&state, &page, result, kept).await
}

async fn remove_local_standard(
    State(state): State<AppState>,
    page: Page,
    UiForm(form): UiForm<LocalForm>,
) -> Result<Response, UiError> {
    let result = deadlines::remove_local_standard(&state.db, &page.actor, &form.rule_id).await;
    answer(&state, &page, result, Vec::new()).await
}
