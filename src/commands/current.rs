//! `broker current [--explain]`: the profile in force, and which SPEC §4 rule chose it.

use crate::cli::CurrentArgs;
use crate::commands::Context;
use crate::error::Result;
use crate::ui;

pub fn run(ctx: &Context, args: CurrentArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let (name, source) = ctx.select(&cfg, None)?;
    if args.explain {
        ui::print(format!("{name}\n{}\n", source.explain()));
    } else {
        ui::print(format!("{name}\n"));
    }
    Ok(())
}
