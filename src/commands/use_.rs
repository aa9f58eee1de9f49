//! `broker use NAME`: make NAME the default profile, kept in the state folder.

use crate::cli::UseArgs;
use crate::commands::Context;
use crate::error::Result;
use crate::profile::{ProfileName, use_default_path};
use crate::store::atomic;
use crate::ui;

pub fn run(ctx: &Context, args: UseArgs) -> Result<()> {
    let name = ProfileName::parse(&args.name)?;
    let cfg = ctx.config()?;
    cfg.profile(&name)?;
    atomic::create_dir(&ctx.paths.state_dir)?;
    atomic::write(
        &use_default_path(&ctx.paths.state_dir),
        format!("{name}\n").as_bytes(),
        0o600,
    )?;
    ui::say(format!("now using profile `{name}`"));
    if std::env::var("BROKER_PROFILE").is_ok_and(|p| !p.is_empty() && p != name.as_str()) {
        ui::warn("`BROKER_PROFILE` is set in this shell and takes precedence over `broker use`");
    }
    Ok(())
}
