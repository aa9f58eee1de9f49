//! File modes: nothing that holds or guards a secret is reachable by group or others.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use super::report::{Report, shown};
use crate::commands::Context;
use crate::error::Kind;
use crate::store::atomic;
use crate::store::identity::IdentitySource;

/// What must be private, and how private.
enum Expect {
    /// No bit for group or others (the identity, state files and folders): fail otherwise.
    Private,
    /// The config: writable by others is a fail (hooks run commands as you); readable by others
    /// only a warning (AppKeys and hook commands show, secrets are encrypted).
    Config,
}

/// File modes: group or other bits where secrets live.
pub(super) fn check_modes(ctx: &Context, source: &IdentitySource, r: &mut Report) {
    let mut paths: Vec<(PathBuf, Expect, Kind)> = Vec::new();
    if let Some(p) = source.path() {
        paths.push((p.to_path_buf(), Expect::Private, Kind::Store));
    }
    paths.push((ctx.paths.config.clone(), Expect::Config, Kind::Usage));
    let state = &ctx.paths.state_dir;
    paths.push((state.clone(), Expect::Private, Kind::Store));
    for sub in ["profiles", "locks"] {
        paths.push((state.join(sub), Expect::Private, Kind::Store));
    }
    paths.push((
        crate::profile::use_default_path(state),
        Expect::Private,
        Kind::Store,
    ));
    if let Ok(entries) = std::fs::read_dir(state.join("profiles")) {
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        paths.extend(files.into_iter().map(|p| (p, Expect::Private, Kind::Store)));
    }
    let mut checked = 0;
    let mut bad = 0;
    for (path, expect, kind) in &paths {
        // Followed through symlinks: what matters is the file the link leads to.
        let Ok(meta) = std::fs::metadata(path) else {
            continue;
        };
        checked += 1;
        let mode = meta.permissions().mode() & 0o777;
        let (want, chmod) = if meta.is_dir() {
            (atomic::DIR_MODE, "700")
        } else {
            (atomic::FILE_MODE, "600")
        };
        let shown = shown(path);
        let fix = format!("chmod {chmod} '{shown}'");
        match expect {
            Expect::Private if mode & 0o077 != 0 => {
                bad += 1;
                r.fail(
                    "mode",
                    None,
                    *kind,
                    crate::t!(
                        "ui-doctor-mode-open",
                        path = shown.as_str(),
                        mode = format!("{mode:04o}"),
                        want = format!("{want:04o}")
                    ),
                    fix,
                );
            }
            Expect::Config if crate::store::read::writable_by_others(mode) => {
                bad += 1;
                r.fail(
                    "mode",
                    None,
                    *kind,
                    crate::t!(
                        "ui-doctor-mode-config-writable",
                        path = shown.as_str(),
                        mode = format!("{mode:04o}")
                    ),
                    fix,
                );
            }
            Expect::Config if mode & 0o044 != 0 => {
                bad += 1;
                r.warn(
                    "mode",
                    None,
                    crate::t!(
                        "ui-doctor-mode-config-readable",
                        path = shown.as_str(),
                        mode = format!("{mode:04o}")
                    ),
                    fix,
                );
            }
            _ => {}
        }
    }
    if checked == 0 {
        r.ok("mode", None, crate::t!("ui-doctor-mode-nothing"));
    } else if bad == 0 {
        r.ok(
            "mode",
            None,
            crate::t!("ui-doctor-mode-ok", count = checked),
        );
    }
}
