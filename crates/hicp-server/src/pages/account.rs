//! A person's own account: who they are, their password, their personal API tokens. Each
//! change goes through the same functions as `/api/v1/me/...`.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use hicp_report::model::iso_date;
use serde::Deserialize;
use uuid::Uuid;

use crate::api::account::{
    NewToken, PasswordChange, new_token, revoke_own_token, set_own_password, without_session,
};
use crate::caller::{Caller, Credential};
use crate::pages::forms::sentence;
use crate::pages::frame::{Frame, PageResult, Signed};
use crate::problem::Ids;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(account_page))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{token}/revoke", post(revoke_token))
}

struct TokenLine {
    id: Uuid,
    name: String,
    created: String,
    expires: Option<String>,
    /// In force: neither revoked nor expired.
    active: bool,
    revoked: Option<String>,
    /// The token this request was made with (revoking it ends the page's access).
    current: bool,
}

/// A token just made: its secret, shown this once.
struct Created {
    name: String,
    secret: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/account.html")]
struct AccountPage {
    frame: Frame,
    email: String,
    display_name: String,
    tokens: Vec<TokenLine>,
    created: Option<Created>,
    notice: Option<&'static str>,
    password_error: Option<String>,
    token_error: Option<String>,
    token_name: String,
    base: String,
}

#[derive(Debug, Default, Deserialize)]
struct Notice {
    #[serde(default)]
    revoked: Option<String>,
}

async fn account_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(caller): Signed<Caller>,
    Query(query): Query<Notice>,
) -> PageResult<AccountPage> {
    let mut page = render(&state, &headers, &caller).await?;
    page.notice = query.revoked.is_some().then_some("The token is revoked.");
    Ok(page)
}

async fn render(state: &AppState, headers: &HeaderMap, caller: &Caller) -> PageResult<AccountPage> {
    let now = time::OffsetDateTime::now_utc();
    let current = match caller.credential {
        Credential::Token { id } => Some(id),
        Credential::Session { .. } => None,
    };
    let tokens = state
        .store()
        .api_tokens_of(caller.user.id)
        .await?
        .into_iter()
        .map(|token| TokenLine {
            id: token.id,
            active: token.revoked_at.is_none() && token.expires_at.is_none_or(|at| at > now),
            current: Some(token.id) == current,
            name: token.name,
            created: iso_date(token.created_at.date()),
            expires: token.expires_at.map(|at| iso_date(at.date())),
            revoked: token.revoked_at.map(|at| iso_date(at.date())),
        })
        .collect();
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("localhost");
    Ok(AccountPage {
        frame: Frame::for_caller(caller, "Your account"),
        email: caller.user.email.clone(),
        display_name: caller.user.display_name.clone(),
        tokens,
        created: None,
        notice: None,
        password_error: None,
        token_error: None,
        token_name: String::new(),
        base: format!("http://{host}"),
    })
}

#[derive(Debug, Deserialize)]
struct PasswordFields {
    current_password: String,
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    Signed(caller): Signed<Caller>,
    Form(fields): Form<PasswordFields>,
) -> PageResult<Response> {
    let outcome = if fields.repeat_password != fields.new_password {
        Err("The two new passwords are not the same. Type the new one twice.".to_string())
    } else {
        let change = PasswordChange {
            current_password: fields.current_password,
            new_password: fields.new_password,
        };
        set_own_password(&state, peer, &headers, &caller, &change)
            .await
            .map_err(|problem| sentence(problem.detail()))
    };
    match outcome {
        // Every session of the account has ended, this one too: sign in with the new password.
        Ok(()) => Ok((
            without_session(&state, &headers, jar),
            Redirect::to("/sign-in?next=%2Faccount"),
        )
            .into_response()),
        Err(message) => {
            let mut page = render(&state, &headers, &caller).await?;
            page.password_error = Some(message);
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
struct TokenFields {
    name: String,
    /// Days until it expires; empty for never.
    #[serde(default)]
    expires_in_days: String,
}

/// Makes a token and shows the page with its secret: the one time it can be seen, so the
/// answer is the page itself, not a redirect to it.
async fn create_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(caller): Signed<Caller>,
    Form(fields): Form<TokenFields>,
) -> PageResult<Response> {
    let days = fields.expires_in_days.trim();
    let request = match days.parse::<u32>() {
        Ok(days) => Ok(Some(days)),
        Err(_) if days.is_empty() => Ok(None),
        Err(_) => Err("Choose when the token expires from the list.".to_string()),
    }
    .map(|expires_in_days| NewToken {
        name: fields.name.clone(),
        expires_in_days,
    });
    let created = match request {
        Ok(request) => new_token(&state, &caller, &request)
            .await
            .map_err(|problem| sentence(problem.detail())),
        Err(message) => Err(message),
    };
    let mut page = render(&state, &headers, &caller).await?;
    match created {
        Ok(created) => {
            page.created = Some(Created {
                name: created.token.name,
                secret: created.secret,
            });
            Ok(page.into_response())
        }
        Err(message) => {
            page.token_error = Some(message);
            page.token_name = fields.name;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    Signed(caller): Signed<Caller>,
    Signed(Ids(token)): Signed<Ids<Uuid>>,
) -> PageResult<Response> {
    revoke_own_token(&state, &caller, token).await?;
    Ok(Redirect::to("/account?revoked=1").into_response())
}
