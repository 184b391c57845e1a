//! The child page's Netværk tab: the people around the child and adding one.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use serde::Deserialize;
use vaern_app::{AppError, network};
use vaern_domain::{
    FieldErrors,
    cpr::Cpr,
    network::{NewRelationInput, RelationKind},
};
use vaern_store::{ChildId, access_log::AccessKind, network::Member};

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
    Router::new().route("/boern/{id}/netvaerk", get(show_network).post(add_person))
}

/// A person as a row of the network list.
struct MemberRow {
    name: String,
    relation: &'static str,
    custody: bool,
    cpr: Option<String>,
    address: Vec<String>,
    phone: Option<String>,
    email: Option<String>,
}

impl MemberRow {
    fn new(m: &Member) -> Self {
        MemberRow {
            name: m.full_name(),
            relation: RelationKind::parse(&m.kind).map_or("Ukendt", RelationKind::label),
            custody: m.custody,
            cpr: m
                .cpr
                .as_deref()
                .and_then(|c| Cpr::parse(c).ok())
                .map(|c| c.masked()),
            address: m.address_lines(),
            phone: m.phone.clone(),
            email: m.email.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "child_network.html")]
struct NetworkPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    members: Vec<MemberRow>,
    kinds: Vec<Choice>,
    form: FormView,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    besked: String,
}

async fn network_page(
    state: &AppState,
    page: &Page,
    id: ChildId,
    notice: Option<String>,
    form: FormView,
) -> Result<NetworkPage, UiError> {
    let (child, members) = network::list(&state.db, &page.actor, id, AccessKind::View).await?;
    let child = ChildView::new(&child);
    Ok(NetworkPage {
        layout: page.layout(format!("Netværk – {}", child.name)),
        notice,
        tab: "netvaerk",
        members: members.iter().map(MemberRow::new).collect(),
        kinds: RelationKind::ALL
            .into_iter()
            .map(|k| Choice::new(k.code(), k.label()))
            .collect(),
        form,
        child,
    })
}

async fn show_network(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let notice = (query.besked == "tilfoejet")
        .then(|| "Personen er tilføjet netværket og noteret i journalen.".to_owned());
    let form = FormView::new([], FieldErrors::new());
    Ok(render(
        &network_page(&state, &page, id, notice, form).await?,
    ))
}

/// The form as posted (checkboxes are absent when unticked).
#[derive(Deserialize, Default)]
#[serde(default)]
struct PersonForm {
    first_name: String,
    last_name: String,
    cpr: String,
    kind: String,
    custody: Option<String>,
    address: String,
    phone: String,
    email: String,
}

async fn add_person(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(form): UiForm<PersonForm>,
) -> Result<Response, UiError> {
    let id: ChildId = parse_id(&id)?;
    let input = NewRelationInput {
        first_name: form.first_name,
        last_name: form.last_name,
        cpr: Some(form.cpr),
        kind: form.kind,
        custody: form.custody.is_some(),
        address: form.address,
        phone: form.phone,
        email: form.email,
    };
    match network::add(&state.db, &page.actor, id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/boern/{id}/netvaerk?besked=tilfoejet")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let kept = FormView::new(
                [
                    ("first_name", input.first_name),
                    ("last_name", input.last_name),
                    ("cpr", input.cpr.unwrap_or_default()),
                    ("kind", input.kind),
                    (
                        "custody",
                        if input.custody {
                            "on".into()
                        } else {
                            String::new()
                        },
                    ),
                    ("address", input.address),
                    ("phone", input.phone),
                    ("email", input.email),
                ],
                errors,
            );
            let page = network_page(&state, &page, id, None, kept).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
