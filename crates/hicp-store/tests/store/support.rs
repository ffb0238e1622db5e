//! Shared by the store tests: real example assessments, a fully populated organization, and
//! raw SQL access for tampering and counting behind the store's back.

use std::collections::BTreeMap;

pub use hicp_store::testing::RawConnection as Raw;
use std::path::PathBuf;

use hicp_catalog::Catalog;
use hicp_engine::methodology::StatusValues;
use hicp_engine::{Answer, Assessment, EvaluationOptions, Status};
use hicp_store::{
    Actor, AnswerChange, AnswerRules, AssessmentRecord, ImportedHost, NewAssessment, NewEvidence,
    NewEvidenceImport, NewMetric, NewSuggestionDecision, OrganizationRecord, Role, Store,
    SuggestionChoice,
};
use time::macros::date;

pub const ACTOR: Actor = Actor::System {
    component: "store-tests",
};

/// A signed-in user, as the server will name one.
pub fn dana() -> Actor {
    Actor::User {
        id: uuid::Uuid::nil(),
        email: "dana@example.org".to_string(),
    }
}

/// Someone at the command line moving files between installations.
pub fn importer() -> Actor {
    Actor::Local {
        os_user: "importer".to_string(),
    }
}

/// The embedded catalog and the default status values, loaded once per test binary.
pub fn rules() -> AnswerRules<'static> {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    static STATUS_VALUES: std::sync::OnceLock<StatusValues> = std::sync::OnceLock::new();
    AnswerRules {
        catalog: CATALOG.get_or_init(catalog),
        status_values: STATUS_VALUES.get_or_init(StatusValues::default),
    }
}

pub fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

pub fn catalog() -> Catalog {
    Catalog::embedded().expect("the embedded catalog loads")
}

/// An example assessment file from `examples/`, parsed by the engine.
pub fn example(name: &str) -> Assessment {
    let path = repo_path(&format!("examples/{name}.toml"));
    let text = std::fs::read_to_string(&path).expect("example file is readable");
    hicp_engine::input::parse_assessment(&text, &path.display().to_string(), &catalog())
        .expect("example file parses")
        .assessment
}

pub struct Seeded {
    pub organization: OrganizationRecord,
    pub assessment: AssessmentRecord,
    pub parsed: Assessment,
}

/// An organization with something in every table: an assessment from an example file (one
/// answer changed since), the evaluated plan with an item started, evidence, a metric, a
/// member, a token and a session.
pub async fn seed(store: &Store, example_name: &str) -> Seeded {
    let parsed = example(example_name);
    let organization = store
        .create_organization(&ACTOR, &parsed.organization)
        .await
        .expect("organization is created");
    let catalog = catalog();
    let assessment = store
        .create_assessment(
            &ACTOR,
            rules(),
            NewAssessment {
                organization_id: organization.id,
                title: "Baseline 2026",
                catalog_edition: &catalog.edition.id,
                assessment: &parsed,
            },
        )
        .await
        .expect("assessment is created");
    let evaluation = hicp_engine::evaluate(
        &catalog,
        &parsed,
        &EvaluationOptions::new(date!(2026 - 11 - 01)),
    );
    let items = store
        .record_plan(&ACTOR, assessment.id, &evaluation.plan)
        .await
        .expect("plan is recorded");
    let first = items.first().expect("the example has plan items");
    let started = store
        .set_action_item_status(
            &ACTOR,
            first.id,
            hicp_store::ActionStatus::InProgress,
            first.version,
        )
        .await
        .expect("item is started");
    assert_eq!(started.version, first.version + 1);
    let first = store
        .set_milestone_done(
            &ACTOR,
            started.milestones[0].id,
            Some(date!(2026 - 11 - 20)),
            started.version,
        )
        .await
        .expect("a milestone is done");
    let last = items.last().expect("the example has plan items");
    assert_ne!(first.id, last.id, "the example plans more than one item");
    store
        .change_action_item_status(
            &ACTOR,
            last.id,
            hicp_store::ActionStatus::Deferred,
            Some("waiting for the EHR vendor's next release"),
            last.version,
        )
        .await
        .expect("an item is deferred");
    let answers = store.answers(assessment.id).await.expect("answers load");
    let answer = answers.first().expect("the example has answers");
    let mut changed = answer.answer.clone();
    changed.status = if changed.status == Status::Implemented {
        Status::Largely
    } else {
        Status::Implemented
    };
    changed.since = Some(date!(2026 - 10 - 15));
    store
        .update_answer(&ACTOR, rules(), answer.id, &changed, answer.version)
        .await
        .expect("answer is updated");
    store
        .add_evidence(
            &ACTOR,
            NewEvidence {
                organization_id: organization.id,
                answer_id: Some(answer.id),
                file_name: "backup-restore-test.txt",
                media_type: "text/plain",
                bytes: b"Restore of the EHR backup tested on 2026-10-15: 42 minutes, all records present.\n".to_vec(),
            },
        )
        .await
        .expect("evidence is added");
    store
        .record_metric(
            &ACTOR,
            NewMetric {
                organization_id: organization.id,
                metric: "phishing-click-rate",
                value: 0.07,
                unit: Some("ratio"),
                observed_on: date!(2026 - 10 - 01),
                source: Some("simulation campaign"),
            },
        )
        .await
        .expect("metric is recorded");
    let import = store
        .record_evidence_import(
            &ACTOR,
            scan_import(organization.id, "scan-2026-10.nessus", &"11".repeat(32)),
            listed(scan_hosts()),
        )
        .await
        .expect("a scan is imported");
    // The scan's suggestion for the last answered sub-practice, overridden by the assessor.
    let answers = store.answers(assessment.id).await.expect("answers load");
    let answer = answers.last().expect("the example has answers");
    store
        .decide_suggestion(
            &ACTOR,
            rules(),
            NewSuggestionDecision {
                assessment_id: assessment.id,
                sub_practice: &answer.sub_practice,
                import_id: import.id,
                suggested_status: Status::NotImplemented,
                rule: "Of the hosts the scanner saw, the share found in the inventory.",
                evidence: &["0 of 2 scanned hosts are in the inventory".to_string()],
                decision: SuggestionChoice::Override,
                reason: Some("the inventory lives in a spreadsheet not imported yet"),
            },
            AnswerChange {
                answer: &answer.answer,
                version: Some(answer.version),
            },
        )
        .await
        .expect("a suggestion is overridden");
    let user = store
        .create_user(
            &ACTOR,
            &format!("manager+{}@example.org", organization.id.simple()),
            "Dana Whitfield",
            Some("$argon2id$placeholder"),
        )
        .await
        .expect("user is created");
    store
        .set_membership(&ACTOR, organization.id, user.id, Role::Assessor)
        .await
        .expect("membership is set");
    store
        .create_api_token(&ACTOR, user.id, "reporting script", None)
        .await
        .expect("token is created");
    store
        .create_session(user.id, time::Duration::hours(8))
        .await
        .expect("session starts");
    Seeded {
        organization,
        assessment,
        parsed,
    }
}

/// A small assessment built in code, touching every field of an answer.
pub fn handmade_assessment(name: &str) -> Assessment {
    let mut assessment = Assessment::default();
    assessment.organization.name = name.to_string();
    assessment.organization.tier = Some(hicp_catalog::Tier::Small);
    assessment.organization.tier_reason = Some("one site, no IT staff".to_string());
    assessment.organization.sizing.providers = Some(6);
    assessment.organization.exposure.remote_access = Some(true);
    let mut full = Answer::with_status(Status::Partial);
    full.owner = Some("Dana".to_string());
    full.note = Some("half the laptops".to_string());
    full.since = Some(date!(2026 - 03 - 01));
    full.evidence = vec!["device report".to_string()];
    full.questions = BTreeMap::from([
        ("laptop-encryption".to_string(), Status::Partial),
        ("antivirus".to_string(), Status::Implemented),
    ]);
    assessment
        .answers
        .insert("2.S.A".parse().expect("id"), full);
    let mut not_applicable = Answer::with_status(Status::NotApplicable);
    not_applicable.justification = Some("no connected medical devices".to_string());
    assessment
        .answers
        .insert("9.S.A".parse().expect("id"), not_applicable);
    assessment.answers.insert(
        "1.S.A".parse().expect("id"),
        Answer::with_status(Status::Implemented),
    );
    assessment.history.push(hicp_engine::HistoryEntry {
        id: "1.S.A".parse().expect("id"),
        status: Status::Planned,
        date: date!(2025 - 01 - 10),
    });
    assessment
}

/// A dataset with what legitimately differs between installations taken out: the audit
/// events' places in each database's own chain, and the events the import itself wrote.
pub fn comparable(mut dataset: hicp_store::testing::Dataset) -> hicp_store::testing::Dataset {
    dataset.audit_events.retain(|event| {
        event.action != "organization.imported" && event.action != "database.restored"
    });
    for event in &mut dataset.audit_events {
        event.seq = 0;
        event.prev_hash.clear();
        event.hash.clear();
    }
    dataset
}

/// A scanner import (of the two [`scan_hosts`]) with one metric.
pub fn scan_import<'a>(
    organization_id: uuid::Uuid,
    file_name: &'a str,
    sha256: &'a str,
) -> NewEvidenceImport<'a> {
    NewEvidenceImport {
        organization_id,
        format: "nessus",
        file_name,
        size_bytes: 48_213,
        sha256,
        summary: serde_json::json!({"hosts": 2, "findings": 7, "by_severity": {"critical": 1, "high": 2, "medium": 1, "low": 0, "info": 3}}),
        metrics: vec![NewMetric {
            organization_id,
            metric: "credentialed-scan-share",
            value: 0.5,
            unit: Some("ratio"),
            observed_on: date!(2026 - 10 - 20),
            source: Some(file_name),
        }],
    }
}

/// The two hosts of [`scan_import`], one a medical device.
pub fn scan_hosts() -> Vec<ImportedHost> {
    vec![
        ImportedHost {
            host_key: "10.0.0.5".to_string(),
            address: Some("10.0.0.5".to_string()),
            hostname: Some("ehr-db".to_string()),
            credentialed: Some(true),
            medical_device: false,
        },
        ImportedHost {
            host_key: "10.0.0.9".to_string(),
            address: Some("10.0.0.9".to_string()),
            hostname: None,
            credentialed: None,
            medical_device: true,
        },
    ]
}

/// Hosts as the store reads them, none failing.
pub fn listed(hosts: Vec<ImportedHost>) -> impl Iterator<Item = hicp_store::HostToRecord> + Send {
    hosts.into_iter().map(Ok)
}
