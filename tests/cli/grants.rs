//! Every grant end to end against the emulator: success paths, Baidu's errors and exit codes.

use std::time::{Duration, Instant};

use crate::harness::{Home, assert_failed};

#[test]
fn ai_token_is_fetched_stored_encrypted_and_cached() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let token = home.ok(&["token", "ai"]);
    assert!(
        token.starts_with("24.") && token.ends_with('\n') && token.lines().count() == 1,
        "{token:?}"
    );
    assert_eq!(
        home.ok(&["token", "ai"]),
        token,
        "the second call did not use the cache"
    );
    assert_eq!(
        home.emu().counters().grants.get("client_credentials"),
        Some(&1)
    );
    let state = home.state_json("ai");
    assert_eq!(state["access_token"].as_str().unwrap(), token.trim());
    for field in ["expires_at", "obtained_at"] {
        chrono::DateTime::parse_from_rfc3339(state[field].as_str().unwrap()).unwrap();
    }
    let json: serde_json::Value =
        serde_json::from_str(&home.ok(&["token", "ai", "--json"])).unwrap();
    assert_eq!(json["access_token"].as_str().unwrap(), token.trim());
}

#[test]
fn ai_wrong_app_key_and_wrong_secret_are_told_apart() {
    let home = Home::with_emulator();
    let url = home.emu().base_url();
    home.ok_stdin(
        &[
            "profile",
            "add",
            "badkey",
            "--grant",
            "ai",
            "--app-key",
            "nobody",
            "--endpoint",
            &url,
        ],
        crate::harness::SECRET,
    );
    home.ok_stdin(
        &[
            "profile",
            "add",
            "badsk",
            "--grant",
            "ai",
            "--app-key",
            crate::harness::APP_KEY,
            "--endpoint",
            &url,
        ],
        "wrong",
    );
    let err = home.fails(&["token", "badkey"], 4);
    assert!(err.contains("AppKey"), "{err}");
    let err = home.fails(&["token", "badsk"], 4);
    assert!(err.contains("SecretKey"), "{err}");
    assert!(!err.contains("wrong"), "the secret was echoed: {err}");
}

#[test]
fn bce_bearer_token_is_signed_and_stored() {
    let home = Home::with_emulator();
    home.add("qf", "bce");
    let token = home.ok(&["token", "qf"]);
    assert!(token.starts_with("bce-v3/"), "{token}");
    let state = home.state_json("qf");
    assert_eq!(state["grant"], "bce");
    let url = home.emu().base_url();
    home.ok_stdin(
        &[
            "profile",
            "add",
            "qf-bad",
            "--grant",
            "bce",
            "--app-key",
            crate::harness::BCE_AK,
            "--endpoint",
            &url,
        ],
        "nope",
    );
    let err = home.fails(&["token", "qf-bad"], 4);
    assert!(err.contains("signature"), "{err}");
    home.ok_stdin(
        &[
            "profile",
            "add",
            "qf-nokey",
            "--grant",
            "bce",
            "--app-key",
            "AKUNKNOWN",
            "--endpoint",
            &url,
        ],
        "x",
    );
    home.fails(&["token", "qf-nokey"], 4);
}

#[test]
fn netdisk_code_login_then_refresh_rotates_the_refresh_token() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let first = home.state_json("nd");
    assert!(first["access_token"].as_str().unwrap().starts_with("121."));
    assert!(first["refresh_token"].as_str().unwrap().starts_with("122."));
    let mut seen = vec![first["refresh_token"].as_str().unwrap().to_owned()];
    for _ in 0..4 {
        home.ok(&["refresh", "nd", "--force"]);
        let rt = home.state_json("nd")["refresh_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(!seen.contains(&rt), "the refresh token did not rotate");
        seen.push(rt);
    }
    let c = home.emu().counters();
    assert_eq!(c.refresh_reuse, 0, "a refresh token was sent twice");
    assert_eq!(c.grants.get("refresh_token"), Some(&4));
    assert_eq!(c.secret_in_url, 0);
}

#[test]
fn netdisk_device_login_waits_for_approval() {
    let home = Home::with_emulator();
    home.add("nd", "netdisk");
    let child = home
        .std_cmd(&["login", "nd", "--no-qr"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !home
        .emu()
        .counters()
        .endpoints
        .contains_key("/oauth/2.0/device/code")
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no device code was requested"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    home.emu()
        .approve_device(None)
        .expect("a pending device code");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("enter the code"), "{stderr}");
    assert!(home.ok(&["token", "nd"]).starts_with("121."));
    // Polled no faster than every 5 s: never told to slow down.
    assert_eq!(home.emu().counters().errors.get("slow_down"), None);
}

#[test]
fn netdisk_browser_login_checks_state_through_a_real_redirect() {
    let home = Home::with_emulator();
    home.add("nd", "netdisk");
    let browser = home.path().join("fake-browser.sh");
    std::fs::write(&browser, "#!/bin/sh\nexec curl -sfL \"$1\" >/dev/null\n").unwrap();
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&browser).unwrap().permissions(),
        0o755,
    );
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    home.cmd(&["login", "nd", "--browser"])
        .env("BROWSER", &browser)
        .timeout(Duration::from_secs(30))
        .assert()
        .success();
    assert!(home.ok(&["token", "nd"]).starts_with("121."));
}

#[test]
fn netdisk_never_logged_in_exits_3_at_once_in_ci() {
    let home = Home::with_emulator();
    home.add("nd", "netdisk");
    let started = Instant::now();
    let out = home
        .cmd(&["token", "nd"])
        .env("CI", "true")
        .output()
        .unwrap();
    assert_failed(&out, 3, "token before login");
    assert!(String::from_utf8_lossy(&out.stderr).contains("broker login nd"));
    let out = home
        .cmd(&["login", "nd"])
        .env("CI", "true")
        .output()
        .unwrap();
    assert_failed(&out, 3, "device login in CI");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(home.emu().counters().requests, 0);
}

#[test]
fn status_and_logout() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.login_netdisk("nd");
    home.ok(&["token", "ai"]);
    let status: serde_json::Value = serde_json::from_str(&home.ok(&["status", "--json"])).unwrap();
    let rows = status.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_eq!(row["state"], "ok", "{row}");
        assert!(
            row["expires"].as_str().unwrap().starts_with("in 30 days"),
            "{row}"
        );
    }
    let text = serde_json::to_string(&status).unwrap();
    assert!(
        !text.contains("121.") && !text.contains("122.") && !text.contains("24."),
        "a token in status: {text}"
    );
    home.ok(&["logout", "nd"]);
    assert!(!home.state_file("nd").exists());
    home.fails(&["token", "nd"], 3);
    // A profile that needs a login makes `status` exit 3 (as `gh auth status` fails), after
    // printing the whole table.
    let out = home.cmd(&["status"]).output().unwrap();
    crate::harness::assert_failed(&out, 3, "status with a logged-out profile");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("not logged in"), "{table}");
    assert!(table.contains("  ai "), "{table}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("profile `nd` (not logged in) needs attention")
            && stderr.contains("broker login nd"),
        "{stderr}"
    );
}

#[test]
fn a_used_authorization_code_is_refused_with_exit_3() {
    let home = Home::with_emulator();
    home.add("nd", "netdisk");
    let code = home.oob_code();
    home.ok_stdin(&["login", "nd", "--code", "-"], &code);
    let err = home
        .cmd(&["login", "nd", "--code", "-"])
        .write_stdin(code.as_str())
        .output()
        .unwrap();
    assert_failed(&err, 3, "reused code");
}

/// Regression: a profile whose SecretKey Baidu rejected looked `expired` (or `ok`) in
/// `status`, with exit 0; now it says so and exits 4, until the SecretKey is replaced.
#[test]
fn status_shows_a_rejected_secret_key_and_exits_4() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.ok(&["token", "ai"]);
    home.ok_stdin(&["secret", "set", "ai"], "not-the-secret");
    home.expire("ai");
    let err = home.fails(&["token", "ai"], 4);
    assert!(err.contains("rejected the SecretKey"), "{err}");
    let out = home.cmd(&["status"]).output().unwrap();
    crate::harness::assert_failed(&out, 4, "status with a rejected SecretKey");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("SecretKey rejected"), "{table}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broker secret set ai"), "{stderr}");

    // A new SecretKey: no longer shown as rejected (its token is merely expired), and the
    // next rotation forgets the rejection.
    home.ok_stdin(&["secret", "set", "ai"], crate::harness::SECRET);
    let table = home.ok(&["status"]);
    assert!(
        table.contains("expired") && !table.contains("rejected"),
        "{table}"
    );
    home.ok(&["token", "ai"]);
    assert!(home.state_json("ai").get("credentials_rejected").is_none());
}

/// Regression (review): a declined browser login is ended only by a redirect that carries our
/// `state`, and the server's `error` text is scrubbed like any server text before it is shown.
#[test]
fn a_declined_browser_login_needs_the_state_and_shows_no_secret_of_it() {
    let home = Home::with_emulator();
    home.add("nd", "netdisk");
    // A "browser" that reads redirect_uri and state from the authorize URL and answers with
    // an error, quoting the state in it (`with_state`) or leaving the state out.
    let declining = |with_state: bool| {
        let browser = home.path().join(format!("declining-{with_state}.sh"));
        let tail = if with_state { "&state=$state" } else { "" };
        std::fs::write(
            &browser,
            format!(
                "#!/bin/sh\nq=${{1#*\\?}}\n\
                 state=$(printf %s \"$q\" | tr '&' '\\n' | sed -n 's/^state=//p')\n\
                 cb=$(printf %s \"$q\" | tr '&' '\\n' | sed -n 's/^redirect_uri=//p' | sed 's/%3A/:/g; s/%2F/\\//g')\n\
                 exec curl -s \"$cb?error=access_denied_$state{tail}\" >/dev/null\n"
            ),
        )
        .unwrap();
        std::fs::set_permissions(
            &browser,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        home.cmd(&["login", "nd", "--browser"])
            .env("BROWSER", &browser)
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap()
    };
    let out = declining(true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_failed(&out, 3, "a declined login");
    assert!(stderr.contains("declined (`access_denied_****"), "{stderr}");
    // Without our state, an error is no decline: the redirect is refused as incomplete.
    let out = declining(false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_failed(&out, 2, "an error redirect without the state");
    assert!(!stderr.contains("declined"), "{stderr}");
}
