//! The getting-started and assessment pages over HTTP, as a browser without script uses them
//! (forms carrying their `_csrf` field, redirects read by hand), on SQLite and PostgreSQL.

mod common;

use common::*;
use reqwest::Method;
use reqwest::header::LOCATION;
use serde_json::{Value, json};

/// A browser's session: the cookie only, the CSRF token sent as the forms' hidden field.
async fn browser(server: &Server, email: &str, password: &str) -> Client {
    Client {
        csrf: None,
        ..server.sign_in(email, password).await
    }
}

struct Answered {
    status: u16,
    location: String,
    body: String,
}

async fn page(client: &Client, path: &str) -> Answered {
    respond(client.request(Method::GET, path)).await
}

async fn respond(request: reqwest::RequestBuilder) -> Answered {
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response.text().await.unwrap_or_default();
    Answered {
        status,
        location,
        body,
    }
}

/// The value of the first hidden field `name` in `html`.
fn field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// Posts a form as a browser does, with the page's CSRF field first.
async fn submit(client: &Client, path: &str, csrf: &str, fields: &[(&str, &str)]) -> Answered {
    let mut all = vec![("_csrf", csrf)];
    all.extend_from_slice(fields);
    respond(client.request(Method::POST, path).form(&all)).await
}

/// The answer form of one sub-practice in a practice page.
fn answer_form<'a>(html: &'a str, sub_practice: &str) -> Option<&'a str> {
    let id = format!("id=\"sp-{}-form\"", sub_practice.replace('.', "-"));
    let start = html.find(&id)?;
    let end = html[start..].find("</form>")?;
    Some(&html[start..start + end])
}

/// The family practice, its assessment being worked on, and one page's CSRF token.
struct Practice {
    org: String,
    assessment: String,
    csrf: String,
}

async fn family_practice(client: &Client) -> Practice {
    let org = organization_id(client, FAMILY_PRACTICE).await;
    let current = page(client, &format!("/orgs/{org}/assessment")).await;
    assert_eq!(current.status, 303, "{}", current.body);
    let assessment = current
        .location
        .rsplit('/')
        .next()
        .expect("an assessment id")
        .to_string();
    let overview = page(client, &current.location).await;
    assert_eq!(overview.status, 200, "{}", overview.body);
    let csrf = field(&overview.body, "_csrf").expect("a CSRF field");
    Practice {
        org,
        assessment,
        csrf,
    }
}

impl Practice {
    fn practice(&self, number: u8) -> String {
        format!(
            "/orgs/{}/assessments/{}/practices/{number}",
            self.org, self.assessment
        )
    }

    fn answer(&self, sub_practice: &str) -> String {
        format!(
            "/orgs/{}/assessments/{}/answers/{sub_practice}",
            self.org, self.assessment
        )
    }

    fn api_answers(&self) -> String {
        format!(
            "/api/v1/organizations/{}/assessments/{}/answers",
            self.org, self.assessment
        )
    }
}

async fn stored_answer(api: &Client, practice: &Practice, sub_practice: &str) -> Value {
    let (_, answers) = api.get(&practice.api_answers()).await;
    answers
        .as_array()
        .and_then(|all| all.iter().find(|a| a["sub_practice"] == sub_practice))
        .cloned()
        .unwrap_or(Value::Null)
}

hicp_store::backend_tests! {
    async fn getting_started_creates_the_organization_with_its_tier_and_first_assessment(db) {
        let (server, password) = Server::demo(db).await;
        let admin = browser(&server, ADMIN, &password).await;
        let form = page(&admin, "/orgs/new").await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains("<label for=\"providers\">"), "{}", form.body);
        let csrf = field(&form.body, "_csrf").ok_or("a CSRF field")?;

        let wrong = submit(&admin, "/orgs/new", &csrf, &[("step", "recommend"), ("name", "Lakeside Dental"), ("providers", "three")]).await;
        assert_eq!(wrong.status, 422);
        assert!(wrong.body.contains("Write a whole number"), "{}", wrong.body);
        assert!(wrong.body.contains("role=\"alert\""));

        let sizing = [("name", "Lakeside Dental"), ("providers", "3"), ("workforce", "12"), ("it_staff", "0"), ("endpoints", "15"), ("sites", "1"), ("remote_access", "yes"), ("provides_acute_care", "no")];
        let mut recommend = vec![("step", "recommend")];
        recommend.extend(sizing);
        let tier = submit(&admin, "/orgs/new", &csrf, &recommend).await;
        assert_eq!(tier.status, 200, "{}", tier.body);
        assert!(tier.body.contains("Your recommended tier: small"), "{}", tier.body);
        // The engine's own words.
        assert!(tier.body.contains("stay below every medium-organization threshold"), "{}", tier.body);
        assert_eq!(field(&tier.body, "providers").as_deref(), Some("3"), "the answers travel on");

        let mut create = vec![("step", "create"), ("tier", "medium"), ("tier_reason", "We follow our hospital partner's medium practices.")];
        create.extend(sizing);
        let created = submit(&admin, "/orgs/new", &csrf, &create).await;
        assert_eq!(created.status, 303, "{}", created.body);
        assert!(created.location.contains("/assessments/"), "{}", created.location);
        let landed = page(&admin, &created.location).await;
        assert_eq!(landed.status, 200);
        assert!(landed.body.contains("medium tier"), "{}", landed.body);

        let org = organization_id(&admin, "Lakeside Dental").await;
        let (_, overview) = admin.get(&format!("/api/v1/organizations/{org}")).await;
        assert_eq!(overview["organization"]["tier"], "medium", "{overview}");
        assert_eq!(overview["organization"]["tier_reason"], "We follow our hospital partner's medium practices.");
        let (_, me) = admin.get("/api/v1/me").await;
        let role = me["organizations"].as_array().and_then(|all| all.iter().find(|o| o["name"] == "Lakeside Dental")).map(|o| o["role"].clone());
        assert_eq!(role, Some(json!("admin")), "{me}");

        // Without its CSRF field the form is refused.
        let forged = respond(admin.request(Method::POST, "/orgs/new").form(&create)).await;
        assert_eq!(forged.status, 403, "{}", forged.body);
        // Creating is the instance administrator's, as in the API.
        let assessor = browser(&server, ASSESSOR, &password).await;
        let theirs = page(&assessor, "/orgs/new").await;
        let csrf = field(&theirs.body, "_csrf").ok_or("a CSRF field")?;
        let other = [("step", "create"), ("name", "Shadow clinic"), ("tier", "recommended")];
        let refused = submit(&assessor, "/orgs/new", &csrf, &other).await;
        assert_eq!(refused.status, 403, "{}", refused.body);
        assert!(refused.body.contains("Only an instance administrator"), "{}", refused.body);
        server.stop().await;
        Ok(())
    }

    async fn an_answer_posted_without_script_is_saved_and_redirects_back(db) {
        let (server, password) = Server::demo(db).await;
        let assessor = browser(&server, ASSESSOR, &password).await;
        let api = server.sign_in(ASSESSOR, &password).await;
        let practice = family_practice(&assessor).await;
        let shown = page(&assessor, &practice.practice(1)).await;
        assert_eq!(shown.status, 200, "{}", shown.body);
        let form = answer_form(&shown.body, "1.S.B").ok_or("the 1.S.B form")?;
        let version = field(form, "version").ok_or("a version")?;
        assert!(form.contains("hx-post"), "htmx enhances it");
        assert!(form.contains("save-button"), "and it has a Save button without script");

        let saved = submit(&assessor, &practice.answer("1.S.B"), &practice.csrf, &[
            ("version", &version), ("status", "unknown"), ("owner", "Dana Whitfield"),
            ("note", "Refresher booked for March."), ("since", "2026-10-01"),
            ("evidence", "Training sign-in sheet 2026\nhttps://training.example/report"),
            ("justification", ""), ("q.training-at-start", "implemented"),
        ]).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert!(saved.location.ends_with("/practices/1?saved=1.S.B#sp-1-S-B"), "{}", saved.location);
        let back = page(&assessor, &saved.location).await;
        let form = answer_form(&back.body, "1.S.B").ok_or("the 1.S.B form")?;
        assert!(form.contains("save-state saved"), "{form}");
        assert!(form.contains("Refresher booked for March."));
        let stored = stored_answer(&api, &practice, "1.S.B").await;
        assert_eq!(stored["answer"]["note"], "Refresher booked for March.", "{stored}");
        assert_eq!(stored["answer"]["evidence"], json!(["Training sign-in sheet 2026", "https://training.example/report"]));
        assert_eq!(stored["answer"]["questions"]["training-at-start"], "implemented");
        assert_eq!(stored["answer"]["since"], "2026-10-01");

        // htmx sends the same form and gets the fragment back, marked saved.
        let version = stored["version"].to_string();
        let fragment = respond(assessor.request(Method::POST, &practice.answer("1.S.B")).header("hx-request", "true").form(&[
            ("_csrf", practice.csrf.as_str()), ("version", &version), ("status", "partial"), ("owner", "Dana Whitfield"),
        ])).await;
        assert_eq!(fragment.status, 200, "{}", fragment.body);
        assert!(!fragment.body.contains("<html"), "a fragment, not a page");
        assert!(fragment.body.contains("save-state saved") && fragment.body.contains("role=\"status\""), "{}", fragment.body);
        assert_eq!(stored_answer(&api, &practice, "1.S.B").await["answer"]["status"], "partial");

        // Another organization's assessment is not found under this one.
        let riverbend = organization_id(&api, "Riverbend Community Hospital").await;
        let elsewhere = format!("/orgs/{riverbend}/assessments/{}/practices/1", practice.assessment);
        assert_eq!(page(&assessor, &elsewhere).await.status, 404);
        let elsewhere = format!("/orgs/{riverbend}/assessments/{}/answers/1.S.B", practice.assessment);
        assert_eq!(submit(&assessor, &elsewhere, &practice.csrf, &[("status", "implemented")]).await.status, 404);
        server.stop().await;
        Ok(())
    }

    async fn a_stale_version_shows_the_colleagues_answer_and_keeps_it(db) {
        let (server, password) = Server::demo(db).await;
        let assessor = browser(&server, ASSESSOR, &password).await;
        let colleague = server.sign_in(ADMIN, &password).await;
        let practice = family_practice(&assessor).await;
        let shown = page(&assessor, &practice.practice(1)).await;
        let read = field(answer_form(&shown.body, "1.S.A").ok_or("the 1.S.A form")?, "version").ok_or("a version")?;
        let (status, changed) = colleague.send(Method::PUT, &format!("{}/1.S.A", practice.api_answers()), Some(json!({
            "version": read.parse::<i64>()?, "status": "largely", "note": "Changed by the practice owner.",
        }))).await;
        assert_eq!(status, 200, "{changed}");

        let mine = submit(&assessor, &practice.answer("1.S.A"), &practice.csrf, &[
            ("version", &read), ("status", "planned"), ("note", "My own note"),
        ]).await;
        assert_eq!(mine.status, 409, "{}", mine.body);
        assert!(mine.body.contains("A colleague changed this answer"), "{}", mine.body);
        assert!(mine.body.contains("My own note"), "the unsaved values are shown");
        let form = answer_form(&mine.body, "1.S.A").ok_or("the 1.S.A form")?;
        assert!(form.contains("Changed by the practice owner."), "the colleague's answer is in the form");
        assert_eq!(field(form, "version"), Some(changed["version"].to_string()), "with its version");
        let kept = stored_answer(&colleague, &practice, "1.S.A").await;
        assert_eq!(kept["answer"]["status"], "largely", "{kept}");
        assert_eq!(kept["answer"]["note"], "Changed by the practice owner.");
        server.stop().await;
        Ok(())
    }

    async fn a_contributor_sees_and_changes_only_what_is_assigned_to_them(db) {
        let (server, password) = Server::demo(db).await;
        let admin = server.sign_in(ADMIN, &password).await;
        let contributor = browser(&server, CONTRIBUTOR, &password).await;
        let practice = family_practice(&contributor).await;
        let current = stored_answer(&admin, &practice, "1.S.A").await;
        let (status, _) = admin.send(Method::PUT, &format!("/api/v1/organizations/{}/assessments/{}/answers/1.S.A", practice.org, practice.assessment), Some(json!({
            "version": current["version"], "status": "implemented", "owner": CONTRIBUTOR,
        }))).await;
        assert_eq!(status, 200);

        let shown = page(&contributor, &practice.practice(1)).await;
        assert_eq!(shown.status, 200, "{}", shown.body);
        let form = answer_form(&shown.body, "1.S.A").ok_or("the assigned sub-practice's form")?;
        let version = field(form, "version").ok_or("a version")?;
        assert!(!shown.body.contains("id=\"sp-1-S-B\""), "an unassigned sub-practice is not shown");
        assert!(shown.body.contains("belong to others"));

        let saved = submit(&contributor, &practice.answer("1.S.A"), &practice.csrf, &[("version", &version), ("status", "largely"), ("owner", CONTRIBUTOR)]).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let other = stored_answer(&admin, &practice, "1.S.B").await;
        let refused = submit(&contributor, &practice.answer("1.S.B"), &practice.csrf, &[("version", &other["version"].to_string()), ("status", "implemented")]).await;
        assert_eq!(refused.status, 403, "{}", refused.body);
        assert_eq!(stored_answer(&admin, &practice, "1.S.B").await["answer"], other["answer"]);
        server.stop().await;
        Ok(())
    }

    async fn a_viewer_reads_the_answers_without_forms(db) {
        let (server, password) = Server::demo(db).await;
        let viewer = browser(&server, VIEWER, &password).await;
        let practice = family_practice(&viewer).await;
        let shown = page(&viewer, &practice.practice(1)).await;
        assert_eq!(shown.status, 200, "{}", shown.body);
        assert!(shown.body.contains("id=\"sp-1-S-A\""), "a viewer sees every sub-practice");
        assert!(!shown.body.contains("hx-post") && !shown.body.contains("name=\"status\""), "but no answer form");
        assert!(!shown.body.contains("type=\"file\""), "and no upload");
        let refused = submit(&viewer, &practice.answer("1.S.A"), &practice.csrf, &[("version", "1"), ("status", "implemented")]).await;
        assert_eq!(refused.status, 403);
        let overview = page(&viewer, &format!("/orgs/{}/assessments/{}", practice.org, practice.assessment)).await;
        assert!(!overview.body.contains("Send for review"), "{}", overview.body);
        server.stop().await;
        Ok(())
    }

    async fn not_applicable_without_a_justification_says_so_beside_the_field(db) {
        let (server, password) = Server::demo(db).await;
        let assessor = browser(&server, ASSESSOR, &password).await;
        let api = server.sign_in(ASSESSOR, &password).await;
        let practice = family_practice(&assessor).await;
        let before = stored_answer(&api, &practice, "1.S.C").await;
        let refused = submit(&assessor, &practice.answer("1.S.C"), &practice.csrf, &[
            ("version", &before["version"].to_string()), ("status", "not_applicable"), ("justification", "  "), ("note", "kept on the form"),
        ]).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        let form = answer_form(&refused.body, "1.S.C").ok_or("the 1.S.C form")?;
        assert!(form.contains("id=\"sp-1-S-C-justification-error\" role=\"alert\""), "{form}");
        assert!(form.contains("needs a justification"), "{form}");
        assert!(form.contains("kept on the form"), "what was typed is kept");
        assert_eq!(stored_answer(&api, &practice, "1.S.C").await, before);

        let justified = submit(&assessor, &practice.answer("1.S.C"), &practice.csrf, &[
            ("version", &before["version"].to_string()), ("status", "not_applicable"), ("justification", "We keep no patient data on site."),
        ]).await;
        assert_eq!(justified.status, 303, "{}", justified.body);
        server.stop().await;
        Ok(())
    }

    async fn evidence_is_uploaded_from_the_answer(db) {
        let (server, password) = Server::demo(db).await;
        let assessor = browser(&server, ASSESSOR, &password).await;
        let practice = family_practice(&assessor).await;
        let boundary = "hicpBoundary42";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"phishing-policy.txt\"\r\nContent-Type: text/plain\r\n\r\nWe report phishing to the practice manager.\r\n--{boundary}--\r\n",
            practice.csrf
        );
        let uploaded = respond(assessor.request(Method::POST, &format!("{}/evidence", practice.answer("1.S.A")))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body)).await;
        assert_eq!(uploaded.status, 303, "{}", uploaded.body);
        assert!(uploaded.location.ends_with("/practices/1#sp-1-S-A"), "{}", uploaded.location);
        let shown = page(&assessor, &practice.practice(1)).await;
        assert!(shown.body.contains("phishing-policy.txt"), "{}", shown.body);
        server.stop().await;
        Ok(())
    }

    async fn finalizing_freezes_the_assessment_and_the_next_starts_from_it(db) {
        let (server, password) = Server::demo(db).await;
        let assessor = browser(&server, ASSESSOR, &password).await;
        let api = server.sign_in(ASSESSOR, &password).await;
        let practice = family_practice(&assessor).await;
        let status = format!("/orgs/{}/assessments/{}/status", practice.org, practice.assessment);
        assert_eq!(submit(&assessor, &status, &practice.csrf, &[("status", "in_review")]).await.status, 303);
        let unconfirmed = submit(&assessor, &status, &practice.csrf, &[("status", "final")]).await;
        assert_eq!(unconfirmed.status, 303);
        assert!(unconfirmed.location.ends_with("/finalize"), "finalizing asks first");
        let confirm = page(&assessor, &unconfirmed.location).await;
        assert!(confirm.body.contains("Yes, finalize it"), "{}", confirm.body);
        assert_eq!(submit(&assessor, &status, &practice.csrf, &[("status", "final"), ("confirm", "yes")]).await.status, 303);

        let frozen = page(&assessor, &practice.practice(1)).await;
        assert!(!frozen.body.contains("hx-post"), "a final assessment has no answer forms");
        let refused = submit(&assessor, &practice.answer("1.S.A"), &practice.csrf, &[("version", "1"), ("status", "planned")]).await;
        assert_eq!(refused.status, 409, "{}", refused.body);
        assert!(refused.body.contains("is final and cannot be changed"), "{}", refused.body);
        assert!(!refused.body.contains("A colleague changed"), "nobody did");

        let overview = page(&assessor, &format!("/orgs/{}/assessments/{}", practice.org, practice.assessment)).await;
        assert!(overview.body.contains("Start the next assessment from these answers"), "{}", overview.body);
        let next = submit(&assessor, &format!("/orgs/{}/assessments", practice.org), &practice.csrf, &[("from", &practice.assessment), ("title", "2027 self-assessment")]).await;
        assert_eq!(next.status, 303, "{}", next.body);
        let current = page(&assessor, &format!("/orgs/{}/assessment", practice.org)).await;
        assert_eq!(current.location, next.location, "the new one is the one being worked on");
        let new_id = next.location.rsplit('/').next().ok_or("an id")?;
        let (_, old) = api.get(&practice.api_answers()).await;
        let (_, new) = api.get(&format!("/api/v1/organizations/{}/assessments/{new_id}/answers", practice.org)).await;
        let statuses = |answers: &Value| -> Vec<(Value, Value)> {
            answers.as_array().map(|all| all.iter().map(|a| (a["sub_practice"].clone(), a["answer"]["status"].clone())).collect()).unwrap_or_default()
        };
        assert!(!statuses(&old).is_empty());
        assert_eq!(statuses(&new), statuses(&old), "the next assessment starts from the final one's answers");
        server.stop().await;
        Ok(())
    }
    async fn kept_evidence_suggests_a_status_that_one_button_takes(db) {
        let Some(data) = testdata() else { return Ok(()) };
        let (server, password) = Server::demo(db).await;
        let assessor = browser(&server, ASSESSOR, &password).await;
        let api = server.sign_in(ASSESSOR, &password).await;
        let practice = family_practice(&assessor).await;
        let scan = std::fs::read(data.join("python-libnessus/nessus_report_local_3.nessus"))?;
        let response = api
            .request(Method::POST, &format!("/api/v1/organizations/{}/imports?format=nessus&file_name=weekly.nessus", practice.org))
            .body(scan)
            .send()
            .await?;
        assert_eq!(response.status(), 201);
        let kept: Value = response.json().await?;
        let suggestion = kept["suggestions"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["sub_practice"].as_str().is_some_and(|id| id.contains(".S."))))
            .ok_or("a suggestion for the small tier")?;
        let id = suggestion["sub_practice"].as_str().ok_or("an id")?;
        let status = suggestion["status"].as_str().ok_or("a status")?;
        let number: u8 = id.split('.').next().ok_or("a practice")?.parse()?;
        let shown = page(&assessor, &practice.practice(number)).await;
        let anchor = format!("id=\"sp-{}\"", id.replace('.', "-"));
        let card = &shown.body[shown.body.find(&anchor).ok_or("the card")?..];
        assert!(card.contains("What your evidence suggests"), "{card}");
        // The rule in words, up to the first character HTML escapes.
        let rule = suggestion["rule"].as_str().ok_or("a rule")?;
        let unescaped = rule.split(['\'', '"', '&', '<', '>']).next().unwrap_or_default();
        assert!(unescaped.len() > 20 && card.contains(unescaped), "{rule} in {card}");
        let form = answer_form(&shown.body, id).ok_or("the form")?;
        assert!(form.contains("name=\"suggestion\" value=\"accept\""), "{form}");
        let version = field(form, "version").unwrap_or_default();
        let taken = submit(&assessor, &practice.answer(id), &practice.csrf, &[("version", &version), ("status", "unknown"), ("note", "checked with the scan"), ("suggestion", "accept")]).await;
        assert_eq!(taken.status, 303, "{}", taken.body);
        let answer = stored_answer(&api, &practice, id).await;
        assert_eq!(answer["answer"]["status"], status);
        // What else the form carried is kept, and the decision is recorded and shown.
        assert_eq!(answer["answer"]["note"], "checked with the scan");
        let (listed_status, listed) = api
            .send(Method::GET, &format!("/api/v1/organizations/{}/assessments/{}/suggestions", practice.org, practice.assessment), None)
            .await;
        assert_eq!(listed_status, 200, "{listed}");
        let decided = listed
            .as_array()
            .and_then(|all| all.iter().find(|s| s["suggestion"]["sub_practice"] == id))
            .ok_or("the suggestion listed")?;
        assert_eq!(decided["decision"]["decision"], "accept", "{decided}");
        let shown = page(&assessor, &practice.practice(number)).await;
        assert!(shown.body.contains("Accepted by assessor@demo.hicp.invalid"), "{}", shown.body);
        // Keeping one's own status is recorded as an override.
        let form = answer_form(&shown.body, id).ok_or("the form")?;
        let version = field(form, "version").unwrap_or_default();
        let kept = submit(&assessor, &practice.answer(id), &practice.csrf, &[("version", &version), ("status", "partial"), ("suggestion", "override")]).await;
        assert_eq!(kept.status, 303, "{}", kept.body);
        let shown = page(&assessor, &practice.practice(number)).await;
        assert!(shown.body.contains("Overridden, keeping"), "{}", shown.body);
        server.stop().await;
        Ok(())
    }
}
