//! The router with its layers, and a running server with graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::problem::Problem;
use crate::state::AppState;
use crate::{api, openapi, pages, security};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route, behind every layer.
pub fn router(state: AppState) -> Router {
    let config = state.config();
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(security::request_span))
        .layer(CatchPanicLayer::custom(|_| {
            Problem::internal(&"a request handler panicked").into_response()
        }))
        .layer(middleware::from_fn(security::headers))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ))
        .layer(middleware::from_fn(security::refuse_cross_site))
        .layer(DefaultBodyLimit::max(config.max_body_bytes));
    Router::new()
        .nest("/api/v1", api::routes(config))
        .route("/api/openapi.json", get(openapi::serve_document))
        .route("/healthz", get(healthz))
        .merge(pages::routes(&state))
        .fallback(not_found)
        .layer(layers)
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn not_found() -> Problem {
    Problem::not_found("page or API route")
}

/// A server accepting connections.
pub struct Running {
    pub address: SocketAddr,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, and waits for it.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(());
        self.task.await.map_err(std::io::Error::other)?
    }

    /// Runs until `signal` completes, then shuts down gracefully.
    pub async fn until(self, signal: impl Future<Output = ()>) -> std::io::Result<()> {
        signal.await;
        self.stop().await
    }
}

/// Serves `state` on `listener` until [`Running::stop`].
pub fn start(state: AppState, listener: TcpListener) -> std::io::Result<Running> {
    let address = listener.local_addr()?;
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(Running {
        address,
        shutdown,
        task,
    })
}
