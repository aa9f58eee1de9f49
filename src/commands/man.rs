//! `broker man [--dir DIR]` (hidden): the man page, generated with clap_mangen from the same
//! clap definition as `--help` and the completions; with `--dir`, one page per subcommand too.

use clap::CommandFactory;

use crate::cli::{Cli, ManArgs};
use crate::error::{Error, InternalError, Result};
use crate::ui;

pub(crate) fn run(args: ManArgs) -> Result<()> {
    let cmd = localized_command();
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| Error::io(crate::error::IoOp::Create, &dir, e))?;
            clap_mangen::generate_to(cmd, &dir)
                .map_err(|e| Error::io(crate::error::IoOp::WriteInto, &dir, e))?;
            ui::say(crate::t!("ui-man-written", dir = dir.display().to_string()));
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut out).map_err(|e| {
                Error::from(InternalError::CannotRenderManPage {
                    reason: e.to_string(),
                })
            })?;
            ui::print(String::from_utf8_lossy(&out))?;
        }
    }
    Ok(())
}

/// broker's `Command` with its texts in the reader's language (plain English stays the
/// derive's own, as `--help` shows it): for the man page and the completions' descriptions.
pub(crate) fn localized_command() -> clap::Command {
    match crate::catalog::lang() {
        crate::catalog::Lang::En => Cli::command(),
        lang => crate::help::command_in(lang),
    }
}
