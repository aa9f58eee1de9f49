//! The facts of an event, as a hook is told them: in its environment and as one JSON object
//! on stdin.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;
use zeroize::Zeroizing;

use crate::config::{Event, Profile};
use crate::env_vars;
use crate::profile::ProfileName;
use crate::rotate::Failed;
use crate::secret::AccessToken;
use crate::store::{StsKeys, TokenState};

/// The variables that carry the facts of an event. They are removed from what a hook inherits
/// before being set, so a fact that is absent (no token on `refresh_failed`) is really absent.
pub(crate) const FACT_VARS: [&str; 10] = [
    env_vars::BROKER_EVENT,
    env_vars::BROKER_PROFILE,
    env_vars::BROKER_GRANT,
    env_vars::BROKER_APP_KEY,
    env_vars::BROKER_ACCESS_TOKEN,
    env_vars::BROKER_EXPIRES_AT,
    env_vars::BROKER_PREVIOUS_EXPIRES_AT,
    env_vars::BROKER_SCOPE,
    env_vars::BROKER_HOOK,
    env_vars::BROKER_ERROR,
];

/// The name of an event, as in the config, `BROKER_EVENT` and the state.
pub fn event_name(event: Event) -> &'static str {
    match event {
        Event::Rotate => "rotate",
        Event::Login => "login",
        Event::RefreshFailed => "refresh_failed",
        Event::Test => "test",
    }
}

/// What a hook is told about an event.
pub struct Facts {
    pub event: Event,
    pub profile: ProfileName,
    pub grant: &'static str,
    pub app_key: String,
    /// The new token; `None` on `refresh_failed` (there is none) and on `test` without one.
    pub access_token: Option<AccessToken>,
    pub expires_at: Option<DateTime<Utc>>,
    pub previous_expires_at: Option<DateTime<Utc>>,
    pub scope: Option<String>,
    /// Why the rotation failed (`refresh_failed` only): an error message, never a secret.
    pub error: Option<String>,
    /// When the event happened.
    pub at: DateTime<Utc>,
    /// `sts`: the temporary key pair of the new token, for the sinks (never given to a hook).
    pub sts: Option<StsKeys>,
}

impl Facts {
    /// The facts of a token that is stored (after a rotation or login, or for `hooks run`).
    pub fn of_state(
        event: Event,
        profile: &Profile,
        state: &TokenState,
        previous_expires_at: Option<DateTime<Utc>>,
    ) -> Facts {
        Facts {
            event,
            profile: profile.name.clone(),
            grant: profile.grant.as_str(),
            app_key: profile.app_key.clone(),
            access_token: Some(state.access_token.clone()),
            // An API key never expires: no expiry is told.
            expires_at: (!profile.grant.static_key()).then_some(state.expires_at),
            previous_expires_at,
            scope: state.scope.clone().or_else(|| profile.scope.clone()),
            error: None,
            at: Utc::now(),
            sts: state.sts.clone(),
        }
    }

    /// The facts of a failed rotation: no token, the expiry of the one still stored.
    pub fn of_failure(profile: &Profile, failed: &Failed) -> Facts {
        let attempt = failed.attempt.clone().unwrap_or_default();
        Facts {
            event: Event::RefreshFailed,
            profile: profile.name.clone(),
            grant: profile.grant.as_str(),
            app_key: profile.app_key.clone(),
            access_token: None,
            expires_at: attempt.expires_at,
            previous_expires_at: None,
            scope: attempt.scope.or_else(|| profile.scope.clone()),
            // A hook's input is data (a hook may match on it): English whatever the language.
            error: Some(crate::catalog::in_english(|| failed.error.message())),
            at: Utc::now(),
            sts: None,
        }
    }

    /// The JSON object a hook reads on stdin. Zeroised on drop: it holds the token.
    pub(crate) fn to_json(&self, hook: &str) -> Zeroizing<Vec<u8>> {
        let mut value = json!({
            "event": event_name(self.event),
            "profile": self.profile.as_str(),
            "grant": self.grant,
            "app_key": self.app_key,
            "access_token": self.access_token.as_ref().map(AccessToken::expose),
            "expires_at": self.expires_at.map(rfc3339),
            "previous_expires_at": self.previous_expires_at.map(rfc3339),
            "scope": self.scope,
            "at": rfc3339(self.at),
            "hook": hook,
        });
        if let (Some(e), Some(obj)) = (&self.error, value.as_object_mut()) {
            obj.insert("error".into(), json!(e));
        }
        let mut out = Zeroizing::new(Vec::with_capacity(512));
        // Writing a `Value` to a `Vec` cannot fail.
        let _ = serde_json::to_writer(&mut *out, &value);
        out.push(b'\n');
        out
    }

    /// The `BROKER_*` variables; absent facts are left out.
    pub(crate) fn env(&self, hook: &str) -> Vec<(&'static str, String)> {
        let mut vars = vec![
            (env_vars::BROKER_EVENT, event_name(self.event).to_owned()),
            (env_vars::BROKER_PROFILE, self.profile.as_str().to_owned()),
            (env_vars::BROKER_GRANT, self.grant.to_owned()),
            (env_vars::BROKER_APP_KEY, self.app_key.clone()),
            (
                env_vars::BROKER_SCOPE,
                self.scope.clone().unwrap_or_default(),
            ),
            (env_vars::BROKER_HOOK, hook.to_owned()),
        ];
        if let Some(t) = &self.access_token {
            vars.push((env_vars::BROKER_ACCESS_TOKEN, t.expose().to_owned()));
        }
        if let Some(t) = self.expires_at {
            vars.push((env_vars::BROKER_EXPIRES_AT, rfc3339(t)));
        }
        if let Some(t) = self.previous_expires_at {
            vars.push((env_vars::BROKER_PREVIOUS_EXPIRES_AT, rfc3339(t)));
        }
        if let Some(e) = &self.error {
            vars.push((env_vars::BROKER_ERROR, e.clone()));
        }
        vars
    }
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
