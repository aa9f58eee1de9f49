//! Baidu's answer shapes: OAuth errors `{"error","error_description"}`, BCE errors
//! `{"requestId","code","message"}`, and JSON success bodies.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::tokens;
use broker_wire as wire;

/// A JSON answer with Baidu's headers; `no-store` because token answers must not be cached.
pub(crate) fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_string(body) {
        Ok(text) => {
            let mut response = (status, text).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// An HTML page, for the browser-facing pages (authorize, device verification).
pub(crate) fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{body}\n</body></html>\n",
        escape_html(title)
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// An OAuth error answer. `error` is one of the codes of baidu-oauth.md's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    /// HTTP 400, the status Baidu documents for OAuth errors.
    pub(crate) fn new(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
        }
    }

    /// A missing parameter.
    pub(crate) fn missing(param: &str) -> Self {
        Self::new(
            wire::code::INVALID_REQUEST,
            format!("missing required parameter: {param}"),
        )
    }

    /// HTTP 401 `invalid_client` / `unknown client id`: the AppKey (client_id) is wrong.
    pub(crate) fn unknown_client() -> Self {
        OAuthError {
            status: StatusCode::UNAUTHORIZED,
            error: wire::code::INVALID_CLIENT,
            description: "unknown client id".into(),
        }
    }

    /// HTTP 401 `invalid_client` / `Client authentication failed`: the SecretKey is wrong.
    pub(crate) fn client_auth_failed() -> Self {
        OAuthError {
            status: StatusCode::UNAUTHORIZED,
            error: wire::code::INVALID_CLIENT,
            description: "Client authentication failed".into(),
        }
    }

    pub(crate) fn unauthorized_client() -> Self {
        Self::new(
            wire::code::UNAUTHORIZED_CLIENT,
            "The client is not authorized to use this authorization grant type",
        )
    }

    pub(crate) fn revoked() -> Self {
        Self::new(
            wire::code::INVALID_GRANT,
            "The provided authorization grant is revoked",
        )
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        json(
            self.status,
            &wire::body::OAuthError {
                error: self.error,
                error_description: &self.description,
            },
        )
    }
}

/// A BCE error answer: `{"requestId","code","message"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BceError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl BceError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        BceError {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for BceError {
    fn into_response(self) -> Response {
        let request_id = tokens::request_id();
        let body = wire::body::BceError {
            request_id: &request_id,
            code: self.code,
            message: &self.message,
        };
        json(self.status, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_html_escapes_markup() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
