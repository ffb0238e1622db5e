//! Assessments of an organization: list, start, move through review, answer, evaluate and
//! download as a report.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hicp_app::Planning;
use hicp_app::reports::{Rendered, ReportFormat, render};
use hicp_catalog::SubPracticeId;
use hicp_engine::view::EvaluationView;
use hicp_engine::{Answer, Assessment, Methodology, Status};
use hicp_store::{AnswerRecord, AnswerRules, AssessmentRecord, AssessmentStatus, NewAssessment};
use serde::Deserialize;
use time::Date;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::{OrgScope, Owner, Permission};
use crate::cache::{EvaluationKey, KeptEvaluation};
use crate::problem::{ApiResult, Ids, JsonBody, Params, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct AssessmentPath {
    pub org: Uuid,
    pub assessment: Uuid,
}

#[utoipa::path(get, operation_id = "list_assessments", path = "/api/v1/organizations/{org}/assessments", tag = "assessments",
    params(("org" = Uuid, Path)),
    responses((status = 200, description = "Newest last", body = Vec<Object>)))]
pub async fn list(
    State(state): State<AppState>,
    scope: OrgScope,
) -> ApiResult<Json<Vec<AssessmentRecord>>> {
    scope.require(Permission::Read)?;
    Ok(Json(state.store().list_assessments(scope.id()).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewAssessmentRequest {
    pub title: String,
    /// Start from this earlier assessment's answers (the usual way to begin next year's).
    pub from: Option<Uuid>,
}

#[utoipa::path(post, operation_id = "create_assessment", path = "/api/v1/organizations/{org}/assessments", tag = "assessments",
    params(("org" = Uuid, Path)),
    request_body = NewAssessmentRequest,
    responses((status = 201, description = "Created", body = Object), (status = 403, description = "Your role in this organization does not allow it", body = crate::problem::ProblemDocument)))]
pub async fn create(
    State(state): State<AppState>,
    scope: OrgScope,
    JsonBody(request): JsonBody<NewAssessmentRequest>,
) -> ApiResult<(StatusCode, Json<AssessmentRecord>)> {
    let record = start_assessment(&state, &scope, &request.title, request.from).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// Starts an assessment, empty or from an earlier one's answers (`from`): the rule for the API
/// and the assessment pages alike.
pub async fn start_assessment(
    state: &AppState,
    scope: &OrgScope,
    title: &str,
    from: Option<Uuid>,
) -> ApiResult<AssessmentRecord> {
    scope.require(Permission::Assess)?;
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(Problem::invalid(
            "an assessment needs a title of 1 to 200 characters",
        ));
    }
    let store = state.store();
    let start = match from {
        Some(from) => {
            let from = scope.assessment(state, from).await?;
            store.load_assessment(scope.id(), Some(from.id)).await?.1
        }
        None => Assessment {
            organization: scope.organization.organization(),
            answers: Default::default(),
            history: Vec::new(),
        },
    };
    let methodology = Methodology::default();
    Ok(store
        .create_assessment(
            &scope.caller.actor(),
            AnswerRules {
                catalog: state.catalog(),
                status_values: &methodology.status_values,
            },
            NewAssessment {
                organization_id: scope.id(),
                title,
                catalog_edition: &state.catalog().edition.id,
                assessment: &start,
            },
        )
        .await?)
}

#[utoipa::path(get, path = "/api/v1/organizations/{org}/assessments/{assessment}", tag = "assessments",
    params(("org" = Uuid, Path), ("assessment" = Uuid, Path)),
    responses((status = 200, description = "OK", body = Object), (status = 404, description = "No such record in this organization", body = crate::problem::ProblemDocument)))]
pub async fn show(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<AssessmentPath>,
) -> ApiResult<Json<AssessmentRecord>> {
    scope.require(Permission::Read)?;
    Ok(Json(scope.assessment(&state, path.assessment).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusChange {
    /// draft, in_review or final. A final assessment never changes again.
    pub status: String,
}

#[utoipa::path(put, operation_id = "set_assessment_status", path = "/api/v1/organizations/{org}/assessments/{assessment}/status", tag = "assessments",
    params(("org" = Uuid, Path), ("assessment" = Uuid, Path)),
    request_body = StatusChange,
    responses((status = 200, description = "OK", body = Object), (status = 422, description = "Refused; the detail says why and what to change", body = crate::problem::ProblemDocument)))]
pub async fn set_status(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<AssessmentPath>,
    JsonBody(request): JsonBody<StatusChange>,
) -> ApiResult<Json<AssessmentRecord>> {
    Ok(Json(
        move_assessment(&state, &scope, path.assessment, &request.status).await?,
    ))
}

/// Moves an assessment of the scope's organization to the status named `next`.
pub async fn move_assessment(
    state: &AppState,
    scope: &OrgScope,
    assessment: Uuid,
    next: &str,
) -> ApiResult<AssessmentRecord> {
    scope.require(Permission::Assess)?;
    let next: AssessmentStatus = next
        .parse()
        .map_err(|e: hicp_store::UnknownWord| Problem::invalid(e.to_string()))?;
    let assessment = scope.assessment(state, assessment).await?;
    Ok(state
        .store()
        .set_assessment_status(&scope.caller.actor(), assessment.id, next)
        .await?)
}

#[utoipa::path(get, path = "/api/v1/organizations/{org}/assessments/{assessment}/answers", tag = "assessments",
    params(("org" = Uuid, Path), ("assessment" = Uuid, Path)),
    responses((status = 200, description = "In sub-practice order", body = Vec<Object>)))]
pub async fn answers(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<AssessmentPath>,
) -> ApiResult<Json<Vec<AnswerRecord>>> {
    scope.require(Permission::Read)?;
    let assessment = scope.assessment(&state, path.assessment).await?;
    Ok(Json(state.store().answers(assessment.id).await?))
}

#[derive(Debug, Deserialize)]
pub struct AnswerPath {
    pub org: Uuid,
    pub assessment: Uuid,
    pub sub_practice: String,
}

/// An answer as it should be. `version` is the one read: required when the answer exists, so
/// a colleague's change made in between is never overwritten (409 with the current answer).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PutAnswer {
    pub version: Option<i64>,
    /// not_implemented, planned, partial, largely, implemented, not_applicable or unknown.
    #[schema(value_type = String)]
    pub status: Status,
    pub owner: Option<String>,
    pub note: Option<String>,
    /// When the current status was reached (YYYY-MM-DD).
    #[schema(value_type = Option<String>, format = Date)]
    pub since: Option<Date>,
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Required for not_applicable.
    pub justification: Option<String>,
    /// Question-level answers by question key.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub questions: std::collections::BTreeMap<String, Status>,
}

#[utoipa::path(put, path = "/api/v1/organizations/{org}/assessments/{assessment}/answers/{sub_practice}", tag = "assessments",
    params(("org" = Uuid, Path), ("assessment" = Uuid, Path), ("sub_practice" = String, Path, example = "7.M.D")),
    request_body = PutAnswer,
    responses(
        (status = 200, description = "Stored; the new version is in the answer", body = Object),
        (status = 409, description = "Changed by someone else since `version`; `current` holds it", body = crate::problem::ProblemDocument),
        (status = 422, description = "Not a valid answer here", body = crate::problem::ProblemDocument),
    ))]
pub async fn put_answer(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<AnswerPath>,
    JsonBody(request): JsonBody<PutAnswer>,
) -> ApiResult<Json<AnswerRecord>> {
    let answer = Answer {
        status: request.status,
        owner: request.owner,
        note: request.note,
        since: request.since,
        evidence: request.evidence,
        justification: request.justification,
        questions: request.questions,
    };
    Ok(Json(
        save_answer(
            &state,
            &scope,
            path.assessment,
            &path.sub_practice,
            request.version,
            answer,
        )
        .await?,
    ))
}

/// Keeps an answer as the caller gave it, if they may change it and nobody changed it since
/// `version` (else 409 with the answer as it is now): the rule for the API and the pages alike.
pub async fn save_answer(
    state: &AppState,
    scope: &OrgScope,
    assessment: Uuid,
    sub_practice: &str,
    version: Option<i64>,
    answer: Answer,
) -> ApiResult<AnswerRecord> {
    let sub_practice: SubPracticeId = sub_practice
        .parse()
        .map_err(|_| Problem::not_found("sub-practice"))?;
    let assessment = scope.assessment(state, assessment).await?;
    let store = state.store();
    let existing = store
        .answers(assessment.id)
        .await?
        .into_iter()
        .find(|answer| answer.sub_practice == sub_practice);
    scope.may_change(
        Permission::Assess,
        Owner::named(existing.as_ref().and_then(|a| a.answer.owner.as_deref())),
    )?;
    let methodology = Methodology::default();
    let rules = AnswerRules {
        catalog: state.catalog(),
        status_values: &methodology.status_values,
    };
    let actor = scope.caller.actor();
    let record = match (existing, version) {
        (Some(current), Some(version)) => {
            store
                .update_answer(&actor, rules, current.id, &answer, version)
                .await?
        }
        (Some(current), None) => {
            let current = serde_json::to_value(&current).unwrap_or_default();
            return Err(Problem::conflict(
                "this sub-practice is answered already: send the `version` you read",
            )
            .with_current(current));
        }
        (None, _) => {
            store
                .add_answer(&actor, rules, assessment.id, &sub_practice, &answer)
                .await?
        }
    };
    Ok(record)
}

/// The planning choices of an evaluation; each left out takes its default.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanningQuery {
    /// Money per plan period, in US dollars.
    pub budget: Option<u64>,
    /// Staff-days per plan period.
    pub staff_days: Option<u32>,
    /// Plan periods before the rest is deferred.
    pub periods: Option<u32>,
    /// The date the plan and the 12-month view count from (YYYY-MM-DD); default today.
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<Date>,
}

impl PlanningQuery {
    pub(crate) fn planning(&self) -> Planning {
        Planning {
            as_of: self.as_of,
            budget: self.budget,
            staff_days: self.staff_days,
            periods: self.periods,
        }
    }
}

/// The evaluation of `assessment` (already found through the caller's scope) with these
/// planning choices, reused while nothing changed. `marker` is the store's change marker, read
/// before this call: a result is then never kept under a marker newer than its data.
pub(crate) async fn kept_evaluation(
    state: &AppState,
    scope: &OrgScope,
    assessment: &AssessmentRecord,
    planning: Planning,
    marker: &str,
) -> ApiResult<Arc<KeptEvaluation>> {
    let key = EvaluationKey::new(assessment.id, &planning, state.today());
    if let Some(kept) = state.evaluations().get(&key, marker) {
        return Ok(kept);
    }
    let evaluated = hicp_app::evaluation::evaluate_stored(
        state.store(),
        state.catalog(),
        &scope.id().to_string(),
        Some(assessment.id),
        Methodology::default(),
        planning,
        state.today(),
    )
    .await?;
    let view = EvaluationView::new(&evaluated.evaluation, &evaluated.reader_warnings);
    let json = Bytes::from(serde_json::to_vec(&view).map_err(|e| Problem::internal(&e))?);
    let kept = Arc::new(KeptEvaluation { evaluated, json });
    state
        .evaluations()
        .put(key, marker.to_string(), kept.clone());
    Ok(kept)
}

#[utoipa::path(get, path = "/api/v1/organizations/{org}/assessments/{assessment}/evaluation", tag = "assessments",
    params(("org" = Uuid, Path), ("assessment" = Uuid, Path), PlanningQuery),
    responses((status = 200, description = "Tier, scores, threat risk, ranked gaps, plan and the 12-month view, as `hicp assess --format json` (docs/assessment-format.md)", body = Object)))]
pub async fn evaluation(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<AssessmentPath>,
    Params(query): Params<PlanningQuery>,
) -> ApiResult<Response> {
    scope.require(Permission::Read)?;
    let assessment = scope.assessment(&state, path.assessment).await?;
    let marker = state.store().change_marker().await?;
    let kept = kept_evaluation(&state, &scope, &assessment, query.planning(), &marker).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        kept.json.clone(),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct ReportPath {
    pub org: Uuid,
    pub assessment: Uuid,
    pub format: String,
}

/// What a role needs to download reports.
pub const REPORT_PERMISSION: Permission = Permission::Audit;

/// One of CSV's tables, downloaded apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvTable {
    Findings,
    Plan,
    Evidence,
}

/// A report file as it is downloaded: a format by the CLI's name, or one of CSV's tables.
#[derive(Debug, Clone, Copy)]
pub struct Download {
    pub name: &'static str,
    pub format: ReportFormat,
    table: Option<CsvTable>,
}

impl Download {
    const fn whole(format: ReportFormat, name: &'static str) -> Download {
        Download {
            name,
            format,
            table: None,
        }
    }

    const fn csv(table: CsvTable, name: &'static str) -> Download {
        Download {
            name,
            format: ReportFormat::Csv,
            table: Some(table),
        }
    }

    pub fn find(name: &str) -> Option<Download> {
        DOWNLOADS.into_iter().find(|download| download.name == name)
    }

    pub fn media_type(self) -> &'static str {
        match self.format {
            ReportFormat::Html => "text/html; charset=utf-8",
            ReportFormat::Pdf => "application/pdf",
            ReportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ReportFormat::Csv => "text/csv; charset=utf-8",
            ReportFormat::OscalAr | ReportFormat::OscalAp | ReportFormat::OscalPoam => {
                "application/json"
            }
        }
    }

    fn extension(self) -> &'static str {
        match self.format {
            ReportFormat::Html => "html",
            ReportFormat::Pdf => "pdf",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Csv => "csv",
            ReportFormat::OscalAr | ReportFormat::OscalAp | ReportFormat::OscalPoam => "json",
        }
    }

    /// The downloaded file's bytes, out of the rendered report.
    fn bytes(self, rendered: Rendered) -> Vec<u8> {
        match (rendered, self.table) {
            (Rendered::Document(bytes), _) => bytes,
            (Rendered::Tables { findings, .. }, Some(CsvTable::Findings)) => findings.into_bytes(),
            (Rendered::Tables { evidence, .. }, Some(CsvTable::Evidence)) => evidence.into_bytes(),
            (Rendered::Tables { plan, .. }, _) => plan.into_bytes(),
        }
    }
}

/// Every download, in the order pages list them.
pub const DOWNLOADS: [Download; 9] = [
    Download::whole(ReportFormat::Pdf, "pdf"),
    Download::whole(ReportFormat::Html, "html"),
    Download::whole(ReportFormat::Xlsx, "xlsx"),
    Download::csv(CsvTable::Findings, "csv-findings"),
    Download::csv(CsvTable::Plan, "csv-plan"),
    Download::csv(CsvTable::Evidence, "csv-evidence"),
    Download::whole(ReportFormat::OscalAr, "oscal-ar"),
    Download::whole(ReportFormat::OscalAp, "oscal-ap"),
    Download::whole(ReportFormat::OscalPoam, "oscal-poam"),
];

/// The report of `assessment` as `download`, for `scope`'s caller (checked here).
pub(crate) async fn report_file(
    state: &AppState,
    scope: &OrgScope,
    assessment: &AssessmentRecord,
    download: Download,
    planning: Planning,
) -> ApiResult<Response> {
    scope.require(REPORT_PERMISSION)?;
    let marker = state.store().change_marker().await?;
    let kept = kept_evaluation(state, scope, assessment, planning, &marker).await?;
    let today = state.today();
    let catalog_state = state.clone();
    // Typesetting takes CPU time: off the executor.
    let rendered = tokio::task::spawn_blocking(move || {
        let input = kept
            .evaluated
            .report_input(catalog_state.catalog(), None, today);
        render(download.format, &input)
    })
    .await
    .map_err(|e| Problem::internal(&e))??;
    let file_name = format!(
        "hicp-{}-{today}.{}",
        if download.table.is_some() {
            download.name.trim_start_matches("csv-")
        } else {
            download.name
        },
        download.extension()
    );
    let mut response = download.bytes(rendered).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(download.media_type()),
    );
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

#[utoipa::path(get, path = "/api/v1/organizations/{org}/assessments/{assessment}/reports/{format}", tag = "assessments",
    params(("org" = Uuid, Path), ("assessment" = Uuid, Path),
        ("format" = String, Path, description = "html, pdf, xlsx, csv-findings, csv-plan, csv-evidence, oscal-ar, oscal-ap or oscal-poam"),
        PlanningQuery),
    responses(
        (status = 200, description = "The report file", content(
            (Vec<u8> = "application/pdf"),
            (String = "text/html"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"),
            (serde_json::Value = "application/json"),
        )),
        (status = 403, description = "Your role in this organization does not allow it", body = crate::problem::ProblemDocument),
    ))]
pub async fn report(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<ReportPath>,
    Params(query): Params<PlanningQuery>,
) -> ApiResult<Response> {
    scope.require(REPORT_PERMISSION)?;
    let download = Download::find(&path.format).ok_or_else(|| {
        Problem::not_found("report format (use html, pdf, xlsx, csv-findings, csv-plan, csv-evidence, oscal-ar, oscal-ap or oscal-poam)")
    })?;
    let assessment = scope.assessment(&state, path.assessment).await?;
    report_file(&state, &scope, &assessment, download, query.planning()).await
}
