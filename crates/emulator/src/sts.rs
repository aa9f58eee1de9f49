//! BCE STS: `POST /v1/sessionToken?durationSeconds=N`, signed with bce-auth-v1 by a registered
//! access key, issues temporary credentials (an AccessKey, a SecretKey and a session token);
//! `GET /v1/emulator/sts-check` accepts a request signed with such a temporary pair only when
//! it also carries their session token in `x-bce-security-token`, as BOS and the other BCE
//! services do, so a test can prove the three values work together.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::bce::{authenticate, bce_time};
use super::clock::after;
use super::params;
use super::reply::{self, BceError};
use super::state::{Shared, State, StsRecord};
use super::tokens;
use broker_wire as wire;

/// The lifetime when the request names none: 12 hours, as the SDKs default to.
pub(crate) const DEFAULT_DURATION_SECS: u64 = 43_200;
/// The longest lifetime the emulator grants: 36 hours.
pub(crate) const MAX_DURATION_SECS: u64 = 129_600;

/// The answer, with the field names the BCE SDKs read.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionBody {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub create_time: String,
    pub expiration: String,
    pub user_id: String,
}

pub(crate) async fn session_token(
    Extract(shared): Extract<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut st = shared.lock();
    match issue(&mut st, &uri, &headers, &body) {
        Ok(body) => {
            st.counters.tokens_issued += 1;
            st.prune();
            reply::json(StatusCode::OK, &body)
        }
        Err(e) => {
            st.counters.record_error(e.code);
            e.into_response()
        }
    }
}

pub(crate) fn issue(
    st: &mut State,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<SessionBody, BceError> {
    let now = st.clock.now();
    let keys = &st.bce_keys;
    let access_key = authenticate("POST", uri, headers, now, |ak| {
        keys.get(ak).map(|k| k.secret_key.clone())
    })?;
    let bad = |message: &str| {
        BceError::new(
            StatusCode::BAD_REQUEST,
            wire::code::INVALID_ARGUMENT,
            message.to_owned(),
        )
    };
    let query = params::parse(uri.query().unwrap_or(""), false);
    let duration = match query.iter().find(|(k, _)| k == "durationSeconds") {
        None => DEFAULT_DURATION_SECS,
        Some((_, v)) => match v.parse::<u64>() {
            Ok(n) if (1..=MAX_DURATION_SECS).contains(&n) => n,
            _ => {
                return Err(bad(&format!(
                    "durationSeconds must be a whole number of seconds from 1 to {MAX_DURATION_SECS}"
                )));
            }
        },
    };
    // The ACL, when sent, must be a JSON object (BCE checks it against its policy grammar).
    if !body.is_empty()
        && !matches!(
            serde_json::from_slice::<serde_json::Value>(body),
            Ok(serde_json::Value::Object(_))
        )
    {
        return Err(bad("the ACL in the body is not a JSON object"));
    }
    let created = DateTime::<Utc>::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let expires = after(created, duration);
    let record = StsRecord {
        access_key_id: format!("STS{}", tokens::hex(29)),
        secret_access_key: tokens::hex(32),
        session_token: format!("ZjkyZDQ2{}", tokens::hex(120)),
        expires_at: expires,
    };
    st.sts.insert(record.access_key_id.clone(), record.clone());
    let user_id = st.bce_keys[&access_key].user_id.clone().unwrap_or_default();
    Ok(SessionBody {
        access_key_id: record.access_key_id,
        secret_access_key: record.secret_access_key,
        session_token: record.session_token,
        create_time: bce_time(created),
        expiration: sts_time(expires),
        user_id,
    })
}

/// `GET /v1/emulator/sts-check`: 200 `{"accessKeyId"}` for a request signed with live STS
/// credentials that carries their session token; BCE's errors otherwise.
pub(crate) async fn check(
    Extract(shared): Extract<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let mut st = shared.lock();
    match check_request(&st, &uri, &headers) {
        Ok(ak) => reply::json(
            StatusCode::OK,
            &serde_json::json!({ "accessKeyId": ak, "status": "ok" }),
        ),
        Err(e) => {
            st.counters.record_error(e.code);
            e.into_response()
        }
    }
}

fn check_request(st: &State, uri: &Uri, headers: &HeaderMap) -> Result<String, BceError> {
    let now = st.clock.now();
    let ak = authenticate("GET", uri, headers, now, |ak| {
        st.sts
            .get(ak)
            .filter(|r| r.expires_at > now)
            .map(|r| r.secret_access_key.clone())
    })?;
    let record = &st.sts[&ak];
    let sent = headers
        .get(wire::path::SECURITY_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok());
    if sent != Some(record.session_token.as_str()) {
        return Err(BceError::new(
            StatusCode::FORBIDDEN,
            wire::code::INVALID_SESSION_TOKEN,
            "The session token of these temporary credentials is missing or wrong.",
        ));
    }
    Ok(ak)
}

/// `expiration` as the STS examples write it: whole seconds, `Z`.
fn sts_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::BceKey;
    use crate::clock::ClockUpdate;
    use axum::http::header;
    use broker_wire::sign;

    const AK: &str = "AKSTS0123456789";
    const SK: &str = "SKSTSabcdefghijklmnop";
    const NOW: &str = "2024-11-28T06:10:00Z";

    fn state() -> State {
        let mut st = State::default();
        st.register_bce_key(BceKey::new(AK, SK));
        st.clock.apply(&ClockUpdate {
            fixed: sign::parse_timestamp(NOW),
            ..Default::default()
        });
        st
    }

    fn signed(method: &str, uri: &str, ak: &str, sk: &str, extra: &[(&str, &str)]) -> HeaderMap {
        let uri: Uri = uri.parse().unwrap();
        let mut list = vec![
            ("host".to_owned(), "127.0.0.1:1".to_owned()),
            ("x-bce-date".to_owned(), NOW.to_owned()),
        ];
        list.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let query = params::parse(uri.query().unwrap_or(""), false);
        let auth = sign::authorization(ak, sk, method, uri.path(), &query, &list, NOW, 1800);
        let mut h = HeaderMap::new();
        for (k, v) in &list {
            h.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h.insert(header::AUTHORIZATION, auth.parse().unwrap());
        h
    }

    #[test]
    fn issued_credentials_work_together_and_only_together() {
        let mut st = state();
        let uri: Uri = "/v1/sessionToken?durationSeconds=3600".parse().unwrap();
        let body = issue(
            &mut st,
            &uri,
            &signed("POST", "/v1/sessionToken?durationSeconds=3600", AK, SK, &[]),
            b"",
        )
        .unwrap();
        assert_eq!(body.expiration, "2024-11-28T07:10:00Z");
        let check: Uri = wire::path::STS_CHECK.parse().unwrap();
        let tok = body.session_token.as_str();
        let with = [(wire::path::SECURITY_TOKEN_HEADER, tok)];
        let h = signed(
            "GET",
            wire::path::STS_CHECK,
            &body.access_key_id,
            &body.secret_access_key,
            &with,
        );
        assert_eq!(check_request(&st, &check, &h).unwrap(), body.access_key_id);
        // Without the token, with another, or signed with another SecretKey: refused.
        let h = signed(
            "GET",
            wire::path::STS_CHECK,
            &body.access_key_id,
            &body.secret_access_key,
            &[],
        );
        assert_eq!(
            check_request(&st, &check, &h).unwrap_err().code,
            "InvalidSessionToken"
        );
        let h = signed(
            "GET",
            wire::path::STS_CHECK,
            &body.access_key_id,
            &body.secret_access_key,
            &[(wire::path::SECURITY_TOKEN_HEADER, "other")],
        );
        assert_eq!(
            check_request(&st, &check, &h).unwrap_err().code,
            "InvalidSessionToken"
        );
        let h = signed("GET", wire::path::STS_CHECK, &body.access_key_id, SK, &with);
        assert_eq!(
            check_request(&st, &check, &h).unwrap_err().code,
            "SignatureDoesNotMatch"
        );
        // The long-lived pair is no STS credential.
        let h = signed("GET", wire::path::STS_CHECK, AK, SK, &with);
        assert_eq!(
            check_request(&st, &check, &h).unwrap_err().code,
            "InvalidAccessKeyId"
        );
    }

    #[test]
    fn errors_follow_bce() {
        let mut st = state();
        let table = [
            (
                "/v1/sessionToken",
                AK,
                "wrong",
                (400, "SignatureDoesNotMatch"),
            ),
            (
                "/v1/sessionToken",
                "AKOTHER",
                SK,
                (403, "InvalidAccessKeyId"),
            ),
            (
                "/v1/sessionToken?durationSeconds=0",
                AK,
                SK,
                (400, "InvalidArgument"),
            ),
            (
                "/v1/sessionToken?durationSeconds=129601",
                AK,
                SK,
                (400, "InvalidArgument"),
            ),
            (
                "/v1/sessionToken?durationSeconds=1h",
                AK,
                SK,
                (400, "InvalidArgument"),
            ),
        ];
        for (uri, ak, sk, want) in table {
            let h = signed("POST", uri, ak, sk, &[]);
            let e = issue(&mut st, &uri.parse().unwrap(), &h, b"").unwrap_err();
            assert_eq!((e.status.as_u16(), e.code), want, "{uri} {ak}");
        }
        let h = signed("POST", "/v1/sessionToken", AK, SK, &[]);
        let e = issue(&mut st, &"/v1/sessionToken".parse().unwrap(), &h, b"[1]").unwrap_err();
        assert_eq!(e.code, "InvalidArgument");
        let ok = issue(
            &mut st,
            &"/v1/sessionToken".parse().unwrap(),
            &h,
            br#"{"accessControlList":[]}"#,
        )
        .unwrap();
        assert_eq!(ok.expiration, "2024-11-28T18:10:00Z", "12 hours by default");
    }
}
