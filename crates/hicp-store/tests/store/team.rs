//! What a team sharing one server needs from the store: plan work with owners, deferrals and
//! milestones under optimistic versions, profile snapshots, organization deletion, sessions
//! with idle expiry, instance administrators, ownership checks and scanner imports.

use std::sync::Arc;

use hicp_engine::{EvaluationOptions, Status};
use hicp_store::testing::TestDatabase;
use hicp_store::{
    ActionItemEdit, ActionOwner, ActionStatus, AnswerChange, AssessmentStatus, Entity, ManualClock,
    NewAssessment, NewSuggestionDecision, Role, StoreError, SuggestionChoice,
};
use time::macros::{date, datetime};

use crate::support::{
    ACTOR, Raw, catalog, handmade_assessment, listed, rules, scan_hosts, scan_import, seed,
};

async fn audit_actions(db: &TestDatabase) -> Vec<String> {
    let mut raw = Raw::connect(db).await;
    let count = raw.scalar_i64("SELECT COUNT(*) FROM audit_events").await;
    let mut actions = Vec::new();
    for seq in 1..=count {
        let action = raw
            .scalar_text(&format!(
                "SELECT action FROM audit_events WHERE seq = {seq}"
            ))
            .await;
        actions.push(action);
    }
    actions
}

hicp_store::backend_tests! {
    async fn milestones_and_item_edits_are_versioned_and_audited(db) {
        let store = db.open().await?;
        let seeded = seed(&store, "family-practice").await;
        let items = store.action_items(seeded.organization.id).await?;
        let item = items.iter().find(|i| i.status == ActionStatus::Open).ok_or("an open item")?;
        let milestone = item.milestones.last().ok_or("a milestone")?;

        let done = store.set_milestone_done(&ACTOR, milestone.id, Some(date!(2026 - 12 - 01)), item.version).await?;
        assert_eq!(done.version, item.version + 1);
        let marked = done.milestones.iter().find(|m| m.id == milestone.id).ok_or("milestone")?;
        assert_eq!(marked.done_on, Some(date!(2026 - 12 - 01)));
        // A second editor still holding the old version is refused and shown the item as it is.
        let stale = store.set_milestone_done(&ACTOR, milestone.id, None, item.version).await;
        match stale {
            Err(StoreError::StaleVersion { current_version, current }) => {
                assert_eq!(current_version, done.version);
                assert_eq!(*current, done);
            }
            other => panic!("expected a stale version, got {other:?}"),
        }
        let reopened = store.set_milestone_done(&ACTOR, milestone.id, None, done.version).await?;
        assert_eq!(reopened.milestones.iter().find(|m| m.id == milestone.id).ok_or("m")?.done_on, None);

        let member = store.members(seeded.organization.id).await?.remove(0).0;
        let outsider = store.create_user(&ACTOR, "outsider@example.org", "Not A Member", None).await?;
        let by_user = store.update_action_item(&ACTOR, item.id, ActionItemEdit {
            owner: Some(ActionOwner::User(member.id)),
            due_on: Some(date!(2027 - 02 - 28)),
        }, reopened.version).await?;
        assert_eq!(by_user.owner(), ActionOwner::User(member.id));
        assert_eq!((by_user.owner_user_id, by_user.owner.as_deref()), (Some(member.id), None));
        assert_eq!(by_user.due_on, date!(2027 - 02 - 28));
        let refused = store.update_action_item(&ACTOR, item.id, ActionItemEdit {
            owner: Some(ActionOwner::User(outsider.id)),
            due_on: None,
        }, by_user.version).await.expect_err("not a member");
        assert!(matches!(refused, StoreError::Invalid(_)), "{refused}");
        let named = store.update_action_item(&ACTOR, item.id, ActionItemEdit {
            owner: Some(ActionOwner::Named("  Front desk team ".to_string())),
            due_on: None,
        }, by_user.version).await?;
        assert_eq!(named.owner(), ActionOwner::Named("Front desk team".to_string()));
        assert_eq!(named.due_on, date!(2027 - 02 - 28), "an edit without a date keeps it");
        let stale = store.update_action_item(&ACTOR, item.id, ActionItemEdit::default(), by_user.version).await;
        assert!(matches!(&stale, Err(StoreError::StaleVersion { current, .. }) if **current == named), "{stale:?}");
        let nobody = store.update_action_item(&ACTOR, item.id, ActionItemEdit {
            owner: Some(ActionOwner::Nobody),
            due_on: None,
        }, named.version).await?;
        assert_eq!(nobody.owner(), ActionOwner::Nobody);
        // Leaving the organization takes the user off its items.
        let owned = store.update_action_item(&ACTOR, item.id, ActionItemEdit {
            owner: Some(ActionOwner::User(member.id)),
            due_on: None,
        }, nobody.version).await?;
        store.remove_membership(&ACTOR, seeded.organization.id, member.id).await?;
        let after = store.action_items(seeded.organization.id).await?.into_iter().find(|i| i.id == item.id).ok_or("item")?;
        assert_eq!((after.owner(), after.version), (ActionOwner::Nobody, owned.version + 1));

        let actions = audit_actions(db).await;
        for expected in ["milestone.done", "milestone.reopened", "action_item.updated", "membership.removed"] {
            assert!(actions.iter().any(|a| a == expected), "{expected} in {actions:?}");
        }
        assert_eq!(store.verify_audit().await?.broken, None);
        Ok(())
    }

    async fn deferred_items_keep_their_reason_and_survive_a_new_plan(db) {
        let store = db.open().await?;
        let seeded = seed(&store, "family-practice").await;
        let items = store.action_items(seeded.organization.id).await?;
        let deferred = items.iter().find(|i| i.status == ActionStatus::Deferred).ok_or("seed defers one")?;
        assert_eq!(deferred.deferred_reason.as_deref(), Some("waiting for the EHR vendor's next release"));
        let open = items.iter().find(|i| i.status == ActionStatus::Open).ok_or("an open item")?;
        let no_reason = store
            .change_action_item_status(&ACTOR, open.id, ActionStatus::Deferred, Some("   "), open.version)
            .await
            .expect_err("a deferral needs a reason");
        assert!(matches!(no_reason, StoreError::Invalid(_)), "{no_reason}");
        let refused = store.set_action_item_status(&ACTOR, open.id, ActionStatus::Deferred, open.version).await;
        assert!(matches!(refused, Err(StoreError::Invalid(_))), "{refused:?}");
        // The database holds the rule too.
        let mut raw = Raw::connect(db).await;
        let bare = raw.execute("UPDATE action_items SET status = 'deferred', deferred_reason = NULL").await;
        assert!(bare.is_err(), "a deferred item without a reason is refused by the database");

        // A new assessment's plan, and the same plan again, leave the deferral alone.
        let newer = store.create_assessment(&ACTOR, rules(), NewAssessment {
            organization_id: seeded.organization.id,
            title: "Second round",
            catalog_edition: &catalog().edition.id,
            assessment: &seeded.parsed,
        }).await?;
        let plan = hicp_engine::evaluate(&catalog(), &seeded.parsed, &EvaluationOptions::new(date!(2026 - 11 - 01))).plan;
        assert!(plan.items.iter().any(|i| i.id == deferred.sub_practice), "the plan still proposes it");
        let created = store.record_plan(&ACTOR, newer.id, &plan).await?;
        assert!(!created.is_empty());
        assert!(created.iter().all(|i| i.sub_practice != deferred.sub_practice), "not resurrected");
        assert!(store.record_plan(&ACTOR, seeded.assessment.id, &plan).await?.is_empty());
        let all = store.action_items(seeded.organization.id).await?;
        let kept = all.iter().find(|i| i.id == deferred.id).ok_or("not dropped")?;
        assert_eq!(kept, deferred);
        assert_eq!(all.iter().filter(|i| i.sub_practice == deferred.sub_practice).count(), 1);

        // Taking it up again clears the reason on the item; the history keeps it.
        let resumed = store.change_action_item_status(&ACTOR, deferred.id, ActionStatus::Open, Some("vendor shipped the release"), deferred.version).await?;
        assert_eq!((resumed.status, resumed.deferred_reason.as_deref()), (ActionStatus::Open, None));
        let history = store.action_item_history(deferred.id).await?;
        let moves: Vec<_> = history.iter().map(|h| (h.from_status, h.to_status, h.reason.as_deref())).collect();
        assert_eq!(moves, [
            (None, ActionStatus::Open, None),
            (Some(ActionStatus::Open), ActionStatus::Deferred, Some("waiting for the EHR vendor's next release")),
            (Some(ActionStatus::Deferred), ActionStatus::Open, Some("vendor shipped the release")),
        ]);
        Ok(())
    }

    async fn a_final_assessment_keeps_the_profile_it_was_evaluated_with(db) {
        let store = db.open().await?;
        let given = handmade_assessment("Snapshot Clinic");
        let organization = store.create_organization(&ACTOR, &given.organization).await?;
        let new = |title| NewAssessment {
            organization_id: organization.id,
            title,
            catalog_edition: "e",
            assessment: &given,
        };
        let old = store.create_assessment(&ACTOR, rules(), new("2025")).await?;
        store.set_assessment_status(&ACTOR, old.id, AssessmentStatus::InReview).await?;
        store.set_assessment_status(&ACTOR, old.id, AssessmentStatus::Final).await?;
        let draft = store.create_assessment(&ACTOR, rules(), new("2026")).await?;
        assert_eq!(store.assessment_profile(old.id).await?, given.organization);

        let mut grown = given.organization.clone();
        grown.name = "Snapshot Health".to_string();
        grown.tier = Some(hicp_catalog::Tier::Medium);
        grown.sizing.providers = Some(40);
        grown.exposure.patient_portal = Some(true);
        let updated = store.update_organization_checked(&ACTOR, organization.id, &grown, organization.version).await?;
        assert_eq!(updated.version, organization.version + 1);
        // A second editor who read the old version is refused and shown the current profile.
        let mut other_edit = given.organization.clone();
        other_edit.sizing.beds = Some(12);
        match store.update_organization_checked(&ACTOR, organization.id, &other_edit, organization.version).await {
            Err(StoreError::StaleOrganization { current_version, current }) => {
                assert_eq!((current_version, &*current), (updated.version, &updated));
            }
            other => panic!("expected a stale organization, got {other:?}"),
        }

        assert_eq!(store.assessment_profile(old.id).await?, given.organization, "final: frozen");
        assert_eq!(store.load_assessment(organization.id, Some(old.id)).await?.1.organization, given.organization);
        assert_eq!(store.assessment_profile(draft.id).await?, grown, "draft: follows the profile");
        assert_eq!(store.load_assessment(organization.id, Some(draft.id)).await?.1.organization, grown);
        let missing = store.assessment_profile(uuid::Uuid::now_v7()).await.expect_err("unknown");
        assert!(matches!(missing, StoreError::NotFound { entity: Entity::Assessment, .. }), "{missing}");
        Ok(())
    }

    async fn deleting_an_organization_removes_everything_of_it_and_keeps_the_trail(db) {
        let store = db.open().await?;
        let doomed = seed(&store, "family-practice").await;
        let kept = seed(&store, "community-hospital").await;
        let mut raw = Raw::connect(db).await;
        let kept_items = store.action_items(kept.organization.id).await?;
        let events_before = raw.scalar_i64("SELECT COUNT(*) FROM audit_events").await;
        let evidence_id = store.evidence_of(doomed.organization.id).await?.remove(0).id;
        let item_id = store.action_items(doomed.organization.id).await?.remove(0).id;

        store.delete_organization(&ACTOR, doomed.organization.id).await?;

        let gone = store.find_organization(&doomed.organization.id.to_string()).await.expect_err("deleted");
        assert!(matches!(gone, StoreError::NotFound { .. }), "{gone}");
        for (entity, id) in [
            (Entity::Organization, doomed.organization.id),
            (Entity::Assessment, doomed.assessment.id),
            (Entity::ActionItem, item_id),
            (Entity::Evidence, evidence_id),
        ] {
            let error = store.organization_of(entity, id).await.expect_err("gone");
            assert!(matches!(error, StoreError::NotFound { .. }), "{entity}: {error}");
        }
        // One organization's rows are left of each table that has any.
        for table in ["organizations", "assessments", "evidence", "evidence_contents", "evidence_imports", "import_hosts", "memberships", "metric_observations"] {
            let left = raw.scalar_i64(&format!("SELECT COUNT(*) FROM {table}")).await;
            assert!(left >= 1, "{table} keeps the other organization's rows");
        }
        assert_eq!(raw.scalar_i64("SELECT COUNT(*) FROM organizations").await, 1);
        assert_eq!(raw.scalar_i64("SELECT COUNT(*) FROM evidence_imports").await, 1);
        assert_eq!(raw.scalar_i64("SELECT COUNT(*) FROM evidence_contents").await, 1);
        assert_eq!(store.action_items(kept.organization.id).await?, kept_items);
        assert_eq!(store.list_assessments(kept.organization.id).await?.len(), 1);
        // Its events stay, one more says what was deleted, and the chain holds.
        assert_eq!(raw.scalar_i64("SELECT COUNT(*) FROM audit_events").await, events_before + 1);
        assert_eq!(audit_actions(db).await.last().map(String::as_str), Some("organization.deleted"));
        assert_eq!(store.verify_audit().await?.broken, None);
        let again = store.delete_organization(&ACTOR, doomed.organization.id).await.expect_err("twice");
        assert!(matches!(again, StoreError::NotFound { .. }), "{again}");
        Ok(())
    }

    async fn ids_are_traced_to_their_organization(db) {
        let store = db.open().await?;
        let seeded = seed(&store, "family-practice").await;
        let org = seeded.organization.id;
        let answer = store.answers(seeded.assessment.id).await?.remove(0);
        let item = store.action_items(org).await?.remove(0);
        let evidence = store.evidence_of(org).await?.remove(0);
        let import = store.evidence_imports(org).await?.remove(0);
        for (entity, id) in [
            (Entity::Organization, org),
            (Entity::Assessment, seeded.assessment.id),
            (Entity::Answer, answer.id),
            (Entity::ActionItem, item.id),
            (Entity::Milestone, item.milestones[0].id),
            (Entity::Evidence, evidence.id),
            (Entity::EvidenceImport, import.id),
        ] {
            assert_eq!(store.organization_of(entity, id).await?, org, "{entity}");
            // Another organization's id, or a made-up one, is unknown whatever the entity.
            let error = store.organization_of(entity, uuid::Uuid::now_v7()).await.expect_err("unknown");
            assert!(matches!(error, StoreError::NotFound { entity: e, .. } if e == entity), "{error}");
        }
        let user = store.members(org).await?.remove(0).0;
        let error = store.organization_of(Entity::User, user.id).await.expect_err("users span organizations");
        assert!(matches!(error, StoreError::Invalid(_)), "{error}");
        Ok(())
    }

    async fn sessions_expire_when_idle_and_end_with_the_password(db) {
        let clock = Arc::new(ManualClock::new(datetime!(2026-11-02 08:00 UTC)));
        let store = db.open_with_clock(clock.clone()).await?;
        let user = store.create_user(&ACTOR, "Nurse.Lead@Example.org", "Nurse Lead", Some("$argon2id$old")).await?;
        let idle = time::Duration::minutes(30);
        let (session, cookie) = store.create_session(user.id, time::Duration::hours(8)).await?;
        assert_eq!(session.last_seen_at, session.created_at);
        // Used every 20 minutes, it lives on past the idle limit counted from its start...
        for step in 1..=4 {
            clock.advance(time::Duration::minutes(20));
            let found = store.find_session(&cookie, idle).await?.ok_or("still live")?.session;
            assert_eq!(found.last_seen_at, session.created_at + time::Duration::minutes(20 * step));
        }
        // ...and ends after 30 minutes unused.
        clock.advance(time::Duration::minutes(31));
        assert_eq!(store.find_session(&cookie, idle).await?, None, "idle");
        // The absolute expiry holds however busy the session is.
        let (_, busy) = store.create_session(user.id, time::Duration::hours(1)).await?;
        for _ in 0..2 {
            clock.advance(time::Duration::minutes(25));
            assert!(store.find_session(&busy, idle).await?.is_some());
        }
        clock.advance(time::Duration::minutes(25));
        assert_eq!(store.find_session(&busy, idle).await?, None, "past its lifetime");
        // Within the recording step a find does not write.
        let (_, quiet) = store.create_session(user.id, time::Duration::hours(8)).await?;
        let mut raw = Raw::connect(db).await;
        let events = raw.scalar_i64("SELECT COUNT(*) FROM audit_events").await;
        clock.advance(time::Duration::seconds(10));
        let found = store.find_session(&quiet, idle).await?.ok_or("live")?.session;
        assert_eq!(found.last_seen_at, found.created_at, "not rewritten within {:?}", hicp_store::LAST_SEEN_STEP);
        assert_eq!(raw.scalar_i64("SELECT COUNT(*) FROM audit_events").await, events, "use is not audited");

        assert_eq!(store.delete_expired_sessions(idle).await?, 2, "the idle one and the expired one");
        assert_eq!(raw.scalar_i64("SELECT COUNT(*) FROM sessions").await, 1);
        assert_eq!(store.delete_expired_sessions(idle).await?, 0);

        let (_, second) = store.create_session(user.id, time::Duration::hours(8)).await?;
        store.set_password_hash(&ACTOR, user.id, "$argon2id$new").await?;
        assert_eq!(store.find_session(&quiet, idle).await?, None, "password change ends sessions");
        assert_eq!(store.find_session(&second, idle).await?, None);
        let credentials = store.credentials("nurse.lead@example.org").await?.ok_or("found")?;
        assert_eq!(credentials.password_hash.as_deref(), Some("$argon2id$new"));
        let (_, third) = store.create_session(user.id, time::Duration::hours(8)).await?;
        let (_, fourth) = store.create_session(user.id, time::Duration::hours(8)).await?;
        assert_eq!(store.end_sessions_of_user(&ACTOR, user.id).await?, 2);
        assert_eq!(store.find_session(&third, idle).await?, None);
        assert_eq!(store.find_session(&fourth, idle).await?, None);
        let trail = audit_actions(db).await;
        assert!(trail.iter().any(|a| a == "user.password_changed"), "{trail:?}");
        let leaked = raw.scalar_i64("SELECT COUNT(*) FROM audit_events WHERE after_json LIKE '%argon2id%' OR before_json LIKE '%argon2id%'").await;
        assert_eq!(leaked, 0, "no password hash in the trail");
        Ok(())
    }

    async fn the_first_administrator_is_created_once(db) {
        let store = db.open().await?;
        // Two setup requests at once, through two handles as two instances would be.
        let other = db.open().await?;
        let first = {
            let store = store.clone();
            tokio::spawn(async move { store.create_first_admin(&ACTOR, "root@example.org", "Root", "$argon2id$a").await })
        };
        let second = tokio::spawn(async move { other.create_first_admin(&ACTOR, "boss@example.org", "Boss", "$argon2id$b").await });
        let outcomes = [first.await?, second.await?];
        let created: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
        assert_eq!(created.len(), 1, "{outcomes:?}");
        assert!(created[0].is_admin);
        assert!(outcomes.iter().any(|o| matches!(o, Err(StoreError::AlreadySetUp))), "{outcomes:?}");
        assert_eq!(store.count_users().await?, 1);
        let credentials = store.credentials(&created[0].email).await?.ok_or("found")?;
        assert!(credentials.password_hash.is_some_and(|hash| hash.starts_with("$argon2id$")));
        let late = store.create_first_admin(&ACTOR, "late@example.org", "Late", "$argon2id$c").await;
        assert!(matches!(late, Err(StoreError::AlreadySetUp)), "{late:?}");
        Ok(())
    }

    async fn users_are_found_listed_and_made_administrators(db) {
        let store = db.open().await?;
        let ana = store.create_user(&ACTOR, "ana@example.org", "Ana", None).await?;
        let ben = store.create_user(&ACTOR, "Ben@Example.org", "Ben", None).await?;
        assert!(!ana.is_admin);
        assert_eq!(store.find_user_by_email(" BEN@example.ORG ").await?, Some(ben.clone()));
        assert_eq!(store.find_user_by_email("nobody@example.org").await?, None);
        let admin = store.set_user_admin(&ACTOR, ana.id, true).await?;
        assert!(admin.is_admin);
        assert_eq!(store.user(ana.id).await?, admin);
        // By email whatever its case.
        assert_eq!(store.list_users().await?, [admin.clone(), ben.clone()]);
        assert!(!store.set_user_admin(&ACTOR, ana.id, false).await?.is_admin);

        let organization = store.create_organization(&ACTOR, &handmade_assessment("Members").organization).await?;
        store.set_membership(&ACTOR, organization.id, ben.id, Role::Contributor).await?;
        let removed = store.remove_membership(&ACTOR, organization.id, ben.id).await?;
        assert_eq!(removed.role, Role::Contributor);
        assert_eq!(store.role_of(organization.id, ben.id).await?, None);
        let twice = store.remove_membership(&ACTOR, organization.id, ben.id).await.expect_err("not a member");
        assert!(matches!(twice, StoreError::NotFound { entity: Entity::Membership, .. }), "{twice}");
        let actions = audit_actions(db).await;
        assert_eq!(actions.iter().filter(|a| *a == "user.admin_set").count(), 2);
        Ok(())
    }

    async fn a_suggestion_decision_and_its_answer_are_written_together(db) {
        let store = db.open().await?;
        let organization = store.create_organization(&ACTOR, &handmade_assessment("Decided").organization).await?;
        let other = store.create_organization(&ACTOR, &handmade_assessment("Elsewhere").organization).await?;
        let assessment = store.create_assessment(&ACTOR, rules(), NewAssessment {
            organization_id: organization.id,
            title: "Spring",
            catalog_edition: &catalog().edition.id,
            assessment: &handmade_assessment("Decided"),
        }).await?;
        let import = store.record_evidence_import(&ACTOR, scan_import(organization.id, "may.nessus", &"cd".repeat(32)), listed(scan_hosts())).await?;
        let foreign = store.record_evidence_import(&ACTOR, scan_import(other.id, "theirs.nessus", &"ef".repeat(32)), listed(scan_hosts())).await?;
        let sub_practice: hicp_catalog::SubPracticeId = "7.M.A".parse()?;
        let evidence = ["82% of 11 hosts scanned with credentials".to_string()];
        let decision = |import_id, choice| NewSuggestionDecision {
            assessment_id: assessment.id,
            sub_practice: &sub_practice,
            import_id,
            suggested_status: Status::Largely,
            rule: "Scans exist, so at least partial.",
            evidence: &evidence,
            decision: choice,
            reason: None,
        };
        let largely = hicp_engine::Answer::with_status(Status::Largely);
        let partial = hicp_engine::Answer::with_status(Status::Partial);
        let mut raw = Raw::connect(db).await;
        let before = raw.counts().await;
        // Refused, with nothing written: another organization's import, an accept that does
        // not take the suggested status, an answer the rules refuse.
        let foreign_import = store.decide_suggestion(&ACTOR, rules(), decision(foreign.id, SuggestionChoice::Accept), AnswerChange { answer: &largely, version: None }).await;
        assert!(matches!(foreign_import, Err(StoreError::NotFound { entity: Entity::EvidenceImport, .. })), "{foreign_import:?}");
        let not_accepting = store.decide_suggestion(&ACTOR, rules(), decision(import.id, SuggestionChoice::Accept), AnswerChange { answer: &partial, version: None }).await;
        assert!(matches!(not_accepting, Err(StoreError::Invalid(_))), "{not_accepting:?}");
        let unjustified = hicp_engine::Answer::with_status(Status::NotApplicable);
        let refused = store.decide_suggestion(&ACTOR, rules(), decision(import.id, SuggestionChoice::Override), AnswerChange { answer: &unjustified, version: None }).await;
        assert!(refused.is_err(), "not applicable needs a justification");
        assert_eq!(raw.counts().await, before, "nothing written");

        let (accepted, answer) = store.decide_suggestion(&ACTOR, rules(), decision(import.id, SuggestionChoice::Accept), AnswerChange { answer: &largely, version: None }).await?;
        assert_eq!((answer.answer.status, answer.version), (Status::Largely, 1));
        assert_eq!((accepted.decision, accepted.chosen_status, accepted.import_id), (SuggestionChoice::Accept, Status::Largely, Some(import.id)));
        assert_eq!(accepted.evidence, evidence);
        // A stale version is refused, decision and all.
        let counted = raw.counts().await;
        let mut overriding = decision(import.id, SuggestionChoice::Override);
        overriding.reason = Some("  the imaging network was not scanned ");
        let stale = store.decide_suggestion(&ACTOR, rules(), overriding.clone(), AnswerChange { answer: &partial, version: Some(0) }).await;
        assert!(matches!(stale, Err(StoreError::Conflict { .. })), "{stale:?}");
        assert_eq!(raw.counts().await, counted);
        let (overridden, answer) = store.decide_suggestion(&ACTOR, rules(), overriding, AnswerChange { answer: &partial, version: Some(1) }).await?;
        assert_eq!((answer.answer.status, answer.version), (Status::Partial, 2));
        assert_eq!(overridden.reason.as_deref(), Some("the imaging network was not scanned"));
        assert_eq!(store.suggestion_decisions(assessment.id).await?, [accepted, overridden.clone()]);
        assert_eq!(store.organization_of(Entity::Suggestion, overridden.id).await?, organization.id);
        let actions = audit_actions(db).await;
        let tail: Vec<&str> = actions.iter().rev().take(4).rev().map(String::as_str).collect();
        assert_eq!(tail, ["answer.added", "suggestion.accepted", "answer.updated", "suggestion.overridden"]);
        Ok(())
    }

    async fn scanner_imports_are_kept_once_per_organization(db) {
        let clock = Arc::new(ManualClock::new(datetime!(2026-11-02 08:00 UTC)));
        let store = db.open_with_clock(clock.clone()).await?;
        let organization = store.create_organization(&ACTOR, &handmade_assessment("Scanned").organization).await?;
        let other = store.create_organization(&ACTOR, &handmade_assessment("Also Scanned").organization).await?;
        let first_hash = "ab".repeat(32);
        let first = store.record_evidence_import(&ACTOR, scan_import(organization.id, "october.nessus", &first_hash), listed(scan_hosts())).await?;
        assert_eq!((first.format.as_str(), first.size_bytes), ("nessus", 48_213));
        assert_eq!(first.summary["findings"], 7);
        let hosts = store.import_hosts(first.id).await?;
        assert_eq!(hosts.len(), 2);
        assert_eq!(hosts[1].credentialed, None);
        assert!(hosts[1].medical_device);
        let metrics = store.metric_observations(organization.id, "credentialed-scan-share").await?;
        assert_eq!(metrics.len(), 1);
        assert_eq!(metrics[0].import_id, Some(first.id));

        // The same file again is refused, saying when it came in; nothing is written.
        let mut raw = Raw::connect(db).await;
        let before = raw.counts().await;
        clock.advance(time::Duration::days(3));
        let twice = store.record_evidence_import(&ACTOR, scan_import(organization.id, "october-copy.nessus", &first_hash), listed(scan_hosts())).await;
        match twice {
            Err(error @ StoreError::AlreadyImported { .. }) => {
                assert!(error.to_string().contains("at 2026-11-02T08:00:00Z"), "{error}");
                let StoreError::AlreadyImported { sha256, imported_at } = error else {
                    unreachable!()
                };
                assert_eq!((sha256, imported_at), (first_hash.clone(), first.imported_at));
            }
            other => panic!("expected AlreadyImported, got {other:?}"),
        }
        // All or nothing: a host listed twice, a metric that is not a number, a metric of
        // another organization.
        let (cd, ef, zero_one) = ("cd".repeat(32), "ef".repeat(32), "01".repeat(32));
        let doubled = scan_import(organization.id, "doubled.nessus", &cd);
        let mut twice_listed = scan_hosts();
        twice_listed.push(twice_listed[0].clone());
        let mut keyless = scan_hosts();
        keyless[1].host_key = " ".to_string();
        let mut not_a_number = scan_import(organization.id, "nan.nessus", &cd);
        not_a_number.metrics[0].value = f64::NAN;
        let mut foreign_metric = scan_import(organization.id, "foreign.nessus", &cd);
        foreign_metric.metrics[0].organization_id = other.id;
        let bad_hash = scan_import(organization.id, "bad.nessus", "not-a-hash");
        let keyless_import = scan_import(organization.id, "keyless.nessus", &cd);
        let all_hosts = scan_hosts;
        for (bad, hosts) in [(doubled, twice_listed), (keyless_import, keyless), (not_a_number, all_hosts()), (foreign_metric, all_hosts()), (bad_hash, all_hosts())] {
            let name = bad.file_name;
            let error = store.record_evidence_import(&ACTOR, bad, listed(hosts)).await.expect_err(name);
            assert!(matches!(error, StoreError::Invalid(_)), "{name}: {error}");
        }
        // A host that cannot be read back (its temporary file failed) records nothing either.
        let failing = scan_hosts().into_iter().map(Ok).chain(std::iter::once(Err("the disk is gone".into())));
        let error = store.record_evidence_import(&ACTOR, scan_import(organization.id, "failing.nessus", &cd), failing).await.expect_err("a host fails");
        assert!(matches!(error, StoreError::ImportHosts(_)), "{error}");
        assert!(error.to_string().contains("the disk is gone"), "{error}");
        assert_eq!(raw.counts().await, before, "refused imports write nothing");

        // Another organization may import the same file; a newer scan becomes the latest.
        store.record_evidence_import(&ACTOR, scan_import(other.id, "october.nessus", &first_hash), listed(scan_hosts())).await?;
        let newer = scan_import(organization.id, "november.nessus", &ef);
        let mut first_host = scan_hosts();
        first_host.truncate(1);
        let second = store.record_evidence_import(&ACTOR, newer, listed(first_host)).await?;
        // Hosts are written in batches; a file of several batches keeps every host as given.
        let many_hash = "77".repeat(32);
        let many = scan_import(other.id, "full-scan.nessus", &many_hash);
        let many_hosts: Vec<_> = (0..250)
            .map(|i| hicp_store::ImportedHost {
                host_key: format!("host-{i:03}"),
                address: Some(format!("10.1.{}.{}", i / 100, i % 100)),
                hostname: (i % 2 == 0).then(|| format!("h{i}.example.org")),
                credentialed: (i % 5 != 0).then_some(i % 3 == 0),
                medical_device: i % 7 == 0,
            })
            .collect();
        let expected = many_hosts.clone();
        let full = store.record_evidence_import(&ACTOR, many, listed(many_hosts)).await?;
        let stored: Vec<_> = store
            .import_hosts(full.id)
            .await?
            .into_iter()
            .map(|h| hicp_store::ImportedHost {
                host_key: h.host_key,
                address: h.address,
                hostname: h.hostname,
                credentialed: h.credentialed,
                medical_device: h.medical_device,
            })
            .collect();
        assert_eq!(stored, expected);
        let mut inventory = scan_import(organization.id, "assets.csv", &zero_one);
        inventory.format = "inventory";
        store.record_evidence_import(&ACTOR, inventory, listed(scan_hosts())).await?;
        let listed = store.evidence_imports(organization.id).await?;
        assert_eq!(listed.iter().map(|i| i.file_name.as_str()).collect::<Vec<_>>(), ["october.nessus", "november.nessus", "assets.csv"]);
        let (latest, latest_hosts) = store.latest_import_hosts(organization.id, "nessus").await?.ok_or("a nessus import")?;
        assert_eq!(latest.id, second.id);
        assert_eq!(latest_hosts.iter().map(|h| h.host_key.as_str()).collect::<Vec<_>>(), ["10.0.0.5"]);
        assert_eq!(store.latest_import_hosts(organization.id, "qualys-csv").await?, None);
        assert_eq!(audit_actions(db).await.iter().filter(|a| *a == "evidence.imported").count(), 5);
        Ok(())
    }

    async fn a_second_first_answer_gets_the_current_answer(db) {
        let store = db.open().await?;
        let mut given = handmade_assessment("Two First Answers");
        let sub_practice: hicp_catalog::SubPracticeId = "1.S.A".parse()?;
        given.answers.remove(&sub_practice);
        let organization = store.create_organization(&ACTOR, &given.organization).await?;
        let assessment = store.create_assessment(&ACTOR, rules(), NewAssessment {
            organization_id: organization.id,
            title: "t",
            catalog_edition: "e",
            assessment: &given,
        }).await?;
        // Two people answer the unanswered sub-practice at once: one answer is kept, the other
        // person is shown it.
        let add = |status: Status| {
            let (store, sub_practice) = (store.clone(), sub_practice.clone());
            let answer = hicp_engine::Answer::with_status(status);
            tokio::spawn(async move { store.add_answer(&ACTOR, rules(), assessment.id, &sub_practice, &answer).await })
        };
        let (alice, bob) = (add(Status::Implemented), add(Status::Planned));
        let outcomes = [alice.await?, bob.await?];
        let kept: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
        assert_eq!(kept.len(), 1, "{outcomes:?}");
        let shown = outcomes.iter().find_map(|o| match o {
            Err(StoreError::AlreadyAnswered { current, .. }) => Some(current),
            _ => None,
        });
        assert_eq!(shown.map(|c| &**c), Some(kept[0]), "{outcomes:?}");
        let later = store.add_answer(&ACTOR, rules(), assessment.id, &sub_practice, &hicp_engine::Answer::with_status(Status::Partial)).await;
        assert!(matches!(&later, Err(StoreError::AlreadyAnswered { current, .. }) if **current == *kept[0]), "{later:?}");
        Ok(())
    }

    async fn answer_conflicts_carry_the_current_answer(db) {
        let store = db.open().await?;
        let seeded = seed(&store, "family-practice").await;
        let answer = store.answers(seeded.assessment.id).await?.remove(0);
        let mut first = answer.answer.clone();
        first.note = Some("first editor".to_string());
        let saved = store.update_answer(&ACTOR, rules(), answer.id, &first, answer.version).await?;
        let mut second = answer.answer.clone();
        second.status = Status::NotImplemented;
        match store.update_answer(&ACTOR, rules(), answer.id, &second, answer.version).await {
            Err(StoreError::Conflict { current_version, current }) => {
                assert_eq!(current_version, saved.version);
                assert_eq!(*current, saved);
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        Ok(())
    }
}
