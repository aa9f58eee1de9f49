//! `broker use NAME [--shell]`: make NAME the default profile, kept in the state folder. Under
//! the shell integration (which sets `BROKER_SHELL`), also print on stdout the script that
//! switches the calling shell: clear the previous profile's variables, export NAME's. Without
//! NAME, a person on a terminal picks one from a numbered list; a script gets exit 2.

use crate::cli::UseArgs;
use crate::commands::Context;
use crate::commands::env::{exports, switch_script};
use crate::config::Config;
use crate::error::{Hint, Result, UsageError};
use crate::profile::{ProfileName, use_default_path};
use crate::shell::Shell;
use crate::store::atomic;
use crate::ui;

pub(crate) fn run(ctx: &Context, args: UseArgs) -> Result<()> {
    let named = ctx.named(args.name.as_deref())?;
    let shell = Shell::from_env()?;
    if args.shell && shell.is_none() {
        return Err(UsageError::ShellIntegrationNotLoaded.into());
    }
    let cfg = ctx.config()?;
    let name = match named {
        Some(name) => name,
        None => pick(ctx, &cfg)?,
    };
    cfg.profile(&name)?;
    // Everything that can fail (a token that needs a login, a missing identity) fails before
    // anything changes: neither the default nor the shell is half-switched.
    let script = match shell {
        Some(sh) => Some(switch_script(sh.format(), exports(ctx, &cfg, &name)?)?),
        None => None,
    };
    if !args.shell {
        atomic::create_dir(&ctx.paths.state_dir)?;
        atomic::write(
            &use_default_path(&ctx.paths.state_dir),
            format!("{name}\n").as_bytes(),
            0o600,
        )?;
    }
    match script {
        Some(script) => {
            ui::print(&*script)?;
            if args.shell {
                ui::say(crate::t!("ui-use-shell", profile = name.as_str()));
            } else {
                ui::say(crate::t!(
                    "ui-use-shell-and-default",
                    profile = name.as_str()
                ));
            }
        }
        None => {
            ui::say(crate::t!("ui-use-default", profile = name.as_str()));
            let exported = std::env::var(crate::env_vars::BROKER_PROFILE);
            if exported.is_ok_and(|p| !p.is_empty() && p != name.as_str()) {
                ui::warn(crate::t!("ui-use-overridden"));
                ui::say(crate::t!("ui-use-overridden-hint"));
            }
        }
    }
    Ok(())
}

/// A numbered list on stderr, the answer read from the terminal: a number or a name.
fn pick(ctx: &Context, cfg: &Config) -> Result<ProfileName> {
    let hint = crate::config::profile_list_hint(&cfg.profiles);
    if cfg.profiles.is_empty() {
        return Err(UsageError::UseWithoutProfiles { hint }.into());
    }
    if !crate::prompt::interactive() {
        return Err(match hint {
            Hint::Profiles {
                names,
                count,
                grants,
            } => UsageError::UseNeedsName {
                names,
                count,
                grants,
            },
            // profile_list_hint gives only the profiles; any other hint is still shown.
            hint => UsageError::NoProfileChosen { hint },
        }
        .into());
    }
    let in_force = ctx.select(cfg, None).ok().map(|(n, _)| n);
    let names: Vec<&ProfileName> = cfg.profiles.keys().collect();
    let mut menu = String::new();
    for (i, name) in names.iter().enumerate() {
        let mark = if in_force.as_ref() == Some(*name) {
            "*"
        } else {
            " "
        };
        let about = cfg.profiles[*name]
            .description
            .as_deref()
            .map(|d| format!("  {}", crate::error::sanitize(d)))
            .unwrap_or_default();
        menu.push_str(&format!(
            "{mark} {:>2}) {name} ({}){about}\n",
            i + 1,
            cfg.profiles[*name].grant.as_str()
        ));
    }
    // The menu is part of the prompt: shown even with `--quiet`.
    crate::eline!("{}", menu.trim_end());
    let answer = crate::prompt::read_line(&format!(
        "{} ",
        crate::t!("ui-use-pick", count = names.len())
    ))?;
    let answer = answer.trim();
    if answer.is_empty() {
        return Err(UsageError::NothingPicked.into());
    }
    if let Ok(i) = answer.parse::<usize>() {
        return match names.get(i.wrapping_sub(1)) {
            Some(name) => Ok((*name).clone()),
            None => Err(UsageError::NotInList {
                answer: i.to_string(),
                count: names.len(),
            }
            .into()),
        };
    }
    ProfileName::parse(answer)
}
