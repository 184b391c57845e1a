//! Teamets sager: the team lead's overdue deadlines and masseskift.

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
use vaern_app::{AppError, team};
use vaern_store::access_log::AccessKind;
use vaern_store::{ChildId, UserId};

use super::{
    Layout, Page,
    countdown::DeadlineView,
    views::{ChildView, Choice},
};
use crate::{
    AppState,
    errors::{UiError, render},
    forms::{FormView, UiForm},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/team", get(show_team))
        .declared("/team/masseskift", post(reassign_cases))
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    layout: Layout,
    notice: Option<String>,
    team_name: Option<String>,
    escalations: Vec<DeadlineView>,
    cases: Vec<ChildView>,
    caseworkers: Vec<Choice>,
    form: FormView,
    selected: Vec<String>,
}

async fn team_page(
    state: &AppState,
    page: &Page,
    form: FormView,
    selected: Vec<String>,
    notice: Option<String>,
) -> Result<TeamPage, UiError> {
    let overview = team::overview(&state.db, &page.actor, AccessKind::View).await?;
    let now = vaern_store::now();
    Ok(TeamPage {
        layout: page.layout("Teamets sager"),
        notice,
        team_name: overview.team_name,
        escalations: overview
            .escalations
            .iter()
            .map(|d| DeadlineView::new(d, now))
            .collect(),
        cases: overview.cases.iter().map(ChildView::new).collect(),
        caseworkers: overview
            .caseworkers
            .iter()
            .map(|u| Choice::new(u.id, u.name.clone()))
            .collect(),
        form,
        selected,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TeamQuery {
    flyttet: String,
}

async fn show_team(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<TeamQuery>,
) -> Result<Response, UiError> {
    let notice = (!q.flyttet.is_empty()).then(|| {
        format!(
            "{} sager er flyttet. Det er skrevet i hver sags journal.",
            q.flyttet
        )
    });
    Ok(render(
        &team_page(&state, &page, FormView::default(), Vec::new(), notice).await?,
    ))
}

async fn reassign_cases(
    State(state): State<AppState>,
    page: Page,
    UiForm(fields): UiForm<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let selected: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "cases")
        .map(|(_, v)| v.clone())
        .collect();
    let target = fields
        .iter()
        .find(|(k, _)| k == "caseworker_id")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let ids: Result<Vec<ChildId>, _> = selected.iter().map(|s| s.parse()).collect();
    let result = match ids {
        Ok(ids) => {
            team::reassign(&state.db, &page.actor, &ids, target.parse::<UserId>().ok()).await
        }
        Err(_) => Err(AppError::NotFound),
    };
    match result {
        Ok(moved) => Ok(Redirect::to(&format!("/team?flyttet={moved}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let form = FormView::new([("caseworker_id", target)], errors);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&team_page(&state, &page, form, selected, None).await?),
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}
