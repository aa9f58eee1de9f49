//! Profiles in the config: add, list, show, remove; comments kept; concurrent writers; modes.

use std::os::unix::fs::PermissionsExt;

use crate::harness::Home;

const LOOP: &str = "http://127.0.0.1:1";

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn profile_add_keeps_the_users_comments_and_layout() {
    let home = Home::init();
    let mut text = String::from(
        "# Team config — do not reformat\ndefault_profile = \"keep\"   # trailing note\n\n",
    );
    text.push_str(&home.read_config());
    text.push_str("\n[profiles.keep]  # the old one\ngrant = \"ai\"\napp_key = \"k\"\nsecret_key_env = \"SK\"   # from the vault\n");
    home.write_config(&text);
    home.ok_stdin(
        &[
            "profile",
            "add",
            "new",
            "--grant",
            "netdisk",
            "--app-key",
            "nk",
            "--endpoint",
            LOOP,
        ],
        "sk",
    );
    let after = home.read_config();
    assert!(
        after.starts_with(&text),
        "the existing text changed:\n{after}"
    );
    assert!(after.contains("[profiles.new]"));
    home.ok(&["profile", "remove", "new"]);
    assert_eq!(home.read_config().trim_end(), text.trim_end());
}

#[test]
fn concurrent_profile_adds_lose_nothing() {
    let home = Home::init();
    let children: Vec<_> = (0..12)
        .map(|i| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("broker"));
            cmd.env_clear()
                .env("HOME", home.path())
                .args([
                    "profile",
                    "add",
                    &format!("p{i}"),
                    "--grant",
                    "ai",
                    "--app-key",
                    "k",
                    "--endpoint",
                    LOOP,
                ])
                .stdin(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"sk").unwrap();
            child
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let list = home.ok(&["profile", "list", "--json"]);
    let names: Vec<String> = serde_json::from_str::<serde_json::Value>(&list)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 12, "{names:?}");
}

#[test]
fn files_are_0600_and_folders_0700_whatever_the_umask() {
    let home = Home::new();
    let bin = assert_cmd::cargo::cargo_bin("broker");
    let script = format!(
        "umask 000; {b} init >/dev/null && printf sk | {b} profile add a --grant ai --app-key k --endpoint {LOOP} && {b} use a",
        b = bin.display()
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&home.identity()), 0o600);
    assert_eq!(mode(&home.config()), 0o600);
    assert_eq!(mode(&home.path().join(".config/broker")), 0o700);
    assert_eq!(mode(&home.state_dir()), 0o700);
    assert_eq!(mode(&home.state_dir().join("current")), 0o600);
}

#[test]
fn init_is_idempotent_and_never_overwrites_the_identity() {
    let home = Home::init();
    let identity = std::fs::read(home.identity()).unwrap();
    let first = home.read_config();
    let again = home.ok(&["init"]);
    assert_eq!(std::fs::read(home.identity()).unwrap(), identity);
    assert_eq!(
        home.read_config(),
        first,
        "a second init changed the config"
    );
    assert!(again.starts_with("age1"), "{again}");
}

#[test]
fn list_show_and_remove() {
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
            "--endpoint",
            LOOP,
            "--description",
            "dev",
        ],
        "the-secret-value",
    );
    let list = home.ok(&["profile", "list"]);
    assert!(
        list.contains("nd") && list.contains("netdisk") && list.contains("abcd…ijkl"),
        "{list}"
    );
    assert!(!list.contains("abcdefghijkl"), "app key not masked: {list}");
    let show = home.ok(&["profile", "show", "nd", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(v["secret_key"], "encrypted in the config (age)");
    assert!(!show.contains("the-secret-value") && !show.contains("BEGIN AGE"));
    home.ok(&["use", "nd"]);
    home.ok(&["profile", "remove", "nd"]);
    home.fails(&["profile", "show", "nd"], 2);
    assert!(
        !home.state_dir().join("current").exists(),
        "the `use` default still names a removed profile"
    );
}

#[test]
fn adding_an_existing_profile_is_refused_and_changes_nothing() {
    let home = Home::init();
    home.add_offline("a", "ai", "one");
    let before = home.read_config();
    let err = home
        .cmd(&["profile", "add", "a", "--grant", "ai", "--app-key", "k2"])
        .write_stdin("two")
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(2));
    assert_eq!(home.read_config(), before);
}

#[test]
fn a_symlinked_config_is_written_through_to_its_target() {
    let home = Home::init();
    let real = home.path().join("dotfiles/broker.toml");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::rename(home.config(), &real).unwrap();
    std::os::unix::fs::symlink(&real, home.config()).unwrap();
    home.add_offline("a", "ai", "sk");
    assert!(
        std::fs::symlink_metadata(home.config())
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced"
    );
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .contains("[profiles.a]")
    );
}

/// Runs `broker ARGS` on a pseudo-terminal (util-linux `script`) with `input` typed at it;
/// returns the exit code and everything the terminal showed.
fn on_a_terminal(home: &Home, args: &str, input: &str) -> (i32, String) {
    use std::io::Write;
    let bin = assert_cmd::cargo::cargo_bin("broker");
    let mut child = std::process::Command::new("script")
        .args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("TERM", "dumb")
        .env("NO_COLOR", "1")
        .current_dir(home.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) must be installed");
    // Typed after the program is up, as a person would; `script` forwards it to the terminal.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut stdin = child.stdin.take().unwrap();
    // A program that did not ask has closed the terminal already: nothing to type then.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).replace('\r', ""),
    )
}

fn three_offline() -> Home {
    let home = Home::init();
    for name in ["alpha", "beta", "gamma"] {
        home.add_offline(name, "ai", "s");
    }
    home
}

#[test]
fn use_without_a_name_picks_from_a_numbered_list_on_a_terminal() {
    let home = three_offline();
    let (code, screen) = on_a_terminal(&home, "use", "2\n");
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains(" 1) alpha") && screen.contains(" 3) gamma"),
        "{screen}"
    );
    assert_eq!(home.ok(&["current"]), "beta\n");
    // A name works too; an answer out of range changes nothing.
    let (code, _) = on_a_terminal(&home, "use", "gamma\n");
    assert_eq!(code, 0);
    assert_eq!(home.ok(&["current"]), "gamma\n");
    let (code, screen) = on_a_terminal(&home, "use", "9\n");
    assert_eq!(code, 2, "{screen}");
    assert_eq!(home.ok(&["current"]), "gamma\n");
}

#[test]
fn use_without_a_name_and_without_a_terminal_exits_2_listing_the_profiles() {
    let home = three_offline();
    let err = home.fails(&["use"], 2);
    assert!(err.contains("profiles: alpha, beta, gamma"), "{err}");
    assert!(!home.state_dir().join("current").exists());
}

#[test]
fn profile_remove_asks_on_a_terminal_and_yes_skips_the_question() {
    let home = three_offline();
    let (code, screen) = on_a_terminal(&home, "profile remove alpha", "n\n");
    assert_ne!(code, 0, "{screen}");
    assert!(screen.contains("remove profile `alpha`"), "{screen}");
    assert!(home.read_config().contains("[profiles.alpha]"));
    let (code, screen) = on_a_terminal(&home, "profile remove alpha", "y\n");
    assert_eq!(code, 0, "{screen}");
    assert!(!home.read_config().contains("[profiles.alpha]"));
    let (code, screen) = on_a_terminal(&home, "profile remove beta --yes", "");
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("remove profile `beta`?"), "{screen}");
    assert!(!home.read_config().contains("[profiles.beta]"));
    // Without a terminal, scripts keep working unasked.
    home.ok(&["profile", "remove", "gamma"]);
}

#[test]
fn removing_the_profile_in_force_in_this_shell_warns() {
    let home = three_offline();
    let out = home
        .cmd(&["profile", "remove", "beta"])
        .env("BROKER_PROFILE", "beta")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning:") && err.contains("BROKER_PROFILE"),
        "{err}"
    );
    assert!(err.contains(r#"eval "$(broker env --unset)""#), "{err}");
    let out = home
        .cmd(&["profile", "remove", "alpha"])
        .env("BROKER_PROFILE", "gamma")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

#[test]
fn profile_show_orders_keys_and_says_which_values_are_defaults() {
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
    let show = home.ok(&["profile", "show", "nd"]);
    let keys: Vec<&str> = show
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "name",
            "description",
            "grant",
            "app_key",
            "secret_key",
            "scope",
            "endpoint",
            "refresh_before",
            "hooks",
            "sinks",
            "in_force"
        ],
        "{show}"
    );
    assert!(show.contains("basic,netdisk (default)"), "{show}");
    assert!(
        show.contains("https://openapi.baidu.com (default)"),
        "{show}"
    );
    assert!(!show.contains(" -\n"), "{show}");
}

#[test]
fn a_second_logout_says_there_was_nothing_to_forget() {
    let home = Home::with_emulator();
    home.add("a", "ai");
    home.ok(&["token", "a"]);
    let first = home.cmd(&["logout", "a"]).output().unwrap();
    assert!(String::from_utf8_lossy(&first.stderr).contains("forgot the tokens of `a`"));
    let second = home.cmd(&["logout", "a"]).output().unwrap();
    assert!(second.status.success());
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(
        err.contains("nothing to forget") && !err.contains("forgot the tokens"),
        "{err}"
    );
}

#[test]
fn refresh_all_reports_the_profiles_sorted() {
    let home = Home::with_emulator();
    let names = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"];
    for n in names {
        home.add(n, "ai");
    }
    for _ in 0..3 {
        let out = home.cmd(&["refresh", "--all", "--force"]).output().unwrap();
        assert!(out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        let order: Vec<&str> = err.lines().filter_map(|l| l.split('`').nth(1)).collect();
        assert_eq!(order, names, "{err}");
    }
}

#[test]
fn counts_in_messages_use_singular_and_plural() {
    let home = Home::init();
    let text = format!(
        "{}\n[profiles.a]\ngrant = \"ai\"\napp_key = \"k\"\nsecret_key = \"plain\"\n",
        home.read_config()
    );
    home.write_config(&text);
    let out = home.cmd(&["secret", "encrypt"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("encrypted 1 plaintext secret in"), "{err}");
    let out = home.cmd(&["secret", "rekey"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("re-encrypted 1 secret and 0 state files to 1 recipient"),
        "{err}"
    );
    assert!(!err.contains("(s)"), "{err}");
}

#[test]
fn init_with_the_identity_lost_refuses_without_force_and_names_the_ways_back() {
    let home = Home::with_emulator();
    home.add("a", "ai");
    home.ok(&["token", "a"]);
    std::fs::remove_file(home.identity()).unwrap();
    // The hint of the failing command names the real ways back, not a bare `broker init`.
    let err = home.fails(&["token", "a"], 6);
    assert!(err.contains("restore"), "{err}");
    assert!(
        err.contains("broker secret set") && err.contains("broker login"),
        "{err}"
    );
    let before = home.read_config();
    let err = home.fails(&["init"], 6);
    assert!(err.contains("1 secret and 1 token file"), "{err}");
    assert!(err.contains("--force") && err.contains("restore"), "{err}");
    assert!(!home.identity().exists(), "a new identity was made");
    assert_eq!(home.read_config(), before);
    // Starting over: a new identity, the SecretKey again, a login over the unreadable state.
    home.ok(&["init", "--force"]);
    home.ok_stdin(&["secret", "set", "a"], crate::harness::SECRET);
    home.ok(&["login", "a"]);
    assert!(home.ok(&["token", "a"]).starts_with("24."));
}

#[test]
fn init_with_an_identity_that_reads_none_of_the_secrets_refuses_without_force() {
    let home = Home::init();
    home.add_offline("a", "ai", "s");
    let other = home.path().join("other.txt");
    std::fs::copy(home.identity(), &other).unwrap();
    // `other` is the same key: no refusal. A fresh key is a different recipient.
    let fresh = home.path().join("fresh.txt");
    let out = std::process::Command::new("age-keygen")
        .arg("-o")
        .arg(&fresh)
        .output()
        .expect("age-keygen");
    assert!(out.status.success());
    let before = home.read_config();
    let out = home
        .cmd(&["init"])
        .env("BROKER_AGE_KEY_FILE", &fresh)
        .output()
        .unwrap();
    crate::harness::assert_failed(&out, 6, "init with a foreign identity");
    assert_eq!(home.read_config(), before);
    let out = home
        .cmd(&["token", "a"])
        .env("BROKER_AGE_KEY_FILE", &fresh)
        .output()
        .unwrap();
    crate::harness::assert_failed(&out, 6, "token with a foreign identity");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`broker secret set NAME` and `broker login NAME`"),
        "{err}"
    );
    home.cmd(&["init", "--force"])
        .env("BROKER_AGE_KEY_FILE", &fresh)
        .assert()
        .success();
    assert_ne!(home.read_config(), before);
    home.cmd(&["init"])
        .env("BROKER_AGE_KEY_FILE", &other)
        .assert()
        .success();
}

#[test]
fn login_with_token_imports_a_token_pair_from_stdin_and_runs_the_login_hooks() {
    let home = Home::with_emulator();
    // A pair obtained elsewhere (as bypy or an old script would hold it).
    home.login_netdisk("elsewhere");
    let pair = home.state_json("elsewhere");
    home.ok(&["logout", "elsewhere"]);
    home.add("nd", "netdisk");
    let ran = home.path().join("ran");
    let text = format!(
        "{}\n[[profiles.nd.hooks]]\non = [\"login\"]\nname = \"l\"\nrun = \"echo $BROKER_EVENT >> {}\"\n",
        home.read_config(),
        ran.display()
    );
    home.write_config(&text);
    // bypy's token file: expires_in, plus fields broker does not use.
    let json = serde_json::json!({
        "access_token": pair["access_token"],
        "refresh_token": pair["refresh_token"],
        "expires_in": 2592000,
        "scope": "basic netdisk",
        "session_key": "ignored",
    });
    home.ok_stdin(&["login", "nd", "--with-token"], &json.to_string());
    assert_eq!(std::fs::read_to_string(&ran).unwrap(), "login\n");
    assert_eq!(
        home.ok(&["token", "nd"]).trim(),
        pair["access_token"].as_str().unwrap()
    );
    let state = home.state_json("nd");
    assert!(state["lineage"].is_string(), "{state}");
    assert!(state["needs_login"].is_null(), "{state}");
    // The imported refresh token works: broker can rotate from it.
    home.ok(&["refresh", "nd", "--force"]);
    assert_ne!(
        home.ok(&["token", "nd"]).trim(),
        pair["access_token"].as_str().unwrap()
    );
}

#[test]
fn login_with_token_refuses_bad_input_and_never_takes_the_token_from_argv() {
    let home = Home::init();
    home.add_offline("nd", "netdisk", "s");
    home.add_offline("ai", "ai", "s");
    let out = home
        .cmd(&["login", "nd", "--with-token", "24.abc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    for (profile, stdin) in [
        ("nd", ""),
        ("nd", "not json"),
        ("nd", r#"{"refresh_token":"r","expires_in":60}"#),
        ("nd", r#"{"access_token":"a b","expires_in":60}"#),
        ("nd", r#"{"access_token":"a"}"#),
        (
            "ai",
            r#"{"access_token":"a","expires_at":"2001-01-01T00:00:00Z"}"#,
        ),
        ("nd", r#"{"access_token":"a","expires_in":60}"#),
    ] {
        let out = home
            .cmd(&["login", profile, "--with-token"])
            .write_stdin(stdin)
            .output()
            .unwrap();
        crate::harness::assert_failed(&out, 2, stdin);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("a b"), "{err}");
    }
    assert!(!home.state_file("nd").exists());
    // An ai token with its expiry needs nothing else (and no SecretKey).
    home.ok_stdin(
        &["login", "ai", "--with-token"],
        r#"{"access_token":"24.imported","expires_at":4102444800}"#,
    );
    assert_eq!(home.ok(&["token", "ai"]), "24.imported\n");
}
