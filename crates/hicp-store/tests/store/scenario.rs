//! The whole story across backends: create an organization, assess, plan, attach evidence,
//! export, import into the OTHER backend, and find the two equal.

use hicp_engine::EvaluationOptions;
use hicp_store::Backend;
use hicp_store::portable::ImportOutcome;
use hicp_store::testing::{TestDatabase, TestResult, read_dataset as inspect};
use time::macros::date;

use crate::support::{catalog, comparable, importer, seed};

async fn move_between(from: Backend, to: Backend) -> TestResult {
    let (Some(source), Some(target)) = (
        TestDatabase::create(from).await,
        TestDatabase::create(to).await,
    ) else {
        // PostgreSQL is not configured (already announced): run the story within SQLite.
        return Box::pin(move_between(Backend::Sqlite, Backend::Sqlite)).await;
    };
    let source_store = source.open().await?;
    let seeded = seed(&source_store, "community-hospital").await;
    let file = source.dir().join("export.hicp.zip");
    source_store
        .export_organization(seeded.organization.id, &file)
        .await?;

    let target_store = target.open().await?;
    let outcome = target_store
        .import_organization(&importer(), &file, &mut |_| {})
        .await?;
    assert!(
        matches!(outcome, ImportOutcome::Imported { .. }),
        "{outcome:?}"
    );

    // Equal row for row (the audit events sit in the target's own chain).
    let back = target.dir().join("back.hicp.zip");
    target_store
        .export_organization(seeded.organization.id, &back)
        .await?;
    assert_eq!(comparable(inspect(&back)?.1), comparable(inspect(&file)?.1));
    // Equal as the engine sees them, and so evaluated the same.
    let (source_record, source_assessment) = source_store
        .load_assessment(seeded.organization.id, None)
        .await?;
    let (target_record, target_assessment) = target_store
        .load_assessment(seeded.organization.id, None)
        .await?;
    assert_eq!(source_record, target_record);
    assert_eq!(source_assessment, target_assessment);
    let options = EvaluationOptions::new(date!(2026 - 11 - 01));
    assert_eq!(
        hicp_engine::evaluate(&catalog(), &source_assessment, &options),
        hicp_engine::evaluate(&catalog(), &target_assessment, &options)
    );
    assert_eq!(
        source_store.action_items(seeded.organization.id).await?,
        target_store.action_items(seeded.organization.id).await?
    );
    let evidence = inspect(&file)?.1.evidence.remove(0);
    assert_eq!(
        source_store.read_evidence(evidence.id).await?,
        target_store.read_evidence(evidence.id).await?
    );
    assert_eq!(target_store.verify_audit().await?.broken, None);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_postgres() -> TestResult {
    move_between(Backend::Sqlite, Backend::Postgres).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_to_sqlite() -> TestResult {
    move_between(Backend::Postgres, Backend::Sqlite).await
}
