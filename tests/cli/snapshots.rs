//! User-facing text, snapshot-tested with insta: help, the bad-input matrix's messages, and the
//! profile table. A change to any of them shows up as a reviewed diff of `snapshots/*.snap`.

use crate::harness::Home;

/// `exit N` and stderr of `broker ARGS`, with the temporary home's path made stable.
fn failure(home: &Home, args: &[&str], stdin: &str) -> String {
    let out = home.cmd(args).write_stdin(stdin).output().unwrap();
    let stderr =
        String::from_utf8_lossy(&out.stderr).replace(&home.path().display().to_string(), "$HOME");
    format!(
        "$ broker {}\nexit {}\n{stderr}",
        args.join(" "),
        out.status.code().unwrap_or(-1)
    )
}

#[test]
fn help() {
    let home = Home::new();
    insta::assert_snapshot!(home.ok(&["--help"]));
}

#[test]
fn bad_input_messages() {
    let home = Home::init();
    let base = home.read_config();
    let mut report = String::new();
    for (args, stdin) in [
        (
            &["profile", "add", "../x", "--grant", "ai", "--app-key", "k"][..],
            "sk",
        ),
        (
            &[
                "profile",
                "add",
                "a",
                "--grant",
                "ai",
                "--app-key",
                "k",
                "--endpoint",
                "http://example.com",
            ],
            "sk",
        ),
        (&["token", "nosuch"], ""),
        (&["current"], ""),
    ] {
        report.push_str(&failure(&home, args, stdin));
        report.push('\n');
    }
    for extra in [
        "[profiles.a]\ngrant = \"ai\"\napp_key = \"k\"\nscop = \"x\"\n",
        "[profiles.a]\ngrant = \"oauth\"\napp_key = \"k\"\n",
        "[profiles.a]\ngrant = \"ai\"\napp_key = \"k\"\nsecret_key = \"plain\"\n",
        "[store\n",
    ] {
        home.write_config(&format!("{base}\n{extra}"));
        report.push_str(&failure(&home, &["token", "a"], ""));
        report.push('\n');
    }
    insta::assert_snapshot!(report);
}

#[test]
fn profile_table() {
    let home = Home::with_emulator();
    home.add("ai-prod", "ai");
    home.add("netdisk-dev", "netdisk");
    home.add("qianfan", "bce");
    home.ok(&["use", "netdisk-dev"]);
    let table = home.ok(&["profile", "list"]);
    insta::with_settings!({filters => vec![(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:PORT")]}, {
        insta::assert_snapshot!(table);
    });
}

#[test]
fn help_of_commands_that_take_a_profile_and_of_those_that_do_not() {
    let home = Home::new();
    let mut report = String::new();
    for args in [
        &["token", "--help"][..],
        &["use", "--help"],
        &["init", "--help"],
        &["profile", "remove", "--help"],
        &["login", "--help"],
    ] {
        report.push_str(&format!("$ broker {}\n{}\n", args.join(" "), home.ok(args)));
    }
    insta::assert_snapshot!(report);
}

#[test]
fn profile_choice_messages() {
    let home = Home::init();
    for name in ["netdisk-dev", "ai-prod"] {
        home.add_offline(name, "ai", "s");
    }
    let mut report = String::new();
    for args in [
        &["-p", "ai-prod", "token", "netdisk-dev"][..],
        &["use", "-p", "ai-prod", "netdisk-dev"],
        &["-p", "ai-prod", "init"],
        &["token", "netdisk-deb"],
        &["use"],
    ] {
        report.push_str(&failure(&home, args, ""));
        report.push('\n');
    }
    let out = home
        .cmd(&["token"])
        .env("BROKER_PROFILE", "gone")
        .output()
        .unwrap();
    report.push_str(&format!(
        "$ BROKER_PROFILE=gone broker token\nexit {}\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).replace(&home.path().display().to_string(), "$HOME")
    ));
    insta::assert_snapshot!(report);
}

#[test]
fn profile_show_and_the_lost_identity_and_import_messages() {
    let home = Home::init();
    home.ok_stdin(
        &[
            "profile",
            "add",
            "nd",
            "--grant",
            "netdisk",
            "--app-key",
            "abcdefghijkl",
            "--description",
            "dev",
        ],
        "s",
    );
    let mut report = format!(
        "$ broker profile show nd\n{}\n",
        home.ok(&["profile", "show", "nd"])
    );
    report.push_str(&failure(
        &home,
        &["login", "nd", "--with-token"],
        r#"{"access_token":"121.x","expires_in":60}"#,
    ));
    report.push('\n');
    report.push_str(&failure(
        &home,
        &["profile", "remove", "nd", "-p", "other"],
        "",
    ));
    report.push('\n');
    std::fs::remove_file(home.identity()).unwrap();
    report.push_str(&failure(&home, &["init"], ""));
    insta::assert_snapshot!(report);
}

/// Pins every time in the state of `profile` to `at` (as the reference `age` sees it), so
/// a table of ages and expiries is the same on every run.
fn pin_times(home: &Home, profile: &str, at: &str) {
    home.rewrite_state(profile, |state| {
        let t0 = chrono::DateTime::parse_from_rfc3339(at).unwrap();
        let later =
            |days| serde_json::Value::String((t0 + chrono::TimeDelta::days(days)).to_rfc3339());
        state["obtained_at"] = later(0);
        state["expires_at"] = later(30);
        state["last_rotation"] = later(0);
        if state.get("refresh_token_obtained_at").is_some() {
            state["refresh_token_obtained_at"] = later(-10);
        }
        if let Some(hooks) = state["hooks"].as_array_mut() {
            for h in hooks {
                h["at"] = later(0);
            }
        }
    });
}

/// `broker status` as a person sees it: the profile in force marked, the refresh token's age
/// labelled, a profile needing a login making it exit 3; at 200 columns a table, at 80 (too
/// narrow for it) one block per profile that fits. The clock is frozen an hour after the
/// pinned times (libfaketime).
#[test]
fn status_table_fits_the_width() {
    let home = Home::with_emulator();
    home.add("ai-prod", "ai");
    home.login_netdisk("netdisk-dev");
    home.add("netdisk-new", "netdisk");
    home.add("qianfan", "bce");
    home.append_hook_failing("ai-prod");
    home.ok(&["use", "netdisk-dev"]);
    for p in ["ai-prod", "netdisk-dev"] {
        pin_times(&home, p, "2026-06-01T12:00:00Z");
    }
    let mut report = String::new();
    for columns in ["200", "80"] {
        let out = home
            .wrapped("faketime", &["2026-06-01 13:00:00"], &["status"])
            .env("TZ", "UTC")
            .env("COLUMNS", columns)
            .output()
            .expect("libfaketime's `faketime` is installed (scripts/test.sh installs it)");
        let stdout = String::from_utf8_lossy(&out.stdout);
        if columns == "80" {
            assert!(stdout.lines().all(|l| l.chars().count() <= 80), "{stdout}");
        }
        report.push_str(&format!(
            "$ COLUMNS={columns} broker status\nexit {}\n{}{}\n",
            out.status.code().unwrap_or(-1),
            stdout,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    insta::assert_snapshot!(report);
}

impl Home {
    /// Gives `profile` a hook that fails, and runs it once (a forced refresh, exit 7).
    fn append_hook_failing(&self, profile: &str) {
        let mut config = self.read_config();
        config.push_str(&format!(
            "\n[[profiles.{profile}.hooks]]\nname = \"notify\"\non = [\"rotate\"]\nrun = \"exit 2\"\n"
        ));
        self.write_config(&config);
        self.fails(&["refresh", profile, "--force"], 7);
    }
}
