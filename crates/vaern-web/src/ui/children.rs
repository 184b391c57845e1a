//! Finding and registering children, and assigning their cases.

use crate::routes::Declared;
use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use serde::Deserialize;
use vaern_app::{
    AppError,
    children::{self, AssignmentInput, Registered},
};
use vaern_domain::{FieldErrors, child::NewChildInput};
use vaern_store::{ChildId, access_log::AccessKind, municipalities::Team, users::User};

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
        .declared("/boern", get(search_children).post(create_child))
        .declared("/boern/ny", get(new_child))
        .declared(
            "/boern/{id}/sag",
            get(edit_assignment).post(update_assignment),
        )
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    results: Vec<ChildView>,
    truncated: bool,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchQuery {
    q: String,
}

async fn search_children(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<SearchQuery>,
) -> Result<Response, UiError> {
    let mut layout = page.layout("Søg efter barn");
    layout.search = query.q.clone();
    let (results, truncated, error) = match children::search(&state.db, &page.actor, &query.q).await
    {
        Ok(found) => (
            found.children.iter().map(ChildView::new).collect(),
            found.truncated,
            None,
        ),
        Err(AppError::Invalid(errors)) => (
            Vec::new(),
            false,
            errors.iter().next().map(|e| e.message.clone()),
        ),
        Err(other) => return Err(other.into()),
    };
    Ok(render(&SearchPage {
        layout,
        results,
        truncated,
        error,
    }))
}

#[derive(Template)]
#[template(path = "child_new.html")]
struct NewChildPage {
    layout: Layout,
    form: FormView,
    caseworkers: Vec<Choice>,
    teams: Vec<Choice>,
}

fn choices(users: &[User], teams: &[Team]) -> (Vec<Choice>, Vec<Choice>) {
    (
        users
            .iter()
            .map(|u| Choice::new(u.id, u.name.clone()))
            .collect(),
        teams
            .iter()
            .map(|t| Choice::new(t.id, t.name.clone()))
            .collect(),
    )
}

async fn new_child_page(
    state: &AppState,
    page: &Page,
    form: FormView,
) -> Result<NewChildPage, UiError> {
    let (users, teams) = children::assignment_choices(&state.db, &page.actor).await?;
    let (caseworkers, teams) = choices(&users, &teams);
    Ok(NewChildPage {
        layout: page.layout("Opret barn"),
        form,
        caseworkers,
        teams,
    })
}

async fn new_child(State(state): State<AppState>, page: Page) -> Result<Response, UiError> {
    let form = FormView::new(
        [("caseworker_id", page.actor.user_id.to_string())],
        FieldErrors::new(),
    );
    Ok(render(&new_child_page(&state, &page, form).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewChildForm {
    cpr: String,
    first_name: String,
    last_name: String,
    birth_date: String,
    sex: String,
    caseworker_id: String,
    team_id: String,
}

async fn create_child(
    State(state): State<AppState>,
    page: Page,
    UiForm(form): UiForm<NewChildForm>,
) -> Result<Response, UiError> {
    let input = NewChildInput {
        cpr: Some(form.cpr.clone()),
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        birth_date: Some(form.birth_date.clone()),
        sex: Some(form.sex.clone()),
    };
    let assignment = AssignmentInput {
        caseworker_id: Some(form.caseworker_id.clone()),
        team_id: Some(form.team_id.clone()),
    };
    match children::register(&state.db, &page.actor, &input, &assignment).await {
        Ok(Registered::Created(child)) => Ok(Redirect::to(&format!(
            "/boern/{}/journal?besked=oprettet",
            child.id
        ))
        .into_response()),
        Ok(Registered::Existing(child)) => {
            Ok(Redirect::to(&format!("/boern/{}/journal?besked=findes", child.id)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let kept = FormView::new(
                [
                    ("cpr", form.cpr),
                    ("first_name", form.first_name),
                    ("last_name", form.last_name),
                    ("birth_date", form.birth_date),
                    ("sex", form.sex),
                    ("caseworker_id", form.caseworker_id),
                    ("team_id", form.team_id),
                ],
                errors,
            );
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&new_child_page(&state, &page, kept).await?),
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "case_assign.html")]
struct AssignPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    form: FormView,
    caseworkers: Vec<Choice>,
    teams: Vec<Choice>,
}

async fn assign_page(
    state: &AppState,
    page: &Page,
    id: ChildId,
    form: Option<FormView>,
) -> Result<AssignPage, UiError> {
    let child = children::read(
        &state.db,
        &page.actor,
        id,
        AccessKind::View,
        "Skift rådgiver",
    )
    .await?;
    let form = form.unwrap_or_else(|| {
        FormView::new(
            [
                (
                    "caseworker_id",
                    child
                        .caseworker_id
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                ),
                (
                    "team_id",
                    child.team_id.map(|t| t.to_string()).unwrap_or_default(),
                ),
            ],
            FieldErrors::new(),
        )
    });
    let (users, teams) = children::assignment_choices(&state.db, &page.actor).await?;
    let (caseworkers, teams) = choices(&users, &teams);
    let child = ChildView::new(&child);
    Ok(AssignPage {
        layout: page.layout(format!("Skift rådgiver – {}", child.name)),
        child,
        notice: None,
        tab: "",
        form,
        caseworkers,
        teams,
    })
}

async fn edit_assignment(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    Ok(render(&assign_page(&state, &page, id, None).await?))
}

async fn update_assignment(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(form): UiForm<AssignmentInput>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    match children::assign(&state.db, &page.actor, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/boern/{id}/journal?besked=tildelt")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let kept = FormView::new(
                [
                    ("caseworker_id", form.caseworker_id.unwrap_or_default()),
                    ("team_id", form.team_id.unwrap_or_default()),
                ],
                errors,
            );
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&assign_page(&state, &page, id, Some(kept)).await?),
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}
