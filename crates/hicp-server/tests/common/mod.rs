//! A real server on a loopback port over a real test database, and an HTTP client that signs
//! in as a browser would (cookie and CSRF token) or uses a bearer token.

#![allow(dead_code)]

use std::sync::Arc;

use hicp_server::{AppState, Running, ServerConfig};
use hicp_store::testing::TestDatabase;
use hicp_store::{Clock, Store};
use reqwest::Method;
use serde_json::Value;

pub type TestResult = hicp_store::testing::TestResult;

pub struct Server {
    pub base: String,
    pub state: AppState,
    running: Running,
}

impl Server {
    pub async fn start(store: Store, config: ServerConfig) -> Server {
        let catalog = hicp_catalog::Catalog::embedded().expect("the embedded catalog loads");
        let state = AppState::new(store, catalog, config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let running = hicp_server::start(state.clone(), listener).expect("the server starts");
        Server {
            base: format!("http://{}", running.address),
            state,
            running,
        }
    }

    /// A server over `db` with the demo data loaded; returns it with the demo password.
    pub async fn demo(db: &TestDatabase) -> (Server, String) {
        Server::demo_with(
            db.open().await.expect("the test database opens"),
            ServerConfig::default(),
        )
        .await
    }

    pub async fn demo_with(store: Store, config: ServerConfig) -> (Server, String) {
        let catalog = hicp_catalog::Catalog::embedded().expect("the embedded catalog loads");
        let demo = hicp_server::demo::load(&store, &catalog, time::macros::date!(2026 - 11 - 02))
            .await
            .expect("the demo loads");
        (Server::start(store, config).await, demo.password)
    }

    pub async fn with_clock(db: &TestDatabase, clock: Arc<dyn Clock>) -> Store {
        db.open_with_clock(clock)
            .await
            .expect("the test database opens")
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Client {
        let mut client = self.client();
        let (status, body) = client
            .send(
                Method::POST,
                "/api/v1/session",
                Some(serde_json::json!({"email": email, "password": password})),
            )
            .await;
        assert_eq!(status, 200, "signing in as {email}: {body}");
        client.csrf = body["csrf_token"].as_str().map(str::to_string);
        client
    }

    pub async fn stop(self) {
        self.running.stop().await.expect("the server stops cleanly");
    }
}

#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            base: base.to_string(),
            csrf: None,
            bearer: None,
        }
    }

    /// The same cookies and token against another server (a second instance).
    pub fn against(&self, base: &str) -> Client {
        Client {
            base: base.to_string(),
            ..self.clone()
        }
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(csrf) = &self.csrf {
            request = request.header("x-csrf-token", csrf);
        }
        if let Some(token) = &self.bearer {
            request = request.bearer_auth(token);
        }
        request
    }

    /// Sends JSON (or nothing) and returns the status and the JSON answer (`Null` when the
    /// answer is not JSON).
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, None).await
    }
}

/// The id of the demo organization named `name`, as `client` sees it.
pub async fn organization_id(client: &Client, name: &str) -> String {
    let (_, organizations) = client.get("/api/v1/organizations").await;
    organizations
        .as_array()
        .and_then(|all| all.iter().find(|o| o["name"] == name))
        .and_then(|o| o["id"].as_str())
        .unwrap_or_else(|| panic!("{name} is among {organizations}"))
        .to_string()
}

pub const FAMILY_PRACTICE: &str = "Maple Street Family Medicine";
pub const ADMIN: &str = "admin@demo.hicp.invalid";
pub const ASSESSOR: &str = "assessor@demo.hicp.invalid";
pub const CONTRIBUTOR: &str = "contributor@demo.hicp.invalid";
pub const VIEWER: &str = "viewer@demo.hicp.invalid";
pub const AUDITOR: &str = "auditor@demo.hicp.invalid";

/// `../shared/testdata` beside the repository, or `None` (the caller prints that it skipped).
pub fn testdata() -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata");
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} is absent, so the real samples were not read",
            path.display()
        );
        None
    }
}
