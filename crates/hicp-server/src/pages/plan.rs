//! The action plan: the engine's plan by period under the budget the page is asked for, each
//! planned sub-practice joined with its action item (status, owner, due date, milestones), and
//! one page per item to work it. Every change goes through the API's functions in
//! [`crate::api::plan`], so a page and a script are held to the same rules.
//!
//! The chosen budget lives in the page's query (`?budget=…&staff_days=…&periods=…`), the same
//! parameters the evaluation API takes: the store has no place for planning choices, and a
//! plan under a budget is then a link one can share or bookmark.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hicp_app::Planning;
use hicp_engine::Methodology;
use hicp_report::model::{dollars, iso_date};
use hicp_store::{ActionItemRecord, ActionStatus, UserRecord, author_in_words};
use serde::Deserialize;
use time::Date;
use uuid::Uuid;

use crate::access::{OrgScope, Owner, Permission};
use crate::api::plan::{
    ItemEdit, ItemPath, ItemStatusChange, MilestoneChange, MilestonePath, NewItem, OwnerChange,
    add_item, change_status, edit_item, tick_milestone,
};
use crate::pages::forms::sentence;
use crate::pages::frame::{Frame, PageError, PageResult, Section, Signed};
use crate::problem::{Ids, Problem};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/{org}/plan", get(plan_page))
        .route("/orgs/{org}/plan/track", post(track))
        .route("/orgs/{org}/plan/{item}", get(item_page).post(edit))
        .route("/orgs/{org}/plan/{item}/status", post(set_status))
        .route(
            "/orgs/{org}/plan/{item}/milestones/{milestone}",
            post(set_milestone),
        )
}

/// The most periods the page plans: a plan further out than ten years says nothing useful.
const MAX_PERIODS: u32 = 40;

/// The statuses in the order a person works through them, with their plain names.
const STATUSES: [(ActionStatus, &str); 5] = [
    (ActionStatus::Open, "Not started"),
    (ActionStatus::InProgress, "In progress"),
    (ActionStatus::Done, "Done"),
    (ActionStatus::Deferred, "Deferred"),
    (ActionStatus::Cancelled, "Cancelled"),
];

fn status_label(status: ActionStatus) -> &'static str {
    STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map_or("", |(_, label)| label)
}

fn status_badge(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Done => "badge-good",
        ActionStatus::InProgress => "badge-info",
        ActionStatus::Deferred => "badge-warn",
        ActionStatus::Open | ActionStatus::Cancelled => "badge-none",
    }
}

/// Whether work is still expected on an item.
fn is_active(status: ActionStatus) -> bool {
    matches!(status, ActionStatus::Open | ActionStatus::InProgress)
}

/// A choice in a `<select>`.
struct Choice {
    value: String,
    label: String,
}

impl Choice {
    fn new(value: impl ToString, label: impl Into<String>) -> Choice {
        Choice {
            value: value.to_string(),
            label: label.into(),
        }
    }
}

/// The page's query: the planning choices and the filters, as typed (so the form shows them
/// back as they were, even when one was not understood).
#[derive(Debug, Default, Clone, Deserialize)]
struct PlanQuery {
    #[serde(default)]
    budget: String,
    #[serde(default)]
    staff_days: String,
    #[serde(default)]
    periods: String,
    #[serde(default)]
    threat: String,
    #[serde(default)]
    practice: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    status: String,
}

impl PlanQuery {
    /// The planning choices, or what was not understood.
    fn planning(&self) -> Result<Planning, String> {
        let budget = whole(&self.budget).map_err(|_| {
            "Write the budget as a whole number of dollars, like 25000.".to_string()
        })?;
        let staff_days = whole(&self.staff_days)
            .map_err(|_| "Write the staff-days as a whole number, like 20.".to_string())?;
        let periods = whole(&self.periods).map_err(|_| {
            format!("Write the number of quarters as a whole number from 1 to {MAX_PERIODS}.")
        })?;
        if periods.is_some_and(|p| p == 0 || p > u64::from(MAX_PERIODS)) {
            return Err(format!(
                "The number of quarters must be from 1 to {MAX_PERIODS}."
            ));
        }
        Ok(Planning {
            as_of: None,
            budget,
            staff_days: staff_days.map(|d| u32::try_from(d).unwrap_or(u32::MAX)),
            periods: periods.and_then(|p| u32::try_from(p).ok()),
        })
    }

    /// The planning part of the query, to keep on links to an item and back.
    fn planning_query(&self) -> String {
        let pairs = [
            ("budget", &self.budget),
            ("staff_days", &self.staff_days),
            ("periods", &self.periods),
        ];
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (name, value) in pairs {
            if !value.trim().is_empty() {
                serializer.append_pair(name, value.trim());
            }
        }
        serializer.finish()
    }

    fn filters_set(&self) -> bool {
        [&self.threat, &self.practice, &self.owner, &self.status]
            .iter()
            .any(|value| !value.is_empty())
    }
}

/// A number typed into a form: empty is none; digit separators people type are allowed.
fn whole(text: &str) -> Result<Option<u64>, std::num::ParseIntError> {
    let cleaned: String = text
        .trim()
        .trim_start_matches('$')
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '_'))
        .collect();
    if cleaned.is_empty() {
        Ok(None)
    } else {
        cleaned.parse().map(Some)
    }
}

fn staff_days_words(days: u32) -> String {
    if days == 1 {
        "1 staff-day".to_string()
    } else {
        format!("{days} staff-days")
    }
}

/// One line of the plan: a planned sub-practice and the action item that tracks it.
struct Row {
    /// The action item, when one is kept for the sub-practice.
    item: Option<Uuid>,
    sub_practice: String,
    title: String,
    practice: u8,
    threats: Vec<u8>,
    threat_names: String,
    owner: String,
    due: String,
    status: Option<ActionStatus>,
    status_label: &'static str,
    badge: &'static str,
    overdue: bool,
    deferred_reason: Option<String>,
    cost: String,
    staff_days: String,
    milestones_done: usize,
    milestones: usize,
}

struct PeriodBlock {
    label: String,
    start: String,
    end: String,
    spent: String,
    staff_days: String,
    rows: Vec<Row>,
    /// How many of its items the filters hide.
    hidden: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/plan.html")]
struct PlanPage {
    frame: Frame,
    org: Uuid,
    query: PlanQuery,
    keep: String,
    error: Option<String>,
    assessment_title: Option<String>,
    budget: String,
    staff_budget: String,
    periods: Vec<PeriodBlock>,
    beyond: Vec<(Row, String)>,
    others: Vec<Row>,
    threats: Vec<Choice>,
    practices: Vec<Choice>,
    owners: Vec<Choice>,
    statuses: Vec<Choice>,
    shown: usize,
    total: usize,
    overdue: usize,
    today: String,
    /// Whether the caller may start tracking planned work that has no item yet.
    may_track: bool,
}

/// Who owns an item, in words.
fn owner_words(item: &ActionItemRecord, members: &BTreeMap<Uuid, UserRecord>) -> String {
    match (item.owner_user_id, &item.owner) {
        (Some(id), _) => members
            .get(&id)
            .map_or_else(|| "A former member".to_string(), person),
        (None, Some(name)) => name.clone(),
        (None, None) => String::new(),
    }
}

fn person(user: &UserRecord) -> String {
    if user.display_name.trim().is_empty() {
        user.email.clone()
    } else {
        format!("{} ({})", user.display_name, user.email)
    }
}

/// The organization's members by id.
async fn members(state: &AppState, scope: &OrgScope) -> PageResult<BTreeMap<Uuid, UserRecord>> {
    Ok(state
        .store()
        .members(scope.id())
        .await?
        .into_iter()
        .map(|(user, _)| (user.id, user))
        .collect())
}

/// The item kept for each sub-practice: the one of the newest assessment, newest first.
fn items_by_sub_practice(
    items: &[ActionItemRecord],
    latest: Option<Uuid>,
) -> BTreeMap<String, &ActionItemRecord> {
    let mut chosen: BTreeMap<String, &ActionItemRecord> = BTreeMap::new();
    for item in items {
        let key = item.sub_practice.to_string();
        let better = chosen.get(&key).is_none_or(|kept| {
            (Some(item.assessment_id) == latest, item.id)
                > (Some(kept.assessment_id) == latest, kept.id)
        });
        if better {
            chosen.insert(key, item);
        }
    }
    chosen
}

struct RowMaker<'a> {
    state: &'a AppState,
    members: &'a BTreeMap<Uuid, UserRecord>,
    today: Date,
}

impl RowMaker<'_> {
    fn row(
        &self,
        sub_practice: &hicp_catalog::SubPracticeId,
        title: &str,
        planned_due: Option<Date>,
        cost: u64,
        staff_days: u32,
        item: Option<&ActionItemRecord>,
    ) -> Row {
        let catalog = self.state.catalog();
        let threats = catalog
            .sub_practice(sub_practice)
            .map(|s| s.threats.clone())
            .unwrap_or_default();
        let threat_names = threats
            .iter()
            .filter_map(|t| catalog.threat(*t).map(|t| t.name.clone()))
            .collect::<Vec<_>>()
            .join("; ");
        let due = item.map(|i| i.due_on).or(planned_due);
        let status = item.map(|i| i.status);
        Row {
            item: item.map(|i| i.id),
            sub_practice: sub_practice.to_string(),
            title: title.to_string(),
            practice: sub_practice.practice(),
            threats,
            threat_names,
            owner: item
                .map(|i| owner_words(i, self.members))
                .unwrap_or_default(),
            due: due.map(iso_date).unwrap_or_default(),
            status,
            status_label: status.map_or("Not yet tracked", status_label),
            badge: status.map_or("badge-none", status_badge),
            overdue: matches!((status, due), (Some(s), Some(d)) if is_active(s) && d < self.today),
            deferred_reason: item.and_then(|i| i.deferred_reason.clone()),
            cost: dollars(cost),
            staff_days: staff_days_words(staff_days),
            milestones_done: item.map_or(0, |i| {
                i.milestones.iter().filter(|m| m.done_on.is_some()).count()
            }),
            milestones: item.map_or(0, |i| i.milestones.len()),
        }
    }
}

impl PlanQuery {
    fn keeps(&self, row: &Row) -> bool {
        let threat = self.threat.parse::<u8>().ok();
        let practice = self.practice.parse::<u8>().ok();
        threat.is_none_or(|t| row.threats.contains(&t))
            && practice.is_none_or(|p| row.practice == p)
            && (self.owner.is_empty()
                || (self.owner == "-" && row.owner.is_empty())
                || row.owner == self.owner)
            && (self.status.is_empty()
                || row.status.map(ActionStatus::as_str) == Some(self.status.as_str())
                || (self.status == "overdue" && row.overdue))
    }
}

async fn plan_page(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Query(query): Query<PlanQuery>,
) -> PageResult<PlanPage> {
    scope.require(Permission::Read)?;
    let store = state.store();
    let today = state.today();
    let (planning, error) = match query.planning() {
        Ok(planning) => (planning, None),
        Err(message) => (Planning::default(), Some(message)),
    };
    let members = members(&state, &scope).await?;
    let items = store.action_items(scope.id()).await?;
    let latest = store.list_assessments(scope.id()).await?.pop();
    let maker = RowMaker {
        state: &state,
        members: &members,
        today,
    };
    let mut page = PlanPage {
        frame: Frame::for_scope(&scope, Section::Plan, "Action plan"),
        org: scope.id(),
        keep: query.planning_query(),
        error,
        assessment_title: latest.as_ref().map(|a| a.title.clone()),
        budget: planning.budget.map_or_else(String::new, dollars),
        staff_budget: planning
            .staff_days
            .map_or_else(String::new, |d| d.to_string()),
        periods: Vec::new(),
        beyond: Vec::new(),
        others: Vec::new(),
        threats: state
            .catalog()
            .threats
            .iter()
            .map(|t| Choice::new(t.number, t.name.clone()))
            .collect(),
        practices: state
            .catalog()
            .practices
            .iter()
            .map(|p| Choice::new(p.number, format!("{}. {}", p.number, p.title)))
            .collect(),
        owners: Vec::new(),
        statuses: STATUSES
            .iter()
            .map(|(s, label)| Choice::new(s.as_str(), *label))
            .chain([Choice::new("overdue", "Overdue")])
            .collect(),
        shown: 0,
        total: 0,
        overdue: 0,
        today: iso_date(today),
        may_track: scope.owner_of_new_item().is_ok(),
        query,
    };
    let Some(latest) = latest else {
        return Ok(page);
    };
    let evaluated = hicp_app::evaluation::evaluate_stored(
        store,
        state.catalog(),
        &scope.id().to_string(),
        Some(latest.id),
        Methodology::default(),
        planning,
        today,
    )
    .await?;
    let plan = &evaluated.evaluation.plan;
    let kept = items_by_sub_practice(&items, Some(latest.id));
    let mut placed = BTreeSet::new();
    let mut all_rows = Vec::new();
    for period in &plan.periods {
        let rows = plan
            .items
            .iter()
            .filter(|item| item.period == period.index)
            .map(|planned| {
                let key = planned.id.to_string();
                let item = kept.get(&key).copied();
                placed.insert(key);
                maker.row(
                    &planned.id,
                    &planned.title,
                    Some(planned.due),
                    planned.estimated_cost,
                    planned.estimated_staff_days,
                    item,
                )
            })
            .collect::<Vec<_>>();
        all_rows.push((Some(period), rows));
    }
    let beyond = plan
        .deferred
        .iter()
        .map(|deferred| {
            let key = deferred.id.to_string();
            let item = kept.get(&key).copied();
            placed.insert(key);
            let row = maker.row(
                &deferred.id,
                &deferred.title,
                None,
                deferred.estimated_cost,
                deferred.estimated_staff_days,
                item,
            );
            (row, deferred.reason.clone())
        })
        .collect::<Vec<_>>();
    let others = kept
        .values()
        .filter(|item| !placed.contains(&item.sub_practice.to_string()))
        .map(|item| {
            maker.row(
                &item.sub_practice,
                &item.title,
                None,
                item.estimated_cost,
                item.estimated_staff_days,
                Some(item),
            )
        })
        .collect::<Vec<_>>();

    let every_row = all_rows
        .iter()
        .flat_map(|(_, rows)| rows)
        .chain(beyond.iter().map(|(row, _)| row))
        .chain(&others);
    let mut owners = BTreeSet::new();
    for row in every_row {
        page.total += 1;
        page.overdue += usize::from(row.overdue);
        if !row.owner.is_empty() {
            owners.insert(row.owner.clone());
        }
    }
    page.owners = std::iter::once(Choice::new("-", "Nobody yet"))
        .chain(owners.into_iter().map(|o| Choice::new(&o, o.clone())))
        .collect();

    for (period, rows) in all_rows {
        let Some(period) = period else { continue };
        let before = rows.len();
        let rows: Vec<Row> = rows.into_iter().filter(|r| page.query.keeps(r)).collect();
        page.shown += rows.len();
        page.periods.push(PeriodBlock {
            label: period.label.clone(),
            start: iso_date(period.start),
            end: iso_date(period.end),
            spent: dollars(period.money),
            staff_days: staff_days_words(period.staff_days),
            hidden: before - rows.len(),
            rows,
        });
    }
    page.beyond = beyond
        .into_iter()
        .filter(|(row, _)| page.query.keeps(row))
        .collect();
    page.others = others
        .into_iter()
        .filter(|row| page.query.keeps(row))
        .collect();
    page.shown += page.beyond.len() + page.others.len();
    Ok(page)
}

/// One milestone, with what its checkbox form needs.
struct MilestoneLine {
    id: Uuid,
    title: String,
    due: String,
    done_on: Option<String>,
    late: bool,
}

struct HistoryLine {
    when: String,
    from: &'static str,
    to: &'static str,
    who: String,
    reason: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/item.html")]
struct ItemPage {
    frame: Frame,
    org: Uuid,
    item: ActionItemRecord,
    keep: String,
    owner: String,
    status_label: &'static str,
    badge: &'static str,
    overdue: bool,
    threat_names: String,
    summary: String,
    cost: String,
    milestones: Vec<MilestoneLine>,
    history: Vec<HistoryLine>,
    statuses: Vec<Choice>,
    /// Who may be made its owner: the organization's members.
    people: Vec<Choice>,
    owner_choice: String,
    owner_name: String,
    /// Whether the caller may move its status and tick its milestones.
    may_work: bool,
    /// Whether the caller may change its owner and due date.
    may_plan: bool,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
struct ItemQuery {
    #[serde(default)]
    keep: String,
    #[serde(default)]
    saved: Option<String>,
}

async fn item_page(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Signed(Ids(path)): Signed<Ids<ItemPath>>,
    Query(query): Query<ItemQuery>,
) -> PageResult<ItemPage> {
    let notice = query.saved.is_some().then_some("Saved.");
    render_item(&state, &scope, path.item, &query.keep, None, notice).await
}

async fn render_item(
    state: &AppState,
    scope: &OrgScope,
    item: Uuid,
    keep: &str,
    error: Option<String>,
    notice: Option<&'static str>,
) -> PageResult<ItemPage> {
    scope.require(Permission::Read)?;
    let item = scope.action_item(state, item).await?;
    let members = members(state, scope).await?;
    let history = state.store().action_item_history(item.id).await?;
    let today = state.today();
    let catalog = state.catalog();
    let sub_practice = catalog.sub_practice(&item.sub_practice);
    let threat_names = sub_practice
        .map(|s| {
            s.threats
                .iter()
                .filter_map(|t| catalog.threat(*t).map(|t| t.name.clone()))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default();
    let (owner_choice, owner_name) = match (item.owner_user_id, &item.owner) {
        (Some(id), _) => (format!("user:{id}"), String::new()),
        (None, Some(name)) => ("named".to_string(), name.clone()),
        (None, None) => ("nobody".to_string(), String::new()),
    };
    Ok(ItemPage {
        frame: Frame::for_scope(scope, Section::Plan, item.title.clone()),
        org: scope.id(),
        keep: local_query(keep),
        owner: owner_words(&item, &members),
        status_label: status_label(item.status),
        badge: status_badge(item.status),
        overdue: is_active(item.status) && item.due_on < today,
        threat_names,
        summary: sub_practice.map(|s| s.summary.clone()).unwrap_or_default(),
        cost: format!(
            "{} and {}",
            dollars(item.estimated_cost),
            staff_days_words(item.estimated_staff_days)
        ),
        milestones: item
            .milestones
            .iter()
            .map(|m| MilestoneLine {
                id: m.id,
                title: m.title.clone(),
                due: iso_date(m.due_on),
                done_on: m.done_on.map(iso_date),
                late: m.done_on.is_none() && m.due_on < today,
            })
            .collect(),
        history: history
            .into_iter()
            .map(|h| HistoryLine {
                when: iso_date(h.recorded_at.date()),
                from: h.from_status.map_or("", status_label),
                to: status_label(h.to_status),
                who: author_in_words(&h.actor).to_string(),
                reason: h.reason,
            })
            .collect(),
        statuses: STATUSES
            .iter()
            .map(|(s, label)| Choice::new(s.as_str(), *label))
            .collect(),
        people: members
            .values()
            .map(|user| Choice::new(format!("user:{}", user.id), person(user)))
            .collect(),
        owner_choice,
        owner_name,
        may_work: scope
            .may_change(Permission::Plan, Owner::of_item(&item))
            .is_ok(),
        may_plan: Permission::Plan.granted_to(scope.role),
        error,
        notice,
        item,
    })
}

/// The planning query carried back to the plan page, only if it is just that (it is put
/// into links, so nothing else may ride along).
fn local_query(keep: &str) -> String {
    let planning_only = form_urlencoded::parse(keep.as_bytes())
        .all(|(name, _)| matches!(name.as_ref(), "budget" | "staff_days" | "periods"));
    if planning_only {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form_urlencoded::parse(keep.as_bytes()))
            .finish()
    } else {
        String::new()
    }
}

/// The answer to a change made on an item's page: back to the page (303), or the page again
/// with what went wrong. A refusal (not allowed, not found) is its own page.
async fn after_change(
    state: &AppState,
    scope: &OrgScope,
    item: Uuid,
    keep: &str,
    headers: &HeaderMap,
    outcome: Result<ActionItemRecord, Problem>,
) -> PageResult<Response> {
    match outcome {
        Ok(_) => {
            // htmx follows the redirect too, and swaps the item's work area out of that page.
            Ok(saved(scope, item, &local_query(keep)))
        }
        Err(problem)
            if matches!(
                problem.status(),
                StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED
            ) =>
        {
            Err(PageError::Problem(problem))
        }
        Err(problem) => {
            let status = problem.status();
            let detail = problem.detail().to_string();
            let message = if status == StatusCode::CONFLICT {
                format!(
                    "{detail}. The page now shows it as it is; make your change again if it is still needed."
                )
            } else {
                sentence(&detail)
            };
            let page = render_item(state, scope, item, keep, Some(message), None).await?;
            // htmx swaps only successful answers; the message is in the part it swaps.
            let status = if headers.contains_key("hx-request") {
                StatusCode::OK
            } else {
                status
            };
            Ok((status, page).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
struct StatusFields {
    status: String,
    #[serde(default)]
    reason: String,
    version: i64,
    #[serde(default)]
    keep: String,
}

async fn set_status(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Signed(Ids(path)): Signed<Ids<ItemPath>>,
    headers: HeaderMap,
    Form(fields): Form<StatusFields>,
) -> PageResult<Response> {
    let change = ItemStatusChange {
        status: fields.status,
        reason: Some(fields.reason).filter(|r| !r.trim().is_empty()),
        version: fields.version,
    };
    let outcome = change_status(&state, &scope, path.item, &change).await;
    after_change(&state, &scope, path.item, &fields.keep, &headers, outcome).await
}

#[derive(Debug, Deserialize)]
struct EditFields {
    owner: String,
    #[serde(default)]
    owner_name: String,
    #[serde(default)]
    due_on: String,
    version: i64,
    #[serde(default)]
    keep: String,
}

fn parse_owner(fields: &EditFields) -> Result<OwnerChange, Problem> {
    match fields.owner.as_str() {
        "nobody" => Ok(OwnerChange::Nobody),
        "named" => Ok(OwnerChange::Named(fields.owner_name.trim().to_string())),
        other => other
            .strip_prefix("user:")
            .and_then(|id| Uuid::parse_str(id).ok())
            .map(OwnerChange::User)
            .ok_or_else(|| Problem::invalid("choose an owner from the list")),
    }
}

fn parse_date(text: &str) -> Result<Option<Date>, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map(Some)
    .map_err(|_| Problem::invalid("write the due date as year-month-day, like 2027-03-31"))
}

async fn edit(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Signed(Ids(path)): Signed<Ids<ItemPath>>,
    headers: HeaderMap,
    Form(fields): Form<EditFields>,
) -> PageResult<Response> {
    let outcome = match (parse_owner(&fields), parse_date(&fields.due_on)) {
        (Ok(owner), Ok(due_on)) => {
            let edit = ItemEdit {
                owner: Some(owner),
                due_on,
                version: fields.version,
            };
            edit_item(&state, &scope, path.item, edit).await
        }
        (Err(problem), _) | (_, Err(problem)) => Err(problem),
    };
    after_change(&state, &scope, path.item, &fields.keep, &headers, outcome).await
}

#[derive(Debug, Deserialize)]
struct MilestoneFields {
    /// Present (a ticked checkbox) for done.
    #[serde(default)]
    done: Option<String>,
    version: i64,
    #[serde(default)]
    keep: String,
}

async fn set_milestone(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Signed(Ids(path)): Signed<Ids<MilestonePath>>,
    headers: HeaderMap,
    Form(fields): Form<MilestoneFields>,
) -> PageResult<Response> {
    let change = MilestoneChange {
        done: fields.done.is_some(),
        done_on: None,
        version: fields.version,
    };
    let outcome = tick_milestone(&state, &scope, path.item, path.milestone, &change).await;
    after_change(&state, &scope, path.item, &fields.keep, &headers, outcome).await
}

#[derive(Debug, Deserialize)]
struct TrackFields {
    sub_practice: String,
    #[serde(flatten)]
    planning: PlanQuery,
}

/// Starts tracking a planned sub-practice; then its page, to assign and work it.
async fn track(
    State(state): State<AppState>,
    Signed(scope): Signed<OrgScope>,
    Form(fields): Form<TrackFields>,
) -> PageResult<Response> {
    let planning = fields
        .planning
        .planning()
        .map_err(|message| PageError::Problem(Problem::invalid(message)))?;
    let request = NewItem {
        sub_practice: fields.sub_practice,
        budget: planning.budget,
        staff_days: planning.staff_days,
        periods: planning.periods,
    };
    let item = add_item(&state, &scope, &request).await?;
    Ok(saved(&scope, item.id, &fields.planning.planning_query()))
}

/// Back to an item's page after a change, with the plan's choices to return to.
fn saved(scope: &OrgScope, item: Uuid, keep: &str) -> Response {
    let mut target = format!("/orgs/{}/plan/{item}?saved=1", scope.id());
    if !keep.is_empty() {
        target.push_str("&keep=");
        target.extend(form_urlencoded::byte_serialize(keep.as_bytes()));
    }
    Redirect::to(&target).into_response()
}
