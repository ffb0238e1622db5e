//! The action plan, administration and account pages over HTTP, as a browser without script
//! uses them: forms posted with their hidden CSRF field, answers followed by hand (303s).

mod common;

use common::*;
use reqwest::Method;
use serde_json::Value;

/// A browser signed in through the sign-in form: a cookie and no CSRF header, so every change
/// must carry the page's `_csrf` field.
async fn browser(server: &Server, email: &str, password: &str) -> Client {
    let client = server.client();
    let response = client
        .request(Method::POST, "/sign-in")
        .form(&[("email", email), ("password", password), ("next", "/")])
        .send()
        .await
        .expect("the sign-in form answers");
    assert_eq!(response.status(), 303, "signing in as {email}");
    client
}

/// The page at `path`: its status and text.
async fn page(client: &Client, path: &str) -> (u16, String) {
    let response = client
        .request(Method::GET, path)
        .send()
        .await
        .expect("the page answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a text page"))
}

/// The CSRF token the page's forms carry.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("the page has a form") + marker.len();
    html[start..start + 64].to_string()
}

/// Posts a form with the page's CSRF token; the status, the `Location` and the text.
async fn post(
    client: &Client,
    path: &str,
    csrf: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let mut form: Vec<(&str, &str)> = vec![("_csrf", csrf)];
    form.extend_from_slice(fields);
    let response = client
        .request(Method::POST, path)
        .form(&form)
        .send()
        .await
        .expect("the form answers");
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, location, response.text().await.unwrap_or_default())
}

/// "Showing N of M items." as (N, M).
fn shown(html: &str) -> (usize, usize) {
    let start = html
        .find("Showing ")
        .expect("the plan says how many it shows")
        + "Showing ".len();
    let words: Vec<&str> = html[start..].split_whitespace().take(3).collect();
    (
        words[0].parse().expect("a count"),
        words[2].parse().expect("a total"),
    )
}

/// The demo family practice's action items through the API, and the contributor's id.
async fn items(api: &Client, org: &str) -> Vec<Value> {
    let (_, items) = api
        .get(&format!("/api/v1/organizations/{org}/action-items"))
        .await;
    items.as_array().cloned().unwrap_or_default()
}

async fn member_id(api: &Client, org: &str, email: &str) -> String {
    let (_, members) = api
        .get(&format!("/api/v1/organizations/{org}/members"))
        .await;
    members
        .as_array()
        .and_then(|all| all.iter().find(|m| m["email"] == email))
        .and_then(|m| m["user"].as_str())
        .expect("a member")
        .to_string()
}

hicp_store::backend_tests! {
    async fn the_plan_lists_items_by_quarter_with_budgets_and_filters(db) {
        let (server, password) = Server::demo(db).await;
        let api = server.sign_in(ADMIN, &password).await;
        let org = organization_id(&api, FAMILY_PRACTICE).await;
        let viewer = browser(&server, VIEWER, &password).await;

        let (status, html) = page(&viewer, &format!("/orgs/{org}/plan")).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("aria-current=\"page\">Action plan"), "the navigation marks the plan");
        assert!(html.contains("-Q"), "periods are quarters: {html}");
        assert!(html.contains("This quarter’s work costs about"), "each quarter says what it spends");
        let (all, total) = shown(&html);
        assert!(all > 3 && all == total, "{all} of {total}");

        // A filter narrows the list; a GET form, so it works without script.
        let (status, filtered) = page(&viewer, &format!("/orgs/{org}/plan?practice=1")).await;
        assert_eq!(status, 200);
        let (some, same_total) = shown(&filtered);
        assert!(some < all && same_total == total, "{some} of {same_total}");
        let (_, none) = page(&viewer, &format!("/orgs/{org}/plan?status=done")).await;
        assert_eq!(shown(&none).0, 0);

        // A budget re-plans: the quarters fill only as far as the money goes.
        let (status, tight) = page(&viewer, &format!("/orgs/{org}/plan?budget=1000")).await;
        assert_eq!(status, 200, "{tight}");
        assert!(tight.contains("of the $1,000 budget"), "the budget is shown");
        assert!(tight.contains("Not in the plan yet"), "what the budget cannot buy is listed");
        assert_ne!(tight.matches("<tr class=\"overdue\"").count() + tight.matches("<tr>").count(), 0);
        let (status, bad) = page(&viewer, &format!("/orgs/{org}/plan?budget=lots")).await;
        assert_eq!(status, 200);
        assert!(bad.contains("role=\"alert\">Write the budget as a whole number"), "{bad}");
        server.stop().await;
        Ok(())
    }

    async fn a_contributor_works_their_own_item_and_no_other(db) {
        let (server, password) = Server::demo(db).await;
        let api = server.sign_in(ADMIN, &password).await;
        let org = organization_id(&api, FAMILY_PRACTICE).await;
        let contributor_id = member_id(&api, &org, CONTRIBUTOR).await;
        let items = items(&api, &org).await;
        let mine = items[0]["id"].as_str().ok_or("an id")?.to_string();
        let theirs = &items[1];

        // The admin assigns the item with its page's form.
        let admin = browser(&server, ADMIN, &password).await;
        let (_, html) = page(&admin, &format!("/orgs/{org}/plan/{mine}")).await;
        let csrf = csrf_of(&html);
        let owner = format!("user:{contributor_id}");
        let version = items[0]["version"].to_string();
        let (status, location, _) = post(&admin, &format!("/orgs/{org}/plan/{mine}"), &csrf, &[("owner", &owner), ("due_on", "2026-10-01"), ("version", &version)]).await;
        assert_eq!(status, 303);
        assert!(location.starts_with(&format!("/orgs/{org}/plan/{mine}")), "{location}");

        // The contributor sees it overdue, in words, and moves it along.
        let contributor = browser(&server, CONTRIBUTOR, &password).await;
        let (status, html) = page(&contributor, &format!("/orgs/{org}/plan/{mine}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("Overdue"), "an item past its date says so");
        assert!(!html.contains("Save owner and date"), "a contributor does not reassign work");
        let csrf = csrf_of(&html);
        let item: Value = api.get(&format!("/api/v1/organizations/{org}/action-items")).await.1
            .as_array().and_then(|all| all.iter().find(|i| i["id"] == mine.as_str()).cloned()).ok_or("the item")?;
        let version = item["version"].to_string();
        let (status, _, _) = post(&contributor, &format!("/orgs/{org}/plan/{mine}/status"), &csrf, &[("status", "in_progress"), ("reason", ""), ("version", &version)]).await;
        assert_eq!(status, 303);
        let (_, plan) = page(&contributor, &format!("/orgs/{org}/plan?status=overdue")).await;
        assert!(plan.contains("<tr class=\"overdue\">"), "the overdue row is marked");

        // A milestone ticks off with its checkbox form.
        let (_, html) = page(&contributor, &format!("/orgs/{org}/plan/{mine}")).await;
        let version = (item["version"].as_i64().ok_or("a version")? + 1).to_string();
        let milestone = item["milestones"][0]["id"].as_str().ok_or("a milestone")?;
        assert!(html.contains(&format!("id=\"milestone-{milestone}\"")));
        let (status, _, _) = post(&contributor, &format!("/orgs/{org}/plan/{mine}/milestones/{milestone}"), &csrf, &[("done", "on"), ("version", &version)]).await;
        assert_eq!(status, 303);
        let (_, html) = page(&contributor, &format!("/orgs/{org}/plan/{mine}")).await;
        assert!(html.contains(" checked>"), "the milestone is ticked");

        // Deferring without a reason is refused with the API's words; with one, the history keeps it.
        let version = (item["version"].as_i64().ok_or("a version")? + 2).to_string();
        let (status, _, html) = post(&contributor, &format!("/orgs/{org}/plan/{mine}/status"), &csrf, &[("status", "deferred"), ("reason", " "), ("version", &version)]).await;
        assert_eq!(status, 422);
        assert!(html.contains("role=\"alert\">Deferring an action item needs a reason."), "{html}");
        let (status, _, _) = post(&contributor, &format!("/orgs/{org}/plan/{mine}/status"), &csrf, &[("status", "deferred"), ("reason", "waiting for next year's budget"), ("version", &version)]).await;
        assert_eq!(status, 303);
        let (_, html) = page(&contributor, &format!("/orgs/{org}/plan/{mine}")).await;
        assert!(html.contains("<td>In progress</td><td>Deferred</td>"), "the history shows the move");
        assert!(html.contains("waiting for next year&#x27;s budget") || html.contains("waiting for next year&#39;s budget"), "{html}");

        // A stale form is answered with the item as it is now.
        let (status, _, html) = post(&contributor, &format!("/orgs/{org}/plan/{mine}/status"), &csrf, &[("status", "done"), ("reason", ""), ("version", &version)]).await;
        assert_eq!(status, 409);
        assert!(html.contains("changed by someone else"), "{html}");

        // Another item: refused with a page saying so.
        let other = theirs["id"].as_str().ok_or("an id")?;
        let (_, html) = page(&contributor, &format!("/orgs/{org}/plan/{other}")).await;
        assert!(html.contains("not assigned to you"), "the page says why it offers no form");
        let (status, _, html) = post(&contributor, &format!("/orgs/{org}/plan/{other}/status"), &csrf, &[("status", "done"), ("version", &theirs["version"].to_string())]).await;
        assert_eq!(status, 403);
        assert!(html.contains("Not allowed") && html.contains("not assigned to you"), "{html}");
        server.stop().await;
        Ok(())
    }

    async fn a_contributor_tracks_new_work_and_closes_it(db) {
        let (server, password) = Server::demo(db).await;
        let api = server.sign_in(ASSESSOR, &password).await;
        let org = organization_id(&api, FAMILY_PRACTICE).await;
        let (_, assessments) = api.get(&format!("/api/v1/organizations/{org}/assessments")).await;
        let assessment = assessments.as_array().and_then(|all| all.last()).and_then(|a| a["id"].as_str()).ok_or("an assessment")?.to_string();
        let base = format!("/api/v1/organizations/{org}/assessments/{assessment}");
        let (_, answers) = api.get(&format!("{base}/answers")).await;
        let answer = answers.as_array().and_then(|all| all.iter().find(|a| a["answer"]["status"] == "implemented")).ok_or("an implemented answer")?;
        let sub_practice = answer["sub_practice"].as_str().ok_or("an id")?;
        // A slip: what was in place is not any more, so it is new work, not yet tracked.
        let (status, _) = api.send(Method::PUT, &format!("{base}/answers/{sub_practice}"), Some(serde_json::json!({"status": "not_implemented", "version": answer["version"]}))).await;
        assert_eq!(status, 200);

        let contributor = browser(&server, CONTRIBUTOR, &password).await;
        let (_, html) = page(&contributor, &format!("/orgs/{org}/plan")).await;
        let field = format!("name=\"sub_practice\" value=\"{sub_practice}\"");
        assert!(html.contains(&field), "the new work can be tracked: {html}");
        let csrf = csrf_of(&html);
        let (status, location, _) = post(&contributor, &format!("/orgs/{org}/plan/track"), &csrf, &[("sub_practice", sub_practice), ("budget", ""), ("staff_days", ""), ("periods", "")]).await;
        assert_eq!(status, 303);
        let (status, html) = page(&contributor, &location).await;
        assert_eq!(status, 200);
        assert!(html.contains(CONTRIBUTOR) && html.contains("Change status"), "the contributor owns it and may work it");
        let item = location.split('/').nth(4).and_then(|rest| rest.split('?').next()).ok_or("an item id")?;
        let (status, _, _) = post(&contributor, &format!("/orgs/{org}/plan/{item}/status"), &csrf, &[("status", "done"), ("version", "1")]).await;
        assert_eq!(status, 303);
        let tracked = items(&api, &org).await.into_iter().find(|i| i["id"] == item).ok_or("the item is kept")?;
        assert_eq!(tracked["status"], "done");
        assert_eq!(tracked["owner"], CONTRIBUTOR);

        // Tracked once; a viewer tracks nothing.
        let (status, _, html) = post(&contributor, &format!("/orgs/{org}/plan/track"), &csrf, &[("sub_practice", sub_practice)]).await;
        assert_eq!(status, 409, "{html}");
        let route = format!("/api/v1/organizations/{org}/action-items");
        let again = serde_json::json!({"sub_practice": sub_practice});
        assert_eq!(api.send(Method::POST, &route, Some(again.clone())).await.0, 409, "the API says the same");
        assert_eq!(server.client().send(Method::POST, &route, Some(again)).await.0, 401);
        let (status, problem) = api.send(Method::POST, &route, Some(serde_json::json!({"sub_practice": "9.L.Z"}))).await;
        assert_eq!(status, 422, "{problem}");
        let viewer = browser(&server, VIEWER, &password).await;
        let (_, html) = page(&viewer, &format!("/orgs/{org}/plan")).await;
        assert!(!html.contains("Track this"));
        let (status, _, _) = post(&viewer, &format!("/orgs/{org}/plan/track"), &csrf_of(&html), &[("sub_practice", "1.S.A")]).await;
        assert_eq!(status, 403);
        server.stop().await;
        Ok(())
    }

    async fn plan_forms_need_the_csrf_field_and_their_own_organization(db) {
        let (server, password) = Server::demo(db).await;
        let api = server.sign_in(ADMIN, &password).await;
        let org = organization_id(&api, FAMILY_PRACTICE).await;
        let other_org = organization_id(&api, "Riverbend Community Hospital").await;
        let item = &items(&api, &org).await[0];
        let id = item["id"].as_str().ok_or("an id")?;
        let admin = browser(&server, ADMIN, &password).await;
        let (_, html) = page(&admin, &format!("/orgs/{org}/plan/{id}")).await;
        let csrf = csrf_of(&html);

        let response = admin.request(Method::POST, &format!("/orgs/{org}/plan/{id}/status"))
            .form(&[("status", "done"), ("version", &item["version"].to_string())])
            .send().await?;
        assert_eq!(response.status(), 403, "no CSRF field, no change");
        let (status, _) = page(&admin, &format!("/orgs/{other_org}/plan/{id}")).await;
        assert_eq!(status, 404, "an item is found only under its organization");
        let (status, _, _) = post(&admin, &format!("/orgs/{other_org}/plan/{id}/status"), &csrf, &[("status", "done"), ("version", &item["version"].to_string())]).await;
        assert_eq!(status, 404);
        let (status, _, html) = post(&admin, &format!("/orgs/{org}/plan/{id}"), &csrf, &[("owner", "nobody"), ("due_on", "31/12/2027"), ("version", &item["version"].to_string())]).await;
        assert_eq!(status, 422);
        assert!(html.contains("role=\"alert\">Write the due date as year-month-day"), "{html}");

        // Nobody signed in: sent to sign in, and back.
        let (status, _) = page(&server.client(), &format!("/orgs/{org}/plan")).await;
        assert_eq!(status, 303);
        server.stop().await;
        Ok(())
    }

    async fn an_administrator_manages_members_and_others_are_refused(db) {
        let (server, password) = Server::demo(db).await;
        let api = server.sign_in(ADMIN, &password).await;
        let org = organization_id(&api, FAMILY_PRACTICE).await;
        let viewer_id = member_id(&api, &org, VIEWER).await;
        let admin = browser(&server, ADMIN, &password).await;
        let (status, html) = page(&admin, &format!("/orgs/{org}/admin")).await;
        assert_eq!(status, 200);
        assert!(html.contains(VIEWER));
        let csrf = csrf_of(&html);

        let (status, location, _) = post(&admin, &format!("/orgs/{org}/admin/members/{viewer_id}/remove"), &csrf, &[]).await;
        assert_eq!(status, 303);
        assert_eq!(location, format!("/orgs/{org}/admin?done=removed"));
        assert_eq!(api.get(&format!("/api/v1/organizations/{org}/members")).await.1.as_array().map(|m| m.iter().any(|m| m["email"] == VIEWER)), Some(false));
        let (status, _, _) = post(&admin, &format!("/orgs/{org}/admin/members"), &csrf, &[("email", VIEWER), ("role", "auditor")]).await;
        assert_eq!(status, 303);
        let (_, html) = page(&admin, &format!("/orgs/{org}/admin?done=member")).await;
        assert!(html.contains("The member and role are saved."));
        let (status, _, html) = post(&admin, &format!("/orgs/{org}/admin/members"), &csrf, &[("email", "nobody@demo.hicp.invalid"), ("role", "viewer")]).await;
        assert_eq!(status, 404);
        assert!(html.contains("role=\"alert\">There is no account with the email nobody@demo.hicp.invalid"), "{html}");
        let (status, _, html) = post(&admin, &format!("/orgs/{org}/admin/members"), &csrf, &[("email", ADMIN), ("role", "viewer")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("You cannot take away your own administration"), "{html}");

        // An assessor administers nothing: the page and its forms are refused.
        let assessor = browser(&server, ASSESSOR, &password).await;
        let (status, html) = page(&assessor, &format!("/orgs/{org}/admin")).await;
        assert_eq!(status, 200, "an assessor reads the audit trail");
        assert!(!html.contains("Add a member"));
        let viewer = browser(&server, CONTRIBUTOR, &password).await;
        let (status, html) = page(&viewer, &format!("/orgs/{org}/admin")).await;
        assert_eq!(status, 403);
        assert!(html.contains("Not allowed"));
        let (_, plan) = page(&viewer, &format!("/orgs/{org}/plan")).await;
        let (status, _, _) = post(&viewer, &format!("/orgs/{org}/admin/members"), &csrf_of(&plan), &[("email", CONTRIBUTOR), ("role", "admin")]).await;
        assert_eq!(status, 403);
        server.stop().await;
        Ok(())
    }

    async fn the_audit_trail_verifies_for_an_auditor(db) {
        let (server, password) = Server::demo(db).await;
        let api = server.sign_in(ADMIN, &password).await;
        let org = organization_id(&api, FAMILY_PRACTICE).await;
        let auditor = browser(&server, AUDITOR, &password).await;
        let (status, html) = page(&auditor, &format!("/orgs/{org}/admin")).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Verified: the trail is intact."), "{html}");
        assert!(html.contains("membership"), "recent changes are listed");
        assert!(!html.contains("Members and roles"), "an auditor does not manage members");
        let (status, _) = page(&auditor, &format!("/orgs/{org}/admin/export")).await;
        assert_eq!(status, 403);
        server.stop().await;
        Ok(())
    }

    async fn an_organization_is_exported_and_imported_whole(db) {
        let (server, password) = Server::demo(db).await;
        let api = server.sign_in(ADMIN, &password).await;
        let org = organization_id(&api, FAMILY_PRACTICE).await;
        let hospital = organization_id(&api, "Riverbend Community Hospital").await;
        let admin = browser(&server, ADMIN, &password).await;
        let response = admin.request(Method::GET, &format!("/orgs/{org}/admin/export")).send().await?;
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-disposition"].to_str()?.contains("hicp-maple-street-family-medicine-"));
        let export = response.bytes().await?.to_vec();
        assert_eq!(&export[..2], b"PK", "a ZIP archive");

        let (_, html) = page(&admin, &format!("/orgs/{hospital}/admin")).await;
        let csrf = csrf_of(&html);
        let upload = |bytes: Vec<u8>| {
            // As a browser sends the form: the CSRF field first, then the file.
            let boundary = "hicpTestBoundary7MA4YWxkTrZu0gW";
            let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"export.zip\"\r\nContent-Type: application/zip\r\n\r\n").into_bytes();
            body.extend_from_slice(&bytes);
            body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            admin.request(Method::POST, &format!("/orgs/{hospital}/admin/import"))
                .header("content-type", format!("multipart/form-data; boundary={boundary}"))
                .body(body)
                .send()
        };
        let response = upload(b"not a zip".to_vec()).await?;
        assert_eq!(response.status(), 422);
        let text = response.text().await?;
        assert!(text.contains("role=\"alert\">The file is not a readable hicp organization export"), "{text}");
        let response = upload(export.clone()).await?;
        assert_eq!(response.status(), 303);
        assert!(response.headers()["location"].to_str()?.contains("done=present"));

        // Deleted here, it comes back whole from its export.
        assert_eq!(api.send(Method::DELETE, &format!("/api/v1/organizations/{org}"), None).await.0, 204);
        let response = upload(export).await?;
        assert_eq!(response.status(), 303);
        assert!(response.headers()["location"].to_str()?.contains("done=imported"));
        let (status, html) = page(&admin, &format!("/orgs/{org}/plan")).await;
        assert_eq!(status, 200);
        assert!(shown(&html).1 > 3, "the plan came back");

        // Only an instance administrator imports.
        let assessor = browser(&server, ASSESSOR, &password).await;
        let (status, _) = page(&assessor, &format!("/orgs/{hospital}/admin/export")).await;
        assert_eq!(status, 403);
        server.stop().await;
        Ok(())
    }

    async fn a_token_is_shown_once_works_and_is_revoked(db) {
        let (server, password) = Server::demo(db).await;
        let viewer = browser(&server, VIEWER, &password).await;
        let (status, html) = page(&viewer, "/account").await;
        assert_eq!(status, 200);
        assert!(html.contains(VIEWER) && html.contains("You have no tokens."));
        let csrf = csrf_of(&html);

        let (status, _, html) = post(&viewer, "/account/tokens", &csrf, &[("name", "  "), ("expires_in_days", "30")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("role=\"alert\">A token needs a name"), "{html}");
        let (status, _, html) = post(&viewer, "/account/tokens", &csrf, &[("name", "nightly import"), ("expires_in_days", "30")]).await;
        assert_eq!(status, 200);
        let marker = "<code class=\"secret\" id=\"new-token\">";
        let start = html.find(marker).ok_or("the secret is shown")? + marker.len();
        let secret = html[start..].split('<').next().ok_or("a secret")?.to_string();
        assert!(html.contains(&format!("Authorization: Bearer {secret}")), "how to use it is shown");
        let (_, again) = page(&viewer, "/account").await;
        assert!(!again.contains(&secret), "shown only once");

        let mut script = server.client();
        script.bearer = Some(secret.clone());
        let (status, me) = script.get("/api/v1/me").await;
        assert_eq!(status, 200);
        assert_eq!(me["user"]["email"], VIEWER);

        let token = again.split("/account/tokens/").nth(1).and_then(|rest| rest.split('/').next()).ok_or("a revoke form")?;
        let (status, location, _) = post(&viewer, &format!("/account/tokens/{token}/revoke"), &csrf, &[]).await;
        assert_eq!(status, 303);
        assert_eq!(location, "/account?revoked=1");
        assert_eq!(script.get("/api/v1/me").await.0, 401, "a revoked token is refused");
        let (_, html) = page(&viewer, "/account?revoked=1").await;
        assert!(html.contains("The token is revoked.") && html.contains("Revoked "));
        server.stop().await;
        Ok(())
    }

    async fn a_password_change_signs_out_everywhere(db) {
        let (server, password) = Server::demo(db).await;
        let here = browser(&server, VIEWER, &password).await;
        let elsewhere = browser(&server, VIEWER, &password).await;
        let (_, html) = page(&here, "/account").await;
        let csrf = csrf_of(&html);
        let new = "a much longer new passphrase";

        let (status, _, html) = post(&here, "/account/password", &csrf, &[("current_password", "wrong"), ("new_password", new), ("repeat_password", new)]).await;
        assert_eq!(status, 422);
        assert!(html.contains("role=\"alert\">The current password is wrong."), "{html}");
        let (status, _, html) = post(&here, "/account/password", &csrf, &[("current_password", &password), ("new_password", new), ("repeat_password", "something else")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("The two new passwords are not the same"), "{html}");
        let (status, _, html) = post(&here, "/account/password", &csrf, &[("current_password", &password), ("new_password", "short"), ("repeat_password", "short")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("12"), "the rule is given: {html}");

        let (status, location, _) = post(&here, "/account/password", &csrf, &[("current_password", &password), ("new_password", new), ("repeat_password", new)]).await;
        assert_eq!(status, 303);
        assert_eq!(location, "/sign-in?next=%2Faccount");
        for client in [&here, &elsewhere] {
            let (status, _) = page(client, "/account").await;
            assert_eq!(status, 303, "every session has ended");
        }
        browser(&server, VIEWER, new).await;
        server.stop().await;
        Ok(())
    }
}
