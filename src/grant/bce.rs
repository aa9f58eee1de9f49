//! `grant = "bce"`: Qianfan v2 bearer tokens from BCE IAM, signed with bce-auth-v1
//! (baidu-oauth.md §4). `app_key` holds the AccessKey, `secret_key` the SecretKey.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::baidu::client::{Answer, Client, Request, Retry};
use crate::baidu::sign;
use crate::config::Profile;
use crate::error::{Error, GrantError, Result};
use crate::grant::{Fresh, Grant, valid_token};
use crate::secret::{AccessToken, SecretKey};

pub const TOKEN_PATH: &str = broker_wire::path::BCE_TOKEN;
/// The longest bearer token IAM issues (30 days), and broker's default.
pub const MAX_EXPIRES_IN: u64 = 2_592_000;
/// How long the signature itself stays valid.
pub(crate) const SIGNATURE_EXPIRATION: u64 = 1800;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BearerBody {
    token: Option<String>,
    expire_time: Option<String>,
}

pub struct Bce;

impl Grant for Bce {
    fn name(&self) -> &'static str {
        "bce"
    }

    fn about(&self) -> &'static str {
        "Qianfan v2: BCE IAM bearer tokens signed with AK/SK"
    }

    fn default_endpoint(&self) -> &'static str {
        "https://iam.bj.baidubce.com"
    }

    fn max_expires_in(&self) -> Option<u64> {
        Some(MAX_EXPIRES_IN)
    }

    fn signs_with_clock(&self) -> bool {
        true
    }

    fn fetch(&self, client: &Client, profile: &Profile, secret: &SecretKey) -> Result<Fresh> {
        fetch(client, profile, secret)
    }
}

/// Fetches a bearer token. Safe to retry: a new token does not invalidate older ones.
fn fetch(client: &Client, profile: &Profile, secret: &SecretKey) -> Result<Fresh> {
    let expires_in = profile
        .expires_in
        .map_or(MAX_EXPIRES_IN, |d| d.as_secs().min(MAX_EXPIRES_IN));
    let answer = send_signed(
        client,
        profile,
        secret,
        Signed {
            request: "bce-token",
            method: reqwest::Method::GET,
            path: TOKEN_PATH,
            query: ("expireInSeconds", expires_in.to_string()),
            body: None,
        },
    )?;
    parse_bearer(&answer, profile.name.as_str())
}

/// A request to a BCE endpoint, signed bce-auth-v1 with the profile's AK/SK.
pub(crate) struct Signed<'a> {
    /// Its name in messages (`bce-token`).
    pub request: &'static str,
    pub method: reqwest::Method,
    pub path: &'static str,
    /// The one query parameter, which the signature covers.
    pub query: (&'static str, String),
    /// A JSON body, if any.
    pub body: Option<&'a str>,
}

/// Sends `signed`, signed afresh for each attempt (a retry never carries a stale date). Safe
/// to retry: BCE issues new credentials without invalidating older ones.
pub(crate) fn send_signed(
    client: &Client,
    profile: &Profile,
    secret: &SecretKey,
    signed: Signed<'_>,
) -> Result<Answer> {
    let host = host(&profile.endpoint)?;
    let (key, value) = signed.query;
    let url = format!("{}{}?{key}={value}", profile.endpoint, signed.path);
    let query = [(key.to_owned(), value)];
    // The SecretKey only signs, so the client cannot see it in the request: name it.
    client.knows(secret.expose());
    let answer = client.send(
        &Request::new(signed.request, profile.name.as_str()),
        Retry::Safe,
        |http| {
            let date = sign::timestamp(Utc::now());
            let headers = [
                ("host".to_owned(), host.clone()),
                ("x-bce-date".to_owned(), date.clone()),
            ];
            let auth = sign::authorization(
                &profile.app_key,
                secret.expose(),
                signed.method.as_str(),
                signed.path,
                &query,
                &headers,
                &date,
                SIGNATURE_EXPIRATION,
            );
            let request = http
                .request(signed.method.clone(), &url)
                .header("x-bce-date", date)
                .header("authorization", auth);
            match signed.body {
                Some(body) => request
                    .header("content-type", "application/json")
                    .body(body.to_owned()),
                None => request,
            }
        },
    )?;
    Ok(answer)
}

/// The `host` header a request to `endpoint` carries (with its port when it names one), which
/// bce-auth-v1 signs.
pub(crate) fn host(endpoint: &str) -> Result<String> {
    let base = reqwest::Url::parse(endpoint).map_err(|e| GrantError::InvalidEndpoint {
        reason: e.to_string(),
    })?;
    match (base.host_str(), base.port()) {
        (Some(h), Some(p)) => Ok(format!("{h}:{p}")),
        (Some(h), None) => Ok(h.to_owned()),
        (None, _) => Err(GrantError::EndpointWithoutHost {
            endpoint: endpoint.to_owned(),
        }
        .into()),
    }
}

/// Reads a `/v1/BCE-BEARER/token` answer: the bearer token and its expiry, or a typed error.
/// Pure, so the hostile-server tests and the fuzz targets reach it without HTTP.
pub fn parse_bearer(answer: &Answer, profile: &str) -> Result<Fresh> {
    if let Some(e) = answer.error() {
        return Err(e.to_error(profile));
    }
    let not_a_token = |why: &'static str, field: &'static str| {
        Error::from(GrantError::NotAToken {
            issuer: "bce",
            profile: profile.to_owned(),
            status: answer.status,
            why,
            field,
        })
    };
    if answer.status != 200 {
        return Err(not_a_token("unexpected-status", ""));
    }
    let text =
        crate::baidu::json_object(&answer.body).ok_or_else(|| not_a_token("not-an-object", ""))?;
    let body: BearerBody =
        serde_json::from_str(text).map_err(|_| not_a_token("unexpected-json", ""))?;
    let token = body
        .token
        .filter(|t| valid_token(t))
        .ok_or_else(|| not_a_token("no-usable", "token"))?;
    let expires_at = body
        .expire_time
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| not_a_token("no-usable", "expireTime"))?;
    Ok(Fresh {
        access_token: AccessToken::new(token),
        expires_at,
        refresh_token: None,
        scope: None,
        sts: None,
    })
}
