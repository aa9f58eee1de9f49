//! `broker hooks test [PROFILE]` and `broker hooks run [PROFILE]`: try a profile's hooks
//! without a rotation. Neither asks Baidu anything; both exit 7 when a hook failed.

use crate::cli::HooksCommand;
use crate::commands::Context;
use crate::error::Result;

pub(crate) fn run(ctx: &Context, cmd: HooksCommand) -> Result<()> {
    let cfg = ctx.config()?;
    let (HooksCommand::Test(args) | HooksCommand::Run(args)) = &cmd;
    let (name, _) = ctx.select(&cfg, args.profile.as_deref())?;
    let profile = cfg.profile(&name)?;
    let store = ctx.store(&cfg);
    let service = ctx.service(&cfg, &store);
    match cmd {
        HooksCommand::Test(_) => service.test_hooks(profile),
        HooksCommand::Run(_) => service.rerun_hooks(profile),
    }
}
