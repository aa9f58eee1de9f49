//! The age store: interop with the reference `age` tool both ways, identity sources, rekey.

use std::process::Command as Std;

use crate::harness::Home;

fn recipient(home: &Home) -> String {
    home.ok(&["init"]).trim().to_owned()
}

fn age_keygen(dir: &std::path::Path, name: &str) -> (std::path::PathBuf, String) {
    let path = dir.join(name);
    let out = Std::new("age-keygen")
        .arg("-o")
        .arg(&path)
        .output()
        .expect("age-keygen is installed");
    assert!(out.status.success());
    let public = String::from_utf8_lossy(&out.stderr)
        .trim()
        .trim_start_matches("Public key: ")
        .to_owned();
    (path, public)
}

#[test]
fn a_secret_written_by_broker_decrypts_with_the_reference_age() {
    let home = Home::init();
    home.add_offline("a", "ai", "s3cret-value\n");
    let cfg: toml::Table = toml::from_str(&home.read_config()).unwrap();
    let armored = cfg["profiles"]["a"]["secret_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let file = home.path().join("secret.age");
    std::fs::write(&file, armored).unwrap();
    // One trailing newline from stdin is dropped, nothing else.
    assert_eq!(home.age_decrypt(&file), "s3cret-value");
}

#[test]
fn a_secret_written_by_the_reference_age_is_readable() {
    let home = Home::with_emulator();
    let r = recipient(&home);
    let out = Std::new("age")
        .args(["-r", &r, "-a"])
        .arg("-o")
        .arg(home.path().join("sk.age"))
        .arg("/dev/stdin")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .unwrap()
                .write_all(crate::harness::SECRET.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success());
    let armored = std::fs::read_to_string(home.path().join("sk.age")).unwrap();
    let text = format!(
        "{}\n[profiles.pasted]\ngrant = \"ai\"\napp_key = \"{}\"\nendpoint = \"{}\"\nsecret_key = \"\"\"\n{armored}\"\"\"\n",
        home.read_config(),
        crate::harness::APP_KEY,
        home.emu().base_url()
    );
    home.write_config(&text);
    // The emulator accepts the token request only with the right SecretKey.
    let token = home.ok(&["token", "pasted"]);
    assert!(token.starts_with("24."), "{token}");
}

#[test]
fn missing_identity_is_exit_6_naming_where_it_looked() {
    let home = Home::with_emulator();
    home.add("a", "ai");
    std::fs::remove_file(home.identity()).unwrap();
    let err = home.fails(&["token", "a"], 6);
    assert!(err.contains("identity.txt"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn a_foreign_identity_is_exit_6() {
    let home = Home::with_emulator();
    home.add("a", "ai");
    let (other, _) = age_keygen(home.path(), "other.txt");
    let out = home
        .cmd(&["token", "a"])
        .env("BROKER_AGE_KEY_FILE", &other)
        .output()
        .unwrap();
    crate::harness::assert_failed(&out, 6, "foreign identity");
}

#[test]
fn identity_sources_in_spec_order() {
    let home = Home::with_emulator();
    home.add("a", "ai");
    let key = std::fs::read_to_string(home.identity()).unwrap();
    let secret_line = key
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap()
        .to_owned();
    let moved = home.path().join("moved-identity.txt");
    std::fs::rename(home.identity(), &moved).unwrap();
    // BROKER_AGE_KEY: the key text itself.
    home.cmd(&["token", "a"])
        .env("BROKER_AGE_KEY", &secret_line)
        .assert()
        .success();
    // BROKER_AGE_KEY_FILE.
    home.cmd(&["token", "a"])
        .env("BROKER_AGE_KEY_FILE", &moved)
        .assert()
        .success();
    // BROKER_AGE_KEY_CMD: a command that prints it.
    home.cmd(&["token", "a"])
        .env("BROKER_AGE_KEY_CMD", format!("cat '{}'", moved.display()))
        .assert()
        .success();
    // The first present source is used alone: a bad BROKER_AGE_KEY is not rescued by a good file.
    let out = home
        .cmd(&["token", "a"])
        .env("BROKER_AGE_KEY", "AGE-SECRET-KEY-1BAD")
        .env("BROKER_AGE_KEY_FILE", &moved)
        .output()
        .unwrap();
    crate::harness::assert_failed(&out, 6, "bad BROKER_AGE_KEY");
    // A failing key command is exit 6 too.
    let out = home
        .cmd(&["token", "a"])
        .env("BROKER_AGE_KEY_CMD", "exit 3")
        .output()
        .unwrap();
    crate::harness::assert_failed(&out, 6, "failing key command");
}

#[test]
fn passphrase_identity_needs_the_passphrase_and_never_prompts_without_a_terminal() {
    let home = Home::with_emulator();
    // Start over with a passphrase-protected identity.
    std::fs::remove_file(home.identity()).unwrap();
    std::fs::remove_file(home.config()).unwrap();
    home.cmd(&["init", "--passphrase"])
        .env("BROKER_AGE_PASSPHRASE", "correct horse")
        .assert()
        .success();
    let text = std::fs::read_to_string(home.identity()).unwrap();
    assert!(
        text.contains("BEGIN AGE ENCRYPTED FILE") && !text.contains("AGE-SECRET-KEY"),
        "{text}"
    );
    home.add("a", "ai");
    home.cmd(&["token", "a"])
        .env("BROKER_AGE_PASSPHRASE", "correct horse")
        .assert()
        .success();
    let started = std::time::Instant::now();
    let out = home.cmd(&["token", "a"]).output().unwrap();
    crate::harness::assert_failed(&out, 6, "no passphrase, no terminal");
    assert!(String::from_utf8_lossy(&out.stderr).contains("BROKER_AGE_PASSPHRASE"));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let out = home
        .cmd(&["token", "a"])
        .env("BROKER_AGE_PASSPHRASE", "wrong")
        .output()
        .unwrap();
    crate::harness::assert_failed(&out, 6, "wrong passphrase");
}

#[test]
fn rekey_adds_a_teammate_to_secrets_and_state() {
    let home = Home::with_emulator();
    home.add("a", "ai");
    home.ok(&["token", "a"]);
    let (mate, mate_public) = age_keygen(home.path(), "mate.txt");
    let text = home.read_config().replacen(
        "recipients = [",
        &format!("recipients = [\"{mate_public}\", "),
        1,
    );
    home.write_config(&text);
    home.ok(&["secret", "rekey"]);
    // The teammate alone can now read the state and get a token.
    let out = Std::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&mate)
        .arg(home.state_file("a"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    home.cmd(&["refresh", "a", "--force"])
        .env("BROKER_AGE_KEY_FILE", &mate)
        .assert()
        .success();
}

/// True while `pid` is a live process (a zombie has already ended).
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z'))
    })
}

/// A home with profile `a` and its identity moved where only a key command finds it.
fn home_for_key_commands() -> (Home, std::path::PathBuf) {
    let home = Home::with_emulator();
    home.add("a", "ai");
    let moved = home.path().join("moved-identity.txt");
    std::fs::rename(home.identity(), &moved).unwrap();
    (home, moved)
}

#[test]
fn a_key_command_that_leaves_a_background_process_holding_stdout_does_not_hang() {
    let (home, moved) = home_for_key_commands();
    let started = std::time::Instant::now();
    // The background `sleep` keeps the write end of the pipe open for 100 s.
    let out = home
        .cmd(&["token", "a"])
        .env(
            "BROKER_AGE_KEY_CMD",
            format!("cat '{}'; sleep 100 2>/dev/null &", moved.display()),
        )
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_key_command_past_its_time_limit_is_ended_with_its_group_and_exit_6() {
    let (home, _) = home_for_key_commands();
    let pid_file = home.path().join("sleep.pid");
    let started = std::time::Instant::now();
    let out = home
        .cmd(&["token", "a"])
        .env(
            "BROKER_AGE_KEY_CMD",
            format!(
                "sleep 100 2>/dev/null & echo $! > '{}'; wait",
                pid_file.display()
            ),
        )
        .env("BROKER_AGE_KEY_CMD_TIMEOUT", "1s")
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let took = started.elapsed();
    crate::harness::assert_failed(&out, 6, "key command timeout");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("BROKER_AGE_KEY_CMD") && err.contains("1s"),
        "{err}"
    );
    assert!(took < std::time::Duration::from_secs(8), "took {took:?}");
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while alive(pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        !alive(pid),
        "the key command's `sleep` outlived its time limit"
    );
}

#[test]
fn a_key_command_with_endless_output_is_cut_at_the_cap_with_exit_6() {
    let (home, _) = home_for_key_commands();
    let out = home
        .cmd(&["token", "a"])
        .env("BROKER_AGE_KEY_CMD", "yes AGE-SECRET-KEY-1")
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    crate::harness::assert_failed(&out, 6, "endless key command");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("more than 1 MiB"), "{err}");
}

#[test]
fn a_bad_key_command_time_limit_is_exit_2() {
    let (home, moved) = home_for_key_commands();
    let out = home
        .cmd(&["token", "a"])
        .env("BROKER_AGE_KEY_CMD", format!("cat '{}'", moved.display()))
        .env("BROKER_AGE_KEY_CMD_TIMEOUT", "soon")
        .output()
        .unwrap();
    crate::harness::assert_failed(&out, 2, "bad key command timeout");
}
