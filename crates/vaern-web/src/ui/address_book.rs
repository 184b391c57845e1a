//! Adressebog: the municipality's organisations and professionals, and adding an organisation.

use crate::routes::Declared;
use askama::Template;
use axum::{
    Router,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use serde::Deserialize;
use vaern_app::{AppError, address_book};
use vaern_domain::{
    FieldErrors,
    address_book::{NewOrganisationInput, OrganisationKind, ProfessionalRole},
};

use super::{Layout, Page, views::Choice};
use crate::{
    AppState,
    errors::{UiError, render},
    forms::{FormView, UiForm},
};

pub fn router() -> Router<AppState> {
    Router::new().declared("/adressebog", get(show).post(add_organisation))
}

struct OrganisationRow {
    name: String,
    kind: &'static str,
    cvr: Option<String>,
    p_number: Option<String>,
    address: Vec<String>,
    phone: Option<String>,
    email: Option<String>,
    professionals: Vec<String>,
}

#[derive(Template)]
#[template(path = "address_book.html")]
struct AddressBookPage {
    layout: Layout,
    notice: Option<String>,
    organisations: Vec<OrganisationRow>,
    kinds: Vec<Choice>,
    form: FormView,
}

async fn page_with(
    state: &AppState,
    page: &Page,
    notice: Option<String>,
    form: FormView,
) -> Result<AddressBookPage, UiError> {
    let (organisations, professionals) = address_book::list(&state.db, &page.actor).await?;
    Ok(AddressBookPage {
        layout: page.layout("Adressebog".to_owned()),
        notice,
        organisations: organisations
            .into_iter()
            .map(|o| OrganisationRow {
                professionals: professionals
                    .iter()
                    .filter(|p| p.organisation_id == o.id)
                    .map(|p| format!("{} ({})", p.name, ProfessionalRole::label_of(&p.role)))
                    .collect(),
                kind: OrganisationKind::label_of(&o.kind),
                address: o.address.lines().map(str::to_owned).collect(),
                name: o.name,
                cvr: o.cvr,
                p_number: o.p_number,
                phone: o.phone,
                email: o.email,
            })
            .collect(),
        kinds: OrganisationKind::ALL
            .into_iter()
            .map(|k| Choice::new(k.code(), k.label()))
            .collect(),
        form,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    besked: String,
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let notice = (query.besked == "oprettet")
        .then(|| "Organisationen er oprettet i adressebogen.".to_owned());
    let form = FormView::new([], FieldErrors::new());
    Ok(render(&page_with(&state, &page, notice, form).await?).into_response())
}

async fn add_organisation(
    State(state): State<AppState>,
    page: Page,
    UiForm(input): UiForm<NewOrganisationInput>,
) -> Result<Response, UiError> {
    match address_book::add_organisation(&state.db, &page.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/adressebog?besked=oprettet").into_response()),
        Err(AppError::Invalid(errors)) => {
            let form = FormView::new(
                [
                    ("name", input.name),
                    ("kind", input.kind),
                    ("cvr", input.cvr),
                    ("p_number", input.p_number),
                    ("address", input.address),
                    ("phone", input.phone),
                    ("email", input.email),
                ],
                errors,
            );
            let page = page_with(&state, &page, None, form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
