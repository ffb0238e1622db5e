//! What every page shares: its [`Frame`] (title, who is signed in, the organization's
//! navigation, the CSRF token for its forms), the [`Signed`] extractor that turns the API's
//! refusals into pages, and [`PageError`], the page a handler answers when something fails.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hicp_store::Role;
use uuid::Uuid;

use crate::access::{OrgScope, Permission};
use crate::caller::Caller;
use crate::pages::assets;
use crate::problem::Problem;
use crate::state::AppState;

/// The parts of the workspace an organization's navigation leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Assessment,
    Plan,
    History,
    Reports,
    Administration,
    /// Pages outside an organization (sign-in, account, the list of organizations).
    None,
}

impl Section {
    /// The name templates use for it.
    pub fn name(self) -> &'static str {
        match self {
            Section::Dashboard => "dashboard",
            Section::Assessment => "assessment",
            Section::Plan => "plan",
            Section::History => "history",
            Section::Reports => "reports",
            Section::Administration => "administration",
            Section::None => "",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SignedInUser {
    pub email: String,
    pub display_name: String,
}

#[derive(Debug, Clone)]
pub struct OrgNav {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    /// Whether the administration page is offered (it answers 403 to others anyway).
    pub administers: bool,
    pub audits: bool,
}

/// The surroundings of a page's content.
#[derive(Debug, Clone)]
pub struct Frame {
    pub title: String,
    pub user: Option<SignedInUser>,
    /// The session's CSRF token for the page's forms (empty when nobody is signed in).
    pub csrf: String,
    pub org: Option<OrgNav>,
    pub section: Section,
    pub stylesheet: &'static str,
    pub script: &'static str,
    pub htmx: &'static str,
}

impl Frame {
    pub fn anonymous(title: impl Into<String>) -> Frame {
        Frame {
            title: title.into(),
            user: None,
            csrf: String::new(),
            org: None,
            section: Section::None,
            stylesheet: assets::stylesheet(),
            script: assets::script(),
            htmx: assets::htmx(),
        }
    }

    pub fn for_caller(caller: &Caller, title: impl Into<String>) -> Frame {
        Frame {
            user: Some(SignedInUser {
                email: caller.user.email.clone(),
                display_name: caller.user.display_name.clone(),
            }),
            csrf: caller.csrf_token().unwrap_or_default(),
            ..Frame::anonymous(title)
        }
    }

    pub fn for_scope(scope: &OrgScope, section: Section, title: impl Into<String>) -> Frame {
        Frame {
            org: Some(OrgNav {
                id: scope.id(),
                name: scope.organization.name.clone(),
                role: scope.role,
                administers: Permission::Administer.granted_to(scope.role),
                audits: Permission::Audit.granted_to(scope.role),
            }),
            section,
            ..Frame::for_caller(&scope.caller, title)
        }
    }

    /// Whether the section named `name` is the page's own (for `aria-current` in the
    /// navigation).
    pub fn is(&self, name: &str) -> bool {
        self.section.name() == name
    }
}

/// An extractor of the API (a [`Caller`], an [`OrgScope`]) whose refusal is a page: nobody
/// signed in is sent to sign in and brought back; anything else gets an error page.
pub struct Signed<T>(pub T);

impl<T> FromRequestParts<AppState> for Signed<T>
where
    T: FromRequestParts<AppState, Rejection = Problem> + Send,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        match T::from_request_parts(parts, state).await {
            Ok(value) => Ok(Signed(value)),
            Err(problem) if problem.status() == StatusCode::UNAUTHORIZED => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map_or("/", |path| path.as_str())
                    .to_string();
                Err(PageError::SignIn {
                    next,
                    htmx: parts.headers.contains_key("hx-request"),
                })
            }
            Err(problem) => Err(PageError::Problem(problem)),
        }
    }
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// Nobody is signed in: sign in, then come back to `next`.
    SignIn {
        next: String,
        htmx: bool,
    },
    Problem(Problem),
}

impl From<Problem> for PageError {
    fn from(problem: Problem) -> PageError {
        PageError::Problem(problem)
    }
}

impl From<hicp_store::StoreError> for PageError {
    fn from(error: hicp_store::StoreError) -> PageError {
        PageError::Problem(error.into())
    }
}

impl From<hicp_app::AppError> for PageError {
    fn from(error: hicp_app::AppError) -> PageError {
        PageError::Problem(error.into())
    }
}

pub type PageResult<T = Response> = Result<T, PageError>;

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    frame: Frame,
    status: u16,
    heading: &'static str,
    detail: String,
}

/// Where `next` may send someone after sign-in: a path on this server, nothing else.
pub fn local_path(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    if local { next } else { "/" }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::SignIn { next, htmx } => {
                let target = format!(
                    "/sign-in?next={}",
                    form_urlencoded::byte_serialize(local_path(&next).as_bytes())
                        .collect::<String>()
                );
                if htmx {
                    // htmx would swap a redirect's page into the fragment; tell it to go there.
                    let mut response = StatusCode::NO_CONTENT.into_response();
                    if let Ok(value) = HeaderValue::from_str(&target) {
                        response.headers_mut().insert("hx-redirect", value);
                    }
                    response
                } else {
                    Redirect::to(&target).into_response()
                }
            }
            PageError::Problem(problem) => {
                let status = problem.status();
                let heading = match status {
                    StatusCode::NOT_FOUND => "Not found",
                    StatusCode::FORBIDDEN => "Not allowed",
                    StatusCode::CONFLICT => "Changed meanwhile",
                    StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
                    status if status.is_client_error() => "That did not work",
                    _ => "Something went wrong",
                };
                let page = ErrorPage {
                    frame: Frame::anonymous(heading),
                    status: status.as_u16(),
                    heading,
                    detail: problem.detail().to_string(),
                };
                (status, page).into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_only_returns_to_local_paths() {
        assert_eq!(local_path("/orgs/1/plan?owner=me"), "/orgs/1/plan?owner=me");
        for elsewhere in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "plan",
        ] {
            assert_eq!(local_path(elsewhere), "/", "{elsewhere}");
        }
    }
}
