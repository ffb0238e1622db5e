//! One practice of an assessment: each sub-practice of the organization's tier with its
//! summary, "what good looks like", its questions and the answer form; evidence files beside
//! it; and, where the organization's kept evidence informs it, the suggested status.
//!
//! Each sub-practice is one form posting to [`save`], which redirects back (no script needed);
//! htmx sends the same form on every change and swaps in the fragment it answers. An answer
//! carries the version it was read at, so a colleague's change is shown, never overwritten.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hicp_app::evidence::ShownSuggestion;
use hicp_catalog::{Practice, SubPractice};
use hicp_engine::methodology::StatusValues;
use hicp_engine::{Answer, Status, effective_status};
use hicp_store::{AssessmentStatus, EvidenceRecord, SuggestionChoice, author_in_words};
use serde::Deserialize;
use time::Date;
use time::macros::format_description;
use uuid::Uuid;

use super::{Heading, Loaded, status_badge};
use crate::access::{OrgScope, Permission};
use crate::api::assessments::save_answer;
use crate::api::evidence::{DecisionKind, PostDecision, Upload, keep_evidence, record_decision};
use crate::cache::MarkedCache;
use crate::pages::forms::sentence;
use crate::pages::frame::{Frame, PageError, PageResult, Section, Signed};
use crate::problem::Problem;
use crate::state::AppState;

pub fn routes(state: &AppState) -> Router<AppState> {
    let assessment = "/orgs/{org}/assessments/{assessment}";
    Router::new()
        .route(
            &format!("{assessment}/practices/{{practice}}"),
            get(practice_page),
        )
        .route(
            &format!("{assessment}/answers/{{sub_practice}}"),
            post(save),
        )
        .route(
            &format!("{assessment}/answers/{{sub_practice}}/evidence"),
            post(upload).layer(DefaultBodyLimit::max(state.config().max_upload_bytes)),
        )
}

/// Every status a form offers, in the order an assessor thinks of them.
struct StatusChoice {
    value: &'static str,
    label: &'static str,
}

fn status_choices() -> Vec<StatusChoice> {
    // "Not answered yet" first: it is where every answer starts.
    std::iter::once(Status::Unknown)
        .chain(Status::ALL.into_iter().filter(|s| *s != Status::Unknown))
        .map(|status| StatusChoice {
            value: status.as_str(),
            label: match status {
                Status::Unknown => "Not answered yet",
                other => other.label(),
            },
        })
        .collect()
}

/// An answer's fields as a form shows them (typed text, so a refused one can be shown again).
#[derive(Debug, Clone, Default)]
struct Fields {
    status: String,
    owner: String,
    note: String,
    since: String,
    evidence: String,
    justification: String,
    questions: BTreeMap<String, String>,
}

impl Fields {
    fn of(answer: &Answer) -> Fields {
        Fields {
            status: answer.status.as_str().to_string(),
            owner: answer.owner.clone().unwrap_or_default(),
            note: answer.note.clone().unwrap_or_default(),
            since: answer.since.map(|d| d.to_string()).unwrap_or_default(),
            evidence: answer.evidence.join("\n"),
            justification: answer.justification.clone().unwrap_or_default(),
            questions: answer
                .questions
                .iter()
                .map(|(key, status)| (key.clone(), status.as_str().to_string()))
                .collect(),
        }
    }

    fn unanswered() -> Fields {
        Fields {
            status: Status::Unknown.as_str().to_string(),
            ..Fields::default()
        }
    }

    /// The answer these fields say, or what is wrong with them.
    fn answer(&self) -> Result<Answer, String> {
        let status = parse_status(&self.status)?;
        let since = match self.since.trim() {
            "" => None,
            text => Some(
                Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| {
                    "Write the date as year-month-day, like 2026-03-31.".to_string()
                })?,
            ),
        };
        let mut questions = BTreeMap::new();
        for (key, value) in &self.questions {
            let status = parse_status(value)?;
            // "Not answered yet" is no answer: leaving it out keeps the stored answer small.
            if status != Status::Unknown {
                questions.insert(key.clone(), status);
            }
        }
        let text = |value: &str| Some(value.trim().to_string()).filter(|v| !v.is_empty());
        Ok(Answer {
            status,
            owner: text(&self.owner),
            note: text(&self.note),
            since,
            evidence: self
                .evidence
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_string)
                .collect(),
            justification: text(&self.justification),
            questions,
        })
    }

    /// What differs from `other`, as "label: value" lines (for the conflict message).
    fn differences(&self, other: &Fields, sub: &SubPractice) -> Vec<String> {
        let status = |value: &str| {
            value
                .parse::<Status>()
                .map(|s| s.label().to_string())
                .unwrap_or_else(|_| value.to_string())
        };
        let mut lines = Vec::new();
        let mut differs = |label: &str, mine: String, theirs: String| {
            if mine.trim() != theirs.trim() {
                let mine = if mine.trim().is_empty() {
                    "(empty)".to_string()
                } else {
                    mine
                };
                lines.push(format!("{label}: {mine}"));
            }
        };
        differs("Status", status(&self.status), status(&other.status));
        differs("Owner", self.owner.clone(), other.owner.clone());
        differs("Note", self.note.clone(), other.note.clone());
        differs("Since", self.since.clone(), other.since.clone());
        differs("Evidence", self.evidence.clone(), other.evidence.clone());
        differs(
            "Why it does not apply",
            self.justification.clone(),
            other.justification.clone(),
        );
        for question in &sub.questions {
            let mine = self
                .questions
                .get(&question.key)
                .cloned()
                .unwrap_or_default();
            let theirs = other
                .questions
                .get(&question.key)
                .cloned()
                .unwrap_or_default();
            differs(&question.text, status(&mine), status(&theirs));
        }
        lines
    }
}

fn parse_status(text: &str) -> Result<Status, String> {
    match text.trim() {
        "" => Ok(Status::Unknown),
        text => text
            .parse()
            .map_err(|_| format!("`{text}` is not one of the statuses offered.")),
    }
}

struct QuestionRow {
    key: String,
    text: String,
    selected: String,
}

struct EvidenceFile {
    id: Uuid,
    name: String,
    size: String,
}

struct SuggestionView {
    label: &'static str,
    rule: &'static str,
    evidence: Vec<String>,
    /// The import it comes from, in words.
    source: String,
    /// The decision already taken on this evidence's suggestion, in words.
    decided: Option<String>,
}

impl SuggestionView {
    fn of(shown: &ShownSuggestion) -> SuggestionView {
        let suggestion = &shown.suggestion;
        let decided = shown
            .decision
            .as_ref()
            .filter(|_| shown.decided_on_this_evidence)
            .map(|decision| {
                let what = match decision.decision {
                    SuggestionChoice::Accept => "accepted".to_string(),
                    SuggestionChoice::Override => {
                        format!("overridden, keeping \"{}\"", decision.chosen_status.label())
                    }
                };
                format!(
                    "{} by {} on {}.",
                    sentence(&what).trim_end_matches('.'),
                    author_in_words(&decision.decided_by),
                    decision.decided_at.date()
                )
            });
        SuggestionView {
            label: suggestion.status.label(),
            rule: suggestion.rule,
            evidence: suggestion.evidence.clone(),
            source: shown.source.clone(),
            decided,
        }
    }
}

/// One sub-practice as its card shows it.
struct Item {
    id: String,
    /// The element id of its card, for links and htmx targets.
    anchor: String,
    title: String,
    summary: String,
    good_looks_like: String,
    owner_role: String,
    questions: Vec<QuestionRow>,
    fields: Fields,
    version: Option<i64>,
    /// The status it counts at, when its questions decide it.
    rolled_up: Option<&'static str>,
    effective_label: &'static str,
    effective_badge: &'static str,
    editable: bool,
    files: Vec<EvidenceFile>,
    suggestion: Option<SuggestionView>,
    /// The form's URL.
    action: String,
    upload_action: String,
    saved: bool,
    /// Why the answer was not kept, beside the form.
    error: Option<String>,
    /// Why it was not kept, beside the not-applicable justification.
    justification_error: Option<String>,
    /// A colleague changed it first: who and when, and what the caller had typed.
    conflict: Option<Conflict>,
}

struct Conflict {
    by: String,
    mine: Vec<String>,
}

/// What an item's card needs beyond the sub-practice and its answer.
struct ItemContext<'a> {
    scope: &'a OrgScope,
    loaded: &'a Loaded,
    files: &'a [EvidenceRecord],
    suggestions: &'a BTreeMap<String, ShownSuggestion>,
}

impl ItemContext<'_> {
    fn item(&self, sub: &SubPractice, fields: Option<Fields>) -> Item {
        let answer = self.loaded.answer(sub);
        let values = StatusValues::default();
        let fields = fields
            .unwrap_or_else(|| answer.map_or_else(Fields::unanswered, |a| Fields::of(&a.answer)));
        let effective = answer.map_or(Status::Unknown, |a| {
            effective_status(&a.answer, sub, &values)
        });
        let rolled_up = answer
            .filter(|a| a.answer.status == Status::Unknown && effective != Status::Unknown)
            .map(|_| effective.label());
        let base = format!(
            "/orgs/{}/assessments/{}/answers/{}",
            self.scope.id(),
            self.loaded.record.id,
            sub.id
        );
        Item {
            id: sub.id.to_string(),
            anchor: anchor(sub),
            title: sub.title.clone(),
            summary: sub.summary.clone(),
            good_looks_like: sub.good_looks_like.clone(),
            owner_role: sub.owner_role.clone(),
            questions: sub
                .questions
                .iter()
                .map(|q| QuestionRow {
                    key: q.key.clone(),
                    text: q.text.clone(),
                    selected: fields.questions.get(&q.key).cloned().unwrap_or_default(),
                })
                .collect(),
            fields,
            version: answer.map(|a| a.version),
            rolled_up,
            effective_label: if effective == Status::Unknown {
                "Not answered yet"
            } else {
                effective.label()
            },
            effective_badge: status_badge(effective),
            editable: self.loaded.may_change(self.scope, sub),
            files: answer
                .map(|a| {
                    self.files
                        .iter()
                        .filter(|file| file.answer_id == Some(a.id))
                        .map(|file| EvidenceFile {
                            id: file.id,
                            name: file.file_name.clone(),
                            size: size(file.size_bytes),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            suggestion: self
                .suggestions
                .get(&sub.id.to_string())
                .map(SuggestionView::of),
            upload_action: format!("{base}/evidence"),
            action: base,
            saved: false,
            error: None,
            justification_error: None,
            conflict: None,
        }
    }
}

fn anchor(sub: &SubPractice) -> String {
    format!("sp-{}", sub.id.to_string().replace('.', "-"))
}

fn size(bytes: u64) -> String {
    match bytes {
        0..1_024 => format!("{bytes} bytes"),
        1_024..1_048_576 => format!("{} KB", bytes / 1_024),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/practice.html")]
struct PracticePage {
    frame: Frame,
    assessment: Heading,
    number: u8,
    title: String,
    summary: String,
    items: Vec<Item>,
    statuses: Vec<StatusChoice>,
    previous: Option<u8>,
    next: Option<u8>,
    /// Some sub-practices are not shown because they are not assigned to the caller.
    hidden: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/answer_fragment.html")]
struct AnswerFragment {
    frame: Frame,
    item: Item,
    statuses: Vec<StatusChoice>,
}

/// Everything a practice page is made of, read once per request.
struct PracticeData {
    reads: Arc<AssessmentReads>,
    practice: Practice,
    subs: Vec<SubPractice>,
}

/// What the assessment's pages read from the store for it, kept while the store's change marker
/// stays the same: the practice page is the workspace's most used page after the dashboard, and
/// every save moves the marker, so a kept read is never stale.
pub(crate) struct AssessmentReads {
    pub(super) loaded: Loaded,
    files: Vec<EvidenceRecord>,
    suggestions: BTreeMap<String, ShownSuggestion>,
}

/// Kept per organization and assessment: the organization in the key means a read made for one
/// organization's member is never served in another's scope.
pub(crate) type AssessmentReadCache = MarkedCache<(Uuid, Uuid), Arc<AssessmentReads>>;

impl AssessmentReads {
    pub(super) async fn read(
        state: &AppState,
        scope: &OrgScope,
        assessment: Uuid,
    ) -> PageResult<Arc<AssessmentReads>> {
        scope.require(Permission::Read)?;
        // Read before building: a read is then never kept under a marker newer than its data.
        let marker = state.store().change_marker().await?;
        let key = (scope.id(), assessment);
        if let Some(kept) = state.assessment_reads().get(&key, &marker) {
            return Ok(kept);
        }
        let loaded = Loaded::read(state, scope, assessment).await?;
        let files = state.store().evidence_of(scope.id()).await?;
        let suggestions =
            hicp_app::evidence::suggestions(state.store(), scope.id(), loaded.record.id)
                .await?
                .into_iter()
                .map(|shown| (shown.suggestion.sub_practice.to_string(), shown))
                .collect();
        let reads = Arc::new(AssessmentReads {
            loaded,
            files,
            suggestions,
        });
        state.assessment_reads().put(key, marker, reads.clone());
        Ok(reads)
    }
}

impl PracticeData {
    async fn read(
        state: &AppState,
        scope: &OrgScope,
        assessment: Uuid,
        practice: u8,
    ) -> PageResult<PracticeData> {
        let reads = AssessmentReads::read(state, scope, assessment).await?;
        let catalog = state.catalog();
        let practice = catalog
            .practice(practice)
            .cloned()
            .ok_or_else(|| Problem::not_found("practice"))?;
        let subs: Vec<SubPractice> = catalog
            .required_for(reads.loaded.tier)
            .filter(|sub| sub.practice == practice.number)
            .cloned()
            .collect();
        if subs.is_empty() {
            return Err(Problem::not_found("practice in this organization's tier").into());
        }
        Ok(PracticeData {
            reads,
            practice,
            subs,
        })
    }

    fn context<'a>(&'a self, scope: &'a OrgScope) -> ItemContext<'a> {
        ItemContext {
            scope,
            loaded: &self.reads.loaded,
            files: &self.reads.files,
            suggestions: &self.reads.suggestions,
        }
    }

    fn sub(&self, id: &str) -> Option<&SubPractice> {
        self.subs.iter().find(|sub| sub.id.to_string() == id)
    }

    /// The page, with `replaced` shown instead of the stored answer of its sub-practice.
    fn page(&self, state: &AppState, scope: &OrgScope, replaced: Option<Item>) -> PracticePage {
        let context = self.context(scope);
        let visible: Vec<&SubPractice> = self
            .subs
            .iter()
            .filter(|sub| self.reads.loaded.visible(scope, sub))
            .collect();
        let mut replaced = replaced;
        let items = visible
            .iter()
            .map(
                |sub| match replaced.take_if(|item| item.id == sub.id.to_string()) {
                    Some(item) => item,
                    None => context.item(sub, None),
                },
            )
            .collect();
        let numbers: Vec<u8> = state
            .catalog()
            .practices
            .iter()
            .map(|p| p.number)
            .filter(|number| {
                state
                    .catalog()
                    .required_for(self.reads.loaded.tier)
                    .any(|sub| sub.practice == *number)
            })
            .collect();
        let position = numbers.iter().position(|n| *n == self.practice.number);
        PracticePage {
            frame: Frame::for_scope(
                scope,
                Section::Assessment,
                format!("{}. {}", self.practice.number, self.practice.title),
            ),
            assessment: self.reads.loaded.heading(),
            number: self.practice.number,
            title: self.practice.title.clone(),
            summary: self.practice.summary.clone(),
            items,
            statuses: status_choices(),
            previous: position
                .and_then(|p| p.checked_sub(1))
                .and_then(|p| numbers.get(p).copied()),
            next: position.and_then(|p| numbers.get(p + 1).copied()),
            hidden: self.subs.len() - visible.len(),
        }
    }
}

#[derive(Debug, Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn practice_page(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Path((_, assessment, practice)): Path<(Uuid, Uuid, String)>,
    Query(query): Query<Saved>,
) -> PageResult<PracticePage> {
    let practice: u8 = practice
        .parse()
        .map_err(|_| Problem::not_found("practice"))?;
    let data = PracticeData::read(&state, &scope, assessment, practice).await?;
    let mut page = data.page(&state, &scope, None);
    if let Some(saved) = query.saved {
        for item in page.items.iter_mut().filter(|item| item.id == saved) {
            item.saved = true;
        }
    }
    Ok(page)
}

/// The answer form as posted: its fields, the version it was read at, and the decision on the
/// evidence's suggestion when one of its buttons sent it.
fn posted(pairs: Vec<(String, String)>) -> (Fields, Option<i64>, Option<DecisionKind>) {
    let mut fields = Fields::default();
    let mut version = None;
    let mut suggestion = None;
    for (name, value) in pairs {
        match name.as_str() {
            "status" => fields.status = value,
            "owner" => fields.owner = value,
            "note" => fields.note = value,
            "since" => fields.since = value,
            "evidence" => fields.evidence = value,
            "justification" => fields.justification = value,
            "version" => version = value.trim().parse().ok(),
            "suggestion" => {
                suggestion = match value.as_str() {
                    "accept" => Some(DecisionKind::Accept),
                    "override" => Some(DecisionKind::Override),
                    _ => None,
                }
            }
            other => {
                if let Some(key) = other.strip_prefix("q.") {
                    fields.questions.insert(key.to_string(), value);
                }
            }
        }
    }
    (fields, version, suggestion)
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

async fn save(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Path((_, assessment, sub_practice)): Path<(Uuid, Uuid, String)>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id: hicp_catalog::SubPracticeId = sub_practice
        .parse()
        .map_err(|_| Problem::not_found("sub-practice"))?;
    let data = PracticeData::read(&state, &scope, assessment, id.practice()).await?;
    let sub = data
        .sub(&sub_practice)
        .cloned()
        .ok_or_else(|| Problem::not_found("sub-practice"))?;
    let (mut fields, version, suggestion) = posted(pairs);
    if suggestion == Some(DecisionKind::Accept)
        && let Some(shown) = data.reads.suggestions.get(&sub_practice)
    {
        fields.status = shown.suggestion.status.as_str().to_string();
    }
    let outcome = match fields.answer() {
        Err(message) => Err(Refused::Invalid {
            message,
            about_justification: false,
        }),
        Ok(answer) => match save_answer(
            &state,
            &scope,
            assessment,
            &sub_practice,
            version,
            answer.clone(),
        )
        .await
        {
            // The form's other fields are saved first, so nothing typed is lost; the decision
            // is then recorded against the answer as saved.
            Ok(record) => match suggestion {
                Some(decision) => record_decision(
                    &state,
                    &scope,
                    assessment,
                    &sub_practice,
                    PostDecision {
                        decision,
                        status: None,
                        reason: None,
                        version: Some(record.version),
                    },
                )
                .await
                .map(|decided| decided.answer)
                .map_err(|problem| Refused::Invalid {
                    message: sentence(problem.detail()),
                    about_justification: false,
                }),
                None => Ok(record),
            },
            // A final assessment answers 409 too, but nobody changed anything: its page says so.
            Err(problem)
                if problem.status() == StatusCode::CONFLICT
                    && data.reads.loaded.record.status != AssessmentStatus::Final =>
            {
                Err(Refused::Stale)
            }
            Err(problem) if problem.status() == StatusCode::UNPROCESSABLE_ENTITY => {
                let values = StatusValues::default();
                Err(Refused::Invalid {
                    message: sentence(problem.detail()),
                    about_justification: effective_status(&answer, &sub, &values)
                        == Status::NotApplicable,
                })
            }
            Err(problem) => return Err(PageError::Problem(problem)),
        },
    };
    let practice_url = format!(
        "/orgs/{}/assessments/{}/practices/{}",
        scope.id(),
        assessment,
        id.practice()
    );
    let (status, item) = match outcome {
        Ok(_) if !is_htmx(&headers) => {
            let to = format!("{practice_url}?saved={}#{}", sub.id, anchor(&sub));
            return Ok(Redirect::to(&to).into_response());
        }
        Ok(_) => {
            let fresh = PracticeData::read(&state, &scope, assessment, id.practice()).await?;
            let mut item = fresh.context(&scope).item(&sub, None);
            item.saved = true;
            return Ok(respond(
                &state,
                &scope,
                &fresh,
                &headers,
                StatusCode::OK,
                item,
            ));
        }
        Err(Refused::Stale) => {
            // Read again: the colleague's answer is what the form shows now, with its version.
            let fresh = PracticeData::read(&state, &scope, assessment, id.practice()).await?;
            let mut item = fresh.context(&scope).item(&sub, None);
            item.conflict = Some(Conflict {
                by: fresh
                    .reads
                    .loaded
                    .answer(&sub)
                    .map(|a| author_in_words(&a.updated_by).to_string())
                    .unwrap_or_default(),
                mine: fields.differences(&item.fields, &sub),
            });
            return Ok(respond(
                &state,
                &scope,
                &fresh,
                &headers,
                StatusCode::CONFLICT,
                item,
            ));
        }
        Err(Refused::Invalid {
            message,
            about_justification,
        }) => {
            let mut item = data.context(&scope).item(&sub, Some(fields));
            if about_justification {
                item.justification_error = Some(message);
            } else {
                item.error = Some(message);
            }
            (StatusCode::UNPROCESSABLE_ENTITY, item)
        }
    };
    Ok(respond(&state, &scope, &data, &headers, status, item))
}

/// Why an answer was not kept.
enum Refused {
    /// Someone else changed it since the form was read.
    Stale,
    /// Not a valid answer; `about_justification` when the not-applicable rule refused it.
    Invalid {
        message: String,
        about_justification: bool,
    },
}

/// The fragment for htmx (always 200: htmx swaps nothing on an error status, and the fragment
/// says what went wrong), the whole page otherwise.
fn respond(
    state: &AppState,
    scope: &OrgScope,
    data: &PracticeData,
    headers: &HeaderMap,
    status: StatusCode,
    item: Item,
) -> Response {
    if is_htmx(headers) {
        AnswerFragment {
            frame: Frame::for_scope(scope, Section::Assessment, item.title.clone()),
            item,
            statuses: status_choices(),
        }
        .into_response()
    } else {
        (status, data.page(state, scope, Some(item))).into_response()
    }
}

async fn upload(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Path((_, assessment, sub_practice)): Path<(Uuid, Uuid, String)>,
    mut multipart: Multipart,
) -> PageResult {
    let id: hicp_catalog::SubPracticeId = sub_practice
        .parse()
        .map_err(|_| Problem::not_found("sub-practice"))?;
    let unreadable = |_| Problem::invalid("the upload could not be read; try again");
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            let media_type = field.content_type().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(unreadable)?;
            file = Some((name, media_type, bytes));
        }
    }
    let (name, media_type, bytes) = file
        .filter(|(name, _, _)| !name.is_empty())
        .ok_or_else(|| Problem::invalid("choose a file to upload first"))?;
    keep_evidence(
        &state,
        &scope,
        Upload {
            file_name: &name,
            assessment: Some(assessment),
            sub_practice: Some(&sub_practice),
            media_type: &media_type,
            bytes: bytes.to_vec(),
        },
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/orgs/{}/assessments/{}/practices/{}#sp-{}",
        scope.id(),
        assessment,
        id.practice(),
        sub_practice.replace('.', "-")
    ))
    .into_response())
}
