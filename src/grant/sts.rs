//! `grant = "sts"`: BCE STS temporary credentials (docs/protocol.md, "BCE STS"). A
//! `POST /v1/sessionToken?durationSeconds=N` signed with bce-auth-v1 by the profile's
//! AccessKey (`app_key`) and SecretKey, with the optional `policy` (an ACL) as its JSON body,
//! answers a temporary AccessKey, SecretKey and session token. The session token is the
//! state's `access_token`; the pair is kept beside it ([`StsKeys`]), encrypted with it.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::baidu::client::{Answer, Client};
use crate::config::Profile;
use crate::error::{Error, GrantError, Result};
use crate::grant::bce::{Signed, send_signed};
use crate::grant::{Fresh, Grant, valid_token};
use crate::secret::{AccessToken, SecretKey, TemporarySecretKey};
use crate::store::StsKeys;

pub const SESSION_TOKEN_PATH: &str = broker_wire::path::STS_SESSION_TOKEN;
/// The lifetime asked for when the profile sets no `duration`: 12 hours, the default of the
/// official SDKs (bce-sdk-go `DEFAULT_DURATION_SECONDS = 43200`).
pub const DEFAULT_DURATION: u64 = 43_200;
/// The longest `duration` broker asks for: 36 hours.
pub const MAX_DURATION: u64 = 129_600;

/// The answer, with the names the SDKs read (bce-sdk-go `GetSessionTokenResult`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionBody {
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    expiration: Option<String>,
}

pub struct Sts;

impl Grant for Sts {
    fn name(&self) -> &'static str {
        "sts"
    }

    fn about(&self) -> &'static str {
        "BCE STS: temporary AK/SK and session token, signed with AK/SK"
    }

    fn default_endpoint(&self) -> &'static str {
        "https://sts.bj.baidubce.com"
    }

    fn max_expires_in(&self) -> Option<u64> {
        Some(MAX_DURATION)
    }

    fn lifetime_key(&self) -> &'static str {
        "duration"
    }

    fn takes_policy(&self) -> bool {
        true
    }

    fn temporary_keys(&self) -> bool {
        true
    }

    fn signs_with_clock(&self) -> bool {
        true
    }

    fn fetch(&self, client: &Client, profile: &Profile, secret: &SecretKey) -> Result<Fresh> {
        fetch(client, profile, secret)
    }
}

/// Asks STS for new temporary credentials. Safe to retry: new credentials do not invalidate
/// older ones.
fn fetch(client: &Client, profile: &Profile, secret: &SecretKey) -> Result<Fresh> {
    let duration = profile
        .expires_in
        .map_or(DEFAULT_DURATION, |d| d.as_secs().min(MAX_DURATION));
    let answer = send_signed(
        client,
        profile,
        secret,
        Signed {
            request: "sts-token",
            method: reqwest::Method::POST,
            path: SESSION_TOKEN_PATH,
            query: ("durationSeconds", duration.to_string()),
            body: profile.policy.as_deref(),
        },
    )?;
    let fresh = parse_session(&answer, profile.name.as_str())?;
    // From here on, whatever this command says is cut free of the new secrets too.
    if let Some(keys) = &fresh.sts {
        client.knows(keys.secret_access_key.expose());
    }
    client.knows(fresh.access_token.expose());
    Ok(fresh)
}

/// Reads a `/v1/sessionToken` answer: the three values and their expiry, or a typed error.
/// Pure, so the hostile-server tests reach it without HTTP.
pub fn parse_session(answer: &Answer, profile: &str) -> Result<Fresh> {
    if let Some(e) = answer.error() {
        return Err(e.to_error(profile));
    }
    let not_a_token = |why: &'static str, field: &'static str| {
        Error::from(GrantError::NotAToken {
            issuer: "sts",
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
    let body: SessionBody =
        serde_json::from_str(text).map_err(|_| not_a_token("unexpected-json", ""))?;
    let usable = |v: Option<String>, field: &'static str| {
        v.filter(|t| valid_token(t))
            .ok_or_else(|| not_a_token("no-usable", field))
    };
    let access_key_id = usable(body.access_key_id, "accessKeyId")?;
    let secret_access_key = usable(body.secret_access_key, "secretAccessKey")?;
    let session_token = usable(body.session_token, "sessionToken")?;
    let expires_at = body
        .expiration
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| not_a_token("no-usable", "expiration"))?;
    Ok(Fresh {
        access_token: AccessToken::new(session_token),
        expires_at,
        refresh_token: None,
        scope: None,
        sts: Some(StsKeys {
            access_key_id,
            secret_access_key: TemporarySecretKey::new(secret_access_key),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer::new(status, body.as_bytes().to_vec())
    }

    #[test]
    fn reads_the_fields_the_sdks_read() {
        let body = r#"{"accessKeyId":"STSak","secretAccessKey":"tmp-sk","sessionToken":"tok",
            "createTime":"2024-11-28T06:10:00Z","expiration":"2024-11-28T18:10:00Z","userId":"u"}"#;
        let fresh = parse_session(&answer(200, body), "p").unwrap();
        assert_eq!(fresh.access_token.expose(), "tok");
        let keys = fresh.sts.unwrap();
        assert_eq!(keys.access_key_id, "STSak");
        assert_eq!(keys.secret_access_key.expose(), "tmp-sk");
        assert_eq!(fresh.expires_at.to_rfc3339(), "2024-11-28T18:10:00+00:00");
    }

    fn refused(a: &Answer) -> Error {
        match parse_session(a, "p") {
            Err(e) => e,
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn a_missing_value_or_error_body_is_refused_with_its_exit_code() {
        for field in [
            "accessKeyId",
            "secretAccessKey",
            "sessionToken",
            "expiration",
        ] {
            let mut v = serde_json::json!({"accessKeyId":"a","secretAccessKey":"s",
                "sessionToken":"t","expiration":"2024-11-28T18:10:00Z"});
            v.as_object_mut().unwrap().remove(field);
            let e = refused(&answer(200, &v.to_string()));
            assert_eq!(e.exit_code(), 5, "{field}");
            assert!(e.message().contains(field), "{}", e.message());
        }
        let sig = r#"{"requestId":"r","code":"SignatureDoesNotMatch","message":"m"}"#;
        assert_eq!(refused(&answer(400, sig)).exit_code(), 4);
        let ak = r#"{"requestId":"r","code":"InvalidAccessKeyId","message":"m"}"#;
        assert_eq!(refused(&answer(403, ak)).exit_code(), 4);
    }
}
