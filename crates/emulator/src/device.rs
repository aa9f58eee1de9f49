//! The device flow: `/oauth/2.0/device/code`, the `device_token` grant that polls it, the
//! verification page a person (or the admin API) uses to approve or decline a user code, and
//! the QR code image of that page.
//!
//! Baidu's dialect, not RFC 8628's: the grant is `device_token` and the device code travels
//! in `code`. Polls closer together than the interval answer `slow_down` and add 5 s to it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::apps::App;
use super::clock::after;
use super::params::Params;
use super::qr;
use super::reply::{self, OAuthError, escape_html};
use super::settings::{Decision, DeviceExpiryError, Grant};
use super::state::{DeviceRecord, DeviceStatus, Shared, State, parse_scope, scope_string};
use super::token::{TokenBody, issue_netdisk};
use super::tokens;
use broker_wire as wire;

/// How much `slow_down` adds to the interval (RFC 8628 and Baidu alike).
const SLOW_DOWN_STEP_SECS: u64 = 5;

/// The text Baidu has been seen to answer for a device code that is unknown, spent or expired.
const INVALID_DEVICE_CODE: &str = "invalid code , expired or revoked";

#[derive(Debug, Serialize)]
pub(crate) struct DeviceCodeBody {
    pub device_code: String,
    pub user_code: String,
    pub verification_url: String,
    pub qrcode_url: String,
    pub expires_in: u64,
    pub interval: u64,
}

/// A device code as the admin API lists it (the device code itself stays out: it is the
/// client's secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub user_code: String,
    pub client_id: String,
    pub scope: String,
    pub status: DeviceStatus,
    pub expired: bool,
    pub expires_at: DateTime<Utc>,
    pub interval: u64,
}

/// Why approving or declining a user code failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecideError {
    NotFound,
    Expired,
    NotPending(DeviceStatus),
}

impl std::fmt::Display for DecideError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecideError::NotFound => f.write_str("no pending device code with that user code"),
            DecideError::Expired => f.write_str("that device code has expired"),
            DecideError::NotPending(status) => write!(
                f,
                "that device code is no longer pending (it is {status:?})"
            ),
        }
    }
}

/// `GET /oauth/2.0/device/code?response_type=device_code&client_id=…&scope=…` (POST too).
pub(crate) async fn code(
    Extract(shared): Extract<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::from_request(uri.query(), &headers, &body);
    let mut st = shared.lock();
    match issue(&mut st, &params, &shared.base_url) {
        Ok(body) => reply::json(StatusCode::OK, &body),
        Err(e) => {
            st.counters.record_error(e.error);
            e.into_response()
        }
    }
}

pub(crate) fn issue(
    st: &mut State,
    p: &Params,
    base_url: &str,
) -> Result<DeviceCodeBody, OAuthError> {
    if p.get("response_type") != Some("device_code") {
        return Err(OAuthError::new(
            "unsupported_response_type",
            "The authorization server does not support obtaining a device code using this method",
        ));
    }
    let app = st.app_for(p)?;
    if !app.allows(Grant::DeviceToken) {
        return Err(OAuthError::unauthorized_client());
    }
    let client_id = app.client_id.clone();
    let now = st.clock.now();
    let user_code = loop {
        let candidate = tokens::user_code();
        if !st.devices.iter().any(|d| d.user_code == candidate) {
            break candidate;
        }
    };
    let record = DeviceRecord {
        device_code: tokens::hex(32),
        user_code: user_code.clone(),
        client_id,
        scope: p
            .non_empty("scope")
            .map(parse_scope)
            .unwrap_or_else(|| vec!["basic".to_string()]),
        expires_at: after(now, st.settings.device_expires_in),
        interval: st.settings.device_interval,
        last_poll: None,
        status: DeviceStatus::Pending,
    };
    let body = DeviceCodeBody {
        device_code: record.device_code.clone(),
        user_code: user_code.clone(),
        verification_url: format!("{base_url}/device"),
        qrcode_url: format!("{base_url}/device/qrcode/{}/{user_code}", tokens::hex(32)),
        expires_in: st.settings.device_expires_in,
        interval: record.interval,
    };
    st.devices.push(record);
    Ok(body)
}

/// The `device_token` grant: one poll.
pub(crate) fn poll(
    st: &mut State,
    p: &Params,
    app: &App,
    now: DateTime<Utc>,
) -> Result<TokenBody, OAuthError> {
    let code = p
        .non_empty("code")
        .ok_or_else(|| OAuthError::missing("code"))?;
    let invalid = || OAuthError::new(wire::code::INVALID_GRANT, INVALID_DEVICE_CODE);
    let i = st
        .devices
        .iter()
        .position(|d| d.device_code == code && d.client_id == app.client_id)
        .ok_or_else(invalid)?;
    let expiry_error = st.settings.device_expiry_error;
    let auto_approve = st.settings.device_auto_approve;
    let device = &mut st.devices[i];

    if device.status == DeviceStatus::Used {
        return Err(invalid());
    }
    if now >= device.expires_at {
        return Err(match expiry_error {
            DeviceExpiryError::ExpiredToken => {
                OAuthError::new(wire::code::EXPIRED_TOKEN, "the device code has expired")
            }
            DeviceExpiryError::InvalidGrant => invalid(),
        });
    }
    if device.status == DeviceStatus::Declined {
        return Err(OAuthError::new(
            "authorization_declined",
            "the user declined the authorization",
        ));
    }
    if device.status == DeviceStatus::Pending && auto_approve {
        device.status = DeviceStatus::Approved;
    }
    if device.status == DeviceStatus::Pending {
        // Only the gap between polls counts: the first poll may come at once.
        let too_fast = device
            .last_poll
            .is_some_and(|last| (now - last).num_milliseconds() < interval_ms(device.interval));
        device.last_poll = Some(now);
        if too_fast {
            device.interval = device.interval.saturating_add(SLOW_DOWN_STEP_SECS);
            return Err(OAuthError::new(
                wire::code::SLOW_DOWN,
                "polling too frequently, slow down",
            ));
        }
        return Err(OAuthError::new(
            wire::code::AUTHORIZATION_PENDING,
            "User has not yet completed the authorization",
        ));
    }
    device.status = DeviceStatus::Used;
    let scope = device.scope.clone();
    Ok(issue_netdisk(
        st,
        &app.client_id,
        &scope,
        Grant::DeviceToken,
        now,
    ))
}

fn interval_ms(secs: u64) -> i64 {
    i64::try_from(secs).unwrap_or(i64::MAX).saturating_mul(1000)
}

/// Approves or declines the device code with `user_code`, or the latest pending one when
/// `None`. Returns the user code decided.
pub(crate) fn decide(
    st: &mut State,
    user_code: Option<&str>,
    decision: Decision,
) -> Result<String, DecideError> {
    let now = st.clock.now();
    let device = match user_code {
        Some(code) => {
            let code = code.trim().to_ascii_lowercase();
            st.devices
                .iter_mut()
                .rev()
                .find(|d| d.user_code == code)
                .ok_or(DecideError::NotFound)?
        }
        None => st
            .devices
            .iter_mut()
            .rev()
            .find(|d| d.status == DeviceStatus::Pending && now < d.expires_at)
            .ok_or(DecideError::NotFound)?,
    };
    if device.status != DeviceStatus::Pending {
        return Err(DecideError::NotPending(device.status));
    }
    if now >= device.expires_at {
        return Err(DecideError::Expired);
    }
    device.status = match decision {
        Decision::Approve => DeviceStatus::Approved,
        Decision::Decline => DeviceStatus::Declined,
    };
    Ok(device.user_code.clone())
}

pub(crate) fn list(st: &State) -> Vec<DeviceView> {
    let now = st.clock.now();
    st.devices
        .iter()
        .map(|d| DeviceView {
            user_code: d.user_code.clone(),
            client_id: d.client_id.clone(),
            scope: scope_string(&d.scope),
            status: d.status,
            expired: now >= d.expires_at,
            expires_at: d.expires_at,
            interval: d.interval,
        })
        .collect()
}

/// `GET /device[?code=USER_CODE]`: the verification page, with the code pre-filled.
pub(crate) async fn page(uri: Uri) -> Response {
    let params = Params::from_query(uri.query());
    let code = params.get("code").unwrap_or("");
    reply::html(
        StatusCode::OK,
        "Baidu device authorization (emulator)",
        &form(code, ""),
    )
}

/// `POST /device` with `code=USER_CODE&action=approve|decline`: the person's answer.
pub(crate) async fn submit(
    Extract(shared): Extract<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::from_request(None, &headers, &body);
    let code = params.get("code").unwrap_or("").to_string();
    let decision = if params.get("action") == Some("decline") {
        Decision::Decline
    } else {
        Decision::Approve
    };
    let result = decide(&mut shared.lock(), Some(&code), decision);
    match result {
        Ok(code) => {
            let verb = if decision == Decision::Approve {
                "approved"
            } else {
                "declined"
            };
            let body = format!(
                "<h1>Device {verb}</h1>\n<p>User code <code>{}</code> was {verb}. You can close this page.</p>",
                escape_html(&code)
            );
            reply::html(StatusCode::OK, &format!("Device {verb}"), &body)
        }
        Err(e) => reply::html(
            StatusCode::BAD_REQUEST,
            "Device authorization failed",
            &form(&code, &e.to_string()),
        ),
    }
}

fn form(code: &str, message: &str) -> String {
    let message = if message.is_empty() {
        String::new()
    } else {
        format!("<p class=\"error\">{}</p>\n", escape_html(message))
    };
    format!(
        "<h1>Authorize a device</h1>\n{message}<p>This is the broker emulator: no Baidu account is involved.</p>\n\
         <form method=\"post\" action=\"/device\">\n<label>User code <input name=\"code\" value=\"{}\" autofocus></label>\n\
         <button name=\"action\" value=\"approve\">Approve</button>\n<button name=\"action\" value=\"decline\">Decline</button>\n</form>",
        escape_html(code)
    )
}

/// `GET /device/qrcode/{hex}/{user_code}`: a PNG QR code of the verification page for that code.
pub(crate) async fn qrcode(
    Extract(shared): Extract<Arc<Shared>>,
    Path((_, user_code)): Path<(String, String)>,
) -> Response {
    let target = format!(
        "{}/device?code={}",
        shared.base_url,
        broker_wire::sign::encode(&user_code)
    );
    match qr::png(&target) {
        Some(png) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
        None => (
            StatusCode::BAD_REQUEST,
            "cannot encode that user code as a QR code",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn setup() -> (State, DeviceCodeBody) {
        let mut st = State::default();
        st.register_app(App::new("id", "secret"));
        let body = issue(
            &mut st,
            &Params::from_query(Some(
                "response_type=device_code&client_id=id&scope=basic,netdisk",
            )),
            "http://e",
        )
        .unwrap();
        (st, body)
    }

    fn poll_at(
        st: &mut State,
        device_code: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenBody, &'static str> {
        let app = st.apps["id"].clone();
        poll(
            st,
            &Params::from_query(Some(&format!("code={device_code}"))),
            &app,
            now,
        )
        .map_err(|e| e.error)
    }

    #[test]
    fn issue_answers_baidus_shape() {
        let (_, body) = setup();
        assert_eq!(body.verification_url, "http://e/device");
        assert!(
            body.qrcode_url.starts_with("http://e/device/qrcode/")
                && body.qrcode_url.ends_with(&body.user_code)
        );
        assert_eq!((body.expires_in, body.interval), (300, 5));
        assert_eq!(body.device_code.len(), 32);
    }

    #[test]
    fn pending_slow_down_approve_single_use() {
        let (mut st, body) = setup();
        let t0 = st.clock.now();
        assert_eq!(
            poll_at(&mut st, &body.device_code, t0).err(),
            Some("authorization_pending")
        );
        assert_eq!(
            poll_at(&mut st, &body.device_code, t0 + Duration::seconds(2)).err(),
            Some("slow_down")
        );
        // The interval is now 10 s, counted from the last poll.
        assert_eq!(
            poll_at(&mut st, &body.device_code, t0 + Duration::seconds(9)).err(),
            Some("slow_down")
        );
        assert_eq!(
            poll_at(&mut st, &body.device_code, t0 + Duration::seconds(30)).err(),
            Some("authorization_pending")
        );
        assert_eq!(
            decide(&mut st, None, Decision::Approve),
            Ok(body.user_code.clone())
        );
        assert!(poll_at(&mut st, &body.device_code, t0 + Duration::seconds(31)).is_ok());
        assert_eq!(
            poll_at(&mut st, &body.device_code, t0 + Duration::seconds(60)).err(),
            Some("invalid_grant")
        );
        assert_eq!(
            decide(&mut st, Some(&body.user_code), Decision::Approve),
            Err(DecideError::NotPending(DeviceStatus::Used))
        );
    }

    #[test]
    fn decline_and_expiry() {
        let (mut st, body) = setup();
        let t0 = st.clock.now();
        assert_eq!(
            decide(
                &mut st,
                Some(&body.user_code.to_uppercase()),
                Decision::Decline
            ),
            Ok(body.user_code.clone())
        );
        assert_eq!(
            poll_at(&mut st, &body.device_code, t0).err(),
            Some("authorization_declined")
        );
        assert_eq!(
            poll_at(&mut st, &body.device_code, t0 + Duration::seconds(301)).err(),
            Some("expired_token")
        );
        st.settings.device_expiry_error = DeviceExpiryError::InvalidGrant;
        assert_eq!(
            poll_at(&mut st, &body.device_code, t0 + Duration::seconds(301)).err(),
            Some("invalid_grant")
        );
        assert_eq!(
            decide(&mut st, Some("zzzzzzzz"), Decision::Approve),
            Err(DecideError::NotFound)
        );
        assert_eq!(poll_at(&mut st, "nope", t0).err(), Some("invalid_grant"));
    }

    #[test]
    fn auto_approve_answers_the_first_poll() {
        let (mut st, body) = setup();
        st.settings.device_auto_approve = true;
        let now = st.clock.now();
        assert!(poll_at(&mut st, &body.device_code, now).is_ok());
    }
}
