//! Sinks (SPEC §8): files that receive each new token, written atomically before the hooks run.

use std::path::Path;

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use crate::config::{Profile, Sink, SinkFormat};
use crate::env_vars;
use crate::error::{HookError, Result, sanitize};
use crate::export;
use crate::hooks::error::HookRun;
use crate::hooks::{Facts, event_name, rfc3339};
use crate::secret::AccessToken;
use crate::store::state::HookResult;
use crate::store::{StsKeys, atomic};

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
            return Err(HookError::SinkWithoutToken.into());
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
            facts.sts.as_ref(),
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
        status: crate::hooks::ran(match written {
            Ok(()) => HookRun::Written,
            Err(e) => HookRun::SinkFailed { error: Box::new(e) },
        }),
    }
}

/// The bytes of a sink file, in the export module's formats. Zeroised on drop: they hold the
/// token.
fn sink_bytes(
    format: SinkFormat,
    profile: &Profile,
    token: &AccessToken,
    expires_at: Option<DateTime<Utc>>,
    scope: Option<&str>,
    sts: Option<&StsKeys>,
) -> Zeroizing<Vec<u8>> {
    let text = match format {
        SinkFormat::Token => Zeroizing::new(format!("{}\n", token.expose())),
        SinkFormat::Json => export::token_json(profile, token, expires_at, scope, sts),
        SinkFormat::Env => {
            let expires = expires_at.map(rfc3339).unwrap_or_default();
            let extra = crate::shell::sts_values(sts, token.expose(), &expires);
            let mut vars = vec![
                (env_vars::BROKER_PROFILE, profile.name.as_str()),
                (env_vars::BAIDU_ACCESS_TOKEN, token.expose()),
                (env_vars::BAIDU_APP_KEY, profile.app_key.as_str()),
                (env_vars::BAIDU_TOKEN_EXPIRES_AT, expires.as_str()),
            ];
            vars.extend(extra.iter().map(|v| (v.name.as_str(), v.value())));
            export::env_file(&vars)
        }
    };
    Zeroizing::new(text.as_bytes().to_vec())
}
