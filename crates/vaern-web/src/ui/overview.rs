//! Mit overblik: where the working day starts. Underretninger awaiting the 24-hour assessment on
//! top with countdowns, then one consolidated list of this week's deadlines (overdue first), then
//! the caseworker's open cases (UX.md principle 1; never one reminder per rule per day).

use crate::routes::Declared;
use askama::Template;
use axum::{Router, extract::State, response::Response, routing::get};
use vaern_app::{case_process, children};
use vaern_domain::dates::format_datetime;

use super::{
    Layout, Page,
    countdown::{DeadlineView, remaining},
    views::ChildView,
};
use crate::{
    AppState,
    errors::{UiError, render},
};

pub fn router() -> Router<AppState> {
    Router::new().declared("/", get(show_overview))
}

struct AwaitingView {
    child_id: String,
    child_name: String,
    sub_case_id: String,
    received_at: String,
    due: String,
    due_iso: String,
    remaining: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    layout: Layout,
    awaiting: Vec<AwaitingView>,
    deadlines: Vec<DeadlineView>,
    cases: Vec<ChildView>,
}

async fn show_overview(State(state): State<AppState>, page: Page) -> Result<Response, UiError> {
    let overview = case_process::overview(&state.db, &page.actor).await?;
    let cases = children::my_open_cases(&state.db, &page.actor).await?;
    let now = vaern_store::now();
    Ok(render(&OverviewPage {
        layout: page.layout("Mit overblik"),
        awaiting: overview
            .awaiting
            .iter()
            .map(|n| {
                let due = n.assessment_due_at.unwrap_or(n.received_at);
                AwaitingView {
                    child_id: n.child_id.to_string(),
                    child_name: n.child_name.clone(),
                    sub_case_id: n.sub_case_id.to_string(),
                    received_at: format_datetime(n.received_at),
                    due: format_datetime(due),
                    due_iso: vaern_domain::dates::rfc3339_utc(due),
                    remaining: remaining(due, now),
                    overdue: due < now,
                }
            })
            .collect(),
        deadlines: overview
            .deadlines
            .iter()
            .map(|d| DeadlineView {
                closed_day: d.closed_day.clone(),
                ..DeadlineView::new(&d.deadline, now)
            })
            .collect(),
        cases: cases
            .iter()
            .map(|c| ChildView {
                next_step: overview
                    .next_steps
                    .iter()
                    .find(|(case, _)| Some(*case) == c.case_id)
                    .map(|(_, label)| *label),
                ..ChildView::new(c)
            })
            .collect(),
    }))
}
