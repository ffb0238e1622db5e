//! Schema migrations: from an empty database, from every earlier schema version kept as a
//! fixture (a dump of a database written by that version, with data), and the states that must
//! stop the program instead of starting half-way.

use hicp_store::testing::TestDatabase;
use hicp_store::{Backend, StoreError};

use crate::support::{ACTOR, Raw, repo_path, rules};

/// The evidence file the fixtures record, and its hash.
const LEGACY_EVIDENCE: &[u8] =
    b"Restore of the EHR backup tested on 2026-10-15: 42 minutes, all records present.\n";
const LEGACY_EVIDENCE_SHA256: &str =
    "52437a3efe906e1f844194cfe03b6d90975e1f3851e29ff199978f0c4dc2631a";

/// Loads `tests/fixtures/<backend>/v<version>.sql` into the empty test database.
async fn load_fixture(db: &TestDatabase, version: u32) {
    let path = repo_path(&format!(
        "crates/hicp-store/tests/fixtures/{}/v{version}.sql",
        db.backend()
    ));
    let dump = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut raw = Raw::connect(db).await;
    raw.execute(&dump)
        .await
        .unwrap_or_else(|e| panic!("loading {}: {e}", path.display()));
}

fn future_migration(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99, 'from a newer hicp', TRUE, X'00', 1)"
        }
        Backend::Postgres => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99, 'from a newer hicp', TRUE, '\\x00'::bytea, 1)"
        }
    }
}

fn altered_checksum(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "UPDATE _sqlx_migrations SET checksum = X'0102' WHERE version = 1",
        Backend::Postgres => {
            "UPDATE _sqlx_migrations SET checksum = '\\x0102'::bytea WHERE version = 1"
        }
    }
}

async fn open_error(db: &TestDatabase) -> StoreError {
    db.open().await.expect_err("must not start")
}

hicp_store::backend_tests! {
    async fn data_written_by_schema_v1_survives_migration_to_latest(db) {
        load_fixture(db, 1).await;
        // Version 1 kept evidence bytes in a folder named by their hash.
        let folder = db.dir().join("evidence");
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join(LEGACY_EVIDENCE_SHA256), LEGACY_EVIDENCE)?;
        let store = db.open().await?;
        let organization = store.find_organization("Maple Street Family Medicine").await?;
        assert_eq!(organization.sizing.providers, Some(6));
        let (record, assessment) = store.load_assessment(organization.id, None).await?;
        assert_eq!(record.title, "Baseline 2026");
        assert!(assessment.answers.len() >= 10, "{}", assessment.answers.len());
        // Schema 2 filled each assessment's snapshot from its organization.
        assert_eq!(assessment.organization, organization.organization());
        assert_eq!(store.assessment_profile(record.id).await?, organization.organization());
        let items = store.action_items(organization.id).await?;
        assert!(!items.is_empty());
        assert!(items.iter().all(|item| item.deferred_reason.is_none() && item.owner_user_id.is_none()));
        // The rebuilt plan tables kept their rows and links.
        assert!(items.iter().all(|item| !item.milestones.is_empty()), "milestones kept");
        let started = items.iter().find(|i| i.status == hicp_store::ActionStatus::InProgress).ok_or("started item")?;
        assert_eq!(store.action_item_history(started.id).await?.len(), 2, "history kept");
        let mut raw = Raw::connect(db).await;
        if db.backend() == Backend::Sqlite {
            assert_eq!(raw.scalar_i64("SELECT COUNT(*) FROM pragma_foreign_key_check").await, 0);
        }
        // The evidence moved into the database; the folder is no longer needed.
        let evidence = store.evidence_of(organization.id).await?.remove(0);
        std::fs::remove_dir_all(&folder)?;
        let (_, bytes) = store.read_evidence(evidence.id).await?;
        assert_eq!(bytes, LEGACY_EVIDENCE);
        assert!(store.list_users().await?.iter().all(|user| !user.is_admin));
        let report = store.verify_audit().await?;
        assert_eq!(report.broken, None);
        assert_eq!(report.events, 11);
        // And the migrated database takes new changes on the same chain.
        let answer = store.answers(record.id).await?.remove(0);
        store.update_answer(&ACTOR, rules(), answer.id, &answer.answer, answer.version).await?;
        assert_eq!(store.verify_audit().await?.events, 12);
        Ok(())
    }

    async fn data_written_by_schema_v2_reads_back(db) {
        load_fixture(db, 2).await;
        let store = db.open().await?;
        let organization = store.find_organization("Maple Street Family Medicine").await?;
        let (record, assessment) = store.load_assessment(organization.id, None).await?;
        assert_eq!(assessment.organization, organization.organization());
        let items = store.action_items(organization.id).await?;
        let deferred = items.iter().find(|i| i.status == hicp_store::ActionStatus::Deferred).ok_or("a deferred item")?;
        assert_eq!(deferred.deferred_reason.as_deref(), Some("waiting for the EHR vendor's next release"));
        assert!(items.iter().any(|i| i.milestones.iter().any(|m| m.done_on.is_some())));
        let import = store.evidence_imports(organization.id).await?.remove(0);
        assert_eq!(store.import_hosts(import.id).await?.len(), 2);
        let evidence = store.evidence_of(organization.id).await?.remove(0);
        assert_eq!(store.read_evidence(evidence.id).await?.1, LEGACY_EVIDENCE);
        let report = store.verify_audit().await?;
        assert_eq!((report.events, report.broken), (14, None));
        let answer = store.answers(record.id).await?.remove(0);
        store.update_answer(&ACTOR, rules(), answer.id, &answer.answer, answer.version).await?;
        assert_eq!(store.verify_audit().await?.events, 15);
        Ok(())
    }

    async fn data_written_by_schema_v3_reads_back(db) {
        load_fixture(db, 3).await;
        let store = db.open().await?;
        let organization = store.find_organization("Maple Street Family Medicine").await?;
        let (record, _) = store.load_assessment(organization.id, None).await?;
        let decisions = store.suggestion_decisions(record.id).await?;
        assert_eq!(decisions.len(), 1, "the overridden suggestion");
        assert_eq!(decisions[0].decision, hicp_store::SuggestionChoice::Override);
        assert_eq!(decisions[0].reason.as_deref(), Some("the inventory lives in a spreadsheet not imported yet"));
        let import = store.evidence_imports(organization.id).await?.remove(0);
        assert_eq!(decisions[0].import_id, Some(import.id));
        let evidence = store.evidence_of(organization.id).await?.remove(0);
        assert_eq!(store.read_evidence(evidence.id).await?.1, LEGACY_EVIDENCE);
        let report = store.verify_audit().await?;
        assert_eq!((report.events, report.broken), (16, None));
        let answer = store.answers(record.id).await?.remove(0);
        store.update_answer(&ACTOR, rules(), answer.id, &answer.answer, answer.version).await?;
        assert_eq!(store.verify_audit().await?.events, 17);
        Ok(())
    }

    async fn a_database_from_a_newer_hicp_is_refused(db) {
        db.open().await?.close().await;
        Raw::connect(db).await.execute(future_migration(db.backend())).await?;
        let error = open_error(db).await;
        assert!(matches!(error, StoreError::Migration { .. }), "{error}");
        assert!(error.to_string().contains("version 99"), "{error}");
        Ok(())
    }

    async fn an_unfinished_migration_is_refused(db) {
        db.open().await?.close().await;
        Raw::connect(db).await.execute("UPDATE _sqlx_migrations SET success = FALSE WHERE version = 1").await?;
        let error = open_error(db).await;
        assert!(error.to_string().contains("did not finish"), "{error}");
        Ok(())
    }

    async fn a_changed_migration_is_refused(db) {
        db.open().await?.close().await;
        Raw::connect(db).await.execute(altered_checksum(db.backend())).await?;
        let error = open_error(db).await;
        assert!(error.to_string().contains("differs"), "{error}");
        Ok(())
    }
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused() {
    let db = TestDatabase::create(Backend::Sqlite).await.expect("sqlite");
    let path = db.dir().join("hicp.sqlite3");
    std::fs::write(&path, "this is a text file, not SQLite ".repeat(200)).expect("write");
    let error = db.open().await.expect_err("not a database");
    assert!(error.to_string().contains("not a database"), "{error}");
    assert!(
        error.to_string().contains("hicp.sqlite3"),
        "names the file: {error}"
    );
}

hicp_store::backend_tests! {
    async fn version_1_evidence_without_its_file_says_so(db) {
        load_fixture(db, 1).await;
        let store = db.open().await?;
        let organization = store.find_organization("Maple Street Family Medicine").await?;
        let evidence = store.evidence_of(organization.id).await?.remove(0);
        let error = store.read_evidence(evidence.id).await.expect_err("no bytes anywhere");
        assert!(matches!(error, StoreError::Evidence { .. }), "{error}");
        assert!(error.to_string().contains("missing"), "{error}");
        // A file that does not match its hash is refused when the store opens.
        store.close().await;
        let folder = db.dir().join("evidence");
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join(LEGACY_EVIDENCE_SHA256), b"something else")?;
        let refused = db.open().await.expect_err("a changed evidence file");
        assert!(refused.to_string().contains("changed"), "{refused}");
        Ok(())
    }
}
