//! The dashboard (`/orgs/{org}`): the organization's newest assessment at a glance — overall
//! score, score per practice, residual risk per threat, what to do first, what changed since the
//! previous assessment, the 12-month "in place" statement and the metrics of its own tools.
//!
//! It is the busiest page, so what it shows is built once per change of the store (the same
//! change marker that keeps the API's evaluations) and kept; a request then only checks the
//! caller, reads the marker and fills the template.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hicp_app::Planning;
use hicp_app::comparison::{Change, Comparison, compare};
use hicp_report::EvidenceMetric;
use hicp_report::charts;
use hicp_report::escape::num;
use hicp_report::model::{ReportModel, RiskLevel, ScoreLevel, dollars, iso_date};
use hicp_report::titles::Title;
use hicp_store::{AssessmentRecord, AssessmentStatus};
use time::Date;
use uuid::Uuid;

use crate::access::{OrgScope, Permission};
use crate::api::assessments::{REPORT_PERMISSION, kept_evaluation};
use crate::cache::{KeptEvaluation, MarkedCache};
use crate::pages::frame::{Frame, PageResult, Section, Signed};
use crate::state::AppState;

/// How many changed answers the dashboard lists before pointing to the comparison page.
const CHANGES_SHOWN: usize = 10;

pub fn routes() -> Router<AppState> {
    Router::new().route("/orgs/{org}", get(dashboard))
}

/// Dashboards by organization and day ("today" is in every evaluation).
pub(crate) type DashboardCache = MarkedCache<(Uuid, Date), Arc<Dashboard>>;

/// What the dashboard shows of an organization; the same for every member who may read it.
pub(crate) struct Dashboard {
    /// `None` until the organization has an assessment.
    assessed: Option<Assessed>,
}

struct Assessed {
    assessment: AssessmentLine,
    tier: String,
    paragraph: String,
    overall_score: String,
    overall_badge: &'static str,
    overall_risk: String,
    implemented: usize,
    applicable: usize,
    unknown: usize,
    gaps: usize,
    practice_chart: String,
    practices: Vec<PracticeLine>,
    heatmap: String,
    threats: Vec<ThreatLine>,
    top_gaps: Vec<GapLine>,
    changes: Option<Changes>,
    in_place: String,
    evidence: Vec<EvidenceMetric>,
}

/// An assessment as pages name it.
pub(super) struct AssessmentLine {
    pub id: Uuid,
    pub title: String,
    pub status: &'static str,
    pub is_final: bool,
    pub created: String,
    pub updated: String,
}

impl AssessmentLine {
    pub fn new(record: &AssessmentRecord) -> AssessmentLine {
        AssessmentLine {
            id: record.id,
            title: record.title.clone(),
            status: status_words(record.status),
            is_final: record.status == AssessmentStatus::Final,
            created: iso_date(record.created_at.date()),
            updated: iso_date(record.updated_at.date()),
        }
    }
}

pub(super) fn status_words(status: AssessmentStatus) -> &'static str {
    match status {
        AssessmentStatus::Draft => "draft",
        AssessmentStatus::InReview => "in review",
        AssessmentStatus::Final => "final",
    }
}

struct PracticeLine {
    label: String,
    score: String,
    level: &'static str,
    badge: &'static str,
    implemented: usize,
    applicable: usize,
}

struct ThreatLine {
    label: String,
    likelihood: String,
    impact: String,
    coverage: String,
    residual: String,
    level: &'static str,
    heat: &'static str,
}

struct GapLine {
    rank: usize,
    id: String,
    title: String,
    risk_removed: String,
    cost: String,
    /// The engine's ranking figure: risk removed per unit of cost and effort.
    priority: String,
    when: String,
    why: String,
    more_reasons: Vec<String>,
}

struct Changes {
    previous: AssessmentLine,
    score_from: String,
    score_to: String,
    score_delta: String,
    risk_delta: String,
    practices: Vec<MovedFigure>,
    answers: Vec<MovedAnswer>,
    more_answers: usize,
}

/// A figure that moved between two assessments.
pub(super) struct MovedFigure {
    pub label: String,
    pub from: String,
    pub to: String,
    pub delta: String,
}

/// An answer that moved between two assessments.
pub(super) struct MovedAnswer {
    pub id: String,
    pub title: String,
    pub from: &'static str,
    pub to: &'static str,
    /// `badge-good` when it went up, `badge-bad` when down, `badge-none` otherwise.
    pub badge: &'static str,
    pub direction: &'static str,
}

/// One decimal, or a dash where there is no figure.
pub(super) fn figure(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), num)
}

/// A change with its sign, or in words where there is no figure on one side.
pub(super) fn signed(change: Change) -> String {
    if !change.changed() {
        return "no change".to_string();
    }
    match (change.delta(), change.from) {
        (Some(delta), _) if delta > 0.0 => format!("+{}", num(delta)),
        (Some(delta), _) => format!("−{}", num(-delta)),
        (None, None) => "new".to_string(),
        (None, Some(_)) => "no longer scored".to_string(),
    }
}

pub(super) fn score_badge(score: Option<f64>) -> (&'static str, &'static str) {
    match score.map(ScoreLevel::from_score) {
        Some(ScoreLevel::Strong) => ("strong", "badge-good"),
        Some(ScoreLevel::Developing) => ("developing", "badge-warn"),
        Some(ScoreLevel::Weak) => ("weak", "badge-bad"),
        None => ("not applicable", "badge-none"),
    }
}

pub(super) fn heat_class(level: RiskLevel) -> &'static str {
    match level {
        RiskLevel::Low => "heat-low",
        RiskLevel::Moderate => "heat-moderate",
        RiskLevel::High | RiskLevel::VeryHigh => "heat-high",
    }
}

/// The evaluation pages show: today's, with no budget limit (the plan page sets its own).
pub(super) async fn evaluation_of(
    state: &AppState,
    scope: &OrgScope,
    assessment: &AssessmentRecord,
    marker: &str,
) -> PageResult<Arc<KeptEvaluation>> {
    Ok(kept_evaluation(state, scope, assessment, Planning::default(), marker).await?)
}

/// The practice and threat figures and the answers that moved from `from` to `to`.
pub(super) fn moved(
    catalog: &hicp_catalog::Catalog,
    comparison: &Comparison,
) -> (Vec<MovedFigure>, Vec<MovedAnswer>) {
    let practices = comparison
        .practices
        .iter()
        .filter(|p| p.score.changed())
        .map(|p| MovedFigure {
            label: format!("{}. {}", p.id, Title::practice(catalog, p.id, &p.title)),
            from: figure(p.score.from),
            to: figure(p.score.to),
            delta: signed(p.score),
        })
        .collect();
    let answers = comparison
        .answers
        .iter()
        .filter(|a| a.status_changed())
        .map(|a| {
            let (badge, direction) = match a.score.delta() {
                Some(delta) if delta > 0.0 => ("badge-good", "up"),
                Some(delta) if delta < 0.0 => ("badge-bad", "down"),
                _ => ("badge-none", "moved"),
            };
            MovedAnswer {
                id: a.id.to_string(),
                title: Title::sub_practice(catalog, &a.id, "").to_string(),
                from: a.from.map_or("not assessed", |s| s.label()),
                to: a.to.map_or("not assessed", |s| s.label()),
                badge,
                direction,
            }
        })
        .collect();
    (practices, answers)
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard/index.html")]
struct DashboardPage {
    frame: Frame,
    org: Uuid,
    org_name: String,
    dashboard: Arc<Dashboard>,
    may_assess: bool,
    may_download: bool,
}

async fn dashboard(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
) -> PageResult<Response> {
    scope.require(Permission::Read)?;
    // Read before building: a dashboard is then never kept under a marker newer than its data.
    let marker = state.store().change_marker().await?;
    let key = (scope.id(), state.today());
    let dashboard = match state.dashboards().get(&key, &marker) {
        Some(dashboard) => dashboard,
        None => {
            let built = Arc::new(build(&state, &scope, &marker).await?);
            state.dashboards().put(key, marker, built.clone());
            built
        }
    };
    Ok(DashboardPage {
        frame: Frame::for_scope(&scope, Section::Dashboard, "Dashboard"),
        org: scope.id(),
        org_name: scope.organization.name.clone(),
        dashboard,
        may_assess: Permission::Assess.granted_to(scope.role),
        may_download: REPORT_PERMISSION.granted_to(scope.role),
    }
    .into_response())
}

async fn build(state: &AppState, scope: &OrgScope, marker: &str) -> PageResult<Dashboard> {
    let records = state.store().list_assessments(scope.id()).await?;
    // Oldest first: the newest is the current one, the one before it the previous.
    let Some((current_record, earlier)) = records.split_last() else {
        return Ok(Dashboard { assessed: None });
    };
    let current = evaluation_of(state, scope, current_record, marker).await?;
    let previous = match earlier.last() {
        Some(record) => Some((record, evaluation_of(state, scope, record, marker).await?)),
        None => None,
    };
    let catalog = state.catalog();
    let evaluated = &current.evaluated;
    let evaluation = &evaluated.evaluation;
    let model = ReportModel::build(&evaluated.report_input(catalog, None, state.today()));
    let summary = &model.summary;

    let practices = model
        .practices
        .iter()
        .map(|p| {
            let (level, badge) = score_badge(p.score);
            PracticeLine {
                label: format!("{}. {}", p.id, p.title),
                score: figure(p.score),
                level,
                badge,
                implemented: p.implemented,
                applicable: p.applicable,
            }
        })
        .collect();
    let threats = model
        .threats
        .iter()
        .map(|t| ThreatLine {
            label: format!("{}. {}", t.id, t.name),
            likelihood: num(t.likelihood),
            impact: num(t.impact),
            coverage: num(t.coverage),
            residual: num(t.residual_risk),
            level: t.level.label(),
            heat: heat_class(t.level),
        })
        .collect();
    let top_gaps = summary
        .top_actions
        .iter()
        .map(|action| {
            let gap = evaluation
                .gaps
                .iter()
                .find(|gap| gap.id.to_string() == action.id);
            let reasons = gap.map(|gap| gap.reasons.clone()).unwrap_or_default();
            GapLine {
                rank: action.rank,
                id: action.id.clone(),
                title: action.title.to_string(),
                risk_removed: num(action.risk_reduction),
                cost: dollars(action.estimated_cost),
                priority: gap.map_or_else(String::new, |gap| format!("{:.2}", gap.priority)),
                when: action
                    .period_label
                    .clone()
                    .unwrap_or_else(|| "deferred".to_string()),
                why: action.why.clone(),
                more_reasons: reasons.into_iter().skip(1).collect(),
            }
        })
        .collect();
    let changes = previous.map(|(record, kept)| {
        let comparison = compare(&kept.evaluated, evaluated);
        let (practices, mut answers) = moved(catalog, &comparison);
        let more_answers = answers.len().saturating_sub(CHANGES_SHOWN);
        answers.truncate(CHANGES_SHOWN);
        Changes {
            previous: AssessmentLine::new(record),
            score_from: figure(comparison.overall_score.from),
            score_to: figure(comparison.overall_score.to),
            score_delta: signed(comparison.overall_score),
            risk_delta: signed(comparison.overall_risk),
            practices,
            answers,
            more_answers,
        }
    });
    let (_, overall_badge) = score_badge(Some(summary.overall_score));
    Ok(Dashboard {
        assessed: Some(Assessed {
            assessment: AssessmentLine::new(current_record),
            tier: model.header.tier.clone(),
            paragraph: summary.paragraph.clone(),
            overall_score: num(summary.overall_score),
            overall_badge,
            overall_risk: num(summary.overall_risk),
            implemented: summary.implemented,
            applicable: summary.applicable,
            unknown: summary.unknown,
            gaps: summary.gaps,
            practice_chart: charts::practice_bars_svg(evaluation),
            practices,
            heatmap: charts::threat_heatmap_svg(evaluation),
            threats,
            top_gaps,
            changes,
            in_place: model.in_place.statement.clone(),
            evidence: model.evidence.clone(),
        }),
    })
}
