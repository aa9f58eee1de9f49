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
