//! Test-only crash points: with the `failpoints` cargo feature, [`hit`] kills the process with
//! SIGKILL when `BROKER_FAILPOINT` names the point; without it, [`hit`] is an empty function.
//!
//! The crash-matrix tests (tests/cli/crash.rs) stop broker at each step of a rotation, exactly
//! where `kill -9` or a power cut could, and check what the next run finds. SIGKILL rather than
//! a panic or an exit: nothing runs after it (no destructor, no temporary-file cleanup, no lock
//! release but the kernel's), which is the crash being simulated.
//!
//! `BROKER_FAILPOINT=NAME` fires at the first pass through NAME; `NAME@N` at the N-th, for a
//! point that one command passes more than once (a netdisk refresh writes its state twice: the
//! journal mark, then the new tokens). Release builds are made without the feature, so they
//! carry neither the variable's name nor the check (docs/rotation.md, "Crash matrix").

/// Every point, in the order a netdisk refresh passes them.
pub const POINTS: [&str; 5] = [
    // The lock is held and the journal mark saved (netdisk); nothing was sent yet.
    "rotate.before-send",
    // Inside every atomic write: the temporary file is written and fsynced, not yet renamed.
    "atomic.before-rename",
    // Inside every atomic write: renamed over the target, the folder not yet fsynced.
    "atomic.after-rename",
    // Baidu's answer has arrived (for netdisk: the old refresh token is spent); nothing saved.
    "rotate.after-answer",
    // The new state is saved; the lock is still held; no sink or hook has run.
    "rotate.after-save",
];

/// Passes the point `name`: with the `failpoints` feature, dies by SIGKILL if
/// `BROKER_FAILPOINT` asks for this pass; otherwise does nothing.
#[cfg(feature = "failpoints")]
pub fn hit(name: &str) {
    use std::sync::atomic::{AtomicU32, Ordering};
    // Passes through the point named by the variable (only that one is counted).
    static PASSES: AtomicU32 = AtomicU32::new(0);

    debug_assert!(POINTS.contains(&name), "unknown failpoint `{name}`");
    let Ok(spec) = std::env::var(crate::env_vars::BROKER_FAILPOINT) else {
        return;
    };
    let (wanted, nth) = match spec.split_once('@') {
        Some((point, n)) => (point, n.parse::<u32>().unwrap_or(1)),
        None => (spec.as_str(), 1),
    };
    if wanted != name || PASSES.fetch_add(1, Ordering::SeqCst) + 1 != nth {
        return;
    }
    // Said first, so a test can tell which point fired from the dead process's stderr.
    crate::eline!("failpoint `{spec}`: SIGKILL");
    let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
    // SIGKILL cannot be caught or ignored; this is only reached if raising it failed.
    std::process::abort();
}

/// Passes the point `name`: built without the `failpoints` feature, nothing happens.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn hit(_name: &str) {}

/// The point where broker holds a decrypted SecretKey: with the `failpoints` feature and
/// `BROKER_FAILPOINT=rotate.panic-holding-secret`, panics with the secret as the payload, so
/// the leak tests prove the panic hook never prints a payload.
#[cfg(feature = "failpoints")]
pub fn panic_with(name: &str, payload: &str) {
    if std::env::var(crate::env_vars::BROKER_FAILPOINT).is_ok_and(|spec| spec == name) {
        panic!("{payload}");
    }
}

/// Built without the `failpoints` feature, nothing happens.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn panic_with(_name: &str, _payload: &str) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_the_variable_every_point_is_passed_through() {
        // The test runner's environment does not name a point (set by the crash tests only
        // in the environment of the `broker` processes they start).
        assert!(std::env::var_os("BROKER_FAILPOINT").is_none());
        for point in POINTS {
            hit(point);
        }
    }

    #[test]
    fn points_are_named_module_dot_step_and_unique() {
        let mut names = POINTS.to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), POINTS.len());
        for p in POINTS {
            let (module, step) = p.split_once('.').expect("module.step");
            assert!(!module.is_empty() && !step.contains(['@', '.']), "{p}");
        }
    }
}
