//! The workspace's main flows in a real headless Chromium, on SQLite and on PostgreSQL, read as
//! the user's steps (issue #10, item 8): a clinic set up from nothing answers every small-tier
//! sub-practice and sees its dashboard move; a contributor works their own action item and is
//! refused another's; the PDF report downloads; answering and status changes work with plain
//! forms when JavaScript is off; autosave keeps an answer without pressing Save. Every page
//! reached passes the harness's accessibility and CSP check; screenshots go to
//! `target/screenshots/browser-flow-*`. The harness is `tests/browser/`.

#[path = "browser/mod.rs"]
mod browser;
mod common;

use browser::{Failure, Page, Script};
use common::*;
use hicp_server::ServerConfig;
use reqwest::Method;
use serde_json::{Value, json};

const CLINIC: &str = "Riverside Family Clinic";

/// The sizing questionnaire as the office manager of a 6-physician clinic fills it in.
const SIX_PHYSICIAN_CLINIC: [(&str, &str); 10] = [
    ("Doctors and other providers who bill for care", "6"),
    ("Inpatient beds", "0"),
    ("People with a computer account", "14"),
    ("Staff whose job is IT", "0"),
    ("Staff whose job is security", "0"),
    ("Computers, servers, tablets and phones", "18"),
    ("Locations", "1"),
    ("Medical devices on your network", "0"),
    ("Patient records you keep (roughly)", "9000"),
    ("Emails received per day (roughly)", "300"),
];

/// A fresh server's first account through its setup link, signed in on `page`.
async fn first_account(server: &Server, page: &Page) -> Result<(), Failure> {
    let token = server
        .state
        .setup_token()
        .issue(time::Duration::hours(1))
        .map_err(|e| Failure::Setup(e.to_string()))?;
    page.visit(&format!("/setup/{token}")).await?;
    page.fill("Email", "office@riverside.example").await?;
    page.fill("Your name", "Robin Office").await?;
    page.fill("Password", "a long enough passphrase").await?;
    page.click("Create the first account").await?;
    page.expect_text("You do not belong to an organization yet")
        .await
}

/// "Start an organization" → the questionnaire → the recommended tier → the new assessment.
async fn start_the_clinic(page: &Page, shots: bool) -> Result<(), Failure> {
    page.click("Start an organization").await?;
    page.expect_path("/orgs/new").await?;
    page.fill("Name of your organization", CLINIC).await?;
    for (question, answer) in SIX_PHYSICIAN_CLINIC {
        page.fill(question, answer).await?;
    }
    if shots {
        page.shot("questionnaire").await?;
    }
    page.click("See the recommended tier").await?;
    page.expect_text("Your recommended tier: small").await?;
    // The engine's reasons are listed under the recommendation.
    let reasons = page
        .client()
        .execute(
            "return document.querySelectorAll('main ul.card li').length;",
            vec![],
        )
        .await?;
    assert!(
        reasons.as_u64().unwrap_or(0) > 0,
        "the tier comes with its reasons"
    );
    if shots {
        page.shot("tier").await?;
    }
    page.click(&format!("Create {CLINIC} and start the assessment"))
        .await?;
    page.expect_text("0 of").await?;
    page.expect_text("small tier").await
}

/// What the page lists by a selector's text (the practices of the overview, the sub-practices
/// of a practice page), read as a person reads the page.
async fn texts(page: &Page, selector: &str) -> Result<Vec<String>, Failure> {
    let found = page
        .client()
        .execute(
            "return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent.trim());",
            vec![json!(selector)],
        )
        .await?;
    Ok(serde_json::from_value(found).unwrap_or_default())
}

/// The sub-practice ids shown on a practice page ("1.S.A", ...), from their headings.
async fn sub_practices(page: &Page) -> Result<Vec<String>, Failure> {
    Ok(texts(page, "main section.card > h2")
        .await?
        .iter()
        .filter_map(|heading| heading.split_whitespace().next().map(str::to_string))
        .collect())
}

/// Sets a sub-practice's status the way the page offers it: with script, autosave sends it and
/// shows "Saved"; without, the Save button posts the form and the page comes back.
async fn answer(page: &Page, script: Script, id: &str, status: &str) -> Result<(), Failure> {
    page.fill_in(id, "Status", status).await?;
    if script == Script::Off {
        page.click_in(id, "Save").await?;
    }
    let saved = page
        .client()
        .execute(
            "const box = [...document.querySelectorAll('main section.card')]
               .find((s) => s.querySelector('h2').textContent.trim().startsWith(arguments[0] + ' '));
             return box ? box.querySelector('.save-state').textContent.trim() : '';",
            vec![json!(id)],
        )
        .await?;
    assert_eq!(saved, "Saved", "{id} says it is saved");
    // The answer exists now, so its box for files is offered (with script, the save's answer
    // replaces the "save an answer first" hint).
    let upload = page
        .client()
        .execute(
            "return document.getElementById(arguments[0]) !== null;",
            vec![json!(format!("sp-{}-file", id.replace('.', "-")))],
        )
        .await?;
    assert_eq!(
        upload,
        json!(true),
        "{id}: files can be attached once it is saved"
    );
    Ok(())
}

/// Answers each of a sub-practice's plain-language questions with `status`, leaving its status
/// at "Not answered yet" as the page asks, and returns what the page says the answers add up to.
async fn answer_the_questions(page: &Page, id: &str, status: &str) -> Result<String, Failure> {
    let section = format!("main section[id='sp-{}']", id.replace('.', "-"));
    let questions = texts(page, &format!("{section} fieldset .field label")).await?;
    assert!(!questions.is_empty(), "{id} asks questions");
    for question in &questions {
        page.fill_in(id, question, status).await?;
    }
    let rolled = texts(page, &format!("{section} fieldset .hint strong")).await?;
    let saved = texts(page, &format!("{section} .save-state")).await?;
    assert_eq!(saved, ["Saved"], "{id}'s answers are saved");
    Ok(rolled.join(" "))
}

/// The dashboard's overall score, as its figure shows it.
async fn overall_score(page: &Page) -> Result<f64, Failure> {
    page.click("Dashboard").await?;
    page.expect_text("Overall score").await?;
    let figure = page
        .client()
        .execute(
            "const card = [...document.querySelectorAll('main .card')]
               .find((c) => c.textContent.includes('Overall score'));
             return card ? card.querySelector('.figure').firstChild.textContent.trim() : '';",
            vec![],
        )
        .await?;
    figure
        .as_str()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| Failure::Step {
            page: "the dashboard".into(),
            what: format!("no overall score figure, found {figure}"),
        })
}

/// An action item's id from the demo plan and the version the API holds.
async fn items(api: &Client, org: &str) -> Vec<Value> {
    let (_, items) = api
        .get(&format!("/api/v1/organizations/{org}/action-items"))
        .await;
    items.as_array().cloned().unwrap_or_default()
}

/// The contributor's flow, with or without script: track new work, close it, tick a milestone
/// of an item the administrator gave them, and be refused someone else's.
async fn contributor_flow(db: &hicp_store::testing::TestDatabase, script: Script) -> TestResult {
    let (server, password) = Server::demo(db).await;
    let api = server.sign_in(ADMIN, &password).await;
    let org = organization_id(&api, FAMILY_PRACTICE).await;
    // Before: something in place slipped (new, untracked work), and the administrator gave the
    // contributor the plan's first item; the second stays someone else's.
    let (_, assessments) = api
        .get(&format!("/api/v1/organizations/{org}/assessments"))
        .await;
    let assessment = assessments
        .as_array()
        .and_then(|all| all.last())
        .and_then(|a| a["id"].as_str())
        .ok_or("an assessment")?
        .to_string();
    let base = format!("/api/v1/organizations/{org}/assessments/{assessment}");
    let (_, answers) = api.get(&format!("{base}/answers")).await;
    let slipped = answers
        .as_array()
        .and_then(|all| all.iter().find(|a| a["answer"]["status"] == "implemented"))
        .ok_or("an implemented answer")?;
    let sub_practice = slipped["sub_practice"].as_str().ok_or("an id")?.to_string();
    let body = json!({"status": "not_implemented", "version": slipped["version"]});
    let (status, _) = api
        .send(
            Method::PUT,
            &format!("{base}/answers/{sub_practice}"),
            Some(body),
        )
        .await;
    assert_eq!(status, 200);
    let (_, members) = api
        .get(&format!("/api/v1/organizations/{org}/members"))
        .await;
    let contributor_id = members
        .as_array()
        .and_then(|all| all.iter().find(|m| m["email"] == CONTRIBUTOR))
        .and_then(|m| m["user"].as_str())
        .ok_or("the contributor is a member")?
        .to_string();
    let plan = items(&api, &org).await;
    let (given, other) = (&plan[0], &plan[1]);
    let assign = json!({"owner": {"user": contributor_id}, "version": given["version"]});
    let given_id = given["id"].as_str().ok_or("an id")?.to_string();
    let (status, problem) = api
        .send(
            Method::PATCH,
            &format!("/api/v1/organizations/{org}/action-items/{given_id}"),
            Some(assign),
        )
        .await;
    assert_eq!(status, 200, "the administrator assigns the item: {problem}");

    let name = match script {
        Script::On => "browser-flow-contributor",
        Script::Off => "browser-flow-contributor-no-script",
    };
    let Some(page) = Page::open(&server, db, name, script).await? else {
        return Ok(());
    };
    page.sign_in(CONTRIBUTOR, &password).await?;
    page.click(FAMILY_PRACTICE).await?;
    page.click("Action plan").await?;
    page.expect_text("Action plan").await?;
    page.shot("plan").await?;

    // New work: tracking it makes it the contributor's, and they close it.
    page.click_in(&sub_practice, &format!("Track this ({sub_practice})"))
        .await?;
    page.expect_text(CONTRIBUTOR).await?;
    page.shot("tracked").await?;
    page.fill("Status", "Done").await?;
    page.click("Change status").await?;
    // The status beside the title follows, with or without a new page.
    let badges = texts(&page, "#item-badges .badge").await?;
    assert_eq!(
        badges.first().map(String::as_str),
        Some("Done"),
        "{badges:?}"
    );
    let tracked = items(&api, &org)
        .await
        .into_iter()
        .find(|i| i["sub_practice"] == sub_practice.as_str())
        .ok_or("the tracked item")?;
    assert_eq!(tracked["status"], "done", "closed through the page");
    assert_eq!(tracked["owner"], CONTRIBUTOR);
    page.shot("closed").await?;

    // The item the administrator gave them: a milestone ticks off.
    page.visit(&format!("/orgs/{org}/plan/{given_id}")).await?;
    let milestone = given["milestones"][0]["title"]
        .as_str()
        .ok_or("the item has a milestone")?
        .to_string();
    page.check(&milestone).await?;
    if script == Script::Off {
        page.click_in(&milestone, "Save").await?;
    }
    page.visit(&format!("/orgs/{org}/plan/{given_id}")).await?;
    let ticked = page
        .client()
        .execute(
            "return [...document.querySelectorAll('.milestones input[type=checkbox]')][0].checked;",
            vec![],
        )
        .await?;
    assert_eq!(ticked, true, "the milestone stays ticked");
    page.shot("milestone").await?;

    // Someone else's item: shown, with why it cannot be changed, and no form to change it.
    let other_id = other["id"].as_str().ok_or("an id")?;
    page.visit(&format!("/orgs/{org}/plan/{other_id}")).await?;
    page.expect_text("it is not assigned to you").await?;
    page.expect_no_text("Change status").await?;
    page.shot("refused").await?;
    page.close().await?;
    server.stop().await;
    Ok(())
}

hicp_store::backend_tests! {
    async fn a_clinic_from_nothing_answers_every_question(db) {
        let server = Server::start(db.open().await?, ServerConfig::default()).await;
        let Some(page) = Page::open(&server, db, "browser-flow-clinic", Script::On).await? else {
            return Ok(());
        };
        first_account(&server, &page).await?;
        start_the_clinic(&page, true).await?;
        page.shot("assessment").await?;
        let overview = page.path().await?;

        // Practice by practice, every sub-practice: the first not in place, the rest in place.
        let practices = texts(&page, "main table th[scope=row] a").await?;
        assert!(practices.len() >= 5, "the small tier has its practices: {practices:?}");
        let mut first = None;
        for (n, practice) in practices.iter().enumerate() {
            page.visit(&overview).await?;
            page.click(practice).await?;
            let ids = sub_practices(&page).await?;
            assert!(!ids.is_empty(), "{practice} has sub-practices");
            for (k, id) in ids.iter().enumerate() {
                if n == 0 && k == 1 {
                    // One answered question by question: the answers roll up to its status.
                    let rolled = answer_the_questions(&page, id, "Implemented").await?;
                    assert_eq!(rolled, "Implemented", "{id}'s questions roll up");
                    continue;
                }
                let status = if first.is_none() { "Not implemented" } else { "Implemented" };
                answer(&page, Script::On, id, status).await?;
                first.get_or_insert_with(|| id.clone());
            }
            if n == 0 {
                page.shot("practice").await?;
            }
        }
        page.visit(&overview).await?;
        page.expect_text("100%").await?;
        page.shot("complete").await?;

        let before = overall_score(&page).await?;
        page.shot("dashboard").await?;
        // Raising the one answer that was not in place raises the score.
        let first = first.ok_or("a first sub-practice")?;
        page.visit(&overview).await?;
        page.click(&practices[0]).await?;
        answer(&page, Script::On, &first, "Implemented").await?;
        let after = overall_score(&page).await?;
        assert!(after > before, "raising {first} raises the overall score: {before} → {after}");
        page.shot("dashboard-raised").await?;
        page.close().await?;
        server.stop().await;
        Ok(())
    }

    async fn a_clinic_answers_without_javascript(db) {
        let server = Server::start(db.open().await?, ServerConfig::default()).await;
        let Some(page) = Page::open(&server, db, "browser-flow-clinic-no-script", Script::Off).await? else {
            return Ok(());
        };
        first_account(&server, &page).await?;
        start_the_clinic(&page, false).await?;
        let overview = page.path().await?;
        let practices = texts(&page, "main table th[scope=row] a").await?;
        page.click(&practices[0]).await?;
        let ids = sub_practices(&page).await?;
        for id in &ids {
            answer(&page, Script::Off, id, "Partially implemented").await?;
        }
        page.shot("practice").await?;
        page.visit(&overview).await?;
        page.expect_text(&format!("{} of {}", ids.len(), ids.len())).await?;
        page.shot("assessment").await?;
        page.close().await?;
        server.stop().await;
        Ok(())
    }

    async fn autosave_keeps_an_answer_without_save(db) {
        let (server, password) = Server::demo(db).await;
        let Some(page) = Page::open(&server, db, "browser-flow-autosave", Script::On).await? else {
            return Ok(());
        };
        page.sign_in(ASSESSOR, &password).await?;
        page.click(FAMILY_PRACTICE).await?;
        page.click("Assessment").await?;
        let practices = texts(&page, "main table th[scope=row] a").await?;
        page.click(&practices[0]).await?;
        let id = sub_practices(&page).await?.into_iter().next().ok_or("a sub-practice")?;
        // No Save button to press: it is hidden with script on.
        let save_shown = page
            .client()
            .execute("return [...document.querySelectorAll('.save-button')].some((b) => b.getClientRects().length > 0);", vec![])
            .await?;
        assert_eq!(save_shown, false, "autosave forms hide their Save button");
        answer(&page, Script::On, &id, "Planned").await?;
        // The heading's badge follows the saved answer without a reload.
        let badge = texts(&page, &format!("#sp-{}-badge", id.replace('.', "-"))).await?;
        assert_eq!(badge, ["Planned"], "{id}'s heading shows the saved status");
        page.shot("saved").await?;
        // Typing on while a save is on its way: the note is written the moment the owner's
        // change has sent its save, so the answer to that save does not hold it. Two swaps
        // follow: the owner's save, then the save of the note carried over.
        let anchor = format!("sp-{}", id.replace('.', "-"));
        page.client()
            .execute(
                "window.settledSwaps = 0;
                 document.addEventListener('htmx:afterSettle', () => { window.settledSwaps += 1; });
                 const owner = document.getElementById(arguments[0] + '-owner');
                 owner.value = 'Front desk lead';
                 owner.dispatchEvent(new Event('change', { bubbles: true }));
                 document.getElementById(arguments[0] + '-note').value = 'Typed while saving';",
                vec![json!(anchor)],
            )
            .await?;
        let mut settled = json!(false);
        for _ in 0..100 {
            settled = page
                .client()
                .execute(
                    "const form = document.getElementById(arguments[0] + '-form');
                     return window.settledSwaps >= 2 && !form.classList.contains('htmx-request')
                       && document.getElementById(arguments[0] + '-note').value;",
                    vec![json!(anchor)],
                )
                .await?;
            if settled != json!(false) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(settled, json!("Typed while saving"), "the note stays in the form through the owner's save");
        page.client().refresh().await?;
        page.check_page().await?;
        let after_reload = page
            .client()
            .execute(
                "return [document.getElementById(arguments[0] + '-owner').value, document.getElementById(arguments[0] + '-note').value];",
                vec![json!(anchor)],
            )
            .await?;
        assert_eq!(
            after_reload,
            json!(["Front desk lead", "Typed while saving"]),
            "what was typed while a save was on its way is saved too"
        );
        let kept = page
            .client()
            .execute(
                "const select = document.getElementById(arguments[0]);
                 return select ? select.options[select.selectedIndex].text : '';",
                vec![json!(format!("sp-{}-status", id.replace('.', "-")))],
            )
            .await?;
        assert_eq!(kept, "Planned", "the answer is kept after a reload");
        page.close().await?;
        server.stop().await;
        Ok(())
    }

    async fn a_contributor_works_their_action_items(db) {
        contributor_flow(db, Script::On).await
    }

    async fn a_contributor_works_their_action_items_without_javascript(db) {
        contributor_flow(db, Script::Off).await
    }

    async fn the_pdf_report_downloads(db) {
        let (server, password) = Server::demo(db).await;
        let Some(page) = Page::open(&server, db, "browser-flow-reports", Script::On).await? else {
            return Ok(());
        };
        page.sign_in(ADMIN, &password).await?;
        page.click(FAMILY_PRACTICE).await?;
        page.click("Reports").await?;
        page.shot("reports").await?;
        let links = texts(&page, "main a[download]").await?;
        let pdf = links
            .iter()
            .find(|l| l.contains("PDF"))
            .ok_or_else(|| format!("a PDF among {links:?}"))?;
        let download = page.download(pdf).await?;
        assert_eq!(download.status, 200);
        assert!(download.body.starts_with(b"%PDF"), "a PDF: {}", download.content_type);
        page.close().await?;
        server.stop().await;
        Ok(())
    }
}
