//! The refresh path's availability rules: an interrupted refresh is recovered rather than
//! sent to `broker login`, a good refresh token in an otherwise unusable answer is kept, an
//! answer that arrived while broker was stopped is saved, a lock held by a stopped process
//! is given up on with exit 5, an explicit `--min-ttl` is kept, and a state is never written
//! to recipients the running identity is not among.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use broker_emulator::{Fault, FaultKind};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::harness::{Home, assert_failed};

const TOKEN_PATH: &str = "/oauth/2.0/token";
/// Somebody else's age recipient.
const STRANGER: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

/// A netdisk profile `nd` logged in, the emulator's counters at zero.
fn logged_in() -> (Home, serde_json::Value) {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    home.emu().reset_counters();
    let before = home.state_json("nd");
    (home, before)
}

/// Rewrites the state of `profile` as the reference `age` sees it (like `Home::expire`).
fn spawn(home: &Home, args: &[&str]) -> Child {
    home.std_cmd(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// Waits until the emulator has received `n` refresh requests.
fn wait_for_refreshes(home: &Home, n: u64) {
    let started = Instant::now();
    while home.refreshes() < n {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the refresh never reached the emulator"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn signal(child: &Child, sig: Signal) {
    kill(Pid::from_raw(child.id() as i32), sig).unwrap();
}

fn status_state(home: &Home) -> String {
    let rows: serde_json::Value =
        serde_json::from_str(&home.ok(&["status", "nd", "--json"])).unwrap();
    rows[0]["state"].as_str().unwrap().to_owned()
}

// --- item: 5xx / 429 with an HTML body ---------------------------------------------------

#[test]
fn a_5xx_or_429_with_an_html_body_on_a_refresh_does_not_send_anyone_to_login() {
    let (home, _) = logged_in();
    for (i, status) in [503u16, 502, 429].into_iter().enumerate() {
        let before = home.state_json("nd");
        home.emu()
            .inject_fault(Fault::new(FaultKind::Status { status, body: None }).on_path(TOKEN_PATH));
        let err = home.fails(&["refresh", "nd", "--force"], 5);
        assert!(!err.contains("broker login"), "HTTP {status}: {err}");
        // The next run presents the same refresh token once more, and gets a token.
        let token = home.ok(&["token", "nd"]);
        let after = home.state_json("nd");
        assert_eq!(token.trim(), after["access_token"].as_str().unwrap());
        assert_ne!(after["refresh_token"], before["refresh_token"]);
        assert!(after.get("refresh_in_flight").is_none(), "{after}");
        assert_eq!(home.refreshes(), 2 * (i as u64 + 1), "HTTP {status}");
        assert_eq!(home.emu().counters().refresh_reuse, 0);
    }
}

/// Regression (review): after an interrupted refresh, a recovery that gets no settling answer
/// (Baidu still failing) must not turn a valid, not-due token into exit 5 for every `token`:
/// the stored token is served with a warning, the mark stays, and a later rotation recovers.
#[test]
fn an_outage_after_an_interrupted_refresh_still_serves_the_valid_token() {
    let (home, before) = logged_in();
    home.emu().inject_fault(
        Fault::new(FaultKind::Status {
            status: 503,
            body: None,
        })
        .on_path(TOKEN_PATH),
    );
    home.fails(&["refresh", "nd", "--force"], 5);
    assert!(home.state_json("nd")["refresh_in_flight"].is_object());
    for _ in 0..2 {
        home.emu().inject_fault(
            Fault::new(FaultKind::Status {
                status: 503,
                body: None,
            })
            .on_path(TOKEN_PATH),
        );
        let out = home.cmd(&["token", "nd"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            before["access_token"].as_str().unwrap()
        );
        assert!(stderr.contains("serving the stored token"), "{stderr}");
        assert!(home.state_json("nd")["refresh_in_flight"].is_object());
    }
    // Baidu is back: the next use recovers with the journaled refresh token.
    let token = home.ok(&["token", "nd"]);
    let after = home.state_json("nd");
    assert_eq!(token.trim(), after["access_token"].as_str().unwrap());
    assert!(after.get("refresh_in_flight").is_none(), "{after}");
    assert_eq!(home.emu().counters().refresh_reuse, 0);
}

// --- item: an unusable expires_in next to a good refresh token ----------------------------

#[test]
fn an_unusable_expires_in_keeps_the_new_refresh_token() {
    let (home, _) = logged_in();
    let values = [
        serde_json::json!(2592000.0),
        serde_json::json!("2592000.0"),
        serde_json::json!(-1),
        serde_json::Value::Null,
    ];
    for (i, value) in values.into_iter().enumerate() {
        let before = home.state_json("nd");
        home.emu().inject_fault(
            Fault::new(FaultKind::ExpiresIn {
                value: value.clone(),
            })
            .on_path(TOKEN_PATH),
        );
        let err = home.fails(&["refresh", "nd", "--force"], 5);
        assert!(err.contains("expires_in"), "{value}: {err}");
        let kept = home.state_json("nd");
        assert_ne!(
            kept["refresh_token"], before["refresh_token"],
            "{value}: the new refresh token was dropped"
        );
        assert!(kept.get("refresh_in_flight").is_none(), "{kept}");
        assert!(kept.get("needs_login").is_none(), "{kept}");
        // Stored as due: the next call rotates with the new refresh token.
        let token = home.ok(&["token", "nd"]);
        let after = home.state_json("nd");
        assert_eq!(token.trim(), after["access_token"].as_str().unwrap());
        assert_ne!(after["refresh_token"], kept["refresh_token"]);
        assert_eq!(home.refreshes(), 2 * (i as u64 + 1));
        assert_eq!(home.emu().counters().refresh_reuse, 0, "{value}");
    }
}

/// Regression (review): a salvaged answer is stored with a lifetime of zero, which is not what
/// Baidu grants: an explicit `--min-ttl` must rotate it, not refuse it as unkeepable.
#[test]
fn a_salvaged_token_under_an_explicit_min_ttl_rotates_instead_of_being_refused() {
    let (home, _) = logged_in();
    home.emu().inject_fault(
        Fault::new(FaultKind::ExpiresIn {
            value: serde_json::json!(2592000.0),
        })
        .on_path(TOKEN_PATH),
    );
    home.fails(&["refresh", "nd", "--force"], 5);
    let token = home.ok(&["token", "nd", "--min-ttl", "1h"]);
    assert_eq!(
        token.trim(),
        home.state_json("nd")["access_token"].as_str().unwrap()
    );
    assert_eq!(home.refreshes(), 2);
}

/// Regression (review): an imported token's lifetime is what was left at the import, not
/// Baidu's: a `--min-ttl` longer than that rotates (and a 30-day token meets it).
#[test]
fn an_imported_token_under_a_longer_min_ttl_rotates_instead_of_being_refused() {
    let (home, _) = logged_in();
    let pair = home.state_json("nd");
    let json = serde_json::json!({
        "access_token": pair["access_token"],
        "refresh_token": pair["refresh_token"],
        "expires_in": 172800,
    });
    home.ok_stdin(&["login", "nd", "--with-token"], &json.to_string());
    assert_eq!(home.state_json("nd")["imported"], true);
    let before = home.refreshes();
    home.ok(&["token", "nd", "--min-ttl", "3d"]);
    assert_eq!(home.refreshes(), before + 1);
    let after = home.state_json("nd");
    assert!(after.get("imported").is_none(), "{after}");
    // Now the lifetime is Baidu's: a promise no token can keep is refused before sending.
    home.fails(&["token", "nd", "--min-ttl", "40d"], 2);
    assert_eq!(home.refreshes(), before + 1);
}

// --- item: an answer that arrived while broker was stopped --------------------------------

#[test]
fn an_answer_that_arrived_while_broker_was_stopped_is_read_and_saved() {
    let (home, before) = logged_in();
    home.emu()
        .inject_fault(Fault::new(FaultKind::Delay { ms: 300 }).on_path(TOKEN_PATH));
    let child = spawn(&home, &["refresh", "nd", "--force", "--timeout", "2s"]);
    wait_for_refreshes(&home, 1);
    // Ctrl-Z while the answer is on its way; resumed after the deadline has passed.
    signal(&child, Signal::SIGSTOP);
    std::thread::sleep(Duration::from_millis(3000));
    signal(&child, Signal::SIGCONT);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the answer in the socket buffer was dropped: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = home.state_json("nd");
    assert_eq!(
        after["generation"],
        before["generation"].as_u64().unwrap() + 1
    );
    assert!(after.get("refresh_in_flight").is_none(), "{after}");
    home.ok(&["token", "nd"]);
    assert_eq!(home.refreshes(), 1);
    assert_eq!(home.emu().counters().refresh_reuse, 0);
}

// --- item: a lock held by a stopped process -------------------------------------------------

#[test]
fn a_lock_held_by_a_stopped_process_is_given_up_with_exit_5_naming_its_pid() {
    let (home, _) = logged_in();
    home.emu()
        .inject_fault(Fault::new(FaultKind::Delay { ms: 1000 }).on_path(TOKEN_PATH));
    let child = spawn(&home, &["refresh", "nd", "--force"]);
    wait_for_refreshes(&home, 1);
    signal(&child, Signal::SIGSTOP);
    let started = Instant::now();
    let out = home
        .cmd(&["refresh", "nd", "--force", "--timeout", "1s"])
        .output()
        .unwrap();
    let took = started.elapsed();
    signal(&child, Signal::SIGCONT);
    let holder = child.id();
    let held = child.wait_with_output().unwrap();
    assert_failed(&out, 5, "waiting for a stopped holder");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("pid {holder}")) && stderr.contains("stopped"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    // The holder, resumed, finishes its refresh.
    assert!(
        held.status.success(),
        "{}",
        String::from_utf8_lossy(&held.stderr)
    );
    assert_eq!(home.refreshes(), 1);
}

// --- item: status of a refresh under way ----------------------------------------------------

#[test]
fn status_says_a_refresh_under_way_is_under_way_not_interrupted() {
    let (home, _) = logged_in();
    home.emu()
        .inject_fault(Fault::new(FaultKind::Delay { ms: 5000 }).on_path(TOKEN_PATH));
    let child = spawn(&home, &["refresh", "nd", "--force"]);
    wait_for_refreshes(&home, 1);
    let live = status_state(&home);
    signal(&child, Signal::SIGKILL);
    let _ = child.wait_with_output();
    assert_eq!(live, "refresh under way");
    assert_eq!(status_state(&home), "refresh interrupted");
}

// --- item: an explicit --min-ttl -----------------------------------------------------------

#[test]
fn an_explicit_min_ttl_is_not_capped_at_half_the_lifetime() {
    let (home, before) = logged_in();
    // A 30-day token with 20 days left: due for `--min-ttl 25d`, though 25d > 30d / 2.
    home.rewrite_state("nd", |s| {
        let now = chrono::Utc::now();
        s["obtained_at"] = (now - chrono::TimeDelta::days(10)).to_rfc3339().into();
        s["expires_at"] = (now + chrono::TimeDelta::days(20)).to_rfc3339().into();
    });
    let token = home.ok(&["token", "nd", "--min-ttl", "25d"]);
    assert_ne!(token.trim(), before["access_token"].as_str().unwrap());
    assert_eq!(home.refreshes(), 1);
    // The default margin stays capped: a 1-day `refresh_before` on a fresh token is no reason.
    home.ok(&["token", "nd"]);
    assert_eq!(home.refreshes(), 1);
}

#[test]
fn a_min_ttl_longer_than_any_token_lives_is_exit_2_naming_the_lifetime() {
    let (home, _) = logged_in();
    let err = home.fails(&["token", "nd", "--min-ttl", "40d"], 2);
    assert!(err.contains("40d") && err.contains("30d"), "{err}");
    assert_eq!(
        home.refreshes(),
        0,
        "a refresh token was spent on a promise no token can keep"
    );
    // Without a stored token the lifetime is learnt from the answer: saved, not printed.
    home.add("ai", "ai");
    let out = home
        .cmd(&["token", "ai", "--min-ttl", "40d"])
        .output()
        .unwrap();
    assert_failed(&out, 2, "ai --min-ttl 40d");
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("30d"));
    assert!(home.state_json("ai")["access_token"].is_string());
}

// --- item: recipients without the running identity -----------------------------------------

#[test]
fn recipients_without_the_running_identity_are_refused_before_anything_is_sent() {
    let (home, before) = logged_in();
    home.add("ai", "ai");
    home.ok(&["token", "ai"]);
    home.expire("nd");
    let mine = home.ok(&["init"]).trim().to_owned();
    let config = home.read_config();
    assert!(config.contains(&mine));
    home.write_config(&config.replace(&mine, STRANGER));
    let code = home.oob_code();
    home.emu().reset_counters();
    for args in [
        &["refresh", "nd", "--force"][..],
        &["token", "nd"],
        &["refresh", "ai", "--force"],
        &["secret", "rekey"],
    ] {
        let out = home.cmd(args).output().unwrap();
        assert_failed(&out, 6, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("recipients") && stderr.contains(&mine) && stderr.contains("hint:"),
            "{args:?}: {stderr}"
        );
    }
    let out = home
        .cmd(&["login", "nd", "--code", "-"])
        .write_stdin(code)
        .output()
        .unwrap();
    assert_failed(&out, 6, "login");
    assert!(
        home.emu().counters().grants.is_empty(),
        "something was sent: {:?}",
        home.emu().counters()
    );
    // Nothing was rewritten to the stranger: the states still decrypt here.
    let after = home.state_json("nd");
    assert_eq!(after["refresh_token"], before["refresh_token"]);
    assert!(after.get("refresh_in_flight").is_none());
    home.state_json("ai");
}

/// Regression (review): with a passphrase-protected identity and no `BROKER_AGE_PASSPHRASE`,
/// the recipients check was skipped, and a netdisk login whose SecretKey comes from the
/// environment spent its code and saved tokens this machine could not read. `login` now
/// unlocks the identity for the check (no terminal here: exit 6), before anything is sent.
#[test]
fn a_login_with_a_locked_passphrase_identity_checks_the_recipients_before_sending() {
    let mut home = Home::new();
    let handle = broker_emulator::start(broker_emulator::Options::default()).unwrap();
    handle.register_app(broker_emulator::App::new(
        crate::harness::APP_KEY,
        crate::harness::SECRET,
    ));
    let base = handle.base_url();
    home.emulator = Some(handle);
    let out = home
        .cmd(&["init", "--passphrase"])
        .env("BROKER_AGE_PASSPHRASE", "pw")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mine = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let config = std::fs::read_to_string(home.config()).unwrap();
    assert!(config.contains(&mine), "{config}");
    let config = format!(
        "{}\n[profiles.nd]\ngrant = \"netdisk\"\napp_key = \"{}\"\nendpoint = \"{}\"\nsecret_key_env = \"ND_SK\"\n",
        config.replace(&mine, STRANGER),
        crate::harness::APP_KEY,
        base
    );
    std::fs::write(home.config(), config).unwrap();
    let code = home.oob_code();
    assert!(!code.is_empty());
    let out = home
        .cmd(&["login", "nd", "--code", "-"])
        .env("ND_SK", crate::harness::SECRET)
        .write_stdin(code)
        .output()
        .unwrap();
    assert_failed(
        &out,
        6,
        "login with a locked identity left out of the recipients",
    );
    assert!(
        home.emu().counters().grants.is_empty(),
        "something was sent: {:?}",
        home.emu().counters()
    );
    assert!(!home.state_file("nd").exists());
}
