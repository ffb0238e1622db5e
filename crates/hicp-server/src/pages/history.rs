//! History (`/orgs/{org}/history`): the organization's assessments over time with the trend of
//! each practice and threat; and the comparison (`/orgs/{org}/compare?from=A&to=B`) of two of
//! them side by side — answers, scores and risk.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hicp_app::comparison::{Change, compare};
use hicp_report::charts;
use hicp_report::escape::num;
use hicp_report::model::{RiskLevel, iso_date};
use hicp_report::titles::Title;
use hicp_store::AssessmentRecord;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::{OrgScope, Permission};
use crate::cache::KeptEvaluation;
use crate::pages::dashboard::{
    AssessmentLine, MovedFigure, evaluation_of, figure, heat_class, moved, score_badge, signed,
};
use crate::pages::frame::{Frame, PageResult, Section, Signed};
use crate::problem::{Params, Problem};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/{org}/history", get(history))
        .route("/orgs/{org}/compare", get(comparison))
}

/// An assessment in the history table.
struct HistoryLine {
    assessment: AssessmentLine,
    score: String,
    badge: &'static str,
    risk: String,
}

/// One practice's or threat's figures across the assessments, oldest first.
struct TrendLine {
    label: String,
    values: Vec<String>,
}

/// An assessment to pick in the comparison form.
struct Choice {
    id: Uuid,
    label: String,
}

/// How a chart names an assessment: its title and the day it was started, as titles repeat.
fn label(record: &AssessmentRecord) -> String {
    format!("{} ({})", record.title, iso_date(record.created_at.date()))
}

fn choices(records: &[AssessmentRecord]) -> Vec<Choice> {
    records
        .iter()
        .map(|record| Choice {
            id: record.id,
            label: label(record),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "history/index.html")]
struct HistoryPage {
    frame: Frame,
    org: Uuid,
    lines: Vec<HistoryLine>,
    series: Vec<String>,
    practice_chart: String,
    practice_trend: Vec<TrendLine>,
    threat_chart: String,
    threat_trend: Vec<TrendLine>,
    choices: Vec<Choice>,
    /// The comparison form's defaults: the one before the newest, and the newest.
    from: Option<Uuid>,
    to: Option<Uuid>,
}

async fn history(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
) -> PageResult<Response> {
    scope.require(Permission::Read)?;
    let marker = state.store().change_marker().await?;
    let records = state.store().list_assessments(scope.id()).await?;
    let mut kept = Vec::with_capacity(records.len());
    for record in &records {
        kept.push(evaluation_of(&state, &scope, record, &marker).await?);
    }
    let labels: Vec<String> = records.iter().map(label).collect();
    let points: Vec<(&str, &hicp_engine::Evaluation)> = labels
        .iter()
        .zip(&kept)
        .map(|(label, kept)| (label.as_str(), &kept.evaluated.evaluation))
        .collect();
    let lines = records
        .iter()
        .zip(&kept)
        .map(|(record, kept)| {
            let evaluation = &kept.evaluated.evaluation;
            HistoryLine {
                assessment: AssessmentLine::new(record),
                score: num(evaluation.overall_score),
                badge: score_badge(Some(evaluation.overall_score)).1,
                risk: num(evaluation.overall_risk),
            }
        })
        .collect();
    let catalog = state.catalog();
    // Rows in the order the chart draws them: by the first assessment that scores each.
    let mut practice_trend: Vec<(u8, TrendLine)> = Vec::new();
    let mut threat_trend: Vec<(u8, TrendLine)> = Vec::new();
    for (column, (_, evaluation)) in points.iter().enumerate() {
        for practice in &evaluation.practices {
            let line = row(&mut practice_trend, practice.id, points.len(), || {
                format!(
                    "{}. {}",
                    practice.id,
                    Title::practice(catalog, practice.id, &practice.title)
                )
            });
            line.values[column] = figure(practice.score);
        }
        for threat in &evaluation.threats {
            let line = row(&mut threat_trend, threat.id, points.len(), || {
                format!(
                    "{}. {}",
                    threat.id,
                    Title::threat(catalog, threat.id, &threat.name)
                )
            });
            line.values[column] = num(threat.residual_risk);
        }
    }
    let (from, to) = match records.as_slice() {
        [.., before, newest] => (Some(before.id), Some(newest.id)),
        _ => (None, None),
    };
    Ok(HistoryPage {
        frame: Frame::for_scope(&scope, Section::History, "History"),
        org: scope.id(),
        lines,
        series: labels.clone(),
        practice_chart: charts::practice_trend_svg(&points),
        practice_trend: practice_trend.into_iter().map(|(_, line)| line).collect(),
        threat_chart: charts::threat_trend_svg(&points),
        threat_trend: threat_trend.into_iter().map(|(_, line)| line).collect(),
        choices: choices(&records),
        from,
        to,
    }
    .into_response())
}

/// The trend line of `id`, added (blank in every column) the first time it is met.
fn row(
    lines: &mut Vec<(u8, TrendLine)>,
    id: u8,
    columns: usize,
    label: impl FnOnce() -> String,
) -> &mut TrendLine {
    let index = match lines.iter().position(|(known, _)| *known == id) {
        Some(index) => index,
        None => {
            lines.push((
                id,
                TrendLine {
                    label: label(),
                    values: vec!["—".to_string(); columns],
                },
            ));
            lines.len() - 1
        }
    };
    &mut lines[index].1
}

#[derive(Debug, Deserialize)]
struct CompareQuery {
    from: Option<String>,
    to: Option<String>,
}

/// A practice's or threat's figures in the two assessments.
struct SideBySide {
    label: String,
    from: String,
    to: String,
    delta: String,
    changed: bool,
    heat: &'static str,
}

/// An answer in the two assessments.
struct AnswerPair {
    id: String,
    title: String,
    from: &'static str,
    to: &'static str,
    status_changed: bool,
    details_changed: bool,
}

struct Compared {
    from: AssessmentLine,
    to: AssessmentLine,
    score: MovedFigure,
    risk: MovedFigure,
    practices: Vec<SideBySide>,
    threats: Vec<SideBySide>,
    answers: Vec<AnswerPair>,
    changed_answers: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "history/compare.html")]
struct ComparePage {
    frame: Frame,
    org: Uuid,
    choices: Vec<Choice>,
    from: Option<Uuid>,
    to: Option<Uuid>,
    compared: Option<Compared>,
}

/// The assessment of this organization that `id` names; anything else is not found.
fn pick<'a>(records: &'a [AssessmentRecord], id: &str) -> PageResult<&'a AssessmentRecord> {
    Uuid::parse_str(id.trim())
        .ok()
        .and_then(|id| records.iter().find(|record| record.id == id))
        .ok_or_else(|| Problem::not_found("assessment").into())
}

async fn comparison(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    query: Result<Params<CompareQuery>, Problem>,
) -> PageResult<Response> {
    scope.require(Permission::Read)?;
    let Params(query) = query?;
    let marker = state.store().change_marker().await?;
    let records = state.store().list_assessments(scope.id()).await?;
    let pair = match (query.from.as_deref(), query.to.as_deref()) {
        (Some(from), Some(to)) => Some((pick(&records, from)?, pick(&records, to)?)),
        (Some(one), None) | (None, Some(one)) => {
            return Err(Problem::invalid(format!(
                "choose both assessments to compare (only {one} was given)"
            ))
            .into());
        }
        (None, None) => match records.as_slice() {
            [.., before, newest] => Some((before, newest)),
            _ => None,
        },
    };
    let compared = match pair {
        Some((from, to)) => {
            let before = evaluation_of(&state, &scope, from, &marker).await?;
            let after = evaluation_of(&state, &scope, to, &marker).await?;
            Some(side_by_side(&state, from, to, &before, &after))
        }
        None => None,
    };
    let title = match &compared {
        Some(compared) => format!("{} and {}", compared.from.title, compared.to.title),
        None => "Compare assessments".to_string(),
    };
    Ok(ComparePage {
        frame: Frame::for_scope(&scope, Section::History, title),
        org: scope.id(),
        choices: choices(&records),
        from: pair.map(|(from, _)| from.id),
        to: pair.map(|(_, to)| to.id),
        compared,
    }
    .into_response())
}

fn side_by_side(
    state: &AppState,
    from: &AssessmentRecord,
    to: &AssessmentRecord,
    before: &KeptEvaluation,
    after: &KeptEvaluation,
) -> Compared {
    let catalog = state.catalog();
    let comparison = compare(&before.evaluated, &after.evaluated);
    let (_, moved_answers) = moved(catalog, &comparison);
    let practices = comparison
        .practices
        .iter()
        .map(|p| SideBySide {
            label: format!("{}. {}", p.id, Title::practice(catalog, p.id, &p.title)),
            from: figure(p.score.from),
            to: figure(p.score.to),
            delta: signed(p.score),
            changed: p.score.changed(),
            heat: "",
        })
        .collect();
    let threats = comparison
        .threats
        .iter()
        .map(|t| SideBySide {
            label: format!("{}. {}", t.id, Title::threat(catalog, t.id, &t.name)),
            from: figure(t.residual_risk.from),
            to: figure(t.residual_risk.to),
            delta: signed(t.residual_risk),
            changed: t.residual_risk.changed(),
            heat: t
                .residual_risk
                .to
                .map_or("", |risk| heat_class(RiskLevel::from_residual(risk))),
        })
        .collect();
    let answers: Vec<AnswerPair> = comparison
        .answers
        .iter()
        .map(|a| AnswerPair {
            id: a.id.to_string(),
            title: Title::sub_practice(catalog, &a.id, "").to_string(),
            from: a.from.map_or("not assessed", |s| s.label()),
            to: a.to.map_or("not assessed", |s| s.label()),
            status_changed: a.status_changed(),
            details_changed: a.details_changed,
        })
        .collect();
    let figures = |label: &str, change: Change| MovedFigure {
        label: label.to_string(),
        from: figure(change.from),
        to: figure(change.to),
        delta: signed(change),
    };
    Compared {
        from: AssessmentLine::new(from),
        to: AssessmentLine::new(to),
        score: figures("Overall score", comparison.overall_score),
        risk: figures("Risk left", comparison.overall_risk),
        practices,
        threats,
        changed_answers: moved_answers.len(),
        answers,
    }
}
