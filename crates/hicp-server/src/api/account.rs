//! Signing in and out, the first administrator, and a person's own API tokens.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use hicp_store::{ApiTokenRecord, UserRecord};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::caller::{
    Caller, Credential, csrf_token_for, over_https, session_cookie, session_secret,
};
use crate::password;
use crate::problem::{ApiResult, Ids, JsonBody, Problem};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
}

impl From<UserRecord> for UserView {
    fn from(user: UserRecord) -> UserView {
        UserView {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

/// A new session: the cookie is set, and `csrf_token` goes back in `X-CSRF-Token` with every
/// change made through it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignedIn {
    pub user: UserView,
    pub csrf_token: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}

/// The keys sign-in attempts are counted under: the account, and the client's address (the
/// proxy's word for it when we are told to trust one).
fn throttle_keys(
    state: &AppState,
    email: &str,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> Vec<String> {
    let forwarded = state
        .config()
        .behind_proxy
        .then(|| {
            headers
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .split(',')
                .next()
        })
        .flatten()
        .map(str::trim);
    let address = forwarded.map_or_else(|| peer.ip().to_string(), str::to_string);
    vec![
        format!("account:{}", email.trim().to_lowercase()),
        format!("address:{address}"),
    ]
}

/// Starts a session for `user`, ending the one the request came with (a new secret on every
/// sign-in, so a secret planted before sign-in is worthless after it).
pub(crate) async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    jar: CookieJar,
    user: UserRecord,
) -> ApiResult<(CookieJar, Json<SignedIn>)> {
    let store = state.store();
    if let Some(old) = session_secret(headers) {
        let actor = hicp_store::Actor::User {
            id: user.id,
            email: user.email.clone(),
        };
        store.end_session(&actor, &old).await?;
    }
    let lifetime = state.config().session_lifetime;
    let (session, secret) = store.create_session(user.id, lifetime).await?;
    let cookie = session_cookie(over_https(state, headers), secret.clone(), lifetime);
    let signed_in = SignedIn {
        user: user.into(),
        csrf_token: csrf_token_for(&secret),
        expires_at: session.expires_at,
    };
    Ok((jar.add(cookie), Json(signed_in)))
}

#[utoipa::path(post, path = "/api/v1/session", tag = "account",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SignedIn),
        (status = 401, description = "Wrong email or password", body = crate::problem::ProblemDocument),
        (status = 429, description = "Too many failed attempts", body = crate::problem::ProblemDocument),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    JsonBody(request): JsonBody<SignIn>,
) -> ApiResult<(CookieJar, Json<SignedIn>)> {
    let credentials = checked_password(
        &state,
        &request.email,
        request.password,
        Attempt::new(peer, &headers, "the email or the password is wrong"),
    )
    .await?;
    start_session(&state, &headers, jar, credentials.user).await
}

/// Where a password attempt came from, and how a wrong one is answered.
pub(crate) struct Attempt<'a> {
    peer: SocketAddr,
    headers: &'a HeaderMap,
    wrong: &'static str,
}

impl<'a> Attempt<'a> {
    pub(crate) fn new(
        peer: SocketAddr,
        headers: &'a HeaderMap,
        wrong: &'static str,
    ) -> Attempt<'a> {
        Attempt {
            peer,
            headers,
            wrong,
        }
    }
}

/// The account's credentials when `password` is its password. Every attempt is throttled per
/// account and per address, and an unknown email costs the same time as a wrong password.
pub(crate) async fn checked_password(
    state: &AppState,
    email: &str,
    password: String,
    attempt: Attempt<'_>,
) -> ApiResult<hicp_store::Credentials> {
    let keys = throttle_keys(state, email, attempt.peer, attempt.headers);
    let now = OffsetDateTime::now_utc();
    if let Some(wait) = state.throttle().refused(&keys, now) {
        return Err(Problem::too_many_attempts(wait));
    }
    let credentials = state.store().credentials(email).await?;
    let stored = credentials.as_ref().and_then(|c| c.password_hash.clone());
    if !password::verify(password, stored).await {
        state.throttle().failed(&keys, now);
        return Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "wrong-credentials",
            attempt.wrong,
        ));
    }
    state.throttle().succeeded(&keys);
    credentials.ok_or_else(Problem::unauthenticated)
}

/// The session cookie cleared, for an answer that ends the caller's session.
pub(crate) fn without_session(state: &AppState, headers: &HeaderMap, jar: CookieJar) -> CookieJar {
    let expired = session_cookie(
        over_https(state, headers),
        String::new(),
        time::Duration::ZERO,
    );
    jar.remove(expired)
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "account",
    responses((status = 204, description = "Signed out; the session is ended and its cookie cleared")))]
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    let Credential::Session { secret } = &caller.credential else {
        return Err(Problem::invalid(
            "an API token has no session to end; revoke the token instead",
        ));
    };
    state.store().end_session(&caller.actor(), secret).await?;
    Ok((
        without_session(&state, &headers, jar),
        StatusCode::NO_CONTENT,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 12 characters.
    pub new_password: String,
}

#[utoipa::path(put, path = "/api/v1/me/password", tag = "account",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; every session of the account has ended, this one included"),
        (status = 401, description = "The current password is wrong", body = crate::problem::ProblemDocument),
        (status = 429, description = "Too many failed attempts", body = crate::problem::ProblemDocument),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    caller: Caller,
    JsonBody(request): JsonBody<PasswordChange>,
) -> ApiResult<impl IntoResponse> {
    set_own_password(&state, peer, &headers, &caller, &request).await?;
    Ok((
        without_session(&state, &headers, jar),
        StatusCode::NO_CONTENT,
    ))
}

/// Changes the caller's password after checking the current one; the store then ends every
/// session of the account.
pub(crate) async fn set_own_password(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    caller: &Caller,
    request: &PasswordChange,
) -> ApiResult<()> {
    // A stolen session must not be enough to lock the owner out: the current password is
    // asked for, and guessing it is throttled like a sign-in.
    checked_password(
        state,
        &caller.user.email,
        request.current_password.clone(),
        Attempt::new(peer, headers, "the current password is wrong"),
    )
    .await?;
    let hash = password::hash(request.new_password.clone())
        .await
        .map_err(|e| Problem::invalid(e.to_string()))?;
    state
        .store()
        .set_password_hash(&caller.actor(), caller.user.id, &hash)
        .await?;
    Ok(())
}

/// The first administrator's account, made with the setup link's token.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FinishSetup {
    pub token: String,
    pub email: String,
    pub display_name: String,
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/setup", tag = "account",
    request_body = FinishSetup,
    responses(
        (status = 200, description = "The first account exists and is signed in", body = SignedIn),
        (status = 404, description = "The setup link is unknown, used or expired", body = crate::problem::ProblemDocument),
    ))]
pub async fn finish_setup(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    JsonBody(request): JsonBody<FinishSetup>,
) -> ApiResult<(CookieJar, Json<SignedIn>)> {
    let user = crate::setup::create_first_account(
        &state,
        &request.token,
        &request.email,
        &request.display_name,
        request.password,
    )
    .await?;
    start_session(&state, &headers, jar, user).await
}

/// Who is signed in, and where they belong.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: UserView,
    pub organizations: Vec<Affiliation>,
    /// For a session: the token to send in `X-CSRF-Token` with changes.
    pub csrf_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Affiliation {
    pub id: Uuid,
    pub name: String,
    /// One of admin, assessor, contributor, viewer, auditor.
    pub role: String,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, description = "OK", body = Me), (status = 401, description = "Not signed in, or the session or token has ended", body = crate::problem::ProblemDocument)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Me>> {
    let organizations = state
        .store()
        .affiliations(caller.user.id)
        .await?
        .into_iter()
        .map(|a| Affiliation {
            id: a.organization_id,
            name: a.organization_name,
            role: a.role.to_string(),
        })
        .collect();
    Ok(Json(Me {
        csrf_token: caller.csrf_token(),
        user: caller.user.into(),
        organizations,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: Uuid,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<OffsetDateTime>,
}

impl From<ApiTokenRecord> for TokenView {
    fn from(token: ApiTokenRecord) -> TokenView {
        TokenView {
            id: token.id,
            name: token.name,
            created_at: token.created_at,
            expires_at: token.expires_at,
            revoked_at: token.revoked_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewToken {
    /// What the token is for, e.g. "scanner import job".
    pub name: String,
    /// Days until it expires; none: it lasts until revoked.
    pub expires_in_days: Option<u32>,
}

/// A new token. `secret` is shown this once; only its hash is kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub token: TokenView,
    pub secret: String,
}

#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "account",
    responses((status = 200, description = "OK", body = Vec<TokenView>)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<TokenView>>> {
    let tokens = state.store().api_tokens_of(caller.user.id).await?;
    Ok(Json(tokens.into_iter().map(TokenView::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "account",
    request_body = NewToken,
    responses((status = 201, description = "Created", body = CreatedToken)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let created = new_token(&state, &caller, &request).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Makes a personal API token for the caller.
pub(crate) async fn new_token(
    state: &AppState,
    caller: &Caller,
    request: &NewToken,
) -> ApiResult<CreatedToken> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Problem::invalid(
            "a token needs a name of 1 to 200 characters",
        ));
    }
    let expires_at = request
        .expires_in_days
        .map(|days| OffsetDateTime::now_utc() + time::Duration::days(i64::from(days.min(3650))));
    let (token, secret) = state
        .store()
        .create_api_token(&caller.actor(), caller.user.id, name, expires_at)
        .await?;
    Ok(CreatedToken {
        token: token.into(),
        secret,
    })
}

#[utoipa::path(delete, path = "/api/v1/me/tokens/{token}", tag = "account",
    params(("token" = Uuid, Path, description = "The token's id")),
    responses((status = 204, description = "Done; nothing to return"), (status = 404, description = "No such record in this organization", body = crate::problem::ProblemDocument)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Ids(token): Ids<Uuid>,
) -> ApiResult<StatusCode> {
    revoke_own_token(&state, &caller, token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes one of the caller's own tokens that is still in force.
pub(crate) async fn revoke_own_token(
    state: &AppState,
    caller: &Caller,
    token: Uuid,
) -> ApiResult<()> {
    let owned = state
        .store()
        .api_tokens_of(caller.user.id)
        .await?
        .into_iter()
        .any(|t| t.id == token && t.revoked_at.is_none());
    if !owned {
        return Err(Problem::not_found("token"));
    }
    state
        .store()
        .revoke_api_token(&caller.actor(), token)
        .await?;
    Ok(())
}
