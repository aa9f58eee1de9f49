//! Bad config and bad input: a clear one-line error, the documented exit code, nothing lost.

use crate::harness::Home;

#[test]
fn malformed_toml_names_file_line_and_column() {
    let home = Home::init();
    home.write_config("[store]\nrecipients = [\n");
    let err = home.fails(&["profile", "list"], 2);
    assert!(err.contains("profiles.toml` line"), "{err}");
    assert!(err.contains("column"), "{err}");
}

#[test]
fn unknown_key_is_named_with_a_near_miss() {
    let home = Home::init();
    let mut text = home.read_config();
    text.push_str("\n[profiles.a]\ngrant = \"ai\"\napp_key = \"k\"\nsecret_key_evn = \"X\"\n");
    home.write_config(&text);
    let err = home.fails(&["profile", "list"], 2);
    assert!(err.contains("secret_key_evn"), "{err}");
    assert!(err.contains("did you mean `secret_key_env`?"), "{err}");
}

#[test]
fn unknown_grant_lists_the_valid_ones() {
    let home = Home::init();
    let err = home.fails(
        &["profile", "add", "x", "--grant", "oauth", "--app-key", "k"],
        2,
    );
    assert!(
        err.contains("ai") && err.contains("netdisk") && err.contains("bce"),
        "{err}"
    );
    let mut text = home.read_config();
    text.push_str("\n[profiles.a]\ngrant = \"oauth\"\napp_key = \"k\"\n");
    home.write_config(&text);
    let err = home.fails(&["profile", "list"], 2);
    assert!(err.contains("`ai`, `netdisk`"), "{err}");
}

#[test]
fn bad_profile_names_are_refused_before_any_path_is_built() {
    let home = Home::init();
    for name in ["../x", "a/b", "", &"x".repeat(65), ".hidden", "-x"] {
        let out = home
            .cmd(&["profile", "add", name, "--grant", "ai", "--app-key", "k"])
            .write_stdin("s")
            .output()
            .unwrap();
        // `-x` is taken by clap as a flag: a usage error all the same.
        assert_eq!(
            out.status.code(),
            Some(2),
            "{name:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for arg in [["token", name], ["use", name], ["logout", name]] {
            if name.starts_with('-') {
                continue;
            }
            home.fails(&arg, 2);
        }
    }
    assert!(!home.path().join(".local/state/x").exists());
    assert!(!home.path().join(".local/state/broker/x.age").exists());
}

#[test]
fn plaintext_secret_is_refused_and_secret_encrypt_fixes_it() {
    let home = Home::init();
    let mut text = home.read_config();
    text.push_str("\n# my AI app\n[profiles.a]\ngrant = \"ai\"  # keep\napp_key = \"k\"\nsecret_key = \"plain-text-sk\"\n");
    home.write_config(&text);
    let err = home.fails(&["token", "a"], 2);
    assert!(err.contains("hint: run `broker secret encrypt`"), "{err}");
    assert!(
        !err.contains("plain-text-sk"),
        "the secret was echoed: {err}"
    );
    home.ok(&["secret", "encrypt"]);
    let text = home.read_config();
    assert!(!text.contains("plain-text-sk"));
    assert!(
        text.contains("# my AI app") && text.contains("# keep"),
        "comments lost: {text}"
    );
    assert!(text.contains("-----BEGIN AGE ENCRYPTED FILE-----"));
    home.ok(&["profile", "show", "a"]);
}

#[test]
fn http_endpoint_is_refused_unless_loopback() {
    let home = Home::init();
    for url in [
        "http://example.com",
        "http://10.1.2.3:80",
        "https://x/some/path",
    ] {
        let out = home
            .cmd(&[
                "profile",
                "add",
                "a",
                "--grant",
                "ai",
                "--app-key",
                "k",
                "--endpoint",
                url,
            ])
            .write_stdin("sk")
            .output()
            .unwrap();
        crate::harness::assert_failed(&out, 2, url);
    }
    home.add_offline("a", "ai", "sk");
    // The same rule when the endpoint is written into the file by hand.
    let text = home
        .read_config()
        .replace("http://127.0.0.1:1", "http://192.168.1.1");
    home.write_config(&text);
    let err = home.fails(&["profile", "list"], 2);
    assert!(err.contains("loopback"), "{err}");
}

#[test]
fn a_read_only_config_works_for_reading_commands() {
    let home = Home::init();
    home.add_offline("a", "ai", "sk");
    let mut perms = std::fs::metadata(home.config()).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o400);
    std::fs::set_permissions(home.config(), perms).unwrap();
    home.ok(&["profile", "list"]);
    home.ok(&["use", "a"]);
    assert_eq!(home.ok(&["current"]), "a\n");
}

#[test]
fn no_profile_chosen_lists_the_profiles() {
    let home = Home::init();
    home.add_offline("one", "ai", "s");
    let err = home.fails(&["current"], 2);
    assert!(err.contains("profiles: one"), "{err}");
}

#[test]
fn profile_precedence_follows_the_spec() {
    let home = Home::init();
    for n in ["a", "b", "c", "d"] {
        home.ok_stdin(
            &[
                "profile",
                "add",
                n,
                "--grant",
                "ai",
                "--app-key",
                "k",
                "--endpoint",
                "http://127.0.0.1:1",
            ],
            "s",
        );
    }
    let text = format!("default_profile = \"d\"\n{}", home.read_config());
    home.write_config(&text);
    let explain = home.ok(&["current", "--explain"]);
    assert!(
        explain.starts_with("d\n") && explain.contains("default_profile"),
        "{explain}"
    );
    home.ok(&["use", "c"]);
    assert!(home.ok(&["current", "--explain"]).starts_with("c\n"));
    let out = home
        .cmd(&["current", "--explain"])
        .env("BROKER_PROFILE", "b")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("b\n"));
    let out = home
        .cmd(&["current", "--explain", "-p", "a"])
        .env("BROKER_PROFILE", "b")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("a\n") && text.contains("command line"),
        "{text}"
    );
}

#[test]
fn a_bad_flag_is_a_usage_error_and_help_is_not() {
    let home = Home::new();
    let out = home.cmd(&["token", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = home.cmd(&["--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
}

#[test]
fn broken_pipe_exits_quietly() {
    let home = Home::init();
    let bin = assert_cmd::cargo::cargo_bin("broker");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("set -o pipefail; HOME={} {} profile list --json | head -c0; echo \"status=${{PIPESTATUS[0]}}\"", home.path().display(), bin.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("error"),
        "{stderr}"
    );
}

#[test]
fn bad_hooks_and_sinks_are_config_errors_naming_their_key() {
    let home = Home::init();
    let base = home.read_config();
    let cases = [
        ("[[hooks]]\non = [\"rotate\"]\nrun = []\n", "hooks[0]"),
        ("[[hooks]]\non = []\nrun = \"true\"\n", "hooks[0]"),
        ("[[hooks]]\non = [\"rotated\"]\nrun = \"true\"\n", "rotated"),
        (
            "[profiles.a]\ngrant = \"ai\"\napp_key = \"k\"\n[[profiles.a.hooks]]\non = [\"rotate\"]\nrun = \"true\"\nenv = { \"BAD NAME\" = \"x\" }\n",
            "profiles.a.hooks[0]",
        ),
        (
            "[profiles.a]\ngrant = \"ai\"\napp_key = \"k\"\n[[profiles.a.sinks]]\npath = \"/tmp/x\"\nmode = \"0999\"\n",
            "profiles.a.sinks[0].mode",
        ),
        (
            "[profiles.a]\ngrant = \"ai\"\napp_key = \"k\"\n[[profiles.a.sinks]]\npath = \"/tmp/x\"\nformat = \"yaml\"\n",
            "yaml",
        ),
    ];
    for (extra, named) in cases {
        home.write_config(&format!("{base}\n{extra}"));
        let err = home.fails(&["profile", "list"], 2);
        assert!(err.contains(named), "{extra}: {err}");
    }
}

#[test]
fn a_config_write_removes_stale_temporary_files_of_killed_writes() {
    let home = Home::init();
    let dir = home.config().parent().unwrap().to_path_buf();
    let stale = dir.join(".profiles.toml.aB3dE9.tmp");
    let fresh = dir.join(".profiles.toml.Xy7Zq2.tmp");
    let not_ours = dir.join(".profiles.toml.my-copy.tmp");
    for p in [&stale, &fresh, &not_ours] {
        std::fs::write(p, "x").unwrap();
    }
    for p in [&stale, &not_ours] {
        let ok = std::process::Command::new("touch")
            .args(["-d", "2 minutes ago"])
            .arg(p)
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
    home.add_offline("a", "ai", "sk");
    assert!(!stale.exists(), "a killed write's temporary file was left");
    // A write that may still be under way (a minute is far longer than any write) and a
    // file that is not broker's stay.
    assert!(fresh.exists());
    assert!(not_ours.exists());
}

/// Two offline ai profiles `a` and `b`.
fn two_offline() -> Home {
    let home = Home::init();
    home.add_offline("a", "ai", "s");
    home.add_offline("b", "ai", "s");
    home
}

#[test]
fn a_profile_flag_that_contradicts_the_positional_is_refused_before_or_after_the_command() {
    let home = two_offline();
    let before = home.read_config();
    for cmd in [
        &["token"][..],
        &["env"],
        &["status"],
        &["login"],
        &["logout"],
        &["refresh"],
        &["hooks", "test"],
        &["hooks", "run"],
        &["use"],
        &["profile", "show"],
        &["profile", "remove"],
    ] {
        let mut first = vec!["-p", "a"];
        first.extend_from_slice(cmd);
        first.push("b");
        let mut after = cmd.to_vec();
        after.extend_from_slice(&["-p", "a", "b"]);
        for args in [first, after] {
            let err = home.fails(&args, 2);
            assert!(
                err.contains("two profiles given: `b` and `--profile a`"),
                "{args:?}: {err}"
            );
        }
    }
    let err = home.fails(&["-p", "a", "exec", "b", "--", "true"], 2);
    assert!(err.contains("two profiles given"), "{err}");
    assert_eq!(home.read_config(), before);
    assert!(!home.state_dir().join("current").exists(), "`use` switched");
}

#[test]
fn the_profile_flag_works_after_every_command_it_applies_to() {
    let home = two_offline();
    for cmd in [
        &["current"][..],
        &["status"],
        &["env", "--unset"],
        &["hooks", "test"],
    ] {
        let mut first = vec!["-p", "b"];
        first.extend_from_slice(cmd);
        let mut after = cmd.to_vec();
        after.extend_from_slice(&["-p", "b"]);
        assert_eq!(home.ok(&first), home.ok(&after), "{cmd:?}");
    }
    // The same name twice is no conflict.
    assert_eq!(home.ok(&["-p", "b", "current", "-p", "b"]), "b\n");
    let err = home.fails(&["-p", "a", "current", "-p", "b"], 2);
    assert!(err.contains("two profiles given"), "{err}");
    // `broker -p X use` switches to X, like `broker use X`.
    home.ok(&["-p", "b", "use"]);
    assert_eq!(home.ok(&["current"]), "b\n");
}

#[test]
fn the_profile_flag_is_refused_where_no_profile_applies() {
    let home = two_offline();
    for cmd in [
        &["init"][..],
        &["profile", "add", "c", "--grant", "ai", "--app-key", "k"],
        &["emulator"],
        &["secret", "rekey"],
        &["completions", "bash"],
    ] {
        let mut first = vec!["-p", "a"];
        first.extend_from_slice(cmd);
        let err = home.fails(&first, 2);
        assert!(
            err.contains("`--profile` does not apply to `broker"),
            "{cmd:?}: {err}"
        );
        let mut after = cmd.to_vec();
        after.extend_from_slice(&["-p", "a"]);
        let out = home.cmd(&after).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{after:?}");
    }
    for cmd in [
        &["init", "--help"][..],
        &["profile", "add", "--help"],
        &["emulator", "--help"],
        &["use", "--help"],
        &["profile", "show", "--help"],
        &["secret", "set", "--help"],
    ] {
        let help = home.ok(cmd);
        assert!(!help.contains("--profile"), "{cmd:?}: {help}");
    }
    for cmd in [
        &["token", "--help"][..],
        &["env", "--help"],
        &["status", "--help"],
        &["hooks", "test", "--help"],
        &["doctor", "--help"],
        &["current", "--help"],
    ] {
        let help = home.ok(cmd);
        assert!(help.contains("-p, --profile <NAME>"), "{cmd:?}: {help}");
    }
}

#[test]
fn an_unknown_profile_gets_a_did_you_mean() {
    let home = Home::init();
    home.add_offline("netdisk-dev", "netdisk", "s");
    home.add_offline("ai-prod", "ai", "s");
    for args in [
        &["token", "netdisk-deb"][..],
        &["-p", "netdisk-deb", "status"],
        &["use", "netdisk-deb"],
        &["profile", "show", "netdisk-deb"],
    ] {
        let err = home.fails(args, 2);
        assert!(
            err.contains("unknown profile `netdisk-deb`"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("hint: did you mean `netdisk-dev`?"),
            "{args:?}: {err}"
        );
    }
    // Nothing near: the list, no guess.
    let err = home.fails(&["token", "zzz"], 2);
    assert!(
        !err.contains("did you mean") && err.contains("profiles: ai-prod, netdisk-dev"),
        "{err}"
    );
}

#[test]
fn a_stale_broker_profile_says_where_it_came_from_and_how_to_clear_it() {
    let home = two_offline();
    let out = home
        .cmd(&["token"])
        .env("BROKER_PROFILE", "gone")
        .output()
        .unwrap();
    crate::harness::assert_failed(&out, 2, "token");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`gone`") && err.contains("BROKER_PROFILE"),
        "{err}"
    );
    assert!(err.contains(r#"eval "$(broker env --unset)""#), "{err}");
    // A `broker use` default that names a profile removed by hand says so too.
    std::fs::create_dir_all(home.state_dir()).unwrap();
    std::fs::write(home.state_dir().join("current"), "gone\n").unwrap();
    let err = home.fails(&["token"], 2);
    assert!(err.contains("broker use"), "{err}");
}

#[test]
fn a_config_path_that_is_not_a_regular_file_is_refused_not_replaced() {
    // `--config /dev/null` run as root once replaced /dev/null with a regular file; a FIFO
    // stands in for any special file here (reading it would block forever).
    let home = Home::init();
    let fifo = home.path().join("fifo.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo_arg = fifo.to_str().unwrap();
    for args in [
        &["--config", fifo_arg, "init"][..],
        &["--config", fifo_arg, "profile", "list"],
    ] {
        let out = home
            .cmd(args)
            .timeout(std::time::Duration::from_secs(10))
            .output()
            .unwrap();
        crate::harness::assert_failed(&out, 2, args);
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(
            std::os::unix::fs::FileTypeExt::is_fifo(&kind),
            "{args:?} replaced the FIFO"
        );
    }
}
