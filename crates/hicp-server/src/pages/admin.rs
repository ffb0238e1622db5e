//! Administration of one organization: its members and their roles, the audit trail and
//! whether its hash chain holds, and the organization as a portable file (export, and import
//! of one as a new organization). Every change goes through the functions of
//! [`crate::api::organizations`].

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hicp_store::portable::ImportOutcome;
use hicp_store::{Role, author_in_words};
use serde::Deserialize;
use uuid::Uuid;

use crate::access::{OrgScope, Permission};
use crate::api::organizations::{
    AuditState, Member, MemberPath, SetMember, audit_state, drop_member, export_file,
    import_export, member_list, put_member,
};
use crate::pages::forms::sentence;
use crate::pages::frame::{Frame, PageError, PageResult, Section, Signed};
use crate::problem::{Ids, Problem};
use crate::state::AppState;

pub fn routes(max_upload_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/orgs/{org}/admin", get(admin_page))
        .route("/orgs/{org}/admin/members", post(set_member))
        .route(
            "/orgs/{org}/admin/members/{user}/remove",
            post(remove_member),
        )
        .route("/orgs/{org}/admin/export", get(export))
        .route(
            "/orgs/{org}/admin/import",
            post(import).layer(DefaultBodyLimit::max(max_upload_bytes)),
        )
}

/// How many recent changes the page lists.
const RECENT_EVENTS: u32 = 50;

const ROLES: [(Role, &str); 5] = [
    (Role::Admin, "Administrator: everything, members too"),
    (Role::Assessor, "Assessor: answers and the whole plan"),
    (
        Role::Contributor,
        "Contributor: only the items assigned to them",
    ),
    (Role::Viewer, "Viewer: reads, changes nothing"),
    (Role::Auditor, "Auditor: reads, downloads, the audit trail"),
];

struct RoleChoice {
    value: &'static str,
    label: &'static str,
}

struct AuditLine {
    when: String,
    who: String,
    what: String,
    object: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/admin.html")]
struct AdminPage {
    frame: Frame,
    org: Uuid,
    me: Uuid,
    members: Option<Vec<Member>>,
    roles: Vec<RoleChoice>,
    audit: Option<AuditState>,
    events: Vec<AuditLine>,
    /// Whether the caller may import a file as a new organization.
    imports: bool,
    notice: Option<String>,
    member_error: Option<String>,
    import_error: Option<String>,
    email: String,
}

#[derive(Debug, Default, Deserialize)]
struct Notice {
    #[serde(default)]
    done: String,
    #[serde(default)]
    name: String,
}

impl Notice {
    fn words(&self) -> Option<String> {
        match self.done.as_str() {
            "member" => Some("The member and role are saved.".to_string()),
            "removed" => {
                Some("The member is removed. Their action items have no owner now.".to_string())
            }
            "imported" => Some(format!(
                "“{}” is imported. You are one of its administrators; find it under your organizations.",
                self.name
            )),
            "present" => Some(format!(
                "“{}” is already in this hicp: nothing was imported.",
                self.name
            )),
            _ => None,
        }
    }
}

async fn admin_page(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Query(notice): Query<Notice>,
) -> PageResult<AdminPage> {
    let mut page = render(&state, &scope).await?;
    page.notice = notice.words();
    Ok(page)
}

async fn render(state: &AppState, scope: &OrgScope) -> PageResult<AdminPage> {
    let administers = Permission::Administer.granted_to(scope.role);
    if !administers {
        // Auditors see the trail; everyone else is refused as the API refuses them.
        scope.require(Permission::Audit)?;
    }
    let members = if administers {
        Some(member_list(state, scope).await?)
    } else {
        None
    };
    let (audit, events) = if Permission::Audit.granted_to(scope.role) {
        let events = state
            .store()
            .recent_audit_events(scope.id(), RECENT_EVENTS)
            .await?
            .into_iter()
            .map(|event| AuditLine {
                when: event
                    .occurred_at
                    .to_offset(time::UtcOffset::UTC)
                    .format(time::macros::format_description!(
                        "[year]-[month]-[day] [hour]:[minute] UTC"
                    ))
                    .unwrap_or_default(),
                who: author_in_words(&event.actor).to_string(),
                what: event.action,
                object: format!("{} {}", event.object_type, event.object_id),
            })
            .collect();
        (Some(audit_state(state, scope).await?), events)
    } else {
        (None, Vec::new())
    };
    Ok(AdminPage {
        frame: Frame::for_scope(scope, Section::Administration, "Administration"),
        org: scope.id(),
        me: scope.caller.user.id,
        members,
        roles: ROLES
            .iter()
            .map(|(role, label)| RoleChoice {
                value: role.as_str(),
                label,
            })
            .collect(),
        audit,
        events,
        imports: administers && scope.caller.user.is_admin,
        notice: None,
        member_error: None,
        import_error: None,
        email: String::new(),
    })
}

/// A refusal (not allowed, not found) is its own page; any other problem is shown on the
/// administration page next to the form that caused it.
fn refusal(problem: Problem) -> Result<String, PageError> {
    if matches!(
        problem.status(),
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED
    ) {
        Err(PageError::Problem(problem))
    } else {
        Ok(sentence(problem.detail()))
    }
}

#[derive(Debug, Deserialize)]
struct MemberFields {
    email: String,
    role: String,
}

async fn set_member(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Form(fields): Form<MemberFields>,
) -> PageResult<Response> {
    let request = SetMember {
        email: fields.email.clone(),
        role: fields.role,
    };
    match put_member(&state, &scope, &request).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/orgs/{}/admin?done=member", scope.id())).into_response())
        }
        Err(problem) => {
            let status = problem.status();
            let message = if status == StatusCode::NOT_FOUND {
                format!(
                    "There is no account with the email {}. Whoever runs this hicp server adds accounts (hicp user add); then add the person here.",
                    fields.email.trim()
                )
            } else {
                refusal(problem)?
            };
            let mut page = render(&state, &scope).await?;
            page.member_error = Some(message);
            page.email = fields.email;
            Ok((status, page).into_response())
        }
    }
}

async fn remove_member(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Signed(Ids(path)): Signed<Ids<MemberPath>>,
) -> PageResult<Response> {
    match drop_member(&state, &scope, path.user).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/orgs/{}/admin?done=removed", scope.id())).into_response())
        }
        Err(problem) => {
            let status = problem.status();
            let message = refusal(problem)?;
            let mut page = render(&state, &scope).await?;
            page.member_error = Some(message);
            Ok((status, page).into_response())
        }
    }
}

async fn export(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
) -> PageResult<Response> {
    let (file_name, bytes) = export_file(&state, &scope).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The uploaded file's bytes (the form's `file` field).
async fn uploaded_file(mut form: Multipart) -> Result<Vec<u8>, Problem> {
    let unreadable = |_| Problem::invalid("the upload did not arrive whole; try again");
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") {
            let bytes = field.bytes().await.map_err(unreadable)?;
            if bytes.is_empty() {
                break;
            }
            return Ok(bytes.to_vec());
        }
    }
    Err(Problem::invalid("choose an export file to import"))
}

async fn import(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    form: Multipart,
) -> PageResult<Response> {
    // Only an administrator of this organization sees the form; the import itself asks more.
    scope.require(Permission::Administer)?;
    let outcome = match uploaded_file(form).await {
        Ok(bytes) => import_export(&state, &scope.caller, bytes).await,
        Err(problem) => Err(problem),
    };
    let (done, name) = match outcome {
        Ok(ImportOutcome::Imported { name, .. }) => ("imported", name),
        Ok(ImportOutcome::AlreadyPresent { name, .. }) => ("present", name),
        Err(problem) => {
            let status = problem.status();
            let message = refusal(problem)?;
            let mut page = render(&state, &scope).await?;
            page.import_error = Some(message);
            return Ok((status, page).into_response());
        }
    };
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("done", done)
        .append_pair("name", &name)
        .finish();
    Ok(Redirect::to(&format!("/orgs/{}/admin?{query}", scope.id())).into_response())
}
