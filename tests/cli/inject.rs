//! `broker inject` and `broker run`: `broker://PROFILE/FIELD` references resolved through the
//! token service, against the emulator.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{Home, assert_failed};

fn home() -> Home {
    let home = Home::with_emulator();
    home.add("p", "ai");
    home
}

#[test]
fn inject_replaces_references_from_stdin_to_stdout_with_or_without_spaces() {
    let home = home();
    let template = "token={{ broker://p/access_token }}\nkey={{broker://p/app_key}}\n\
                    exp={{  broker://p/expires_at\t}} other={{ .Values.x }}\n";
    let out = home.ok_stdin(&["inject"], template);
    let token = home.ok(&["token", "p"]);
    let json: Value = serde_json::from_str(&home.ok(&["token", "p", "--json"])).unwrap();
    assert_eq!(
        out,
        format!(
            "token={}\nkey={}\nexp={} other={{{{ .Values.x }}}}\n",
            token.trim_end(),
            crate::harness::APP_KEY,
            json["expires_at"].as_str().unwrap()
        )
    );
}

#[test]
fn inject_writes_the_output_file_atomically_with_mode_0600() {
    let home = home();
    let input = home.path().join("app.tpl");
    std::fs::write(&input, "A={{ broker://p/access_token }}\n").unwrap();
    let output = home.path().join("app.env");
    // An existing, world-readable file is replaced by a 0600 one.
    std::fs::write(&output, "old\n").unwrap();
    std::fs::set_permissions(&output, std::fs::Permissions::from_mode(0o644)).unwrap();
    let stdout = home.ok(&[
        "inject",
        "-i",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(stdout, "", "nothing on stdout with -o");
    let token = home.ok(&["token", "p"]);
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        format!("A={}\n", token.trim_end())
    );
    let mode = std::fs::metadata(&output).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
}

#[test]
fn inject_unknown_profile_or_field_is_exit_2_and_writes_nothing() {
    let home = home();
    let output = home.path().join("out.env");
    let existing = home.path().join("existing.env");
    std::fs::write(&existing, "kept\n").unwrap();
    for (template, says) in [
        // A good reference first: nothing is written all the same.
        (
            "{{ broker://p/access_token }} {{ broker://nope/access_token }}",
            "nope",
        ),
        ("{{ broker://p/password }}", "password"),
        // The STS pair is not a field of an `ai` profile.
        ("{{ broker://p/secret_access_key }}", "secret_access_key"),
        ("{{ broker://p/access_token", "broker://p/access_token"),
    ] {
        for out_file in [&output, &existing] {
            let out = home
                .cmd(&["inject", "-o", out_file.to_str().unwrap()])
                .write_stdin(template)
                .output()
                .unwrap();
            assert_failed(&out, 2, template);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(says), "{template}: {err}");
        }
        assert!(!output.exists(), "{template}");
        assert_eq!(std::fs::read_to_string(&existing).unwrap(), "kept\n");
        let out = home
            .cmd(&["inject"])
            .write_stdin(template)
            .output()
            .unwrap();
        assert_failed(&out, 2, template);
        assert!(out.stdout.is_empty(), "{template}");
    }
    // Checked before any token was fetched.
    assert!(!home.state_file("p").exists());
}

#[test]
fn inject_sts_fields() {
    let home = Home::with_emulator();
    home.add("st", "sts");
    let out = home.ok_stdin(
        &["inject"],
        "{{broker://st/access_key_id}}|{{ broker://st/secret_access_key }}|\
         {{ broker://st/session_token }}|{{ broker://st/access_token }}",
    );
    let json: Value = serde_json::from_str(&home.ok(&["token", "st", "--json"])).unwrap();
    assert_eq!(
        out,
        format!(
            "{}|{}|{}|{}",
            json["access_key_id"].as_str().unwrap(),
            json["secret_access_key"].as_str().unwrap(),
            json["session_token"].as_str().unwrap(),
            json["session_token"].as_str().unwrap(),
        )
    );
    let err = home
        .cmd(&["inject"])
        .write_stdin("{{ broker://st/scope }}")
        .output()
        .unwrap();
    assert_failed(&err, 2, "scope of sts");
}

/// A profile whose SecretKey comes from `MY_AI_SK`.
fn home_with_env_secret() -> Home {
    let home = Home::with_emulator();
    let mut config = home.read_config();
    config.push_str(&format!(
        "\n[profiles.envsk]\ngrant = \"ai\"\napp_key = \"{}\"\nendpoint = \"{}\"\nsecret_key_env = \"MY_AI_SK\"\n",
        crate::harness::APP_KEY,
        home.emu().base_url(),
    ));
    home.write_config(&config);
    home
}

#[test]
fn run_resolves_references_and_drops_the_secret_key_variables() {
    let home = home_with_env_secret();
    let out = home
        .cmd(&["run", "--", "env"])
        .env("MY_AI_SK", crate::harness::SECRET)
        .env("APP_TOKEN", "broker://envsk/access_token")
        .env("APP_KEY_ID", "broker://envsk/app_key")
        .env("UNRELATED", "kept")
        .env("NOT_A_REF", "prefix broker://envsk/access_token")
        .env("BROKER_REDIS_URL", "redis://:fleet-password@127.0.0.1:1/0")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let env = String::from_utf8(out.stdout).unwrap();
    assert!(
        !env.contains("fleet-password") && !env.contains("BROKER_AGE_KEY="),
        "broker's own secrets reached the command: {env}"
    );
    let token = home
        .cmd(&["token", "envsk"])
        .env("MY_AI_SK", crate::harness::SECRET)
        .output()
        .unwrap();
    let token = String::from_utf8(token.stdout).unwrap();
    let has = |line: &str| env.lines().any(|l| l == line);
    assert!(has(&format!("APP_TOKEN={}", token.trim_end())), "{env}");
    assert!(
        has(&format!("APP_KEY_ID={}", crate::harness::APP_KEY)),
        "{env}"
    );
    assert!(has("UNRELATED=kept"), "{env}");
    assert!(has("NOT_A_REF=prefix broker://envsk/access_token"), "{env}");
    assert!(
        !env.contains(crate::harness::SECRET) && !env.contains("MY_AI_SK="),
        "the SecretKey reached the command: {env}"
    );

    // A bad reference: exit 2, and the command never runs.
    let marker = home.path().join("ran");
    let out = home
        .cmd(&["run", "--", "touch", marker.to_str().unwrap()])
        .env("MY_AI_SK", crate::harness::SECRET)
        .env("APP_TOKEN", "broker://envsk/session_token")
        .output()
        .unwrap();
    assert_failed(&out, 2, "session_token of ai");
    assert!(!marker.exists());
}

#[test]
fn run_passes_the_exit_code_and_signals_through() {
    let home = home();
    for (script, code) in [("exit 0", 0), ("exit 42", 42), ("kill -TERM $$", 143)] {
        let out = home
            .cmd(&["run", "--", "sh", "-c", script])
            .env("T", "broker://p/access_token")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{script}");
    }
    // SIGTERM sent to broker reaches the command.
    let script =
        "trap 'echo term > got; exit 7' TERM; echo ready > ready; while :; do sleep 0.05; done";
    let mut child = home
        .std_cmd(&["run", "--", "sh", "-c", script])
        .env("T", "broker://p/access_token")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let ready = home.path().join("ready");
    let start = Instant::now();
    while !ready.exists() {
        assert!(start.elapsed() < Duration::from_secs(10), "never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(7));
    assert_eq!(
        std::fs::read_to_string(home.path().join("got")).unwrap(),
        "term\n"
    );
}

fn eventually(within: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let started = Instant::now();
    while !cond() {
        assert!(started.elapsed() < within, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `inject --watch -o FILE --exec CMD` running in `home`: the child, the output file and the
/// file CMD appends a line to on each render.
fn start_watch(home: &Home) -> (std::process::Child, std::path::PathBuf, std::path::PathBuf) {
    let input = home.path().join("app.tpl");
    std::fs::write(&input, "A={{ broker://p/access_token }}\n").unwrap();
    let output = home.path().join("app.env");
    let renders = home.path().join("renders");
    let exec = format!("echo rendered >> '{}'", renders.display());
    let child = home
        .std_cmd(&[
            "inject",
            "-i",
            input.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
            "--watch",
            "--exec",
            &exec,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (child, output, renders)
}

fn renders(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.lines().count())
}

#[test]
fn inject_watch_renders_again_after_a_rotation_by_another_process() {
    let home = home();
    let (mut child, output, log) = start_watch(&home);
    eventually(Duration::from_secs(10), "the first render", || {
        renders(&log) == 1
    });
    let first = std::fs::read_to_string(&output).unwrap();
    assert_eq!(first, format!("A={}", home.ok(&["token", "p"])));
    home.ok(&["refresh", "p", "--force"]);
    let token = home.ok(&["token", "p"]);
    assert_ne!(first, format!("A={token}"));
    eventually(
        Duration::from_secs(10),
        "the render after the rotation",
        || std::fs::read_to_string(&output).unwrap() == format!("A={token}"),
    );
    eventually(Duration::from_secs(5), "the command after it", || {
        renders(&log) == 2
    });
    let mode = std::fs::metadata(&output).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    // Nothing changed since: no more renders.
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(renders(&log), 2);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn inject_watch_rotates_a_token_that_falls_due_and_renders_it() {
    let home = Home::with_emulator();
    home.emu()
        .set_lifetime(broker_emulator::Grant::ClientCredentials, 13);
    home.add("p", "ai");
    let text = home
        .read_config()
        .replace("[profiles.p]\n", "[profiles.p]\nrefresh_before = \"10s\"\n");
    home.write_config(&text);
    let (mut child, output, log) = start_watch(&home);
    eventually(Duration::from_secs(10), "the first render", || {
        renders(&log) >= 1
    });
    let first = std::fs::read_to_string(&output).unwrap();
    eventually(Duration::from_secs(15), "a render of a new token", || {
        renders(&log) >= 2 && std::fs::read_to_string(&output).unwrap() != first
    });
    let state = home.state_json("p");
    child.kill().unwrap();
    child.wait().unwrap();
    let now = std::fs::read_to_string(&output).unwrap();
    assert!(now.starts_with("A="), "{now}");
    assert_ne!(now, first);
    assert!(state["access_token"].is_string());
}

#[test]
fn inject_watch_needs_an_output_file() {
    let home = home();
    let out = home
        .cmd(&["inject", "--watch"])
        .write_stdin("x")
        .output()
        .unwrap();
    assert_failed(&out, 2, "--watch without -o");
    let out = home
        .cmd(&["inject", "-o", "x", "--exec", "true"])
        .write_stdin("x")
        .output()
        .unwrap();
    assert_failed(&out, 2, "--exec without --watch");
}
