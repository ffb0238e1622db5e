//! Forms and the CSRF check. A page's form carries the session's CSRF token in a hidden
//! `_csrf` field (first, in a file upload); [`csrf_field_to_header`] moves it into the
//! `X-CSRF-Token` header before the request reaches its handler, so [`crate::caller::Caller`]
//! checks forms, htmx requests and scripts in one place, the same way.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use crate::caller::{CSRF_HEADER, changes_state};
use crate::problem::Problem;
use crate::state::AppState;

/// The hidden field every page form carries.
pub const CSRF_FIELD: &str = "_csrf";

/// How far into a file upload the `_csrf` field may end.
const MULTIPART_PEEK_BYTES: usize = 8 * 1024;

pub async fn csrf_field_to_header(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !changes_state(request.method()) || request.headers().contains_key(CSRF_HEADER) {
        return next.run(request).await;
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let (mut parts, body) = request.into_parts();
    let (token, body) = if content_type.starts_with("application/x-www-form-urlencoded") {
        let bytes = match axum::body::to_bytes(body, state.config().max_body_bytes).await {
            Ok(bytes) => bytes,
            Err(_) => return too_large(),
        };
        (urlencoded_field(&bytes), Body::from(bytes))
    } else if let Some(boundary) = multipart_boundary(&content_type, &parts.headers) {
        let mut stream = body.into_data_stream();
        let mut seen = Vec::new();
        let mut token = None;
        while seen.len() < MULTIPART_PEEK_BYTES {
            match stream.next().await {
                Some(Ok(chunk)) => seen.extend_from_slice(&chunk),
                Some(Err(_)) => return too_large(),
                None => break,
            }
            token = first_multipart_field(&seen, &boundary);
            if token.is_some() {
                break;
            }
        }
        let prefix =
            futures_util::stream::once(async move { Ok::<_, axum::Error>(Bytes::from(seen)) });
        (token, Body::from_stream(prefix.chain(stream)))
    } else {
        (None, body)
    };
    if let Some(value) = token.and_then(|token| HeaderValue::from_str(&token).ok()) {
        parts.headers.insert(CSRF_HEADER, value);
    }
    next.run(Request::from_parts(parts, body)).await
}

/// An API message (which starts lowercase, as its problem details do) as a sentence for a
/// page.
pub fn sentence(detail: &str) -> String {
    let mut chars = detail.chars();
    let mut text: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

fn too_large() -> Response {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        "the form was larger than the server accepts",
    )
    .into_response()
}

fn urlencoded_field(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(name, _)| name == CSRF_FIELD)
        .map(|(_, value)| value.into_owned())
}

/// The boundary of a `multipart/form-data` body, from the original (case-kept) header.
fn multipart_boundary(lowercase: &str, headers: &axum::http::HeaderMap) -> Option<String> {
    if !lowercase.starts_with("multipart/form-data") {
        return None;
    }
    let original = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    original.split(';').find_map(|param| {
        let (name, value) = param.trim().split_once('=')?;
        name.eq_ignore_ascii_case("boundary")
            .then(|| value.trim_matches('"').to_string())
    })
}

/// The value of the body's first part when that part is the `_csrf` field and has fully
/// arrived.
fn first_multipart_field(seen: &[u8], boundary: &str) -> Option<String> {
    let text = std::str::from_utf8(seen)
        .or_else(|error| std::str::from_utf8(&seen[..error.valid_up_to()]))
        .ok()?;
    let rest = text.strip_prefix(&format!("--{boundary}\r\n"))?;
    let (head, rest) = rest.split_once("\r\n\r\n")?;
    let names_csrf = head.lines().any(|line| {
        line.to_ascii_lowercase()
            .starts_with("content-disposition:")
            && line.contains(&format!("name=\"{CSRF_FIELD}\""))
    });
    if !names_csrf {
        return None;
    }
    let (value, _) = rest.split_once(&format!("\r\n--{boundary}"))?;
    Some(value.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_token_in_a_urlencoded_form() {
        assert_eq!(
            urlencoded_field(b"status=implemented&_csrf=abc%20def&note=x").as_deref(),
            Some("abc def")
        );
        assert_eq!(urlencoded_field(b"status=implemented"), None);
    }

    #[test]
    fn finds_the_token_only_as_the_first_complete_part() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nt0ken\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\n...";
        assert_eq!(
            first_multipart_field(body.as_bytes(), "XyZ").as_deref(),
            Some("t0ken")
        );
        // Not yet arrived: wait for more.
        assert_eq!(first_multipart_field(&body.as_bytes()[..60], "XyZ"), None);
        let file_first =
            "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n_csrf\r\n--XyZ";
        assert_eq!(first_multipart_field(file_first.as_bytes(), "XyZ"), None);
    }
}
