//! The public catalogue pages: the home page, the guide list and search, an item's guide, the
//! self-check. Each works without JavaScript; the self-check's form is a GET, so a list can be
//! linked and printed.

use super::item_or_404;
use super::views::{self, ChecklistInput};
use crate::shared::auth::Visitor;
use crate::shared::centre::{resolve_centre, CentreQuery};
use crate::shared::error::PageError;
use crate::shared::frame::frame;
use crate::shared::hours::hours_text;
use crate::shared::templates::render;
use crate::shared::texts::text;
use crate::shared::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use banshi_domain::{assess, Item};
use minijinja::context;
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

pub async fn home(State(state): State<AppState>, visitor: Visitor, Query(query): Query<CentreQuery>) -> PageResult {
    let frame = frame(&state, &visitor).await?;
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    let catalog = state.cache.catalog(state.store.as_ref(), &centre).await?;
    let groups = views::group_by_category(&catalog.items);
    let windows = state.store.windows(&centre).await?;
    let hours = hours_text(&state.cache.hall(state.store.as_ref(), &centre).await?.hours);
    Ok(render("catalog/home.html", context! { groups, windows, hours, ..frame }))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    centre: Option<String>,
}

pub async fn guide_list(State(state): State<AppState>, visitor: Visitor, Query(search): Query<SearchQuery>) -> PageResult {
    let frame = frame(&state, &visitor).await?;
    let centre = resolve_centre(&state, &visitor, search.centre.clone()).await?;
    let catalog = state.cache.catalog(state.store.as_ref(), &centre).await?;
    let found: Vec<&Item> = catalog.items.iter().filter(|i| i.matches(&search.q)).collect();
    let count = found.len();
    let groups = views::group_by_category(found);
    Ok(render("catalog/guide_list.html", context! { groups, count, query => search.q, ..frame }))
}

pub async fn guide_item(State(state): State<AppState>, visitor: Visitor, Path(code): Path<String>, Query(query): Query<CentreQuery>) -> PageResult {
    let frame = frame(&state, &visitor).await?;
    let centre = resolve_centre(&state, &visitor, query.centre).await?;
    let item = item_or_404(&state, &centre, &code).await?;
    let channel_labels: Vec<&str> = item.channels.iter().map(|c| text(&format!("channel_{}", c.as_str()))).collect();
    let context = context! {
        materials => views::material_rows(&item),
        kind_label => text(&format!("kind_{}", item.kind.code())),
        handling_label => text(&format!("handling_{}", item.handling.as_str())),
        channel_labels,
        item,
        ..frame
    };
    Ok(render("catalog/guide.html", context))
}

/// The citizen's self-check: answer the situation questions, tick what you have, get your list.
pub async fn self_check(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let frame = frame(&state, &visitor).await?;
    let named = pairs.iter().find(|(k, _)| k == "centre").map(|(_, v)| v.clone());
    let centre = resolve_centre(&state, &visitor, named).await?;
    let item = item_or_404(&state, &centre, &code).await?;
    let input = ChecklistInput::from_pairs(&pairs).sanitised(&item);
    let done = pairs.iter().any(|(k, v)| k == "done" && v == "1");
    let form = views::form_state(&item, &input);
    let assessment = if done && form.all_answered { assess(&item, &input.answers, &input.present).ok() } else { None };
    let verdict_label = assessment.as_ref().map(views::verdict_label);
    // Questions the visitor was shown and left unanswered (not those their answers just brought up).
    let shown: Vec<&str> = pairs.iter().filter(|(k, _)| k == "shown").map(|(_, v)| v.as_str()).collect();
    let unanswered: Vec<&str> = form.questions.iter().filter(|q| q.answer.is_none() && shown.contains(&q.id)).map(|q| q.id).collect();
    let context = context! {
        unanswered,
        questions => form.questions,
        all_answered => form.all_answered,
        materials => form.materials,
        at_window => form.at_window,
        present_hint => text("check_materials_hint"),
        answers_query => input.answers_query(),
        assessment,
        verdict_label,
        item,
        ..frame
    };
    Ok(render("catalog/check.html", context))
}
