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
    /// Outside the family: drawn with a dashed line.
    outside_family: bool,
    cpr: Option<String>,
    address: Vec<String>,
    phone: Option<String>,
    email: Option<String>,
}

impl MemberRow {
    fn new(m: &Member) -> Self {
        let kind = RelationKind::parse(&m.kind).ok();
        MemberRow {
            name: m.full_name(),
            relation: kind.map_or("Ukendt", RelationKind::label),
            custody: m.custody,
            outside_family: kind.is_some_and(|k| !k.is_family()),
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

/// A person placed in the network picture.
struct Node {
    x: String,
    y: String,
    label_y: String,
    name: String,
    relation: &'static str,
    custody: bool,
    outside_family: bool,
}

/// The network as a picture: the child in the middle, the people on a ring around it,
/// custody holders from the top.
struct Picture {
    nodes: Vec<Node>,
    description: String,
}

const CENTRE: (f64, f64) = (320.0, 210.0);
const RING: f64 = 150.0;

fn picture(child: &str, members: &[MemberRow]) -> Option<Picture> {
    if members.is_empty() {
        return None;
    }
    let step = std::f64::consts::TAU / members.len() as f64;
    let nodes = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let angle = -std::f64::consts::FRAC_PI_2 + step * i as f64;
            let (x, y) = (CENTRE.0 + RING * angle.cos(), CENTRE.1 + RING * angle.sin());
            Node {
                x: format!("{x:.1}"),
                y: format!("{y:.1}"),
                // Labels go outward, so they never sit on the line to the child.
                label_y: format!(
                    "{:.1}",
                    if angle.sin() < -0.3 {
                        y - 44.0
                    } else {
                        y + 36.0
                    }
                ),
                name: m.name.clone(),
                relation: m.relation,
                custody: m.custody,
                outside_family: m.outside_family,
            }
        })
        .collect();
    let people: Vec<String> = members
        .iter()
        .map(|m| {
            let custody = if m.custody {
                ", forældremyndighed"
            } else {
                ""
            };
            format!("{}: {}{custody}", m.relation, m.name)
        })
        .collect();
    Some(Picture {
        nodes,
        description: format!("{child} i midten. {}.", people.join(". ")),
    })
}

#[derive(Template)]
#[template(path = "child_network.html")]
struct NetworkPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    members: Vec<MemberRow>,
    picture: Option<Picture>,
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
    let rows: Vec<MemberRow> = members.iter().map(MemberRow::new).collect();
    Ok(NetworkPage {
        layout: page.layout(format!("Netværk – {}", child.name)),
        notice,
        tab: "netvaerk",
        picture: picture(&child.name, &rows),
        members: rows,
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
    birth_date: String,
    kind: String,
    custody: Option<String>,
    confirm_new: Option<String>,
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
        birth_date: form.birth_date,
        kind: form.kind,
        custody: form.custody.is_some(),
        address: form.address,
        phone: form.phone,
        email: form.email,
    };
    let confirmed_new = form.confirm_new.is_some();
    match network::add(&state.db, &page.actor, id, &input, confirmed_new).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/boern/{id}/netvaerk?besked=tilfoejet")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let kept = FormView::new(
                [
                    ("first_name", input.first_name),
                    ("last_name", input.last_name),
                    ("cpr", input.cpr.unwrap_or_default()),
                    ("birth_date", input.birth_date),
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
