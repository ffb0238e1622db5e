//! The dashboard, history, comparison and reports pages over HTTP, without script, on SQLite and
//! PostgreSQL with the demo data: what they show, that they follow changes made through the
//! API, who may download what, and that another organization's ids are not found.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};

const HEALTH_SYSTEM: &str = "Cascade Health System";
const HOSPITAL: &str = "Riverbend Community Hospital";

/// A page's status and text.
async fn page(client: &Client, path: &str) -> (u16, String) {
    let response = client
        .request(Method::GET, path)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// The overall score as the dashboard prints it (the first big figure).
fn dashboard_score(html: &str) -> f64 {
    let start = html
        .find(r#"<p class="figure">"#)
        .map(|i| i + r#"<p class="figure">"#.len())
        .expect("the dashboard shows figures");
    html[start..]
        .split_whitespace()
        .next()
        .and_then(|word| word.parse().ok())
        .unwrap_or_else(|| panic!("a score at {}", &html[start..start + 40]))
}

/// The ids of an organization's assessments, oldest first.
async fn assessments(client: &Client, org: &str) -> Vec<String> {
    let (_, list) = client
        .get(&format!("/api/v1/organizations/{org}/assessments"))
        .await;
    list.as_array()
        .map(|all| {
            all.iter()
                .filter_map(|a| a["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Sets `sub_practice` of `assessment` to `status` through the API.
async fn answer(client: &Client, org: &str, assessment: &str, sub_practice: &str, status: &str) {
    let base = format!("/api/v1/organizations/{org}/assessments/{assessment}");
    let (_, answers) = client.get(&format!("{base}/answers")).await;
    let version = answers
        .as_array()
        .and_then(|all| all.iter().find(|a| a["sub_practice"] == sub_practice))
        .map(|a| a["version"].clone())
        .unwrap_or(Value::Null);
    let (status_code, body) = client
        .send(
            Method::PUT,
            &format!("{base}/answers/{sub_practice}"),
            Some(json!({"status": status, "version": version})),
        )
        .await;
    assert_eq!(status_code, 200, "{body}");
}

fn hrefs<'a>(html: &'a str, prefix: &str) -> Vec<&'a str> {
    html.match_indices(&format!("href=\"{prefix}"))
        .filter_map(|(at, _)| {
            let rest = &html[at + 6..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

hicp_store::backend_tests! {
    async fn the_dashboard_shows_the_score_and_both_charts_with_tables(db) {
        let (server, password) = Server::demo(db).await;
        let viewer = server.sign_in(VIEWER, &password).await;
        let org = organization_id(&viewer, FAMILY_PRACTICE).await;
        let ids = assessments(&viewer, &org).await;
        let (_, evaluation) = viewer
            .get(&format!("/api/v1/organizations/{org}/assessments/{}/evaluation", ids[0]))
            .await;
        let (status, html) = page(&viewer, &format!("/orgs/{org}")).await;
        assert_eq!(status, 200, "{html}");
        let api_score = evaluation["overall"]["score"].as_f64().ok_or("a score")?;
        assert!((dashboard_score(&html) - api_score).abs() < 0.051, "{api_score}");
        for present in [
            r#"id="practice-bars-title""#,
            r#"id="threat-heatmap-title""#,
            "<caption class=\"visually-hidden\">Score per practice</caption>",
            "<caption class=\"visually-hidden\">Risk per threat</caption>",
            "What to do first",
            "Risk removed per unit of cost",
            "In place for the last 12 months",
            "applicable safeguards",
            // The demo keeps no scans: the page says how to import one.
            "hicp import nessus",
            "This is the first assessment",
            r#"aria-current="page">Dashboard"#,
        ] {
            assert!(html.contains(present), "the dashboard shows {present}");
        }
        for practice in evaluation["practices"].as_array().ok_or("practices")? {
            let row = format!("<th scope=\"row\">{}. ", practice["id"]);
            assert!(html.contains(&row), "a table row for practice {}", practice["id"]);
        }
        assert_eq!(html.matches("<h1").count(), 1);
        assert!(!html.contains(" style=") && !html.contains("<script>"), "no inline style or script");
        // Nobody signed in is sent to sign in and brought back.
        let (status, _) = page(&server.client(), &format!("/orgs/{org}")).await;
        assert_eq!(status, 303);
        server.stop().await;
        Ok(())
    }

    async fn raising_one_answer_changes_the_dashboard_score(db) {
        let (server, password) = Server::demo(db).await;
        let assessor = server.sign_in(ASSESSOR, &password).await;
        let org = organization_id(&assessor, FAMILY_PRACTICE).await;
        let ids = assessments(&assessor, &org).await;
        let (_, before) = page(&assessor, &format!("/orgs/{org}")).await;
        let (_, again) = page(&assessor, &format!("/orgs/{org}")).await;
        assert_eq!(dashboard_score(&before), dashboard_score(&again));
        answer(&assessor, &org, &ids[0], "5.S.A", "implemented").await;
        let (_, after) = page(&assessor, &format!("/orgs/{org}")).await;
        assert!(dashboard_score(&after) > dashboard_score(&before), "the kept dashboard follows the change");
        let (_, evaluation) = assessor
            .get(&format!("/api/v1/organizations/{org}/assessments/{}/evaluation", ids[0]))
            .await;
        let api_score = evaluation["overall"]["score"].as_f64().ok_or("a score")?;
        assert!((dashboard_score(&after) - api_score).abs() < 0.051);
        server.stop().await;
        Ok(())
    }

    async fn history_and_comparison_show_what_changed(db) {
        let (server, password) = Server::demo(db).await;
        let assessor = server.sign_in(ASSESSOR, &password).await;
        let org = organization_id(&assessor, FAMILY_PRACTICE).await;
        let first = assessments(&assessor, &org).await.remove(0);
        let (status, history) = page(&assessor, &format!("/orgs/{org}/history")).await;
        assert_eq!(status, 200);
        assert!(history.contains("2026 self-assessment"), "{history}");
        assert!(history.contains("Comparing needs two assessments"));
        let (status, created) = assessor
            .send(
                Method::POST,
                &format!("/api/v1/organizations/{org}/assessments"),
                Some(json!({"title": "2027 self-assessment", "from": first})),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let second = created["id"].as_str().ok_or("an id")?.to_string();
        answer(&assessor, &org, &second, "5.S.A", "implemented").await;

        let (_, history) = page(&assessor, &format!("/orgs/{org}/history")).await;
        for present in ["2026 self-assessment", "2027 self-assessment", r#"id="practice-trend-title""#, r#"id="threat-trend-title""#, r#"<label for="compare-from">"#] {
            assert!(history.contains(present), "history shows {present}");
        }
        let (status, compared) = page(&assessor, &format!("/orgs/{org}/compare?from={first}&to={second}")).await;
        assert_eq!(status, 200, "{compared}");
        let row = compared
            .split("<tr")
            .find(|row| row.contains("<code>5.S.A</code>"))
            .ok_or("a row for 5.S.A")?;
        assert!(row.contains(r#"class="changed""#), "{row}");
        assert!(row.contains("Largely implemented") && row.contains("<td>Implemented</td>"), "{row}");
        assert!(compared.contains("1 answer changed status."));
        let unchanged = compared.split("<tr").find(|row| row.contains("<code>1.S.A</code>")).ok_or("1.S.A")?;
        assert!(!unchanged.contains(r#"class="changed""#));
        // Without a choice, the newest is compared with the one before it.
        let (status, defaulted) = page(&assessor, &format!("/orgs/{org}/compare")).await;
        assert_eq!(status, 200);
        assert!(defaulted.contains("1 answer changed status."));
        // The dashboard now follows the newest assessment and says what moved.
        let (_, dashboard) = page(&assessor, &format!("/orgs/{org}")).await;
        assert!(dashboard.contains("<strong>2027 self-assessment</strong>"));
        assert!(dashboard.contains("<code>5.S.A</code>") && dashboard.contains("compare?from="), "the dashboard lists the change");
        // Half a choice is a clear refusal, as a page.
        let (status, refused) = page(&assessor, &format!("/orgs/{org}/compare?from={first}")).await;
        assert_eq!(status, 422);
        assert!(refused.contains("choose both assessments"), "{refused}");
        server.stop().await;
        Ok(())
    }

    async fn every_report_link_downloads_with_its_content_type(db) {
        let (server, password) = Server::demo(db).await;
        let auditor = server.sign_in(AUDITOR, &password).await;
        let org = organization_id(&auditor, FAMILY_PRACTICE).await;
        let (status, html) = page(&auditor, &format!("/orgs/{org}/reports")).await;
        assert_eq!(status, 200);
        let links = hrefs(&html, &format!("/orgs/{org}/reports/"));
        assert_eq!(links.len(), 9, "{html}");
        for link in links {
            let format = link.rsplit('/').next().unwrap_or_default();
            let expected = match format {
                "pdf" => "application/pdf",
                "html" => "text/html; charset=utf-8",
                "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "csv-findings" | "csv-plan" | "csv-evidence" => "text/csv; charset=utf-8",
                "oscal-ar" | "oscal-ap" | "oscal-poam" => "application/json",
                other => return Err(format!("unexpected format {other}").into()),
            };
            let response = auditor.request(Method::GET, link).send().await?;
            assert_eq!(response.status(), 200, "{link}");
            assert_eq!(response.headers()["content-type"], expected, "{link}");
            assert!(response.headers()["content-disposition"].to_str()?.starts_with("attachment;"));
            let bytes = response.bytes().await?;
            if format == "pdf" {
                assert!(bytes.starts_with(b"%PDF-"));
            }
            assert!(!bytes.is_empty(), "{link}");
        }
        // A viewer is told why there is nothing to download, and a link is refused as a page.
        let viewer = server.sign_in(VIEWER, &password).await;
        let (status, html) = page(&viewer, &format!("/orgs/{org}/reports")).await;
        assert_eq!(status, 200);
        assert!(html.contains("does not include downloading reports"));
        assert!(hrefs(&html, &format!("/orgs/{org}/reports/")).is_empty());
        let assessment = assessments(&viewer, &org).await.remove(0);
        let (status, refused) = page(&viewer, &format!("/orgs/{org}/reports/{assessment}/pdf")).await;
        assert_eq!(status, 403);
        assert!(refused.contains("Not allowed"), "{refused}");
        let (status, _) = page(&auditor, &format!("/orgs/{org}/reports/{assessment}/docx")).await;
        assert_eq!(status, 404);
        server.stop().await;
        Ok(())
    }

    async fn another_organizations_ids_are_not_found(db) {
        let (server, password) = Server::demo(db).await;
        let admin = server.sign_in(ADMIN, &password).await;
        let clinic = organization_id(&admin, FAMILY_PRACTICE).await;
        let hospital = organization_id(&admin, HOSPITAL).await;
        let ours = assessments(&admin, &clinic).await.remove(0);
        let theirs = assessments(&admin, &hospital).await.remove(0);
        for path in [
            format!("/orgs/{clinic}/compare?from={theirs}&to={ours}"),
            format!("/orgs/{clinic}/compare?from={ours}&to=not-an-id"),
            format!("/orgs/{clinic}/reports?assessment={theirs}"),
            format!("/orgs/{clinic}/reports/{theirs}/pdf"),
            format!("/orgs/{clinic}/reports/not-an-id/pdf"),
        ] {
            let (status, html) = page(&admin, &path).await;
            assert_eq!(status, 404, "{path}");
            assert!(html.contains("Not found"), "{path} answers a page");
        }
        // An organization the viewer is not a member of does not exist for them; its own
        // administrator sees where to start.
        let (status, created) = admin
            .send(Method::POST, "/api/v1/organizations", Some(json!({"name": "Lakeside Dental"})))
            .await;
        assert_eq!(status, 201, "{created}");
        let other = created["id"].as_str().ok_or("an id")?;
        let viewer = server.sign_in(VIEWER, &password).await;
        for path in [format!("/orgs/{other}"), format!("/orgs/{other}/history"), format!("/orgs/{other}/reports")] {
            assert_eq!(page(&viewer, &path).await.0, 404, "{path}");
        }
        let (status, html) = page(&admin, &format!("/orgs/{other}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("Start here") && html.contains(&format!("href=\"/orgs/{other}/assessment\"")), "{html}");
        for path in [format!("/orgs/{other}/history"), format!("/orgs/{other}/compare"), format!("/orgs/{other}/reports")] {
            assert_eq!(page(&admin, &path).await.0, 200, "{path} with no assessment");
        }
        server.stop().await;
        Ok(())
    }

    async fn kept_scans_show_their_metrics_with_definitions(db) {
        let Some(data) = testdata() else { return Ok(()) };
        let (server, password) = Server::demo(db).await;
        let assessor = server.sign_in(ASSESSOR, &password).await;
        let org = organization_id(&assessor, FAMILY_PRACTICE).await;
        let (_, before) = page(&assessor, &format!("/orgs/{org}")).await;
        assert!(before.contains("No scans or inventories are kept"));
        let scan = std::fs::read(data.join("python-libnessus/nessus_report_local_3.nessus"))?;
        let response = assessor
            .request(Method::POST, &format!("/api/v1/organizations/{org}/imports?format=nessus&file_name=weekly.nessus"))
            .body(scan)
            .send()
            .await?;
        assert_eq!(response.status(), 201);
        let (_, after) = page(&assessor, &format!("/orgs/{org}")).await;
        assert!(!after.contains("No scans or inventories are kept"), "the kept dashboard follows the import");
        let table = after
            .split("Metrics measured from your scans and inventories")
            .nth(1)
            .and_then(|rest| rest.split("</table>").next())
            .ok_or("a table of metrics")?;
        assert!(table.contains("weekly.nessus (nessus, imported "), "{table}");
        assert!(table.matches("<th scope=\"row\">").count() >= 1, "{table}");
        server.stop().await;
        Ok(())
    }

    async fn the_first_dashboard_load_is_under_100_kb(db) {
        let (server, password) = Server::demo(db).await;
        let viewer = server.sign_in(VIEWER, &password).await;
        let org = organization_id(&viewer, HEALTH_SYSTEM).await;
        let (status, html) = page(&viewer, &format!("/orgs/{org}")).await;
        assert_eq!(status, 200);
        let mut total = html.len();
        let assets = hrefs(&html, "/assets/")
            .into_iter()
            .chain(html.match_indices("src=\"/assets/").filter_map(|(at, _)| {
                let rest = &html[at + 5..];
                rest.find('"').map(|end| &rest[..end])
            }))
            .collect::<Vec<_>>();
        assert_eq!(assets.len(), 3, "the stylesheet and two scripts: {assets:?}");
        for asset in assets {
            let response = viewer.request(Method::GET, asset).send().await?;
            assert_eq!(response.status(), 200, "{asset}");
            total += response.bytes().await?.len();
        }
        eprintln!("the health system's first dashboard load: {total} bytes");
        assert!(total < 100_000, "the first load weighs {total} bytes");
        server.stop().await;
        Ok(())
    }
}
