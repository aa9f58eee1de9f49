//! The admin API under `/_emulator/`, a prefix no Baidu API uses: register apps, decide
//! device codes, change settings and the clock, queue faults, revoke tokens, read counters.
//!
//! JSON in, JSON out; errors are `{"error": "…"}` with a 4xx status. Each route calls the
//! same state functions as the matching [`super::Handle`] method. docs/emulator.md lists them.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::apps::{App, AppView, BceKey};
use super::clock::ClockUpdate;
use super::counters::Counters;
use super::device::{self, DecideError};
use super::faults::Fault;
use super::reply::json as reply_json;
use super::settings::{Decision, SettingsPatch};
use super::state::{Revoke, Shared};

/// The path prefix of every admin route.
pub const PREFIX: &str = "/_emulator";

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_emulator/health", get(health))
        .route("/_emulator/apps", get(list_apps).post(register_app))
        .route("/_emulator/bce-keys", post(register_bce_key))
        .route("/_emulator/devices", get(list_devices))
        .route("/_emulator/devices/approve", post(approve_device))
        .route("/_emulator/devices/decline", post(decline_device))
        .route(
            "/_emulator/settings",
            get(get_settings).post(patch_settings).patch(patch_settings),
        )
        .route("/_emulator/clock", get(get_clock).post(set_clock))
        .route(
            "/_emulator/faults",
            get(list_faults).post(add_faults).delete(clear_faults),
        )
        .route("/_emulator/revoke", post(revoke))
        .route(
            "/_emulator/counters",
            get(get_counters).delete(reset_counters),
        )
        .route("/_emulator/counters/reset", post(reset_counters))
}

fn ok<T: Serialize>(body: &T) -> Response {
    reply_json(StatusCode::OK, body)
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    reply_json(status, &json!({ "error": message.into() }))
}

/// A request body the admin API could not read; answers 400 with the parser's reason.
struct BadBody(String);

impl IntoResponse for BadBody {
    fn into_response(self) -> Response {
        error(
            StatusCode::BAD_REQUEST,
            format!("invalid JSON body: {}", self.0),
        )
    }
}

/// Reads a JSON body; an empty body reads as `{}` so routes whose fields are all optional
/// can be called with a bare `curl -X POST`.
fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BadBody> {
    let text = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        bytes
    };
    serde_json::from_slice(text).map_err(|e| BadBody(e.to_string()))
}

async fn health(Extract(shared): Extract<Arc<Shared>>) -> Response {
    ok(&json!({ "ok": true, "base_url": shared.base_url }))
}

async fn list_apps(Extract(shared): Extract<Arc<Shared>>) -> Response {
    let apps: Vec<AppView> = shared.lock().apps.values().map(AppView::from).collect();
    ok(&apps)
}

async fn register_app(Extract(shared): Extract<Arc<Shared>>, bytes: Bytes) -> Response {
    let app: App = match body(&bytes) {
        Ok(app) => app,
        Err(e) => return e.into_response(),
    };
    if app.client_id.is_empty() || app.client_secret.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "client_id and client_secret must not be empty",
        );
    }
    let view = AppView::from(&app);
    shared.lock().register_app(app);
    reply_json(StatusCode::CREATED, &view)
}

async fn register_bce_key(Extract(shared): Extract<Arc<Shared>>, bytes: Bytes) -> Response {
    let key: BceKey = match body(&bytes) {
        Ok(key) => key,
        Err(e) => return e.into_response(),
    };
    if key.access_key.is_empty() || key.secret_key.is_empty() || key.access_key.contains('/') {
        return error(
            StatusCode::BAD_REQUEST,
            "access_key and secret_key must not be empty, and access_key cannot contain `/`",
        );
    }
    let access_key = key.access_key.clone();
    let mut st = shared.lock();
    st.register_bce_key(key);
    let user_id = st.bce_keys.get(&access_key).and_then(|k| k.user_id.clone());
    reply_json(
        StatusCode::CREATED,
        &json!({ "access_key": access_key, "user_id": user_id }),
    )
}

async fn list_devices(Extract(shared): Extract<Arc<Shared>>) -> Response {
    ok(&device::list(&shared.lock()))
}

/// Body of the approve and decline routes: a user code, or none for the latest pending one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideBody {
    #[serde(default)]
    user_code: Option<String>,
}

async fn approve_device(Extract(shared): Extract<Arc<Shared>>, bytes: Bytes) -> Response {
    decide(&shared, &bytes, Decision::Approve)
}

async fn decline_device(Extract(shared): Extract<Arc<Shared>>, bytes: Bytes) -> Response {
    decide(&shared, &bytes, Decision::Decline)
}

fn decide(shared: &Shared, bytes: &[u8], decision: Decision) -> Response {
    let request: DecideBody = match body(bytes) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let result = device::decide(&mut shared.lock(), request.user_code.as_deref(), decision);
    match result {
        Ok(user_code) => {
            let status = if decision == Decision::Approve {
                "approved"
            } else {
                "declined"
            };
            ok(&json!({ "user_code": user_code, "status": status }))
        }
        Err(e @ DecideError::NotFound) => error(StatusCode::NOT_FOUND, e.to_string()),
        Err(e) => error(StatusCode::CONFLICT, e.to_string()),
    }
}

async fn get_settings(Extract(shared): Extract<Arc<Shared>>) -> Response {
    ok(&shared.lock().settings)
}

async fn patch_settings(Extract(shared): Extract<Arc<Shared>>, bytes: Bytes) -> Response {
    let patch: SettingsPatch = match body(&bytes) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let mut st = shared.lock();
    st.settings.apply(&patch);
    ok(&st.settings)
}

async fn get_clock(Extract(shared): Extract<Arc<Shared>>) -> Response {
    ok(&shared.lock().clock.view())
}

async fn set_clock(Extract(shared): Extract<Arc<Shared>>, bytes: Bytes) -> Response {
    let update: ClockUpdate = match body(&bytes) {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let mut st = shared.lock();
    st.clock.apply(&update);
    ok(&st.clock.view())
}

async fn list_faults(Extract(shared): Extract<Arc<Shared>>) -> Response {
    ok(&shared.lock().faults.pending())
}

/// One fault, or a list of faults queued in order.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<Fault>),
    One(Fault),
}

async fn add_faults(Extract(shared): Extract<Arc<Shared>>, bytes: Bytes) -> Response {
    let faults = match serde_json::from_slice::<OneOrMany>(&bytes) {
        Ok(OneOrMany::Many(v)) => v,
        Ok(OneOrMany::One(f)) => vec![f],
        // Report the single-fault error: untagged enums say nothing useful.
        Err(_) => match body::<Fault>(&bytes) {
            Ok(f) => vec![f],
            Err(e) => return e.into_response(),
        },
    };
    let mut st = shared.lock();
    let queued = faults.len();
    for fault in faults {
        st.faults.push(fault);
    }
    reply_json(
        StatusCode::CREATED,
        &json!({ "queued": queued, "pending": st.faults.pending() }),
    )
}

async fn clear_faults(Extract(shared): Extract<Arc<Shared>>) -> Response {
    let mut st = shared.lock();
    let cleared = st.faults.pending().len();
    st.faults.clear();
    ok(&json!({ "cleared": cleared }))
}

async fn revoke(Extract(shared): Extract<Arc<Shared>>, bytes: Bytes) -> Response {
    let what: Revoke = match body(&bytes) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    if what.access_token.is_none() && what.refresh_token.is_none() && what.client_id.is_none() {
        return error(
            StatusCode::BAD_REQUEST,
            "name an access_token, a refresh_token or a client_id",
        );
    }
    ok(&json!({ "revoked": shared.lock().revoke(&what) }))
}

async fn get_counters(Extract(shared): Extract<Arc<Shared>>) -> Response {
    ok(&shared.lock().counters)
}

/// Answers the counters as they were, then zeroes them.
async fn reset_counters(Extract(shared): Extract<Arc<Shared>>) -> Response {
    let before = std::mem::take(&mut shared.lock().counters);
    ok::<Counters>(&before)
}
