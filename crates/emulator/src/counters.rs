//! Request counters: what a test asserts on to prove a client behaves (no secret in a URL, no
//! refresh-token reuse, no hammering), besides per-endpoint, per-grant and per-error counts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use broker_wire as wire;

use super::params;

/// Query parameters that must never travel in a URL (URLs end up in logs and proxies).
const SECRET_PARAMS: [&str; 2] = ["client_secret", "refresh_token"];

/// The endpoints counted by name; any other path is counted as `other`.
const ENDPOINTS: [&str; 7] = [
    wire::path::TOKEN,
    wire::path::DEVICE_CODE,
    wire::path::AUTHORIZE,
    wire::path::BCE_TOKEN,
    wire::path::NAS,
    "/device",
    "/device/qrcode",
];

/// Counts since start or the last reset. `GET /_emulator/counters` returns this as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Every request to a Baidu endpoint (admin requests are not counted).
    pub requests: u64,
    /// Requests per endpoint path (`/device/qrcode/…` as `/device/qrcode`, unknown as `other`).
    pub endpoints: BTreeMap<String, u64>,
    /// Token-endpoint requests per `grant_type` value as sent (query or form body).
    pub grants: BTreeMap<String, u64>,
    /// Error answers per code: OAuth `error`, BCE `code`, and `errno:-6` for uinfo.
    pub errors: BTreeMap<String, u64>,
    /// Requests whose URL query carried `client_secret` or `refresh_token`, or `code` on the
    /// token endpoint. A form body does not count.
    pub secret_in_url: u64,
    /// Refresh requests presenting a refresh token that had already been used.
    pub refresh_reuse: u64,
    /// Access tokens issued (all grants, BCE bearer tokens included).
    pub tokens_issued: u64,
    /// Injected faults that fired.
    pub faults_fired: u64,
}

impl Counters {
    /// Records one incoming Baidu request, before any fault or handler sees it.
    pub(crate) fn record_request(
        &mut self,
        path: &str,
        raw_query: Option<&str>,
        grant_type: Option<&str>,
    ) {
        self.requests += 1;
        *self
            .endpoints
            .entry(endpoint_key(path).to_string())
            .or_default() += 1;
        if let Some(grant) = grant_type {
            *self.grants.entry(bounded(grant)).or_default() += 1;
        }
        let query = params::parse(raw_query.unwrap_or(""), true);
        let secret_in_url = query.iter().any(|(k, _)| {
            SECRET_PARAMS.contains(&k.as_str()) || (path == wire::path::TOKEN && k == "code")
        });
        if secret_in_url {
            self.secret_in_url += 1;
        }
    }

    pub(crate) fn record_error(&mut self, code: &str) {
        *self.errors.entry(bounded(code)).or_default() += 1;
    }
}

fn endpoint_key(path: &str) -> &'static str {
    if path.starts_with("/device/qrcode/") {
        return "/device/qrcode";
    }
    ENDPOINTS
        .into_iter()
        .find(|e| *e == path)
        .unwrap_or("other")
}

/// Counter keys come from clients; cap them so a hostile client cannot grow one key without end.
fn bounded(s: &str) -> String {
    s.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_in_url_counts_only_secret_query_parameters() {
        let table = [
            (
                "/oauth/2.0/token",
                Some("grant_type=client_credentials&client_id=a&client_secret=b"),
                1,
            ),
            (
                "/oauth/2.0/token",
                Some("grant_type=refresh_token&refresh_token=x"),
                1,
            ),
            (
                "/oauth/2.0/token",
                Some("grant_type=device_token&code=x"),
                1,
            ),
            (
                "/oauth/2.0/token",
                Some("grant_type=client_credentials&client_id=a"),
                0,
            ),
            ("/oauth/2.0/token", None, 0),
            ("/oauth/2.0/authorize", Some("response_type=code&code=x"), 0),
            ("/rest/2.0/xpan/nas", Some("method=uinfo&access_token=x"), 0),
        ];
        for (path, query, want) in table {
            let mut c = Counters::default();
            c.record_request(path, query, None);
            assert_eq!(c.secret_in_url, want, "{path} {query:?}");
        }
    }

    #[test]
    fn endpoints_and_grants_are_counted() {
        let mut c = Counters::default();
        c.record_request("/oauth/2.0/token", None, Some("refresh_token"));
        c.record_request("/device/qrcode/ab/cd", None, None);
        c.record_request("/nope", None, None);
        assert_eq!(c.requests, 3);
        assert_eq!(c.endpoints["/oauth/2.0/token"], 1);
        assert_eq!(c.endpoints["/device/qrcode"], 1);
        assert_eq!(c.endpoints["other"], 1);
        assert_eq!(c.grants["refresh_token"], 1);
    }
}
