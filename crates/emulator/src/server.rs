//! The HTTP server: the route table, and the accept loop that puts counters, latency and
//! faults in front of it.
//!
//! The loop drives hyper directly (rather than `axum::serve`) for one reason: the `drop`
//! fault must close a connection without any response, and a hyper service that returns an
//! error does exactly that.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceExt;

use super::faults::{self, FaultKind, When};
use super::params::Params;
use super::reply;
use super::state::Shared;
use super::{admin, authorize, bce, device, nas, sts, token};
use broker_wire as wire;

/// Larger request bodies are refused: no Baidu request comes near it.
const MAX_BODY_BYTES: usize = 1 << 20;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(wire::path::TOKEN, get(token::handle).post(token::handle))
        .route(
            wire::path::DEVICE_CODE,
            get(device::code).post(device::code),
        )
        .route(wire::path::AUTHORIZE, get(authorize::handle))
        .route(wire::path::BCE_TOKEN, get(bce::handle))
        .route(wire::path::STS_SESSION_TOKEN, post(sts::session_token))
        .route(wire::path::STS_CHECK, get(sts::check))
        .route(wire::path::NAS, get(nas::handle).post(nas::handle))
        .route("/device", get(device::page).post(device::submit))
        .route("/device/qrcode/{hex}/{user_code}", get(device::qrcode))
        .merge(admin::routes())
        .fallback(not_found)
        .with_state(shared)
}

async fn not_found() -> Response {
    reply::json(
        StatusCode::NOT_FOUND,
        &serde_json::json!({ "error_code": 404, "error_msg": "no such API in the broker emulator" }),
    )
}

/// The error a service returns to make hyper close the connection unanswered.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

/// Accepts connections until `shutdown` fires (or its sender is dropped). Connections still
/// open then are cancelled when the caller drops the runtime.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let router = router(shared.clone());
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => accepted,
        };
        // Out of file descriptors and the like: wait instead of spinning.
        let Ok((stream, _)) = accepted else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let shared = shared.clone();
        let router = router.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                dispatch(shared.clone(), router.clone(), req)
            });
            // A connection error (a client hanging up, a dropped fault) ends only this connection.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// One request: admin requests go straight to the router; Baidu requests are counted, then
/// meet the global latency and the next queued fault for their path.
async fn dispatch(
    shared: Arc<Shared>,
    router: Router,
    req: Request<Incoming>,
) -> Result<Response, DropConnection> {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(Body::new(body), MAX_BODY_BYTES).await else {
        return Ok((
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body too large or cut short",
        )
            .into_response());
    };
    let path = parts.uri.path().to_string();
    if path == admin::PREFIX || path.starts_with(&format!("{}/", admin::PREFIX)) {
        return Ok(call(router, Request::from_parts(parts, Body::from(bytes))).await);
    }

    let (latency_ms, fault) = {
        let mut st = shared.lock();
        let grant = (path == wire::path::TOKEN)
            .then(|| {
                Params::from_request(parts.uri.query(), &parts.headers, &bytes)
                    .get("grant_type")
                    .map(str::to_string)
            })
            .flatten();
        st.counters
            .record_request(&path, parts.uri.query(), grant.as_deref());
        let fault = st.faults.take(&path);
        if fault.is_some() {
            st.counters.faults_fired += 1;
        }
        (st.settings.latency_ms, fault)
    };
    if latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    }

    let query = parts.uri.query().map(str::to_owned);
    let echoed = bytes.clone();
    let echoed = faults::Echoed {
        query: query.as_deref(),
        body: &echoed,
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    let Some((kind, when)) = fault else {
        return Ok(call(router, request).await);
    };
    if when == When::Before && !matches!(kind, FaultKind::ExpiresIn { .. }) {
        match &kind {
            FaultKind::Drop => return Err(DropConnection),
            FaultKind::Delay { ms } => tokio::time::sleep(Duration::from_millis(*ms)).await,
            other => {
                if let Some(response) = faults::response(other, &echoed) {
                    return Ok(response);
                }
            }
        }
        return Ok(call(router, request).await);
    }

    // After: the request takes effect, then its answer is lost, late or replaced.
    let response = call(router, request).await;
    match &kind {
        FaultKind::Drop => Err(DropConnection),
        FaultKind::Delay { ms } => {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            Ok(response)
        }
        FaultKind::ExpiresIn { value } => Ok(faults::rewrite_expires_in(response, value).await),
        other => Ok(faults::response(other, &echoed).unwrap_or(response)),
    }
}

async fn call(router: Router, request: Request<Body>) -> Response {
    match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}
