//! The database commands end to end, through the built `hicp` binary: org create/list/show,
//! export/import, audit verify, backup/restore, and a kill -9 in the middle of an import.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use hicp_store::testing::{RawConnection, TestDatabase};
use hicp_store::{Actor, AnswerRules, Backend, NewAssessment, Store};

fn repo_file(relative: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
        .display()
        .to_string()
}

fn hicp_command(db: &TestDatabase, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hicp"));
    command
        .args(args)
        .env("HICP_DATABASE_URL", db.url())
        .env("HICP_DATA_DIR", db.dir())
        .env_remove("HICP_CATALOG");
    command
}

fn hicp(db: &TestDatabase, args: &[&str]) -> Output {
    hicp_command(db, args).output().expect("hicp runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs hicp and insists on success, returning standard output.
fn hicp_ok(db: &TestDatabase, args: &[&str]) -> String {
    let output = hicp(db, args);
    assert!(
        output.status.success(),
        "hicp {args:?} failed:\n{}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

fn create_from_example(db: &TestDatabase, example: &str) -> String {
    hicp_ok(
        db,
        &[
            "org",
            "create",
            "--from-assessment",
            &repo_file(&format!("examples/{example}.toml")),
            "--as-of",
            "2026-11-01",
        ],
    )
    .trim()
    .to_string()
}

hicp_store::backend_tests! {
    async fn organizations_from_the_command_line(db) {
        let id = create_from_example(db, "family-practice");
        assert_eq!(id.len(), 36, "prints the new id: {id}");
        let list = hicp_ok(db, &["org", "list"]);
        assert!(list.contains("Maple Street Family Medicine") && list.contains(&id), "{list}");
        let json: serde_json::Value = serde_json::from_str(&hicp_ok(db, &["org", "list", "--format", "json"]))?;
        assert_eq!(json[0]["id"], id.as_str());
        assert_eq!(json[0]["assessments"], 1);
        let shown = hicp_ok(db, &["org", "show", "Maple Street Family Medicine"]);
        assert!(shown.contains("overall score") && shown.contains("providers=6"), "{shown}");
        let shown: serde_json::Value = serde_json::from_str(&hicp_ok(db, &["org", "show", &id, "--format", "json"]))?;
        assert!(shown["latest"]["overall_score"].is_number());
        assert!(shown["action_items"].as_u64().is_some_and(|n| n > 0));

        let again = hicp(db, &["org", "create", "--from-assessment", &repo_file("examples/family-practice.toml")]);
        assert!(!again.status.success());
        assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));

        let file = db.dir().join("clinic.hicp.zip");
        hicp_ok(db, &["org", "export", &id, "--out", &file.display().to_string()]);
        let target = TestDatabase::create(db.backend()).await.ok_or("target")?;
        let imported = hicp_ok(&target, &["org", "import", &file.display().to_string()]);
        assert!(imported.contains("imported organization"), "{imported}");
        let twice = hicp_ok(&target, &["org", "import", &file.display().to_string()]);
        assert!(twice.contains("already present"), "{twice}");
        let listed: serde_json::Value = serde_json::from_str(&hicp_ok(&target, &["org", "list", "--format", "json"]))?;
        assert_eq!(listed.as_array().map(Vec::len), Some(1));
        Ok(())
    }

    async fn a_bad_assessment_file_is_named_and_stores_nothing(db) {
        let bad = db.dir().join("bad.toml");
        std::fs::write(&bad, "[organization]\nname = \"Broken Clinic\"\n\n[answers.\"1.S.A\"]\nstatus = \"sort of\"\n")?;
        let output = hicp(db, &["org", "create", "--from-assessment", &bad.display().to_string()]);
        assert!(!output.status.success());
        let message = text(&output.stderr);
        assert!(message.contains("bad.toml") && message.contains("status"), "{message}");
        assert_eq!(hicp_ok(db, &["org", "list", "--format", "json"]).trim(), "[]");
        Ok(())
    }

    async fn audit_verify_finds_a_hand_edited_row(db) {
        create_from_example(db, "family-practice");
        let ok = hicp_ok(db, &["audit", "verify"]);
        assert!(ok.starts_with("OK") && ok.contains("3 events"), "{ok}");
        let mut raw = RawConnection::connect(db).await;
        let drop_guard = match db.backend() {
            Backend::Sqlite => "DROP TRIGGER audit_events_append_only_update",
            Backend::Postgres => "DROP TRIGGER audit_events_append_only_update ON audit_events",
        };
        raw.execute(drop_guard).await?;
        raw.execute("UPDATE audit_events SET after_json = '{\"edited\": true}' WHERE seq = 2").await?;
        let output = hicp(db, &["audit", "verify"]);
        assert_eq!(output.status.code(), Some(1));
        let report = text(&output.stdout);
        assert!(report.contains("BROKEN at event 2"), "{report}");
        Ok(())
    }

    async fn backup_and_restore_from_the_command_line(db) {
        create_from_example(db, "family-practice");
        create_from_example(db, "community-hospital");
        let file = db.dir().join("backup.hicp.zip");
        let wrote = hicp_ok(db, &["backup", "--out", &file.display().to_string()]);
        assert!(wrote.contains("audit events"), "{wrote}");
        let target = TestDatabase::create(db.backend()).await.ok_or("target")?;
        let restored = hicp_ok(&target, &["restore", &file.display().to_string()]);
        assert!(restored.contains("2 organizations") && restored.contains("audit trail OK"), "{restored}");
        assert_eq!(
            hicp_ok(&target, &["org", "list", "--format", "json"]),
            hicp_ok(db, &["org", "list", "--format", "json"])
        );
        let refused = hicp(&target, &["restore", &file.display().to_string()]);
        assert!(!refused.status.success());
        assert!(text(&refused.stderr).contains("--force"), "{}", text(&refused.stderr));
        hicp_ok(&target, &["restore", "--force", &file.display().to_string()]);
        assert!(hicp_ok(&target, &["audit", "verify"]).starts_with("OK"));
        Ok(())
    }

    async fn a_truncated_file_is_refused_and_changes_nothing(db) {
        let id = create_from_example(db, "family-practice");
        let file = db.dir().join("clinic.hicp.zip");
        hicp_ok(db, &["org", "export", &id, "--out", &file.display().to_string()]);
        let bytes = std::fs::read(&file)?;
        let cut = db.dir().join("cut.hicp.zip");
        std::fs::write(&cut, &bytes[..bytes.len() / 2])?;
        let target = TestDatabase::create(db.backend()).await.ok_or("target")?;
        target.open().await?.close().await;
        let mut raw = RawConnection::connect(&target).await;
        let before = raw.counts().await;
        let output = hicp(&target, &["org", "import", &cut.display().to_string()]);
        assert!(!output.status.success());
        assert!(text(&output.stderr).contains("damaged or truncated"), "{}", text(&output.stderr));
        assert_eq!(raw.counts().await, before);
        Ok(())
    }

    async fn kill_9_during_an_import_leaves_a_consistent_database(db) {
        let file = big_export(db).await?;
        let target = TestDatabase::create(db.backend()).await.ok_or("target")?;
        let store = target.open().await?;
        let mut raw = RawConnection::connect(&target).await;
        let before = raw.counts().await;

        let mut child = hicp_command(&target, &["org", "import", "--progress", &file.display().to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child.stderr.take().ok_or("stderr")?;
        let mut progress_seen = None;
        for line in BufReader::new(stderr).lines() {
            let line = line?;
            // "imported N of M rows": kill once a tenth is written.
            let numbers: Vec<u64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
            if let [done, total] = numbers[..]
                && done * 10 >= total
            {
                child.kill()?;
                progress_seen = Some((done, total));
                break;
            }
        }
        let output = child.wait_with_output()?;
        let (done, total) = progress_seen.ok_or("the import never reported progress")?;
        assert_eq!(output.status.signal(), Some(9), "killed by SIGKILL");
        assert!(!text(&output.stdout).contains("imported organization"), "the import finished before the kill");
        assert!(done < total);

        // Nothing of the import is visible, and the database is whole.
        assert_eq!(raw.counts().await, before);
        if let Some(check) = raw.sqlite_integrity_check().await {
            assert_eq!(check, "ok");
        }
        let reopened = target.open().await?;
        assert_eq!(reopened.verify_audit().await?.broken, None);
        assert!(reopened.list_organizations().await?.is_empty());
        // And it takes the same import afterwards.
        let finished = hicp_ok(&target, &["org", "import", &file.display().to_string()]);
        assert!(finished.contains("imported organization"), "{finished}");
        assert_eq!(reopened.verify_audit().await?.broken, None);
        store.close().await;
        Ok(())
    }
}

/// An organization with many assessments, exported: an import big enough to be caught mid-way.
async fn big_export(
    db: &TestDatabase,
) -> Result<std::path::PathBuf, Box<dyn std::error::Error + Send + Sync>> {
    let id = create_from_example(db, "health-system");
    let store: Store = db.open().await?;
    let organization = store.find_organization(&id).await?;
    let (_, assessment) = store.load_assessment(organization.id, None).await?;
    let catalog = hicp_catalog::Catalog::embedded()?;
    let methodology = hicp_engine::Methodology::default();
    for round in 0..40 {
        store
            .create_assessment(
                &Actor::System {
                    component: "test seed",
                },
                AnswerRules {
                    catalog: &catalog,
                    status_values: &methodology.status_values,
                },
                NewAssessment {
                    organization_id: organization.id,
                    title: &format!("Quarterly review {round}"),
                    catalog_edition: "test",
                    assessment: &assessment,
                },
            )
            .await?;
    }
    store.close().await;
    let file = db.dir().join("big.hicp.zip");
    hicp_ok(
        db,
        &["org", "export", &id, "--out", &file.display().to_string()],
    );
    Ok(file)
}
