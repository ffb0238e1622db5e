//! Reports (`/orgs/{org}/reports`): every report format of a chosen assessment, each with who
//! it is for. The files come from the API's own function ([`report_file`]), under the page's
//! routes so a failure is shown as a page; who may download follows the API's permission.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hicp_app::Planning;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::{OrgScope, Permission};
use crate::api::assessments::{DOWNLOADS, Download, REPORT_PERMISSION, report_file};
use crate::pages::dashboard::{AssessmentLine, status_words};
use crate::pages::frame::{Frame, PageResult, Section, Signed};
use crate::problem::{Ids, Params, Problem};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/{org}/reports", get(reports))
        .route("/orgs/{org}/reports/{assessment}/{format}", get(download))
}

/// A download's name on the page and who it is for.
fn words(name: &str) -> (&'static str, &'static str) {
    match name {
        "pdf" => (
            "PDF report",
            "For the board, the practice owner or an insurer: a printable report with the summary, the charts, every finding and the action plan.",
        ),
        "html" => (
            "Web page (HTML)",
            "The same report as one web page: open it in any browser, send it by email or print it.",
        ),
        "xlsx" => (
            "Spreadsheet (Excel)",
            "For the team doing the work: the findings, the action plan and how each safeguard maps to other frameworks, one sheet each, ready to sort and filter.",
        ),
        "csv-findings" => (
            "Findings table (CSV)",
            "Every safeguard with its status, owner and note, as a plain table for other tools.",
        ),
        "csv-plan" => (
            "Action plan table (CSV)",
            "What to do, by when and at what cost, as a plain table for a project tracker.",
        ),
        "csv-evidence" => (
            "Measured figures table (CSV)",
            "The figures measured from your own scans and inventories, as a plain table (empty when none were imported).",
        ),
        "oscal-ar" => (
            "OSCAL assessment results",
            "For auditors and compliance tools: the results in OSCAL, the machine-readable format published by NIST (the assessment plan is included).",
        ),
        "oscal-ap" => (
            "OSCAL assessment plan",
            "For auditors: what was assessed and how, in OSCAL, on its own.",
        ),
        "oscal-poam" => (
            "OSCAL plan of action and milestones",
            "For auditors following up: what is still open and when it is due, in OSCAL.",
        ),
        _ => ("Report", ""),
    }
}

struct DownloadLine {
    name: &'static str,
    label: &'static str,
    audience: &'static str,
}

struct Choice {
    id: Uuid,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/index.html")]
struct ReportsPage {
    frame: Frame,
    org: Uuid,
    choices: Vec<Choice>,
    chosen: Option<AssessmentLine>,
    may_download: bool,
    role: String,
    downloads: Vec<DownloadLine>,
}

#[derive(Debug, Deserialize)]
struct ReportsQuery {
    assessment: Option<String>,
}

async fn reports(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    query: Result<Params<ReportsQuery>, Problem>,
) -> PageResult<Response> {
    scope.require(Permission::Read)?;
    let Params(query) = query?;
    let records = state.store().list_assessments(scope.id()).await?;
    let chosen = match query.assessment.as_deref() {
        Some(id) => Some(
            Uuid::parse_str(id.trim())
                .ok()
                .and_then(|id| records.iter().find(|record| record.id == id))
                .ok_or_else(|| Problem::not_found("assessment"))?,
        ),
        None => records.last(),
    };
    Ok(ReportsPage {
        frame: Frame::for_scope(&scope, Section::Reports, "Reports"),
        org: scope.id(),
        choices: records
            .iter()
            .rev()
            .map(|record| Choice {
                id: record.id,
                label: format!("{} ({})", record.title, status_words(record.status)),
            })
            .collect(),
        chosen: chosen.map(AssessmentLine::new),
        may_download: REPORT_PERMISSION.granted_to(scope.role),
        role: scope.role.to_string(),
        downloads: DOWNLOADS
            .iter()
            .map(|download| {
                let (label, audience) = words(download.name);
                DownloadLine {
                    name: download.name,
                    label,
                    audience,
                }
            })
            .collect(),
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
struct DownloadPath {
    assessment: Uuid,
    format: String,
}

async fn download(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    path: Result<Ids<DownloadPath>, Problem>,
) -> PageResult<Response> {
    scope.require(REPORT_PERMISSION)?;
    let Ids(path) = path?;
    let download =
        Download::find(&path.format).ok_or_else(|| Problem::not_found("report format"))?;
    let assessment = scope.assessment(&state, path.assessment).await?;
    Ok(report_file(&state, &scope, &assessment, download, Planning::default()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_download_says_who_it_is_for() {
        for download in DOWNLOADS {
            let (label, audience) = words(download.name);
            assert_ne!(label, "Report", "{}", download.name);
            assert!(!audience.is_empty(), "{}", download.name);
        }
    }
}
