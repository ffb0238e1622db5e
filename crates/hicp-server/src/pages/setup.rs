//! The setup link's form: the first administrator of a new server.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::pages::frame::{Frame, PageError};
use crate::problem::Ids;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/setup/{token}", get(setup_form).post(finish_setup))
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
struct SetupPage {
    frame: Frame,
    email: String,
    display_name: String,
    error: Option<String>,
}

async fn setup_form() -> SetupPage {
    SetupPage {
        frame: Frame::anonymous("Set up hicp"),
        email: String::new(),
        display_name: String::new(),
        error: None,
    }
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
            let page = SetupPage {
                frame: Frame::anonymous("Set up hicp"),
                email: fields.email,
                display_name: fields.display_name,
                error: Some(problem.detail().to_string()),
            };
            return (problem.status(), page).into_response();
        }
    };
    match crate::api::account::start_session(&state, &headers, jar, user).await {
        Ok((jar, _)) => (jar, Redirect::to("/")).into_response(),
        Err(problem) => PageError::from(problem).into_response(),
    }
}
