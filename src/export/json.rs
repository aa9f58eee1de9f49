//! The one JSON shape of a token, written by `broker token --json` and by a sink with
//! `format = "json"`: `{"profile","grant","app_key","access_token","expires_at","scope"}`.
//! (`broker env --format json` is another thing: the exported variables, by name.)

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;
use zeroize::Zeroizing;

use crate::config::Profile;
use crate::secret::AccessToken;
use crate::store::StsKeys;

/// The token of `profile` as one JSON object and a newline. Zeroised on drop: it holds the
/// token. `expires_at` unknown is written as `""`, `scope` unknown as `null`. STS credentials
/// add `access_key_id`, `secret_access_key` and `session_token` (the access token).
pub fn token_json(
    profile: &Profile,
    token: &AccessToken,
    expires_at: Option<DateTime<Utc>>,
    scope: Option<&str>,
    sts: Option<&StsKeys>,
) -> Zeroizing<String> {
    let mut value = json!({
        "profile": profile.name.as_str(),
        "grant": profile.grant.as_str(),
        "app_key": profile.app_key,
        "access_token": token.expose(),
        "expires_at": expires_at
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
            .unwrap_or_default(),
        "scope": scope,
    });
    if let (Some(keys), Some(object)) = (sts, value.as_object_mut()) {
        object.insert("access_key_id".into(), keys.access_key_id.clone().into());
        object.insert(
            "secret_access_key".into(),
            keys.secret_access_key.expose().into(),
        );
        object.insert("session_token".into(), token.expose().into());
    }
    Zeroizing::new(format!("{value}\n"))
}

/// `s` as a JSON string, quotes and escapes included.
pub(crate) fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}
