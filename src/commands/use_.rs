//! `broker use NAME [--shell]`: make NAME the default profile, kept in the state folder. Under
//! the shell integration (which sets `BROKER_SHELL`), also print on stdout the script that
//! switches the calling shell: clear the previous profile's variables, export NAME's.

use crate::cli::UseArgs;
use crate::commands::Context;
use crate::commands::env::{exports, switch_script};
use crate::error::{Error, Result};
use crate::profile::{ProfileName, use_default_path};
use crate::shell::{self, Shell};
use crate::store::atomic;
use crate::ui;

pub fn run(ctx: &Context, args: UseArgs) -> Result<()> {
    let name = ProfileName::parse(&args.name)?;
    let shell = Shell::from_env()?;
    if args.shell && shell.is_none() {
        return Err(Error::usage(
            "`broker use --shell` needs the shell integration, which is not loaded in this shell",
        )
        .with_hint(
            "add `eval \"$(broker shell-init bash)\"` (or zsh, fish, powershell) to your shell's startup file",
        ));
    }
    let cfg = ctx.config()?;
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
            ui::print(&*script);
            if args.shell {
                ui::say(format!("this shell now uses profile `{name}`"));
            } else {
                ui::say(format!(
                    "now using profile `{name}` (this shell and the default)"
                ));
            }
        }
        None => {
            ui::say(format!("now using profile `{name}`"));
            let exported = std::env::var(shell::DEFAULT_NAMES[0]);
            if exported.is_ok_and(|p| !p.is_empty() && p != name.as_str()) {
                ui::warn(
                    "`BROKER_PROFILE` is set in this shell and takes precedence over `broker use`",
                );
                ui::say(
                    "hint: load the shell integration (`eval \"$(broker shell-init bash)\"`) so that `broker use` switches the shell too",
                );
            }
        }
    }
    Ok(())
}
