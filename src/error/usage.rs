//! Usage errors (exit 2): what the command line asked for cannot be done as asked — a bad
//! name, flags that conflict, an argument that does not parse. The commands' own summaries
//! (`refresh --all`, `status`, `doctor`) are here too: their exit code is that of the worst
//! problem they sum up, so a few variants say another [`Kind`].

use serde::Serialize;

use super::{Hint, Kind};

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum UsageError {
    /// clap refused the command line and said why already.
    BadArguments,
    /// An exported value holds a NUL byte.
    NulInValue { name: String },
    /// A value dotenv readers cannot read back as it is.
    DotenvUnquotable { name: String },
    /// `--unset` with a format that has no unset.
    UnsetMeaningless { format: String },
    /// `BROKER_SHELL` names no shell broker knows.
    UnknownShell { var: String, value: String },
    /// A profile name that breaks the naming rule (it is joined to paths).
    InvalidProfileName { name: String },

    // The commands (src/commands).
    /// `broker completions SHELL` for a shell clap_complete does not know.
    NoCompletions { shell: String },
    /// The global `--profile` given to a command that acts on no profile.
    ProfileNotApplicable { command: &'static str },
    /// Two different profiles given: `first` by a positional (`first_is_flag` false) or by
    /// a `--profile` before the command, `second` by the `--profile` after it.
    TwoProfiles {
        first: String,
        second: String,
        first_is_flag: bool,
    },
    /// No positional, no `BROKER_PROFILE`, no `broker use` default and no `default_profile`.
    NoProfileChosen { hint: Hint },
    /// `env --if-changed` with a format that is not a shell's.
    IfChangedNeedsShell,
    /// `env --format github` outside GitHub Actions (`GITHUB_ENV` unset).
    GithubEnvNotSet,
    /// `exec` inside a `broker exec` of `profile`, without `--force`.
    NestedExec { profile: String },
    /// `broker agent`: another agent already answers on the socket `path`.
    AgentAlreadyRunning { path: String },
    /// `broker agent status|stop`: no agent answers on the socket `path`.
    AgentNotRunning { path: String },
    /// The passphrase prompt of `init --passphrase` failed.
    CannotReadPassphrase { reason: String },
    /// The two passphrases typed for a new identity differ.
    PassphrasesDiffer,
    /// `login --device/--code/--browser` for a profile whose grant (`grant`) has no login;
    /// `grants` are those that do.
    LoginFlagsNotApplicable {
        profile: String,
        grant: String,
        grants: String,
    },
    /// `login --with-token` with stdin a terminal.
    TokenFromTerminal,
    /// `login --with-token`: stdin could not be read.
    CannotReadToken { reason: String },
    /// `login --with-token`: the JSON on stdin is not a usable token. `problem`: `not-json`,
    /// `unusable-access-token`, `no-access-token`, `unusable-refresh-token`, or
    /// `no-refresh-token` (a `grant` that rotates needs one).
    BadImportedToken {
        problem: &'static str,
        grant: String,
    },
    /// `profile add --app-key ''`.
    AppKeyEmpty,
    /// `profile add` without `--app-key`, for a grant that needs one.
    AppKeyMissing { grant: String },
    /// `profile add --secret-key-env VAR` with VAR not a variable name (sanitized).
    NotAVariableName { var: String },
    /// `profile add --scope` for a grant without scopes; `flags` are the `--grant`s with one.
    ScopeNotApplicable { flags: String },
    /// `profile remove` not confirmed at the prompt.
    NotConfirmed { profile: String },
    /// `refresh --all --profile NAME`.
    AllAndProfile,
    /// `refresh --all`: some profiles failed; exit code of the first failure (`kind`).
    SomeNotRefreshed {
        #[serde(skip)]
        kind: Kind,
    },
    /// `status`: `count` profiles need someone to act; `problems` lists them (`` `name`
    /// (what) ``); the worst (`worst`: `unreadable`, `rejected`, `login` or `hook`) is that
    /// of `profile`, and gives the exit code and the hint.
    NeedsAttention {
        problems: Vec<String>,
        count: usize,
        profile: String,
        worst: &'static str,
    },
    /// `use --shell` without the shell integration loaded.
    ShellIntegrationNotLoaded,
    /// `broker use` with no name, and the config has no profiles.
    UseWithoutProfiles { hint: Hint },
    /// `broker use` with no name and no terminal to pick on. `names`, `count`, `grants`: the
    /// profiles, as [`Hint::Profiles`] says them.
    UseNeedsName {
        names: Vec<String>,
        count: usize,
        grants: String,
    },
    /// `broker use` menu: an empty answer.
    NothingPicked,
    /// `broker use` menu: a number not in 1..=count.
    NotInList { answer: String, count: usize },
    /// `broker doctor`: `failed` of `total` checks failed (`checks` names them); exit code of
    /// the first (`kind`).
    ChecksFailed {
        failed: usize,
        total: usize,
        checks: Vec<String>,
        #[serde(skip)]
        kind: Kind,
    },
    /// The emulator (its own crate, with its own English) refused: its message and hint.
    /// Exit 1 if `internal`, else 2.
    Emulator {
        message: String,
        hint: Option<String>,
        internal: bool,
    },
    /// `broker inject`/`broker run`: a `broker://` reference that is not `PROFILE/FIELD` with a
    /// known field, or a `{{ broker://… ` marker never closed.
    BadReference { reference: String },
    /// `broker inject`/`broker run`: a field the profile's grant does not have.
    FieldNotOfGrant {
        profile: String,
        field: &'static str,
        grant: &'static str,
    },
}

impl UsageError {
    pub fn kind(&self) -> Kind {
        match self {
            UsageError::SomeNotRefreshed { kind } | UsageError::ChecksFailed { kind, .. } => *kind,
            UsageError::NeedsAttention { worst, .. } => match *worst {
                "unreadable" => Kind::Store,
                "rejected" => Kind::Credentials,
                "login" => Kind::NeedsPerson,
                _ => Kind::Hook,
            },
            UsageError::Emulator { internal: true, .. } => Kind::Internal,
            _ => Kind::Usage,
        }
    }
}

#[cfg(test)]
mod tests;
