//! The HTML UI, one module per area. Handlers are thin: extract, call the app service, render.
//! Forms that fail validation are rendered again with the user's input and the messages.

mod address_book;
mod admin;
mod case_process;
mod children;
mod countdown;
mod deadlines;
pub(crate) mod documents;
mod economy;
mod investigation;
mod journal;
mod letters;
mod login;
mod measures;
mod municipality_settings;
mod network;
mod overview;
mod plan;
mod saml;
mod sso;
mod team;
mod views;

use axum::{Router, extract::FromRequestParts, http::request::Parts};
use vaern_app::{Actor, AppError};
use vaern_domain::Capability;

use crate::{AppState, errors::UiError, policy::CsrfToken};

pub use admin::csv_response;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(login::router())
        .merge(sso::router())
        .merge(saml::router())
        .merge(overview::router())
        .merge(children::router())
        .merge(case_process::router())
        .merge(deadlines::router())
        .merge(journal::router())
        .merge(documents::router())
        .merge(letters::router())
        .merge(network::router())
        .merge(address_book::router())
        .merge(investigation::router())
        .merge(plan::router())
        .merge(measures::router())
        .merge(economy::router())
        .merge(admin::router())
        .merge(municipality_settings::router())
        .merge(team::router())
}

/// What every page's layout shows about the user.
pub struct Layout {
    pub title: String,
    pub user_name: String,
    pub role_label: &'static str,
    pub municipality: String,
    pub csrf: String,
    pub search: String,
    pub can_read_children: bool,
    pub can_edit_children: bool,
    pub can_write_journal: bool,
    pub can_manage_users: bool,
    pub can_read_log: bool,
    pub can_export_log: bool,
    pub can_lead_team: bool,
    pub can_manage_municipality: bool,
    pub can_read_offers: bool,
    pub can_read_economy: bool,
    pub can_manage_economy: bool,
    /// The server's clock as it renders the page (RFC 3339, UTC; `<body data-now>`): app.js
    /// counts deadlines from it, not from the PC's own clock.
    pub now: String,
}

/// The logged-in user of a UI request, as the policy middleware authenticated them.
pub struct Page {
    pub actor: Actor,
    pub csrf: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let actor = parts
            .extensions
            .get::<Actor>()
            .cloned()
            .ok_or(UiError(AppError::Unauthenticated))?;
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        Ok(Page { actor, csrf })
    }
}

impl Page {
    /// The layout for a page titled `title`.
    pub fn layout(&self, title: impl Into<String>) -> Layout {
        let can = |c| self.actor.can(c);
        Layout {
            title: title.into(),
            user_name: self.actor.name.clone(),
            role_label: self.actor.role.label(),
            municipality: self.actor.municipality_name.clone(),
            csrf: self.csrf.clone(),
            search: String::new(),
            can_read_children: can(Capability::ReadChildren),
            can_edit_children: can(Capability::EditChildren),
            can_write_journal: can(Capability::WriteJournal),
            can_manage_users: can(Capability::ManageUsers),
            can_read_log: can(Capability::ReadAccessLog),
            can_export_log: can(Capability::ExportAccessLog),
            can_lead_team: can(Capability::LeadTeam),
            can_manage_municipality: can(Capability::ManageMunicipality),
            can_read_offers: can(Capability::ReadOffers),
            can_read_economy: can(Capability::ReadEconomy),
            can_manage_economy: can(Capability::ManageEconomy),
            now: vaern_domain::dates::rfc3339_utc(vaern_store::now()),
        }
    }
}
