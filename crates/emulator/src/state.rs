//! Everything the emulator remembers, behind one lock: apps, issued tokens and codes, device
//! codes, settings, the clock, queued faults and counters.
//!
//! One `std::sync::Mutex` is enough: no handler awaits while holding it, and one lock makes
//! every rule (spend a refresh token, issue its successor) atomic with no extra care.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::apps::{App, BceKey};
use super::clock::Clock;
use super::counters::Counters;
use super::faults::FaultQueue;
use super::settings::{Decision, Settings};

/// The state shared by the server thread and the [`super::Handle`].
pub(crate) struct Shared {
    state: Mutex<State>,
    /// `http://127.0.0.1:PORT`, for the URLs the emulator hands out.
    pub(crate) base_url: String,
}

impl Shared {
    pub(crate) fn new(state: State, base_url: String) -> Self {
        Shared {
            state: Mutex::new(state),
            base_url,
        }
    }

    /// The state, even after a panic elsewhere poisoned the lock: the emulator's data stays
    /// consistent because every rule completes before it releases the lock.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// STS temporary credentials the emulator issued.
#[derive(Clone)]
pub(crate) struct StsRecord {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Default)]
pub(crate) struct State {
    pub apps: BTreeMap<String, App>,
    pub bce_keys: BTreeMap<String, BceKey>,
    pub access: HashMap<String, AccessRecord>,
    /// STS temporary credentials, by their AccessKey.
    pub sts: HashMap<String, StsRecord>,
    pub refresh: HashMap<String, RefreshRecord>,
    pub codes: HashMap<String, CodeRecord>,
    /// In issue order, so "the latest pending device code" is well defined.
    pub devices: Vec<DeviceRecord>,
    pub settings: Settings,
    pub clock: Clock,
    pub faults: FaultQueue,
    pub counters: Counters,
    /// Size of `access` + `codes` at which [`State::prune`] next sweeps (0: the default).
    next_prune_at: usize,
}

/// The first sweep happens at this many remembered access tokens and codes.
const PRUNE_FLOOR: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// AI `24.` tokens (client_credentials).
    Ai,
    /// Netdisk `121.` tokens: the only ones uinfo accepts.
    Netdisk,
    /// BCE `bce-v3/` bearer tokens.
    Bce,
}

#[derive(Debug, Clone)]
pub(crate) struct AccessRecord {
    /// The client id, or the access key for BCE tokens.
    pub owner: String,
    pub kind: TokenKind,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
}

impl AccessRecord {
    pub(crate) fn is_live(&self, now: DateTime<Utc>) -> bool {
        !self.revoked && now < self.expires_at
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshStatus {
    Live,
    /// Spent by a successful refresh: a reuse answers `expired_token`.
    Used,
    /// Revoked through the admin API: answers `invalid_grant`.
    Revoked,
}

#[derive(Debug, Clone)]
pub(crate) struct RefreshRecord {
    pub client_id: String,
    pub scope: Vec<String>,
    pub expires_at: DateTime<Utc>,
    pub status: RefreshStatus,
    /// The access token issued together with this refresh token.
    pub access_token: String,
}

#[derive(Debug, Clone)]
pub(crate) struct CodeRecord {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: Vec<String>,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

/// Where a device code stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    Pending,
    Approved,
    Declined,
    /// Exchanged for tokens: single use.
    Used,
}

#[derive(Debug, Clone)]
pub(crate) struct DeviceRecord {
    pub device_code: String,
    pub user_code: String,
    pub client_id: String,
    pub scope: Vec<String>,
    pub expires_at: DateTime<Utc>,
    /// Seconds required between polls; grows by 5 on each `slow_down`.
    pub interval: u64,
    pub last_poll: Option<DateTime<Utc>>,
    pub status: DeviceStatus,
}

/// What to revoke, for `POST /_emulator/revoke`: any combination of one access token, one
/// refresh token, and every token of an app (a client id or a BCE access key).
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revoke {
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
}

impl std::fmt::Debug for Revoke {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revoke")
            .field("access_token", &self.access_token.as_ref().map(|_| "****"))
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "****"),
            )
            .field("client_id", &self.client_id)
            .finish()
    }
}

impl State {
    /// The registered app named by the request's `client_id`, or Baidu's `unknown client id`.
    pub(crate) fn app_for(
        &self,
        p: &super::params::Params,
    ) -> Result<&App, super::reply::OAuthError> {
        p.non_empty("client_id")
            .and_then(|id| self.apps.get(id))
            .ok_or_else(super::reply::OAuthError::unknown_client)
    }
}

impl State {
    pub(crate) fn new(settings: Settings) -> Self {
        State {
            settings,
            ..Default::default()
        }
    }

    pub(crate) fn register_app(&mut self, app: App) {
        self.apps.insert(app.client_id.clone(), app);
    }

    pub(crate) fn register_bce_key(&mut self, mut key: BceKey) {
        if key.user_id.is_none() {
            key.user_id = Some(super::tokens::hex(32));
        }
        self.bce_keys.insert(key.access_key.clone(), key);
    }

    /// Revokes what `what` names; returns how many tokens changed. A revoked refresh token
    /// answers `invalid_grant`; a revoked access token fails uinfo.
    pub(crate) fn revoke(&mut self, what: &Revoke) -> usize {
        let mut n = 0;
        if let Some(token) = &what.access_token
            && let Some(rec) = self.access.get_mut(token)
            && !rec.revoked
        {
            rec.revoked = true;
            n += 1;
        }
        if let Some(token) = &what.refresh_token
            && let Some(rec) = self.refresh.get_mut(token)
            && rec.status == RefreshStatus::Live
        {
            rec.status = RefreshStatus::Revoked;
            n += 1;
        }
        if let Some(owner) = &what.client_id {
            for rec in self
                .access
                .values_mut()
                .filter(|r| &r.owner == owner && !r.revoked)
            {
                rec.revoked = true;
                n += 1;
            }
            for rec in self
                .refresh
                .values_mut()
                .filter(|r| &r.client_id == owner && r.status == RefreshStatus::Live)
            {
                rec.status = RefreshStatus::Revoked;
                n += 1;
            }
        }
        n
    }

    /// Forgets expired access tokens and codes once enough have piled up, so a long-running
    /// `broker emulator` does not grow without end. Only records whose answer does not change
    /// when forgotten go: an unknown access token and an expired one both fail uinfo, an
    /// unknown code and an expired one are both `invalid_grant`. Spent refresh tokens stay,
    /// since a reuse must keep answering `expired_token`. The threshold doubles with what
    /// stays, so sweeping costs O(1) per issued token on average.
    pub(crate) fn prune(&mut self) {
        let size = self.access.len() + self.codes.len() + self.sts.len();
        if size < self.next_prune_at.max(PRUNE_FLOOR) {
            return;
        }
        let now = self.clock.now();
        self.access.retain(|_, rec| now < rec.expires_at);
        self.codes.retain(|_, rec| now < rec.expires_at);
        self.sts.retain(|_, rec| now < rec.expires_at);
        let kept = self.access.len() + self.codes.len() + self.sts.len();
        self.next_prune_at = (2 * kept).max(PRUNE_FLOOR);
    }

    pub(crate) fn set_authorize_decision(&mut self, decision: Decision) {
        self.settings.authorize = decision;
    }
}

/// Reads a scope parameter: Baidu takes `basic,netdisk` and answers `basic netdisk`, so both
/// separators (and `+`) are accepted. Order is kept, duplicates dropped.
pub(crate) fn parse_scope(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split([',', ' ', '+']).filter(|p| !p.is_empty()) {
        if !out.iter().any(|o| o == part) {
            out.push(part.to_string());
        }
    }
    out
}

/// The space form Baidu answers with.
pub(crate) fn scope_string(scope: &[String]) -> String {
    scope.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_accepts_both_separators() {
        assert_eq!(parse_scope("basic,netdisk"), ["basic", "netdisk"]);
        assert_eq!(parse_scope("basic netdisk,basic"), ["basic", "netdisk"]);
        assert_eq!(scope_string(&parse_scope("basic,netdisk")), "basic netdisk");
        assert!(parse_scope(" , ").is_empty());
    }

    #[test]
    fn prune_forgets_only_expired_access_tokens_and_codes() {
        let mut st = State::default();
        let now = Utc::now();
        for i in 0..PRUNE_FLOOR {
            let expires_at = if i % 2 == 0 {
                now - chrono::Duration::seconds(1)
            } else {
                now + chrono::Duration::days(1)
            };
            st.access.insert(
                format!("a{i}"),
                AccessRecord {
                    owner: "app".into(),
                    kind: TokenKind::Ai,
                    expires_at,
                    revoked: false,
                },
            );
        }
        st.prune();
        assert_eq!(st.access.len(), PRUNE_FLOOR / 2);
        assert!(st.access.values().all(|r| r.is_live(now)));
        // Below the doubled threshold nothing is swept.
        st.access.insert(
            "old".into(),
            AccessRecord {
                owner: "app".into(),
                kind: TokenKind::Ai,
                expires_at: now,
                revoked: false,
            },
        );
        st.prune();
        assert!(st.access.contains_key("old"));
    }

    #[test]
    fn revoke_by_client_revokes_access_and_live_refresh_tokens() {
        let mut st = State::default();
        let far = Utc::now() + chrono::Duration::days(1);
        st.access.insert(
            "a1".into(),
            AccessRecord {
                owner: "app".into(),
                kind: TokenKind::Netdisk,
                expires_at: far,
                revoked: false,
            },
        );
        st.access.insert(
            "a2".into(),
            AccessRecord {
                owner: "other".into(),
                kind: TokenKind::Ai,
                expires_at: far,
                revoked: false,
            },
        );
        let refresh = |status| RefreshRecord {
            client_id: "app".into(),
            scope: vec![],
            expires_at: far,
            status,
            access_token: "a1".into(),
        };
        st.refresh.insert("r1".into(), refresh(RefreshStatus::Live));
        st.refresh.insert("r2".into(), refresh(RefreshStatus::Used));
        let n = st.revoke(&Revoke {
            client_id: Some("app".into()),
            ..Default::default()
        });
        assert_eq!(n, 2);
        assert!(st.access["a1"].revoked && !st.access["a2"].revoked);
        assert_eq!(st.refresh["r1"].status, RefreshStatus::Revoked);
        assert_eq!(st.refresh["r2"].status, RefreshStatus::Used);
    }
}
