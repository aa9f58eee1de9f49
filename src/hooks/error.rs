//! Hook errors (exit 7): the token was rotated and saved, but a hook or sink failed.

use serde::Serialize;

use crate::error::Kind;

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum HookError {
    /// `failed` of the `total` hooks (and sinks, if `sinks`) of a profile failed; `when`: `rerun`,
    /// `rotate`, `login`, `refresh-failed` or `test`. Each failure was reported as it happened.
    Failed {
        profile: String,
        failed: usize,
        total: usize,
        sinks: bool,
        when: &'static str,
    },
    /// Inside a hook of `profile`, a command would `doing` (`rotate`, `log-in`, `run-hooks`)
    /// that same profile: the hook would run again, without end.
    Nested {
        profile: String,
        doing: &'static str,
    },
    /// `hooks run` for a profile with no stored token.
    NoStoredToken { profile: String },
    /// A sink was asked to write with no token in the facts (a bug).
    SinkWithoutToken,
    /// Not raised: how a hook's (or a sink's) last run ended, as the state keeps it and
    /// `status` shows it (`exit 3`, `killed by SIGTERM`, `timed out after 30s`, `written`).
    Ran {
        #[serde(flatten)]
        run: HookRun,
    },
}

/// How a hook or sink run ended: the facts of [`HookError::Ran`].
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "run", rename_all = "kebab-case")]
pub enum HookRun {
    /// The hook exited with `exit_code` (0 is success).
    Exit { exit_code: i32 },
    /// Killed by a signal broker knows the name of (`SIGTERM`).
    Killed { signal: String },
    /// Killed by signal `number`.
    KilledByNumber { number: i32 },
    /// Ended with neither a code nor a signal.
    Ended,
    /// Ended by broker at its timeout, `after` (`30s`).
    TimedOut { after: String },
    /// Waiting for it failed.
    CannotWait { reason: String },
    /// Not started: its `cwd` does not exist.
    NoFolder { folder: String },
    /// Not started: an empty argv.
    EmptyCommand,
    /// Not started: an `env` key that is not a variable name.
    BadEnvName { name: String },
    /// Not started: `program` was not found.
    NotFound { program: String },
    /// Not started: `program` is not executable.
    NotExecutable { program: String },
    /// Not started for another reason.
    CannotRun { program: String, reason: String },
    /// A sink wrote its file.
    Written,
    /// A sink failed with `error` (its record).
    SinkFailed { error: Box<crate::error::Error> },
}

impl HookError {
    pub fn kind(&self) -> Kind {
        match self {
            HookError::Failed { .. } | HookError::Ran { .. } => Kind::Hook,
            HookError::Nested { .. } => Kind::Usage,
            HookError::NoStoredToken { .. } => Kind::NeedsPerson,
            HookError::SinkWithoutToken => Kind::Internal,
        }
    }
}
