//! `broker run -- CMD [ARGS…]`: run CMD with every environment variable whose value is a
//! `broker://PROFILE/FIELD` reference replaced by that value, and the variables profiles read
//! their SecretKey from (`secret_key_env`) removed; exit codes and signals pass through as with
//! `broker exec` (its supervisor). References are all checked, and every token obtained, before
//! CMD starts.

use std::process::Command;

use crate::cli::RunArgs;
use crate::commands::Context;
use crate::commands::exec::supervise;
use crate::commands::inject::resolve;
use crate::error::Result;
use crate::export::reference::Reference;
use crate::ui;

pub(crate) fn run(ctx: &Context, args: RunArgs) -> Result<()> {
    let Some((program, rest)) = args.command.split_first() else {
        // clap requires a command.
        return Ok(());
    };
    let cfg = ctx.config()?;
    // A variable is a reference when its whole value is one; any other value stays as it is.
    let mut names = Vec::new();
    let mut refs = Vec::new();
    for (key, value) in std::env::vars_os() {
        let Some(value) = value.to_str() else {
            continue;
        };
        if let Some(r) = Reference::parse(value) {
            names.push(key);
            refs.push(r?);
        }
    }
    let values = resolve(ctx, &cfg, &refs.iter().collect::<Vec<_>>())?.values;

    let mut cmd = Command::new(program);
    cmd.args(rest);
    // What `exec` and hooks withhold too: every SecretKey variable, and broker's own secrets
    // (the age identity, its passphrase, the Redis URL).
    for var in cfg.secret_key_vars().chain(crate::hooks::WITHHELD) {
        cmd.env_remove(var);
    }
    for (name, value) in names.iter().zip(values.iter()) {
        cmd.env(name, value.as_str());
    }
    drop(values);
    ui::debug(
        1,
        format!(
            "running a command with {} reference(s) resolved",
            names.len()
        ),
    );
    supervise(cmd, program)
}
