//! The command-line interface: clap types only, no logic. Help, completions and the man
//! page all come from these definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::duration::Humane;
use crate::grant::GrantKind;

/// Completes a profile name with the names in the config (see `commands::completions`).
fn profile_names() -> clap_complete::ArgValueCandidates {
    clap_complete::ArgValueCandidates::new(crate::commands::completions::profile_candidates)
}

#[derive(Debug, Parser)]
#[command(
    name = "broker",
    version,
    about = "A credential broker for Baidu apps: profiles, age-encrypted secrets, tokens rotated single-flight",
    after_help = "Exit codes: 0 ok, 1 internal, 2 usage/config, 3 a person must act, 4 credentials rejected, \
                  5 Baidu unreachable, 6 secret store, 7 a hook failed after a rotation."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    /// The profile to use (otherwise BROKER_PROFILE, `broker use`, default_profile); also
    /// accepted after the command
    #[arg(
        long = "profile",
        short = 'p',
        value_name = "NAME",
        id = "top_profile",
        add = profile_names()
    )]
    pub profile: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The config file [default: $XDG_CONFIG_HOME/broker/profiles.toml]
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        env = crate::env_vars::BROKER_CONFIG,
        hide_env = true
    )]
    pub config: Option<PathBuf>,
    /// The profile given with `--profile`, before or after the command: not a clap argument
    /// here (it is not global, so that help lists it only where it applies); filled in by
    /// [`crate::commands::run`] once both places are reconciled.
    #[arg(skip)]
    pub profile: Option<String>,
    /// Say more on stderr (repeatable); secrets are always redacted
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Say nothing on stderr but errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// How long a command may spend talking to Baidu, retries included [default: 30s]
    #[arg(long, global = true, value_name = "DUR")]
    pub timeout: Option<Humane>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the age identity and a config whose recipients include it
    Init(InitArgs),
    /// Add, list, inspect and remove profiles
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Replace, encrypt and re-encrypt SecretKeys
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Make a profile the default; with the shell integration, also switch this shell to it
    Use(UseArgs),
    /// Print the profile in force
    Current(CurrentArgs),
    /// Print a profile's variables, quoted for a shell, a .env file, JSON or GitHub Actions
    Env(EnvArgs),
    /// Run a command (or your shell) with a profile's variables set; its exit code and signals pass through
    Exec(ExecArgs),
    /// Print the shell integration: `eval "$(broker shell-init bash)"`
    ShellInit(ShellInitArgs),
    /// Print shell completions
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a folder
    #[command(hide = true)]
    Man(ManArgs),
    /// Authorize a netdisk app (device code, pasted code, or browser); fetch a token for other grants
    Login(LoginArgs),
    /// Print a valid access token, rotating it first when due
    Token(TokenArgs),
    /// Rotate now (when due, or always with --force)
    Refresh(RefreshArgs),
    /// Show profiles, token expiry and rotation state
    Status(StatusArgs),
    /// Check the config, identity, file modes, each profile's secret and state, the clock and
    /// the endpoints, and say what to fix (exit 0 when nothing fails)
    Doctor(DoctorArgs),
    /// Forget the stored tokens of a profile (its SecretKey stays)
    Logout(ProfileArg),
    /// Try a profile's hooks without touching Baidu, or re-run them for the current token
    #[command(subcommand)]
    Hooks(HooksCommand),
    /// Move a profile's state between machines or stores: an encrypted bundle out, then in
    #[command(subcommand)]
    State(StateCommand),
    /// Run a command on each rotation another machine of a Redis fleet announces
    Watch(WatchArgs),
    /// Serve tokens over a local socket, rotating every profile ahead of time (foreground);
    /// `agent status`, `agent stop`
    Agent(AgentArgs),
    // The two commands of the `emulator` feature (default): a build without it does not offer
    // them, so `broker emulator` there is an unknown command (exit 2) like any other.
    /// Serve a local Baidu-compatible OAuth emulator
    #[cfg(feature = "emulator")]
    Emulator(EmulatorArgs),
    /// Tour broker offline, in a temporary home, against the emulator
    #[cfg(feature = "emulator")]
    Demo(DemoArgs),
    /// Render a template, replacing each `{{ broker://PROFILE/FIELD }}` with that value
    Inject(InjectArgs),
    /// Run a command with each `broker://PROFILE/FIELD` variable replaced by that value; its
    /// exit code and signals pass through
    Run(RunArgs),
}

#[derive(Debug, Args)]
pub struct AgentArgs {
    /// The socket [default: BROKER_AGENT_SOCK, else $XDG_RUNTIME_DIR/broker/agent.sock, else
    /// agent.sock in the state folder]
    #[arg(long, global = true, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    #[command(subcommand)]
    pub action: Option<AgentAction>,
}

#[derive(Debug, Subcommand)]
pub enum AgentAction {
    /// Show each profile's next rotation, last rotation and last error
    Status {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// End the agent
    Stop,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the temporary home afterwards, to look at its files
    #[arg(long)]
    pub keep: bool,
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// Print an age-encrypted bundle of the profiles' state; unless --keep, this store then
    /// serves the exported token until it is due and never rotates it again (handed off)
    Export(StateExportArgs),
    /// Install a bundle (on stdin) into the configured store; an older one than the state
    /// already there is refused unless --force
    Import(StateImportArgs),
}

#[derive(Debug, Args)]
pub struct StateExportArgs {
    /// The profile (otherwise the one in force)
    #[arg(value_name = "PROFILE", conflicts_with = "all", add = profile_names())]
    pub profile: Option<String>,
    /// Every profile that has a state
    #[arg(long)]
    pub all: bool,
    /// Encrypt to this age recipient (repeatable; default: the store's recipients)
    #[arg(long = "recipient", short = 'r', value_name = "R")]
    pub recipients: Vec<String>,
    /// Keep rotating here too (the lineage then lives in two places: only for a backup)
    #[arg(long)]
    pub keep: bool,
    #[command(flatten)]
    pub opt: ProfileOpt,
}

#[derive(Debug, Args)]
pub struct StateImportArgs {
    /// Install even a bundle older than the state already there
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The profile to watch (otherwise every profile)
    #[arg(value_name = "PROFILE", add = profile_names())]
    pub profile: Option<String>,
    /// The command and its arguments, after `--`: run once per rotation, with the event's
    /// BROKER_PROFILE, BROKER_GENERATION and BROKER_EXPIRES_AT set (no token)
    #[arg(last = true, value_name = "CMD", required = true)]
    pub command: Vec<std::ffi::OsString>,
    #[command(flatten)]
    pub opt: ProfileOpt,
}

#[derive(Debug, Subcommand)]
pub enum HooksCommand {
    /// Fire every hook of the profile (global and its own, whatever their `on`) with
    /// BROKER_EVENT=test; Baidu is not asked and no sink is written
    Test(ProfileArg),
    /// Write the sinks and re-run the rotate hooks for the token stored now (no rotation)
    Run(ProfileArg),
}

/// `--profile` after a command that acts on the profile in force.
#[derive(Debug, Args)]
pub struct ProfileOpt {
    /// The profile to use (otherwise BROKER_PROFILE, `broker use`, default_profile)
    #[arg(
        long = "profile",
        short = 'p',
        value_name = "NAME",
        id = "profile_opt",
        display_order = 0,
        add = profile_names()
    )]
    pub profile: Option<String>,
}

/// `--profile` after a command whose positional names the profile: accepted (and checked
/// against the positional) but not listed, since the positional is the way to name it.
#[derive(Debug, Args)]
pub struct HiddenProfileOpt {
    #[arg(
        long = "profile",
        short = 'p',
        value_name = "NAME",
        id = "profile_opt",
        hide = true,
        add = profile_names()
    )]
    pub profile: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Protect the new identity with a passphrase (from BROKER_AGE_PASSPHRASE or a prompt)
    #[arg(long)]
    pub passphrase: bool,
    /// Go on although secrets or tokens exist that this identity cannot read (the identity
    /// they were encrypted to is lost; each profile then needs `secret set` and `login`)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ProfileArg {
    /// The profile (otherwise the one in force)
    #[arg(value_name = "PROFILE", add = profile_names())]
    pub profile: Option<String>,
    #[command(flatten)]
    pub opt: ProfileOpt,
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Add a profile; the SecretKey is read from stdin or a hidden prompt, never from argv
    Add(ProfileAddArgs),
    /// List the profiles
    List(ListArgs),
    /// Show a profile (never a secret)
    Show(ShowArgs),
    /// Remove a profile and its stored tokens (on a terminal, after asking)
    Remove(RemoveArgs),
}

#[derive(Debug, Args)]
pub struct ProfileAddArgs {
    pub name: String,
    #[arg(long, value_enum)]
    pub grant: GrantKind,
    /// AppKey / API Key / client_id (for bce and sts: the AccessKey; for api-key: an optional label)
    #[arg(long, value_name = "KEY")]
    pub app_key: Option<String>,
    /// OAuth scope (netdisk default: basic,netdisk)
    #[arg(long)]
    pub scope: Option<String>,
    /// Base URL replacing Baidu's (https, or http for loopback hosts)
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Read the SecretKey from this environment variable at run time instead of storing it
    #[arg(long, value_name = "VAR")]
    pub secret_key_env: Option<String>,
    /// A line saying what the profile is for
    #[arg(long)]
    pub description: Option<String>,
}

#[derive(Debug, Args)]
pub struct NameArg {
    /// The profile
    #[arg(add = profile_names())]
    pub name: String,
    #[command(flatten)]
    pub opt: HiddenProfileOpt,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The profile
    #[arg(add = profile_names())]
    pub name: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub opt: HiddenProfileOpt,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The profile
    #[arg(add = profile_names())]
    pub name: String,
    /// Do not ask for confirmation (without a terminal, nobody is asked anyway)
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub opt: HiddenProfileOpt,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub opt: ProfileOpt,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Replace a profile's SecretKey (read from stdin or a hidden prompt)
    Set(NameArg),
    /// Encrypt every plaintext secret_key in the config, in place
    Encrypt,
    /// Re-encrypt every secret and state file to the current recipients
    Rekey,
}

#[derive(Debug, Args)]
pub struct UseArgs {
    /// The profile (on a terminal, without it: pick one from a list)
    #[arg(add = profile_names())]
    pub name: Option<String>,
    #[command(flatten)]
    pub opt: HiddenProfileOpt,
    /// Switch only the current shell; keep the default (needs the shell integration)
    #[arg(long)]
    pub shell: bool,
}

#[derive(Debug, Args)]
pub struct CurrentArgs {
    /// Also say which rule chose the profile, and whether this environment's token is current
    #[arg(long)]
    pub explain: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub opt: ProfileOpt,
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// The profile (otherwise the one in force)
    #[arg(value_name = "PROFILE", add = profile_names())]
    pub profile: Option<String>,
    /// How to print the variables
    #[arg(long, value_enum, default_value = "sh")]
    pub format: crate::export::Format,
    /// Same as `--format json`
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Print commands that clear what a previous export set (the names in BROKER_EXPORTED,
    /// the defaults, and PROFILE's own when one is given)
    #[arg(long)]
    pub unset: bool,
    /// For the prompt hook: print nothing unless the state file of BROKER_PROFILE changed
    /// since BROKER_STAMP; never rotates, never asks Baidu
    #[arg(long, hide = true, conflicts_with = "unset")]
    pub if_changed: bool,
    #[command(flatten)]
    pub opt: ProfileOpt,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The profile (otherwise the one in force)
    #[arg(value_name = "PROFILE", add = profile_names())]
    pub profile: Option<String>,
    /// Run even inside another `broker exec`
    #[arg(long)]
    pub force: bool,
    /// The command and its arguments, after `--` (none: start `$SHELL`, else /bin/sh)
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
    #[command(flatten)]
    pub opt: ProfileOpt,
}

#[derive(Debug, Args)]
pub struct ShellInitArgs {
    #[arg(value_enum)]
    pub shell: crate::shell::Shell,
    /// `prompt`: re-export on each prompt when another process rotated the token (one stat,
    /// no decryption); `none`: only `broker use` changes the shell
    #[arg(long, value_enum, default_value = "prompt")]
    pub hook: PromptHook,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PromptHook {
    None,
    Prompt,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write broker.1 and one page per subcommand into this folder instead of stdout
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The profile (otherwise the one in force)
    #[arg(value_name = "PROFILE", add = profile_names())]
    pub profile: Option<String>,
    /// Device code flow (the default for netdisk)
    #[arg(long, conflicts_with_all = ["code", "browser"])]
    pub device: bool,
    /// Exchange a code from the `redirect_uri=oob` page (without a value: print the URL and prompt)
    #[arg(long, value_name = "CODE", num_args = 0..=1, default_missing_value = "")]
    pub code: Option<String>,
    /// Open a browser, with a one-shot loopback listener as the redirect URI
    #[arg(long, conflicts_with = "code")]
    pub browser: bool,
    /// Do not draw a QR code
    #[arg(long)]
    pub no_qr: bool,
    /// Import a token obtained elsewhere instead of authorizing: a JSON object on stdin with
    /// `access_token`, `expires_in` or `expires_at`, and for netdisk `refresh_token`
    #[arg(long, conflicts_with_all = ["device", "code", "browser"])]
    pub with_token: bool,
    #[command(flatten)]
    pub opt: ProfileOpt,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The profile (otherwise the one in force)
    #[arg(value_name = "PROFILE", add = profile_names())]
    pub profile: Option<String>,
    /// Rotate first when less than this is left (default: the profile's refresh_before)
    #[arg(long, value_name = "DUR")]
    pub min_ttl: Option<Humane>,
    /// Print the token with its expiry as JSON
    #[arg(long)]
    pub json: bool,
    /// Report that Baidu refused a token (read from stdin, else BAIDU_ACCESS_TOKEN, else the
    /// current one) and print a good one: rotated at most once per token
    #[arg(long, conflicts_with = "min_ttl")]
    pub rejected: bool,
    #[command(flatten)]
    pub opt: ProfileOpt,
}

#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// The profile (otherwise the one in force)
    #[arg(value_name = "PROFILE", conflicts_with = "all", add = profile_names())]
    pub profile: Option<String>,
    /// Every profile (concurrently, bounded)
    #[arg(long)]
    pub all: bool,
    /// Rotate even when not due
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub opt: ProfileOpt,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The profile (otherwise the one in force)
    #[arg(value_name = "PROFILE", add = profile_names())]
    pub profile: Option<String>,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub opt: ProfileOpt,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print the checks as a JSON array of {check, profile, status, detail, fix}
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub opt: ProfileOpt,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
}

#[derive(Debug, Args)]
pub struct InjectArgs {
    /// The template [default: stdin]
    #[arg(short = 'i', long = "in-file", value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Where to write the result, atomically with mode 0600 [default: stdout]
    #[arg(short = 'o', long = "out-file", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Keep running: render the file again after each rotation of a profile it names (by this
    /// process when due, or by any other)
    #[arg(long, requires = "output")]
    pub watch: bool,
    /// With --watch: run this shell command (`sh -c`) after each render that changed the file
    #[arg(long, value_name = "CMD", requires = "watch")]
    pub exec: Option<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}
