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
