//! Evidence files: uploaded as the request body, kept by the store with their SHA-256, and
//! downloaded as they came; scanner imports and their metrics; the answers they suggest, and
//! the assessor's decisions on them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hicp_app::evidence::{
    Choice, Decided, Kept, Request, ShownSuggestion, StoredMetrics, decide_suggestion, keep,
    read_upload_for_keeping, stored_metrics,
};
use hicp_catalog::SubPracticeId;
use hicp_engine::{Methodology, Status};
use hicp_evidence::Format;
use hicp_store::{AnswerRules, EvidenceRecord, NewEvidence};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::{OrgScope, Owner, Permission};
use crate::problem::{ApiResult, Ids, JsonBody, Params, Problem};
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
    let today = state.today();
    // Parsing and hashing a large export takes CPU time: off the executor.
    let read = tokio::task::spawn_blocking(move || {
        let request = Request {
            format,
            kev: None,
            mapping: None,
        };
        read_upload_for_keeping(request, &file_name, &body, today)
    })
    .await
    .map_err(|e| Problem::internal(&e))??;
    let kept = keep(state.store(), &scope.caller.actor(), scope.id(), read).await?;
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

#[derive(Debug, Deserialize)]
pub struct SuggestionsPath {
    pub org: Uuid,
    pub assessment: Uuid,
}

#[utoipa::path(get, path = "/api/v1/organizations/{org}/assessments/{assessment}/suggestions", tag = "evidence",
    params(("org" = Uuid, Path), ("assessment" = Uuid, Path)),
    responses((status = 200, description = "The answers the kept evidence suggests now, in sub-practice order: each with its rule and evidence, the import that made it, the current answer's status and version, and the latest decision taken on it", body = Vec<Object>),
        (status = 404, description = "No such assessment in this organization", body = crate::problem::ProblemDocument)))]
pub async fn suggestions(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<SuggestionsPath>,
) -> ApiResult<Json<Vec<ShownSuggestion>>> {
    scope.require(Permission::Read)?;
    let assessment = scope.assessment(&state, path.assessment).await?;
    Ok(Json(
        hicp_app::evidence::suggestions(state.store(), scope.id(), assessment.id).await?,
    ))
}

#[derive(Debug, Deserialize)]
pub struct SuggestionPath {
    pub org: Uuid,
    pub assessment: Uuid,
    pub sub_practice: String,
}

/// Accept or override.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Accept,
    Override,
}

/// The assessor's decision on a suggested answer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PostDecision {
    pub decision: DecisionKind,
    /// For `override`: the status to give (default: the answer keeps its own). Not allowed
    /// with `accept`, which takes the suggested status.
    #[schema(value_type = Option<String>)]
    pub status: Option<Status>,
    /// For `override`: why the suggestion does not fit (also the justification of a
    /// `not_applicable`).
    pub reason: Option<String>,
    /// The answer's version as read; required when the sub-practice is answered already.
    pub version: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/organizations/{org}/assessments/{assessment}/suggestions/{sub_practice}", tag = "evidence",
    params(("org" = Uuid, Path), ("assessment" = Uuid, Path), ("sub_practice" = String, Path, example = "7.M.A")),
    request_body = PostDecision,
    responses(
        (status = 200, description = "Recorded, and the answer changed: `decision` and `answer`", body = Object),
        (status = 404, description = "No such assessment, or no suggestion for this sub-practice", body = crate::problem::ProblemDocument),
        (status = 409, description = "The answer changed since `version`; `current` holds it", body = crate::problem::ProblemDocument),
        (status = 422, description = "Not a valid decision or answer here", body = crate::problem::ProblemDocument),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<SuggestionPath>,
    JsonBody(request): JsonBody<PostDecision>,
) -> ApiResult<Json<Decided>> {
    Ok(Json(
        record_decision(&state, &scope, path.assessment, &path.sub_practice, request).await?,
    ))
}

/// The assessor's decision on the suggestion for `sub_practice`, recorded with the answer it
/// brings — for the API and for the assessment page's suggestion buttons.
pub async fn record_decision(
    state: &AppState,
    scope: &OrgScope,
    assessment: Uuid,
    sub_practice: &str,
    request: PostDecision,
) -> ApiResult<Decided> {
    let sub_practice: SubPracticeId = sub_practice
        .parse()
        .map_err(|_| Problem::not_found("sub-practice"))?;
    let assessment = scope.assessment(state, assessment).await?;
    let current = state
        .store()
        .answers(assessment.id)
        .await?
        .into_iter()
        .find(|answer| answer.sub_practice == sub_practice);
    scope.may_change(
        Permission::Assess,
        Owner::named(current.as_ref().and_then(|a| a.answer.owner.as_deref())),
    )?;
    let choice = match request.decision {
        DecisionKind::Accept if request.status.is_some() => {
            return Err(Problem::invalid(
                "accepting takes the suggested status: leave `status` out, or override",
            ));
        }
        DecisionKind::Accept => Choice::Accept,
        DecisionKind::Override => Choice::Override {
            status: request.status,
            reason: request.reason,
        },
    };
    let methodology = Methodology::default();
    let rules = AnswerRules {
        catalog: state.catalog(),
        status_values: &methodology.status_values,
    };
    let decided = decide_suggestion(
        state.store(),
        rules,
        &scope.caller.actor(),
        scope.id(),
        assessment.id,
        &sub_practice,
        current.as_ref(),
        choice,
        request.version,
    )
    .await?;
    Ok(decided)
}
