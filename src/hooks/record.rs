//! Recording hook results into the profile's state.

use std::time::Duration;

use crate::error::Result;
use crate::profile::ProfileName;
use crate::store::StateStore;
use crate::store::state::HookResult;
use crate::ui::Messages;

/// Keeps the last result of each hook in the profile's state. Only `hooks` is touched, under
/// the lock and on the state read under it, so a rotation saved meanwhile is never undone.
/// Results of hooks no longer in the config are dropped.
pub(super) fn record(
    out: &dyn Messages,
    store: &dyn StateStore,
    profile: &ProfileName,
    results: &[HookResult],
    configured: &[String],
    timeout: Duration,
) {
    if results.is_empty() {
        return;
    }
    let saved = (|| -> Result<()> {
        let mut lock = store.lock(profile, timeout + Duration::from_secs(5))?;
        let Some(mut state) = lock.load()? else {
            // Logged out meanwhile, or `hooks test` before any token: nothing to attach to.
            return Ok(());
        };
        state
            .hooks
            .retain(|h| configured.contains(&h.name) && !results.iter().any(|r| r.name == h.name));
        state.hooks.extend(results.iter().cloned());
        lock.save(&state)
    })();
    if let Err(e) = saved {
        out.warn(crate::t!(
            "ui-hooks-not-recorded",
            profile = profile.to_string(),
            error = e.message()
        ));
    }
}
