//! Errors as the API answers them: RFC 9457 `application/problem+json`, one wording per cause.
//! The detail never carries a secret; causes the caller cannot fix are logged with the request
//! id and answered with a plain 500.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hicp_app::AppError;
use hicp_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem document (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemDocument {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong here and what to do.
    pub detail: String,
    /// For a 409 after a stale write: the record as it is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
}

/// What a handler returns when it cannot answer as asked.
#[derive(Debug, Clone)]
pub struct Problem {
    status: StatusCode,
    slug: &'static str,
    detail: String,
    current: Option<serde_json::Value>,
    retry_after_seconds: Option<u64>,
}

pub type ApiResult<T> = Result<T, Problem>;

impl Problem {
    pub fn new(status: StatusCode, slug: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            slug,
            detail: detail.into(),
            current: None,
            retry_after_seconds: None,
        }
    }

    pub fn unauthenticated() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in first, or send a personal API token as `Authorization: Bearer hicp_…`",
        )
    }

    /// The one answer for "no such thing" and "not yours": they must look alike.
    pub fn not_found(what: &str) -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("no {what} with that id is visible to you"),
        )
    }

    pub fn forbidden(needed: &str) -> Problem {
        Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "your role in this organization does not allow {needed}; ask an administrator of the organization"
            ),
        )
    }

    pub fn invalid(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::CONFLICT, "conflict", detail)
    }

    pub fn too_many_attempts(retry_after_seconds: u64) -> Problem {
        Problem {
            retry_after_seconds: Some(retry_after_seconds),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-attempts",
                "too many failed sign-ins; wait and try again",
            )
        }
    }

    /// A fault of the server, not of the request: logged here, answered without detail.
    pub fn internal(cause: &dyn std::fmt::Display) -> Problem {
        tracing::error!(error = %cause, "request failed");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server could not complete the request; the error is in its log",
        )
    }

    pub fn with_current(mut self, current: serde_json::Value) -> Problem {
        self.current = Some(current);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn detail(&self) -> &str {
        &self.detail
    }

    fn document(&self) -> ProblemDocument {
        ProblemDocument {
            kind: format!("https://hicp.invalid/problems/{}", self.slug),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            current: self.current.clone(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.document()).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"hicp\""),
            );
        }
        if let Some(seconds) = self.retry_after_seconds {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Problem {
        match error {
            StoreError::NotFound { entity, .. } => Problem::not_found(&entity.to_string()),
            StoreError::DuplicateOrganizationName { .. }
            | StoreError::DuplicateUserEmail { .. }
            | StoreError::AlreadyAnswered { .. }
            | StoreError::Immutable(_)
            | StoreError::AlreadyImported { .. }
            | StoreError::AlreadySetUp
            | StoreError::StaleVersion { .. } => Problem::conflict(error.to_string()),
            StoreError::StaleOrganization { ref current, .. } => {
                let current = serde_json::to_value(current.as_ref()).unwrap_or_default();
                Problem::conflict(error.to_string()).with_current(current)
            }
            StoreError::Conflict { ref current, .. } => {
                let current = serde_json::to_value(current.as_ref()).unwrap_or_default();
                Problem::conflict(error.to_string()).with_current(current)
            }
            StoreError::InvalidAnswer { .. }
            | StoreError::Invalid(_)
            | StoreError::InvalidStatusChange { .. } => Problem::invalid(error.to_string()),
            other => Problem::internal(&other),
        }
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Problem {
        match error {
            AppError::Store(store) => Problem::from(store),
            AppError::NotBuilt(reason) => {
                Problem::new(StatusCode::NOT_IMPLEMENTED, "not-built", reason)
            }
            AppError::Assessment(_)
            | AppError::Methodology(_)
            | AppError::NotKept(_)
            | AppError::Evidence(hicp_evidence::ImportError::Input(_)) => {
                Problem::invalid(error.to_string())
            }
            other => Problem::internal(&other),
        }
    }
}

/// A rejected JSON body or query (axum's own rejections) in the same problem form.
pub fn rejected(rejection: impl std::fmt::Display) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "bad-request",
        rejection.to_string(),
    )
}

/// `Json<T>` whose rejections (bad JSON, wrong fields, too large) are problems too.
pub struct JsonBody<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(Problem::new(
                rejection.status(),
                "bad-request",
                rejection.body_text(),
            )),
        }
    }
}

/// `Path<T>` whose rejection (an id that is not an id) is a 404 problem: to a caller, a
/// malformed id and an unknown one are the same.
pub struct Ids<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Ids<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Problem> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(ids)| Ids(ids))
            .map_err(|_| Problem::not_found("record"))
    }
}

/// `Query<T>` whose rejection is a 400 problem naming the parameter at fault.
pub struct Params<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Params<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Problem> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(params)| Params(params))
            .map_err(|rejection| rejected(rejection.body_text()))
    }
}
