//! `broker doctor [--json]`: checks what broker depends on — the config, the identity and the
//! recipients, file modes, each profile's secret and state, the clock, and each endpoint — and
//! says what to fix. It never prompts, never rotates, never writes, and never sends a
//! credential: the network checks are an unauthenticated `HEAD` of each base URL.
//!
//! Exit 0 when no check fails (warnings are printed but do not fail it); otherwise the SPEC §7
//! code of the first failing check, in the order printed, which runs from the most basic
//! (the config) to the most remote (the endpoints). docs/doctor.md has the table.

mod config;
mod identity;
mod modes;
mod network;
mod report;
mod state;

use std::time::Duration;

use crate::cli::DoctorArgs;
use crate::commands::Context;
use crate::config::Profile;
use crate::error::Result;
use crate::store::identity::IdentitySource;
use crate::store::{SealedStore, Vault};
use config::check_config;
use identity::{check_identity, check_recipients};
use modes::check_modes;
use network::check_endpoints;
use report::{Report, conclude, print};
use state::{check_secret, check_state, check_store};

/// How long the endpoint checks may take in all (they run at once), unless `--timeout` says.
const NETWORK_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) fn run(ctx: &Context, args: DoctorArgs) -> Result<()> {
    // The findings of `--json` are data, in English whatever the language; the error line
    // that ends a failed doctor is for the person, in theirs.
    let report = if args.json {
        crate::catalog::in_english(|| check(ctx))?
    } else {
        check(ctx)?
    };
    print(&report, args.json)?;
    conclude(&report)
}

fn check(ctx: &Context) -> Result<Report> {
    let mut report = Report::default();
    let cfg = check_config(ctx, &mut report);
    let source = match &cfg {
        Some(cfg) => ctx.identity_source(cfg),
        None => IdentitySource::from_env(None, ctx.paths.default_identity.clone()),
    };
    let keys = check_identity(&source, &mut report);
    // With no config file at all, the config's own warning already says to run `broker init`.
    if let Some(cfg) = cfg.as_ref().filter(|c| c.exists) {
        check_recipients(cfg, keys.as_deref(), &mut report);
    }
    check_modes(ctx, &source, &mut report);
    if let Some(cfg) = &cfg {
        let profiles: Vec<&Profile> = match ctx.global.profile.as_deref() {
            Some(name) => vec![cfg.profile(&crate::profile::ProfileName::parse(name)?)?],
            None => cfg.profiles.values().collect(),
        };
        let vault = keys.map(|k| Vault::with_identities(cfg.recipients.clone(), source.clone(), k));
        let store = vault.map(|v| cfg.open_store(v));
        if let Some(store) = &store {
            check_store(store, &mut report);
        }
        for profile in &profiles {
            check_secret(profile, store.as_ref().map(SealedStore::vault), &mut report);
            if let Some(store) = &store {
                check_state(profile, store, &mut report);
            }
        }
        let limit = ctx.global.timeout.map_or(NETWORK_TIMEOUT, |t| t.0);
        check_endpoints(&profiles, limit, &mut report);
    }
    Ok(report)
}
