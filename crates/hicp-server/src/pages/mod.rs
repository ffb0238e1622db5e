//! The browser workspace: server-rendered pages (askama templates under `templates/`) over the
//! same application layer and authorization as the JSON API. Every page works without script;
//! htmx, vendored and served from here, only saves round trips (autosave, partial updates).
//!
//! How a page request travels, beyond what [`crate::serve`] does for every request:
//!
//! 1. [`forms::csrf_field_to_header`]: a form's hidden `_csrf` field becomes the
//!    `X-CSRF-Token` header, so the API's one CSRF check ([`crate::caller::Caller`]) guards
//!    forms too.
//! 2. [`frame::Signed`]: the caller (or the caller's standing in the URL's organization) as the
//!    API extracts it, with its refusals turned into pages — a sign-in redirect for nobody, an
//!    error page for the rest.
//! 3. A handler here: read through the store or `hicp-app`, render a template with its
//!    [`frame::Frame`] (title, navigation, the CSRF token for its forms).

mod account;
mod admin;
mod assessment;
mod assets;
pub(crate) mod dashboard;
mod forms;
pub mod frame;
mod getting_started;
mod history;
mod home;
mod plan;
mod reports;
mod setup;
mod sign_in;

use axum::Router;
use axum::middleware;

use crate::state::AppState;

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(assets::routes())
        .merge(sign_in::routes())
        .merge(setup::routes())
        .merge(home::routes())
        .merge(plan::routes())
        .merge(account::routes())
        .merge(admin::routes(state.config().max_upload_bytes))
        .merge(getting_started::routes())
        .merge(assessment::routes(state))
        .merge(dashboard::routes())
        .merge(history::routes())
        .merge(reports::routes())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            forms::csrf_field_to_header,
        ))
}
