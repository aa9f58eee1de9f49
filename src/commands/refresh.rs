//! `broker refresh [PROFILE | --all] [--force]`: rotate now, when due or always.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;

use crate::cli::RefreshArgs;
use crate::commands::Context;
use crate::config::Profile;
use crate::error::{Error, Result};
use crate::rotate::{self, Outcome, Policy};
use crate::store::FileStore;
use crate::ui;

/// How many profiles `--all` rotates at once: enough to hide latency, few enough not to look
/// like a flood to Baidu.
const CONCURRENCY: usize = 8;

pub fn run(ctx: &Context, args: RefreshArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let store = ctx.store(&cfg);
    let timeout = cfg.settings.timeout.0;
    if !args.all {
        let (name, _) = ctx.select(&cfg, args.profile.as_deref())?;
        let profile = cfg.profile(&name)?;
        let outcome = one(&store, profile, args.force, timeout)?;
        report(profile, &outcome);
        return Ok(());
    }
    let profiles: Vec<&Profile> = cfg.profiles.values().collect();
    let next = AtomicUsize::new(0);
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENCY.min(profiles.len()) {
            scope.spawn(|| {
                while let Some(profile) = profiles.get(next.fetch_add(1, Ordering::Relaxed)) {
                    match one(&store, profile, args.force, timeout) {
                        Ok(outcome) => report(profile, &outcome),
                        Err(e) => {
                            ui::say(format!("`{}`: error: {}", profile.name, e.message()));
                            let mut slot = first_error.lock().unwrap_or_else(|p| p.into_inner());
                            slot.get_or_insert(e);
                        }
                    }
                }
            });
        }
    });
    match first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        // The exit code of the first failure; each failure was already reported above.
        Some(e) => Err(Error::new(e.kind(), "some profiles could not be refreshed")
            .with_hint("see the lines above")),
        None => Ok(()),
    }
}

fn one(
    store: &FileStore,
    profile: &Profile,
    force: bool,
    timeout: std::time::Duration,
) -> Result<Outcome> {
    let policy = Policy {
        min_ttl: profile.refresh_before.0,
        force,
        timeout,
    };
    rotate::ensure(store, store.vault(), profile, policy)
}

fn report(profile: &Profile, outcome: &Outcome) {
    let state = outcome.state();
    let left = crate::duration::relative(state.seconds_left(Utc::now()));
    let what = match outcome {
        Outcome::Rotated { .. } => "rotated",
        Outcome::RotatedElsewhere(_) => "rotated by another process",
        Outcome::Cached(_) => "not due",
    };
    ui::say(format!(
        "`{}`: {what}; the token expires {left}",
        profile.name
    ));
}
