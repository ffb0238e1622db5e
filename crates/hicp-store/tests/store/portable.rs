//! Organization export/import and backup/restore on one backend; the cross-backend scenario is
//! in `scenario.rs`.

use std::io::{Read, Write};
use std::path::Path;

use hicp_store::portable::{ImportOutcome, Kind};
use hicp_store::testing::{TestDatabase, read_dataset as inspect};
use hicp_store::{NewAssessment, StoreError};

use crate::support::{ACTOR, Raw, comparable, handmade_assessment, importer, rules, seed};

fn no_progress() -> impl FnMut(hicp_store::portable::Progress) + Send {
    |_| {}
}

/// Copies a ZIP, letting `change` replace or drop entries, then adds `extra` entries.
fn rewrite(
    from: &Path,
    to: &Path,
    change: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>,
    extra: &[(&str, &[u8])],
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut source = zip::ZipArchive::new(std::fs::File::open(from)?)?;
    let mut target = zip::ZipWriter::new(std::fs::File::create(to)?);
    let options = zip::write::SimpleFileOptions::default();
    for index in 0..source.len() {
        let mut entry = source.by_index(index)?;
        let name = entry.name()?.into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        if let Some(bytes) = change(&name, bytes) {
            target.start_file(name.as_str(), options)?;
            target.write_all(&bytes)?;
        }
    }
    for (name, bytes) in extra {
        target.start_file(*name, options)?;
        target.write_all(bytes)?;
    }
    target.finish()?;
    Ok(())
}

/// What a version 1 file held: the same file as `from` without the parts and columns version
/// 2 added, its manifest saying version 1.
fn downgrade_to_v1(from: &Path, to: &Path) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use sha2::Digest;
    const ADDED_COLUMNS: [&str; 7] = [
        "organization_snapshot",
        "last_seen_at",
        "is_admin",
        "owner_user_id",
        "deferred_reason",
        "reason",
        "import_id",
    ];
    const ADDED_PARTS: [&str; 2] = ["data/evidence_imports.json", "data/import_hosts.json"];
    let mut parts = std::collections::BTreeMap::new();
    let mut source = zip::ZipArchive::new(std::fs::File::open(from)?)?;
    let mut manifest: serde_json::Value = serde_json::Value::Null;
    for index in 0..source.len() {
        let mut entry = source.by_index(index)?;
        let name = entry.name()?.into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        if name == "manifest.json" {
            manifest = serde_json::from_slice(&bytes)?;
        } else if name.starts_with("data/") {
            if ADDED_PARTS.contains(&name.as_str()) {
                continue;
            }
            let mut rows: Vec<serde_json::Map<String, serde_json::Value>> =
                serde_json::from_slice(&bytes)?;
            for row in &mut rows {
                for column in ADDED_COLUMNS {
                    row.remove(column);
                }
            }
            parts.insert(name, serde_json::to_vec_pretty(&rows)?);
        } else {
            parts.insert(name, bytes);
        }
    }
    manifest["format_version"] = 1.into();
    manifest["parts"] = parts
        .iter()
        .map(|(path, bytes)| {
            serde_json::json!({"path": path, "bytes": bytes.len(), "sha256": sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>()})
        })
        .collect();
    let mut target = zip::ZipWriter::new(std::fs::File::create(to)?);
    let options = zip::write::SimpleFileOptions::default();
    for (path, bytes) in &parts {
        target.start_file(path.as_str(), options)?;
        target.write_all(bytes)?;
    }
    target.start_file("manifest.json", options)?;
    target.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
    target.finish()?;
    Ok(())
}

hicp_store::backend_tests! {
    async fn files_of_portable_format_1_still_load(db) {
        let source = TestDatabase::create(db.backend()).await.ok_or("source database")?;
        let store = source.open().await?;
        let given = handmade_assessment("Format One Clinic");
        let organization = store.create_organization(&ACTOR, &given.organization).await?;
        let assessment = store.create_assessment(&ACTOR, rules(), NewAssessment {
            organization_id: organization.id,
            title: "Written by an older hicp",
            catalog_edition: "e",
            assessment: &given,
        }).await?;
        let user = store.create_user(&ACTOR, "old@example.org", "Old Hand", None).await?;
        store.set_membership(&ACTOR, organization.id, user.id, hicp_store::Role::Viewer).await?;
        store.create_session(user.id, time::Duration::hours(8)).await?;
        let (export, backup) = (source.dir().join("v2.zip"), source.dir().join("v2-backup.zip"));
        store.export_organization(organization.id, &export).await?;
        store.backup(&backup).await?;
        let (old_export, old_backup) = (db.dir().join("v1.zip"), db.dir().join("v1-backup.zip"));
        downgrade_to_v1(&export, &old_export)?;
        downgrade_to_v1(&backup, &old_backup)?;
        assert_eq!(inspect(&old_export)?.0.format_version, 1);

        let target = db.open().await?;
        target.import_organization(&importer(), &old_export, &mut no_progress()).await?;
        assert_eq!(target.assessment_profile(assessment.id).await?, organization.organization());
        assert_eq!(target.load_assessment(organization.id, None).await?, store.load_assessment(organization.id, None).await?);

        let other = TestDatabase::create(db.backend()).await.ok_or("third database")?;
        let restored = other.open().await?;
        restored.restore(&importer(), &old_backup, false, &mut no_progress()).await?;
        assert_eq!(restored.assessment_profile(assessment.id).await?, organization.organization());
        let (_, rows) = inspect(&backup)?;
        let mut raw = Raw::connect(&other).await;
        assert_eq!(raw.scalar_i64("SELECT COUNT(*) FROM sessions WHERE last_seen_at = created_at").await, 1);
        assert_eq!(rows.sessions.len(), 1);
        assert_eq!(restored.verify_audit().await?.broken, None);
        Ok(())
    }


    async fn export_then_import_elsewhere_is_lossless_and_idempotent(db) {
        let store = db.open().await?;
        let seeded = seed(&store, "community-hospital").await;
        let file = db.dir().join("hospital.hicp.zip");
        let written = store.export_organization(seeded.organization.id, &file).await?;
        assert_eq!(written.evidence_files, 1);
        let (manifest, exported) = inspect(&file)?;
        assert_eq!(manifest.format_version, hicp_store::portable::FORMAT_VERSION);
        assert!(exported.api_tokens.is_empty() && exported.sessions.is_empty());
        assert!(exported.users.iter().all(|u| u.password_hash.is_none()), "no credentials leave with an organization");

        let other = TestDatabase::create(db.backend()).await.ok_or("second database")?;
        let target = other.open().await?;
        let outcome = target.import_organization(&importer(), &file, &mut no_progress()).await?;
        assert!(matches!(outcome, ImportOutcome::Imported { id, .. } if id == seeded.organization.id), "{outcome:?}");
        let again = other.dir().join("again.hicp.zip");
        target.export_organization(seeded.organization.id, &again).await?;
        assert_eq!(comparable(inspect(&again)?.1), comparable(exported));
        assert_eq!(
            target.load_assessment(seeded.organization.id, None).await?,
            store.load_assessment(seeded.organization.id, None).await?
        );
        assert_eq!(target.verify_audit().await?.broken, None);

        let mut raw = Raw::connect(&other).await;
        let before = raw.counts().await;
        let second = target.import_organization(&importer(), &file, &mut no_progress()).await?;
        assert!(matches!(second, ImportOutcome::AlreadyPresent { .. }), "{second:?}");
        assert_eq!(raw.counts().await, before, "a second import changes nothing");
        Ok(())
    }

    async fn damaged_truncated_and_foreign_files_change_nothing(db) {
        let source = TestDatabase::create(db.backend()).await.ok_or("source database")?;
        let source_store = source.open().await?;
        let seeded = seed(&source_store, "family-practice").await;
        let good = db.dir().join("good.hicp.zip");
        source_store.export_organization(seeded.organization.id, &good).await?;
        let backup = db.dir().join("backup.hicp.zip");
        source_store.backup(&backup).await?;
        let bytes = std::fs::read(&good)?;
        let dir = db.dir();

        let truncated = dir.join("truncated.zip");
        std::fs::write(&truncated, &bytes[..bytes.len() * 2 / 3])?;
        let foreign_text = dir.join("notes.txt");
        std::fs::write(&foreign_text, "just some notes, not an export")?;
        let foreign_zip = dir.join("foreign.zip");
        rewrite(&good, &foreign_zip, |_, _| None, &[("README.txt", b"another program's archive")])?;
        let other_format = dir.join("other-format.zip");
        rewrite(&good, &other_format, |name, bytes| {
            Some(if name == "manifest.json" {
                String::from_utf8_lossy(&bytes).replace("hicp-portable", "someone-else").into_bytes()
            } else {
                bytes
            })
        }, &[])?;
        let newer = dir.join("newer.zip");
        rewrite(&good, &newer, |name, bytes| {
            Some(if name == "manifest.json" {
                {
                    let current = hicp_store::portable::FORMAT_VERSION;
                    String::from_utf8_lossy(&bytes)
                        .replace(&format!("\"format_version\": {current}"), &format!("\"format_version\": {}", current + 1))
                        .into_bytes()
                }
            } else {
                bytes
            })
        }, &[])?;
        let altered = dir.join("altered.zip");
        rewrite(&good, &altered, |name, bytes| {
            Some(if name == "data/answers.json" {
                String::from_utf8_lossy(&bytes).replacen("\"partial\"", "\"planned\"", 1).into_bytes()
            } else {
                bytes
            })
        }, &[])?;
        let smuggled = dir.join("smuggled.zip");
        rewrite(&good, &smuggled, |_, bytes| Some(bytes), &[("data/extra.json", b"[]")])?;
        let missing_evidence = dir.join("missing-evidence.zip");
        rewrite(&good, &missing_evidence, |name, bytes| (!name.starts_with("evidence/")).then_some(bytes), &[])?;
        let mut flipped_bytes = bytes.clone();
        let middle = flipped_bytes.len() / 2;
        flipped_bytes[middle] ^= 0xff;
        let flipped = dir.join("flipped.zip");
        std::fs::write(&flipped, &flipped_bytes)?;

        let store = db.open().await?;
        let mut raw = Raw::connect(db).await;
        let before = raw.counts().await;
        let cases: [(&Path, &str); 10] = [
            (&truncated, "damaged or truncated"),
            (&foreign_text, "not an hicp portable file"),
            (&foreign_zip, "no manifest.json"),
            (&other_format, "not an hicp portable file"),
            (&newer, "upgrade hicp"),
            (&altered, "does not match its SHA-256"),
            (&smuggled, "does not list"),
            (&missing_evidence, "missing"),
            (&flipped, ""),
            (&backup, "not an organization export"),
        ];
        for (file, expected) in cases {
            let error = store
                .import_organization(&ACTOR, file, &mut no_progress())
                .await
                .expect_err("must be refused");
            let expected_kind = if file == backup.as_path() {
                matches!(error, StoreError::WrongPortableKind { expected: Kind::Organization, found: Kind::Backup, .. })
            } else {
                matches!(error, StoreError::Portable { .. })
            };
            assert!(expected_kind, "{}: {error}", file.display());
            assert!(error.to_string().contains(expected), "{}: {error}", file.display());
            assert!(error.to_string().contains(&file.display().to_string()), "names the file: {error}");
        }
        assert_eq!(raw.counts().await, before, "refused files change nothing");
        // And the good one goes in.
        store.import_organization(&ACTOR, &good, &mut no_progress()).await?;
        Ok(())
    }

    async fn an_import_that_fails_half_way_leaves_nothing(db) {
        let source = TestDatabase::create(db.backend()).await.ok_or("source database")?;
        let source_store = source.open().await?;
        let seeded = seed(&source_store, "family-practice").await;
        let file = db.dir().join("clinic.hicp.zip");
        source_store.export_organization(seeded.organization.id, &file).await?;
        let store = db.open().await?;
        // The file's member exists here under another id: found only after the organization
        // row has been written.
        let email = format!("manager+{}@example.org", seeded.organization.id.simple());
        store.create_user(&ACTOR, &email, "Someone Else", None).await?;
        let mut raw = Raw::connect(db).await;
        let before = raw.counts().await;
        let mut rows_written = 0;
        let error = store
            .import_organization(&ACTOR, &file, &mut |p: hicp_store::portable::Progress| rows_written = p.done)
            .await
            .expect_err("user clash");
        assert!(matches!(error, StoreError::DuplicateUserEmail { .. }), "{error}");
        assert!(error.to_string().contains(&email), "{error}");
        assert!(rows_written >= 1, "the failure came after some rows were written");
        assert_eq!(raw.counts().await, before);
        assert!(store.find_organization(&seeded.organization.id.to_string()).await.is_err());
        Ok(())
    }

    async fn backup_and_restore_round_trip(db) {
        let store = db.open().await?;
        seed(&store, "family-practice").await;
        seed(&store, "health-system").await;
        let file = db.dir().join("full.hicp.zip");
        let written = store.backup(&file).await?;
        let (_, original) = inspect(&file)?;
        assert_eq!(written.audit_events, original.audit_events.len());
        assert_eq!(original.organizations.len(), 2);

        let other = TestDatabase::create(db.backend()).await.ok_or("second database")?;
        let target = other.open().await?;
        let restored = target.restore(&importer(), &file, false, &mut no_progress()).await?;
        assert_eq!(restored.organizations, 2);
        assert_eq!(restored.replaced, None);
        let again = other.dir().join("again.hicp.zip");
        target.backup(&again).await?;
        let (_, copy) = inspect(&again)?;
        // Verbatim, the chain included; the restore appended one event of its own.
        let mut copy_events = copy.audit_events.clone();
        let restore_event = copy_events.pop().ok_or("restore event")?;
        assert_eq!(restore_event.action, "database.restored");
        assert_eq!(copy_events, original.audit_events);
        assert_eq!(hicp_store::testing::Dataset { audit_events: Vec::new(), ..copy }, hicp_store::testing::Dataset { audit_events: Vec::new(), ..original.clone() });
        assert_eq!(target.verify_audit().await?.broken, None);
        let evidence = original.evidence.first().ok_or("evidence")?;
        let (_, bytes) = target.read_evidence(evidence.id).await?;
        assert_eq!(bytes.len() as i64, evidence.size_bytes);
        Ok(())
    }

    async fn restore_refuses_a_database_in_use_unless_forced(db) {
        let source = TestDatabase::create(db.backend()).await.ok_or("source database")?;
        let source_store = source.open().await?;
        seed(&source_store, "family-practice").await;
        let file = db.dir().join("full.hicp.zip");
        source_store.backup(&file).await?;

        let store = db.open().await?;
        let existing = store.create_organization(&ACTOR, &handmade_assessment("Already Here").organization).await?;
        let mut raw = Raw::connect(db).await;
        let before = raw.counts().await;
        let error = store.restore(&ACTOR, &file, false, &mut no_progress()).await.expect_err("not empty");
        assert!(matches!(error, StoreError::NotEmpty(contents) if contents.organizations == 1), "{error}");
        assert_eq!(raw.counts().await, before);
        let summary = store.restore(&ACTOR, &file, true, &mut no_progress()).await?;
        assert!(summary.replaced.is_some());
        assert!(store.find_organization(&existing.id.to_string()).await.is_err(), "replaced");
        assert_eq!(store.list_organizations().await?.len(), 1);
        assert_eq!(store.verify_audit().await?.broken, None);
        Ok(())
    }

    async fn backup_is_one_snapshot_while_writers_run(db) {
        let store = db.open().await?;
        let given = handmade_assessment("Writer Clinic");
        let organization = store.create_organization(&ACTOR, &given.organization).await?;
        let writer = {
            let store = store.clone();
            let given = given.clone();
            tokio::spawn(async move {
                for n in 0..40 {
                    store
                        .create_assessment(&ACTOR, rules(), NewAssessment {
                            organization_id: organization.id,
                            title: &format!("round {n}"),
                            catalog_edition: "e",
                            assessment: &given,
                        })
                        .await?;
                }
                Ok::<_, StoreError>(())
            })
        };
        let mut files = Vec::new();
        for n in 0..3 {
            let file = db.dir().join(format!("during-{n}.hicp.zip"));
            store.backup(&file).await?;
            files.push(file);
        }
        writer.await??;
        for file in files {
            let (_, data) = inspect(&file)?;
            // Every answer's assessment and every assessment's creation event are in the same copy.
            assert_eq!(data.answers.len(), data.assessments.len() * given.answers.len());
            let created = data.audit_events.iter().filter(|e| e.action == "assessment.created").count();
            assert_eq!(created, data.assessments.len());
            let target = TestDatabase::create(db.backend()).await.ok_or("target")?;
            let restored = target.open().await?;
            restored.restore(&ACTOR, &file, false, &mut no_progress()).await?;
            assert_eq!(restored.verify_audit().await?.broken, None);
        }
        Ok(())
    }
}
