//! Administration: users and teams of the own municipality, and the access log.

use crate::routes::Declared;
use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use vaern_app::{
    AppError, access_log,
    users::{self, UpdateUserInput},
};
use vaern_domain::{FieldErrors, Role, dates::format_datetime, user::NewUserInput};
use vaern_store::access_log::AccessKind;

use super::{Layout, Page, views::Choice};
use crate::{
    AppState,
    errors::{UiError, render},
    forms::{FormView, UiForm, parse_id},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .declared("/admin/brugere", get(list_users).post(create_user))
        .declared("/admin/brugere/lokalt-login", post(set_local_login))
        .declared("/admin/brugere/{id}", post(update_user))
        .declared("/admin/brugere/{id}/godkend", post(approve_user))
        .declared("/admin/brugere/{id}/afvis", post(reject_user))
        .declared(
            "/admin/brugere/{id}/godkender-app",
            post(reset_second_factor),
        )
        .declared("/admin/teams", post(create_team))
        .declared("/admin/adgangslog", get(show_access_log))
        .declared("/admin/adgangslog.csv", get(export_access_log))
}

struct UserRow {
    id: String,
    name: String,
    username: String,
    role: String,
    team_id: String,
    active: bool,
    pending: bool,
    /// Another administrator's account, whose authenticator the viewer may reset.
    resettable_second_factor: bool,
}

/// An account waiting for a second administrator.
struct PendingRow {
    id: String,
    name: String,
    username: String,
    role: &'static str,
    requested_by: String,
    /// The viewer asked for it: they may withdraw it, not approve it.
    own_request: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    layout: Layout,
    notice: Option<String>,
    form: FormView,
    users: Vec<UserRow>,
    pending: Vec<PendingRow>,
    teams: Vec<Choice>,
    roles: Vec<Choice>,
    changes: Vec<ChangeRow>,
    /// Whether staff may log in with local passwords.
    local_login: bool,
    /// Whether the municipality has a login of its own here.
    own_login: bool,
}

struct ChangeRow {
    at: String,
    actor: String,
    detail: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    besked: String,
}

async fn users_page(
    state: &AppState,
    page: &Page,
    form: FormView,
    notice: Option<String>,
) -> Result<UsersPage, UiError> {
    let (all, teams) = users::list(&state.db, &page.actor).await?;
    let changes = users::changes(&state.db, &page.actor).await?;
    let local_login = users::local_login(&state.db, &page.actor).await?;
    let name_of = |id| {
        all.iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let pending = all
        .iter()
        .filter_map(|u| {
            let request = u.pending?;
            Some(PendingRow {
                id: u.id.to_string(),
                name: u.name.clone(),
                username: u.username.clone(),
                role: request.role.label(),
                requested_by: name_of(request.requested_by),
                own_request: request.requested_by == page.actor.user_id,
            })
        })
        .collect();
    Ok(UsersPage {
        pending,
        changes: changes
            .into_iter()
            .map(|e| ChangeRow {
                at: format_datetime(e.at),
                actor: e.actor_name.unwrap_or_else(|| done_by(&e.action).into()),
                detail: e.detail,
            })
            .collect(),
        layout: page.layout("Brugere og teams"),
        local_login,
        own_login: state.oidc.has(&page.actor.municipality_code),
        notice,
        form,
        users: all
            .into_iter()
            .map(|u| UserRow {
                id: u.id.to_string(),
                name: u.name,
                username: u.username,
                role: u.role.code().to_owned(),
                team_id: u.team_id.map(|t| t.to_string()).unwrap_or_default(),
                active: u.active,
                pending: u.pending.is_some(),
                resettable_second_factor: vaern_app::auth::second_factor::required(u.role)
                    && u.id != page.actor.user_id,
            })
            .collect(),
        teams: teams
            .iter()
            .map(|t| Choice::new(t.id, t.name.clone()))
            .collect(),
        roles: Role::ALL
            .iter()
            .map(|r| Choice::new(r.code(), r.label()))
            .collect(),
    })
}

/// Who made a change no user made: Værn itself, the municipality's login, or the operator.
fn done_by(action: &str) -> &'static str {
    use vaern_store::admin_log::{LOGIN_DELAYED, SSO_ROLE_CHANGED, SSO_USER_CREATED};
    match action {
        LOGIN_DELAYED => "Værn (login-forsinkelse)",
        SSO_USER_CREATED | SSO_ROLE_CHANGED => "Kommunens login",
        _ => "Driftsoperatør (kommandolinje)",
    }
}

fn notice(code: &str) -> Option<String> {
    match code {
        "oprettet" => Some("Brugeren er oprettet.".into()),
        "venter" => Some(
            "Brugeren er oprettet og kan logge ind, når en anden administrator har godkendt \
             adgangen."
                .into(),
        ),
        "anmodet" => Some(
            "Ændringen giver adgang til sager og venter på en anden administrators godkendelse."
                .into(),
        ),
        "godkendt" => Some("Adgangen er godkendt.".into()),
        "afvist" => Some("Anmodningen er afvist; brugeren har den adgang, den havde.".into()),
        "gemt" => Some("Ændringen er gemt.".into()),
        "team" => Some("Teamet er oprettet.".into()),
        "godkender-app" => Some(
            "Godkender-appen er fjernet; brugeren tilføjer en ny ved næste login.".into(),
        ),
        "adgangskode-til" => Some("Login med adgangskode er slået til.".into()),
        "adgangskode-fra" => Some(
            "Login med adgangskode er slået fra; medarbejderne logger ind med kommunens eget login."
                .into(),
        ),
        _ => None,
    }
}

async fn list_users(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let form = FormView::new([("role", "caseworker".to_owned())], FieldErrors::new());
    Ok(render(
        &users_page(&state, &page, form, notice(&query.besked)).await?,
    ))
}

async fn rerender(state: &AppState, page: &Page, form: FormView) -> Result<Response, UiError> {
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&users_page(state, page, form, None).await?),
    )
        .into_response())
}

async fn create_user(
    State(state): State<AppState>,
    page: Page,
    UiForm(input): UiForm<NewUserInput>,
) -> Result<Response, UiError> {
    match users::create(&state.db, &page.actor, &input).await {
        Ok(user) if user.pending.is_some() => {
            Ok(Redirect::to("/admin/brugere?besked=venter").into_response())
        }
        Ok(_) => Ok(Redirect::to("/admin/brugere?besked=oprettet").into_response()),
        Err(AppError::Invalid(errors)) => {
            // The password is not sent back into the page.
            let form = FormView::new(
                [
                    ("username", input.username),
                    ("name", input.name),
                    ("role", input.role),
                    ("team_id", input.team_id.unwrap_or_default()),
                ],
                errors,
            );
            rerender(&state, &page, form).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LocalLoginForm {
    allowed: bool,
}

async fn set_local_login(
    State(state): State<AppState>,
    page: Page,
    UiForm(input): UiForm<LocalLoginForm>,
) -> Result<Response, UiError> {
    let own_login = state.oidc.has(&page.actor.municipality_code);
    match users::set_local_login(&state.db, &page.actor, input.allowed, own_login).await {
        Ok(()) => {
            let notice = if input.allowed {
                "adgangskode-til"
            } else {
                "adgangskode-fra"
            };
            Ok(Redirect::to(&format!("/admin/brugere?besked={notice}")).into_response())
        }
        Err(AppError::Invalid(errors)) => rerender(&state, &page, FormView::new([], errors)).await,
        Err(other) => Err(other.into()),
    }
}

async fn update_user(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(input): UiForm<UpdateUserInput>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    match users::update(&state.db, &page.actor, id, &input).await {
        Ok(user)
            if user
                .pending
                .is_some_and(|p| p.requested_by == page.actor.user_id) =>
        {
            Ok(Redirect::to("/admin/brugere?besked=anmodet").into_response())
        }
        Ok(_) => Ok(Redirect::to("/admin/brugere?besked=gemt").into_response()),
        Err(AppError::Invalid(errors)) => rerender(&state, &page, FormView::new([], errors)).await,
        Err(other) => Err(other.into()),
    }
}

async fn approve_user(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    answer_request(
        &state,
        &page,
        users::approve(&state.db, &page.actor, parse_id(&id)?).await,
        "godkendt",
    )
    .await
}

async fn reject_user(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    answer_request(
        &state,
        &page,
        users::reject(&state.db, &page.actor, parse_id(&id)?).await,
        "afvist",
    )
    .await
}

async fn reset_second_factor(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let result =
        vaern_app::auth::second_factor::reset_by(&state.db, &page.actor, parse_id(&id)?).await;
    answer_request(&state, &page, result, "godkender-app").await
}

async fn answer_request(
    state: &AppState,
    page: &Page,
    result: Result<vaern_store::users::User, AppError>,
    notice: &str,
) -> Result<Response, UiError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/admin/brugere?besked={notice}")).into_response()),
        Err(AppError::Invalid(errors)) => rerender(state, page, FormView::new([], errors)).await,
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TeamForm {
    team_name: String,
}

async fn create_team(
    State(state): State<AppState>,
    page: Page,
    UiForm(input): UiForm<TeamForm>,
) -> Result<Response, UiError> {
    match users::create_team(&state.db, &page.actor, &input.team_name).await {
        Ok(_) => Ok(Redirect::to("/admin/brugere?besked=team").into_response()),
        Err(AppError::Invalid(errors)) => {
            rerender(
                &state,
                &page,
                FormView::new([("team_name", input.team_name)], errors),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

struct LogRow {
    at: String,
    user: String,
    person_id: Option<String>,
    person: String,
    kind: &'static str,
    detail: String,
}

#[derive(Template)]
#[template(path = "access_log.html")]
struct AccessLogPage {
    layout: Layout,
    filter: FormView,
    users: Vec<Choice>,
    kinds: Vec<Choice>,
    rows: Vec<LogRow>,
    query: String,
    next_page: Option<String>,
}

fn filter_form(input: &access_log::FilterInput, errors: FieldErrors) -> FormView {
    FormView::new(
        [
            ("user_id", input.user_id.clone().unwrap_or_default()),
            ("person_id", input.person_id.clone().unwrap_or_default()),
            ("kind", input.kind.clone().unwrap_or_default()),
            ("from", input.from.clone().unwrap_or_default()),
            ("to", input.to.clone().unwrap_or_default()),
        ],
        errors,
    )
}

fn filter_query(input: &access_log::FilterInput, before: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in [
        ("user_id", &input.user_id),
        ("person_id", &input.person_id),
        ("kind", &input.kind),
        ("from", &input.from),
        ("to", &input.to),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            query.append_pair(key, value);
        }
    }
    if let Some(before) = before {
        query.append_pair("before", before);
    }
    query.finish()
}

async fn show_access_log(
    State(state): State<AppState>,
    page: Page,
    Query(input): Query<access_log::FilterInput>,
) -> Result<Response, UiError> {
    let (filter, errors) = match input.parse() {
        Ok(filter) => (filter, FieldErrors::new()),
        Err(errors) => (Default::default(), errors),
    };
    let (rows, more) = access_log::list(&state.db, &page.actor, &filter).await?;
    let all_users = vaern_app::users::list(&state.db, &page.actor)
        .await
        .map(|(u, _)| u)
        .unwrap_or_default();
    let next_page = more.then(|| {
        format!(
            "/admin/adgangslog?{}",
            filter_query(&input, rows.last().map(access_log::cursor).as_deref())
        )
    });
    Ok(render(&AccessLogPage {
        layout: page.layout("Adgangslog"),
        filter: filter_form(&input, errors),
        users: all_users
            .iter()
            .map(|u| Choice::new(u.id, u.name.clone()))
            .collect(),
        kinds: AccessKind::ALL
            .iter()
            .map(|k| Choice::new(k.code(), k.label()))
            .collect(),
        query: filter_query(&input, None),
        rows: rows
            .into_iter()
            .map(|r| LogRow {
                at: format_datetime(r.at),
                user: r.user_name.unwrap_or_default(),
                person_id: r.person_id.map(|p| p.to_string()),
                person: r.person_name.unwrap_or_else(|| "(ukendt)".into()),
                kind: AccessKind::from_code(&r.kind)
                    .map(AccessKind::label)
                    .unwrap_or("?"),
                detail: r.detail,
            })
            .collect(),
        next_page,
    }))
}

async fn export_access_log(
    State(state): State<AppState>,
    page: Page,
    Query(input): Query<access_log::FilterInput>,
) -> Result<Response, UiError> {
    let filter = input.parse().map_err(AppError::Invalid)?;
    let csv = access_log::export_csv(&state.db, &page.actor, &filter).await?;
    Ok(csv_response(csv))
}

/// A CSV download named after today's date.
pub fn csv_response(csv: String) -> Response {
    let name = format!("adgangslog-{}.csv", vaern_app::today());
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            .expect("ASCII file name"),
    );
    response
}
