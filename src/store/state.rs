//! The per-profile token state: the JSON that `age -d -i identity.txt` prints for a state file.
//!
//! Reading tolerates unknown fields and fills missing optional ones with defaults, so an older
//! broker can read what a newer one wrote (and the other way round) as long as `version` is
//! one it knows.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::{AccessToken, RefreshToken};

/// A profile's tokens and rotation bookkeeping. Secrets are wrapper types whose `Debug` prints
/// `****`, so deriving `Debug` here is safe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenState {
    /// The schema version; [`TokenState::VERSION`] for states this broker writes.
    #[serde(default = "current_version")]
    pub version: u32,
    /// `ai`, `netdisk` or `bce`.
    pub grant: String,
    pub access_token: AccessToken,
    /// RFC 3339, UTC.
    pub expires_at: DateTime<Utc>,
    pub obtained_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<RefreshToken>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_obtained_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// +1 on every saved rotation.
    #[serde(default)]
    pub generation: u64,
    /// The journal mark: set and saved before a refresh token is sent, so a crash between
    /// sending it and saving the answer is visible afterwards (the token may be spent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_in_flight: Option<InFlight>,
    /// Set when Baidu rejected the refresh token; nothing is deleted for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_login: Option<NeedsLogin>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotation: Option<DateTime<Utc>>,
    /// The last result of each hook.
    #[serde(default)]
    pub hooks: Vec<HookResult>,
}

/// A refresh that was started (and maybe sent) but whose answer was not saved yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    pub started_at: DateTime<Utc>,
    pub pid: u32,
    /// The generation of the state the refresh started from.
    pub generation: u64,
}

/// Why and since when the profile needs `broker login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedsLogin {
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// The last run of one hook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookResult {
    pub name: String,
    pub event: String,
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// e.g. `exit 0`, `exit 3`, `killed by SIGTERM`, `timed out after 30s`.
    pub status: String,
}

fn current_version() -> u32 {
    TokenState::VERSION
}

impl TokenState {
    /// The schema version this broker writes and the newest it reads.
    pub const VERSION: u32 = 1;

    /// A fresh state (generation 0) for a token just obtained; the other fields empty.
    pub fn new(
        grant: impl Into<String>,
        access_token: AccessToken,
        expires_at: DateTime<Utc>,
        obtained_at: DateTime<Utc>,
    ) -> Self {
        TokenState {
            version: Self::VERSION,
            grant: grant.into(),
            access_token,
            expires_at,
            obtained_at,
            refresh_token: None,
            refresh_token_obtained_at: None,
            scope: None,
            generation: 0,
            refresh_in_flight: None,
            needs_login: None,
            last_rotation: None,
            hooks: Vec::new(),
        }
    }

    /// Seconds until the access token expires; negative once it has.
    pub fn seconds_left(&self, now: DateTime<Utc>) -> i64 {
        (self.expires_at - now).num_seconds()
    }

    /// True when less than `min_ttl` is left on the access token (or it has expired).
    pub fn is_due(&self, now: DateTime<Utc>, min_ttl: Duration) -> bool {
        // A min_ttl too large for chrono means "always due".
        match TimeDelta::from_std(min_ttl) {
            Ok(min) => self.expires_at - now < min,
            Err(_) => true,
        }
    }

    /// True once the access token has expired.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }

    /// The JSON written (encrypted) to the state file. Zeroised on drop: it holds the tokens.
    pub fn to_json(&self) -> Result<Zeroizing<Vec<u8>>> {
        let mut out = Zeroizing::new(Vec::with_capacity(512));
        serde_json::to_writer_pretty(&mut *out, self).map_err(|e| {
            Error::internal(format!(
                "cannot serialize the token state: {}",
                e.classify_name()
            ))
        })?;
        out.push(b'\n');
        Ok(out)
    }

    /// Parse a decrypted state file. Errors never quote the input (it holds tokens): they give
    /// the position only. A `version` newer than this broker knows is refused.
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        let state: TokenState = serde_json::from_slice(bytes).map_err(|e| {
            Error::store(format!(
                "the token state is not valid ({} at line {}, column {})",
                e.classify_name(),
                e.line(),
                e.column()
            ))
            .with_hint("log in again (`broker login`) to replace it")
        })?;
        if state.version > Self::VERSION {
            return Err(Error::store(format!(
                "the token state has version {}, newer than this broker understands ({})",
                state.version,
                Self::VERSION
            ))
            .with_hint("upgrade broker; the state was written by a newer release"));
        }
        Ok(state)
    }
}

/// Names serde_json's error categories without echoing any of the input.
trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "i/o error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected or missing field",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn sample() -> TokenState {
        let mut s = TokenState::new(
            "netdisk",
            AccessToken::new("121.secret-access"),
            at("2030-01-31T00:00:00Z"),
            at("2030-01-01T00:00:00Z"),
        );
        s.refresh_token = Some(RefreshToken::new("122.secret-refresh"));
        s.scope = Some("basic,netdisk".into());
        s
    }

    #[test]
    fn json_has_the_documented_field_names() {
        let json = sample().to_json().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["access_token"], "121.secret-access");
        assert_eq!(v["refresh_token"], "122.secret-refresh");
        assert_eq!(v["expires_at"], "2030-01-31T00:00:00Z");
        assert_eq!(v["obtained_at"], "2030-01-01T00:00:00Z");
        // None fields are left out rather than written as null.
        assert!(v.get("needs_login").is_none());
        assert!(v.get("refresh_in_flight").is_none());
    }

    #[test]
    fn round_trip() {
        let mut s = sample();
        s.refresh_in_flight = Some(InFlight {
            started_at: at("2030-01-02T00:00:00Z"),
            pid: 42,
            generation: 3,
        });
        s.needs_login = Some(NeedsLogin {
            reason: "invalid_grant".into(),
            at: at("2030-01-03T00:00:00Z"),
        });
        s.hooks.push(HookResult {
            name: "push".into(),
            event: "rotate".into(),
            at: at("2030-01-04T00:00:00Z"),
            ok: false,
            status: "exit 3".into(),
        });
        let back = TokenState::from_json(&s.to_json().unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn unknown_fields_and_missing_optional_ones_are_tolerated() {
        let json = br#"{"grant":"ai","access_token":"24.x","expires_at":"2030-01-01T00:00:00Z",
            "obtained_at":"2029-12-01T00:00:00+08:00","from_the_future":{"a":1}}"#;
        let s = TokenState::from_json(json).unwrap();
        assert_eq!(s.version, 1);
        assert_eq!(s.generation, 0);
        assert!(s.refresh_token.is_none());
        assert!(s.hooks.is_empty());
        assert_eq!(s.obtained_at, at("2029-11-30T16:00:00Z"));
    }

    #[test]
    fn newer_version_is_refused() {
        let json = br#"{"version":2,"grant":"ai","access_token":"24.x","expires_at":"2030-01-01T00:00:00Z","obtained_at":"2030-01-01T00:00:00Z"}"#;
        let err = TokenState::from_json(json).unwrap_err();
        assert_eq!(err.exit_code(), 6);
        assert!(err.message().contains("version 2"));
    }

    #[test]
    fn parse_errors_never_quote_the_input() {
        // A token in the wrong place must not end up in the message.
        let json = br#"{"grant":"ai","access_token":"24.x","expires_at":"2030-01-01T00:00:00Z","obtained_at":"2030-01-01T00:00:00Z","generation":"24.leaked-token"}"#;
        let err = TokenState::from_json(json).unwrap_err();
        assert!(!err.message().contains("leaked"), "{}", err.message());
        assert_eq!(err.exit_code(), 6);
    }

    #[test]
    fn debug_hides_the_tokens() {
        let d = format!("{:?}", sample());
        assert!(
            !d.contains("secret-access") && !d.contains("secret-refresh"),
            "{d}"
        );
    }

    #[test]
    fn due_and_seconds_left() {
        let s = sample(); // expires 2030-01-31T00:00:00Z
        let now = at("2030-01-30T00:00:00Z");
        assert_eq!(s.seconds_left(now), 86_400);
        let table = [
            (Duration::from_secs(3600), false),
            (Duration::from_secs(86_400), false),
            (Duration::from_secs(86_401), true),
        ];
        for (ttl, due) in table {
            assert_eq!(s.is_due(now, ttl), due, "{ttl:?}");
        }
        assert!(s.is_due(at("2030-02-01T00:00:00Z"), Duration::ZERO));
        assert!(s.is_due(now, Duration::MAX));
        assert!(s.is_expired(at("2030-01-31T00:00:00Z")));
        assert!(!s.is_expired(now));
    }
}
