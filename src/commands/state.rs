//! `broker state export [PROFILE | --all] [--recipient R]… [--keep]` and
//! `broker state import [--force] < BUNDLE`: a lineage moves between machines, or from files
//! to Redis, and lives in one place afterwards.
//!
//! A bundle is armored age, encrypted to the recipients, of one JSON object:
//! `{"broker_state_bundle": 1, "exported_at": …, "states": {"NAME": STATE, …}}`, each STATE
//! what `age -d` prints for a state file.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::cli::{StateCommand, StateExportArgs, StateImportArgs};
use crate::commands::Context;
use crate::config::Config;
use crate::error::{InternalError, Result, StoreError, UsageError};
use crate::profile::ProfileName;
use crate::store::state::HandedOff;
use crate::store::{SealedStore, StateStore, TokenState, Vault};
use crate::ui;

/// The bundle format this broker writes and reads.
const BUNDLE_VERSION: u32 = 1;
/// The largest bundle read from stdin.
const MAX_BUNDLE: u64 = 16 << 20;

#[derive(Serialize, Deserialize)]
struct Bundle {
    broker_state_bundle: u32,
    exported_at: DateTime<Utc>,
    states: BTreeMap<String, TokenState>,
}

pub(crate) fn run(ctx: &Context, cmd: StateCommand) -> Result<()> {
    match cmd {
        StateCommand::Export(args) => export(ctx, args),
        StateCommand::Import(args) => import(ctx, args),
    }
}

fn export(ctx: &Context, args: StateExportArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let store = ctx.store(&cfg);
    if args.all && ctx.global.profile.is_some() {
        return Err(UsageError::AllAndProfile.into());
    }
    let names = if args.all {
        let names = store.profiles()?;
        if names.is_empty() {
            return Err(StoreError::NothingToExport {
                all: true,
                profile: String::new(),
            }
            .into());
        }
        names
    } else {
        vec![ctx.select(&cfg, args.profile.as_deref())?.0]
    };
    let recipients = if args.recipients.is_empty() {
        cfg.recipients.clone()
    } else {
        args.recipients.clone()
    };
    // Checked before anything is marked: a bundle nobody can open must not hand anything off.
    let sealer = Vault::new(recipients.clone(), ctx.identity_source(&cfg));
    sealer.check_recipients()?;
    let timeout = cfg.settings.timeout.0;
    // Every profile's lock is held until the bundle is printed, so no rotation here can move
    // a lineage on after it was exported.
    let mut locks = Vec::new();
    let mut states = BTreeMap::new();
    for name in &names {
        let mut lock = store.lock(name, timeout)?;
        let Some(state) = lock.load()? else {
            return Err(StoreError::NothingToExport {
                all: false,
                profile: name.to_string(),
            }
            .into());
        };
        if let Some(h) = &state.handed_off {
            return Err(h.error(name.as_str(), true));
        }
        states.insert(name.as_str().to_owned(), state);
        locks.push(lock);
    }
    let bundle = Bundle {
        broker_state_bundle: BUNDLE_VERSION,
        exported_at: Utc::now(),
        states,
    };
    let json =
        Zeroizing::new(
            serde_json::to_vec(&bundle).map_err(|_| InternalError::Unreachable {
                what: "a state bundle that does not serialize",
            })?,
        );
    let armored = sealer.encrypt(&json, true)?;
    let text = String::from_utf8(armored).map_err(|_| StoreError::ArmorNotText)?;
    // The bundle leaves first, every byte flushed (a closed pipe is an error here, not a quiet
    // exit): only a bundle that was written hands anything off, so a failed pipe loses nothing
    // and the export can be run again. A crash between the two leaves the lineage in two
    // places, as `--keep` does, which the warning below then says.
    write_bundle(&text)?;
    if !args.keep {
        for (lock, state) in locks.iter_mut().zip(bundle.states.values()) {
            let mut kept = state.clone();
            kept.refresh_token = None;
            kept.refresh_in_flight = None;
            kept.handed_off = Some(HandedOff {
                at: bundle.exported_at,
                to: recipients.clone(),
            });
            if let Err(e) = lock.save(&kept) {
                ui::warn(crate::t!(
                    "ui-state-not-marked",
                    profile = lock.profile().as_str()
                ));
                return Err(e);
            }
        }
    }
    drop(locks);
    if args.keep {
        ui::warn(crate::t!("ui-state-exported-kept", count = names.len()));
    } else {
        ui::say(crate::t!("ui-state-exported", count = names.len()));
    }
    Ok(())
}

/// Writes and flushes the bundle on stdout; any failure, a closed pipe included, is an error.
fn write_bundle(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| {
            InternalError::Stdout {
                reason: crate::error::internal::io_reason(&e),
            }
            .into()
        })
}

fn import(ctx: &Context, args: StateImportArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let store = ctx.store(&cfg);
    let mut text = Zeroizing::new(Vec::new());
    std::io::stdin()
        .take(MAX_BUNDLE + 1)
        .read_to_end(&mut text)
        .map_err(|e| StoreError::CannotReadBundle {
            reason: crate::error::internal::io_reason(&e),
        })?;
    if text.is_empty() || text.len() as u64 > MAX_BUNDLE {
        return Err(StoreError::NotABundle.into());
    }
    // Not age at all is not a bundle (exit 2); age this identity cannot open is exit 6.
    if !text.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
        && !text.starts_with(b"age-encryption.org/")
    {
        return Err(StoreError::NotABundle.into());
    }
    let plain = store.vault().decrypt(&text)?;
    let bundle: Bundle = serde_json::from_slice(&plain)
        .ok()
        .filter(|b: &Bundle| b.broker_state_bundle == BUNDLE_VERSION)
        .ok_or(StoreError::NotABundle)?;
    let incoming = checked(&cfg, &store, bundle, args.force)?;
    let timeout = cfg.settings.timeout.0;
    for (name, mut state) in incoming {
        let mut lock = store.lock(&name, timeout)?;
        let existing = lock.load()?;
        // Checked again under the lock: a rotation may have run since.
        refuse_older(&name, &state, existing.as_ref(), args.force)?;
        let here = cfg
            .profile(&name)?
            .grant
            .refreshes()
            .then(|| store.place(&name))
            .flatten();
        state.handed_off = None;
        state.written_at = None;
        state.copied_from = None;
        state.stamp(here.as_ref());
        state.generation = state
            .generation
            .max(existing.as_ref().map_or(0, |e| e.generation))
            + 1;
        lock.save(&state)?;
        ui::say(crate::t!(
            "ui-state-imported",
            profile = name.as_str(),
            location = store.location(&name),
            expires = state.expires_at.format("%Y-%m-%d %H:%M UTC").to_string()
        ));
    }
    Ok(())
}

/// The bundle's states, each for a profile of the config and none older than what is stored.
fn checked(
    cfg: &Config,
    store: &SealedStore,
    bundle: Bundle,
    force: bool,
) -> Result<Vec<(ProfileName, TokenState)>> {
    let mut out = Vec::new();
    for (name, state) in bundle.states {
        let name = ProfileName::parse(&name)?;
        let profile = cfg.profile(&name)?;
        if state.grant != profile.grant.as_str() {
            return Err(StoreError::BundleGrant {
                profile: name.to_string(),
                bundle: crate::error::sanitize(&state.grant),
                config: profile.grant.as_str().to_owned(),
            }
            .into());
        }
        let existing = store.load(&name).ok().flatten();
        refuse_older(&name, &state, existing.as_ref(), force)?;
        out.push((name, state));
    }
    Ok(out)
}

/// A bundle older than the state already stored (by when its token was obtained) would roll
/// the lineage back to a spent refresh token: exit 2 unless `--force`.
fn refuse_older(
    name: &ProfileName,
    incoming: &TokenState,
    existing: Option<&TokenState>,
    force: bool,
) -> Result<()> {
    match existing {
        Some(e) if !force && incoming.obtained_at < e.obtained_at => Err(StoreError::BundleOlder {
            profile: name.to_string(),
            bundle: incoming
                .obtained_at
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
            stored: e.obtained_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        }
        .into()),
        _ => Ok(()),
    }
}
