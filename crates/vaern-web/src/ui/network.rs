//! The child page's Netværk tab: the people and professionals around the child, adding a person
//! (typed or fetched from CPR) or a professional from the address book, and copying shared data
//! from a sibling's case.

use crate::routes::Declared;
use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use vaern_app::{
    AppError,
    address_book::{self, ChildProfessionalInput},
    cpr,
    network::{self, Confirmed},
};
use vaern_domain::{
    Capability, FieldErrors,
    address_book::ProfessionalRole,
    cpr::Cpr,
    dates::format_date,
    network::{NewRelationInput, RelationKind},
    process::party::PARTY_CASES,
    register::RegisterStatus,
};
use vaern_store::{ChildId, access_log::AccessKind, address_book::Professional, network::Member};

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
        .declared("/boern/{id}/netvaerk", get(show_network).post(add_person))
        .declared("/boern/{id}/netvaerk/cpr", post(lookup))
        .declared("/boern/{id}/netvaerk/kopier", post(copy_from_sibling))
        .declared(
            "/boern/{id}/netvaerk/fagperson",
            get(show_professional_form).post(add_professional),
        )
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

impl MemberRow {
    fn professional(p: &Professional) -> Self {
        MemberRow {
            name: p.name.clone(),
            relation: ProfessionalRole::label_of(&p.role),
            custody: false,
            outside_family: true,
            cpr: None,
            address: vec![p.organisation_name.clone()],
            phone: p.phone.clone(),
            email: p.email.clone(),
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

fn picture(child: &str, members: &[&MemberRow]) -> Option<Picture> {
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
    professionals: Vec<MemberRow>,
    picture: Option<Picture>,
    /// The cases in which a child of 10 is a party (barnets lov § 3).
    party_cases: &'static [&'static str],
    kinds: Vec<Choice>,
    siblings: Vec<Choice>,
    /// The add-person form, the CPR lookup and the copy from a sibling's case.
    form: FormView,
    lookup_form: FormView,
    copy_form: FormView,
}

/// The forms of the network page, as the request left them.
#[derive(Default)]
struct Forms {
    person: FormView,
    lookup: FormView,
    copy: FormView,
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
    forms: Forms,
) -> Result<NetworkPage, UiError> {
    let network = network::list(&state.db, &page.actor, id, AccessKind::View).await?;
    let siblings = if page.actor.can(Capability::EditChildren) {
        network::siblings(&state.db, &page.actor, id).await?
    } else {
        Vec::new()
    };
    let child = ChildView::new(&network.child);
    let members: Vec<MemberRow> = network.members.iter().map(MemberRow::new).collect();
    let professionals: Vec<MemberRow> = network
        .professionals
        .iter()
        .map(MemberRow::professional)
        .collect();
    let everyone: Vec<&MemberRow> = members.iter().chain(&professionals).collect();
    Ok(NetworkPage {
        layout: page.layout(format!("Netværk – {}", child.name)),
        notice,
        tab: "netvaerk",
        picture: picture(&child.name, &everyone),
        party_cases: &PARTY_CASES,
        members,
        professionals,
        kinds: RelationKind::ALL
            .into_iter()
            .map(|k| Choice::new(k.code(), k.label()))
            .collect(),
        siblings: siblings
            .iter()
            .map(|s| {
                let case = s.case_number.as_deref().unwrap_or("uden sag");
                Choice::new(s.id, format!("{} ({case})", s.full_name()))
            })
            .collect(),
        form: forms.person,
        lookup_form: forms.lookup,
        copy_form: forms.copy,
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
    let notice = match query.besked.as_str() {
        "tilfoejet" => Some("Personen er tilføjet netværket og noteret i journalen."),
        "fagperson" => Some("Fagpersonen er tilknyttet barnet og noteret i journalen."),
        "kopieret" => Some(
            "Fælles oplysninger er kopieret fra søskendes sag og noteret i journalen på begge sager.",
        ),
        _ => None,
    }
    .map(str::to_owned);
    Ok(render(
        &network_page(&state, &page, id, notice, Forms::default()).await?,
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
    confirm_register: Option<String>,
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
    let confirmed = Confirmed {
        new_person: form.confirm_new.is_some(),
        against_register: form.confirm_register.is_some(),
    };
    match network::add(
        &state.db,
        state.register.as_ref(),
        &page.actor,
        id,
        &input,
        confirmed,
    )
    .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/boern/{id}/netvaerk?besked=tilfoejet")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            // What was confirmed stays confirmed, so two warnings never send the caseworker in
            // circles.
            let mut person = person_form(input, errors);
            for (field, ticked) in [
                ("confirm_new", confirmed.new_person),
                ("confirm_register", confirmed.against_register),
            ] {
                if ticked {
                    person.insert(field.to_owned(), "on".to_owned());
                }
            }
            let forms = Forms {
                person,
                ..Forms::default()
            };
            let page = network_page(&state, &page, id, None, forms).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn person_form(input: NewRelationInput, errors: FieldErrors) -> FormView {
    FormView::new(
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
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LookupForm {
    lookup_cpr: String,
}

/// Looks the number up in CPR and shows the add-person form filled with what CPR knows, for
/// the caseworker to check and add.
async fn lookup(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(form): UiForm<LookupForm>,
) -> Result<Response, UiError> {
    let id: ChildId = parse_id(&id)?;
    let found = cpr::lookup_for_child(
        &state.db,
        state.register.as_ref(),
        &page.actor,
        id,
        &form.lookup_cpr,
        AccessKind::View,
    )
    .await;
    match found {
        Ok((_, found)) => {
            let person = &found.person;
            let input = NewRelationInput {
                first_name: person.first_name.clone(),
                last_name: person.last_name.clone(),
                cpr: Some(person.cpr.formatted()),
                birth_date: String::new(),
                kind: found.kind.map(|k| k.code().to_owned()).unwrap_or_default(),
                custody: found.custody,
                address: person
                    .address
                    .as_ref()
                    .map(|a| a.lines.join("\n"))
                    .unwrap_or_default(),
                phone: String::new(),
                email: String::new(),
            };
            let mut notice = format!(
                "{} er hentet fra CPR. Kontrollér oplysningerne nedenfor, og tilføj personen.",
                person.full_name()
            );
            if let Some(date) = person.status.date() {
                notice.push_str(&format!(
                    " Bemærk: CPR-status er «{}» fra {}.",
                    register_status(person.status),
                    format_date(date)
                ));
            }
            let forms = Forms {
                person: person_form(input, FieldErrors::new()),
                ..Forms::default()
            };
            Ok(
                render(&network_page(&state, &page, id, Some(notice), forms).await?)
                    .into_response(),
            )
        }
        Err(AppError::Invalid(errors)) => {
            let message = errors.for_field("cpr").unwrap_or(cpr::UNKNOWN).to_owned();
            let forms = Forms {
                lookup: FormView::new(
                    [("lookup_cpr", form.lookup_cpr)],
                    FieldErrors::single("lookup_cpr", message),
                ),
                ..Forms::default()
            };
            let page = network_page(&state, &page, id, None, forms).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn register_status(status: RegisterStatus) -> &'static str {
    match status {
        RegisterStatus::Active => "aktiv",
        RegisterStatus::Dead(_) => "død",
        RegisterStatus::Emigrated(_) => "udrejst",
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CopyForm {
    from: String,
}

async fn copy_from_sibling(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(form): UiForm<CopyForm>,
) -> Result<Response, UiError> {
    let id: ChildId = parse_id(&id)?;
    match network::copy_from_sibling(&state.db, &page.actor, id, &form.from, AccessKind::View).await
    {
        Ok(_) => Ok(Redirect::to(&format!("/boern/{id}/netvaerk?besked=kopieret")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let forms = Forms {
                copy: FormView::new([("from", form.from)], errors),
                ..Forms::default()
            };
            let page = network_page(&state, &page, id, None, forms).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "child_professional.html")]
struct ProfessionalPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    professionals: Vec<Choice>,
    organisations: Vec<Choice>,
    roles: Vec<Choice>,
    form: FormView,
}

async fn professional_page(
    state: &AppState,
    page: &Page,
    id: ChildId,
    form: FormView,
) -> Result<ProfessionalPage, UiError> {
    let network = network::list(&state.db, &page.actor, id, AccessKind::View).await?;
    let (organisations, professionals) = address_book::list(&state.db, &page.actor).await?;
    let child = ChildView::new(&network.child);
    Ok(ProfessionalPage {
        layout: page.layout(format!("Tilføj fagperson – {}", child.name)),
        notice: None,
        tab: "netvaerk",
        professionals: professionals
            .iter()
            .map(|p| {
                Choice::new(
                    p.id,
                    format!(
                        "{} – {}, {}",
                        p.name,
                        ProfessionalRole::label_of(&p.role),
                        p.organisation_name
                    ),
                )
            })
            .collect(),
        organisations: organisations
            .iter()
            .map(|o| Choice::new(o.id, o.name.clone()))
            .collect(),
        roles: ProfessionalRole::ALL
            .into_iter()
            .map(|r| Choice::new(r.code(), r.label()))
            .collect(),
        form,
        child,
    })
}

async fn show_professional_form(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id: ChildId = parse_id(&id)?;
    let form = FormView::new([], FieldErrors::new());
    Ok(render(&professional_page(&state, &page, id, form).await?).into_response())
}

async fn add_professional(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(input): UiForm<ChildProfessionalInput>,
) -> Result<Response, UiError> {
    let id: ChildId = parse_id(&id)?;
    match address_book::add_to_child(&state.db, &page.actor, id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/boern/{id}/netvaerk?besked=fagperson")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let form = FormView::new(
                [
                    ("professional_id", input.professional_id),
                    ("organisation_id", input.organisation_id),
                    ("name", input.new.name),
                    ("role", input.new.role),
                    ("phone", input.new.phone),
                    ("email", input.new.email),
                ],
                errors,
            );
            let page = professional_page(&state, &page, id, form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
