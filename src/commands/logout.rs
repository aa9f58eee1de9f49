//! `broker logout [PROFILE]`: forget the stored tokens; the app's SecretKey stays.

use crate::cli::ProfileArg;
use crate::commands::Context;
use crate::error::Result;
use crate::store::StateStore;
use crate::ui;

pub(crate) fn run(ctx: &Context, args: ProfileArg) -> Result<()> {
    let cfg = ctx.config()?;
    let (name, _) = ctx.select(&cfg, args.profile.as_deref())?;
    let store = ctx.store(&cfg);
    // Under the lock, so a rotation in progress cannot write the tokens back afterwards.
    let mut lock = store.lock(&name, cfg.settings.timeout.0)?;
    // Whether a state file exists, not whether it decrypts: logout must work without the
    // identity (it is one of the ways back when the identity is lost).
    let stored = store.version(&name).is_some();
    lock.remove()?;
    drop(lock);
    if !stored {
        ui::say(crate::t!("ui-logout-nothing", profile = name.as_str()));
        return Ok(());
    }
    ui::say(crate::t!("ui-logout-done", profile = name.as_str()));
    if let Some(hint) = cfg.profile(&name)?.grant.logout_hint() {
        ui::say(hint);
    }
    Ok(())
}
