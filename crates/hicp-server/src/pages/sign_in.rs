//! Signing in and out in the browser, through the same password check, throttle and session
//! start as `POST /api/v1/session`.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::api::account::{Attempt, checked_password, start_session, without_session};
use crate::caller::{Caller, Credential};
use crate::pages::frame::{Frame, PageResult, Signed, local_path};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(form).post(sign_in))
        .route("/sign-out", post(sign_out))
}

#[derive(Template, WebTemplate)]
#[template(path = "sign_in.html")]
struct SignInPage {
    frame: Frame,
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Next {
    #[serde(default)]
    next: String,
}

async fn form(Query(query): Query<Next>) -> SignInPage {
    SignInPage {
        frame: Frame::anonymous("Sign in"),
        next: local_path(&query.next).to_string(),
        email: String::new(),
        error: None,
    }
}

#[derive(Debug, Deserialize)]
struct Credentials {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(fields): Form<Credentials>,
) -> Response {
    let next = local_path(&fields.next).to_string();
    let checked = checked_password(
        &state,
        &fields.email,
        fields.password,
        Attempt::new(peer, &headers, "The email or the password is wrong."),
    )
    .await;
    let started = match checked {
        Ok(credentials) => start_session(&state, &headers, jar, credentials.user).await,
        Err(problem) => Err(problem),
    };
    match started {
        Ok((jar, _)) => (jar, Redirect::to(&next)).into_response(),
        Err(problem) => {
            let status = problem.status();
            let page = SignInPage {
                frame: Frame::anonymous("Sign in"),
                next,
                email: fields.email,
                error: Some(problem.detail().to_string()),
            };
            (status, page).into_response()
        }
    }
}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Signed(caller): Signed<Caller>,
) -> PageResult {
    if let Credential::Session { secret } = &caller.credential {
        state.store().end_session(&caller.actor(), secret).await?;
    }
    Ok((
        without_session(&state, &headers, jar),
        Redirect::to("/sign-in"),
    )
        .into_response())
}
