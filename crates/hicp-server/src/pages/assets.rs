//! The workspace's static files, compiled into the binary: one stylesheet, htmx, and the small
//! script that wires the pages' enhancements. Each is served under a name carrying a hash of
//! its content, so a browser may keep it for a year and still never runs a stale copy.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

struct Asset {
    /// The name before the hash, e.g. `hicp` for `hicp-1a2b3c4d.css`.
    stem: &'static str,
    extension: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: [Asset; 3] = [
    Asset {
        stem: "hicp",
        extension: "css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/hicp.css"),
    },
    Asset {
        stem: "hicp",
        extension: "js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/hicp.js"),
    },
    Asset {
        stem: "htmx",
        extension: "js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/htmx-2.0.11.min.js"),
    },
];

/// Each asset's URL path, in the order of [`ASSETS`].
static PATHS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| {
            let digest = Sha256::digest(asset.bytes);
            let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
            format!("/assets/{}-{hash}.{}", asset.stem, asset.extension)
        })
        .collect()
});

pub fn stylesheet() -> &'static str {
    &PATHS[0]
}

pub fn script() -> &'static str {
    &PATHS[1]
}

pub fn htmx() -> &'static str {
    &PATHS[2]
}

pub fn routes() -> Router<crate::state::AppState> {
    Router::new().route("/assets/{name}", get(serve))
}

async fn serve(Path(name): Path<String>) -> Response {
    let path = format!("/assets/{name}");
    let Some(index) = PATHS.iter().position(|known| *known == path) else {
        return (StatusCode::NOT_FOUND, "no such asset\n").into_response();
    };
    let asset = &ASSETS[index];
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        asset.bytes,
    )
        .into_response()
}
