//! `broker refresh [PROFILE | --all] [--force]`: rotate now, when due or always.
//!
//! Each profile's sinks and hooks run right after its own rotation (with `--all`, in the
//! worker that rotated it, so no hook runs twice for one event). A failed hook makes the exit
//! code 7, unless a rotation itself failed, whose code wins: that is the worse news.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;

use crate::cli::RefreshArgs;
use crate::commands::Context;
use crate::config::Profile;
use crate::error::{Error, Kind, Result, UsageError};
use crate::profile::ProfileName;
use crate::rotate::{Outcome, Policy};
use crate::service::{OnHookFailure, TokenService};
use crate::ui;

/// How many profiles `--all` rotates at once: enough to hide latency, few enough not to look
/// like a flood to Baidu.
const CONCURRENCY: usize = 8;

pub(crate) fn run(ctx: &Context, args: RefreshArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let store = ctx.store(&cfg);
    let service = ctx.service(&cfg, &store);
    let timeout = cfg.settings.timeout.0;
    if args.all && ctx.global.profile.is_some() {
        return Err(UsageError::AllAndProfile.into());
    }
    if !args.all {
        let (name, _) = ctx.select(&cfg, args.profile.as_deref())?;
        let profile = cfg.profile(&name)?;
        return one(&service, profile, args.force, timeout, &|line| {
            ui::say(line)
        });
    }
    // An API key has nothing to rotate: `--all` passes over it without a word.
    let profiles: Vec<&Profile> = cfg
        .profiles
        .values()
        .filter(|p| !p.grant.static_key())
        .collect();
    let next = AtomicUsize::new(0);
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    // Reported once all are done, in name order: the order they finish in changes each run.
    let lines: Mutex<Vec<(&ProfileName, String)>> = Mutex::new(Vec::new());
    let keep = |name, line| {
        lines
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((name, line));
    };
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENCY.min(profiles.len()) {
            scope.spawn(|| {
                while let Some(profile) = profiles.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let said = |line| keep(&profile.name, line);
                    if let Err(e) = one(&service, profile, args.force, timeout, &said) {
                        said(crate::t!(
                            "ui-refresh-failed",
                            profile = profile.name.as_str(),
                            error = e.message()
                        ));
                        let mut slot = first_error.lock().unwrap_or_else(|p| p.into_inner());
                        // A failed rotation outranks a failed hook (the token was saved).
                        match &*slot {
                            Some(first) if first.kind() != Kind::Hook || e.kind() == Kind::Hook => {
                            }
                            _ => *slot = Some(e),
                        }
                    }
                }
            });
        }
    });
    let mut lines = lines.into_inner().unwrap_or_else(|p| p.into_inner());
    // Stable: a profile's own lines keep their order.
    lines.sort_by(|a, b| a.0.cmp(b.0));
    for (_, line) in lines {
        ui::say(line);
    }
    match first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        // Each failure was already reported above.
        Some(e) if e.kind() == Kind::Hook => Err(crate::error::HookError::SomeFailed.into()),
        // The exit code of the first failure.
        Some(e) => Err(UsageError::SomeNotRefreshed { kind: e.kind() }.into()),
        None => Ok(()),
    }
}

/// Rotates one profile, reports it, then runs its sinks and hooks when it rotated (or its
/// `refresh_failed` hooks when the attempt failed).
fn one(
    service: &TokenService,
    profile: &Profile,
    force: bool,
    timeout: std::time::Duration,
    say: &dyn Fn(String),
) -> Result<()> {
    if profile.grant.static_key() {
        say(crate::t!(
            "ui-nothing-to-rotate",
            profile = profile.name.as_str()
        ));
        return Ok(());
    }
    let policy = Policy {
        min_ttl: profile.refresh_before.0,
        explicit: false,
        force,
        timeout,
        rejected: None,
    };
    service
        .serve(profile, policy, OnHookFailure::Fail, |outcome| {
            say(report(profile, outcome));
            Ok(())
        })
        .map(drop)
}

fn report(profile: &Profile, outcome: &Outcome) -> String {
    let state = outcome.state();
    let left = crate::duration::relative(state.seconds_left(Utc::now()));
    let name = profile.name.as_str();
    match outcome {
        Outcome::Rotated { .. } => crate::t!("ui-refresh-rotated", profile = name, left = left),
        Outcome::RotatedElsewhere(_) => {
            crate::t!("ui-refresh-rotated-elsewhere", profile = name, left = left)
        }
        Outcome::Cached(_) => crate::t!("ui-refresh-not-due", profile = name, left = left),
    }
}
