//! The per-profile token state: the JSON that `age -d -i identity.txt` prints for a state file.
//!
//! Reading tolerates unknown fields and fills missing optional ones with defaults, so an older
//! broker can read what a newer one wrote (and the other way round) as long as `version` is
//! one it knows.

mod place;
mod records;

pub use place::Place;
pub use records::{HandedOff, HookResult, InFlight, NeedsLogin, Told};

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Result, StoreError};
use crate::secret::{AccessToken, RefreshToken, TemporarySecretKey};

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
    /// Set when Baidu rejected the app's credentials (exit 4) at a rotation; a successful
    /// rotation writes a state without it. Only for `status` to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_rejected: Option<NeedsLogin>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotation: Option<DateTime<Utc>>,
    /// Set for a token imported with `login --with-token`: its `obtained_at` is the import,
    /// not when Baidu issued it, so its lifetime says nothing of what Baidu grants. The next
    /// rotation writes a state without it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub imported: bool,
    /// The last result of each hook.
    #[serde(default)]
    pub hooks: Vec<HookResult>,
    /// A random id made at each login and kept through every rotation: the refresh-token
    /// lineage. Two states with the same id hold the same single-use chain, and only one of
    /// them can go on refreshing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<String>,
    /// Where this state was last saved by a rotation or a login (netdisk). Read back from
    /// another place, it says the file was copied (or moved) there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_at: Option<Place>,
    /// Set when broker first read this state somewhere other than where it was written (and
    /// warned about it): the place it came from, for explaining a refresh token found spent.
    /// Cleared by the next rotation or login, which move the lineage on from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copied_from: Option<Place>,
    /// Set when the state was exported (`broker state export`) to live elsewhere: this copy
    /// serves its token until due and never rotates again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handed_off: Option<HandedOff>,
    /// How many rotations in a row were asked by `token --rejected` for a token reported
    /// right after it was issued: the loop guard stops at the second.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rejected_streak: u8,
    /// `sts` only: the temporary AccessKey and SecretKey that go with the session token (which
    /// is `access_token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sts: Option<StsKeys>,
}

/// The temporary key pair of BCE STS credentials; the session token is the state's
/// `access_token`. `Debug` never shows the SecretKey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StsKeys {
    pub access_key_id: String,
    pub secret_access_key: TemporarySecretKey,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
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
            credentials_rejected: None,
            last_rotation: None,
            imported: false,
            hooks: Vec::new(),
            lineage: None,
            written_at: None,
            copied_from: None,
            handed_off: None,
            rejected_streak: 0,
            sts: None,
        }
    }

    /// A new random lineage id (16 hex digits), for a new authorization.
    pub fn new_lineage() -> String {
        hex::encode(rand::random::<[u8; 8]>())
    }

    /// The place this state was copied from, if it was read at `here` but written elsewhere:
    /// the place recorded when it was first noticed, or else where it was last written.
    pub fn copied_from(&self, here: Option<&Place>) -> Option<&Place> {
        self.copied_from.as_ref().or_else(|| {
            let written = self.written_at.as_ref()?;
            (!written.same_as(here?)).then_some(written)
        })
    }

    /// True when this read is the first to notice that the state was copied (nothing recorded
    /// yet): the moment to warn, once.
    pub fn newly_copied(&self, here: Option<&Place>) -> bool {
        self.copied_from.is_none() && self.copied_from(here).is_some()
    }

    /// Marks the state as saved at `here`. One that came from elsewhere keeps where it came
    /// from, so no later save erases the evidence of a copy; a new token pair has no
    /// `written_at` yet, so stamping it records no copy. `None` (the place is unknown, or the
    /// grant has no lineage) changes nothing.
    pub fn stamp(&mut self, here: Option<&Place>) {
        if let Some(here) = here {
            self.copied_from = self.copied_from(Some(here)).cloned();
            self.written_at = Some(here.clone());
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
            StoreError::CannotSerializeState {
                category: category(&e),
            }
        })?;
        out.push(b'\n');
        Ok(out)
    }

    /// Parse a decrypted state file. Errors never quote the input (it holds tokens): they give
    /// the position only. A `version` newer than this broker knows is refused.
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        // A state is always an object of UTF-8 text (see `baidu::json_object` for why both are
        // checked before serde).
        let Some(text) = crate::baidu::json_object(bytes) else {
            return Err(StoreError::StateNotJson.into());
        };
        let state: TokenState =
            serde_json::from_str(text).map_err(|e| StoreError::StateInvalid {
                category: category(&e),
                line: e.line(),
                column: e.column(),
            })?;
        if state.version > Self::VERSION {
            return Err(StoreError::StateTooNew {
                version: state.version,
                supported: Self::VERSION,
            }
            .into());
        }
        Ok(state)
    }
}

/// serde_json's error category, never any of the input: `io`, `syntax`, `data`, `eof`.
fn category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "io",
        serde_json::error::Category::Syntax => "syntax",
        serde_json::error::Category::Data => "data",
        serde_json::error::Category::Eof => "eof",
    }
}

#[cfg(test)]
mod tests {
    use super::place::tests::place;
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
            command: Some("broker refresh".into()),
            attempts: 2,
            outcome: Some("timed out".into()),
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
        s.lineage = Some("0123456789abcdef".into());
        s.written_at = Some(place("/h/nd.age", "vm", Some("m1")));
        s.copied_from = Some(place("/g/nd.age", "laptop", None));
        let back = TokenState::from_json(&s.to_json().unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn a_copy_is_noticed_once_and_remembered() {
        let here = place("/b/nd.age", "vm", None);
        let mut s = sample();
        // Written before broker recorded places: nothing to compare.
        assert!(s.copied_from(Some(&here)).is_none());
        s.written_at = Some(here.clone());
        assert!(s.copied_from(Some(&here)).is_none());
        assert!(!s.newly_copied(Some(&here)));
        let there = place("/a/nd.age", "vm", None);
        s.written_at = Some(there.clone());
        assert_eq!(s.copied_from(Some(&here)), Some(&there));
        assert!(s.newly_copied(Some(&here)));
        assert!(s.copied_from(None).is_none());
        // Once stamped here, it is still known, but no longer new.
        s.stamp(Some(&here));
        assert_eq!(s.copied_from.as_ref(), Some(&there));
        assert_eq!(s.written_at.as_ref(), Some(&here));
        assert_eq!(s.copied_from(Some(&here)), Some(&there));
        assert!(!s.newly_copied(Some(&here)));
        s.stamp(None);
        assert_eq!(s.written_at.as_ref(), Some(&here));
    }

    #[test]
    fn lineage_ids_are_random_hex() {
        let (a, b) = (TokenState::new_lineage(), TokenState::new_lineage());
        assert_ne!(a, b);
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
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
        assert!(s.lineage.is_none() && s.written_at.is_none() && s.copied_from.is_none());
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
