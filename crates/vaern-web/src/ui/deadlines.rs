//! Frister og regler: every statutory deadline rule with its legal reference and, where the
//! municipality has one, its local standard (UX.md principle 9).

use crate::routes::Declared;
use askama::Template;
use axum::{Router, extract::State, response::Response, routing::get};
use vaern_app::deadlines;
use vaern_domain::process::DeadlineRule;

use super::{Layout, Page};
use crate::{
    AppState,
    errors::{UiError, render},
};

pub fn router() -> Router<AppState> {
    Router::new().declared("/frister", get(list_deadline_rules))
}

struct RuleRow {
    rule: &'static DeadlineRule,
    local: Option<String>,
}

#[derive(Template)]
#[template(path = "deadline_rules.html")]
struct RulesPage {
    layout: Layout,
    rows: Vec<RuleRow>,
}

async fn list_deadline_rules(
    State(state): State<AppState>,
    page: Page,
) -> Result<Response, UiError> {
    let local = deadlines::municipality_rules(&state.db, &page.actor).await?;
    let rows = deadlines::rules()
        .iter()
        .map(|rule| RuleRow {
            rule,
            local: local.local_for(rule.id).map(|l| {
                format!(
                    "{} – {}",
                    DeadlineRule {
                        offset: l.offset,
                        ..*rule
                    }
                    .offset_text(),
                    l.description
                )
            }),
        })
        .collect();
    Ok(render(&RulesPage {
        layout: page.layout("Frister og regler"),
        rows,
    }))
}
