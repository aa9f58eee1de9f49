//! One module per subcommand, and the [`Context`] they share: resolved paths, the config,
//! the vault and the state store, each built only when a command asks for it.

mod agent;
pub(crate) mod completions;
mod current;
#[cfg(feature = "emulator")]
mod demo;
mod doctor;
#[cfg(feature = "emulator")]
mod emulator;
pub(crate) mod env;
mod exec;
mod hooks;
mod init;
mod inject;
mod login;
mod logout;
pub(crate) mod man;
mod profile;
mod refresh;
mod run;
mod secret;
mod shell_init;
mod state;
mod status;
mod token;
mod use_;
mod watch;

use crate::cli::{Cli, Command, Global, HooksCommand, ProfileCommand, SecretCommand, StateCommand};
use crate::config::{Config, FlagSettings, Paths, Plaintext};
use crate::error::{ConfigError, Hint, Note, Problem, Result, UsageError};
use crate::profile::{ProfileName, Source};
use crate::service::TokenService;
use crate::store::identity::IdentitySource;
use crate::store::{SealedStore, Vault};

pub fn run(mut cli: Cli) -> Result<()> {
    cli.global.profile = profile_flag(cli.profile.take(), &cli.command)?;
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
        #[cfg(feature = "emulator")]
        Command::Emulator(args) => emulator::run(args),
        Command::Login(args) => login::run(&ctx, args),
        Command::Token(args) => token::run(&ctx, args),
        Command::Refresh(args) => refresh::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Doctor(args) => doctor::run(&ctx, args),
        Command::Logout(args) => logout::run(&ctx, args),
        Command::Hooks(cmd) => hooks::run(&ctx, cmd),
        Command::State(cmd) => state::run(&ctx, cmd),
        Command::Watch(args) => watch::run(&ctx, args),
        Command::Agent(args) => agent::run(&ctx, args),
        #[cfg(feature = "emulator")]
        Command::Demo(args) => demo::run(args.keep),
        Command::Inject(args) => inject::run(&ctx, args),
        Command::Run(args) => run::run(&ctx, args),
    }
}

/// `--profile` given before the command and after it, reconciled: one name, or exit 2 when
/// they differ or when the command acts on no profile (so a stray `-p` is never ignored).
fn profile_flag(before: Option<String>, command: &Command) -> Result<Option<String>> {
    let after = match command {
        Command::Current(a) => Ok(&a.opt.profile),
        Command::Env(a) => Ok(&a.opt.profile),
        Command::Exec(a) => Ok(&a.opt.profile),
        Command::Login(a) => Ok(&a.opt.profile),
        Command::Token(a) => Ok(&a.opt.profile),
        Command::Refresh(a) => Ok(&a.opt.profile),
        Command::Status(a) => Ok(&a.opt.profile),
        Command::Doctor(a) => Ok(&a.opt.profile),
        Command::Logout(a) => Ok(&a.opt.profile),
        Command::Hooks(HooksCommand::Test(a) | HooksCommand::Run(a)) => Ok(&a.opt.profile),
        Command::Use(a) => Ok(&a.opt.profile),
        Command::State(StateCommand::Export(a)) => Ok(&a.opt.profile),
        Command::State(StateCommand::Import(_)) => Err("state import"),
        Command::Watch(a) => Ok(&a.opt.profile),
        Command::Profile(ProfileCommand::List(a)) => Ok(&a.opt.profile),
        Command::Profile(ProfileCommand::Show(a)) => Ok(&a.opt.profile),
        Command::Profile(ProfileCommand::Remove(a)) => Ok(&a.opt.profile),
        Command::Secret(SecretCommand::Set(a)) => Ok(&a.opt.profile),
        Command::Agent(_) => Err("agent"),
        Command::Init(_) => Err("init"),
        Command::Profile(ProfileCommand::Add(_)) => Err("profile add"),
        Command::Secret(SecretCommand::Encrypt) => Err("secret encrypt"),
        Command::Secret(SecretCommand::Rekey) => Err("secret rekey"),
        Command::ShellInit(_) => Err("shell-init"),
        Command::Completions(_) => Err("completions"),
        Command::Man(_) => Err("man"),
        #[cfg(feature = "emulator")]
        Command::Emulator(_) => Err("emulator"),
        #[cfg(feature = "emulator")]
        Command::Demo(_) => Err("demo"),
        Command::Inject(_) => Err("inject"),
        Command::Run(_) => Err("run"),
    };
    match (before, after) {
        (Some(_), Err(command)) => Err(UsageError::ProfileNotApplicable { command }.into()),
        (None, Err(_)) => Ok(None),
        (Some(a), Ok(Some(b))) if a != *b => Err(UsageError::TwoProfiles {
            first: a,
            second: b.clone(),
            first_is_flag: true,
        }
        .into()),
        (before, Ok(after)) => Ok(before.or_else(|| after.clone())),
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

    pub(crate) fn flags(&self) -> FlagSettings {
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

    /// The state store every command goes through.
    pub fn store(&self, cfg: &Config) -> SealedStore {
        cfg.open_store(self.vault(cfg))
    }

    /// The token service over `store`, telling the person on stderr.
    pub fn service<'a>(&self, cfg: &'a Config, store: &'a SealedStore) -> TokenService<'a> {
        TokenService::new(cfg, store, std::sync::Arc::new(crate::ui::Stderr))
    }

    /// The agent's answer to `verb` for `profile`: `None` when no agent serves this config
    /// (the command then works alone); an error it answered is the command's.
    pub fn ask_agent(
        &self,
        cfg: &Config,
        verb: &str,
        profile: &ProfileName,
        mut options: crate::agent::protocol::Options,
    ) -> Option<Result<serde_json::Value>> {
        let config = &self.paths.config;
        options.config = Some(std::path::absolute(config).unwrap_or_else(|_| config.clone()));
        let state_dir = &self.paths.state_dir;
        options.state_dir =
            Some(std::path::absolute(state_dir).unwrap_or_else(|_| state_dir.clone()));
        let request = crate::agent::protocol::Request {
            id: serde_json::Value::from(1),
            verb: verb.to_owned(),
            profile: Some(profile.to_string()),
            options,
        };
        // Baidu's time, and the hooks the agent runs before it answers.
        let wait = cfg.settings.timeout.0 + std::time::Duration::from_secs(90);
        crate::agent::client::ask(&self.paths.state_dir, &request, wait)
    }

    /// The profile named on the command line: the positional or `--profile`; exit 2 when
    /// both are given and differ.
    pub fn named(&self, positional: Option<&str>) -> Result<Option<ProfileName>> {
        match (positional, self.global.profile.as_deref()) {
            (Some(a), Some(b)) if a != b => Err(UsageError::TwoProfiles {
                first: a.to_owned(),
                second: b.to_owned(),
                first_is_flag: false,
            }
            .into()),
            (Some(n), _) | (None, Some(n)) => ProfileName::parse(n).map(Some),
            (None, None) => Ok(None),
        }
    }

    /// The profile named by a command's required positional, checked against `--profile`.
    pub fn named_by(&self, positional: &str) -> Result<ProfileName> {
        match self.named(Some(positional))? {
            Some(name) => Ok(name),
            None => ProfileName::parse(positional),
        }
    }

    /// The profile in force and the SPEC §4 rule that chose it.
    pub fn select(&self, cfg: &Config, positional: Option<&str>) -> Result<(ProfileName, Source)> {
        let (name, source) = match self.named(positional)? {
            Some(n) => (n, Source::Argument),
            None => match crate::profile::from_environment()? {
                Some(n) => (n, Source::Environment),
                None => match crate::profile::read_use_default(&self.paths.state_dir)? {
                    Some(n) => (n, Source::UseDefault),
                    None => match &cfg.default_profile {
                        Some(n) => (n.clone(), Source::ConfigDefault),
                        None => {
                            return Err(UsageError::NoProfileChosen {
                                hint: crate::config::profile_list_hint(&cfg.profiles),
                            }
                            .into());
                        }
                    },
                },
            },
        };
        // A name that came from elsewhere than this command line must say where, or the
        // person cannot tell what to fix.
        cfg.profile(&name).map_err(|e| {
            let source = match source {
                Source::Environment => "environment",
                Source::UseDefault => "use-default",
                Source::Argument | Source::ConfigDefault => return e,
            };
            let Problem::Config(ConfigError::UnknownProfile { hint, .. }) = e.problem() else {
                return e;
            };
            let hint = change_profile(source, hint.clone());
            e.note(Note::ProfileFrom { source, hint })
        })?;
        Ok((name, source))
    }
}

/// The hint for a profile chosen outside the command line: how to change that choice, then
/// `below`, the hint of the unknown profile (a near name, or the profiles there are).
fn change_profile(source: &'static str, below: Hint) -> Hint {
    let (then, near, names, count, grants) = match below {
        Hint::DidYouMean { near } => ("did-you-mean", Some(near), Vec::new(), 0, String::new()),
        Hint::Profiles {
            names,
            count,
            grants,
        } => ("profiles", None, names, count, grants),
        // Config::profile gives no other hint; this one still says how to change the choice.
        _ => ("profiles", None, Vec::new(), 0, String::new()),
    };
    Hint::ChangeProfile {
        source,
        then,
        near,
        names,
        count,
        grants,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fix for where the name came from, then the unknown profile's own hint, whichever
    /// it was.
    #[test]
    fn a_profile_chosen_elsewhere_is_hinted_with_its_fix_then_the_hint_below() {
        let near = Hint::DidYouMean {
            near: "prod".into(),
        };
        assert_eq!(
            change_profile("use-default", near).to_string(),
            "choose another with `broker use NAME`; did you mean `prod`?"
        );
        let list = Hint::Profiles {
            names: vec!["a".into(), "b".into()],
            count: 2,
            grants: "ai|netdisk".into(),
        };
        assert_eq!(
            change_profile("environment", list).to_string(),
            "clear it with `eval \"$(broker env --unset)\"`, or switch with `broker use NAME`; profiles: a, b"
        );
        let none = Hint::Profiles {
            names: Vec::new(),
            count: 0,
            grants: "ai|netdisk".into(),
        };
        assert_eq!(
            change_profile("use-default", none).to_string(),
            "choose another with `broker use NAME`; no profiles yet: add one with `broker profile add NAME --grant ai|netdisk --app-key KEY`"
        );
    }
}
