//! `GET /v1/BCE-BEARER/token`: BCE IAM bearer tokens, behind a checked bce-auth-v1 signature.
//!
//! The signature is recomputed from what the request really carried (its `Host` header, its
//! `x-bce-date`, its query) with the same code the client signs with, and the signing time
//! must fall inside the signature's own expiration window on the emulator's clock.

use std::sync::Arc;

use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::clock::after;
use super::params;
use super::reply::{self, BceError};
use super::state::{AccessRecord, Shared, State, TokenKind};
use super::tokens;
use broker_wire as wire;
use broker_wire::sign;

/// The longest bearer token BCE issues: 30 days.
pub(crate) const MAX_EXPIRE_SECS: u64 = 2_592_000;
/// The lifetime when the request names none.
const DEFAULT_EXPIRE_SECS: u64 = 86_400;
/// How far in the future a signing time may be (clock skew BCE tolerates).
const MAX_FUTURE_SKEW_SECS: i64 = 900;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BearerBody {
    pub user_id: String,
    pub token: String,
    pub status: String,
    pub create_time: String,
    pub expire_time: String,
}

pub(crate) async fn handle(
    Extract(shared): Extract<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let mut st = shared.lock();
    match bearer(&mut st, &uri, &headers) {
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

pub(crate) fn bearer(
    st: &mut State,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<BearerBody, BceError> {
    let now = st.clock.now();
    let keys = &st.bce_keys;
    let access_key = authenticate("GET", uri, headers, now, |ak| {
        keys.get(ak).map(|k| k.secret_key.clone())
    })?;
    let key = st.bce_keys[&access_key].clone();
    let query = params::parse(uri.query().unwrap_or(""), false);

    let expire_secs = match query.iter().find(|(k, _)| k == "expireInSeconds") {
        None => DEFAULT_EXPIRE_SECS,
        Some((_, v)) => match v.parse::<u64>() {
            Ok(n) if n > 0 => n.min(MAX_EXPIRE_SECS),
            _ => {
                return Err(BceError::new(
                    StatusCode::BAD_REQUEST,
                    wire::code::INVALID_ARGUMENT,
                    "expireInSeconds must be a positive number of seconds",
                ));
            }
        },
    };
    // Whole seconds, as BCE writes them (`…T06:09:57.000Z`).
    let created = DateTime::<Utc>::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let expires = after(created, expire_secs);
    let token = tokens::bce_bearer();
    st.access.insert(
        token.clone(),
        AccessRecord {
            owner: key.access_key.clone(),
            kind: TokenKind::Bce,
            expires_at: expires,
            revoked: false,
        },
    );
    Ok(BearerBody {
        user_id: key.user_id.unwrap_or_default(),
        token,
        status: "enable".to_string(),
        create_time: bce_time(created),
        expire_time: bce_time(expires),
    })
}

/// Checks a bce-auth-v1 signed request as BCE does: the header well formed, the access key
/// known (`secret_of` gives its SecretKey), `host` signed, the signing time and `x-bce-date`
/// inside the signature's window, and the signature recomputed from what the request really
/// carried. Returns the access key. Shared by the IAM bearer endpoint, STS and the STS check.
pub(crate) fn authenticate(
    method: &str,
    uri: &Uri,
    headers: &HeaderMap,
    now: DateTime<Utc>,
    secret_of: impl Fn(&str) -> Option<String>,
) -> Result<String, BceError> {
    let malformed = |why: &str| {
        BceError::new(
            StatusCode::BAD_REQUEST,
            wire::code::INVALID_HTTP_AUTH_HEADER,
            format!("The Authorization header you provided is invalid: {why}"),
        )
    };
    let value = match headers.get(header::AUTHORIZATION) {
        None => {
            return Err(BceError::new(
                StatusCode::FORBIDDEN,
                wire::code::BCE_ACCESS_DENIED,
                "Access denied: no Authorization header",
            ));
        }
        Some(v) => v.to_str().map_err(|_| malformed("not text"))?,
    };
    let auth =
        sign::parse_authorization(value).ok_or_else(|| malformed("not a bce-auth-v1 value"))?;
    let secret_key = secret_of(&auth.access_key).ok_or_else(|| {
        BceError::new(
            StatusCode::FORBIDDEN,
            wire::code::INVALID_ACCESS_KEY_ID,
            "The Access Key ID you provided does not exist in our records.",
        )
    })?;
    // An explicit list must name `host`; an empty one means BCE's default set, host included.
    if !auth.signed_headers.is_empty() && !auth.signed_headers.iter().any(|h| h == "host") {
        return Err(malformed("the host header must be signed"));
    }

    // The signing time, and `x-bce-date` when sent, must both lie in the signature's window.
    let signed_at = auth.signed_at().ok_or_else(|| malformed("bad timestamp"))?;
    check_window(signed_at, auth.expiration_secs, now, &auth.timestamp)?;
    if let Some(date) = headers.get("x-bce-date") {
        let text = date.to_str().unwrap_or("");
        let date = sign::parse_timestamp(text).ok_or_else(|| malformed("bad x-bce-date"))?;
        check_window(date, auth.expiration_secs, now, text)?;
    }

    let signed = if auth.signed_headers.is_empty() {
        default_signed_headers(headers)
    } else {
        auth.signed_headers
            .iter()
            .map(|name| {
                let value = headers
                    .get(name.as_str())
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                (name.clone(), value.to_string())
            })
            .collect()
    };
    let query = params::parse(uri.query().unwrap_or(""), false);
    let path = params::decode(uri.path(), false);
    let canonical = sign::canonical_request(method, &path, &query, &signed);
    let signing_key = sign::signing_key(
        &auth.access_key,
        &secret_key,
        &auth.timestamp,
        auth.expiration_secs,
    );
    if !sign::verify(&signing_key, &canonical, &auth.signature) {
        return Err(BceError::new(
            StatusCode::BAD_REQUEST,
            wire::code::SIGNATURE_DOES_NOT_MATCH,
            "The request signature we calculated does not match the signature you provided. Check your Secret Access Key and signing method.",
        ));
    }
    Ok(auth.access_key)
}

/// The headers an empty signedHeaders field stands for: `host`, `content-length`,
/// `content-type`, `content-md5` and every `x-bce-*` header, each as sent, leaving out those
/// sent empty (as bce-python-sdk's `_get_canonical_headers` and the other BCE SDKs do).
fn default_signed_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    const DEFAULT: [&str; 4] = ["host", "content-length", "content-type", "content-md5"];
    headers
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            DEFAULT.contains(&name) || name.starts_with("x-bce-")
        })
        .filter_map(|(name, value)| {
            let value = value.to_str().ok()?.trim();
            (!value.is_empty()).then(|| (name.as_str().to_string(), value.to_string()))
        })
        .collect()
}

pub(crate) fn check_window(
    signed_at: DateTime<Utc>,
    expiration_secs: u64,
    now: DateTime<Utc>,
    shown: &str,
) -> Result<(), BceError> {
    let expired = now > after(signed_at, expiration_secs);
    let from_future = signed_at - now > Duration::seconds(MAX_FUTURE_SKEW_SECS);
    if expired || from_future {
        return Err(BceError::new(
            StatusCode::BAD_REQUEST,
            wire::code::REQUEST_EXPIRED,
            format!(
                "Request has expired. Timestamp date is {}",
                broker_wire::text::sanitize(shown)
            ),
        ));
    }
    Ok(())
}

pub(crate) fn bce_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::BceKey;
    use crate::clock::ClockUpdate;

    const AK: &str = "AKEXAMPLE0123456789";
    const SK: &str = "SKEXAMPLEabcdefghijklmnop";
    const VECTOR_AUTH: &str = "bce-auth-v1/AKEXAMPLE0123456789/2024-11-28T06:09:57Z/1800/host;x-bce-date/cf1ee267b2b025b24589d6b2f664f504e0e524de23bbede25e0fd948aefc4927";

    fn state_at(time: &str) -> State {
        let mut st = State::default();
        st.register_bce_key(BceKey::new(AK, SK));
        st.clock.apply(&ClockUpdate {
            fixed: sign::parse_timestamp(time),
            ..Default::default()
        });
        st
    }

    fn headers(auth: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "iam.bj.baidubce.com".parse().unwrap());
        h.insert("x-bce-date", "2024-11-28T06:09:57Z".parse().unwrap());
        h.insert(header::AUTHORIZATION, auth.parse().unwrap());
        h
    }

    fn uri() -> Uri {
        "/v1/BCE-BEARER/token?expireInSeconds=2592000"
            .parse()
            .unwrap()
    }

    #[test]
    fn the_doc_vector_is_accepted() {
        let mut st = state_at("2024-11-28T06:10:00Z");
        let body = bearer(&mut st, &uri(), &headers(VECTOR_AUTH)).unwrap();
        assert_eq!(body.create_time, "2024-11-28T06:10:00.000Z");
        assert_eq!(body.expire_time, "2024-12-28T06:10:00.000Z");
        assert!(body.token.starts_with("bce-v3/ALTAK-"));
    }

    /// The BCE SDKs sign by default with an empty signedHeaders field
    /// (`bce-auth-v1/AK/ts/1800//sig`): the signature then covers `host`, `content-length`,
    /// `content-type`, `content-md5` and every `x-bce-*` header, each only when sent with a
    /// non-empty value (bce-python-sdk's `_get_canonical_headers`).
    #[test]
    fn empty_signed_headers_mean_the_default_set() {
        let ts = "2024-11-28T06:09:57Z";
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8700".parse().unwrap());
        h.insert(header::CONTENT_LENGTH, "0".parse().unwrap());
        h.insert("x-bce-date", ts.parse().unwrap());
        h.insert("x-bce-request-id", "42".parse().unwrap());
        h.insert("x-bce-empty", "".parse().unwrap());
        h.insert(header::USER_AGENT, "bce-sdk-python/0.9".parse().unwrap());
        let default_set = [
            ("host", "127.0.0.1:8700"),
            ("content-length", "0"),
            ("x-bce-date", ts),
            ("x-bce-request-id", "42"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let query = [("expireInSeconds".to_string(), "2592000".to_string())];
        let key = sign::signing_key(AK, SK, ts, 1800);
        let canonical =
            sign::canonical_request("GET", "/v1/BCE-BEARER/token", &query, &default_set);
        let auth = format!(
            "bce-auth-v1/{AK}/{ts}/1800//{}",
            sign::signature(&key, &canonical)
        );
        h.insert(header::AUTHORIZATION, auth.parse().unwrap());

        let mut st = state_at("2024-11-28T06:10:00Z");
        bearer(&mut st, &uri(), &h).expect("the default set is what was signed");

        // A header outside the default set is not signed; one inside it is.
        h.insert(header::USER_AGENT, "something else".parse().unwrap());
        bearer(&mut st, &uri(), &h).expect("user-agent is not signed");
        for (name, value) in [("x-bce-request-id", "43"), ("content-type", "text/plain")] {
            let mut changed = h.clone();
            changed.insert(name, value.parse().unwrap());
            let e = bearer(&mut st, &uri(), &changed).unwrap_err();
            assert_eq!(e.code, "SignatureDoesNotMatch", "{name}");
        }
    }

    #[test]
    fn errors_follow_bce() {
        let table = [
            (
                "2024-11-28T06:10:00Z",
                VECTOR_AUTH.replace("cf1e", "0f1e"),
                (400, "SignatureDoesNotMatch"),
            ),
            (
                "2024-11-28T06:10:00Z",
                VECTOR_AUTH.replace("AKEXAMPLE", "AKOTHER"),
                (403, "InvalidAccessKeyId"),
            ),
            (
                "2024-11-28T06:10:00Z",
                "bce-auth-v1/garbage".to_string(),
                (400, "InvalidHTTPAuthHeader"),
            ),
            (
                "2024-11-28T06:10:00Z",
                VECTOR_AUTH.replace("host;x-bce-date", "x-bce-date"),
                (400, "InvalidHTTPAuthHeader"),
            ),
            (
                "2024-11-28T06:40:00Z",
                VECTOR_AUTH.to_string(),
                (400, "RequestExpired"),
            ),
            (
                "2024-11-28T05:00:00Z",
                VECTOR_AUTH.to_string(),
                (400, "RequestExpired"),
            ),
        ];
        for (time, auth, want) in table {
            let mut st = state_at(time);
            let e = bearer(&mut st, &uri(), &headers(&auth)).unwrap_err();
            assert_eq!((e.status.as_u16(), e.code), want, "{time} {auth}");
        }
        let mut st = state_at("2024-11-28T06:10:00Z");
        let mut h = headers(VECTOR_AUTH);
        h.remove(header::AUTHORIZATION);
        assert_eq!(
            bearer(&mut st, &uri(), &h).unwrap_err().code,
            "AccessDenied"
        );
    }
}
