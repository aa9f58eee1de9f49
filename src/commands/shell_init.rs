//! `broker shell-init bash|zsh|fish|powershell [--hook prompt|none]`: print the shell
//! integration, one template per shell (see docs/shell.md).

use crate::cli::{PromptHook, ShellInitArgs};
use crate::error::Result;
use crate::ui;

pub(crate) fn run(args: ShellInitArgs) -> Result<()> {
    ui::print(args.shell.init_script(args.hook == PromptHook::Prompt))?;
    Ok(())
}
