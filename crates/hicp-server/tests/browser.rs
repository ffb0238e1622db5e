//! The workspace in a real headless Chromium, on SQLite and on PostgreSQL: signing in and out
//! with and without JavaScript, the setup link, keyboard-only sign-in, and the harness itself:
//! its checks (accessibility, CSP) shown to catch what they look for, and its steps for htmx
//! swaps, checkboxes and downloads. Every page visited passes the accessibility check and
//! leaves no CSP violation in the browser's log; screenshots go to `target/screenshots/`. The
//! harness is `tests/browser/`; docs/server.md, "Browser tests".

#[path = "browser/mod.rs"]
mod browser;
mod common;

use browser::{Failure, Page, Script};
use common::*;
use hicp_server::ServerConfig;

const WRONG_PASSWORD: &str = "The email or the password is wrong.";

hicp_store::backend_tests! {
    async fn signing_in_and_out(db) {
        let (server, password) = Server::demo(db).await;
        let Some(page) = Page::open(&server, db, "sign-in", Script::On).await? else {
            return Ok(());
        };
        // Somebody not signed in who opens the workspace is sent to sign in.
        page.visit("/").await?;
        page.expect_path("/sign-in").await?;
        page.expect_text("Sign in to hicp").await?;
        assert!(page.script_ran().await?, "the workspace script runs with JavaScript on");
        page.shot("form").await?;

        page.fill("Email", ADMIN).await?;
        page.fill("Password", "not the password").await?;
        page.click("Sign in").await?;
        page.expect_text(WRONG_PASSWORD).await?;
        page.shot("wrong-password").await?;

        page.fill("Password", &password).await?;
        page.click("Sign in").await?;
        page.expect_path("/").await?;
        page.expect_text("Your organizations").await?;
        page.expect_text(FAMILY_PRACTICE).await?;
        page.expect_no_text(WRONG_PASSWORD).await?;
        page.shot("signed-in").await?;

        page.click("Sign out").await?;
        page.expect_path("/sign-in").await?;
        page.visit("/").await?;
        page.expect_path("/sign-in").await?;
        page.shot("signed-out").await?;
        page.close().await?;
        server.stop().await;
        Ok(())
    }

    async fn signing_in_without_javascript(db) {
        let (server, password) = Server::demo(db).await;
        let Some(page) = Page::open(&server, db, "no-script-sign-in", Script::Off).await? else {
            return Ok(());
        };
        page.visit("/sign-in").await?;
        assert!(!page.script_ran().await?, "no script runs with JavaScript off");
        page.sign_in(VIEWER, "not the password").await?;
        page.expect_text(WRONG_PASSWORD).await?;
        page.shot("wrong-password").await?;
        page.sign_in(VIEWER, &password).await?;
        page.expect_path("/").await?;
        page.expect_text("Your organizations").await?;
        page.shot("signed-in").await?;
        page.click("Sign out").await?;
        page.expect_path("/sign-in").await?;
        page.close().await?;
        server.stop().await;
        Ok(())
    }

    async fn signing_in_with_the_keyboard_alone(db) {
        let (server, password) = Server::demo(db).await;
        let Some(page) = Page::open(&server, db, "keyboard-sign-in", Script::On).await? else {
            return Ok(());
        };
        page.visit("/sign-in").await?;
        // The email field has the focus when the page opens; Tab goes on to the password,
        // then to the button, and Enter in a field sends the form.
        let typing = page.client().active_element().await?;
        typing.send_keys(ASSESSOR).await?;
        assert_eq!(page.tab().await?, "Password");
        page.client().active_element().await?.send_keys(&password).await?;
        assert_eq!(page.tab().await?, "Sign in");
        page.press_enter("Password").await?;
        page.expect_text("Your organizations").await?;
        page.close().await?;
        server.stop().await;
        Ok(())
    }

    async fn the_setup_link_makes_the_first_account(db) {
        let server = Server::start(db.open().await?, ServerConfig::default()).await;
        let token = server.state.setup_token().issue(time::Duration::hours(1))?;
        let Some(page) = Page::open(&server, db, "setup", Script::On).await? else {
            return Ok(());
        };
        let link = format!("/setup/{token}");
        page.visit(&link).await?;
        page.expect_text("Set up hicp").await?;
        page.shot("form").await?;
        page.fill("Email", "lead@clinic.example").await?;
        page.fill("Your name", "Pat Lead").await?;
        page.fill("Password", "a long enough passphrase").await?;
        page.click("Create the first account").await?;
        page.expect_path("/").await?;
        page.expect_text("You do not belong to an organization yet").await?;
        page.expect_text("Pat Lead").await?;
        page.shot("first-account").await?;

        // The link works once: a second account through it is refused, on a checked page.
        page.click("Sign out").await?;
        page.visit(&link).await?;
        page.fill("Email", "second@clinic.example").await?;
        page.fill("Password", "another long passphrase").await?;
        page.click("Create the first account").await?;
        page.expect_text("setup link").await?;
        page.expect_no_text("Your organizations").await?;
        page.shot("used-link").await?;
        assert_eq!(server.state.store().count_users().await?, 1);
        page.close().await?;
        server.stop().await;
        Ok(())
    }

    async fn the_harness_waits_for_swaps_ticks_boxes_and_downloads(db) {
        let (server, password) = Server::demo(db).await;
        let Some(page) = Page::open(&server, db, "harness", Script::On).await? else {
            return Ok(());
        };
        page.sign_in(VIEWER, &password).await?;
        page.expect_path("/").await?;
        // A button htmx takes over: its answer (here the workspace script, as text) replaces a
        // paragraph, and no new page loads. The click must wait for the swap, not a page. Also a
        // checkbox, and a link to a download.
        page.client()
            .execute(
                r##"const main = document.querySelector("main");
                const src = document.querySelector("script[src*='/assets/hicp-']").getAttribute("src");
                main.insertAdjacentHTML("beforeend",
                  `<p id="swapped">Not swapped yet</p>` +
                  `<button type="button" hx-get="${src}" hx-target="#swapped">Swap it</button>` +
                  `<p><input type="checkbox" id="tick"><label for="tick">Tick me</label></p>` +
                  `<p><a href="/api/v1/me">Who am I</a></p>`);
                htmx.process(main);"##,
                vec![],
            )
            .await?;
        page.click("Swap it").await?;
        page.expect_path("/").await?;
        page.expect_no_text("Not swapped yet").await?;
        page.expect_text("The workspace's own script").await?;

        let ticked = "return document.getElementById('tick').checked;";
        page.check("Tick me").await?;
        assert_eq!(page.client().execute(ticked, vec![]).await?, true);
        page.uncheck("Tick me").await?;
        assert_eq!(page.client().execute(ticked, vec![]).await?, false);

        // The download carries the browser's session cookie (HttpOnly, so no script sees it).
        let me = page.download("Who am I").await?;
        assert_eq!(me.status, 200);
        assert!(me.content_type.starts_with("application/json"), "{}", me.content_type);
        assert!(String::from_utf8_lossy(&me.body).contains(VIEWER));
        page.close().await?;
        server.stop().await;
        Ok(())
    }

    async fn the_page_checks_catch_what_they_look_for(db) {
        let (server, _) = Server::demo(db).await;
        let Some(page) = Page::open(&server, db, "checks", Script::On).await? else {
            return Ok(());
        };
        page.visit("/sign-in").await?;
        // Spoil a clean page the ways the checks look for; each must be named in the failure.
        page.client()
            .execute(
                r#"const main = document.querySelector("main");
                main.insertAdjacentHTML("beforeend",
                  '<input id="nameless" type="text">' +
                  '<h1>A second title</h1><h4>Skipped levels</h4>' +
                  '<p class="faint">Pale words</p><img src="/nowhere.png">');
                main.querySelector(".faint").style.color = "rgb(187, 187, 187)";"#,
                vec![],
            )
            .await?;
        let failure = page.check_page().await.expect_err("a spoiled page fails");
        let Failure::Inaccessible { page: path, problems } = &failure else {
            panic!("an accessibility failure, not {failure}");
        };
        assert_eq!(path, "/sign-in");
        let all = problems.join("\n");
        for expected in [
            "input#nameless has no label",
            "the page has 2 h1 headings",
            "skips from h1 to h4",
            "has no alt text",
            "p.faint (\"Pale words\") has text contrast 1.",
        ] {
            assert!(all.contains(expected), "{expected:?} is among the problems:\n{all}");
        }

        // An inline script is refused by the CSP, and the browser's report of it fails the page.
        page.visit("/sign-in").await?;
        page.client()
            .execute(
                r#"const script = document.createElement("script");
                script.textContent = "document.title = 'ran'";
                document.head.append(script);
                script.remove();"#,
                vec![],
            )
            .await?;
        let failure = page.check_page().await.expect_err("a CSP violation fails the page");
        let Failure::Console { messages, .. } = &failure else {
            panic!("the browser's CSP report, not {failure}");
        };
        assert!(
            messages.iter().any(|m| m.contains("Content Security Policy")),
            "{messages:?}"
        );
        assert!(!page.client().title().await?.starts_with("ran"), "the inline script did not run");
        page.close().await?;
        server.stop().await;
        Ok(())
    }
}
