//! Grants: how each kind of profile turns its app credentials into an access token.
//!
//! One small trait, [`Grant`], one file per kind (`ai.rs`, `netdisk/`, `bce.rs`), and the
//! list of kinds in one place, [`GRANTS`]. Commands never match on the kind: they ask it
//! (does it refresh? does its first token need a person? which scope by default?).
//! docs/architecture.md says how to add one.

pub mod ai;
pub mod api_key;
pub mod bce;
pub mod error;
mod kind;
pub mod netdisk;
pub mod oauth;
pub mod plugin;
pub mod sts;

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::baidu::client::Client;
use crate::config::{Profile, SecretSource};
use crate::error::{Error, GrantError, Result};
use crate::secret::{AccessToken, RefreshToken, SecretKey};
use crate::store::{StsKeys, TokenState, Vault};
use crate::ui::Messages;

pub use kind::GrantKind;
pub use oauth::{parse_token, parse_token_salvaging};

/// Every grant broker knows, in the order `--help` lists them. A new grant is a file under
/// `grant/` implementing [`Grant`], and one line here. Plugins (`plugin:NAME`) are not listed:
/// there is one per name, made when a config names it ([`plugin::named`]).
pub static GRANTS: &[GrantKind] = &[
    GrantKind::new(&ai::Ai),
    GrantKind::new(&netdisk::Netdisk),
    GrantKind::new(&bce::Bce),
    GrantKind::new(&sts::Sts),
    GrantKind::new(&api_key::ApiKey),
];

/// A kind of grant. Everything grant-specific that the rest of broker needs to know is asked
/// here; the answers are constants, so asking costs nothing on the hot path.
pub trait Grant: Sync {
    /// The name in the config (`grant = "ai"`), in `--grant`, and in the state.
    fn name(&self) -> &'static str;
    /// One line for `--help`.
    fn about(&self) -> &'static str;
    /// The base URL of Baidu's real service.
    fn default_endpoint(&self) -> &'static str;
    /// The scope asked for when the profile names none; `None` for a grant without scopes
    /// (`--scope` and the `scope` row of `profile show` are then refused and left out).
    fn default_scope(&self) -> Option<&'static str> {
        None
    }
    /// The longest lifetime, in seconds, a profile may ask for with `expires_in`; `None` when
    /// the grant cannot choose its tokens' lifetime (the key is then refused).
    fn max_expires_in(&self) -> Option<u64> {
        None
    }
    /// Whether the SecretKey is itself the token (an API key): nothing to fetch, store, rotate
    /// or log in to, no expiry, and `app_key` is only a label (may be left out).
    fn static_key(&self) -> bool {
        false
    }
    /// The profile key that asks for a lifetime ([`Grant::max_expires_in`]).
    fn lifetime_key(&self) -> &'static str {
        "expires_in"
    }
    /// Whether the token comes with a temporary AccessKey/SecretKey pair (STS), exported as
    /// the `BCE_*` variables.
    fn temporary_keys(&self) -> bool {
        false
    }
    /// Whether the profile may set `policy` (an ACL sent with the request).
    fn takes_policy(&self) -> bool {
        false
    }
    /// Whether tokens are renewed with a single-use refresh token (a lineage that a copied
    /// state could split, that a failed save loses, that an imported token must carry),
    /// rather than fetched again with the SecretKey.
    fn refreshes(&self) -> bool {
        false
    }
    /// Whether the first token needs a person (`broker login`): with no stored state there is
    /// nothing to fetch with, so `token` says "not logged in" instead of fetching.
    fn needs_login(&self) -> bool {
        false
    }
    /// Whether requests are signed with the local clock, so that a skewed clock fails them
    /// (`doctor` then fails the clock check rather than warning).
    fn signs_with_clock(&self) -> bool {
        false
    }
    /// A line `logout` adds once the tokens are forgotten.
    fn logout_hint(&self) -> Option<&'static str> {
        None
    }
    /// A token fetched with the SecretKey alone. Grants that cannot ([`Grant::needs_login`])
    /// are never asked.
    fn fetch(&self, client: &Client, profile: &Profile, secret: &SecretKey) -> Result<Fresh>;
    /// Renews with the refresh token, sent once. Only asked of grants that [`Grant::refreshes`].
    fn refresh(
        &self,
        _client: &Client,
        _profile: &Profile,
        _secret: &SecretKey,
        _refresh_token: &RefreshToken,
    ) -> Result<Fresh, RefreshError> {
        Err(RefreshError::NotSent(
            GrantError::NotRenewable {
                grant: self.name().to_owned(),
            }
            .into(),
        ))
    }
    /// The first token, at `broker login`. Grants that need no person fetch it, whatever
    /// `flow` says (the command refuses the flow flags for them).
    fn login(
        &self,
        profile: &Profile,
        secret: &SecretKey,
        _flow: Login<'_>,
        timeout: Duration,
        out: &dyn Messages,
    ) -> Result<Fresh> {
        fetch_unattended(&Client::new(timeout, out)?, profile, secret)
    }
    /// Whether tokens come from an external program (`plugin:NAME`), which reads the
    /// profile's `timeout` and `[plugin]` settings.
    fn runs_plugin(&self) -> bool {
        false
    }
}

/// How a person logs in (`broker login`), for the grants that [`Grant::needs_login`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Login<'a> {
    /// A code shown here and approved elsewhere (with a QR code of the page, or not).
    Device { qr: bool },
    /// An authorization code: given, `-` for stdin, or empty to be asked for.
    Code(&'a str),
    /// A browser opened on the authorization page, redirected back to a loopback listener.
    Browser,
}

/// Why a refresh did not produce a token, and what that means for the refresh token.
pub enum RefreshError {
    /// Baidu refused the refresh token (spent, revoked, expired): a person must log in.
    Rejected(Error),
    /// Baidu answered with another error; the refresh token was most likely not consumed.
    Answered(Error),
    /// No usable answer after the request may have reached Baidu: the token may be spent.
    Unknown(Error),
    /// The request never reached Baidu: the refresh token is intact.
    NotSent(Error),
    /// Baidu answered with a good new refresh token (the old one is spent) in an answer that is
    /// otherwise unusable (its `expires_in`): the tokens, already due, and what was wrong.
    Salvaged(Box<Fresh>, Error),
}

/// The names of the grants for which `which` holds, each written by `show`, joined with "or"
/// (for messages such as "applies only to `--grant netdisk` profiles").
pub fn names_where(which: impl Fn(&dyn Grant) -> bool, show: impl Fn(&str) -> String) -> String {
    let names: Vec<String> = GRANTS
        .iter()
        .filter(|g| which(&***g))
        .map(|g| show(g.name()))
        .collect();
    names.join(" or ")
}

/// `` `grant = "NAME"` `` for each grant for which `which` holds (for "applies only to …").
pub fn names_of(which: impl Fn(&dyn Grant) -> bool) -> Vec<String> {
    GRANTS
        .iter()
        .filter(|g| which(&***g))
        .map(|g| format!("`grant = \"{}\"`", g.name()))
        .collect()
}

/// The state a [`Grant::static_key`] profile is served from: its key as the token, never
/// stored, with no expiry (the latest time there is, which nothing exports).
pub fn static_state(profile: &Profile, vault: &Vault) -> Result<TokenState> {
    let key = secret_key(profile, vault)?;
    Ok(TokenState::new(
        profile.grant.as_str(),
        AccessToken::new(key.expose()),
        DateTime::<Utc>::MAX_UTC,
        Utc::now(),
    ))
}

/// The longest access token broker accepts; Baidu reserves 256 characters.
const MAX_TOKEN_LEN: usize = 4096;

/// A token just obtained from Baidu, before it is stored.
pub struct Fresh {
    pub access_token: AccessToken,
    pub expires_at: DateTime<Utc>,
    pub refresh_token: Option<RefreshToken>,
    pub scope: Option<String>,
    /// `sts` only: the temporary key pair that goes with the session token.
    pub sts: Option<StsKeys>,
}

impl Fresh {
    /// The state to save: the new token, the generation moved on, marks cleared.
    pub fn into_state(
        self,
        grant: GrantKind,
        previous: Option<&TokenState>,
        now: DateTime<Utc>,
    ) -> TokenState {
        let mut state = TokenState::new(grant.as_str(), self.access_token, self.expires_at, now);
        state.generation = previous.map_or(1, |p| p.generation + 1);
        state.last_rotation = Some(now);
        state.hooks = previous.map(|p| p.hooks.clone()).unwrap_or_default();
        state.sts = self.sts;
        state.scope = self
            .scope
            .or_else(|| previous.and_then(|p| p.scope.clone()));
        if self.refresh_token.is_some() {
            state.refresh_token = self.refresh_token;
            state.refresh_token_obtained_at = Some(now);
        }
        state
    }
}

/// Non-empty, bounded, printable: a token broker can put in a header and a shell variable.
pub fn valid_token(t: &str) -> bool {
    !t.is_empty() && t.len() <= MAX_TOKEN_LEN && !t.chars().any(char::is_control)
}

/// The app's SecretKey, from wherever the profile keeps it.
pub fn secret_key(profile: &Profile, vault: &Vault) -> Result<SecretKey> {
    match &profile.secret {
        SecretSource::Encrypted(armored) => vault.decrypt_secret(armored),
        SecretSource::Env(var) => match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(SecretKey::new(v)),
            _ => Err(GrantError::SecretEnvUnset {
                var: var.to_string(),
                profile: profile.name.to_string(),
            }
            .into()),
        },
        SecretSource::Plaintext => Err(GrantError::SecretPlaintext {
            profile: profile.name.to_string(),
        }
        .into()),
        SecretSource::Missing => Err(GrantError::NoSecret {
            profile: profile.name.to_string(),
        }
        .into()),
    }
}

/// A token for a grant that needs no person (`ai`, `bce`), fetched with the SecretKey.
pub fn fetch_unattended(client: &Client, profile: &Profile, secret: &SecretKey) -> Result<Fresh> {
    profile
        .grant
        .fetch(client, profile, secret)
        .map_err(|e| client.gave_up(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str) -> GrantKind {
        GrantKind::parse(name).unwrap_or_else(|| panic!("`{name}` is not registered"))
    }

    /// What the commands matched on the kind for before the trait; the answers must not move.
    #[test]
    fn each_grant_answers_what_the_commands_used_to_hard_code() {
        let names: Vec<&str> = GRANTS.iter().map(|g| g.as_str()).collect();
        assert_eq!(
            names,
            ["ai", "netdisk", "bce", "sts", "api-key"],
            "the order `--help` lists"
        );

        let ai = kind("ai");
        assert_eq!(ai.default_endpoint(), "https://aip.baidubce.com");
        assert!(!ai.refreshes() && !ai.needs_login() && !ai.signs_with_clock());
        assert_eq!((ai.default_scope(), ai.max_expires_in()), (None, None));
        assert_eq!(ai.logout_hint(), None);

        let nd = kind("netdisk");
        assert_eq!(nd.default_endpoint(), "https://openapi.baidu.com");
        assert!(nd.refreshes() && nd.needs_login() && !nd.signs_with_clock());
        assert_eq!(nd.default_scope(), Some("basic,netdisk"));
        assert_eq!(nd.max_expires_in(), None);
        assert!(
            nd.logout_hint()
                .is_some_and(|h| h.contains("no revoke API"))
        );

        let bce = kind("bce");
        assert_eq!(bce.default_endpoint(), "https://iam.bj.baidubce.com");
        assert!(!bce.refreshes() && !bce.needs_login() && bce.signs_with_clock());
        assert_eq!(bce.default_scope(), None);
        assert_eq!(bce.max_expires_in(), Some(30 * 86400));
        assert_eq!(bce.lifetime_key(), "expires_in");
        assert!(!bce.takes_policy() && !bce.temporary_keys());

        let sts = kind("sts");
        assert_eq!(sts.default_endpoint(), "https://sts.bj.baidubce.com");
        assert!(!sts.refreshes() && !sts.needs_login() && sts.signs_with_clock());
        assert_eq!(sts.max_expires_in(), Some(36 * 3600));
        assert_eq!(sts.lifetime_key(), "duration");
        assert!(sts.takes_policy() && sts.temporary_keys());
        assert!(!sts.static_key() && !bce.static_key() && !ai.static_key() && !nd.static_key());

        let key = kind("api-key");
        assert!(key.static_key() && !key.refreshes() && !key.needs_login());
        assert!(!key.signs_with_clock() && !key.temporary_keys() && !key.takes_policy());
        assert_eq!(key.max_expires_in(), None);
    }

    #[test]
    fn names_where_lists_the_grants_that_answer_yes() {
        assert_eq!(
            names_where(
                |g| g.default_scope().is_some(),
                |n| format!("`--grant {n}`")
            ),
            "`--grant netdisk`"
        );
        assert_eq!(
            names_where(|g| !g.refreshes(), str::to_owned),
            "ai or bce or sts or api-key"
        );
        assert_eq!(names_where(|_| false, str::to_owned), "");
    }
}
