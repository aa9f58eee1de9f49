//! Single-flight rotation, the journal, and the network's failures.

use std::time::{Duration, Instant};

use broker_emulator::{Fault, FaultKind};

use crate::harness::{Home, assert_failed};

const TOKEN_PATH: &str = "/oauth/2.0/token";

#[test]
fn thirty_two_processes_on_an_expired_netdisk_token_refresh_once() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    home.expire("nd");
    home.emu().reset_counters();
    let outs = home.parallel(32, &["token", "nd"]);
    let tokens: std::collections::BTreeSet<String> = outs
        .iter()
        .map(|o| {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            String::from_utf8(o.stdout.clone()).unwrap()
        })
        .collect();
    assert_eq!(
        tokens.len(),
        1,
        "processes printed different tokens: {tokens:?}"
    );
    let c = home.emu().counters();
    assert_eq!(c.grants.get("refresh_token"), Some(&1), "{c:?}");
    assert_eq!(c.refresh_reuse, 0);
}

#[test]
fn thirty_two_processes_on_an_expired_ai_token_fetch_once() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.ok(&["token", "ai"]);
    home.expire("ai");
    home.emu().reset_counters();
    let outs = home.parallel(32, &["token", "ai"]);
    let tokens: std::collections::BTreeSet<Vec<u8>> = outs
        .iter()
        .map(|o| {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            o.stdout.clone()
        })
        .collect();
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        home.emu().counters().grants.get("client_credentials"),
        Some(&1)
    );
}

// Contract change (the recovery rule): the next run no longer sends a person to `broker
// login` for a refresh that was killed; it presents the journaled refresh token once more.
#[test]
fn kill_9_during_a_refresh_leaves_a_readable_state_and_the_next_run_recovers() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    home.emu().reset_counters();
    // The answer is slow and never handled: Baidu has not consumed the refresh token.
    home.emu()
        .inject_fault(Fault::new(FaultKind::Drop).on_path(TOKEN_PATH));
    home.emu().update_settings(broker_emulator::SettingsPatch {
        latency_ms: Some(10_000),
        ..Default::default()
    });
    let mut child = home
        .std_cmd(&["refresh", "nd", "--force"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !home.emu().counters().grants.contains_key("refresh_token") {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the refresh never reached the emulator"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    child.wait().unwrap();
    // The state still decrypts with the reference tool, and carries the journal mark.
    let state = home.state_json("nd");
    assert!(state["refresh_in_flight"].is_object(), "{state}");
    assert!(state["refresh_token"].is_string());
    home.emu().update_settings(broker_emulator::SettingsPatch {
        latency_ms: Some(0),
        ..Default::default()
    });
    let token = home.ok(&["token", "nd"]);
    let after = home.state_json("nd");
    assert_eq!(token.trim(), after["access_token"].as_str().unwrap());
    assert!(after.get("refresh_in_flight").is_none(), "{after}");
    assert_eq!(home.refreshes(), 2);
    assert_eq!(home.emu().counters().refresh_reuse, 0);
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.emu().inject_fault(
        Fault::new(FaultKind::Status {
            status: 503,
            body: None,
        })
        .on_path(TOKEN_PATH)
        .times(2),
    );
    assert!(home.ok(&["token", "ai"]).starts_with("24."));
    assert_eq!(
        home.emu().counters().grants.get("client_credentials"),
        Some(&3)
    );
}

#[test]
fn server_errors_forever_give_up_with_exit_5_in_bounded_time() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.emu().inject_fault(
        Fault::new(FaultKind::Status {
            status: 500,
            body: None,
        })
        .on_path(TOKEN_PATH)
        .times(10_000),
    );
    let started = Instant::now();
    let out = home
        .cmd(&["token", "ai", "--timeout", "3s"])
        .output()
        .unwrap();
    assert_failed(&out, 5, "5xx forever");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        home.emu().counters().grants["client_credentials"] >= 2,
        "never retried"
    );
}

#[test]
fn a_stalled_server_is_given_up_on() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.emu().inject_fault(
        Fault::new(FaultKind::Delay { ms: 60_000 })
            .on_path(TOKEN_PATH)
            .times(100),
    );
    let started = Instant::now();
    let out = home
        .cmd(&["token", "ai", "--timeout", "2s"])
        .output()
        .unwrap();
    assert_failed(&out, 5, "stall");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_garbage_body_is_a_clean_error() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.emu()
        .inject_fault(Fault::new(FaultKind::Garbage { body: None }).on_path(TOKEN_PATH));
    let err = home.fails(&["token", "ai"], 5);
    assert!(err.contains("not a token"), "{err}");
}

#[test]
fn a_dropped_connection_on_a_refresh_is_not_retried() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    home.emu().reset_counters();
    home.emu().inject_fault(
        Fault::new(FaultKind::Drop)
            .on_path(TOKEN_PATH)
            .after_handling(),
    );
    let err = home.fails(&["refresh", "nd", "--force"], 5);
    assert!(err.contains("may have been spent"), "{err}");
    assert_eq!(home.emu().counters().grants.get("refresh_token"), Some(&1));
    // Contract change (the recovery rule): the next run presents the journaled token once
    // more; Baidu says it was used (its answer was the one dropped), so: log in, with the story.
    let err = home.fails(&["token", "nd"], 3);
    assert!(
        err.contains("interrupted")
            && err.contains("already used")
            && err.contains("broker login nd"),
        "{err}"
    );
    assert_eq!(home.emu().counters().grants.get("refresh_token"), Some(&2));
    // Settled: no third presentation.
    home.fails(&["token", "nd"], 3);
    assert_eq!(home.emu().counters().grants.get("refresh_token"), Some(&2));
    assert_eq!(home.emu().counters().refresh_reuse, 1);
}

#[test]
fn security_policy_on_a_refresh_is_exit_5_after_exactly_one_attempt() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    home.emu().reset_counters();
    home.emu().inject_fault(
        Fault::new(FaultKind::SecurityPolicy)
            .on_path(TOKEN_PATH)
            .times(5),
    );
    let err = home.fails(&["refresh", "nd", "--force"], 5);
    assert!(err.contains("throttled"), "{err}");
    assert_eq!(home.emu().counters().grants.get("refresh_token"), Some(&1));
}

#[test]
fn a_spent_refresh_token_marks_the_profile_for_login_and_deletes_nothing() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let before = home.state_json("nd");
    home.emu()
        .inject_fault(Fault::new(FaultKind::ExpiredToken).on_path(TOKEN_PATH));
    let err = home.fails(&["refresh", "nd", "--force"], 3);
    assert!(err.contains("broker login nd"), "{err}");
    let after = home.state_json("nd");
    assert_eq!(
        after["refresh_token"], before["refresh_token"],
        "the refresh token was deleted"
    );
    assert_eq!(after["access_token"], before["access_token"]);
    assert!(after["needs_login"].is_object());
    home.emu().reset_counters();
    home.fails(&["token", "nd", "--min-ttl", "1000d"], 3);
    assert_eq!(
        home.emu().counters().requests,
        0,
        "asked Baidu again after a rejected refresh token"
    );
}

#[test]
fn refresh_all_rotates_every_profile() {
    let home = Home::with_emulator();
    home.add("a1", "ai");
    home.add("a2", "ai");
    home.add("q", "bce");
    home.login_netdisk("nd");
    home.emu().reset_counters();
    home.ok(&["refresh", "--all", "--force"]);
    let c = home.emu().counters();
    assert_eq!(c.grants.get("client_credentials"), Some(&2));
    assert_eq!(c.grants.get("refresh_token"), Some(&1));
    assert_eq!(c.endpoints.get("/v1/BCE-BEARER/token"), Some(&1));
    assert_eq!(c.secret_in_url, 0);
}

/// Regression: a refused connection (nothing listens on the port) was retried for the whole
/// 30 s time limit, in silence.
#[test]
fn a_refused_connection_gives_up_after_three_attempts_within_seconds() {
    let home = Home::init();
    home.add_offline("ai", "ai", "sk");
    let started = Instant::now();
    let out = home.cmd(&["token", "ai"]).output().unwrap();
    let took = started.elapsed();
    assert_failed(&out, 5, "refused");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(took < Duration::from_secs(5), "took {took:?}: {stderr}");
    assert!(
        stderr.contains("connection refused") && stderr.contains(", after 3 attempts over"),
        "{stderr}"
    );
}

/// Regression: ten 503s sat silent for 21 s; the final error now says how often broker tried.
#[test]
fn server_errors_that_outlast_the_retries_say_how_often_broker_tried() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.emu().inject_fault(
        Fault::new(FaultKind::Status {
            status: 503,
            body: None,
        })
        .on_path(TOKEN_PATH)
        .times(10),
    );
    let err = home.fails(&["token", "ai"], 5);
    assert!(
        err.contains("HTTP 503") && err.contains(", after 5 attempts over"),
        "{err}"
    );
    assert_eq!(
        home.emu().counters().grants.get("client_credentials"),
        Some(&5)
    );
}

/// `broker ARGS` under `script`, so stderr is a pseudo-terminal; returns what it printed.
fn on_a_terminal(home: &Home, args: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("broker");
    let out = std::process::Command::new("script")
        .args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("TERM", "xterm")
        .current_dir(home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("`script` (util-linux) must be installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// On a terminal a retry shows one progress line on stderr, cleared before the next output;
/// in a pipe there is none.
#[test]
fn retries_show_a_progress_line_on_a_terminal_only() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let fault = || {
        Fault::new(FaultKind::Status {
            status: 503,
            body: None,
        })
        .on_path(TOKEN_PATH)
        .times(2)
    };
    home.emu().inject_fault(fault());
    let shown = on_a_terminal(&home, "token ai");
    assert!(shown.contains("retrying… 2/5, HTTP 503"), "{shown:?}");
    assert!(shown.contains("retrying… 3/5, HTTP 503"), "{shown:?}");
    assert!(shown.contains("\r\x1b[2K"), "never cleared: {shown:?}");
    let after = &shown[shown.rfind("\x1b[2K").unwrap() + "\x1b[2K".len()..];
    assert!(after.starts_with("24."), "{shown:?}");

    home.ok(&["refresh", "ai", "--force"]);
    home.emu().inject_fault(fault());
    let out = home.cmd(&["refresh", "ai", "--force"]).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("retrying"), "{stderr:?}");
    assert!(!stderr.contains('\r'), "{stderr:?}");
}
