//! Mit overblik: where the working day starts.

use askama::Template;
use axum::{Router, extract::State, response::Response, routing::get};
use vaern_app::children;

use super::{Layout, Page, views::ChildView};
use crate::{
    AppState,
    errors::{UiError, render},
};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(show_overview))
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    layout: Layout,
    cases: Vec<ChildView>,
}

async fn show_overview(State(state): State<AppState>, page: Page) -> Result<Response, UiError> {
    let cases = children::my_open_cases(&state.db, &page.actor).await?;
    Ok(render(&OverviewPage {
        layout: page.layout("Mit overblik"),
        cases: cases.iter().map(ChildView::new).collect(),
    }))
}
