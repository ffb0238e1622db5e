//! Several writers at once: no lost update, one well-ordered audit chain.

use hicp_engine::Status;
use hicp_store::{NewAssessment, NewMetric, StoreError};

use crate::support::{ACTOR, Raw, handmade_assessment, rules};
use hicp_store::Actor;

hicp_store::backend_tests! {
    async fn two_editors_of_one_answer_never_overwrite_each_other(db) {
        let store = db.open().await?;
        let given = handmade_assessment("Busy Clinic");
        let organization = store.create_organization(&ACTOR, &given.organization).await?;
        let assessment = store
            .create_assessment(&ACTOR, rules(), NewAssessment { organization_id: organization.id, title: "t", catalog_edition: "e", assessment: &given })
            .await?;
        let answer = store.answers(assessment.id).await?.remove(0);
        // Both opened the answer at the same version and save at the same time.
        let edit = |who: &'static str, status: Status| {
            let who = Actor::Local { os_user: who.to_string() };
            let store = store.clone();
            let mut changed = answer.answer.clone();
            changed.status = status;
            changed.note = Some(format!("saved by {who}"));
            let (id, version) = (answer.id, answer.version);
            tokio::spawn(async move { store.update_answer(&who, rules(), id, &changed, version).await })
        };
        let alice = edit("user:alice", Status::Implemented);
        let bob = edit("user:bob", Status::Planned);
        let outcomes = [alice.await?, bob.await?];
        let winners: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
        let conflicts: Vec<_> = outcomes
            .iter()
            .filter_map(|o| match o {
                Err(StoreError::Conflict { current_version, current }) => Some((*current_version, current)),
                _ => None,
            })
            .collect();
        assert_eq!((winners.len(), conflicts.len()), (1, 1), "{outcomes:?}");
        let winner = winners[0];
        assert_eq!(winner.version, answer.version + 1);
        // The loser is told what is there now: the winner's answer.
        assert_eq!(conflicts[0].0, winner.version);
        assert_eq!(conflicts[0].1.answer, winner.answer);
        let stored = store.answers(assessment.id).await?.into_iter().find(|a| a.id == answer.id).ok_or("answer")?;
        assert_eq!(&stored, winner);
        assert_eq!(store.verify_audit().await?.broken, None);
        Ok(())
    }

    async fn two_editors_of_one_action_item_never_overwrite_each_other(db) {
        let store = db.open().await?;
        let seeded = crate::support::seed(&store, "family-practice").await;
        let item = store
            .action_items(seeded.organization.id)
            .await?
            .into_iter()
            .find(|i| i.status == hicp_store::ActionStatus::Open)
            .ok_or("an open item")?;
        // One finishes the item while the other gives it a new owner, both from one version.
        let finish = {
            let (store, id, version) = (store.clone(), item.id, item.version);
            tokio::spawn(async move {
                store.set_action_item_status(&ACTOR, id, hicp_store::ActionStatus::Done, version).await
            })
        };
        let reassign = {
            let (store, id, version) = (store.clone(), item.id, item.version);
            tokio::spawn(async move {
                let edit = hicp_store::ActionItemEdit {
                    owner: Some(hicp_store::ActionOwner::Named("IT contractor".to_string())),
                    due_on: None,
                };
                store.update_action_item(&ACTOR, id, edit, version).await
            })
        };
        let outcomes = [finish.await?, reassign.await?];
        let winners: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
        let stale: Vec<_> = outcomes
            .iter()
            .filter_map(|o| match o {
                Err(StoreError::StaleVersion { current_version, current }) => Some((*current_version, current)),
                _ => None,
            })
            .collect();
        assert_eq!((winners.len(), stale.len()), (1, 1), "{outcomes:?}");
        assert_eq!(winners[0].version, item.version + 1);
        assert_eq!((stale[0].0, &**stale[0].1), (winners[0].version, winners[0]));
        let stored = store.action_items(seeded.organization.id).await?.into_iter().find(|i| i.id == item.id).ok_or("item")?;
        assert_eq!(&stored, winners[0]);
        Ok(())
    }

    async fn concurrent_writers_share_one_unbroken_chain(db) {
        let store = db.open().await?;
        let mut tasks = Vec::new();
        for n in 0..12 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let organization = store
                    .create_organization(&ACTOR, &handmade_assessment(&format!("Clinic {n}")).organization)
                    .await?;
                for day in 1..=3u8 {
                    store
                        .record_metric(&ACTOR, NewMetric {
                            organization_id: organization.id,
                            metric: "patched-endpoints",
                            value: f64::from(day),
                            unit: None,
                            observed_on: time::Date::from_calendar_date(2026, time::Month::October, day)?,
                            source: None,
                        })
                        .await?;
                }
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            }));
        }
        for task in tasks {
            task.await??;
        }
        let report = store.verify_audit().await?;
        assert_eq!(report.broken, None);
        assert_eq!(report.events, 12 * 4);
        let mut raw = Raw::connect(db).await;
        assert_eq!(raw.scalar_i64("SELECT MAX(seq) - MIN(seq) + 1 FROM audit_events").await, 48);
        assert_eq!(raw.scalar_i64("SELECT COUNT(DISTINCT prev_hash) FROM audit_events").await, 48);
        Ok(())
    }
}
