//! One module per subcommand, and the [`Context`] they share: resolved paths, the config,
//! the vault and the state store, each built only when a command asks for it.

pub(crate) mod completions;
mod current;
mod demo;
mod doctor;
mod emulator;
mod env;
mod exec;
mod hooks;
mod init;
mod login;
mod logout;
mod man;
mod profile;
mod refresh;
mod secret;
mod shell_init;
mod status;
mod token;
mod use_;

use crate::cli::{Cli, Command, Global};
use crate::config::{Config, FlagSettings, Paths, Plaintext};
use crate::error::{Error, Result};
use crate::profile::{ProfileName, Source};
use crate::store::identity::IdentitySource;
use crate::store::{FileStore, Vault};

pub fn run(cli: Cli) -> Result<()> {
    let ctx = Context::new(cli.global)?;
    match cli.command {
        Command::Init(args) => init::run(&ctx, args),
        Command::Profile(cmd) => profile::run(&ctx, cmd),
        Command::Secret(cmd) => secret::run(&ctx, cmd),
        Command::Use(args) => use_::run(&ctx, args),
        Command::Current(args) => current::run(&ctx, args),
        Command::Env(args) => env::run(&ctx, args),
        Command::Exec(args) => exec::run(&ctx, args),
        Command::ShellInit(args) => shell_init::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
        Command::Emulator(args) => emulator::run(args),
        Command::Login(args) => login::run(&ctx, args),
        Command::Token(args) => token::run(&ctx, args),
        Command::Refresh(args) => refresh::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Doctor(args) => doctor::run(&ctx, args),
        Command::Logout(args) => logout::run(&ctx, args),
        Command::Hooks(cmd) => hooks::run(&ctx, cmd),
        Command::Demo => demo::run(),
    }
}

/// What every command may need, resolved once from flags and the environment.
pub struct Context {
    pub global: Global,
    pub paths: Paths,
}

impl Context {
    fn new(global: Global) -> Result<Self> {
        let paths = Paths::resolve(global.config.clone())?;
        Ok(Context { global, paths })
    }

    fn flags(&self) -> FlagSettings {
        FlagSettings {
            timeout: self.global.timeout,
        }
    }

    /// The validated config; a plaintext secret is refused.
    pub fn config(&self) -> Result<Config> {
        Config::load(self.paths.clone(), &self.flags(), Plaintext::Refuse)
    }

    /// The config, accepting plaintext secrets (only `secret encrypt` needs this).
    pub fn config_allowing_plaintext(&self) -> Result<Config> {
        Config::load(self.paths.clone(), &self.flags(), Plaintext::Allow)
    }

    /// Where the identity comes from (SPEC §5 order); loaded lazily by the vault.
    pub fn identity_source(&self, cfg: &Config) -> IdentitySource {
        IdentitySource::from_env(cfg.identity.clone(), self.paths.default_identity.clone())
    }

    pub fn vault(&self, cfg: &Config) -> Vault {
        Vault::new(cfg.recipients.clone(), self.identity_source(cfg))
    }

    pub fn store(&self, cfg: &Config) -> FileStore {
        FileStore::new(self.paths.state_dir.clone(), self.vault(cfg))
    }

    /// The profile in force and the SPEC §4 rule that chose it.
    pub fn select(&self, cfg: &Config, positional: Option<&str>) -> Result<(ProfileName, Source)> {
        let (name, source) = match (positional, self.global.profile.as_deref()) {
            (Some(a), Some(b)) if a != b => {
                return Err(Error::usage(format!(
                    "two profiles given: `{a}` and `--profile {b}`"
                )));
            }
            (Some(n), _) | (None, Some(n)) => (ProfileName::parse(n)?, Source::Argument),
            (None, None) => match crate::profile::from_environment()? {
                Some(n) => (n, Source::Environment),
                None => match crate::profile::read_use_default(&self.paths.state_dir)? {
                    Some(n) => (n, Source::UseDefault),
                    None => match &cfg.default_profile {
                        Some(n) => (n.clone(), Source::ConfigDefault),
                        None => {
                            return Err(Error::usage("no profile chosen")
                                .with_hint(crate::config::profile_list_hint(&cfg.profiles)));
                        }
                    },
                },
            },
        };
        cfg.profile(&name)?;
        Ok((name, source))
    }
}
