//! Every environment variable broker reads or writes, named once. Code names these constants,
//! never a string literal, so a rename (or a list of what broker touches, for a sandbox or a
//! translation) is one place. Tests keep the literals: they check the documented names.

// What a profile exports to a shell, `.env`, a sink or `broker exec` (the defaults).

/// The profile whose variables are exported; also read to pick the profile (after `--profile`).
pub const BROKER_PROFILE: &str = "BROKER_PROFILE";
/// The access token of the exported profile.
pub const BAIDU_ACCESS_TOKEN: &str = "BAIDU_ACCESS_TOKEN";
/// The app key of the exported profile.
pub const BAIDU_APP_KEY: &str = "BAIDU_APP_KEY";
/// When the exported token expires (RFC 3339, UTC).
pub const BAIDU_TOKEN_EXPIRES_AT: &str = "BAIDU_TOKEN_EXPIRES_AT";
/// `sts` profiles: the temporary AccessKey, as the BCE SDKs and tools read it.
pub const BCE_ACCESS_KEY_ID: &str = "BCE_ACCESS_KEY_ID";
/// `sts` profiles: the temporary SecretKey (a secret).
pub const BCE_SECRET_ACCESS_KEY: &str = "BCE_SECRET_ACCESS_KEY";
/// `sts` profiles: the session token, sent as `x-bce-security-token`.
pub const BCE_SESSION_TOKEN: &str = "BCE_SESSION_TOKEN";
/// `sts` profiles: when the temporary credentials expire (RFC 3339, UTC).
pub const BCE_TOKEN_EXPIRES_AT: &str = "BCE_TOKEN_EXPIRES_AT";
/// The prefix of every Baidu variable, all removed from what `broker exec` passes on.
pub const BAIDU_PREFIX: &str = "BAIDU_";

// Shell bookkeeping.

/// The names the last export set, so the next switch can clear them.
pub const BROKER_EXPORTED: &str = "BROKER_EXPORTED";
/// Which state file (and generation) the exported token came from, for the prompt hook.
pub const BROKER_STAMP: &str = "BROKER_STAMP";
/// Set by `broker exec` for its command; a nested `broker exec` refuses to run under it.
pub const BROKER_EXEC: &str = "BROKER_EXEC";
/// Set by the `shell-init` wrapper on `broker use`: print this shell's assignments on stdout.
pub const BROKER_SHELL: &str = "BROKER_SHELL";
/// Set by the completion scripts of `broker completions SHELL`: answer a completion request.
pub const BROKER_COMPLETE: &str = "BROKER_COMPLETE";

// Where broker's files are and how it behaves.

/// The config file (as `--config`).
pub const BROKER_CONFIG: &str = "BROKER_CONFIG";
/// The state folder (default `$XDG_STATE_HOME/broker`).
pub const BROKER_STATE_DIR: &str = "BROKER_STATE_DIR";
/// Overrides `[settings] timeout`.
pub const BROKER_TIMEOUT: &str = "BROKER_TIMEOUT";
/// Overrides `[settings] refresh_before`.
pub const BROKER_REFRESH_BEFORE: &str = "BROKER_REFRESH_BEFORE";
/// The language of what broker says to a person (`zh`, `en`), before `LC_ALL`, `LC_MESSAGES`
/// and `LANG`.
pub const BROKER_LANG: &str = "BROKER_LANG";
/// The Redis URL of `[store] backend = "redis"`; overrides `[store] url` (keep a password here
/// rather than in the config file).
pub const BROKER_REDIS_URL: &str = "BROKER_REDIS_URL";
/// The prefix of every broker variable (settings overrides, bookkeeping, hook facts).
pub const BROKER_PREFIX: &str = "BROKER_";
/// Test builds only (`failpoints` feature): the failure point to trigger.
pub const BROKER_FAILPOINT: &str = "BROKER_FAILPOINT";

// The age identity that unlocks the secret store.

/// The identity text itself (`AGE-SECRET-KEY-1…`).
pub const BROKER_AGE_KEY: &str = "BROKER_AGE_KEY";
/// An identity file.
pub const BROKER_AGE_KEY_FILE: &str = "BROKER_AGE_KEY_FILE";
/// A shell command that prints the identity.
pub const BROKER_AGE_KEY_CMD: &str = "BROKER_AGE_KEY_CMD";
/// The time limit of `BROKER_AGE_KEY_CMD` (a duration).
pub const BROKER_AGE_KEY_CMD_TIMEOUT: &str = "BROKER_AGE_KEY_CMD_TIMEOUT";
/// The agent's socket (`broker agent`, and the clients looking for it).
pub const BROKER_AGENT_SOCK: &str = "BROKER_AGENT_SOCK";
/// The passphrase of a passphrase-protected identity file.
pub const BROKER_AGE_PASSPHRASE: &str = "BROKER_AGE_PASSPHRASE";

// The facts of an event, set for each hook.

/// The event (`rotated`, `refresh_failed`, …).
pub const BROKER_EVENT: &str = "BROKER_EVENT";
/// The profile's grant.
pub const BROKER_GRANT: &str = "BROKER_GRANT";
/// The profile's app key.
pub const BROKER_APP_KEY: &str = "BROKER_APP_KEY";
/// The new access token (absent when there is none).
pub const BROKER_ACCESS_TOKEN: &str = "BROKER_ACCESS_TOKEN";
/// When the new token expires.
pub const BROKER_EXPIRES_AT: &str = "BROKER_EXPIRES_AT";
/// The generation of the state a rotation saved (for `broker watch`'s command).
pub const BROKER_GENERATION: &str = "BROKER_GENERATION";
/// When the token it replaced expired.
pub const BROKER_PREVIOUS_EXPIRES_AT: &str = "BROKER_PREVIOUS_EXPIRES_AT";
/// The token's scope.
pub const BROKER_SCOPE: &str = "BROKER_SCOPE";
/// The hook's name.
pub const BROKER_HOOK: &str = "BROKER_HOOK";
/// Why a refresh failed.
pub const BROKER_ERROR: &str = "BROKER_ERROR";
/// The profiles (comma-separated) whose hooks run around this process, against self-firing.
pub const BROKER_HOOK_PROFILES: &str = "BROKER_HOOK_PROFILES";

// The system's.

/// The user's home, the base of the XDG defaults.
pub const HOME: &str = "HOME";
/// Where the config lives (default `~/.config`).
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
/// Where the state lives (default `~/.local/state`).
pub const XDG_STATE_HOME: &str = "XDG_STATE_HOME";
/// The user's runtime folder (systemd, pam): where the agent's socket lives by default.
pub const XDG_RUNTIME_DIR: &str = "XDG_RUNTIME_DIR";
/// Set (not `false`/`0`) on CI: never prompt.
pub const CI: &str = "CI";
/// GitHub Actions: the file `broker env --format github` appends to.
pub const GITHUB_ENV: &str = "GITHUB_ENV";
/// Non-empty: no colour.
pub const NO_COLOR: &str = "NO_COLOR";
/// `dumb`: no colour.
pub const TERM: &str = "TERM";
/// The terminal's width.
pub const COLUMNS: &str = "COLUMNS";
/// The user's shell, which `broker exec` runs when no command is given.
pub const SHELL: &str = "SHELL";
/// The browser the netdisk login opens.
pub const BROWSER: &str = "BROWSER";
/// Passed on to the commands `broker demo` runs.
pub const PATH: &str = "PATH";
