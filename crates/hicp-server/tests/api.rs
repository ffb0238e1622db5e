//! The API over HTTP, on SQLite and on PostgreSQL: sign-in, every route's refusal of the
//! unauthenticated and of other organizations, roles, CSRF, stale writes, expiry, throttling,
//! reports, evidence, and two instances sharing one database.

mod common;

use std::sync::Arc;

use common::*;
use hicp_server::ServerConfig;
use hicp_store::{Clock, ManualClock, Role};
use reqwest::Method;
use serde_json::{Value, json};

/// Ids in one organization that the routes below fill in.
struct Ids {
    org: String,
    assessment: String,
    item: String,
    milestone: String,
    evidence: String,
}

/// Every route that names an organization, with a body where it takes one.
fn organization_routes(ids: &Ids) -> Vec<(Method, String, Option<Value>)> {
    let org = format!("/api/v1/organizations/{}", ids.org);
    let assessment = format!("{org}/assessments/{}", ids.assessment);
    let item = format!("{org}/action-items/{}", ids.item);
    vec![
        (Method::GET, org.clone(), None),
        (Method::GET, format!("{org}/members"), None),
        (
            Method::PUT,
            format!("{org}/members"),
            Some(json!({"email": VIEWER, "role": "viewer"})),
        ),
        (Method::GET, format!("{org}/audit"), None),
        (Method::GET, format!("{org}/assessments"), None),
        (
            Method::POST,
            format!("{org}/assessments"),
            Some(json!({"title": "Next year"})),
        ),
        (Method::GET, assessment.clone(), None),
        (
            Method::PUT,
            format!("{assessment}/status"),
            Some(json!({"status": "in_review"})),
        ),
        (Method::GET, format!("{assessment}/answers"), None),
        (
            Method::PUT,
            format!("{assessment}/answers/1.S.A"),
            Some(json!({"status": "implemented", "version": 1})),
        ),
        (Method::GET, format!("{assessment}/evaluation"), None),
        (Method::GET, format!("{assessment}/reports/html"), None),
        (Method::GET, format!("{org}/action-items"), None),
        (
            Method::PUT,
            format!("{item}/status"),
            Some(json!({"status": "done", "version": 1})),
        ),
        (Method::GET, format!("{item}/history"), None),
        (
            Method::PATCH,
            item.clone(),
            Some(json!({"owner": {"named": "Facilities"}, "version": 1})),
        ),
        (
            Method::PUT,
            format!("{item}/milestones/{}", ids.milestone),
            Some(json!({"done": true, "version": 1})),
        ),
        (
            Method::POST,
            format!("{org}/evidence?file_name=x.txt"),
            Some(json!("evidence")),
        ),
        (
            Method::GET,
            format!("{org}/evidence/{}", ids.evidence),
            None,
        ),
        (
            Method::DELETE,
            format!("{org}/members/00000000-0000-0000-0000-000000000000"),
            None,
        ),
        (Method::GET, format!("{org}/imports"), None),
        (
            Method::POST,
            format!("{org}/imports?format=nessus&file_name=scan.nessus"),
            Some(json!("not a scan")),
        ),
        (Method::GET, format!("{assessment}/suggestions"), None),
        (
            Method::POST,
            format!("{assessment}/suggestions/7.M.A"),
            Some(json!({"decision": "accept"})),
        ),
        // Last: it removes everything the routes above name.
        (Method::DELETE, org.clone(), None),
    ]
}

/// Ids of the demo organization `name`, with one evidence file uploaded by the admin.
async fn ids_of(admin: &Client, name: &str) -> Ids {
    let org = organization_id(admin, name).await;
    let (_, assessments) = admin
        .get(&format!("/api/v1/organizations/{org}/assessments"))
        .await;
    let assessment = assessments[0]["id"]
        .as_str()
        .expect("an assessment")
        .to_string();
    let (_, items) = admin
        .get(&format!("/api/v1/organizations/{org}/action-items"))
        .await;
    let item = items[0]["id"].as_str().expect("an action item").to_string();
    let milestone = items[0]["milestones"][0]["id"]
        .as_str()
        .expect("a milestone")
        .to_string();
    let response = admin
        .request(
            Method::POST,
            &format!("/api/v1/organizations/{org}/evidence?file_name=policy.txt"),
        )
        .body("our written policy")
        .send()
        .await
        .expect("the upload answers");
    assert_eq!(response.status(), 201);
    let evidence: Value = response.json().await.expect("JSON");
    Ids {
        org,
        assessment,
        item,
        milestone,
        evidence: evidence["id"].as_str().expect("an id").to_string(),
    }
}

hicp_store::backend_tests! {
    async fn a_demo_user_signs_in_and_reads_an_evaluation(db) {
        let (server, password) = Server::demo(db).await;
        let viewer = server.sign_in(VIEWER, &password).await;
        let (status, me) = viewer.get("/api/v1/me").await;
        assert_eq!(status, 200);
        assert_eq!(me["user"]["email"], VIEWER);
        assert_eq!(me["organizations"].as_array().map(Vec::len), Some(3), "{me}");
        assert!(me["csrf_token"].as_str().is_some_and(|t| t.len() == 64));
        let org = organization_id(&viewer, FAMILY_PRACTICE).await;
        let (status, overview) = viewer.get(&format!("/api/v1/organizations/{org}")).await;
        assert_eq!(status, 200, "{overview}");
        assert_eq!(overview["organization"]["name"], FAMILY_PRACTICE);
        let assessment = overview["assessments"][0]["id"].as_str().ok_or("an assessment")?;
        let (status, evaluation) = viewer
            .get(&format!("/api/v1/organizations/{org}/assessments/{assessment}/evaluation?budget=20000"))
            .await;
        assert_eq!(status, 200, "{evaluation}");
        assert_eq!(evaluation["tier"], "small", "{}", evaluation["tier_decision"]);
        assert_eq!(evaluation["tier_decision"]["recommended"], "small");
        assert!(evaluation["gaps"].as_array().is_some_and(|g| !g.is_empty()));
        server.stop().await;
        Ok(())
    }

    async fn every_route_refuses_the_unauthenticated(db) {
        let (server, password) = Server::demo(db).await;
        let admin = server.sign_in(ADMIN, &password).await;
        let ids = ids_of(&admin, FAMILY_PRACTICE).await;
        let stranger = server.client();
        let mut routes = organization_routes(&ids);
        routes.extend([
            (Method::GET, "/api/v1/me".to_string(), None),
            (Method::GET, "/api/v1/organizations".to_string(), None),
            (Method::POST, "/api/v1/organizations".to_string(), Some(json!({"name": "Mine"}))),
            (Method::GET, "/api/v1/me/tokens".to_string(), None),
            (Method::POST, "/api/v1/me/tokens".to_string(), Some(json!({"name": "x"}))),
            (Method::DELETE, "/api/v1/session".to_string(), None),
            (
                Method::PUT,
                "/api/v1/me/password".to_string(),
                Some(json!({"current_password": "x", "new_password": "y"})),
            ),
        ]);
        for (method, path, body) in routes {
            let response = stranger.request(method.clone(), &path).json(&body).send().await?;
            assert_eq!(response.status(), 401, "{method} {path}");
            assert_eq!(
                response.headers()["content-type"], "application/problem+json",
                "{method} {path}"
            );
        }
        let forged = Client { bearer: Some("hicp_0000".to_string()), ..server.client() };
        assert_eq!(forged.get("/api/v1/me").await.0, 401);
        server.stop().await;
        Ok(())
    }

    async fn another_organizations_ids_are_not_found(db) {
        let (server, password) = Server::demo(db).await;
        let admin = server.sign_in(ADMIN, &password).await;
        let own = ids_of(&admin, FAMILY_PRACTICE).await;
        let other = ids_of(&admin, "Riverbend Community Hospital").await;
        // A person who administers only the family practice.
        let store = server.state.store();
        let actor = hicp_store::Actor::System { component: "test" };
        let hash = hicp_server::password::hash("a long enough password".to_string()).await?;
        let user = store.create_user(&actor, "clinic@example.org", "Clinic admin", Some(&hash)).await?;
        store.set_membership(&actor, own.org.parse()?, user.id, Role::Admin).await?;
        let clinic = server.sign_in("clinic@example.org", "a long enough password").await;
        // The other organization's own routes...
        for (method, path, body) in organization_routes(&other) {
            let (status, problem) = clinic.send(method.clone(), &path, body).await;
            assert_eq!(status, 404, "{method} {path}: {problem}");
        }
        let (_, organizations) = clinic.get("/api/v1/organizations").await;
        assert_eq!(organizations.as_array().map(Vec::len), Some(1), "{organizations}");
        // ...and the other organization's ids under one's own organization (the last route
        // deletes one's own organization, so this loop comes last).
        let mixed = Ids { org: own.org.clone(), ..other };
        for (method, path, body) in organization_routes(&mixed) {
            let (status, problem) = clinic.send(method.clone(), &path, body).await;
            let names_other = path.contains(&mixed.assessment)
                || path.contains(&mixed.item)
                || path.contains(&mixed.milestone)
                || path.contains(&mixed.evidence);
            if names_other {
                assert_eq!(status, 404, "{method} {path}: {problem}");
            }
        }
        server.stop().await;
        Ok(())
    }

    async fn roles_decide_what_a_member_may_change(db) {
        let (server, password) = Server::demo(db).await;
        let admin = server.sign_in(ADMIN, &password).await;
        let ids = ids_of(&admin, FAMILY_PRACTICE).await;
        let org = format!("/api/v1/organizations/{}", ids.org);
        let answer = format!("{org}/assessments/{}/answers/1.S.A", ids.assessment);
        let (_, answers) = admin.get(&format!("{org}/assessments/{}/answers", ids.assessment)).await;
        let version = answers.as_array().and_then(|all| all.iter().find(|a| a["sub_practice"] == "1.S.A")).map(|a| a["version"].clone()).ok_or("1.S.A is answered")?;
        let change = json!({"status": "implemented", "version": version});

        let viewer = server.sign_in(VIEWER, &password).await;
        assert_eq!(viewer.send(Method::PUT, &answer, Some(change.clone())).await.0, 403);
        assert_eq!(viewer.get(&format!("{org}/assessments/{}/reports/html", ids.assessment)).await.0, 403);
        assert_eq!(viewer.get(&format!("{org}/members")).await.0, 403);
        let contributor = server.sign_in(CONTRIBUTOR, &password).await;
        let (status, problem) = contributor.send(Method::PUT, &answer, Some(change.clone())).await;
        assert_eq!(status, 403, "a contributor changes only their own: {problem}");
        let (status, _) = contributor
            .send(Method::PUT, &format!("{org}/action-items/{}/status", ids.item), Some(json!({"status": "in_progress", "version": 1})))
            .await;
        assert_eq!(status, 403);
        let auditor = server.sign_in(AUDITOR, &password).await;
        assert_eq!(auditor.send(Method::PUT, &answer, Some(change.clone())).await.0, 403);
        let response = auditor.request(Method::GET, &format!("{org}/assessments/{}/reports/html", ids.assessment)).send().await?;
        assert_eq!(response.status(), 200);
        assert!(response.text().await?.contains(FAMILY_PRACTICE));
        assert_eq!(auditor.get(&format!("{org}/audit")).await.1["intact"], true);

        let assessor = server.sign_in(ASSESSOR, &password).await;
        let (status, stored) = assessor.send(Method::PUT, &answer, Some(change.clone())).await;
        assert_eq!(status, 200, "{stored}");
        assert_eq!(stored["answer"]["status"], "implemented");
        // The same version again is stale now: 409 with the answer as it is.
        let (status, problem) = assessor.send(Method::PUT, &answer, Some(change)).await;
        assert_eq!(status, 409, "{problem}");
        assert_eq!(problem["current"]["version"], stored["version"]);
        assert_eq!(admin.get(&format!("{org}/members")).await.1.as_array().map(Vec::len), Some(5));
        server.stop().await;
        Ok(())
    }

    async fn an_evaluation_read_again_after_a_change_shows_the_change(db) {
        let (server, password) = Server::demo(db).await;
        let assessor = server.sign_in(ASSESSOR, &password).await;
        let ids = ids_of(&assessor, FAMILY_PRACTICE).await;
        let assessment = format!("/api/v1/organizations/{}/assessments/{}", ids.org, ids.assessment);
        let status_of = |view: &Value, id: &str| {
            view["sub_practices"].as_array().and_then(|all| all.iter().find(|s| s["id"] == id)).map(|s| s["status"].clone())
        };
        let (_, before) = assessor.get(&format!("{assessment}/evaluation")).await;
        let (_, again) = assessor.get(&format!("{assessment}/evaluation")).await;
        assert_eq!(before, again, "nothing changed in between");
        assert_eq!(status_of(&before, "5.S.A"), Some(json!("largely")));
        let (_, answers) = assessor.get(&format!("{assessment}/answers")).await;
        let version = answers.as_array().and_then(|all| all.iter().find(|a| a["sub_practice"] == "5.S.A")).map(|a| a["version"].clone()).ok_or("5.S.A is answered")?;
        let (status, _) = assessor
            .send(Method::PUT, &format!("{assessment}/answers/5.S.A"), Some(json!({"status": "implemented", "version": version})))
            .await;
        assert_eq!(status, 200);
        // The evaluation read before is kept for reuse, but the change makes it stale at once.
        let (_, after) = assessor.get(&format!("{assessment}/evaluation")).await;
        assert_eq!(status_of(&after, "5.S.A"), Some(json!("implemented")));
        assert!(after["overall"]["score"].as_f64() > before["overall"]["score"].as_f64());
        server.stop().await;
        Ok(())
    }

    async fn the_plan_is_worked_by_its_owners(db) {
        let (server, password) = Server::demo(db).await;
        let admin = server.sign_in(ADMIN, &password).await;
        let contributor = server.sign_in(CONTRIBUTOR, &password).await;
        let org = organization_id(&admin, FAMILY_PRACTICE).await;
        let base = format!("/api/v1/organizations/{org}");
        let (_, members) = admin.get(&format!("{base}/members")).await;
        let contributor_id = members.as_array().and_then(|all| all.iter().find(|m| m["email"] == CONTRIBUTOR)).map(|m| m["user"].clone()).ok_or("the contributor is a member")?;
        let (_, items) = admin.get(&format!("{base}/action-items")).await;
        let (mine, theirs) = (&items[0], &items[1]);
        let item = format!("{base}/action-items/{}", mine["id"].as_str().ok_or("an id")?);

        // Assigning is the plan's business: a contributor may not do it, an admin may.
        let assign = json!({"owner": {"user": contributor_id}, "due_on": "2027-02-26", "version": mine["version"]});
        assert_eq!(contributor.send(Method::PATCH, &item, Some(assign.clone())).await.0, 403);
        let (status, assigned) = admin.send(Method::PATCH, &item, Some(assign)).await;
        assert_eq!(status, 200, "{assigned}");
        assert_eq!(assigned["owner_user_id"], contributor_id);
        assert_eq!(assigned["due_on"], "2027-02-26");

        // The owner ticks off a milestone and moves the item; another item stays out of reach.
        let milestone = assigned["milestones"][0]["id"].as_str().ok_or("a milestone")?;
        let (status, ticked) = contributor
            .send(Method::PUT, &format!("{item}/milestones/{milestone}"), Some(json!({"done": true, "done_on": "2027-01-10", "version": assigned["version"]})))
            .await;
        assert_eq!(status, 200, "{ticked}");
        assert_eq!(ticked["milestones"][0]["done_on"], "2027-01-10");
        let (status, _) = contributor
            .send(Method::PUT, &format!("{base}/action-items/{}/status", theirs["id"].as_str().ok_or("an id")?), Some(json!({"status": "in_progress", "version": theirs["version"]})))
            .await;
        assert_eq!(status, 403);

        // Deferring needs a reason, which the history keeps.
        let (status, problem) = contributor
            .send(Method::PUT, &format!("{item}/status"), Some(json!({"status": "deferred", "version": ticked["version"]})))
            .await;
        assert_eq!(status, 422, "{problem}");
        let (status, deferred) = contributor
            .send(Method::PUT, &format!("{item}/status"), Some(json!({"status": "deferred", "reason": "waiting for the new budget year", "version": ticked["version"]})))
            .await;
        assert_eq!(status, 200, "{deferred}");
        assert_eq!(deferred["deferred_reason"], "waiting for the new budget year");
        let (_, history) = contributor.get(&format!("{item}/history")).await;
        assert!(history.as_array().is_some_and(|all| all.iter().any(|h| h["to_status"] == "deferred" && h["reason"] == "waiting for the new budget year")), "{history}");

        // A write at a version someone else has moved on from: 409 with the item as it is.
        let (status, problem) = admin
            .send(Method::PUT, &format!("{item}/status"), Some(json!({"status": "open", "version": ticked["version"]})))
            .await;
        assert_eq!(status, 409, "{problem}");
        assert_eq!(problem["current"]["version"], deferred["version"]);
        assert_eq!(problem["current"]["status"], "deferred");
        server.stop().await;
        Ok(())
    }

    async fn a_password_change_ends_every_session_of_the_account(db) {
        let (server, password) = Server::demo(db).await;
        let here = server.sign_in(VIEWER, &password).await;
        let elsewhere = server.sign_in(VIEWER, &password).await;
        let (status, _) = here
            .send(Method::PUT, "/api/v1/me/password", Some(json!({"current_password": "not it", "new_password": "a brand new passphrase"})))
            .await;
        assert_eq!(status, 401);
        let (status, _) = here
            .send(Method::PUT, "/api/v1/me/password", Some(json!({"current_password": password, "new_password": "short"})))
            .await;
        assert_eq!(status, 422, "too short a password is refused");
        assert_eq!(elsewhere.get("/api/v1/me").await.0, 200, "a refused change ends nothing");
        let (status, _) = here
            .send(Method::PUT, "/api/v1/me/password", Some(json!({"current_password": password, "new_password": "a brand new passphrase"})))
            .await;
        assert_eq!(status, 204);
        assert_eq!(here.get("/api/v1/me").await.0, 401);
        assert_eq!(elsewhere.get("/api/v1/me").await.0, 401);
        let (status, _) = server.client().send(Method::POST, "/api/v1/session", Some(json!({"email": VIEWER, "password": password}))).await;
        assert_eq!(status, 401, "the old password is gone");
        let again = server.sign_in(VIEWER, "a brand new passphrase").await;
        assert_eq!(again.get("/api/v1/me").await.0, 200);
        server.stop().await;
        Ok(())
    }

    async fn only_administrators_create_and_delete_organizations(db) {
        let (server, password) = Server::demo(db).await;
        let admin = server.sign_in(ADMIN, &password).await;
        let assessor = server.sign_in(ASSESSOR, &password).await;
        let (status, _) = assessor.send(Method::POST, "/api/v1/organizations", Some(json!({"name": "Shadow clinic"}))).await;
        assert_eq!(status, 403, "an assessor is no instance administrator");
        let (status, created) = admin.send(Method::POST, "/api/v1/organizations", Some(json!({"name": "Lakeside Dental"}))).await;
        assert_eq!(status, 201, "{created}");
        let org = organization_id(&admin, FAMILY_PRACTICE).await;
        let path = format!("/api/v1/organizations/{org}");
        assert_eq!(assessor.send(Method::DELETE, &path, None).await.0, 403);
        assert_eq!(admin.send(Method::DELETE, &path, None).await.0, 204);
        assert_eq!(admin.get(&path).await.0, 404);
        let (_, organizations) = admin.get("/api/v1/organizations").await;
        assert!(organizations.as_array().is_some_and(|all| all.iter().all(|o| o["name"] != FAMILY_PRACTICE)));
        let riverbend = organization_id(&admin, "Riverbend Community Hospital").await;
        let (_, audit) = admin.get(&format!("/api/v1/organizations/{riverbend}/audit")).await;
        assert_eq!(audit["intact"], true, "{audit}");
        server.stop().await;
        Ok(())
    }

    async fn a_scanner_export_is_kept_once_with_its_metrics(db) {
        let Some(data) = testdata() else { return Ok(()) };
        let (server, password) = Server::demo(db).await;
        let assessor = server.sign_in(ASSESSOR, &password).await;
        let viewer = server.sign_in(VIEWER, &password).await;
        let org = organization_id(&assessor, FAMILY_PRACTICE).await;
        let imports = format!("/api/v1/organizations/{org}/imports");
        let scan = std::fs::read(data.join("python-libnessus/nessus_report_local_3.nessus"))?;
        let findings = String::from_utf8_lossy(&scan).matches("<ReportItem ").count();
        let upload = |client: &Client, bytes: Vec<u8>| {
            client.request(Method::POST, &format!("{imports}?format=nessus&file_name=weekly.nessus")).body(bytes).send()
        };
        assert_eq!(upload(&viewer, scan.clone()).await?.status(), 403);
        let response = upload(&assessor, scan.clone()).await?;
        assert_eq!(response.status(), 201);
        let kept: Value = response.json().await?;
        assert_eq!(kept["summary"]["findings"], findings);
        assert_eq!(kept["import"]["file_name"], "weekly.nessus");
        assert_eq!(kept["metrics"]["hosts_scanned"], kept["summary"]["hosts"]);
        let again = upload(&assessor, scan).await?;
        assert_eq!(again.status(), 409, "the same file is recognized");
        let broken = upload(&assessor, b"<NessusClientData_v2><Report name=\"x\">".to_vec()).await?;
        assert_eq!(broken.status(), 422);
        let problem: Value = broken.json().await?;
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains("weekly.nessus:")), "{problem}");
        let (status, shown) = viewer.get(&imports).await;
        assert_eq!(status, 200);
        assert_eq!(shown.as_array().map(Vec::len), Some(1), "one import kept: {shown}");
        assert_eq!(shown[0]["metrics"], kept["metrics"]);
        server.stop().await;
        Ok(())
    }

    async fn suggested_answers_are_accepted_or_overridden_and_both_recorded(db) {
        let Some(data) = testdata() else { return Ok(()) };
        let (server, password) = Server::demo(db).await;
        let assessor = server.sign_in(ASSESSOR, &password).await;
        let viewer = server.sign_in(VIEWER, &password).await;
        let org = organization_id(&assessor, FAMILY_PRACTICE).await;
        let (_, assessments) = assessor.get(&format!("/api/v1/organizations/{org}/assessments")).await;
        let assessment = assessments[0]["id"].as_str().ok_or("an assessment")?.to_string();
        let list = format!("/api/v1/organizations/{org}/assessments/{assessment}/suggestions");
        let (status, none) = viewer.get(&list).await;
        assert_eq!((status, none.clone()), (200, json!([])), "no evidence kept, nothing suggested");

        let scan = std::fs::read(data.join("python-libnessus/nessus_report_local_3.nessus"))?;
        let response = assessor
            .request(Method::POST, &format!("/api/v1/organizations/{org}/imports?format=nessus&file_name=weekly.nessus"))
            .body(scan)
            .send()
            .await?;
        assert_eq!(response.status(), 201);
        let (status, shown) = viewer.get(&list).await;
        assert_eq!(status, 200, "{shown}");
        let first = &shown[0];
        let sub_practice = first["suggestion"]["sub_practice"].as_str().ok_or("a suggestion")?.to_string();
        let suggested = first["suggestion"]["status"].as_str().ok_or("a status")?.to_string();
        assert!(first["suggestion"]["rule"].as_str().is_some_and(|r| !r.is_empty()), "{first}");
        assert_eq!(first["decision"], Value::Null);
        let version = first["answer_version"].as_i64();
        let decide = format!("{list}/{sub_practice}");

        // Who may decide, and what a decision must say.
        let (status, _) = viewer.send(Method::POST, &decide, Some(json!({"decision": "accept", "version": version}))).await;
        assert_eq!(status, 403, "a viewer only reads");
        let (status, problem) = assessor.send(Method::POST, &format!("{list}/1.S.A"), Some(json!({"decision": "accept"}))).await;
        assert_eq!(status, 404, "the scan suggests nothing for email protection: {problem}");
        let (status, _) = assessor.send(Method::POST, &decide, Some(json!({"decision": "maybe"}))).await;
        assert!(status == 400 || status == 422, "{status}");
        let (status, problem) = assessor.send(Method::POST, &decide, Some(json!({"decision": "accept", "status": "implemented", "version": version}))).await;
        assert_eq!(status, 422, "accepting takes the suggested status: {problem}");
        if version.is_some() {
            let (status, problem) = assessor.send(Method::POST, &decide, Some(json!({"decision": "accept"}))).await;
            assert_eq!(status, 422, "an answered sub-practice needs the version read: {problem}");
        }

        let audit = format!("/api/v1/organizations/{org}/audit");
        let events_before = assessor.get(&audit).await.1["events"].as_u64().ok_or("an event count")?;

        // Accepted: the answer takes the suggested status.
        let (status, accepted) = assessor.send(Method::POST, &decide, Some(json!({"decision": "accept", "version": version}))).await;
        assert_eq!(status, 200, "{accepted}");
        assert_eq!(accepted["answer"]["answer"]["status"], suggested.as_str(), "{accepted}");
        assert_eq!(accepted["decision"]["decision"], "accept");
        assert_eq!(accepted["decision"]["suggested_status"], suggested.as_str());
        assert_eq!(accepted["decision"]["evidence"], first["suggestion"]["evidence"]);
        assert_eq!(accepted["decision"]["decided_by"].as_str().map(|by| by.contains(ASSESSOR)), Some(true), "{accepted}");

        // Overridden: a stale version is refused, the current one takes the assessor's status.
        let other = if suggested == "partial" { "largely" } else { "partial" };
        let overriding = |version: &Value| json!({"decision": "override", "status": other, "reason": "the scan missed the clinic's second site", "version": version});
        let (status, problem) = assessor.send(Method::POST, &decide, Some(overriding(&json!(version)))).await;
        // The version read before accepting is stale now; with none, the answer now exists.
        assert_eq!(status, if version.is_some() { 409 } else { 422 }, "{problem}");
        let (status, overridden) = assessor.send(Method::POST, &decide, Some(overriding(&accepted["answer"]["version"]))).await;
        assert_eq!(status, 200, "{overridden}");
        assert_eq!(overridden["answer"]["answer"]["status"], other);
        assert_eq!(overridden["decision"]["decision"], "override");
        assert_eq!(overridden["decision"]["chosen_status"], other);
        assert_eq!(overridden["decision"]["reason"], "the scan missed the clinic's second site");

        let (_, shown) = viewer.get(&list).await;
        let now = shown.as_array().and_then(|all| all.iter().find(|s| s["suggestion"]["sub_practice"] == sub_practice.as_str())).ok_or("still suggested")?;
        assert_eq!(now["decision"]["id"], overridden["decision"]["id"], "the latest decision is shown");
        assert_eq!(now["decided_on_this_evidence"], true);
        assert_eq!(now["answer_status"], other);
        // Two decisions, each with its answer change, and nothing for the refused ones.
        let (_, trail) = assessor.get(&audit).await;
        assert_eq!(trail["events"].as_u64(), Some(events_before + 4), "{trail}");
        assert_eq!(trail["intact"], true);
        server.stop().await;
        Ok(())
    }

    async fn changes_need_the_csrf_token_and_the_same_site(db) {
        let (server, password) = Server::demo(db).await;
        let assessor = server.sign_in(ASSESSOR, &password).await;
        let org = organization_id(&assessor, FAMILY_PRACTICE).await;
        let path = format!("/api/v1/organizations/{org}/assessments");
        let body = json!({"title": "Spring review"});
        let without = Client { csrf: None, ..assessor.clone() };
        let (status, problem) = without.send(Method::POST, &path, Some(body.clone())).await;
        assert_eq!(status, 403, "{problem}");
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains("CSRF")));
        let wrong = Client { csrf: Some("0".repeat(64)), ..assessor.clone() };
        assert_eq!(wrong.send(Method::POST, &path, Some(body.clone())).await.0, 403);
        let cross = assessor.request(Method::POST, &path).header("sec-fetch-site", "cross-site").json(&body).send().await?;
        assert_eq!(cross.status(), 403);
        let evil = assessor.request(Method::POST, &path).header("origin", "https://evil.example").json(&body).send().await?;
        assert_eq!(evil.status(), 403);
        let (status, created) = assessor.send(Method::POST, &path, Some(body)).await;
        assert_eq!(status, 201, "{created}");
        // A bearer token needs no CSRF token: browsers never attach it on their own.
        let (status, token) = assessor.send(Method::POST, "/api/v1/me/tokens", Some(json!({"name": "script"}))).await;
        assert_eq!(status, 201, "{token}");
        let script = Client { bearer: token["secret"].as_str().map(str::to_string), csrf: None, ..server.client() };
        let (status, created) = script.send(Method::POST, &path, Some(json!({"title": "From a script"}))).await;
        assert_eq!(status, 201, "{created}");
        let token_id = token["token"]["id"].as_str().ok_or("token id")?;
        assert_eq!(assessor.send(Method::DELETE, &format!("/api/v1/me/tokens/{token_id}"), None).await.0, 204);
        assert_eq!(script.get("/api/v1/me").await.0, 401);
        server.stop().await;
        Ok(())
    }

    async fn responses_carry_the_security_headers(db) {
        let (server, _) = Server::demo(db).await;
        for path in ["/", "/api/v1/me", "/api/openapi.json", "/no/such/page"] {
            let response = server.client().request(Method::GET, path).send().await?;
            let headers = response.headers();
            let csp = headers["content-security-policy"].to_str()?;
            assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["x-frame-options"], "DENY", "{path}");
            assert!(headers.contains_key("referrer-policy"), "{path}");
            assert!(headers.contains_key("x-request-id"), "{path}");
        }
        server.stop().await;
        Ok(())
    }

    async fn sessions_end_at_expiry_and_at_sign_out(db) {
        let clock = Arc::new(ManualClock::new(time::macros::datetime!(2026-11-02 09:00 UTC)));
        let store = Server::with_clock(db, clock.clone() as Arc<dyn Clock>).await;
        let (server, password) = Server::demo_with(store, ServerConfig::default()).await;
        let viewer = server.sign_in(VIEWER, &password).await;
        assert_eq!(viewer.get("/api/v1/me").await.0, 200);
        clock.advance(ServerConfig::default().session_lifetime + time::Duration::minutes(1));
        assert_eq!(viewer.get("/api/v1/me").await.0, 401);
        let again = server.sign_in(VIEWER, &password).await;
        assert_eq!(again.send(Method::DELETE, "/api/v1/session", None).await.0, 204);
        assert_eq!(again.get("/api/v1/me").await.0, 401);
        server.stop().await;
        Ok(())
    }

    async fn failed_sign_ins_are_throttled(db) {
        let (server, password) = Server::demo(db).await;
        let config = ServerConfig::default();
        let client = server.client();
        for _ in 0..config.throttle_failures {
            let (status, _) = client.send(Method::POST, "/api/v1/session", Some(json!({"email": VIEWER, "password": "wrong password guess"}))).await;
            assert_eq!(status, 401);
        }
        let response = client.request(Method::POST, "/api/v1/session").json(&json!({"email": VIEWER, "password": password})).send().await?;
        assert_eq!(response.status(), 429, "even the right password waits");
        assert!(response.headers().contains_key("retry-after"));
        server.stop().await;
        Ok(())
    }

    async fn the_setup_link_makes_the_first_account_once(db) {
        let server = Server::start(db.open().await?, ServerConfig::default()).await;
        let token = server.state.setup_token().issue(time::Duration::hours(1))?;
        let first = json!({"token": token, "email": "lead@example.org", "display_name": "Security lead", "password": "a very long passphrase"});
        let client = server.client();
        let (status, signed_in) = client.send(Method::POST, "/api/v1/setup", Some(first.clone())).await;
        assert_eq!(status, 200, "{signed_in}");
        assert_eq!(client.get("/api/v1/me").await.1["user"]["email"], "lead@example.org");
        let (status, _) = server.client().send(Method::POST, "/api/v1/setup", Some(json!({"token": token, "email": "second@example.org", "display_name": "", "password": "another long passphrase"}))).await;
        assert_eq!(status, 404);
        assert_eq!(server.state.store().count_users().await?, 1);
        server.stop().await;
        Ok(())
    }

    async fn reports_and_evidence_download(db) {
        let (server, password) = Server::demo(db).await;
        let admin = server.sign_in(ADMIN, &password).await;
        let ids = ids_of(&admin, FAMILY_PRACTICE).await;
        let org = format!("/api/v1/organizations/{}", ids.org);
        let pdf = admin.request(Method::GET, &format!("{org}/assessments/{}/reports/pdf", ids.assessment)).send().await?;
        assert_eq!(pdf.status(), 200);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        assert!(pdf.bytes().await?.starts_with(b"%PDF-"));
        let csv = admin.request(Method::GET, &format!("{org}/assessments/{}/reports/csv-plan", ids.assessment)).send().await?;
        assert_eq!(csv.status(), 200);
        assert!(csv.text().await?.lines().count() > 1);
        assert_eq!(admin.get(&format!("{org}/assessments/{}/reports/docx", ids.assessment)).await.0, 404);
        let file = admin.request(Method::GET, &format!("{org}/evidence/{}", ids.evidence)).send().await?;
        assert_eq!(file.headers()["content-type"], "application/octet-stream");
        assert_eq!(file.text().await?, "our written policy");
        let limit = ServerConfig::default().max_upload_bytes;
        let too_big = admin.request(Method::POST, &format!("{org}/evidence?file_name=big.bin")).body(vec![0u8; limit + 1]).send().await?;
        assert_eq!(too_big.status(), 413);
        server.stop().await;
        Ok(())
    }

    async fn two_instances_share_sessions_and_changes(db) {
        let (first, password) = Server::demo(db).await;
        let second = Server::start(db.open().await?, ServerConfig::default()).await;
        let assessor = first.sign_in(ASSESSOR, &password).await;
        let elsewhere = assessor.against(&second.base);
        assert_eq!(elsewhere.get("/api/v1/me").await.1["user"]["email"], ASSESSOR);
        let org = organization_id(&assessor, FAMILY_PRACTICE).await;
        let (status, created) = elsewhere
            .send(Method::POST, &format!("/api/v1/organizations/{org}/assessments"), Some(json!({"title": "Made on the second"})))
            .await;
        assert_eq!(status, 201, "{created}");
        let (_, listed) = assessor.get(&format!("/api/v1/organizations/{org}/assessments")).await;
        assert!(listed.as_array().is_some_and(|all| all.iter().any(|a| a["title"] == "Made on the second")), "{listed}");
        assert_eq!(elsewhere.send(Method::DELETE, "/api/v1/session", None).await.0, 204);
        assert_eq!(assessor.get("/api/v1/me").await.0, 401, "signed out on one is signed out on both");
        second.stop().await;
        first.stop().await;
        Ok(())
    }
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = hicp_server::openapi::document_text();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    if std::env::var_os("HICP_WRITE_OPENAPI").is_some() {
        std::fs::write(path, &generated).expect("docs/openapi.json is writable");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json differs from the API; regenerate it with HICP_WRITE_OPENAPI=1 cargo test -p hicp-server --test api openapi"
    );
    let document: Value = serde_json::from_str(&generated).expect("the document is JSON");
    assert!(
        document["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        document["openapi"]
    );
    assert!(document["paths"]["/api/v1/organizations/{org}/assessments/{assessment}/answers/{sub_practice}"]["put"].is_object());
}
