//! The audit trail: one event per change, written in the changing transaction, hash-chained.
//!
//! Each event's hash is SHA-256 over the previous event's hash, a newline, and a canonical JSON
//! serialization of the event (fixed field order, timestamps at microsecond precision in UTC).
//! The single-row `audit_chain_head` table is updated by every append in the same transaction:
//! on PostgreSQL its row lock orders concurrent appends, on SQLite the write lock does, and
//! verification compares it with the last event so a removed tail is noticed too.

use serde::Serialize;
use time::OffsetDateTime;
use time::macros::format_description;
use uuid::Uuid;

use crate::Store;
use crate::actor::Actor;
use crate::db::{Mode, Tx, execute, fetch_all, fetch_optional};
use crate::digest::sha256_hex;
use crate::error::{StoreError, StoreResult};
use crate::rows::{AuditEventRow, audit_event_columns};
use crate::stored::to_json;

/// The hash the first event links to.
pub(crate) const GENESIS_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// A change about to be recorded.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: String,
    pub organization_id: Option<Uuid>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Change {
    pub(crate) fn new(
        action: &'static str,
        object_type: &'static str,
        object_id: impl ToString,
    ) -> Change {
        Change {
            action,
            object_type,
            object_id: object_id.to_string(),
            organization_id: None,
            before: None,
            after: None,
        }
    }

    pub(crate) fn organization(mut self, id: Uuid) -> Change {
        self.organization_id = Some(id);
        self
    }

    pub(crate) fn before<T: Serialize>(mut self, value: &T) -> StoreResult<Change> {
        self.before = Some(to_json(value)?);
        Ok(self)
    }

    pub(crate) fn after<T: Serialize>(mut self, value: &T) -> StoreResult<Change> {
        self.after = Some(to_json(value)?);
        Ok(self)
    }
}

/// What the work of a write returns: its result and the changes the audit trail must record.
/// [`Store::write`] takes nothing else, so no write can leave its events out.
#[must_use]
pub(crate) struct Audited<T> {
    value: T,
    changes: Vec<Change>,
}

impl<T> Audited<T> {
    pub(crate) fn new(value: T, change: Change) -> Audited<T> {
        Audited {
            value,
            changes: vec![change],
        }
    }

    /// Several changes made in one transaction (an organization created with its assessment).
    pub(crate) fn all(value: T, changes: Vec<Change>) -> Audited<T> {
        Audited { value, changes }
    }

    /// A write that turned out to change nothing (a plan already recorded, a session already
    /// ended): nothing to record.
    pub(crate) fn unchanged(value: T) -> Audited<T> {
        Audited {
            value,
            changes: Vec::new(),
        }
    }

    /// Moves the changes into `changes` of an enclosing write and yields the value.
    pub(crate) fn into_parts(self, changes: &mut Vec<Change>) -> T {
        changes.extend(self.changes);
        self.value
    }
}

impl Store {
    /// The one way the store writes: begins a write transaction, runs `work` with it and the
    /// instant of the change, records the changes `work` reports in the audit chain, and
    /// commits. An error anywhere rolls everything back, events included.
    pub(crate) async fn write<T>(
        &self,
        actor: &Actor,
        work: impl AsyncFnOnce(&mut Tx, OffsetDateTime) -> StoreResult<Audited<T>>,
    ) -> StoreResult<T> {
        let now = self.now();
        let mut tx = self.db.begin(Mode::Write).await?;
        let Audited { value, changes } = work(&mut tx, now).await?;
        for change in changes {
            record(&mut tx, now, actor, change).await?;
        }
        tx.commit().await?;
        Ok(value)
    }

    /// Runs `work` on one consistent snapshot.
    pub(crate) async fn read<T>(
        &self,
        work: impl AsyncFnOnce(&mut Tx) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let value = work(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }

    /// Runs `work`, whose statements need not agree with each other (most often there is one),
    /// outside a transaction: the reads every request makes (its session, user, membership and
    /// the change marker) take one trip to the database each this way instead of three.
    pub(crate) async fn lookup<T>(
        &self,
        work: impl AsyncFnOnce(&mut Tx) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut tx = self.db.begin(Mode::Lookup).await?;
        work(&mut tx).await
    }
}

/// Records `change` as the next event of the chain, inside `tx`.
async fn record(
    tx: &mut Tx,
    occurred_at: OffsetDateTime,
    actor: &Actor,
    change: Change,
) -> StoreResult<AuditEventRow> {
    let event = AuditEventRow {
        seq: 0,
        id: Uuid::now_v7(),
        occurred_at,
        actor: actor.to_string(),
        action: change.action.to_string(),
        object_type: change.object_type.to_string(),
        object_id: change.object_id,
        organization_id: change.organization_id,
        before_json: change.before,
        after_json: change.after,
        prev_hash: String::new(),
        hash: String::new(),
    };
    append(tx, event).await
}

/// Appends an event whose content is already set (a new one, or one carried over by an
/// organization import): assigns its position and links it to the chain.
pub(crate) async fn append(tx: &mut Tx, mut event: AuditEventRow) -> StoreResult<AuditEventRow> {
    // The UPDATE comes first: on PostgreSQL it takes the row lock that orders appenders.
    let moved = execute!(tx, "UPDATE audit_chain_head SET seq = seq + 1 WHERE id = 1")?;
    let head = fetch_optional!(
        tx,
        (i64, String),
        "SELECT seq, hash FROM audit_chain_head WHERE id = 1"
    )?
    .filter(|_| moved == 1)
    .ok_or_else(|| StoreError::corrupt("audit chain", "the chain head row is missing"))?;
    event.seq = head.0;
    event.prev_hash = head.1;
    event.hash = event_hash(&event);
    event.insert(tx).await?;
    execute!(
        tx,
        "UPDATE audit_chain_head SET hash = $1 WHERE id = 1",
        &event.hash
    )?;
    Ok(event)
}

/// Sets the chain head after events were copied in verbatim (restore).
pub(crate) async fn set_head(tx: &mut Tx, seq: i64, hash: &str) -> StoreResult<()> {
    execute!(
        tx,
        "UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1",
        seq,
        hash
    )?;
    Ok(())
}

#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    id: String,
    occurred_at: String,
    actor: &'a str,
    action: &'a str,
    object_type: &'a str,
    object_id: &'a str,
    organization_id: Option<String>,
    before: Option<&'a str>,
    after: Option<&'a str>,
}

/// The event's hash from its content and `prev_hash`.
pub fn event_hash(event: &AuditEventRow) -> String {
    let micros =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    let occurred_at = event
        .occurred_at
        .to_offset(time::UtcOffset::UTC)
        .format(&micros)
        .unwrap_or_default();
    let canonical = Canonical {
        seq: event.seq,
        id: event.id.hyphenated().to_string(),
        occurred_at,
        actor: &event.actor,
        action: &event.action,
        object_type: &event.object_type,
        object_id: &event.object_id,
        organization_id: event.organization_id.map(|id| id.hyphenated().to_string()),
        before: event.before_json.as_deref(),
        after: event.after_json.as_deref(),
    };
    // Serializing a struct of strings and integers cannot fail.
    let text = serde_json::to_string(&canonical).unwrap_or_default();
    let mut input = Vec::with_capacity(event.prev_hash.len() + 1 + text.len());
    input.extend_from_slice(event.prev_hash.as_bytes());
    input.push(b'\n');
    input.extend_from_slice(text.as_bytes());
    sha256_hex(&input)
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Events checked (all of them when the chain is intact).
    pub events: u64,
    pub broken: Option<BrokenLink>,
}

/// The first place where the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub id: Option<Uuid>,
    pub reason: String,
}

const PAGE: i64 = 1000;

/// One recorded change, as a person reads the trail: when, who, what (without the bodies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    pub actor: String,
    /// e.g. `action_item.status_changed`.
    pub action: String,
    pub object_type: String,
    pub object_id: String,
}

impl Store {
    /// Walks the whole chain in order and reports the first broken link, if any.
    pub async fn verify_audit(&self) -> StoreResult<AuditReport> {
        self.read(async |tx| verify_chain(tx).await).await
    }

    /// The organization's latest `limit` recorded changes, newest first.
    pub async fn recent_audit_events(
        &self,
        organization_id: Uuid,
        limit: u32,
    ) -> StoreResult<Vec<AuditEntry>> {
        let rows = self
            .read(async |tx| {
                Ok(fetch_all!(
                    tx,
                    AuditEventRow,
                    concat!(
                        "SELECT ",
                        audit_event_columns!(),
                        " FROM audit_events WHERE organization_id = $1 ORDER BY seq DESC LIMIT $2"
                    ),
                    organization_id,
                    i64::from(limit)
                )?)
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| AuditEntry {
                seq: row.seq,
                occurred_at: row.occurred_at,
                actor: row.actor,
                action: row.action,
                object_type: row.object_type,
                object_id: row.object_id,
            })
            .collect())
    }

    /// The audit chain's head hash. Every change the store makes moves it (a restore too), so
    /// anything computed from stored data stays valid exactly as long as this is unchanged.
    pub async fn change_marker(&self) -> StoreResult<String> {
        self.lookup(async |tx| {
            fetch_optional!(
                tx,
                (String,),
                "SELECT hash FROM audit_chain_head WHERE id = 1"
            )?
            .map(|(hash,)| hash)
            .ok_or_else(|| StoreError::corrupt("audit chain", "the chain head row is missing"))
        })
        .await
    }
}

async fn verify_chain(tx: &mut Tx) -> StoreResult<AuditReport> {
    {
        let mut checked = 0u64;
        let mut last_seq = 0i64;
        let mut last_hash = GENESIS_HASH.to_string();
        loop {
            let page = fetch_all!(
                tx,
                AuditEventRow,
                concat!(
                    "SELECT ",
                    audit_event_columns!(),
                    " FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
                ),
                last_seq,
                PAGE
            )?;
            if page.is_empty() {
                break;
            }
            for event in &page {
                if let Some(reason) = check_link(event, last_seq, &last_hash) {
                    return Ok(AuditReport {
                        events: checked,
                        broken: Some(BrokenLink {
                            seq: event.seq,
                            id: Some(event.id),
                            reason,
                        }),
                    });
                }
                checked += 1;
                last_seq = event.seq;
                last_hash.clone_from(&event.hash);
            }
        }
        let (head_seq, head_hash) = fetch_optional!(
            tx,
            (i64, String),
            "SELECT seq, hash FROM audit_chain_head WHERE id = 1"
        )?
        .ok_or_else(|| StoreError::corrupt("audit chain", "the chain head row is missing"))?;
        let broken = if head_seq != last_seq || head_hash != last_hash {
            Some(BrokenLink {
                seq: last_seq + 1,
                id: None,
                reason: format!(
                    "the chain ends at event {last_seq} but its head records event {head_seq}: events were removed from the end"
                ),
            })
        } else {
            None
        };
        Ok(AuditReport {
            events: checked,
            broken,
        })
    }
}

fn check_link(event: &AuditEventRow, previous_seq: i64, previous_hash: &str) -> Option<String> {
    if event.seq != previous_seq + 1 {
        return Some(format!(
            "event {} follows event {previous_seq}: events {}..{} are missing",
            event.seq,
            previous_seq + 1,
            event.seq - 1
        ));
    }
    if event.prev_hash != previous_hash {
        return Some(
            "its link to the previous event does not match that event's hash (an event before it was changed or removed)"
                .to_string(),
        );
    }
    if event_hash(event) != event.hash {
        return Some(
            "its content does not match its hash: the event was changed after it was written"
                .to_string(),
        );
    }
    None
}
