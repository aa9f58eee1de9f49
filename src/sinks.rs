//! Sinks (SPEC §8): files that receive each new token, written atomically before the hooks run.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::json;
use zeroize::Zeroizing;

use crate::config::{Profile, Sink, SinkFormat};
use crate::error::{Error, Result, sanitize};
use crate::hooks::{Facts, event_name, rfc3339};
use crate::secret::AccessToken;
use crate::store::atomic;
use crate::store::state::HookResult;

/// The name a sink is reported and recorded under.
pub fn sink_name(sink: &Sink) -> String {
    format!("sink {}", sanitize(&sink.path.display().to_string()))
}

/// Writes one sink atomically (a reader sees the old file or the new one, never a part).
pub fn write_sink(sink: &Sink, base_dir: &Path, profile: &Profile, facts: &Facts) -> HookResult {
    let name = sink_name(sink);
    let at = Utc::now();
    let written = (|| -> Result<()> {
        let mode = crate::config::parse_mode(sink.mode.as_deref().unwrap_or("0600"))?;
        let Some(token) = &facts.access_token else {
            return Err(Error::internal("no token to write"));
        };
        let path = if sink.path.is_absolute() {
            sink.path.clone()
        } else {
            base_dir.join(&sink.path)
        };
        let bytes = sink_bytes(
            sink.format,
            profile,
            token,
            facts.expires_at,
            facts.scope.as_deref(),
        );
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            atomic::create_dir(dir)?;
        }
        atomic::write(&path, &bytes, mode)
    })();
    HookResult {
        name,
        event: event_name(facts.event).to_owned(),
        at,
        ok: written.is_ok(),
        status: match written {
            Ok(()) => "written".into(),
            Err(e) => e.message().to_owned(),
        },
    }
}

/// The bytes of a sink file. Zeroised on drop: they hold the token.
fn sink_bytes(
    format: SinkFormat,
    profile: &Profile,
    token: &AccessToken,
    expires_at: Option<DateTime<Utc>>,
    scope: Option<&str>,
) -> Zeroizing<Vec<u8>> {
    let expires = expires_at.map(rfc3339).unwrap_or_default();
    let text = match format {
        SinkFormat::Token => format!("{}\n", token.expose()),
        SinkFormat::Json => format!(
            "{}\n",
            json!({
                "profile": profile.name.as_str(),
                "grant": profile.grant.as_str(),
                "app_key": profile.app_key,
                "access_token": token.expose(),
                "expires_at": expires,
                "scope": scope,
            })
        ),
        SinkFormat::Env => [
            ("BROKER_PROFILE", profile.name.as_str()),
            ("BAIDU_ACCESS_TOKEN", token.expose()),
            ("BAIDU_APP_KEY", profile.app_key.as_str()),
            ("BAIDU_TOKEN_EXPIRES_AT", expires.as_str()),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={}\n", env_value(v)))
        .collect(),
    };
    Zeroizing::new(text.into_bytes())
}

/// A value for an env file: bare when it holds only characters no reader treats specially
/// (every real Baidu token), so systemd's `EnvironmentFile=`, `docker --env-file` and `sh`'s
/// `.` all read it the same; otherwise single-quoted the POSIX way, which `sh` reads exactly.
fn env_value(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/+=:,@%".contains(c));
    if plain {
        v.to_owned()
    } else {
        format!("'{}'", v.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_values_are_bare_when_safe_and_quoted_otherwise() {
        let table = [
            ("121.abc-DEF_ghi.x", "121.abc-DEF_ghi.x"),
            ("bce-v3/ALTAK/abc+def=", "bce-v3/ALTAK/abc+def="),
            ("2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z"),
            ("", "''"),
            ("a b", "'a b'"),
            ("it's", r"'it'\''s'"),
            ("$(x)`y`\n", "'$(x)`y`\n'"),
        ];
        for (value, want) in table {
            assert_eq!(env_value(value), want, "{value:?}");
        }
    }
}
