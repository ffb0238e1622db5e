//! The browser test harness: a real headless Chromium (Debian's `chromium`), driven over
//! WebDriver by its `chromedriver`, against a real server from `tests/common`. A flow test
//! reads like the user's steps:
//!
//! ```text
//! let Some(page) = Page::open(&server, db, "sign-in", Script::On).await? else { return Ok(()) };
//! page.visit("/sign-in").await?;
//! page.fill("Email", ADMIN).await?;
//! page.fill("Password", &password).await?;
//! page.click("Sign in").await?;
//! page.expect_text("Your organizations").await?;
//! page.shot("signed-in").await?;
//! ```
//!
//! Every page the browser lands on (by `visit`, or by a `click` that loads a page or swaps part
//! of one) is checked before the step returns: the accessibility check of `checks.js` and the
//! browser's log, which must hold no Content-Security-Policy violation and no script error. A
//! failing step saves `<test>-failure.png` beside the screenshots.
//!
//! Without Chromium or chromedriver the tests print `SKIPPED: …` and pass, unless
//! `HICP_BROWSER_TESTS=required` (CI sets it), when they fail.

#![allow(dead_code)] // helpers for every flow; each test binary uses some

mod driver;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine;
use fantoccini::elements::{Element, ElementRef};
use fantoccini::error::CmdError;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use hicp_store::testing::TestDatabase;
use serde_json::{Value, json};

use crate::common::Server;
use driver::{Driver, Programs, REQUIRED_VARIABLE};

/// The accessibility and markup checks run on every page.
const CHECKS: &str = include_str!("checks.js");

/// How long a step waits for a page, a swap or a text.
const WAIT: Duration = Duration::from_secs(10);

/// The Chromium flags of every session: headless, and nothing that reaches out or varies.
const CHROMIUM_FLAGS: [&str; 7] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-extensions",
    "--window-size=1280,1000",
];

/// Whether the page's JavaScript runs (htmx, the workspace script) or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    On,
    Off,
}

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("the browser could not be started: {0}")]
    Setup(String),
    #[error("WebDriver: {0}")]
    Driver(#[from] CmdError),
    #[error("on {page}: {what}")]
    Step { page: String, what: String },
    #[error("{page} fails the accessibility check:\n  - {}", problems.join("\n  - "))]
    Inaccessible { page: String, problems: Vec<String> },
    #[error("on {page} the browser reported:\n  - {}", messages.join("\n  - "))]
    Console { page: String, messages: Vec<String> },
    #[error("saving {}: {error}", path.display())]
    Screenshot {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// A file fetched with the browser's cookies (see [`Page::download`]).
pub struct Download {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// One browser window on one server.
pub struct Page {
    client: Client,
    base: String,
    name: String,
    script: Script,
    /// Last, so that it drops after the client: dropping it ends the browser.
    _driver: Driver,
}

impl Page {
    /// A new browser on `server`; its screenshots are named `<test>-<backend>-<step>.png`.
    /// `None` (after printing why) when Chromium or chromedriver is missing and browser tests
    /// are not required.
    pub async fn open(
        server: &Server,
        db: &TestDatabase,
        test: &str,
        script: Script,
    ) -> Result<Option<Page>, Failure> {
        let programs = match Programs::find() {
            Ok(programs) => programs,
            Err(missing) => {
                if std::env::var(REQUIRED_VARIABLE).as_deref() == Ok("required") {
                    return Err(Failure::Setup(format!(
                        "{missing}, and {REQUIRED_VARIABLE}=required"
                    )));
                }
                eprintln!("SKIPPED: browser test {test}: {missing}");
                return Ok(None);
            }
        };
        let driver = Driver::start(&programs.chromedriver)?;
        let mut options = json!({"binary": programs.chromium, "args": CHROMIUM_FLAGS});
        if script == Script::Off {
            options["prefs"] = json!({"profile.managed_default_content_settings.javascript": 2});
        }
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        capabilities.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .map_err(|e| Failure::Setup(e.to_string()))?;
        Ok(Some(Page {
            client,
            base: server.base.clone(),
            name: format!("{test}-{}", db.backend()),
            script,
            _driver: driver,
        }))
    }

    /// The WebDriver client, for what the helpers here do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Opens `path` (e.g. `/sign-in`) on the server and checks the page.
    pub async fn visit(&self, path: &str) -> Result<(), Failure> {
        self.client.goto(&format!("{}{path}", self.base)).await?;
        self.checked().await
    }

    /// Signs in through the form, as a person would.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<(), Failure> {
        self.visit("/sign-in").await?;
        self.fill("Email", email).await?;
        self.fill("Password", password).await?;
        self.click("Sign in").await
    }

    /// The current path with its query, e.g. `/orgs/…/plan?owner=me`.
    pub async fn path(&self) -> Result<String, Failure> {
        let url = self.client.current_url().await?;
        Ok(match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        })
    }

    /// The page's visible text.
    pub async fn text(&self) -> Result<String, Failure> {
        let text = self
            .client
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await?;
        Ok(text.as_str().unwrap_or_default().to_string())
    }

    /// Types `value` into the field labelled `label` (its `<label>`, `aria-label` or
    /// `aria-labelledby` text, whole or its beginning), replacing what was there; for a
    /// `<select>`, picks the option with that text.
    pub async fn fill(&self, label: &str, value: &str) -> Result<(), Failure> {
        let field = self.field(label).await?;
        self.fill_field(&field, value).await
    }

    /// [`Page::fill`] for a field that appears more than once, e.g. "Status" in each
    /// sub-practice: the one whose row, list item, section, article or card also contains
    /// `context`. With script on, a field of an autosaving (htmx) form is sent when it
    /// changes; the step waits until htmx has swapped the answer in, and checks the page.
    pub async fn fill_in(&self, context: &str, label: &str, value: &str) -> Result<(), Failure> {
        let field = self.field_near(label, Some(context)).await?;
        let htmx = self.handled_by_htmx(&field).await?;
        if htmx {
            self.mark_page().await?;
        }
        self.fill_field(&field, value).await?;
        if htmx {
            self.after_action(&format!("filling {label:?} near {context:?}"), false)
                .await?;
        }
        Ok(())
    }

    async fn fill_field(&self, field: &Element, value: &str) -> Result<(), Failure> {
        let kind = field.attr("type").await?.unwrap_or_default();
        match (field.tag_name().await?.as_str(), kind.as_str()) {
            ("select", _) => field.select_by_label(value).await?,
            (_, "file") => field.send_keys(value).await?,
            // Typing into a date field follows the browser's locale; setting it does not.
            (_, "date" | "time" | "datetime-local" | "month" | "color" | "range") => {
                self.client
                    .execute(
                        "const [field, value] = arguments; field.value = value;
                         field.dispatchEvent(new Event('input', {bubbles: true}));
                         field.dispatchEvent(new Event('change', {bubbles: true}));",
                        vec![element_json(field), json!(value)],
                    )
                    .await?;
            }
            _ => {
                field.clear().await?;
                field.send_keys(value).await?;
            }
        }
        Ok(())
    }

    /// Ticks the checkbox or radio button labelled `label` (a click, so autosave sees it).
    pub async fn check(&self, label: &str) -> Result<(), Failure> {
        self.set_checked(label, true).await
    }

    /// Clears the checkbox labelled `label`.
    pub async fn uncheck(&self, label: &str) -> Result<(), Failure> {
        self.set_checked(label, false).await
    }

    async fn set_checked(&self, label: &str, wanted: bool) -> Result<(), Failure> {
        let field = self.field(label).await?;
        if field.is_selected().await? != wanted {
            self.mark_page().await?;
            field.click().await?;
            // A tick loads no page; with script on, an autosave may send it.
            self.after_action(&format!("ticking {label:?}"), false)
                .await?;
        }
        Ok(())
    }

    /// Clicks the button or link whose text (or `aria-label`, or a submit button's value) is
    /// `text`, then waits for what it does: a new page, or an htmx swap when script is on.
    pub async fn click(&self, text: &str) -> Result<(), Failure> {
        self.click_near(text, None).await
    }

    /// [`Page::click`] for a button that appears more than once, e.g. in each row: the one
    /// whose row, list item, form, fieldset, section or card also contains `context` (the
    /// nearest such box counts, so a form inside a sub-practice's section is found by the
    /// section's heading).
    pub async fn click_in(&self, context: &str, text: &str) -> Result<(), Failure> {
        self.click_near(text, Some(context)).await
    }

    async fn click_near(&self, text: &str, context: Option<&str>) -> Result<(), Failure> {
        let element = self.clickable(text, context).await?;
        let navigates = !self.handled_by_htmx(&element).await?;
        self.mark_page().await?;
        element.click().await?;
        self.after_action(&format!("clicking {text:?}"), navigates)
            .await
    }

    /// Presses Enter in the field labelled `label`: submits its form as a keyboard user would.
    pub async fn press_enter(&self, label: &str) -> Result<(), Failure> {
        let field = self.field(label).await?;
        let navigates = !self.handled_by_htmx(&field).await?;
        self.mark_page().await?;
        field
            .send_keys(&char::from(fantoccini::key::Key::Enter).to_string())
            .await?;
        self.after_action(&format!("pressing Enter in {label:?}"), navigates)
            .await
    }

    /// Moves the focus with the Tab key and returns the newly focused element's text (or its
    /// label, for a field): for checking that keyboard use reaches what it must.
    pub async fn tab(&self) -> Result<String, Failure> {
        let focused = self.client.active_element().await?;
        focused
            .send_keys(&char::from(fantoccini::key::Key::Tab).to_string())
            .await?;
        let name = self
            .client
            .execute(
                "const el = document.activeElement; if (!el) return '';
                 const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
                 return (label || el.getAttribute('aria-label') || el.value || el.textContent || '')
                     .replace(/\\s+/g, ' ').trim();",
                vec![],
            )
            .await?;
        Ok(name.as_str().unwrap_or_default().to_string())
    }

    /// Waits until the page's visible text contains `text`.
    pub async fn expect_text(&self, text: &str) -> Result<(), Failure> {
        let deadline = Instant::now() + WAIT;
        loop {
            let shown = self.text().await?;
            if shown.contains(text) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let excerpt: String = shown.chars().take(600).collect();
                return Err(self
                    .failed(format!(
                        "{text:?} did not appear; the page reads:\n{excerpt}"
                    ))
                    .await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fails if the page's visible text contains `text`.
    pub async fn expect_no_text(&self, text: &str) -> Result<(), Failure> {
        if self.text().await?.contains(text) {
            return Err(self.failed(format!("{text:?} is on the page")).await);
        }
        Ok(())
    }

    /// Fails unless the browser is at `path` (with its query, if it has one).
    pub async fn expect_path(&self, path: &str) -> Result<(), Failure> {
        let here = self.path().await?;
        if here != path {
            return Err(self.failed(format!("expected to be at {path}")).await);
        }
        Ok(())
    }

    /// Whether the page's own script ran (the workspace script marks `<html class="js">`).
    pub async fn script_ran(&self) -> Result<bool, Failure> {
        let ran = self
            .client
            .execute(
                "return document.documentElement.classList.contains('js');",
                vec![],
            )
            .await?;
        Ok(ran.as_bool().unwrap_or(false))
    }

    /// Fetches the target of the link `text` with the browser's cookies (a download such as a
    /// PDF, which a headless browser would save rather than show).
    pub async fn download(&self, text: &str) -> Result<Download, Failure> {
        let link = self.clickable(text, None).await?;
        let Some(href) = link.prop("href").await? else {
            return Err(self.failed(format!("{text:?} is not a link")).await);
        };
        let cookies: Vec<String> = self
            .client
            .get_all_cookies()
            .await?
            .iter()
            .map(|cookie| format!("{}={}", cookie.name(), cookie.value()))
            .collect();
        let fetched = async {
            let response = reqwest::Client::new()
                .get(&href)
                .header("cookie", cookies.join("; "))
                .send()
                .await?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let body = response.bytes().await?.to_vec();
            Ok::<_, reqwest::Error>(Download {
                status,
                content_type,
                body,
            })
        };
        match fetched.await {
            Ok(download) => Ok(download),
            Err(error) => Err(self.failed(format!("downloading {href}: {error}")).await),
        }
    }

    /// Saves the whole page (not only the window) as `target/screenshots/<test>-<step>.png`.
    pub async fn shot(&self, step: &str) -> Result<PathBuf, Failure> {
        let path = screenshots_dir().join(format!("{}-{step}.png", self.name));
        let png = self.full_page_png().await?;
        std::fs::create_dir_all(screenshots_dir())
            .and_then(|()| std::fs::write(&path, png))
            .map_err(|error| Failure::Screenshot {
                path: path.clone(),
                error,
            })?;
        Ok(path)
    }

    /// Ends the browser session (dropping the page does it too, less politely).
    pub async fn close(self) -> Result<(), Failure> {
        self.client.clone().close().await?;
        Ok(())
    }

    /// Runs the page checks now, without the failure screenshot (the steps above run them
    /// after each page or swap, with it).
    pub async fn check_page(&self) -> Result<(), Failure> {
        let page = self.path().await?;
        if self.script == Script::Off && self.script_ran().await? {
            return Err(Failure::Step {
                page,
                what: "the page's script ran although JavaScript is off".to_string(),
            });
        }
        let answer = self.client.execute(CHECKS, vec![]).await?;
        let problems: Vec<String> = serde_json::from_value(answer.clone())
            .unwrap_or_else(|_| vec![format!("the check's answer was unreadable: {answer}")]);
        if !problems.is_empty() {
            return Err(Failure::Inaccessible { page, problems });
        }
        let messages = self.console_errors().await?;
        if !messages.is_empty() {
            return Err(Failure::Console { page, messages });
        }
        Ok(())
    }

    /// [`Page::check_page`] after a step, saving a screenshot when the page fails.
    async fn checked(&self) -> Result<(), Failure> {
        let checked = self.check_page().await;
        if checked.is_err() {
            self.save_failure_shot().await;
        }
        checked
    }

    /// Waits for the outcome of an action after [`Page::mark_page`]: a new page when
    /// `navigates`, else for htmx to finish its requests and swaps (or for a new page, should
    /// the answer redirect). Then checks the page.
    async fn after_action(&self, action: &str, navigates: bool) -> Result<(), Failure> {
        let deadline = Instant::now() + WAIT;
        let state = "return {old: window.__hicpOldPage === true, ready: document.readyState,
                     busy: document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping') !== null};";
        loop {
            // While a page is being replaced, the script may fail: that is "not yet".
            if let Ok(now) = self.client.execute(state, vec![]).await {
                let complete = now["ready"] == "complete";
                let new_page = now["old"] == false;
                let done = if navigates || new_page {
                    new_page && complete
                } else {
                    now["busy"] == false
                };
                if done {
                    return self.checked().await;
                }
            }
            if Instant::now() > deadline {
                let waited = if navigates {
                    "a new page"
                } else {
                    "the page to update"
                };
                return Err(self
                    .failed(format!(
                        "{action}: waited {} s for {waited} (a required field left empty stops a form)",
                        WAIT.as_secs()
                    ))
                    .await);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The one field labelled `label`, or a failure listing the labels there are.
    async fn field(&self, label: &str) -> Result<Element, Failure> {
        self.field_near(label, None).await
    }

    /// [`Page::field`], among the fields whose row or section also contains `context`.
    async fn field_near(&self, label: &str, context: Option<&str>) -> Result<Element, Failure> {
        let found = self
            .client
            .execute(
                r#"const [wanted, context] = arguments;
                const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
                const names = (el) => {
                  const own = el.labels ? [...el.labels].map((l) => norm(l.textContent)) : [];
                  const by = (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean)
                    .map((id) => norm((document.getElementById(id) || {}).textContent));
                  return [...own, norm(el.getAttribute("aria-label")), ...by].filter(Boolean);
                };
                const fields = [...document.querySelectorAll("input, select, textarea")]
                  .filter((el) => el.type !== "hidden");
                let matches = fields.filter((el) => names(el).includes(wanted));
                if (!matches.length) matches = fields.filter((el) => names(el).some((n) => n.startsWith(wanted)));
                if (context) matches = matches.filter((el) => {
                  const box = el.closest("tr, li, section, article, .card");
                  return box && norm(box.textContent).includes(context);
                });
                const shown = matches.filter((el) => el.getClientRects().length > 0);
                return {matches: shown.length ? shown : matches, names: fields.flatMap(names)};"#,
                vec![json!(label), json!(context)],
            )
            .await?;
        let what = match context {
            Some(context) => format!("field labelled {label:?} near {context:?}"),
            None => format!("field labelled {label:?}"),
        };
        self.one(found, &what, "labels").await
    }

    /// The one button or link named `text` (near `context`), and whether htmx handles it.
    async fn clickable(&self, text: &str, context: Option<&str>) -> Result<Element, Failure> {
        let found = self
            .client
            .execute(
                r#"const [wanted, context] = arguments;
                const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
                const name = (el) => norm(el.tagName === "INPUT" ? el.value : el.textContent);
                const all = [...document.querySelectorAll(
                  "button, a[href], input[type=submit], input[type=button], [role=button], summary")];
                const named = (el) => name(el) === wanted || norm(el.getAttribute("aria-label")) === wanted;
                let matches = all.filter(named);
                if (context) {
                  // How many boxes out from the element the nearest one holding `context` is:
                  // a Save button's form may not name its sub-practice, its section does.
                  const boxes = "tr, li, form, fieldset, section, article, .card";
                  const distance = (el) => {
                    let box = el.closest(boxes);
                    for (let n = 0; box; n++, box = box.parentElement && box.parentElement.closest(boxes)) {
                      if (norm(box.textContent).includes(context)) return n;
                    }
                    return Infinity;
                  };
                  const near = Math.min(...matches.map(distance));
                  matches = matches.filter((el) => distance(el) === near && near !== Infinity);
                }
                const shown = matches.filter((el) => el.getClientRects().length > 0);
                return {matches: shown.length ? shown : matches, names: all.map(name).filter(Boolean)};"#,
                vec![json!(text), json!(context)],
            )
            .await?;
        let what = match context {
            Some(context) => format!("button or link {text:?} near {context:?}"),
            None => format!("button or link {text:?}"),
        };
        self.one(found, &what, "buttons and links").await
    }

    /// Whether htmx takes over what `element` does (so no new page loads): only with script on,
    /// and only where it or its form carries an `hx-` request attribute.
    async fn handled_by_htmx(&self, element: &Element) -> Result<bool, Failure> {
        if self.script == Script::Off {
            return Ok(false);
        }
        let htmx = self
            .client
            .execute(
                r#"const el = arguments[0];
                const marked = "[hx-get], [hx-post], [hx-put], [hx-patch], [hx-delete], [hx-boost=true]";
                return el.closest(marked) !== null || (el.form ? el.form.matches(marked) : false);"#,
                vec![element_json(element)],
            )
            .await?;
        Ok(htmx.as_bool().unwrap_or(false))
    }

    /// Marks the current document, so that [`Page::after_action`] can tell when another
    /// has replaced it.
    async fn mark_page(&self) -> Result<(), Failure> {
        self.client
            .execute("window.__hicpOldPage = true;", vec![])
            .await?;
        Ok(())
    }

    /// The single element of a `{matches, names}` answer from the finders above.
    async fn one(&self, found: Value, what: &str, kind: &str) -> Result<Element, Failure> {
        let matches = found["matches"].as_array().cloned().unwrap_or_default();
        match matches.as_slice() {
            [only] => match element_id(only) {
                Some(id) => Ok(Element::from_element_id(self.client.clone(), id)),
                None => Err(self
                    .failed(format!("{what}: unreadable answer {only}"))
                    .await),
            },
            [] => {
                let names: Vec<String> = found["names"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|n| n.as_str().map(|s| format!("{s:?}")))
                    .collect();
                Err(self
                    .failed(format!(
                        "no {what}; the page's {kind} are {}",
                        names.join(", ")
                    ))
                    .await)
            }
            several => Err(self
                .failed(format!(
                    "{} elements match {what}; name the one you mean (click_in)",
                    several.len()
                ))
                .await),
        }
    }

    /// CSP violations and script errors from the browser's log since the last look.
    async fn console_errors(&self) -> Result<Vec<String>, Failure> {
        let entries = self
            .client
            .issue_cmd(Vendor::new("se/log", json!({"type": "browser"})))
            .await?;
        Ok(entries
            .as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .filter(|entry| {
                let message = entry["message"].as_str().unwrap_or_default();
                entry["source"] == "security"
                    || entry["source"] == "javascript"
                    || message.contains("Content Security Policy")
            })
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_string())
            .collect())
    }

    async fn full_page_png(&self) -> Result<Vec<u8>, Failure> {
        // Captured while scrolled down, Chromium leaves parts of the page beyond the window
        // unpainted (a field below the one just typed into came out blank); from the top it
        // paints them all. The scroll position matters to no step.
        self.client
            .execute("window.scrollTo(0, 0);", vec![])
            .await?;
        let metrics = self
            .client
            .issue_cmd(Vendor::cdp("Page.getLayoutMetrics", json!({})))
            .await?;
        let size = &metrics["cssContentSize"];
        let clip = json!({
            "x": 0, "y": 0, "scale": 1,
            "width": size["width"].as_f64().unwrap_or(1280.0),
            "height": size["height"].as_f64().unwrap_or(1000.0),
        });
        let shot = self
            .client
            .issue_cmd(Vendor::cdp(
                "Page.captureScreenshot",
                json!({"format": "png", "captureBeyondViewport": true, "clip": clip}),
            ))
            .await?;
        match base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap_or_default())
        {
            Ok(png) if !png.is_empty() => Ok(png),
            // The window alone, should the DevTools call not give a picture.
            _ => Ok(self.client.screenshot().await?),
        }
    }

    /// A step's failure on the current page, with a screenshot of it saved first.
    async fn failed(&self, what: String) -> Failure {
        self.save_failure_shot().await;
        let page = self
            .path()
            .await
            .unwrap_or_else(|_| "an unknown page".to_string());
        Failure::Step { page, what }
    }

    async fn save_failure_shot(&self) {
        if let Ok(path) = self.shot("failure").await {
            eprintln!("the page at the failure: {}", path.display());
        }
    }
}

/// Where screenshots go: `<target>/screenshots`, with `<target>` from `CARGO_TARGET_DIR` or
/// the workspace's `target`.
pub fn screenshots_dir() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    };
    target.join("screenshots")
}

/// An element as a script argument.
fn element_json(element: &Element) -> Value {
    json!({ELEMENT_KEY: element.element_id().to_string()})
}

/// A script's element answer as an element reference.
fn element_id(answer: &Value) -> Option<ElementRef> {
    answer[ELEMENT_KEY]
        .as_str()
        .map(|id| ElementRef::from(id.to_string()))
}

/// The W3C WebDriver key naming an element in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver command outside the W3C set: the browser log, DevTools calls.
#[derive(Debug)]
struct Vendor {
    path: &'static str,
    body: Value,
}

impl Vendor {
    fn new(path: &'static str, body: Value) -> Vendor {
        Vendor { path, body }
    }

    fn cdp(command: &str, params: Value) -> Vendor {
        Vendor::new(
            "goog/cdp/execute",
            json!({"cmd": command, "params": params}),
        )
    }
}

impl WebDriverCompatibleCommand for Vendor {
    fn endpoint(
        &self,
        base: &reqwest::Url,
        session: Option<&str>,
    ) -> Result<reqwest::Url, UrlError> {
        base.join(&format!(
            "session/{}/{}",
            session.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(self.body.to_string()))
    }
}

/// `url::ParseError`, named through reqwest's `Url` rather than a dependency on `url`.
type UrlError = <reqwest::Url as std::str::FromStr>::Err;
