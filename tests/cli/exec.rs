//! `broker exec`: the variables, the exit code, signals, stdin, and the nesting guard.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{Home, assert_failed};
use crate::shell::add_env;

fn home() -> Home {
    let home = Home::with_emulator();
    home.add("p", "ai");
    home.add("q", "ai");
    add_env(&home, "p", &[("PAN_TOKEN", "{access_token}")]);
    home
}

#[test]
fn the_command_gets_the_profile_and_none_of_the_stale_variables() {
    let home = home();
    let token = home.ok(&["token", "p"]);
    let out = home
        .cmd(&["exec", "p", "--", "env"])
        .env("BAIDU_ACCESS_TOKEN", "stale-token")
        .env("BAIDU_SOMETHING_ELSE", "stale")
        .env("BROKER_PROFILE", "q")
        .env("BROKER_STAMP", "q:1:x")
        .env("BROKER_EXPORTED", "OLD_EXTRA")
        .env("OLD_EXTRA", "from-q")
        .env("BROKER_AGE_PASSPHRASE", "not for the command")
        .env("UNRELATED", "kept")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let env = String::from_utf8(out.stdout).expect("utf-8");
    let has = |line: &str| env.lines().any(|l| l == line);
    assert!(
        has(&format!("BAIDU_ACCESS_TOKEN={}", token.trim())),
        "{env}"
    );
    assert!(has(&format!("PAN_TOKEN={}", token.trim())), "{env}");
    assert!(has("BROKER_PROFILE=p"), "{env}");
    assert!(has("BROKER_EXEC=p"), "{env}");
    assert!(has("BAIDU_APP_KEY=test-app-key-0001"), "{env}");
    assert!(has("UNRELATED=kept"), "{env}");
    for gone in [
        "BAIDU_SOMETHING_ELSE",
        "BROKER_STAMP",
        "BROKER_EXPORTED",
        "OLD_EXTRA",
        "BROKER_AGE_PASSPHRASE",
    ] {
        assert!(
            !env.lines().any(|l| l.starts_with(&format!("{gone}="))),
            "{gone} leaked: {env}"
        );
    }
}

#[test]
fn the_exit_code_passes_through() {
    let home = home();
    for (script, code) in [("exit 0", 0), ("exit 42", 42), ("kill -TERM $$", 143)] {
        let out = home
            .cmd(&["exec", "p", "--", "sh", "-c", script])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(code), "{script}");
    }
    let out = home
        .cmd(&["exec", "p", "--", "no-such-command-here"])
        .output()
        .expect("runs");
    assert_failed(&out, 127, "not found");
}

#[test]
fn stdin_is_the_command_s() {
    let home = home();
    let out = home
        .cmd(&["exec", "p", "--", "cat"])
        .write_stdin("hello from stdin\n")
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello from stdin\n");
}

#[test]
fn sigterm_to_broker_reaches_the_command() {
    let home = home();
    home.ok(&["token", "p"]);
    let script =
        "trap 'echo term > got; exit 7' TERM; echo ready > ready; while :; do sleep 0.05; done";
    let mut child = home
        .std_cmd(&["exec", "p", "--", "sh", "-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let ready = home.path().join("ready");
    let start = Instant::now();
    while !ready.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the command never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("kill");
    let status = child.wait().expect("wait");
    assert_eq!(
        status.code(),
        Some(7),
        "broker exits with the command's code"
    );
    assert_eq!(
        std::fs::read_to_string(home.path().join("got")).expect("the trap ran"),
        "term\n"
    );
}

#[test]
fn a_command_killed_by_a_forwarded_signal_gives_128_plus_the_signal() {
    let home = home();
    home.ok(&["token", "p"]);
    let mut child = home
        .std_cmd(&[
            "exec",
            "p",
            "--",
            "sh",
            "-c",
            "echo ready > ready; exec sleep 30",
        ])
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn");
    let ready = home.path().join("ready");
    let start = Instant::now();
    while !ready.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the command never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // `exec sleep` replaces sh after it wrote the file; give it a moment to be sleep.
    std::thread::sleep(Duration::from_millis(100));
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGHUP).expect("kill");
    assert_eq!(child.wait().expect("wait").code(), Some(128 + 1));
}

#[test]
fn nesting_is_refused_unless_forced() {
    let home = home();
    let out = home
        .cmd(&["exec", "p", "--", "broker", "exec", "q", "--", "true"])
        .env("PATH", path_with_broker())
        .output()
        .expect("runs");
    assert_failed(&out, 2, "nested exec");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already inside `broker exec` for profile `p`"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");

    let out = home
        .cmd(&[
            "exec",
            "p",
            "--",
            "broker",
            "exec",
            "q",
            "--force",
            "--",
            "sh",
            "-c",
            "echo $BROKER_PROFILE",
        ])
        .env("PATH", path_with_broker())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "q\n");
}

/// `broker exec p` with nothing after it: the person's `$SHELL` (else /bin/sh) with the
/// profile's variables, as aws-vault does; its exit code is broker's.
#[test]
fn without_a_command_the_users_shell_starts_with_the_profile() {
    use std::os::unix::fs::PermissionsExt;
    let home = home();
    let token = home.ok(&["token", "p"]);
    let said = "echo \"$BROKER_PROFILE $BROKER_EXEC $BAIDU_ACCESS_TOKEN\"; exit 3\n";
    // No SHELL (the harness clears the environment): /bin/sh reads the commands on stdin.
    let out = home.cmd(&["exec", "p"]).write_stdin(said).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("p p {}\n", token.trim())
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/bin/sh") && stderr.contains("`p`") && stderr.contains("exit"),
        "{stderr}"
    );

    let shell = home.path().join("my-shell");
    std::fs::write(&shell, "#!/bin/sh\necho \"my shell: $BROKER_PROFILE $*\"\n").unwrap();
    std::fs::set_permissions(&shell, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = home
        .cmd(&["exec", "p"])
        .env("SHELL", &shell)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "my shell: p \n");

    // A stray word is still not a command: it must follow `--`.
    home.fails(&["exec", "p", "env"], 2);
}

fn path_with_broker() -> String {
    let bin = assert_cmd::cargo::cargo_bin("broker");
    format!(
        "{}:{}",
        bin.parent().expect("folder").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// An `ai` profile whose SecretKey comes from `MY_AI_SK`, a name `exec` does not remove on
/// its own (not `BAIDU_*` or `BROKER_*`), plus another profile reading `OTHER_SK`.
fn home_with_env_secret() -> Home {
    let home = Home::with_emulator();
    let mut config = home.read_config();
    config.push_str(&format!(
        "\n[profiles.envsk]\ngrant = \"ai\"\napp_key = \"{}\"\nendpoint = \"{}\"\nsecret_key_env = \"MY_AI_SK\"\n\
         \n[profiles.other]\ngrant = \"ai\"\napp_key = \"k\"\nendpoint = \"{}\"\nsecret_key_env = \"OTHER_SK\"\n",
        crate::harness::APP_KEY,
        home.emu().base_url(),
        home.emu().base_url(),
    ));
    home.write_config(&config);
    home
}

fn exec_env(home: &Home) -> String {
    let out = home
        .cmd(&["exec", "envsk", "--", "env"])
        .env("MY_AI_SK", crate::harness::SECRET)
        .env("OTHER_SK", "other-secret-value")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn exec_does_not_pass_the_secret_key_env_variable_to_the_command() {
    let home = home_with_env_secret();
    let env = exec_env(&home);
    assert!(env.contains("BAIDU_ACCESS_TOKEN="), "{env}");
    assert!(
        !env.contains(crate::harness::SECRET) && !env.contains("MY_AI_SK="),
        "the SecretKey reached the command: {env}"
    );
    assert!(!env.contains("OTHER_SK="), "{env}");
}

#[test]
fn exec_passes_the_secret_key_when_a_template_asks_for_it() {
    let home = home_with_env_secret();
    add_env(&home, "envsk", &[("APP_SECRET", "{secret_key}")]);
    let env = exec_env(&home);
    let has = |line: &str| env.lines().any(|l| l == line);
    assert!(
        has(&format!("APP_SECRET={}", crate::harness::SECRET)),
        "{env}"
    );
    assert!(
        has(&format!("MY_AI_SK={}", crate::harness::SECRET)),
        "{env}"
    );
    // Another profile's SecretKey is never this command's business.
    assert!(!env.contains("OTHER_SK="), "{env}");
}
