//! Frister og regler: every statutory deadline rule with its legal reference (UX.md principle 9:
//! every deadline says which paragraph it comes from).

use askama::Template;
use axum::{Router, response::Response, routing::get};
use vaern_app::deadlines;
use vaern_domain::process::DeadlineRule;

use super::{Layout, Page};
use crate::{AppState, errors::render};

pub fn router() -> Router<AppState> {
    Router::new().route("/frister", get(list_deadline_rules))
}

#[derive(Template)]
#[template(path = "deadline_rules.html")]
struct RulesPage {
    layout: Layout,
    rules: &'static [DeadlineRule],
}

async fn list_deadline_rules(page: Page) -> Response {
    render(&RulesPage {
        layout: page.layout("Frister og regler"),
        rules: deadlines::rules(),
    })
}
