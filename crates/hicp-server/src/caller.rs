//! Who is asking. A request carries either a session cookie (a browser) or a personal API
//! token as a bearer token (a script); [`Caller`] is extracted from either, and a handler that
//! takes one can only run for a signed-in person.
//!
//! A session-authenticated request that changes something must also carry the session's CSRF
//! token in `X-CSRF-Token` (pages put it in a hidden form field): the cookie alone, which a
//! browser attaches by itself, never authorizes a change.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum_extra::extract::cookie::{Cookie, SameSite};
use hicp_store::{Actor, SECRET_PREFIX, UserRecord};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::problem::Problem;
use crate::state::AppState;

/// The cookie's name over plain HTTP (a loopback install).
pub const SESSION_COOKIE: &str = "hicp_session";
/// Its name when the cookie is `Secure`: the `__Host-` prefix makes browsers refuse it from
/// anything but this host over HTTPS.
pub const SECURE_SESSION_COOKIE: &str = "__Host-hicp_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in person and how they proved it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserRecord,
    pub credential: Credential,
}

#[derive(Debug, Clone)]
pub enum Credential {
    /// A browser session; the secret is the cookie's value (needed to end it).
    Session { secret: String },
    /// A personal API token.
    Token { id: Uuid },
}

impl Caller {
    /// The author of the changes this caller makes, as the audit trail records it.
    pub fn actor(&self) -> Actor {
        Actor::User {
            id: self.user.id,
            email: self.user.email.clone(),
        }
    }

    /// The CSRF token a session's forms and scripts send back; none for API tokens.
    pub fn csrf_token(&self) -> Option<String> {
        match &self.credential {
            Credential::Session { secret } => Some(csrf_token_for(secret)),
            Credential::Token { .. } => None,
        }
    }
}

/// The session's CSRF token, derived from its secret: nothing more to store, and nobody who
/// cannot read the (HttpOnly) cookie can compute it.
pub fn csrf_token_for(session_secret: &str) -> String {
    let digest = Sha256::digest(format!("hicp csrf token\n{session_secret}").as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Whether a request of this method changes something (and so needs the CSRF token).
pub fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The session secret in the request's cookies, if any.
pub fn session_secret(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_string()).ok())
        .find(|cookie| cookie.name() == SECURE_SESSION_COOKIE || cookie.name() == SESSION_COOKIE)
        .map(|cookie| cookie.value().to_string())
        .filter(|secret| secret.starts_with(SECRET_PREFIX))
}

/// Whether the request reached us over HTTPS, as far as we can know: only a proxy we were
/// told to trust can say so.
pub fn over_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.config().behind_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value that starts a session (or, with an empty secret, ends it).
pub fn session_cookie(secure: bool, secret: String, max_age: time::Duration) -> Cookie<'static> {
    let name = if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    };
    Cookie::build((name, secret))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .build()
}

fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, Problem> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| Problem::unauthenticated())?;
    match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Ok(Some(token.trim())),
        _ => Err(Problem::unauthenticated()),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, Problem> {
        if let Some(cached) = parts.extensions.get::<Caller>() {
            return Ok(cached.clone());
        }
        let store = state.store();
        let caller = if let Some(token) = bearer_token(&parts.headers)? {
            let token = store
                .authenticate_api_token(token)
                .await?
                .ok_or_else(Problem::unauthenticated)?;
            Caller {
                user: store.user(token.user_id).await?,
                credential: Credential::Token { id: token.id },
            }
        } else if let Some(secret) = session_secret(&parts.headers) {
            let live = store
                .find_session(&secret, state.config().session_idle)
                .await?
                .ok_or_else(Problem::unauthenticated)?;
            if changes_state(&parts.method) {
                let sent = parts
                    .headers
                    .get(CSRF_HEADER)
                    .and_then(|value| value.to_str().ok());
                if sent != Some(csrf_token_for(&secret).as_str()) {
                    return Err(Problem::new(
                        StatusCode::FORBIDDEN,
                        "csrf",
                        "this change did not carry the session's CSRF token (X-CSRF-Token); reload the page and try again",
                    ));
                }
            }
            Caller {
                user: live.user,
                credential: Credential::Session { secret },
            }
        } else {
            return Err(Problem::unauthenticated());
        };
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}
