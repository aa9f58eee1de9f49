//! `broker doctor`: a healthy home passes, and each kind of trouble fails with its fix.

use std::os::unix::fs::PermissionsExt;

use broker_emulator::{Fault, FaultKind};
use serde_json::Value;

use crate::harness::{APP_KEY, Home, SECRET};

const TOKEN_PATH: &str = "/oauth/2.0/token";

/// A home with a logged-in netdisk profile, an ai and a bce profile, all on the emulator.
fn healthy() -> Home {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    home.add("ai", "ai");
    home.add("qf", "bce");
    home.ok(&["token", "ai"]);
    home
}

/// `doctor --json`, parsed; asserts the exit code.
fn report(home: &Home, code: i32) -> Vec<Value> {
    let out = home.cmd(&["doctor", "--json"]).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(code),
        "stderr: {}\nstdout: {}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("doctor --json prints JSON");
    v.as_array().expect("an array").clone()
}

/// The findings of `check` (and `profile`, when given) that are not ok.
fn troubles<'a>(rows: &'a [Value], check: &str, profile: Option<&str>) -> Vec<&'a Value> {
    rows.iter()
        .filter(|r| r["check"] == check && r["status"] != "ok")
        .filter(|r| profile.is_none_or(|p| r["profile"] == p))
        .collect()
}

#[test]
fn a_healthy_home_is_all_ok_and_exits_0() {
    let home = healthy();
    let out = home.ok(&["doctor"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines.iter().all(|l| l.starts_with("ok ")),
        "not all ok:\n{out}"
    );
    for check in [
        "config:",
        "identity:",
        "recipients:",
        "mode:",
        "secret[nd]:",
        "state[nd]:",
        "state[ai]:",
        "state[qf]:",
        "endpoint:",
        "clock:",
    ] {
        assert!(out.contains(check), "no `{check}` line:\n{out}");
    }
    let rows = report(&home, 0);
    assert!(rows.iter().all(|r| r["status"] == "ok"), "{rows:#?}");
    for r in &rows {
        assert!(r["check"].is_string() && r["detail"].is_string(), "{r}");
        assert!(r.get("fix").is_none(), "{r}");
    }
    // One endpoint for the three profiles: checked once.
    assert_eq!(rows.iter().filter(|r| r["check"] == "endpoint").count(), 1);
}

#[test]
fn doctor_never_sends_a_credential() {
    let home = healthy();
    let before = home.emu().counters();
    home.ok(&["doctor"]);
    let after = home.emu().counters();
    assert_eq!(before.grants, after.grants, "doctor asked for a token");
    let bce = |c: &broker_emulator::Counters| c.endpoints.get("/v1/BCE-BEARER/token").copied();
    assert_eq!(bce(&before), bce(&after), "doctor asked for a bearer token");
    assert_eq!(after.secret_in_url, 0);
}

#[test]
fn a_state_file_readable_by_others_fails_naming_chmod() {
    let home = healthy();
    let file = home.state_file("nd");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = home.fails(&["doctor"], 6);
    assert!(err.contains("mode"), "{err}");
    let rows = report(&home, 6);
    let bad = troubles(&rows, "mode", None);
    assert_eq!(bad.len(), 1, "{rows:#?}");
    assert_eq!(bad[0]["status"], "fail");
    assert!(
        bad[0]["detail"].as_str().unwrap().contains("0644"),
        "{bad:?}"
    );
    let fix = bad[0]["fix"].as_str().unwrap();
    assert!(
        fix.starts_with("chmod 600") && fix.contains(&*file.to_string_lossy()),
        "{fix}"
    );
}

// Contract change (the recovery rule): a mark left by a lost refresh is recovered by the next
// use, so doctor warns and names `broker token`, not `broker login`.
#[test]
fn a_journal_mark_left_by_a_lost_refresh_warns_that_the_next_use_recovers() {
    let home = healthy();
    // The refresh reaches the emulator (the token is spent) but its answer is lost.
    home.emu().inject_fault(
        Fault::new(FaultKind::Drop)
            .on_path(TOKEN_PATH)
            .after_handling(),
    );
    home.fails(&["refresh", "nd", "--force"], 5);
    assert!(
        home.state_json("nd")["refresh_in_flight"].is_object(),
        "the journal mark is gone"
    );
    let out = home.cmd(&["doctor"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("warn  state[nd]: a refresh was interrupted"),
        "{text}"
    );
    let rows = report(&home, 0);
    let bad = troubles(&rows, "state", Some("nd"));
    assert_eq!(bad.len(), 1, "{rows:#?}");
    assert!(
        bad[0]["fix"].as_str().unwrap().contains("broker token nd"),
        "{bad:?}"
    );
    // The other profiles are still fine.
    assert!(troubles(&rows, "state", Some("ai")).is_empty());
}

#[test]
fn an_identity_missing_from_the_recipients_fails() {
    let home = healthy();
    // Replace our recipient with a stranger's: what broker encrypts next is not for us.
    let mine = home.ok(&["init"]).trim().to_owned();
    let stranger = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
    home.write_config(&home.read_config().replace(&mine, stranger));
    let err = home.fails(&["doctor"], 6);
    assert!(err.contains("recipients"), "{err}");
    let rows = report(&home, 6);
    let bad = troubles(&rows, "recipients", None);
    assert_eq!(bad.len(), 1, "{rows:#?}");
    let detail = bad[0]["detail"].as_str().unwrap();
    assert!(detail.contains(&mine), "{detail}");
    assert!(
        bad[0]["fix"]
            .as_str()
            .unwrap()
            .contains("broker secret rekey"),
        "{bad:?}"
    );
}

#[test]
fn an_unreachable_endpoint_fails_with_exit_5() {
    let home = Home::init();
    home.ok_stdin(
        &[
            "profile",
            "add",
            "far",
            "--grant",
            "ai",
            "--app-key",
            APP_KEY,
            "--endpoint",
            "http://127.0.0.1:1",
        ],
        SECRET,
    );
    let started = std::time::Instant::now();
    let err = home.fails(&["doctor"], 5);
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
    assert!(err.contains("endpoint"), "{err}");
    let rows = report(&home, 5);
    let bad = troubles(&rows, "endpoint", None);
    assert_eq!(bad.len(), 1, "{rows:#?}");
    let detail = bad[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("http://127.0.0.1:1") && detail.contains("far"),
        "{detail}"
    );
    // Nothing else is wrong in this home.
    let others: Vec<&Value> = rows
        .iter()
        .filter(|r| r["status"] != "ok" && r["check"] != "endpoint")
        .collect();
    assert!(others.is_empty(), "{others:#?}");
}

#[test]
fn a_broken_config_is_reported_and_the_rest_still_checked() {
    let home = Home::init();
    home.write_config(&format!(
        "{}\n[profiles.x]\ngrant = \"oauth\"\n",
        home.read_config()
    ));
    let rows = report(&home, 2);
    let bad = troubles(&rows, "config", None);
    assert_eq!(bad.len(), 1, "{rows:#?}");
    assert!(
        bad[0]["detail"].as_str().unwrap().contains("line"),
        "{bad:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r["check"] == "identity" && r["status"] == "ok"),
        "{rows:#?}"
    );
}

#[test]
fn warnings_do_not_fail_doctor() {
    let home = Home::with_emulator();
    home.add("nd", "netdisk");
    let rows = report(&home, 0);
    let warned = troubles(&rows, "state", Some("nd"));
    assert_eq!(warned.len(), 1, "{rows:#?}");
    assert_eq!(warned[0]["status"], "warn");
    assert!(
        warned[0]["fix"]
            .as_str()
            .unwrap()
            .contains("broker login nd")
    );
}

#[test]
fn a_passphrase_identity_without_its_passphrase_is_a_warning_not_a_prompt() {
    let home = Home::new();
    let out = home
        .cmd(&["init", "--passphrase"])
        .env("BROKER_AGE_PASSPHRASE", "correct horse")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = report(&home, 0);
    let id = troubles(&rows, "identity", None);
    assert_eq!(id.len(), 1, "{rows:#?}");
    assert_eq!(id[0]["status"], "warn");
    assert!(
        id[0]["detail"]
            .as_str()
            .unwrap()
            .contains("BROKER_AGE_PASSPHRASE"),
        "{id:?}"
    );
}
