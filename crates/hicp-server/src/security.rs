//! The layers every response and every state-changing request pass: security headers, the
//! cross-origin check, and request logging that names the route but never a secret.

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::caller::changes_state;
use crate::problem::Problem;

/// No inline script or style, nothing from elsewhere, no framing, forms only to ourselves.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every response.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        // What hicp serves is an organization's weaknesses: never kept in shared caches.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Whether a request was started by another site, by the browser's own account of it:
/// `Sec-Fetch-Site` where the browser sends it, else `Origin` compared with `Host`. Requests
/// with neither (scripts, `curl`) are not browser-initiated cross-site requests.
pub fn cross_site(method: &Method, headers: &HeaderMap) -> bool {
    if !changes_state(method) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|origin| origin.split_once("://"))
        .map(|(_, rest)| rest.trim_end_matches('/'));
    origin_host.is_none() || origin_host != host
}

/// Refuses state-changing requests another site started.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if cross_site(request.method(), request.headers()) {
        return Problem::new(
            StatusCode::FORBIDDEN,
            "cross-site",
            "a change started by another site was refused",
        )
        .into_response();
    }
    next.run(request).await
}

/// The span each request is logged in: the method and the route's pattern (never the raw path,
/// which may hold a setup token) and the request id. Headers, cookies and bodies are not
/// logged.
pub fn request_span(request: &axum::http::Request<Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str);
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), route, request_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn reads_are_never_cross_site_refusals() {
        let h = headers(&[("sec-fetch-site", "cross-site")]);
        assert!(!cross_site(&Method::GET, &h));
        assert!(cross_site(&Method::POST, &h));
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        for (site, refused) in [
            ("same-origin", false),
            ("none", false),
            ("same-site", true),
            ("cross-site", true),
        ] {
            let h = headers(&[("sec-fetch-site", site), ("host", "hicp.example")]);
            assert_eq!(cross_site(&Method::PUT, &h), refused, "{site}");
        }
    }

    #[test]
    fn origin_must_match_host_without_fetch_metadata() {
        let same = headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(!cross_site(&Method::POST, &same));
        let other = headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(cross_site(&Method::POST, &other));
        let null = headers(&[("origin", "null"), ("host", "127.0.0.1:8080")]);
        assert!(cross_site(&Method::DELETE, &null));
        let script = headers(&[("host", "127.0.0.1:8080")]);
        assert!(!cross_site(&Method::POST, &script));
    }
}
