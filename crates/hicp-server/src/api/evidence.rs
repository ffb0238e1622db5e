//! Evidence files: uploaded as the request body, kept by the store with their SHA-256, and
//! downloaded as they came.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hicp_app::evidence::{
    Kept, Request, StoredMetrics, keep, read_upload_for_keeping, stored_metrics,
};
use hicp_evidence::Format;
use hicp_store::{EvidenceRecord, NewEvidence};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::access::{OrgScope, Owner, Permission};
use crate::problem::{ApiResult, Ids, Params, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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
        (status = 201, description = "Created", body = Object),
        (status = 413, description = "Larger than the upload limit"),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    scope: OrgScope,
    Params(query): Params<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<EvidenceRecord>)> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("application/octet-stream");
    let record = keep_evidence(
        &state,
        &scope,
        Upload {
            file_name: &query.file_name,
            assessment: query.assessment,
            sub_practice: query.sub_practice.as_deref(),
            media_type,
            bytes: body.to_vec(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// An evidence file as someone uploads it, for the organization or for one answer.
pub struct Upload<'a> {
    pub file_name: &'a str,
    pub assessment: Option<Uuid>,
    pub sub_practice: Option<&'a str>,
    pub media_type: &'a str,
    pub bytes: Vec<u8>,
}

/// Keeps an uploaded evidence file, if the caller may change the answer it supports: the rule
/// for the API and the assessment pages alike.
pub async fn keep_evidence(
    state: &AppState,
    scope: &OrgScope,
    upload: Upload<'_>,
) -> ApiResult<EvidenceRecord> {
    let file_name = plain_file_name(upload.file_name)?;
    let answer = match (upload.assessment, upload.sub_practice) {
        (Some(assessment), Some(sub_practice)) => {
            Some(scope.answer(state, assessment, sub_practice).await?)
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
    let media_type = Some(upload.media_type)
        .filter(|value| !value.is_empty() && value.len() <= 200)
        .unwrap_or("application/octet-stream");
    Ok(state
        .store()
        .add_evidence(
            &scope.caller.actor(),
            NewEvidence {
                organization_id: scope.id(),
                answer_id: answer.map(|a| a.id),
                file_name,
                media_type,
                bytes: upload.bytes,
            },
        )
        .await?)
}

/// A file name as an uploader gives it, refused when it is a path or absurdly long.
fn plain_file_name(name: &str) -> ApiResult<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 255 || name.contains(['/', '\\']) {
        return Err(Problem::invalid(
            "`file_name` must be a plain file name of 1 to 255 characters",
        ));
    }
    Ok(name)
}

#[derive(Debug, Deserialize)]
pub struct EvidencePath {
    pub org: Uuid,
    pub evidence: Uuid,
}

#[utoipa::path(get, path = "/api/v1/organizations/{org}/evidence/{evidence}", tag = "evidence",
    params(("org" = Uuid, Path), ("evidence" = Uuid, Path)),
    responses((status = 200, description = "The file as uploaded", content_type = "application/octet-stream"),
        (status = 404, description = "No such record in this organization", body = crate::problem::ProblemDocument)))]
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// nessus, openvas, tenable-csv, qualys-csv or inventory.
    pub format: String,
    /// The file's name as the uploader knows it.
    pub file_name: String,
}

#[utoipa::path(post, path = "/api/v1/organizations/{org}/imports", tag = "evidence",
    params(("org" = Uuid, Path), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "A scanner export or inventory, at most the server's upload limit"),
    responses(
        (status = 201, description = "Kept, with its metrics and suggested answers (as `hicp import --org --format json`)", body = Object),
        (status = 409, description = "This file was imported before", body = crate::problem::ProblemDocument),
        (status = 413, description = "Larger than the upload limit"),
        (status = 422, description = "Not a readable file of that format: each problem with its line and column", body = crate::problem::ProblemDocument),
    ))]
pub async fn import(
    State(state): State<AppState>,
    scope: OrgScope,
    Params(query): Params<ImportQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Kept>)> {
    scope.require(Permission::Assess)?;
    let format: Format = query
        .format
        .parse()
        .map_err(|e: String| Problem::invalid(e))?;
    let file_name = plain_file_name(&query.file_name)?.to_string();
    // Parsing and hashing a large export takes CPU time: off the executor.
    let read = tokio::task::spawn_blocking(move || {
        let request = Request {
            format,
            kev: None,
            mapping: None,
        };
        read_upload_for_keeping(request, &file_name, &body)
    })
    .await
    .map_err(|e| Problem::internal(&e))??;
    let kept = keep(
        state.store(),
        &scope.caller.actor(),
        scope.id(),
        read,
        None,
        state.today(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(kept)))
}

#[utoipa::path(get, path = "/api/v1/organizations/{org}/imports", tag = "evidence",
    params(("org" = Uuid, Path)),
    responses((status = 200, description = "Each format's latest import with its metrics, their definitions and the answers they suggest (as `hicp evidence metrics --format json`)", body = Vec<Object>)))]
pub async fn metrics(
    State(state): State<AppState>,
    scope: OrgScope,
) -> ApiResult<Json<Vec<StoredMetrics>>> {
    scope.require(Permission::Read)?;
    Ok(Json(stored_metrics(state.store(), scope.id()).await?))
}
