//! The crash matrix: broker killed (SIGKILL, through the `failpoints` feature) at each step of
//! a rotation, a full disk, an unwritable state folder and a read-only config. After each, the
//! state decrypts, the lock is free, and the next command succeeds or, when Baidu says the
//! journaled refresh token was already used, says what happened (exit 3) — never exit 1, never
//! a torn file, never a refresh token sent again after its answer was saved.
//!
//! Tests that need what not every machine grants (mounting a tmpfs or a read-only bind mount,
//! which takes root with CAP_SYS_ADMIN; or, for the read-only ones, a user other than root,
//! for whom modes suffice) are `#[ignore]`d with that reason, so `cargo test` reports them as
//! ignored instead of passing them unrun; a test cannot ignore itself at run time. Run them
//! with `cargo test --features failpoints --test cli crash:: -- --ignored` where the machine
//! allows it (scripts/test.sh checks and does so). Run there without the rights, they fail
//! and say what is missing: never a silent pass.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::harness::{Home, assert_failed};

/// Runs `cmd`, killing it and failing the test if it is still running after `limit`.
fn run_within(mut cmd: Command, limit: Duration) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.expect("wait"),
        Err(_) => {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
            panic!("{cmd:?} was still running after {limit:?} (a lock left held?)");
        }
    }
}

/// Temporary files of `profile`'s state left in the state folder.
fn leftovers(home: &Home, profile: &str) -> Vec<String> {
    std::fs::read_dir(home.state_dir().join("profiles"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(&format!(".{profile}.age.")) && n.ends_with(".tmp"))
        .collect()
}

#[cfg(feature = "failpoints")]
mod killed {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    /// How long a command after a crash may take before the test calls it hung (a lock left
    /// held would make it wait `timeout` + 5 s).
    const NEXT_COMMAND_LIMIT: Duration = Duration::from_secs(8);

    /// What the next `broker token` must do after the crash.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Next {
        /// Print a token (exit 0), having sent no refresh token that Baidu had answered.
        Token,
        /// Present the journaled refresh token once more (its answer was lost), hear from
        /// Baidu that it was already used, and exit 3 with the journal's story.
        Spent,
    }

    /// The checks every crash must pass: the state decrypts with the reference `age`, nothing but
    /// the state and a dead writer's temporary file is beside it, the lock is free, `status` reads
    /// it, `token` behaves as `next` says (never exit 1), and no refresh token was sent again
    /// unless its answer had been lost. Returns the state JSON and the token's output.
    fn after_crash(home: &Home, profile: &str, next: Next) -> (serde_json::Value, Output) {
        let state = home.state_json(profile);
        assert!(state["access_token"].is_string(), "{state}");
        let dir = home.state_dir().join("profiles");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let temp = name.starts_with(&format!(".{profile}.age.")) && name.ends_with(".tmp");
            assert!(
                name == format!("{profile}.age") || temp,
                "unexpected `{name}`"
            );
        }
        let lock = std::fs::File::open(home.state_dir().join(format!("locks/{profile}.lock")))
            .expect("the lock file");
        lock.try_lock()
            .expect("the lock is free after its holder died");
        drop(lock);

        let status = run_within(
            home.std_cmd(&["status", profile, "--json"]),
            NEXT_COMMAND_LIMIT,
        );
        // It reads the state. An interrupted refresh is shown as such but needs nobody: the
        // next use presents the journaled refresh token again (the recovery rule), so status
        // exits 0 for it.
        let shown: serde_json::Value = serde_json::from_slice(&status.stdout)
            .unwrap_or_else(|e| panic!("status after a crash: {e}: {status:?}"));
        assert_eq!(
            status.status.code(),
            Some(0),
            "status after a crash ({}): {}",
            shown[0]["state"],
            String::from_utf8_lossy(&status.stderr)
        );

        let out = run_within(home.std_cmd(&["token", profile]), NEXT_COMMAND_LIMIT);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_ne!(out.status.code(), Some(1), "exit 1 after a crash: {stderr}");
        let reuse = home.emu().counters().refresh_reuse;
        match next {
            Next::Token => {
                assert!(out.status.success(), "token after a crash: {stderr}");
                assert_eq!(reuse, 0, "a refresh token was sent twice");
            }
            Next::Spent => {
                assert_failed(&out, 3, "token after a crash");
                assert!(
                    stderr.contains("interrupted")
                        && stderr.contains("already used")
                        && stderr.contains(&format!("broker login {profile}")),
                    "{stderr}"
                );
                // Once, by the recovery: the answer to the first presentation was lost.
                assert_eq!(reuse, 1, "the journaled refresh token was presented again");
                // Settled: nothing more is sent.
                let again = run_within(home.std_cmd(&["token", profile]), NEXT_COMMAND_LIMIT);
                assert_failed(&again, 3, "token after a settled recovery");
                assert_eq!(home.emu().counters().refresh_reuse, 1);
            }
        }
        (state, out)
    }

    /// Runs `broker ARGS` with `BROKER_FAILPOINT=point` and asserts that it died there, by
    /// SIGKILL.
    fn crash(home: &Home, args: &[&str], point: &str) {
        let mut cmd = home.std_cmd(args);
        cmd.env("BROKER_FAILPOINT", point);
        let out = run_within(cmd, Duration::from_secs(20));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.signal(),
            Some(9),
            "broker {args:?} with BROKER_FAILPOINT={point} was not killed (exit {:?}; was the binary built with `--features failpoints`?): {stderr}",
            out.status.code()
        );
        assert!(stderr.contains(&format!("failpoint `{point}`")), "{stderr}");
    }

    /// A netdisk profile logged in, the emulator's counters at zero.
    fn logged_in() -> (Home, serde_json::Value) {
        let home = Home::with_emulator();
        home.login_netdisk("nd");
        home.emu().reset_counters();
        let before = home.state_json("nd");
        (home, before)
    }

    // Contract change (the recovery rule): a journal mark found under the lock is no longer
    // sent to `broker login`; the journaled refresh token is presented once more.
    #[test]
    fn killed_with_the_lock_held_before_sending_the_next_run_recovers() {
        let (home, before) = logged_in();
        crash(&home, &["refresh", "nd", "--force"], "rotate.before-send");
        assert_eq!(home.refreshes(), 0, "nothing was sent");
        let (state, out) = after_crash(&home, "nd", Next::Token);
        assert!(state["refresh_in_flight"].is_object(), "{state}");
        assert_eq!(state["refresh_token"], before["refresh_token"]);
        // The recovery presented the journaled token once, and Baidu answered with a new pair.
        assert_eq!(home.refreshes(), 1);
        let after = home.state_json("nd");
        assert!(after.get("refresh_in_flight").is_none(), "{after}");
        assert_ne!(after["refresh_token"], before["refresh_token"]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            after["access_token"].as_str().unwrap()
        );
    }

    #[test]
    fn killed_after_the_answer_before_saving_the_recovery_hears_it_was_used_and_tells_the_story() {
        let (home, before) = logged_in();
        crash(&home, &["refresh", "nd", "--force"], "rotate.after-answer");
        assert_eq!(home.refreshes(), 1);
        let (state, out) = after_crash(&home, "nd", Next::Spent);
        assert!(state["refresh_in_flight"].is_object(), "{state}");
        assert_eq!(state["access_token"], before["access_token"]);
        // The story: when, which command, what happened.
        let stderr = String::from_utf8_lossy(&out.stderr);
        let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert!(
            stderr.contains(&day) && stderr.contains("`broker refresh`"),
            "{stderr}"
        );
        assert_eq!(home.refreshes(), 2, "presented once more, and only once");
        let after = home.state_json("nd");
        assert!(after["needs_login"].is_object(), "{after}");
        assert!(after.get("refresh_in_flight").is_none(), "{after}");
        assert_eq!(
            after["refresh_token"], before["refresh_token"],
            "nothing deleted"
        );
    }

    #[test]
    fn a_recovery_that_is_itself_killed_is_presented_once_per_interruption() {
        let (home, before) = logged_in();
        crash(&home, &["refresh", "nd", "--force"], "rotate.before-send");
        // The recovery dies too, before its request leaves, then again after its answer.
        crash(&home, &["token", "nd"], "rotate.before-send");
        assert_eq!(home.refreshes(), 0);
        let state = home.state_json("nd");
        assert_eq!(state["refresh_in_flight"]["attempts"], 2, "{state}");
        crash(&home, &["token", "nd"], "rotate.after-answer");
        assert_eq!(home.refreshes(), 1);
        let (state, _) = after_crash(&home, "nd", Next::Spent);
        assert_eq!(state["refresh_in_flight"]["attempts"], 3, "{state}");
        assert_eq!(state["refresh_token"], before["refresh_token"]);
        assert_eq!(home.refreshes(), 2, "one presentation per interruption");
    }

    #[test]
    fn killed_between_temp_write_and_rename_of_the_journal_mark_keeps_the_old_state() {
        let (home, before) = logged_in();
        // The first atomic write of a netdisk refresh is the journal mark.
        crash(
            &home,
            &["refresh", "nd", "--force"],
            "atomic.before-rename@1",
        );
        assert_eq!(home.refreshes(), 0);
        assert_eq!(
            leftovers(&home, "nd").len(),
            1,
            "the dead write's temp file"
        );
        let (state, out) = after_crash(&home, "nd", Next::Token);
        assert!(state.get("refresh_in_flight").is_none(), "{state}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            before["access_token"].as_str().unwrap()
        );
        // The next write takes the lock and clears what the dead one left.
        home.ok(&["refresh", "nd", "--force"]);
        assert_eq!(home.refreshes(), 1);
        assert!(
            leftovers(&home, "nd").is_empty(),
            "{:?}",
            leftovers(&home, "nd")
        );
        assert_eq!(home.emu().counters().refresh_reuse, 0);
    }

    #[test]
    fn killed_between_temp_write_and_rename_of_the_new_tokens_the_recovery_tells_the_story() {
        let (home, before) = logged_in();
        // The second write is the new token pair; the old refresh token is spent by then.
        crash(
            &home,
            &["refresh", "nd", "--force"],
            "atomic.before-rename@2",
        );
        assert_eq!(home.refreshes(), 1);
        assert_eq!(leftovers(&home, "nd").len(), 1);
        let (state, _) = after_crash(&home, "nd", Next::Spent);
        assert!(state["refresh_in_flight"].is_object(), "{state}");
        assert_eq!(state["generation"], before["generation"]);
        assert_eq!(home.refreshes(), 2);
    }

    #[test]
    fn killed_after_the_rename_before_the_folder_sync_the_new_tokens_are_in_place() {
        let (home, before) = logged_in();
        crash(
            &home,
            &["refresh", "nd", "--force"],
            "atomic.after-rename@2",
        );
        assert_eq!(home.refreshes(), 1);
        assert!(leftovers(&home, "nd").is_empty());
        let (state, out) = after_crash(&home, "nd", Next::Token);
        assert!(state.get("refresh_in_flight").is_none(), "{state}");
        assert_eq!(
            state["generation"],
            before["generation"].as_u64().unwrap() + 1
        );
        assert_ne!(state["refresh_token"], before["refresh_token"]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            state["access_token"].as_str().unwrap()
        );
        // The lineage goes on from the new refresh token.
        home.ok(&["refresh", "nd", "--force"]);
        assert_eq!(home.refreshes(), 2);
        assert_eq!(home.emu().counters().refresh_reuse, 0);
    }

    #[test]
    fn killed_after_saving_before_the_hooks_ran_the_token_is_kept_and_hooks_run_catches_up() {
        let (home, before) = logged_in();
        let sink = home.path().join("sink.txt");
        home.write_config(&format!(
            "{}\n[[profiles.nd.sinks]]\npath = {:?}\n",
            home.read_config(),
            sink.display().to_string()
        ));
        crash(&home, &["refresh", "nd", "--force"], "rotate.after-save");
        assert_eq!(home.refreshes(), 1);
        assert!(!sink.exists(), "a sink ran before the crash point");
        let (state, out) = after_crash(&home, "nd", Next::Token);
        assert!(state.get("refresh_in_flight").is_none(), "{state}");
        assert_eq!(
            state["generation"],
            before["generation"].as_u64().unwrap() + 1
        );
        let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert_eq!(token, state["access_token"].as_str().unwrap());
        // The rotation's sinks and hooks were lost with the process; `hooks run` re-runs them.
        home.ok(&["hooks", "run", "nd"]);
        assert_eq!(std::fs::read_to_string(&sink).unwrap().trim(), token);
    }

    /// Where the randomized kills strike: every crash point of a refresh (the first atomic
    /// write is the journal mark, the second the new tokens), or a real SIGKILL after a random
    /// delay while the emulator answers slowly.
    const KILL_POINTS: [&str; 7] = [
        "rotate.before-send",
        "atomic.before-rename@1",
        "atomic.after-rename@1",
        "rotate.after-answer",
        "atomic.before-rename@2",
        "atomic.after-rename@2",
        "rotate.after-save",
    ];

    /// The measured target of the recovery rule: 60 randomized SIGKILLs during
    /// `refresh --force`, each followed by the next kill's run (which recovers whatever the
    /// last one left). Never a login for a refresh token Baidu had not consumed, never a torn or
    /// undecryptable state, never a refresh token presented after broker had saved Baidu's
    /// answer to it. Prints the figures (`--nocapture`).
    #[test]
    fn sixty_random_kills_during_refresh_force_send_nobody_to_login_for_a_live_token() {
        const RUNS: usize = 60;
        let started = std::time::Instant::now();
        let (home, _) = logged_in();
        home.emu().update_settings(broker_emulator::SettingsPatch {
            latency_ms: Some(40),
            ..Default::default()
        });
        let seed: u64 = std::env::var("CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(rand::random);
        eprintln!("CRASH_SEED={seed}");
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed);
        let (mut recovered, mut consumed_logins, mut wrongful_logins, mut reused_after_save) =
            (0, 0, 0, 0);
        let (mut killed, mut finished) = (0, 0);
        for run in 0..RUNS {
            let before = home.state_json("nd");
            let marked = before.get("refresh_in_flight").is_some();
            let reuse_before = home.emu().counters().refresh_reuse;
            let mut cmd = home.std_cmd(&["refresh", "nd", "--force"]);
            cmd.stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let kind = rand::RngExt::random_range(&mut rng, 0..KILL_POINTS.len() + 3);
            let status = if let Some(point) = KILL_POINTS.get(kind) {
                cmd.env("BROKER_FAILPOINT", point);
                run_within(cmd, Duration::from_secs(20)).status
            } else {
                let mut child = cmd.spawn().unwrap();
                let delay = rand::RngExt::random_range(&mut rng, 0..160);
                std::thread::sleep(Duration::from_millis(delay));
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(child.id() as i32),
                    nix::sys::signal::Signal::SIGKILL,
                );
                child.wait().unwrap()
            };
            if status.signal() == Some(9) {
                killed += 1;
            } else {
                finished += 1;
            }
            // Decrypted by the reference tool: never torn.
            let after = home.state_json("nd");
            assert!(after["access_token"].is_string(), "run {run}: {after}");
            let reused = home.emu().counters().refresh_reuse - reuse_before;
            if marked {
                recovered += 1;
            }
            if reused > 0 && !marked {
                reused_after_save += 1;
            }
            assert!(reused <= 1, "run {run}: presented {reused} times more");
            if after.get("needs_login").is_some() {
                if reused == 0 {
                    wrongful_logins += 1;
                } else {
                    consumed_logins += 1;
                }
                let code = home.oob_code();
                let out = home
                    .std_cmd(&["login", "nd", "--code", "-"])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .and_then(|mut c| {
                        use std::io::Write;
                        c.stdin.take().unwrap().write_all(code.as_bytes())?;
                        c.wait()
                    })
                    .unwrap();
                assert!(out.success(), "run {run}: login");
            }
        }
        // Settle what the last kill left: one more run, not killed.
        let before = home.state_json("nd");
        let reuse_before = home.emu().counters().refresh_reuse;
        let out = run_within(
            home.std_cmd(&["refresh", "nd", "--force"]),
            Duration::from_secs(20),
        );
        let reused = home.emu().counters().refresh_reuse - reuse_before;
        if before.get("refresh_in_flight").is_some() {
            recovered += 1;
        } else if reused > 0 {
            reused_after_save += 1;
        }
        match out.status.code() {
            Some(0) => {}
            Some(3) if reused == 1 => consumed_logins += 1,
            other => panic!(
                "the last run: exit {other:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
        let took = started.elapsed();
        eprintln!(
            "{RUNS} randomized kills (seed {seed}): {killed} killed, {finished} finished first; \
             {recovered} runs found a journal mark and recovered; {consumed_logins} ended in a \
             login because Baidu had consumed the token; {wrongful_logins} logins for a live \
             token; {reused_after_save} tokens presented after their answer was saved; \
             {} refresh requests, {} reuses (all of answers lost); {took:?}",
            home.refreshes(),
            home.emu().counters().refresh_reuse
        );
        assert_eq!(wrongful_logins, 0, "seed {seed}");
        assert_eq!(reused_after_save, 0, "seed {seed}");
        assert!(killed >= RUNS / 2, "too few kills landed: {killed}");
    }

    #[test]
    fn an_ai_profile_killed_at_any_step_just_fetches_again() {
        for point in [
            "rotate.before-send",
            "rotate.after-answer",
            "atomic.before-rename",
            "atomic.after-rename",
            "rotate.after-save",
        ] {
            let home = Home::with_emulator();
            home.add("ai", "ai");
            home.ok(&["token", "ai"]);
            crash(&home, &["refresh", "ai", "--force"], point);
            let (_, out) = after_crash(&home, "ai", Next::Token);
            assert!(
                String::from_utf8_lossy(&out.stdout).starts_with("24."),
                "{point}"
            );
        }
    }
}

/// Built without the feature, broker has no crash points: the variable does nothing.
#[cfg(not(feature = "failpoints"))]
#[test]
fn without_the_failpoints_feature_broker_failpoint_is_ignored() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let out = home
        .cmd(&["refresh", "nd", "--force"])
        .env("BROKER_FAILPOINT", "rotate.before-send")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// --- A full disk, an unwritable state folder, a read-only config -------------------------

/// Whether this process may make a private mount namespace (root with CAP_SYS_ADMIN, and a
/// container that allows it): mounts made in one vanish with its last process, so a failed
/// test leaves nothing mounted behind.
fn can_unshare() -> bool {
    static CAN: OnceLock<bool> = OnceLock::new();
    *CAN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        Command::new("unshare")
            .args(["-m", "sh", "-c", r#"mount -t tmpfs -o size=4k tmpfs "$0""#])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// `broker ARGS` from `home`, run by `sh -c SCRIPT` (which ends with `"$@"`, the broker
/// command line) inside a private mount namespace; `vars` are set for the script.
fn in_namespace(home: &Home, script: &str, vars: &[(&str, &Path)], args: &[&str]) -> Output {
    let mut cmd = home.wrapped("unshare", &["-m", "sh", "-c", script, "sh"], args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    run_within(cmd, Duration::from_secs(20))
}

/// `broker ARGS` with `dir` made unwritable even for root: a read-only bind mount in a
/// private mount namespace; as another user, mode 0500 on it and every folder in it. Where
/// neither can be done the test fails saying so (it is `#[ignore]`d for that reason).
fn with_read_only(home: &Home, dir: &Path, args: &[&str]) -> Output {
    if !nix::unistd::geteuid().is_root() {
        let folders = folders_in(dir);
        set_modes(&folders, 0o500);
        let out = run_within(home.std_cmd(args), Duration::from_secs(20));
        set_modes(&folders, 0o700);
        return out;
    }
    assert!(
        can_unshare(),
        "running as root without the right to mount: nothing can make `{}` unwritable; run this test as another user or with CAP_SYS_ADMIN",
        dir.display()
    );
    in_namespace(
        home,
        r#"mount --bind "$RO" "$RO" && mount -o remount,bind,ro "$RO" && exec "$@""#,
        &[("RO", dir)],
        args,
    )
}

fn folders_in(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(folders_in(&p));
        }
    }
    out
}

fn set_modes(folders: &[std::path::PathBuf], mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    for f in folders {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

/// Asserts that the state of `profile` is what it was: the same tokens, no journal mark.
fn unchanged(home: &Home, profile: &str, before: &serde_json::Value) {
    let after = home.state_json(profile);
    for key in ["access_token", "refresh_token", "generation", "expires_at"] {
        assert_eq!(after.get(key), before.get(key), "{key} changed");
    }
    assert!(after.get("refresh_in_flight").is_none(), "{after}");
    assert!(after.get("needs_login").is_none(), "{after}");
}

#[test]
fn a_file_size_limit_fails_the_save_cleanly_and_sends_no_refresh_token() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    home.add("ai", "ai");
    home.ok(&["token", "ai"]);
    let (nd, ai) = (home.state_json("nd"), home.state_json("ai"));
    home.emu().reset_counters();
    // RLIMIT_FSIZE 0: every write to a file fails with EFBIG. SIGXFSZ is ignored (it would
    // kill broker instead), as the ignored disposition survives exec.
    let limited = |args: &[&str]| {
        let script = r#"trap '' XFSZ; ulimit -f 0 && exec "$@""#;
        let cmd = home.wrapped("sh", &["-c", script, "sh"], args);
        run_within(cmd, Duration::from_secs(20))
    };
    let out = limited(&["refresh", "nd", "--force"]);
    assert_failed(&out, 6, "refresh under a file-size limit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot save the state of profile `nd`")
            && stderr.contains("file too large")
            && stderr.contains("the refresh token was not sent"),
        "{stderr}"
    );
    assert_eq!(
        home.refreshes(),
        0,
        "a refresh token was sent without a mark"
    );
    unchanged(&home, "nd", &nd);
    assert!(leftovers(&home, "nd").is_empty());

    // ai fetches first (that costs nothing), then cannot save: the old state stays.
    let out = limited(&["refresh", "ai", "--force"]);
    assert_failed(&out, 6, "ai refresh under a file-size limit");
    unchanged(&home, "ai", &ai);

    // With room again, everything works from where it was.
    home.ok(&["refresh", "nd", "--force"]);
    assert_eq!(home.refreshes(), 1);
    assert_eq!(home.emu().counters().refresh_reuse, 0);
}

#[test]
#[ignore = "needs the right to mount a tmpfs (root with CAP_SYS_ADMIN); run with --ignored where allowed"]
fn a_full_disk_fails_the_save_cleanly_and_keeps_the_old_state() {
    assert!(
        can_unshare(),
        "no right to mount a small tmpfs: run this test as root with CAP_SYS_ADMIN (the file-size-limit test covers the same path)"
    );
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let before = home.state_json("nd");
    home.emu().reset_counters();
    let out_dir = tempfile::tempdir().unwrap();
    // The state folder moves onto a 256 KiB tmpfs that a filler then fills; afterwards the
    // script copies out what is left on it, as the tmpfs vanishes with the namespace.
    let script = r#"
        set -u
        cp -a "$STATE/." "$OUT/orig" &&
        mount -t tmpfs -o size=256k,mode=0700 tmpfs "$STATE" &&
        cp -a "$OUT/orig/." "$STATE/" &&
        { dd if=/dev/zero of="$STATE/filler" bs=4k 2>/dev/null; true; } &&
        { "$@"; code=$?; } &&
        cp "$STATE/profiles/nd.age" "$OUT/nd.age" &&
        ls -a "$STATE/profiles" > "$OUT/listing" &&
        exit $code
    "#;
    let state_dir = home.state_dir();
    let out = in_namespace(
        &home,
        script,
        &[("STATE", &state_dir), ("OUT", out_dir.path())],
        &["refresh", "nd", "--force"],
    );
    assert_failed(&out, 6, "refresh on a full disk");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no space left on device") && stderr.contains("hint: free some disk space"),
        "{stderr}"
    );
    assert_eq!(home.refreshes(), 0);
    // The state on the full disk is the old one, whole, and nothing half-written is beside it.
    let on_full_disk: serde_json::Value =
        serde_json::from_str(&home.age_decrypt(&out_dir.path().join("nd.age"))).unwrap();
    for key in ["access_token", "refresh_token", "generation"] {
        assert_eq!(on_full_disk[key], before[key], "{key}");
    }
    assert!(on_full_disk.get("refresh_in_flight").is_none());
    let listing = std::fs::read_to_string(out_dir.path().join("listing")).unwrap();
    assert!(!listing.contains(".tmp"), "{listing}");
}

#[test]
#[ignore = "needs a user other than root, or root with the right to mount; run with --ignored where allowed"]
fn an_unwritable_state_folder_fails_cleanly_and_reading_still_works() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let before = home.state_json("nd");
    home.emu().reset_counters();
    let state_dir = home.state_dir();
    // A token that is not due needs no write at all.
    let out = with_read_only(&home, &state_dir, &["token", "nd"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        before["access_token"].as_str().unwrap()
    );
    let out = with_read_only(&home, &state_dir, &["refresh", "nd", "--force"]);
    assert_failed(&out, 6, "refresh with a read-only state folder");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&state_dir.display().to_string())
            && (stderr.contains("read-only file system") || stderr.contains("permission denied")),
        "{stderr}"
    );
    assert_eq!(home.refreshes(), 0);
    unchanged(&home, "nd", &before);
    home.ok(&["refresh", "nd", "--force"]);
}

#[test]
#[ignore = "needs a user other than root, or root with the right to mount; run with --ignored where allowed"]
fn a_read_only_config_works_for_token_refresh_and_status() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    home.add("spare", "ai");
    home.expire("nd");
    home.emu().reset_counters();
    let config_dir = home.config().parent().unwrap().to_path_buf();
    let config = home.read_config();
    let out = with_read_only(&home, &config_dir, &["token", "nd"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(home.refreshes(), 1, "the expired token was rotated");
    for args in [&["refresh", "nd", "--force"][..], &["status", "--json"]] {
        let out = with_read_only(&home, &config_dir, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(home.refreshes(), 2);
    // Writing the config is refused cleanly, and leaves it as it was.
    let out = with_read_only(&home, &config_dir, &["profile", "remove", "spare"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{stderr}"
    );
    assert_eq!(home.read_config(), config);
}

/// A panic is a bug, reported in one line: never its payload, which could hold a secret.
#[cfg(feature = "failpoints")]
#[test]
fn a_panic_holding_the_secret_prints_one_line_and_no_payload() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let out = home
        .cmd(&["-vvv", "token", "ai"])
        .env("BROKER_FAILPOINT", "rotate.panic-holding-secret")
        .output()
        .unwrap();
    assert_failed(&out, 1, "panic");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("internal error (a bug in broker)"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(crate::harness::SECRET),
        "the panic payload was printed: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
