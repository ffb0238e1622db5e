//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' annotations and served
//! at `/api/openapi.json`. A copy is committed as `docs/openapi.json`; a test fails when the
//! two drift apart.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::{account, assessments, evidence, organizations, plan};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hicp",
        description = "Assess a healthcare organization against the HHS 405(d) HICP practices, see its threat exposure and run its plan. Every error is an RFC 9457 problem document. Sign in for a session cookie (and send the returned CSRF token as X-CSRF-Token with every change), or use a personal API token as a bearer token."
    ),
    paths(
        account::finish_setup,
        account::sign_in,
        account::sign_out,
        account::me,
        account::change_password,
        account::list_tokens,
        account::create_token,
        account::revoke_token,
        organizations::list,
        organizations::create,
        organizations::overview,
        organizations::delete,
        organizations::members,
        organizations::set_member,
        organizations::remove_member,
        organizations::audit,
        assessments::list,
        assessments::create,
        assessments::show,
        assessments::set_status,
        assessments::answers,
        assessments::put_answer,
        assessments::evaluation,
        assessments::report,
        plan::list,
        plan::create,
        plan::set_status,
        plan::edit,
        plan::set_milestone,
        plan::history,
        evidence::upload,
        evidence::download,
        evidence::import,
        evidence::metrics,
        evidence::suggestions,
        evidence::decide,
    ),
    modifiers(&Credentials),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "account", description = "Signing in, the first administrator, personal API tokens"),
        (name = "organizations", description = "Organizations, members and the audit trail"),
        (name = "assessments", description = "Assessments, answers, evaluations and reports"),
        (name = "plan", description = "The action plan"),
        (name = "evidence", description = "Evidence files"),
    )
)]
struct ApiDoc;

struct Credentials;

impl Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::caller::SESSION_COOKIE,
            ))),
        );
    }
}

/// The document, with this build's version.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    document.info.version = env!("CARGO_PKG_VERSION").to_string();
    document
}

/// The document as committed under `docs/`: pretty JSON with a final newline.
pub fn document_text() -> String {
    let mut text = document().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

pub async fn serve_document() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
