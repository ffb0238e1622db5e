//! The audit trail: one event per change, in the change's transaction, and a chain that
//! notices edits and removals made behind the store's back.

use hicp_store::{Backend, NewAssessment, StoreError};

use crate::support::{ACTOR, Raw, handmade_assessment, rules, seed};

fn drop_update_guard(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "DROP TRIGGER audit_events_append_only_update",
        Backend::Postgres => "DROP TRIGGER audit_events_append_only_update ON audit_events",
    }
}

hicp_store::backend_tests! {
    async fn every_change_writes_one_event_and_the_chain_verifies(db) {
        let store = db.open().await?;
        seed(&store, "family-practice").await;
        let mut raw = Raw::connect(db).await;
        let events = raw.scalar_i64("SELECT COUNT(*) FROM audit_events").await;
        let report = store.verify_audit().await?;
        assert_eq!(report.broken, None);
        assert_eq!(report.events, events as u64);
        // seed makes 16 changes of 14 kinds: organization, assessment, plan, item status (two:
        // one started, one deferred), milestone, answer (two: one changed, one with the
        // suggestion decision), evidence, metric, scanner import, suggestion overridden, user,
        // membership, token, session.
        assert_eq!(events, 16);
        assert_eq!(raw.scalar_i64("SELECT COUNT(DISTINCT action) FROM audit_events").await, 14);
        Ok(())
    }

    async fn a_failed_change_leaves_no_event(db) {
        let store = db.open().await?;
        let given = handmade_assessment("Failing Clinic");
        let organization = store.create_organization(&ACTOR, &given.organization).await?;
        let assessment = store
            .create_assessment(&ACTOR, rules(), NewAssessment { organization_id: organization.id, title: "t", catalog_edition: "e", assessment: &given })
            .await?;
        let answer = store.answers(assessment.id).await?.remove(0);
        let mut raw = Raw::connect(db).await;
        let before = raw.scalar_i64("SELECT COUNT(*) FROM audit_events").await;
        let stale = store.update_answer(&ACTOR, rules(), answer.id, &answer.answer, answer.version + 7).await;
        assert!(matches!(stale, Err(StoreError::Conflict { .. })));
        let duplicate = store.create_organization(&ACTOR, &given.organization).await;
        assert!(duplicate.is_err());
        assert_eq!(raw.scalar_i64("SELECT COUNT(*) FROM audit_events").await, before);
        store.update_answer(&ACTOR, rules(), answer.id, &answer.answer, answer.version).await?;
        assert_eq!(raw.scalar_i64("SELECT COUNT(*) FROM audit_events").await, before + 1);
        assert_eq!(raw.scalar_i64("SELECT seq FROM audit_chain_head").await, before + 1);
        Ok(())
    }

    async fn a_hand_edited_event_is_found(db) {
        let store = db.open().await?;
        seed(&store, "family-practice").await;
        let mut raw = Raw::connect(db).await;
        let refused = raw.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 4").await;
        assert!(refused.is_err(), "the append-only trigger refuses edits");
        // Someone with full database access removes the guard first.
        raw.execute(drop_update_guard(db.backend())).await?;
        raw.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 4").await?;
        let report = store.verify_audit().await?;
        let broken = report.broken.ok_or("tampering must be detected")?;
        assert_eq!(broken.seq, 4);
        assert_eq!(report.events, 3);
        assert!(broken.reason.contains("changed"), "{}", broken.reason);
        Ok(())
    }

    async fn a_forged_event_with_a_matching_hash_breaks_the_next_link(db) {
        let store = db.open().await?;
        seed(&store, "family-practice").await;
        let copy = db.dir().join("copy.hicp.zip");
        store.backup(&copy).await?;
        let (_, data) = hicp_store::testing::read_dataset(&copy)?;
        let mut forged = data.audit_events.iter().find(|e| e.seq == 5).ok_or("event 5")?.clone();
        forged.actor = "mallory".to_string();
        forged.hash = hicp_store::testing::event_hash(&forged);
        let mut raw = Raw::connect(db).await;
        raw.execute(drop_update_guard(db.backend())).await?;
        raw.execute(&format!(
            "UPDATE audit_events SET actor = 'mallory', hash = '{}' WHERE seq = 5",
            forged.hash
        ))
        .await?;
        // Event 5 is self-consistent now; event 6 still links to the original.
        let broken = store.verify_audit().await?.broken.ok_or("detected")?;
        assert_eq!(broken.seq, 6);
        assert!(broken.reason.contains("previous event"), "{}", broken.reason);
        Ok(())
    }

    async fn removed_events_are_found(db) {
        let store = db.open().await?;
        seed(&store, "family-practice").await;
        let mut raw = Raw::connect(db).await;
        let last = raw.scalar_i64("SELECT MAX(seq) FROM audit_events").await;
        raw.execute(&format!("DELETE FROM audit_events WHERE seq = {last}")).await?;
        let tail = store.verify_audit().await?.broken.ok_or("removed tail detected")?;
        assert!(tail.reason.contains("removed from the end"), "{}", tail.reason);
        raw.execute("DELETE FROM audit_events WHERE seq = 3").await?;
        let gap = store.verify_audit().await?.broken.ok_or("gap detected")?;
        assert_eq!(gap.seq, 4);
        assert!(gap.reason.contains("missing"), "{}", gap.reason);
        Ok(())
    }
}
