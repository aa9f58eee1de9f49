//! Injected faults: one-shot misbehaviours queued for the next requests to a path.
//!
//! A fault fires `before` the handler (the request changes nothing: no code or refresh token
//! is spent) or `after` it (the request took effect but its answer is lost or replaced, the
//! case where a client cannot know whether its refresh token was consumed).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use broker_wire as wire;
use serde::{Deserialize, Serialize};

/// What goes wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer this HTTP status (500, 502, 503, …) with `body` (default: a short HTML page).
    Status {
        status: u16,
        #[serde(default)]
        body: Option<String>,
    },
    /// Answer 200 with a body that is not JSON.
    Garbage {
        #[serde(default)]
        body: Option<String>,
    },
    /// Answer Baidu's non-standard throttle:
    /// `{"error":wire::code::SECURITY_POLICY,"error_description":"Please try again later"}`.
    SecurityPolicy,
    /// Close the connection without any response.
    Drop,
    /// Wait `ms` milliseconds before answering normally (or, `after`, before sending the answer).
    Delay { ms: u64 },
    /// Answer `{"error":wire::code::EXPIRED_TOKEN,"error_description":"refresh token has been used"}`.
    ExpiredToken,
    /// Let the request take effect (always, whatever `when` says), then replace the
    /// `expires_in` of its JSON answer with `value` (`null` removes it): a token answer that
    /// is good but for its lifetime, e.g. `2592000.0` or `-1`.
    ExpiresIn { value: serde_json::Value },
    /// Answer 400 `{"error": error, "error_description": "<description>; request: …"}`, the
    /// description quoting the request as received (query and form body, raw and decoded):
    /// a careless server or proxy that echoes the client's secrets back in its error text.
    Echo {
        #[serde(default = "echo_error")]
        error: String,
        #[serde(default)]
        description: Option<String>,
    },
}

fn echo_error() -> String {
    wire::code::INVALID_GRANT.into()
}

/// What an echoing fault quotes: the request as the server received it.
pub(crate) struct Echoed<'a> {
    pub query: Option<&'a str>,
    pub body: &'a [u8],
}

/// Whether the fault replaces the handler or follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    #[default]
    Before,
    After,
}

/// A queued fault: `kind`, for the next `count` requests to `path` (any Baidu path when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    #[serde(flatten)]
    pub kind: FaultKind,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default)]
    pub when: When,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// A fault for the next request to any path, before the handler.
    pub fn new(kind: FaultKind) -> Self {
        Fault {
            kind,
            path: None,
            count: 1,
            when: When::Before,
        }
    }

    pub fn on_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn times(mut self, count: u32) -> Self {
        self.count = count;
        self
    }

    pub fn after_handling(mut self) -> Self {
        self.when = When::After;
        self
    }
}

/// Faults in the order they were queued; the first one matching a request fires.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue(Vec<Fault>);

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.count > 0 {
            self.0.push(fault);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    pub(crate) fn pending(&self) -> Vec<Fault> {
        self.0.clone()
    }

    /// Takes one shot of the first fault queued for `path` (or for any path).
    pub(crate) fn take(&mut self, path: &str) -> Option<(FaultKind, When)> {
        let i = self
            .0
            .iter()
            .position(|f| f.path.as_deref().is_none_or(|p| p == path))?;
        let fault = &mut self.0[i];
        let fired = (fault.kind.clone(), fault.when);
        fault.count -= 1;
        if fault.count == 0 {
            self.0.remove(i);
        }
        Some(fired)
    }
}

/// The answer a fault gives in place of the real one; `None` for `drop` and `delay`, which
/// do not answer by themselves.
pub(crate) fn response(kind: &FaultKind, request: &Echoed) -> Option<Response> {
    let json = |status: StatusCode, body: &str| {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    };
    match kind {
        FaultKind::Status { status, body } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = body.clone().unwrap_or_else(|| {
                let reason = status.canonical_reason().unwrap_or("Error");
                format!("<html><head><title>{} {reason}</title></head><body><h1>{} {reason}</h1></body></html>", status.as_u16(), status.as_u16())
            });
            let content_type = if serde_json::from_str::<serde_json::Value>(&body).is_ok() {
                "application/json"
            } else {
                "text/html"
            };
            Some((status, [(header::CONTENT_TYPE, content_type)], body).into_response())
        }
        FaultKind::Garbage { body } => {
            let body = body
                .clone()
                .unwrap_or_else(|| "<html><body>系统繁忙 service busy".to_string());
            Some((StatusCode::OK, [(header::CONTENT_TYPE, "text/html")], body).into_response())
        }
        FaultKind::SecurityPolicy => Some(json(
            StatusCode::BAD_REQUEST,
            &oauth_body(wire::code::SECURITY_POLICY, "Please try again later"),
        )),
        FaultKind::ExpiredToken => Some(json(
            StatusCode::BAD_REQUEST,
            &oauth_body(wire::code::EXPIRED_TOKEN, "refresh token has been used"),
        )),
        FaultKind::Echo { error, description } => {
            let raw = format!(
                "{}&{}",
                request.query.unwrap_or_default(),
                String::from_utf8_lossy(request.body)
            );
            let decoded: Vec<String> = url::form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let text = format!(
                "{}; request: {raw}; decoded: {}",
                description.as_deref().unwrap_or("bad request"),
                decoded.join(" ")
            );
            Some(json(StatusCode::BAD_REQUEST, &oauth_body(error, &text)))
        }
        FaultKind::Drop | FaultKind::Delay { .. } | FaultKind::ExpiresIn { .. } => None,
    }
}

/// An OAuth error body as text.
fn oauth_body(error: &str, description: &str) -> String {
    let body = wire::body::OAuthError {
        error,
        error_description: description,
    };
    serde_json::to_string(&body).unwrap_or_default()
}

/// The answer `response` with its JSON `expires_in` replaced by `value` (removed when `null`);
/// an answer that is not a JSON object is passed on unchanged.
pub(crate) async fn rewrite_expires_in(response: Response, value: &serde_json::Value) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "answer too large to rewrite",
        )
            .into_response();
    };
    let mut json: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v @ serde_json::Value::Object(_)) => v,
        _ => return Response::from_parts(parts, axum::body::Body::from(bytes)),
    };
    let obj = json.as_object_mut().expect("an object");
    if value.is_null() {
        obj.remove("expires_in");
    } else {
        obj.insert("expires_in".into(), value.clone());
    }
    let mut parts = parts;
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(json.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_fires_in_order_per_path_and_counts_down() {
        let mut q = FaultQueue::default();
        q.push(Fault::new(FaultKind::Drop).on_path("/a").times(2));
        q.push(Fault::new(FaultKind::SecurityPolicy));
        q.push(Fault::new(FaultKind::Drop).times(0));
        assert_eq!(
            q.take("/b"),
            Some((FaultKind::SecurityPolicy, When::Before))
        );
        assert_eq!(q.take("/b"), None);
        assert_eq!(q.take("/a"), Some((FaultKind::Drop, When::Before)));
        assert_eq!(q.take("/a"), Some((FaultKind::Drop, When::Before)));
        assert_eq!(q.take("/a"), None);
        assert!(q.pending().is_empty());
    }

    #[test]
    fn faults_read_from_json() {
        let f: Fault = serde_json::from_str(
            r#"{"kind":"status","status":503,"path":"/oauth/2.0/token","count":2}"#,
        )
        .unwrap();
        assert_eq!(
            f.kind,
            FaultKind::Status {
                status: 503,
                body: None
            }
        );
        assert_eq!(f.count, 2);
        let f: Fault = serde_json::from_str(r#"{"kind":"drop","when":"after"}"#).unwrap();
        assert_eq!(
            (f.kind, f.count, f.when, f.path),
            (FaultKind::Drop, 1, When::After, None)
        );
        let f: Fault = serde_json::from_str(r#"{"kind":"echo"}"#).unwrap();
        assert_eq!(
            f.kind,
            FaultKind::Echo {
                error: "invalid_grant".into(),
                description: None
            }
        );
        let f: Fault = serde_json::from_str(r#"{"kind":"delay","ms":60000}"#).unwrap();
        assert_eq!(f.kind, FaultKind::Delay { ms: 60000 });
        let f: Fault =
            serde_json::from_str(r#"{"kind":"expires_in","value":"2592000.0"}"#).unwrap();
        assert_eq!(
            f.kind,
            FaultKind::ExpiresIn {
                value: "2592000.0".into()
            }
        );
        assert!(serde_json::from_str::<Fault>(r#"{"kind":"explode"}"#).is_err());
    }

    #[test]
    fn echo_quotes_query_and_body_raw_and_decoded() {
        let kind = FaultKind::Echo {
            error: "invalid_client".into(),
            description: Some("Client authentication failed".into()),
        };
        let request = Echoed {
            query: Some("q=1"),
            body: b"client_secret=a%2Bb",
        };
        let response = response(&kind, &request).unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = futures_body(response);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let text = v["error_description"].as_str().unwrap();
        assert!(text.starts_with("Client authentication failed; "), "{text}");
        assert!(text.contains("client_secret=a%2Bb") && text.contains("client_secret=a+b"));
    }

    fn futures_body(response: Response) -> String {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let bytes = rt
            .block_on(axum::body::to_bytes(response.into_body(), 1 << 20))
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }
}
