//! The rows a portable file carries, read from a snapshot and written back in an order the
//! foreign keys and the final-assessment rule accept.

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audit;
use crate::db::{Tx, fetch_scalar};
use crate::error::{StoreError, StoreResult};
use crate::organizations::name_taken;
use crate::rows::{
    ActionItemHistoryRow, ActionItemRow, AnswerHistoryRow, AnswerRow, ApiTokenRow, AssessmentRow,
    AuditEventRow, EvidenceImportRow, EvidenceRow, ImportHostRow, MembershipRow,
    MetricObservationRow, MilestoneRow, OrganizationRow, Scope, SessionRow, SuggestionDecisionRow,
    UserRow,
};

/// Every table's rows, each kept in its table's order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub organizations: Vec<OrganizationRow>,
    pub users: Vec<UserRow>,
    pub memberships: Vec<MembershipRow>,
    pub assessments: Vec<AssessmentRow>,
    pub answers: Vec<AnswerRow>,
    pub answer_history: Vec<AnswerHistoryRow>,
    pub action_items: Vec<ActionItemRow>,
    pub milestones: Vec<MilestoneRow>,
    pub action_item_history: Vec<ActionItemHistoryRow>,
    pub evidence: Vec<EvidenceRow>,
    #[serde(default)]
    pub evidence_imports: Vec<EvidenceImportRow>,
    #[serde(default)]
    pub import_hosts: Vec<ImportHostRow>,
    pub metric_observations: Vec<MetricObservationRow>,
    #[serde(default)]
    pub suggestion_decisions: Vec<SuggestionDecisionRow>,
    pub api_tokens: Vec<ApiTokenRow>,
    pub sessions: Vec<SessionRow>,
    pub audit_events: Vec<AuditEventRow>,
}

/// Visits each table of a dataset as (part name, rows) with one generic body per use.
macro_rules! each_table {
    ([$($borrow:tt)+] $dataset:expr, |$name:ident, $rows:ident| $body:expr) => {{
        {
            let $name = "organizations";
            let $rows = $($borrow)+ $dataset.organizations;
            $body
        }
        {
            let $name = "users";
            let $rows = $($borrow)+ $dataset.users;
            $body
        }
        {
            let $name = "memberships";
            let $rows = $($borrow)+ $dataset.memberships;
            $body
        }
        {
            let $name = "assessments";
            let $rows = $($borrow)+ $dataset.assessments;
            $body
        }
        {
            let $name = "answers";
            let $rows = $($borrow)+ $dataset.answers;
            $body
        }
        {
            let $name = "answer_history";
            let $rows = $($borrow)+ $dataset.answer_history;
            $body
        }
        {
            let $name = "action_items";
            let $rows = $($borrow)+ $dataset.action_items;
            $body
        }
        {
            let $name = "milestones";
            let $rows = $($borrow)+ $dataset.milestones;
            $body
        }
        {
            let $name = "action_item_history";
            let $rows = $($borrow)+ $dataset.action_item_history;
            $body
        }
        {
            let $name = "evidence";
            let $rows = $($borrow)+ $dataset.evidence;
            $body
        }
        {
            let $name = "evidence_imports";
            let $rows = $($borrow)+ $dataset.evidence_imports;
            $body
        }
        {
            let $name = "import_hosts";
            let $rows = $($borrow)+ $dataset.import_hosts;
            $body
        }
        {
            let $name = "metric_observations";
            let $rows = $($borrow)+ $dataset.metric_observations;
            $body
        }
        {
            let $name = "suggestion_decisions";
            let $rows = $($borrow)+ $dataset.suggestion_decisions;
            $body
        }
        {
            let $name = "api_tokens";
            let $rows = $($borrow)+ $dataset.api_tokens;
            $body
        }
        {
            let $name = "sessions";
            let $rows = $($borrow)+ $dataset.sessions;
            $body
        }
        {
            let $name = "audit_events";
            let $rows = $($borrow)+ $dataset.audit_events;
            $body
        }
    }};
}

/// The portable format version that first carried a table's part: files of an older version
/// lack it, and it reads as empty.
fn introduced_in(table: &str) -> u32 {
    match table {
        "evidence_imports" | "import_hosts" => 2,
        "suggestion_decisions" => 3,
        _ => 1,
    }
}

/// The file path of a table's part.
pub(crate) fn part_path(table: &str) -> String {
    format!("data/{table}.json")
}

pub(crate) struct EncodedPart {
    pub path: String,
    pub bytes: Vec<u8>,
}

fn decode<T: DeserializeOwned>(path: &str, bytes: &[u8]) -> StoreResult<Vec<T>> {
    serde_json::from_slice(bytes).map_err(|e| {
        StoreError::Invalid(format!(
            "{path} inside the file is not what this hicp expects: {e}"
        ))
    })
}

/// How rows are written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Into an empty database, as they were (restore): the audit chain is copied verbatim.
    Verbatim,
    /// Beside existing data (organization import): users already present are kept, and the
    /// organization's audit events are appended to this database's chain.
    Merge,
}

impl Dataset {
    pub(crate) async fn collect(tx: &mut Tx, scope: Scope) -> StoreResult<Dataset> {
        let mut dataset = Dataset {
            organizations: OrganizationRow::select(tx, scope).await?,
            users: UserRow::select(tx, scope).await?,
            memberships: MembershipRow::select(tx, scope).await?,
            assessments: AssessmentRow::select(tx, scope).await?,
            answers: AnswerRow::select(tx, scope).await?,
            answer_history: AnswerHistoryRow::select(tx, scope).await?,
            action_items: ActionItemRow::select(tx, scope).await?,
            milestones: MilestoneRow::select(tx, scope).await?,
            action_item_history: ActionItemHistoryRow::select(tx, scope).await?,
            evidence: EvidenceRow::select(tx, scope).await?,
            evidence_imports: EvidenceImportRow::select(tx, scope).await?,
            import_hosts: ImportHostRow::select(tx, scope).await?,
            metric_observations: MetricObservationRow::select(tx, scope).await?,
            suggestion_decisions: SuggestionDecisionRow::select(tx, scope).await?,
            api_tokens: Vec::new(),
            sessions: Vec::new(),
            audit_events: AuditEventRow::select(tx, scope).await?,
        };
        if let Scope::Everything = scope {
            dataset.api_tokens = ApiTokenRow::select(tx, scope).await?;
            dataset.sessions = SessionRow::select(tx, scope).await?;
        } else {
            // Credentials stay with the installation they were made for.
            for user in &mut dataset.users {
                user.password_hash = None;
            }
        }
        Ok(dataset)
    }

    pub(crate) fn encode(&self) -> StoreResult<Vec<EncodedPart>> {
        let mut parts = Vec::new();
        each_table!([&] self, |name, rows| {
            let bytes = serde_json::to_vec_pretty(rows)
                .map_err(|e| StoreError::Invalid(format!("cannot encode {name}: {e}")))?;
            parts.push(EncodedPart {
                path: part_path(name),
                bytes,
            });
        });
        Ok(parts)
    }

    /// Every data part a file of format `version` must hold.
    pub(crate) fn part_paths(version: u32) -> Vec<String> {
        let mut paths = Vec::new();
        let empty = Dataset::default();
        each_table!([&] empty, |name, _rows| if introduced_in(name) <= version {
            paths.push(part_path(name))
        });
        paths
    }

    /// Builds a dataset from verified part contents of a file of format `version`; `read`
    /// yields a part's bytes by path. Rows of an older version get what later versions added.
    pub(crate) fn decode(
        version: u32,
        read: &mut dyn FnMut(&str) -> StoreResult<Vec<u8>>,
    ) -> StoreResult<Dataset> {
        let mut dataset = Dataset::default();
        each_table!([&mut] dataset, |name, rows| {
            if introduced_in(name) <= version {
                let path = part_path(name);
                *rows = decode(&path, &read(&path)?)?;
            }
        });
        if version < 2 {
            dataset.fill_version_2()?;
        }
        Ok(dataset)
    }

    /// What schema 2 keeps that a version 1 file cannot hold: each assessment's snapshot of
    /// its organization (the organization as the file has it) and each session's last use
    /// (its start).
    fn fill_version_2(&mut self) -> StoreResult<()> {
        let organizations: std::collections::BTreeMap<Uuid, &OrganizationRow> =
            self.organizations.iter().map(|row| (row.id, row)).collect();
        for assessment in &mut self.assessments {
            if assessment.organization_snapshot.is_none()
                && let Some(organization) = organizations.get(&assessment.organization_id)
            {
                assessment.organization_snapshot =
                    Some(crate::stored::StoredSnapshot::from_row(organization)?);
            }
        }
        for session in &mut self.sessions {
            session.last_seen_at.get_or_insert(session.created_at);
        }
        Ok(())
    }

    pub(crate) fn rows_per_table(&self) -> std::collections::BTreeMap<&'static str, u64> {
        let mut counts = std::collections::BTreeMap::new();
        each_table!([&] self, |name, rows| {
            counts.insert(name, rows.len() as u64);
        });
        counts
    }

    pub(crate) fn row_count(&self) -> u64 {
        let mut count = 0u64;
        each_table!([&] self, |_name, rows| count += rows.len() as u64);
        count
    }

    /// The evidence rows' ids grouped by the hash of their bytes, so each file is read once.
    pub(crate) fn evidence_ids_by_hash(&self) -> std::collections::BTreeMap<String, Vec<Uuid>> {
        let mut by_hash: std::collections::BTreeMap<String, Vec<Uuid>> = Default::default();
        for row in &self.evidence {
            by_hash.entry(row.sha256.clone()).or_default().push(row.id);
        }
        by_hash
    }

    /// The distinct evidence hashes the rows refer to.
    pub(crate) fn evidence_hashes(&self) -> BTreeSet<String> {
        self.evidence.iter().map(|row| row.sha256.clone()).collect()
    }

    /// Checks that an organization file holds one organization and only rows that belong to it.
    pub(crate) fn check_single_organization(&self, expected: Uuid) -> Result<(), String> {
        let [organization] = self.organizations.as_slice() else {
            return Err(format!(
                "it should hold exactly one organization but holds {}",
                self.organizations.len()
            ));
        };
        if organization.id != expected {
            return Err(format!(
                "its manifest names organization {expected} but its data holds {}",
                organization.id
            ));
        }
        let assessments: BTreeSet<Uuid> = self.assessments.iter().map(|row| row.id).collect();
        let items: BTreeSet<Uuid> = self.action_items.iter().map(|row| row.id).collect();
        let imports: BTreeSet<Uuid> = self.evidence_imports.iter().map(|row| row.id).collect();
        let users: BTreeSet<Uuid> = self.users.iter().map(|row| row.id).collect();
        let outside = |table: &str, id: String| {
            Err(format!(
                "{table} row {id} does not belong to organization {expected}"
            ))
        };
        for row in &self.memberships {
            if row.organization_id != expected || !users.contains(&row.user_id) {
                return outside(
                    "memberships",
                    format!("{}/{}", row.organization_id, row.user_id),
                );
            }
        }
        for row in &self.assessments {
            if row.organization_id != expected {
                return outside("assessments", row.id.to_string());
            }
        }
        for row in &self.answers {
            if !assessments.contains(&row.assessment_id) {
                return outside("answers", row.id.to_string());
            }
        }
        for row in &self.answer_history {
            if !assessments.contains(&row.assessment_id) {
                return outside("answer_history", row.id.to_string());
            }
        }
        for row in &self.action_items {
            if row.organization_id != expected || !assessments.contains(&row.assessment_id) {
                return outside("action_items", row.id.to_string());
            }
        }
        for row in &self.milestones {
            if !items.contains(&row.action_item_id) {
                return outside("milestones", row.id.to_string());
            }
        }
        for row in &self.action_item_history {
            if !items.contains(&row.action_item_id) {
                return outside("action_item_history", row.id.to_string());
            }
        }
        for row in &self.evidence {
            if row.organization_id != expected {
                return outside("evidence", row.id.to_string());
            }
        }
        for row in &self.evidence_imports {
            if row.organization_id != expected {
                return outside("evidence_imports", row.id.to_string());
            }
        }
        for row in &self.import_hosts {
            if !imports.contains(&row.import_id) {
                return outside("import_hosts", row.id.to_string());
            }
        }
        for row in &self.metric_observations {
            if row.organization_id != expected
                || row.import_id.is_some_and(|id| !imports.contains(&id))
            {
                return outside("metric_observations", row.id.to_string());
            }
        }
        for row in &self.suggestion_decisions {
            if row.organization_id != expected
                || !assessments.contains(&row.assessment_id)
                || row.import_id.is_some_and(|id| !imports.contains(&id))
            {
                return outside("suggestion_decisions", row.id.to_string());
            }
        }
        for row in &self.audit_events {
            if row.organization_id != Some(expected) {
                return outside("audit_events", row.id.to_string());
            }
        }
        if !self.api_tokens.is_empty() || !self.sessions.is_empty() {
            return Err("an organization file must not carry API tokens or sessions".to_string());
        }
        Ok(())
    }

    /// Writes every row inside `tx`, calling `progress(done)` after each one.
    pub(crate) async fn insert(
        &self,
        tx: &mut Tx,
        placement: Placement,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> StoreResult<()> {
        let mut done = 0u64;
        let mut step = || {
            done += 1;
            done
        };
        for row in &self.organizations {
            row.insert(tx).await.map_err(name_taken(&row.name))?;
            progress(step());
        }
        for row in &self.users {
            let present = placement == Placement::Merge
                && fetch_scalar!(tx, i64, "SELECT COUNT(*) FROM users WHERE id = $1", row.id)? > 0;
            if !present {
                row.insert(tx).await.map_err(|error| {
                    error.if_unique_violation(|| StoreError::DuplicateUserEmail {
                        email: row.email.clone(),
                    })
                })?;
            }
            progress(step());
        }
        macro_rules! insert_all {
            ($rows:expr) => {
                for row in &$rows {
                    row.insert(tx).await?;
                    progress(step());
                }
            };
        }
        insert_all!(self.memberships);
        insert_all!(self.assessments);
        insert_all!(self.answers);
        insert_all!(self.answer_history);
        for row in &self.assessments {
            row.apply_status(tx).await?;
        }
        insert_all!(self.action_items);
        insert_all!(self.milestones);
        insert_all!(self.action_item_history);
        insert_all!(self.evidence);
        insert_all!(self.evidence_imports);
        insert_all!(self.import_hosts);
        insert_all!(self.metric_observations);
        insert_all!(self.suggestion_decisions);
        insert_all!(self.api_tokens);
        insert_all!(self.sessions);
        match placement {
            Placement::Verbatim => {
                insert_all!(self.audit_events);
                match self.audit_events.last() {
                    Some(last) => audit::set_head(tx, last.seq, &last.hash).await?,
                    None => audit::set_head(tx, 0, audit::GENESIS_HASH).await?,
                }
            }
            Placement::Merge => {
                for event in &self.audit_events {
                    let present = fetch_scalar!(
                        tx,
                        i64,
                        "SELECT COUNT(*) FROM audit_events WHERE id = $1",
                        event.id
                    )? > 0;
                    if !present {
                        audit::append(tx, event.clone()).await?;
                    }
                    progress(step());
                }
            }
        }
        Ok(())
    }
}
