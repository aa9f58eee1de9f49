//! Time and place of a token state: a wall clock that jumps (libfaketime) must neither make
//! broker rotate for nothing nor skip a due rotation, nor show nonsense; a state file copied to
//! a second home (one refresh-token lineage in two places) is noticed, and a refresh token
//! found spent is explained.

use std::process::{Command, Output};

use crate::harness::{Home, assert_failed};

/// `broker ARGS` in `home` with the wall clock moved by `offset` (libfaketime's syntax:
/// `+31d`, `-3d`). libfaketime moves the monotonic clock by the same constant, so durations
/// measured inside broker are unchanged.
fn at(home: &Home, offset: &str, args: &[&str]) -> Output {
    home.wrapped("faketime", &["-f", offset], args)
        .output()
        .expect("libfaketime's `faketime` is installed (scripts/test.sh installs it)")
}

fn ok_at(home: &Home, offset: &str, args: &[&str]) -> String {
    let out = at(home, offset, args);
    assert!(
        out.status.success(),
        "broker {args:?} at {offset}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The ages `status --json` shows for one profile; none may read as negative or as an event
/// still to come, whatever the clock did.
fn ages(status: &str) -> Vec<String> {
    let rows: serde_json::Value = serde_json::from_str(status).unwrap();
    ["refresh_token_age", "last_rotation_ago", "expires"]
        .iter()
        .filter_map(|k| rows[0][*k].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn a_clock_jumping_past_expiry_rotates_once_and_back_rotates_nothing() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let first = home.state_json("nd");
    home.emu().reset_counters();

    // 10 days on, 20 of 30 are left: not due.
    let token = ok_at(&home, "+10d", &["token", "nd"]);
    assert_eq!(token.trim(), first["access_token"].as_str().unwrap());
    assert_eq!(home.emu().counters().requests, 0);

    // 31 days on, the token has expired: one rotation, then the new token is used.
    let rotated = ok_at(&home, "+31d", &["token", "nd"]);
    assert_ne!(rotated, token);
    assert_eq!(home.refreshes(), 1);
    assert_eq!(ok_at(&home, "+31d", &["token", "nd"]), rotated);
    assert_eq!(home.refreshes(), 1);

    // Back to the real clock: the token was "obtained" 31 days from now. It is not due (it
    // expires 61 days from now), so nothing is asked, and status shows no negative age.
    assert_eq!(home.ok(&["token", "nd"]), rotated);
    home.ok(&["refresh", "nd"]);
    assert_eq!(home.refreshes(), 1);
    let status = home.ok(&["status", "nd", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(rows[0]["state"], "ok");
    let ages = ages(&status);
    assert_eq!(
        ages,
        vec![
            "in the future (the clock was set back?)".to_owned(),
            "in the future (the clock was set back?)".to_owned(),
            "in 61 days".to_owned()
        ]
    );
    // The table reads too.
    home.ok(&["status"]);
    assert_eq!(home.emu().counters().refresh_reuse, 0);
}

#[test]
fn a_clock_set_back_neither_rotates_nor_shows_negative_ages() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let first = home.state_json("nd");
    home.emu().reset_counters();
    let token = ok_at(&home, "-3d", &["token", "nd"]);
    assert_eq!(token.trim(), first["access_token"].as_str().unwrap());
    ok_at(&home, "-3d", &["refresh", "nd"]);
    ok_at(&home, "-3d", &["token", "nd", "--min-ttl", "1d"]);
    assert_eq!(home.emu().counters().requests, 0, "asked Baidu for nothing");
    let status = ok_at(&home, "-3d", &["status", "nd", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(rows[0]["state"], "ok");
    assert_eq!(
        ages(&status),
        vec![
            "in the future (the clock was set back?)".to_owned(),
            "in the future (the clock was set back?)".to_owned(),
            "in 33 days".to_owned()
        ]
    );
    // Forward again, past expiry from the real login: one rotation.
    ok_at(&home, "+30d", &["token", "nd"]);
    assert_eq!(home.refreshes(), 1);
}

#[test]
fn an_ai_token_is_fetched_again_once_when_the_clock_passes_its_expiry() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let first = home.ok(&["token", "ai"]);
    home.emu().reset_counters();
    let later = ok_at(&home, "+31d", &["token", "ai"]);
    assert_ne!(later, first);
    assert_eq!(ok_at(&home, "+31d", &["token", "ai"]), later);
    assert_eq!(home.ok(&["token", "ai"]), later);
    assert_eq!(
        home.emu().counters().grants.get("client_credentials"),
        Some(&1)
    );
}

// --- Lineage: one state in two places ------------------------------------------------------

/// A second home holding a copy of `home`'s config, identity and state (as a backup restored
/// elsewhere, or a home folder synced to another machine, would).
fn copy_of(home: &Home) -> Home {
    let copy = Home {
        dir: tempfile::tempdir().unwrap(),
        emulator: None,
    };
    for dir in [".config", ".local"] {
        let status = Command::new("cp")
            .arg("-a")
            .arg(home.path().join(dir))
            .arg(copy.path())
            .status()
            .unwrap();
        assert!(status.success());
    }
    copy
}

fn run(home: &Home, args: &[&str]) -> (String, String) {
    let out = home.cmd(args).output().unwrap();
    assert!(
        out.status.success(),
        "broker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_copied_state_is_noticed_once_and_its_spent_refresh_token_explained() {
    let a = Home::with_emulator();
    a.login_netdisk("nd");
    let b = copy_of(&a);
    let a_file = std::fs::canonicalize(a.state_file("nd")).unwrap();
    let a_path = a_file.display().to_string();
    let lineage = a.state_json("nd")["lineage"].as_str().unwrap().to_owned();
    assert_eq!(lineage.len(), 16);

    // The original is at home: no warning.
    let (status, warned) = run(&a, &["status", "nd", "--json"]);
    assert!(!warned.contains("warning"), "{warned}");
    assert!(!status.contains("copied_from"), "{status}");

    // The copy: `status` says so, and keeps saying so without writing anything.
    for _ in 0..2 {
        let (status, warned) = run(&b, &["status", "nd", "--json"]);
        let rows: serde_json::Value = serde_json::from_str(&status).unwrap();
        assert_eq!(rows[0]["copied_from"]["path"], a_path.as_str(), "{status}");
        assert_eq!(rows[0]["lineage"], lineage.as_str());
        assert!(
            warned.contains("warning:") && warned.contains(&a_path),
            "{warned}"
        );
    }
    // `token` warns once, and records the copy so that it does not warn again.
    let (_, warned) = run(&b, &["token", "nd"]);
    assert!(
        warned.contains("warning:")
            && warned.contains(&format!("lineage `{lineage}`"))
            && warned.contains("two places"),
        "{warned}"
    );
    assert_eq!(warned.lines().count(), 1, "{warned}");
    let (_, again) = run(&b, &["token", "nd"]);
    assert!(again.is_empty(), "warned twice: {again}");
    let (status, quiet) = run(&b, &["status", "nd", "--json"]);
    assert!(quiet.is_empty(), "{quiet}");
    assert!(
        status.contains(&a_path),
        "the copy is still known: {status}"
    );
    assert!(run(&b, &["status"]).0.contains("ok (copied)"));
    assert_eq!(b.state_json("nd")["lineage"], lineage.as_str());

    // The original refreshes first; the copy's refresh token is then spent, and it says why.
    run(&a, &["refresh", "nd", "--force"]);
    let err = b.fails(&["refresh", "nd", "--force"], 3);
    assert!(
        err.contains(&format!("copied from `{a_path}`")) && err.contains("broker login nd"),
        "{err}"
    );
    // And keeps saying it: the profile needs a login, for that reason.
    let err = b.fails(&["token", "nd"], 3);
    assert!(err.contains("copied from"), "{err}");
    assert_eq!(a.emu().counters().refresh_reuse, 1);

    // A login in the copy starts a lineage of its own, at home there.
    let code = a.oob_code();
    b.ok_stdin(&["login", "nd", "--code", "-"], &code);
    let fresh = b.state_json("nd");
    assert_ne!(fresh["lineage"], lineage.as_str());
    assert!(fresh.get("copied_from").is_none(), "{fresh}");
    let (status, quiet) = run(&b, &["status", "nd", "--json"]);
    assert!(
        !status.contains("copied_from") && quiet.is_empty(),
        "{status}{quiet}"
    );
    run(&a, &["token", "nd"]);
}

#[test]
fn the_original_is_told_its_refresh_token_was_likely_used_by_a_copy() {
    let a = Home::with_emulator();
    a.login_netdisk("nd");
    let b = copy_of(&a);
    // The copy refreshes first (warning that it is a copy) and keeps the lineage.
    let out = b.cmd(&["refresh", "nd", "--force"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning:"));
    let out = a.cmd(&["refresh", "nd", "--force"]).output().unwrap();
    assert_failed(&out, 3, "the original after the copy refreshed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("used elsewhere")
            && err.contains("a copy of this state")
            && err.contains("broker login nd"),
        "{err}"
    );
    b.ok(&["token", "nd"]);
}
