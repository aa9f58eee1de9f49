//! Grant errors: getting a token from Baidu — what Baidu answered (credentials rejected, exit 4;
//! a refresh token spent, exit 3), what kept it from answering (exit 5), and the logins a
//! person must do (exit 3).

use serde::Serialize;

use crate::error::{Hint, Kind};

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum GrantError {
    /// A netdisk profile with no token yet.
    NotLoggedIn { profile: String },

    // What Baidu answered (baidu-oauth.md §2 table, §3, §4): `said` is its answer.
    /// `invalid_client` with "authentication failed": the SecretKey is wrong.
    SecretKeyRejected {
        profile: String,
        #[serde(flatten)]
        said: Said,
    },
    /// `invalid_client` otherwise: Baidu does not know the AppKey.
    AppKeyUnknown {
        profile: String,
        #[serde(flatten)]
        said: Said,
    },
    /// `unauthorized_client`: the app may not use this grant.
    GrantNotAllowed {
        profile: String,
        #[serde(flatten)]
        said: Said,
    },
    /// BCE IAM: `InvalidAccessKeyId` or `AccessDenied`.
    AccessKeyRejected {
        profile: String,
        #[serde(flatten)]
        said: Said,
    },
    /// BCE IAM: `SignatureDoesNotMatch`, most likely a wrong SecretKey.
    SignatureRejected {
        profile: String,
        #[serde(flatten)]
        said: Said,
    },
    /// BCE IAM: `RequestExpired`, this machine's clock is off.
    RequestExpired {
        profile: String,
        #[serde(flatten)]
        said: Said,
    },
    /// BCE IAM: `InvalidHTTPAuthHeader`, broker signed wrongly (a bug).
    SignatureHeaderRefused {
        #[serde(flatten)]
        said: Said,
    },
    /// `invalid_grant`, `expired_token`, `invalid_request`: the refresh token or code was
    /// refused; a person must log in again.
    AuthorizationRefused {
        profile: String,
        #[serde(flatten)]
        said: Said,
    },
    /// `invalid_scope`.
    ScopeRefused {
        profile: String,
        #[serde(flatten)]
        said: Said,
    },
    /// `redirect_uri_mismatch`.
    RedirectUriRefused {
        #[serde(flatten)]
        said: Said,
    },
    /// `unsupported_grant_type`: broker sent a grant Baidu does not know (a bug).
    GrantTypeUnsupported {
        #[serde(flatten)]
        said: Said,
    },
    /// Baidu's "Trigger security policy": throttled after repeated failures.
    Throttled {
        profile: String,
        #[serde(flatten)]
        said: Said,
    },
    /// An error answer with HTTP 429 or 5xx.
    ServerError {
        profile: String,
        #[serde(flatten)]
        said: Said,
    },
    /// Any other error answer: the server said something it was not expected to say.
    UnexpectedError {
        profile: String,
        #[serde(flatten)]
        said: Said,
    },
    /// A device login's poll: the device code expired or was refused.
    DeviceCodeRefused {
        profile: String,
        #[serde(flatten)]
        said: Said,
    },
    /// A device login's poll: the person declined.
    AuthorizationDeclined { profile: String },

    // What kept Baidu from answering. `request` names the request (see `baidu::client`).
    /// The HTTP client could not be built.
    HttpClient { reason: String },
    /// The command's time limit ran out before (another) attempt.
    OutOfTime {
        request: &'static str,
        profile: String,
    },
    /// The answer was larger than `limit` bytes.
    AnswerTooLarge {
        request: &'static str,
        profile: String,
        limit: u64,
    },
    /// No answer: `failure` is `timed-out`, `refused`, `cannot-connect` or `broke` (at `url`),
    /// `broke-off` (`reason` says how) or `deadline` (the command's time limit).
    RequestFailed {
        request: &'static str,
        profile: String,
        failure: &'static str,
        url: String,
        reason: String,
    },
    /// HTTP 429 or 5xx without an error body.
    ServerStatus { profile: String, status: u16 },
    /// An answer that is not an error but not a token either. `issuer`: `baidu` or `bce`;
    /// `why`: `unexpected-status`, `not-an-object`, `unexpected-json`, or `no-usable` (`field`).
    NotAToken {
        issuer: &'static str,
        profile: String,
        status: u16,
        why: &'static str,
        field: &'static str,
    },
    /// The device-code answer cannot be used.
    DeviceCodeUnusable { profile: String },

    // The profile's settings, as a grant reads them.
    /// The endpoint is not a URL.
    InvalidEndpoint { reason: String },
    /// The endpoint has no host.
    EndpointWithoutHost { endpoint: String },
    /// The SecretKey comes from an environment variable that is not set.
    SecretEnvUnset { var: String, profile: String },
    /// The SecretKey is in the config in plaintext.
    SecretPlaintext { profile: String },
    /// The profile has no SecretKey.
    NoSecret { profile: String },
    /// A grant without refresh tokens was asked to refresh (a bug).
    NotRenewable { grant: String },
    /// A netdisk token was asked for with the SecretKey alone (a bug).
    FetchNeedsLogin,

    // Logging in (netdisk).
    /// A device login with no terminal to show the code on.
    DeviceLoginNeedsTerminal { profile: String },
    /// The device code expired before anyone approved it.
    DeviceCodeExpired { profile: String },
    /// A code login with no code given and no terminal to ask for one.
    CodeNeedsTerminal,
    /// The authorization code given is empty or malformed.
    MalformedCode,
    /// The authorization code could not be read from stdin.
    CannotReadCode { reason: String },
    /// The browser login's loopback listener failed; `step`: `listen`, `accept` or `other`.
    Loopback { step: &'static str, reason: String },
    /// Nobody completed the browser login in time.
    BrowserTimeout,
    /// The redirect's `state` is not ours: possibly forged.
    StateMismatch,
    /// The redirect says the person declined; `reason` is its `error`, scrubbed.
    Declined { reason: String },
    /// The redirect carried neither a code nor a state.
    NoCodeInRedirect,

    // Rotation.
    /// The lock lapsed before the single-use refresh token was sent.
    LockLost { profile: String },
    /// `token --rejected`: the token reported rejected had just been issued, and so had the
    /// one before it: rotating again would loop (SPEC §11's loop guard).
    RejectedLoop { profile: String },
    /// `--min-ttl` longer than the grant's tokens ever live.
    MinTtlUnmet {
        profile: String,
        min_ttl: String,
        life: String,
    },
    /// The state says Baidu refused the refresh token `since`; `reason` is the stored error
    /// (its record, or an older broker's text).
    NeedsLogin {
        profile: String,
        since: String,
        reason: serde_json::Value,
        hint: Hint,
    },
    /// Not raised on its own: the story of a refresh interrupted before its answer was saved
    /// (the journal mark), told inside other messages and by `doctor`. `command` is set when
    /// `by_command`; `outcome` (an error's record, or an older broker's text) when `ended`.
    RefreshInterrupted {
        started_at: String,
        by_command: bool,
        command: String,
        pid: u32,
        ended: bool,
        outcome: serde_json::Value,
        attempts: u32,
    },

    // Plugins (`grant = "plugin:NAME"`). `plugin` is the program, `broker-plugin-NAME`.
    /// The plugin is not on `PATH`.
    PluginNotFound { plugin: String, profile: String },
    /// The plugin gave no usable answer. `why`: `cannot-run`, `timed-out`, `exited` (`detail`
    /// says how), `too-large`, `garbage`, `version`, `unknown-kind` or `no-usable` (`detail`
    /// names the field).
    PluginFailed {
        plugin: String,
        profile: String,
        why: &'static str,
        detail: String,
    },
    /// The plugin answered an error of kind `refused` (`credentials`, `login` or `network`);
    /// `said` is its text, sanitized, secrets cut out.
    PluginRefused {
        plugin: String,
        profile: String,
        refused: &'static str,
        said: String,
    },
}

/// A Baidu error answer, as facts: its code and description (both sanitized, secrets cut
/// out), whether it had a description, and the HTTP status.
#[derive(Debug, Clone, Serialize)]
pub struct Said {
    pub baidu_code: String,
    pub description: String,
    pub described: bool,
    pub status: u16,
}

impl GrantError {
    pub fn kind(&self) -> Kind {
        use GrantError::*;
        match self {
            NotLoggedIn { .. }
            | AuthorizationRefused { .. }
            | DeviceCodeRefused { .. }
            | AuthorizationDeclined { .. }
            | DeviceLoginNeedsTerminal { .. }
            | DeviceCodeExpired { .. }
            | CodeNeedsTerminal
            | BrowserTimeout
            | Declined { .. }
            | NeedsLogin { .. } => Kind::NeedsPerson,
            SecretKeyRejected { .. }
            | AppKeyUnknown { .. }
            | GrantNotAllowed { .. }
            | AccessKeyRejected { .. }
            | SignatureRejected { .. } => Kind::Credentials,
            RequestExpired { .. }
            | ScopeRefused { .. }
            | RedirectUriRefused { .. }
            | InvalidEndpoint { .. }
            | EndpointWithoutHost { .. }
            | SecretEnvUnset { .. }
            | SecretPlaintext { .. }
            | NoSecret { .. }
            | MalformedCode
            | CannotReadCode { .. }
            | StateMismatch
            | NoCodeInRedirect
            | MinTtlUnmet { .. }
            | PluginNotFound { .. } => Kind::Usage,
            SignatureHeaderRefused { .. }
            | GrantTypeUnsupported { .. }
            | HttpClient { .. }
            | NotRenewable { .. }
            | FetchNeedsLogin
            | Loopback { .. } => Kind::Internal,
            Throttled { .. }
            | RejectedLoop { .. }
            | ServerError { .. }
            | UnexpectedError { .. }
            | OutOfTime { .. }
            | AnswerTooLarge { .. }
            | RequestFailed { .. }
            | ServerStatus { .. }
            | NotAToken { .. }
            | DeviceCodeUnusable { .. }
            | LockLost { .. }
            | RefreshInterrupted { .. }
            | PluginFailed { .. } => Kind::Network,
            PluginRefused { refused, .. } => match *refused {
                "credentials" => Kind::Credentials,
                "login" => Kind::NeedsPerson,
                _ => Kind::Network,
            },
        }
    }
}

#[cfg(test)]
mod tests;
