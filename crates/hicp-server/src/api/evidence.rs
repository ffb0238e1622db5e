//! Evidence files: uploaded as the request body, kept by the store with their SHA-256, and
//! downloaded as they came.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hicp_store::{EvidenceRecord, NewEvidence};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::access::{OrgScope, Owner, Permission};
use crate::problem::{ApiResult, Ids, Params, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
pub struct UploadQuery {
    /// The file's name as the uploader knows it.
    pub file_name: String,
    /// The answer it supports: an assessment of this organization and a sub-practice.
    pub assessment: Option<Uuid>,
    pub sub_practice: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/organizations/{org}/evidence", tag = "evidence",
    params(("org" = Uuid, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes, at most the server's upload limit"),
    responses(
        (status = 201, body = Object),
        (status = 413, description = "Larger than the upload limit"),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    scope: OrgScope,
    Params(query): Params<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<EvidenceRecord>)> {
    let file_name = query.file_name.trim();
    if file_name.is_empty() || file_name.chars().count() > 255 || file_name.contains(['/', '\\']) {
        return Err(Problem::invalid(
            "`file_name` must be a plain file name of 1 to 255 characters",
        ));
    }
    let answer = match (query.assessment, query.sub_practice.as_deref()) {
        (Some(assessment), Some(sub_practice)) => {
            Some(scope.answer(&state, assessment, sub_practice).await?)
        }
        (None, None) => None,
        _ => {
            return Err(Problem::invalid(
                "name both `assessment` and `sub_practice`, or neither",
            ));
        }
    };
    scope.may_change(
        Permission::Assess,
        Owner::named(answer.as_ref().and_then(|a| a.answer.owner.as_deref())),
    )?;
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .filter(|value| value.len() <= 200)
        .unwrap_or("application/octet-stream");
    let record = state
        .store()
        .add_evidence(
            &scope.caller.actor(),
            NewEvidence {
                organization_id: scope.id(),
                answer_id: answer.map(|a| a.id),
                file_name,
                media_type,
                bytes: body.to_vec(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(record)))
}

#[derive(Debug, Deserialize)]
pub struct EvidencePath {
    pub org: Uuid,
    pub evidence: Uuid,
}

#[utoipa::path(get, path = "/api/v1/organizations/{org}/evidence/{evidence}", tag = "evidence",
    params(("org" = Uuid, Path), ("evidence" = Uuid, Path)),
    responses((status = 200, description = "The file as uploaded", content_type = "application/octet-stream"),
        (status = 404, body = crate::problem::ProblemDocument)))]
pub async fn download(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<EvidencePath>,
) -> ApiResult<Response> {
    scope.require(Permission::Read)?;
    let (record, bytes) = scope.evidence(&state, path.evidence).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    // Served as a download, never rendered: an uploaded HTML file must not run as our page.
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    let safe_name: String = record
        .file_name
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\' || *c == ' ')
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
