//! Organizations, assessments, answers, plan, evidence, access: what goes in comes back out,
//! and the database itself refuses what the rules forbid.

use std::sync::Arc;

use hicp_engine::Status;
use hicp_store::testing::TestDatabase;
use hicp_store::{
    ActionStatus, AssessmentStatus, ManualClock, NewAssessment, NewEvidence, StoreError,
};
use time::macros::datetime;

use crate::support::{ACTOR, Raw, dana, handmade_assessment, rules, seed};

hicp_store::backend_tests! {
    async fn open_creates_and_reopens(db) {
        let store = db.open().await?;
        store.close().await;
        // A second start finds the schema current and changes nothing.
        let store = db.open().await?;
        assert!(store.list_organizations().await?.is_empty());
        let mut raw = Raw::connect(db).await;
        assert_eq!(
            raw.scalar_i64("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE").await,
            hicp_store::SCHEMA_VERSION
        );
        Ok(())
    }

    async fn assessment_round_trips_through_the_store(db) {
        let store = db.open().await?;
        let given = handmade_assessment("Round Trip Clinic");
        let organization = store.create_organization(&ACTOR, &given.organization).await?;
        let record = store
            .create_assessment(&ACTOR, rules(), NewAssessment {
                organization_id: organization.id,
                title: "First look",
                catalog_edition: "test-edition",
                assessment: &given,
            })
            .await?;
        assert_eq!(record.status, AssessmentStatus::Draft);
        let (loaded_record, loaded) = store.load_assessment(organization.id, None).await?;
        assert_eq!(loaded_record, record);
        assert_eq!(loaded, given);
        // By id and by name, ignoring surrounding blanks.
        assert_eq!(store.find_organization(&organization.id.to_string()).await?, organization);
        assert_eq!(store.find_organization("  Round Trip Clinic ").await?, organization);
        let missing = store.find_organization("Nobody").await.expect_err("unknown name");
        assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");
        let list = store.list_organizations().await?;
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].assessments, 1);
        assert_eq!(list[0].tier, Some(hicp_catalog::Tier::Small));
        Ok(())
    }

    async fn latest_assessment_is_the_newest(db) {
        let store = db.open().await?;
        let given = handmade_assessment("Two Rounds");
        let organization = store.create_organization(&ACTOR, &given.organization).await?;
        let new = |title| NewAssessment {
            organization_id: organization.id,
            title,
            catalog_edition: "e",
            assessment: &given,
        };
        let first = store.create_assessment(&ACTOR, rules(), new("2025")).await?;
        let second = store.create_assessment(&ACTOR, rules(), new("2026")).await?;
        assert_eq!(store.load_assessment(organization.id, None).await?.0.id, second.id);
        assert_eq!(store.load_assessment(organization.id, Some(first.id)).await?.0.id, first.id);
        let other = store.create_organization(&ACTOR, &handmade_assessment("Other").organization).await?;
        let error = store.load_assessment(other.id, Some(first.id)).await.expect_err("not its assessment");
        assert!(matches!(error, StoreError::NotFound { .. }), "{error}");
        Ok(())
    }

    async fn profile_changes_and_metrics_are_kept(db) {
        let store = db.open().await?;
        let given = handmade_assessment("Renamed Clinic");
        let organization = store.create_organization(&ACTOR, &given.organization).await?;
        let mut changed = organization.organization();
        changed.name = "Renamed Clinic North".to_string();
        changed.tier = Some(hicp_catalog::Tier::Medium);
        changed.exposure.patient_portal = Some(true);
        let updated = store.update_organization(&ACTOR, organization.id, &changed).await?;
        assert_eq!(updated.organization(), changed);
        assert_eq!(store.find_organization("Renamed Clinic North").await?, updated);
        let other = store.create_organization(&ACTOR, &handmade_assessment("Taken").organization).await?;
        changed.name = "Taken".to_string();
        let clash = store.update_organization(&ACTOR, organization.id, &changed).await;
        assert!(matches!(clash, Err(StoreError::DuplicateOrganizationName { ref name }) if name == "Taken"), "{clash:?}");
        assert_ne!(other.id, organization.id);
        for (day, value) in [(3u8, 0.12), (1, 0.2)] {
            store
                .record_metric(&ACTOR, hicp_store::NewMetric {
                    organization_id: organization.id,
                    metric: "phishing-click-rate",
                    value,
                    unit: Some("ratio"),
                    observed_on: time::Date::from_calendar_date(2026, time::Month::September, day)?,
                    source: None,
                })
                .await?;
        }
        let series = store.metric_observations(organization.id, "phishing-click-rate").await?;
        let values: Vec<f64> = series.iter().map(|m| m.value).collect();
        assert_eq!(values, [0.2, 0.12], "oldest observation first");
        let not_a_number = store
            .record_metric(&ACTOR, hicp_store::NewMetric {
                organization_id: organization.id,
                metric: "broken",
                value: f64::NAN,
                unit: None,
                observed_on: time::macros::date!(2026 - 09 - 01),
                source: None,
            })
            .await;
        assert!(matches!(not_a_number, Err(StoreError::Invalid(_))));
        assert!(store.list_assessments(organization.id).await?.is_empty());
        Ok(())
    }

    async fn duplicate_names_are_refused_with_a_reason(db) {
        let store = db.open().await?;
        let given = handmade_assessment("Same Name");
        store.create_organization(&ACTOR, &given.organization).await?;
        let error = store.create_organization(&ACTOR, &given.organization).await.expect_err("duplicate");
        assert!(matches!(error, StoreError::DuplicateOrganizationName { .. }), "{error}");
        assert!(error.to_string().contains("Same Name"), "{error}");
        assert_eq!(store.list_organizations().await?.len(), 1);
        Ok(())
    }

    async fn status_changes_are_recorded_in_history(db) {
        let clock = Arc::new(ManualClock::new(datetime!(2026-11-02 09:30:00.123456789 UTC)));
        let store = db.open_with_clock(clock.clone()).await?;
        let given = handmade_assessment("History Clinic");
        let organization = store.create_organization(&ACTOR, &given.organization).await?;
        let assessment = store
            .create_assessment(&ACTOR, rules(), NewAssessment {
                organization_id: organization.id,
                title: "t",
                catalog_edition: "e",
                assessment: &given,
            })
            .await?;
        let answers = store.answers(assessment.id).await?;
        let encryption = answers.iter().find(|a| a.sub_practice.to_string() == "2.S.A").ok_or("2.S.A")?;
        let mut next = encryption.answer.clone();
        next.status = Status::Implemented;
        next.since = None;
        clock.advance(time::Duration::days(1));
        let saved = store.update_answer(&dana(), rules(), encryption.id, &next, encryption.version).await?;
        assert_eq!(saved.version, encryption.version + 1);
        // No date given: the status was reached "today" by the store's clock.
        assert_eq!(saved.answer.since, Some(time::macros::date!(2026 - 11 - 03)));
        assert_eq!(saved.updated_at, datetime!(2026-11-03 09:30:00.123456 UTC));
        let history = store.answer_history(assessment.id).await?;
        let change = history.iter().find(|h| h.from_status.is_some()).ok_or("a change")?;
        assert_eq!(change.from_status, Some(Status::Partial));
        assert_eq!(change.to_status, Status::Implemented);
        assert_eq!(change.actor, dana().to_string());
        assert_eq!(change.previous_since, Some(time::macros::date!(2026 - 03 - 01)));
        // The engine sees the earlier status as an entry dated when it began.
        let (_, loaded) = store.load_assessment(organization.id, None).await?;
        assert!(loaded.history.iter().any(|h| h.id.to_string() == "2.S.A"
            && h.status == Status::Partial
            && h.date == time::macros::date!(2026 - 03 - 01)));
        // A change that keeps the status adds no history.
        let mut note_only = saved.answer.clone();
        note_only.note = Some("all laptops done".to_string());
        store.update_answer(&ACTOR, rules(), saved.id, &note_only, saved.version).await?;
        assert_eq!(store.answer_history(assessment.id).await?.len(), history.len());
        Ok(())
    }

    async fn final_assessments_cannot_change(db) {
        let store = db.open().await?;
        let given = handmade_assessment("Final Clinic");
        let organization = store.create_organization(&ACTOR, &given.organization).await?;
        let assessment = store
            .create_assessment(&ACTOR, rules(), NewAssessment {
                organization_id: organization.id,
                title: "t",
                catalog_edition: "e",
                assessment: &given,
            })
            .await?;
        let skip = store.set_assessment_status(&ACTOR, assessment.id, AssessmentStatus::Final).await;
        assert!(matches!(skip, Err(StoreError::InvalidStatusChange { from: AssessmentStatus::Draft, to: AssessmentStatus::Final })), "draft cannot jump to final: {skip:?}");
        store.set_assessment_status(&ACTOR, assessment.id, AssessmentStatus::InReview).await?;
        let done = store.set_assessment_status(&ACTOR, assessment.id, AssessmentStatus::Final).await?;
        assert!(done.finalized_at.is_some());
        let answer = store.answers(assessment.id).await?.remove(0);
        let refused = store.update_answer(&ACTOR, rules(), answer.id, &answer.answer, answer.version).await;
        assert!(matches!(refused, Err(StoreError::Immutable(id)) if id == assessment.id), "{refused:?}");
        let reopened = store.set_assessment_status(&ACTOR, assessment.id, AssessmentStatus::Draft).await;
        assert!(matches!(reopened, Err(StoreError::Immutable(_))), "{reopened:?}");
        // The database refuses too, whoever asks.
        let mut raw = Raw::connect(db).await;
        let by_hand = raw.execute("UPDATE answers SET note = 'edited by hand'").await;
        assert!(by_hand.expect_err("trigger refuses").to_string().contains("final"));
        let reopen_by_hand = raw.execute("UPDATE assessments SET status = 'draft', finalized_at = NULL").await;
        assert!(reopen_by_hand.is_err());
        Ok(())
    }

    async fn database_enforces_keys_and_checks(db) {
        let store = db.open().await?;
        let given = handmade_assessment("Checks Clinic");
        let organization = store.create_organization(&ACTOR, &given.organization).await?;
        let assessment = store
            .create_assessment(&ACTOR, rules(), NewAssessment {
                organization_id: organization.id,
                title: "t",
                catalog_edition: "e",
                assessment: &given,
            })
            .await?;
        let mut raw = Raw::connect(db).await;
        let answers_before = raw.scalar_i64("SELECT COUNT(*) FROM answers").await;
        for statement in [
            "UPDATE answers SET status = 'sort of'",
            "UPDATE answers SET justification = NULL WHERE status = 'not_applicable'",
            "UPDATE answers SET version = 0",
            "UPDATE organizations SET tier = 'huge'",
            "UPDATE assessments SET status = 'final'",
            "INSERT INTO audit_chain_head (id, seq, hash) VALUES (2, 0, 'x')",
        ] {
            let outcome = raw.execute(statement).await;
            assert!(outcome.is_err(), "the database accepted: {statement}");
        }
        let orphan = match db.backend() {
            hicp_store::Backend::Sqlite => "INSERT INTO answer_history (id, assessment_id, sub_practice, to_status, effective_on, actor, recorded_at) VALUES (randomblob(16), randomblob(16), '1.S.A', 'planned', '2026-01-01', 'x', '2026-01-01T00:00:00Z')",
            hicp_store::Backend::Postgres => "INSERT INTO answer_history (id, assessment_id, sub_practice, to_status, effective_on, actor, recorded_at) VALUES (gen_random_uuid(), gen_random_uuid(), '1.S.A', 'planned', '2026-01-01', 'x', now())",
        };
        assert!(raw.execute(orphan).await.is_err(), "history for a missing assessment was accepted");
        assert_eq!(raw.scalar_i64("SELECT COUNT(*) FROM answers").await, answers_before);
        // Not-applicable without a reason is refused before it reaches the database.
        let answer = store.answers(assessment.id).await?.remove(0);
        let mut bad = answer.answer.clone();
        bad.status = Status::NotApplicable;
        bad.justification = Some("   ".to_string());
        let refused = store.update_answer(&ACTOR, rules(), answer.id, &bad, answer.version).await;
        assert!(matches!(refused, Err(StoreError::InvalidAnswer { .. })), "{refused:?}");
        assert!(refused.is_err_and(|e| e.to_string().contains("justification")));
        Ok(())
    }

    async fn plan_items_and_their_status(db) {
        let store = db.open().await?;
        let seeded = seed(&store, "family-practice").await;
        let items = store.action_items(seeded.organization.id).await?;
        assert!(!items.is_empty());
        assert!(items.iter().all(|item| !item.milestones.is_empty()), "plan items carry milestones");
        let started = items.iter().find(|i| i.status == ActionStatus::InProgress).ok_or("started item")?;
        assert_eq!(store.action_item(seeded.organization.id, started.id).await?.as_ref(), Some(started), "one item, milestones and all");
        assert_eq!(store.action_item(uuid::Uuid::now_v7(), started.id).await?, None, "not another organization's");
        assert_eq!(store.action_item(seeded.organization.id, uuid::Uuid::now_v7()).await?, None, "no such item");
        // Recording the same plan again adds nothing.
        let evaluation = hicp_engine::evaluate(
            &crate::support::catalog(),
            &seeded.parsed,
            &hicp_engine::EvaluationOptions::new(time::macros::date!(2026 - 11 - 01)),
        );
        assert!(store.record_plan(&ACTOR, seeded.assessment.id, &evaluation.plan).await?.is_empty());
        assert_eq!(store.action_items(seeded.organization.id).await?.len(), items.len());
        let stale = store.set_action_item_status(&ACTOR, started.id, ActionStatus::Done, started.version - 1).await;
        assert!(matches!(stale, Err(StoreError::StaleVersion { current_version, .. }) if current_version == started.version), "{stale:?}");
        let done = store.set_action_item_status(&ACTOR, started.id, ActionStatus::Done, started.version).await?;
        assert_eq!(done.status, ActionStatus::Done);
        let history = store.action_item_history(started.id).await?;
        let path: Vec<_> = history.iter().map(|h| (h.from_status, h.to_status)).collect();
        assert_eq!(path, [
            (None, ActionStatus::Open),
            (Some(ActionStatus::Open), ActionStatus::InProgress),
            (Some(ActionStatus::InProgress), ActionStatus::Done),
        ]);
        Ok(())
    }

    async fn evidence_is_kept_in_the_database_and_verified(db) {
        let store = db.open().await?;
        let given = handmade_assessment("Evidence Clinic");
        let organization = store.create_organization(&ACTOR, &given.organization).await?;
        let bytes = b"%PDF-1.7 pretend policy document";
        let new = || NewEvidence {
            organization_id: organization.id,
            answer_id: None,
            file_name: "policy.pdf",
            media_type: "application/pdf",
            bytes: bytes.to_vec(),
        };
        let first = store.add_evidence(&ACTOR, new()).await?;
        let second = store.add_evidence(&ACTOR, new()).await?;
        assert_eq!(first.sha256, second.sha256);
        assert_eq!(first.size_bytes, bytes.len() as u64);
        assert!(!db.dir().join("evidence").exists(), "no evidence folder is written");
        let (record, read) = store.read_evidence(first.id).await?;
        assert_eq!((record, read.as_slice()), (first.clone(), &bytes[..]));
        assert_eq!(store.evidence_of(organization.id).await?, [first.clone(), second.clone()]);
        let mut raw = Raw::connect(db).await;
        let swapped = match db.backend() {
            hicp_store::Backend::Sqlite => "UPDATE evidence_contents SET bytes = X'73776170706564'",
            hicp_store::Backend::Postgres => "UPDATE evidence_contents SET bytes = '\\x73776170706564'::bytea",
        };
        assert_eq!(raw.execute(swapped).await?, 2);
        let tampered = store.read_evidence(first.id).await.expect_err("hash mismatch");
        assert!(matches!(tampered, StoreError::Evidence { .. }), "{tampered}");
        assert!(tampered.to_string().contains("changed"), "{tampered}");
        Ok(())
    }

    async fn tokens_and_sessions_are_stored_hashed(db) {
        let clock = Arc::new(ManualClock::new(datetime!(2026-11-02 08:00 UTC)));
        let store = db.open_with_clock(clock.clone()).await?;
        let user = store.create_user(&ACTOR, "lead@example.org", "Security Lead", None).await?;
        let (token, secret) = store
            .create_api_token(&ACTOR, user.id, "ci", Some(datetime!(2026-12-01 00:00 UTC)))
            .await?;
        assert!(secret.starts_with(hicp_store::SECRET_PREFIX));
                assert_eq!(store.authenticate_api_token(&secret).await?.map(|t| t.id), Some(token.id));
        assert_eq!(store.authenticate_api_token("hicp_wrong").await?, None);
        let mut raw = Raw::connect(db).await;
        let leaked = raw
            .scalar_i64(&format!("SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{secret}' OR name = '{secret}'"))
            .await;
        assert_eq!(leaked, 0, "the secret itself must not be stored");
        clock.advance(time::Duration::days(40));
        assert_eq!(store.authenticate_api_token(&secret).await?, None, "expired");
        let (_, forever) = store.create_api_token(&ACTOR, user.id, "forever", None).await?;
        let forever_id = store.authenticate_api_token(&forever).await?.ok_or("valid")?.id;
        store.revoke_api_token(&ACTOR, forever_id).await?;
        assert_eq!(store.authenticate_api_token(&forever).await?, None, "revoked");

        let (session, cookie) = store.create_session(user.id, time::Duration::hours(8)).await?;
        let live = store.find_session(&cookie, time::Duration::hours(1)).await?.ok_or("live")?;
        assert_eq!((live.session, live.user), (session, user.clone()), "the session with its user");
        clock.advance(time::Duration::hours(9));
        assert_eq!(store.find_session(&cookie, time::Duration::hours(1)).await?, None, "expired");
        let (_, cookie) = store.create_session(user.id, time::Duration::hours(8)).await?;
        store.end_session(&ACTOR, &cookie).await?;
        assert_eq!(store.find_session(&cookie, time::Duration::hours(1)).await?, None, "ended");

        let organization = store.create_organization(&ACTOR, &handmade_assessment("Roles").organization).await?;
        assert_eq!(store.role_of(organization.id, user.id).await?, None);
        assert_eq!(store.membership_in(organization.id, user.id).await?, None, "not a member");
        store.set_membership(&ACTOR, organization.id, user.id, hicp_store::Role::Viewer).await?;
        store.set_membership(&ACTOR, organization.id, user.id, hicp_store::Role::Auditor).await?;
        assert_eq!(store.role_of(organization.id, user.id).await?, Some(hicp_store::Role::Auditor));
        assert_eq!(
            store.membership_in(organization.id, user.id).await?,
            Some((hicp_store::Role::Auditor, organization.clone())),
            "the role with the organization"
        );
        assert_eq!(store.membership_in(uuid::Uuid::now_v7(), user.id).await?, None, "no such organization");
        Ok(())
    }
}

#[tokio::test]
async fn unsupported_urls_are_refused_with_the_forms_that_work() {
    for url in [
        "mysql://localhost/hicp",
        "hicp.sqlite3",
        "sqlite://",
        "sqlite::memory:",
    ] {
        let error = hicp_store::Store::open(url).await.expect_err(url);
        assert!(
            matches!(error, StoreError::UnsupportedUrl(_)),
            "{url}: {error}"
        );
        assert!(error.to_string().contains("sqlite://PATH"), "{error}");
        assert!(
            !error.to_string().contains("hicp "),
            "names no command: {error}"
        );
    }
}

#[tokio::test]
async fn sqlite_file_and_folder_are_created_on_first_run() {
    let db = TestDatabase::create(hicp_store::Backend::Sqlite)
        .await
        .expect("sqlite");
    let path = db.dir().join("nested/deeper/hicp.sqlite3");
    let store = hicp_store::Store::open(&format!("sqlite://{}", path.display()))
        .await
        .expect("opens");
    assert!(path.exists());
    let mut raw = Raw::connect_url(
        hicp_store::Backend::Sqlite,
        &format!("sqlite://{}", path.display()),
    )
    .await;
    if let Raw::Sqlite(connection) = &mut raw {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(connection)
            .await
            .expect("pragma");
        assert_eq!(mode, "wal");
    }
    store.close().await;
}
