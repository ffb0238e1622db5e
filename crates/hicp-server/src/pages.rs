//! The few pages the server has before the browser workspace: the front door and the setup
//! link's form. Plain HTML that works without script or style (the CSP allows neither inline).

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::problem::Ids;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(front_door))
        .route("/setup/{token}", get(setup_form).post(finish_setup))
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} — hicp</title></head><body><main>{body}</main></body></html>\n"
    ))
}

async fn front_door() -> Html<String> {
    page(
        "hicp",
        "<h1>hicp</h1><p>The server is running. The API is described at <a href=\"/api/openapi.json\">/api/openapi.json</a>; sign in with <code>POST /api/v1/session</code>.</p>",
    )
}

const SETUP_FORM: &str = "<form method=\"post\"><p><label for=\"email\">Email</label><br><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required></p><p><label for=\"display_name\">Your name</label><br><input id=\"display_name\" name=\"display_name\" autocomplete=\"name\"></p><p><label for=\"password\">Password (at least 12 characters)</label><br><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" minlength=\"12\" required></p><p><button type=\"submit\">Create the first account</button></p></form>";

fn setup_page(error: Option<&str>) -> Html<String> {
    let error = error.map_or_else(String::new, |e| {
        format!(
            "<p role=\"alert\"><strong>{}</strong></p>",
            hicp_report::escape::text(e)
        )
    });
    page(
        "Set up",
        &format!(
            "<h1>Set up hicp</h1><p>This link creates the first account; it works once.</p>{error}{SETUP_FORM}"
        ),
    )
}

async fn setup_form() -> Html<String> {
    setup_page(None)
}

#[derive(Debug, Deserialize)]
struct SetupFields {
    email: String,
    #[serde(default)]
    display_name: String,
    password: String,
}

async fn finish_setup(
    State(state): State<AppState>,
    Ids(token): Ids<String>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(fields): Form<SetupFields>,
) -> Response {
    let created = crate::setup::create_first_account(
        &state,
        &token,
        &fields.email,
        &fields.display_name,
        fields.password,
    )
    .await;
    let user = match created {
        Ok(user) => user,
        Err(problem) => {
            let status = problem.status();
            return (status, setup_page(Some(problem.detail()))).into_response();
        }
    };
    match crate::api::account::start_session(&state, &headers, jar, user).await {
        Ok((jar, _)) => (jar, Redirect::to("/")).into_response(),
        Err(problem) => (
            problem.status(),
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!(
                "the account was created but signing in failed: {}; sign in with POST /api/v1/session",
                problem.detail()
            ),
        )
            .into_response(),
    }
}
