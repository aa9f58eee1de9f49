//! The emulator's tunable rules: token lifetimes, device-flow timing, the emulated user's
//! answer, added latency. Tests change them through the admin API or [`super::Handle`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A `grant_type` of the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    ClientCredentials,
    AuthorizationCode,
    DeviceToken,
    RefreshToken,
}

impl Grant {
    pub const ALL: [Grant; 4] = [
        Grant::ClientCredentials,
        Grant::AuthorizationCode,
        Grant::DeviceToken,
        Grant::RefreshToken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Grant::ClientCredentials => "client_credentials",
            Grant::AuthorizationCode => "authorization_code",
            Grant::DeviceToken => "device_token",
            Grant::RefreshToken => "refresh_token",
        }
    }

    pub fn parse(s: &str) -> Option<Grant> {
        Grant::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// What the emulated user answers on the authorization page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    #[default]
    Approve,
    Decline,
}

/// Which error an expired device code answers: the documented `expired_token`, or the
/// `invalid_grant` that has been observed in the wild. Clients must handle both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceExpiryError {
    #[default]
    ExpiredToken,
    InvalidGrant,
}

/// Every rule the emulator lets a test change. `GET /_emulator/settings` shows it whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Access-token lifetime (`expires_in`) per grant; 2592000 (30 days) by default.
    pub access_token_secs: BTreeMap<Grant, u64>,
    /// Refresh-token lifetime: 10 years, as Baidu documents.
    pub refresh_token_secs: u64,
    /// Authorization-code lifetime: 10 minutes.
    pub code_secs: u64,
    /// Device-code lifetime (`expires_in` of `/oauth/2.0/device/code`).
    pub device_expires_in: u64,
    /// Minimum polling interval of the device flow (`interval`).
    pub device_interval: u64,
    pub device_expiry_error: DeviceExpiryError,
    /// Approve every device code at its first poll, with nobody at the verification page.
    pub device_auto_approve: bool,
    /// The emulated user's answer at `/oauth/2.0/authorize`.
    pub authorize: Decision,
    /// Added before every answer of a Baidu endpoint (not the admin API).
    pub latency_ms: u64,
    /// A refresh also kills the access token issued with the spent refresh token, as Baidu
    /// says "may" happen. Off by default.
    pub refresh_revokes_old_access: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            access_token_secs: Grant::ALL.into_iter().map(|g| (g, 2_592_000)).collect(),
            refresh_token_secs: 315_360_000,
            code_secs: 600,
            device_expires_in: 300,
            device_interval: 5,
            device_expiry_error: DeviceExpiryError::default(),
            device_auto_approve: false,
            authorize: Decision::default(),
            latency_ms: 0,
            refresh_revokes_old_access: false,
        }
    }
}

impl Settings {
    pub fn access_token_secs(&self, grant: Grant) -> u64 {
        self.access_token_secs
            .get(&grant)
            .copied()
            .unwrap_or(2_592_000)
    }

    pub fn apply(&mut self, patch: &SettingsPatch) {
        for (grant, secs) in &patch.access_token_secs {
            self.access_token_secs.insert(*grant, *secs);
        }
        macro_rules! set {
            ($($field:ident),*) => { $( if let Some(v) = patch.$field { self.$field = v; } )* };
        }
        set!(
            refresh_token_secs,
            code_secs,
            device_expires_in,
            device_interval,
            device_expiry_error,
            device_auto_approve,
            authorize,
            latency_ms,
            refresh_revokes_old_access
        );
    }
}

/// A partial [`Settings`]: only the fields present change.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(default)]
    pub access_token_secs: BTreeMap<Grant, u64>,
    pub refresh_token_secs: Option<u64>,
    pub code_secs: Option<u64>,
    pub device_expires_in: Option<u64>,
    pub device_interval: Option<u64>,
    pub device_expiry_error: Option<DeviceExpiryError>,
    pub device_auto_approve: Option<bool>,
    pub authorize: Option<Decision>,
    pub latency_ms: Option<u64>,
    pub refresh_revokes_old_access: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_changes_only_what_it_names() {
        let mut s = Settings::default();
        let patch: SettingsPatch = serde_json::from_str(
            r#"{"access_token_secs":{"refresh_token":60},"device_interval":1}"#,
        )
        .unwrap();
        s.apply(&patch);
        assert_eq!(s.access_token_secs(Grant::RefreshToken), 60);
        assert_eq!(s.access_token_secs(Grant::DeviceToken), 2_592_000);
        assert_eq!(s.device_interval, 1);
        assert_eq!(s.device_expires_in, 300);
        assert!(serde_json::from_str::<SettingsPatch>(r#"{"device_intervall":1}"#).is_err());
    }

    #[test]
    fn grant_names_round_trip() {
        for g in Grant::ALL {
            assert_eq!(Grant::parse(g.as_str()), Some(g));
            assert_eq!(
                serde_json::to_string(&g).unwrap(),
                format!("\"{}\"", g.as_str())
            );
        }
        assert_eq!(Grant::parse("password"), None);
    }
}
