//! The assessment in the browser: the one being worked on, an overview with progress per
//! practice and the review workflow (send for review, finalize after a confirmation, start the
//! next one from a final one's answers), and a page per practice where each sub-practice is
//! answered ([`answers`]). Every change goes through the same functions as the API.

mod answers;

pub(crate) use answers::AssessmentReadCache;
use answers::AssessmentReads;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use hicp_catalog::{SubPractice, Tier};
use hicp_engine::methodology::StatusValues;
use hicp_engine::{Methodology, Status, decide_tier, effective_status};
use hicp_store::{AnswerRecord, AssessmentRecord, AssessmentStatus};
use serde::Deserialize;
use uuid::Uuid;

use crate::access::{OrgScope, Owner, Permission};
use crate::api::assessments::{move_assessment, start_assessment};
use crate::pages::frame::{Frame, PageResult, Section, Signed};
use crate::state::AppState;

pub fn routes(state: &AppState) -> Router<AppState> {
    let assessment = "/orgs/{org}/assessments/{assessment}";
    Router::new()
        .route("/orgs/{org}/assessment", get(current))
        .route("/orgs/{org}/assessments", post(start))
        .route(assessment, get(overview))
        .route(&format!("{assessment}/status"), post(change_status))
        .route(&format!("{assessment}/finalize"), get(confirm_finalize))
        .merge(answers::routes(state))
}

/// The organization (read by the scope) and the assessment of the URL.
type AssessmentPath = Path<(Uuid, Uuid)>;

/// What is shown of an assessment in every page about it.
struct Heading {
    id: Uuid,
    title: String,
    status: AssessmentStatus,
    status_label: &'static str,
    tier: Tier,
}

fn status_label(status: AssessmentStatus) -> &'static str {
    match status {
        AssessmentStatus::Draft => "Being answered",
        AssessmentStatus::InReview => "In review",
        AssessmentStatus::Final => "Final (frozen)",
    }
}

/// The badge a status wears.
fn status_badge(status: Status) -> &'static str {
    match status {
        Status::Implemented | Status::Largely => "badge-good",
        Status::Partial | Status::Planned => "badge-warn",
        Status::NotImplemented => "badge-bad",
        Status::NotApplicable | Status::Unknown => "badge-none",
    }
}

/// An assessment of the scope's organization with what its pages need: the tier its profile
/// decides (final assessments keep the profile they were finalized with) and its answers.
#[derive(Clone)]
struct Loaded {
    record: AssessmentRecord,
    tier: Tier,
    answers: Vec<AnswerRecord>,
}

impl Loaded {
    async fn read(state: &AppState, scope: &OrgScope, id: Uuid) -> PageResult<Loaded> {
        scope.require(Permission::Read)?;
        let record = scope.assessment(state, id).await?;
        let store = state.store();
        let profile = store.assessment_profile(record.id).await?;
        let tier = decide_tier(&profile, &Methodology::default().tier).tier;
        let answers = store.answers(record.id).await?;
        Ok(Loaded {
            record,
            tier,
            answers,
        })
    }

    fn heading(&self) -> Heading {
        Heading {
            id: self.record.id,
            title: self.record.title.clone(),
            status: self.record.status,
            status_label: status_label(self.record.status),
            tier: self.tier,
        }
    }

    fn answer(&self, sub: &SubPractice) -> Option<&AnswerRecord> {
        self.answers
            .iter()
            .find(|answer| answer.sub_practice == sub.id)
    }

    /// The status a sub-practice counts at (its questions rolled up where no status is given).
    fn effective(&self, sub: &SubPractice) -> Status {
        let values = StatusValues::default();
        self.answer(sub).map_or(Status::Unknown, |answer| {
            effective_status(&answer.answer, sub, &values)
        })
    }

    /// Whether the caller sees a sub-practice: everyone does, except a contributor, who sees
    /// only those assigned to them (the same rule that lets them change it).
    fn visible(&self, scope: &OrgScope, sub: &SubPractice) -> bool {
        Permission::Assess.granted_to(scope.role)
            || !Permission::ContributeAssigned.granted_to(scope.role)
            || self.may_change(scope, sub)
    }

    fn may_change(&self, scope: &OrgScope, sub: &SubPractice) -> bool {
        self.record.status != AssessmentStatus::Final
            && scope
                .may_change(
                    Permission::Assess,
                    Owner::named(self.answer(sub).and_then(|a| a.answer.owner.as_deref())),
                )
                .is_ok()
    }
}

/// Progress through one practice's sub-practices.
struct PracticeProgress {
    number: String,
    title: String,
    answered: usize,
    total: usize,
    percent: usize,
}

fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/overview.html")]
struct OverviewPage {
    frame: Frame,
    assessment: Heading,
    practices: Vec<PracticeProgress>,
    answered: usize,
    total: usize,
    percent: usize,
    may_assess: bool,
    next_title: String,
}

async fn overview(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Path((_, assessment)): AssessmentPath,
) -> PageResult<OverviewPage> {
    let reads = AssessmentReads::read(&state, &scope, assessment).await?;
    let loaded = &reads.loaded;
    let catalog = state.catalog();
    let mut practices = Vec::new();
    for practice in &catalog.practices {
        let subs: Vec<&SubPractice> = catalog
            .required_for(loaded.tier)
            .filter(|sub| sub.practice == practice.number && loaded.visible(&scope, sub))
            .collect();
        if subs.is_empty() {
            continue;
        }
        let answered = subs
            .iter()
            .filter(|sub| loaded.effective(sub) != Status::Unknown)
            .count();
        practices.push(PracticeProgress {
            number: practice.number.to_string(),
            title: practice.title.clone(),
            answered,
            total: subs.len(),
            percent: percent(answered, subs.len()),
        });
    }
    let answered = practices.iter().map(|p| p.answered).sum();
    let total = practices.iter().map(|p| p.total).sum();
    Ok(OverviewPage {
        frame: Frame::for_scope(&scope, Section::Assessment, loaded.record.title.clone()),
        assessment: loaded.heading(),
        practices,
        answered,
        total,
        percent: percent(answered, total),
        may_assess: Permission::Assess.granted_to(scope.role),
        next_title: format!("{} self-assessment", state.today().year() + 1),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/start.html")]
struct StartPage {
    frame: Frame,
    /// The newest final assessment, to start from.
    from: Option<AssessmentRecord>,
    may_assess: bool,
    title: String,
}

/// The assessment being worked on (the newest one not final), or the way to start one.
async fn current(State(state): State<AppState>, Signed(scope): Signed<OrgScope>) -> PageResult {
    scope.require(Permission::Read)?;
    let assessments = state.store().list_assessments(scope.id()).await?;
    if let Some(open) = assessments
        .iter()
        .rev()
        .find(|a| a.status != AssessmentStatus::Final)
    {
        return Ok(
            Redirect::to(&format!("/orgs/{}/assessments/{}", scope.id(), open.id)).into_response(),
        );
    }
    Ok(StartPage {
        frame: Frame::for_scope(&scope, Section::Assessment, "Start an assessment"),
        from: assessments.last().cloned(),
        may_assess: Permission::Assess.granted_to(scope.role),
        title: format!("{} self-assessment", state.today().year()),
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
struct StartForm {
    title: String,
    #[serde(default)]
    from: String,
}

async fn start(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Form(form): Form<StartForm>,
) -> PageResult {
    let from = match form.from.trim() {
        "" => None,
        text => Some(
            Uuid::parse_str(text).map_err(|_| crate::problem::Problem::not_found("assessment"))?,
        ),
    };
    let record = start_assessment(&state, &scope, &form.title, from).await?;
    Ok(Redirect::to(&format!("/orgs/{}/assessments/{}", scope.id(), record.id)).into_response())
}

#[derive(Debug, Deserialize)]
struct StatusForm {
    status: String,
    /// Finalizing needs this, sent by the confirmation page.
    #[serde(default)]
    confirm: String,
}

async fn change_status(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Path((_, assessment)): AssessmentPath,
    Form(form): Form<StatusForm>,
) -> PageResult {
    let here = format!("/orgs/{}/assessments/{}", scope.id(), assessment);
    if form.status == AssessmentStatus::Final.as_str() && form.confirm != "yes" {
        return Ok(Redirect::to(&format!("{here}/finalize")).into_response());
    }
    move_assessment(&state, &scope, assessment, &form.status).await?;
    Ok(Redirect::to(&here).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/finalize.html")]
struct FinalizePage {
    frame: Frame,
    assessment: Heading,
    unanswered: usize,
}

async fn confirm_finalize(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Path((_, assessment)): AssessmentPath,
) -> PageResult<FinalizePage> {
    scope.require(Permission::Assess)?;
    let reads = AssessmentReads::read(&state, &scope, assessment).await?;
    let loaded = &reads.loaded;
    let unanswered = state
        .catalog()
        .required_for(loaded.tier)
        .filter(|sub| loaded.effective(sub) == Status::Unknown)
        .count();
    Ok(FinalizePage {
        frame: Frame::for_scope(&scope, Section::Assessment, "Finalize the assessment"),
        assessment: loaded.heading(),
        unanswered,
    })
}
