//! Organizations kept in the store: created from an assessment file, and seen at a glance.

use std::path::Path;

use hicp_catalog::{Catalog, PracticeId, Tier};
use hicp_engine::input::{ParsedAssessment, parse_assessment_with};
use hicp_engine::{EvaluationOptions, Methodology, Warning, evaluate};
use hicp_store::{ActionStatus, Actor, AnswerRules, AssessmentRecord, OrganizationRecord, Store};
use serde::Serialize;
use time::Date;
use uuid::Uuid;

use crate::error::AppResult;
use crate::inputs::{file_label, read_assessment};

/// What [`create_from_file`] stored.
#[derive(Debug, Clone)]
pub struct Created {
    pub organization: OrganizationRecord,
    pub assessment: AssessmentRecord,
    /// The tier the plan was made for.
    pub tier: Tier,
    pub answers: usize,
    pub action_items: usize,
    /// What the file reader noticed.
    pub warnings: Vec<Warning>,
}

/// Stores an assessment file as a new organization with a draft assessment and its action
/// plan (planned from `as_of`), in one transaction. `title` defaults to "Imported from FILE".
pub async fn create_from_file(
    store: &Store,
    actor: &Actor,
    path: &Path,
    title: Option<String>,
    catalog: &Catalog,
    as_of: Date,
) -> AppResult<Created> {
    let parsed = read_assessment(path, catalog, &Methodology::default())?;
    let title = title.unwrap_or_else(|| format!("Imported from {}", file_label(path)));
    create_from_parsed(store, actor, parsed, &title, catalog, as_of).await
}

/// [`create_from_file`] for an assessment text already in hand (an upload, an embedded
/// example); `source_name` names it in messages.
pub async fn create_from_text(
    store: &Store,
    actor: &Actor,
    text: &str,
    source_name: &str,
    title: &str,
    catalog: &Catalog,
    as_of: Date,
) -> AppResult<Created> {
    let parsed = parse_assessment_with(text, source_name, catalog, &Methodology::default())
        .map_err(crate::AppError::Assessment)?;
    create_from_parsed(store, actor, parsed, title, catalog, as_of).await
}

async fn create_from_parsed(
    store: &Store,
    actor: &Actor,
    parsed: ParsedAssessment,
    title: &str,
    catalog: &Catalog,
    as_of: Date,
) -> AppResult<Created> {
    let methodology = Methodology::default();
    let evaluation = evaluate(catalog, &parsed.assessment, &EvaluationOptions::new(as_of));
    let (organization, assessment, items) = store
        .create_organization_with_assessment(
            actor,
            AnswerRules {
                catalog,
                status_values: &methodology.status_values,
            },
            &parsed.assessment,
            title,
            &catalog.edition.id,
            &evaluation.plan,
        )
        .await?;
    Ok(Created {
        organization,
        assessment,
        tier: evaluation.tier.tier,
        answers: parsed.assessment.answers.len(),
        action_items: items.len(),
        warnings: parsed.warnings,
    })
}

/// One organization at a glance: profile, assessments, action items and the latest scores.
/// Its JSON is what `hicp org show --format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub organization: OrganizationRecord,
    pub assessments: Vec<AssessmentRecord>,
    /// How many action items the organization has.
    pub action_items: usize,
    pub open_items: usize,
    pub done_items: usize,
    pub latest: Option<LatestScores>,
}

/// The latest assessment's headline numbers, evaluated today.
#[derive(Debug, Clone, Serialize)]
pub struct LatestScores {
    pub assessment: Uuid,
    pub title: String,
    #[serde(serialize_with = "iso_date")]
    pub as_of: Date,
    pub tier: Tier,
    pub overall_score: f64,
    pub overall_risk: f64,
    pub practices: Vec<PracticeScore>,
    /// How many gaps the evaluation found.
    pub gaps: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PracticeScore {
    pub id: PracticeId,
    pub title: String,
    /// `None` when no sub-practice of the practice applies.
    pub score: Option<f64>,
}

fn iso_date<S: serde::Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&hicp_report::model::iso_date(*date))
}

/// The organization `key` (id or exact name) at a glance, its latest assessment evaluated as
/// of `today`.
pub async fn overview(
    store: &Store,
    key: &str,
    catalog: &Catalog,
    today: Date,
) -> AppResult<Overview> {
    let organization = store.find_organization(key).await?;
    let assessments = store.list_assessments(organization.id).await?;
    let latest = match assessments.last() {
        None => None,
        Some(_) => {
            let (record, assessment) = store.load_assessment(organization.id, None).await?;
            let evaluation = evaluate(catalog, &assessment, &EvaluationOptions::new(today));
            Some(LatestScores {
                assessment: record.id,
                title: record.title,
                as_of: evaluation.as_of,
                tier: evaluation.tier.tier,
                overall_score: evaluation.overall_score,
                overall_risk: evaluation.overall_risk,
                practices: evaluation
                    .practices
                    .iter()
                    .map(|p| PracticeScore {
                        id: p.id,
                        title: p.title.clone(),
                        score: p.score,
                    })
                    .collect(),
                gaps: evaluation.gaps.len(),
            })
        }
    };
    let items = store.action_items(organization.id).await?;
    let count = |status| items.iter().filter(|i| i.status == status).count();
    Ok(Overview {
        organization,
        assessments,
        action_items: items.len(),
        open_items: count(ActionStatus::Open),
        done_items: count(ActionStatus::Done),
        latest,
    })
}
