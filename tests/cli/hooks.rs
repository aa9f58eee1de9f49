//! Hooks and sinks against real processes and the emulator: what a hook is given, when it
//! runs, how it is bounded, and that a failed hook never loses a token.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use broker_emulator::{Fault, FaultKind};
use chrono::{DateTime, Utc};

use crate::harness::{APP_KEY, Home, SECRET, assert_failed};

const TOKEN_PATH: &str = "/oauth/2.0/token";

/// A TOML basic string holding `s` (JSON string escapes are valid TOML).
fn q(s: impl AsRef<str>) -> String {
    serde_json::to_string(s.as_ref()).unwrap()
}

fn qp(p: &Path) -> String {
    q(p.display().to_string())
}

/// Writes an executable `#!/bin/sh` script.
fn script(path: &Path, body: &str) -> PathBuf {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_path_buf()
}

fn append_config(home: &Home, text: &str) {
    let mut config = home.read_config();
    config.push_str(text);
    home.write_config(&config);
}

/// A folder for what hooks write, inside the home.
fn out_dir(home: &Home) -> PathBuf {
    let dir = home.path().join("out");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `KEY=VALUE` lines as printed by `env`.
fn env_map(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn time(v: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v)
        .unwrap_or_else(|e| panic!("{v:?}: {e}"))
        .with_timezone(&Utc)
}

/// Same second: hooks are given whole seconds, the state keeps more.
fn same_second(a: &str, b: &str) {
    assert_eq!(time(a).timestamp(), time(b).timestamp(), "{a} vs {b}");
}

/// A hook that records its environment, argv and stdin under `out/NAME.*`.
fn recorder(home: &Home, name: &str) -> PathBuf {
    let out = out_dir(home);
    script(
        &home.path().join(format!("{name}.sh")),
        &format!(
            "env > {dir}/{name}.env\nprintf '%s\\n' \"$0\" \"$@\" > {dir}/{name}.argv\ncat > {dir}/{name}.stdin",
            dir = out.display()
        ),
    )
}

#[test]
fn a_rotate_hook_gets_the_facts_in_env_and_stdin_and_no_secret_anywhere() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let hook = recorder(&home, "rec");
    // A second profile whose SecretKey comes from the environment: it must not reach a hook.
    append_config(
        &home,
        &format!(
            "\n[profiles.nd2]\ngrant = \"ai\"\napp_key = \"k2\"\nsecret_key_env = \"TEST_AI_SK\"\n\
             \n[[profiles.nd.hooks]]\nname = \"rec\"\non = [\"rotate\"]\nrun = [{}, \"--flag\", \"plain arg\"]\nenv = {{ EXTRA = \"x y\" }}\n",
            qp(&hook)
        ),
    );
    let before = home.state_json("nd");
    // The age identity given as a variable (a secret) must not be inherited by the hook.
    let identity = read(&home.identity());
    let key = identity
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap()
        .to_owned();
    let out = home
        .cmd(&["refresh", "nd", "--force"])
        .env("BROKER_AGE_KEY", &key)
        .env("TEST_AI_SK", SECRET)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = home.state_json("nd");
    let token = after["access_token"].as_str().unwrap();
    assert_ne!(Some(token), before["access_token"].as_str());

    let dir = out_dir(&home);
    let env = env_map(&read(&dir.join("rec.env")));
    assert_eq!(env["BROKER_EVENT"], "rotate");
    assert_eq!(env["BROKER_PROFILE"], "nd");
    assert_eq!(env["BROKER_GRANT"], "netdisk");
    assert_eq!(env["BROKER_APP_KEY"], APP_KEY);
    assert_eq!(env["BROKER_ACCESS_TOKEN"], token);
    assert_eq!(env["BROKER_SCOPE"], after["scope"].as_str().unwrap());
    same_second(
        &env["BROKER_EXPIRES_AT"],
        after["expires_at"].as_str().unwrap(),
    );
    assert!(env["BROKER_EXPIRES_AT"].ends_with('Z'));
    assert_eq!(env["EXTRA"], "x y");
    // A nested `broker` finds the same config and state.
    assert_eq!(Path::new(&env["BROKER_CONFIG"]), home.config());
    for withheld in ["BROKER_AGE_KEY", "TEST_AI_SK"] {
        assert!(!env.contains_key(withheld), "{withheld} reached the hook");
    }

    let stdin: serde_json::Value = serde_json::from_str(&read(&dir.join("rec.stdin"))).unwrap();
    assert_eq!(stdin["event"], "rotate");
    assert_eq!(stdin["profile"], "nd");
    assert_eq!(stdin["grant"], "netdisk");
    assert_eq!(stdin["app_key"], APP_KEY);
    assert_eq!(stdin["access_token"], token);
    assert_eq!(stdin["scope"], after["scope"]);
    same_second(
        stdin["expires_at"].as_str().unwrap(),
        after["expires_at"].as_str().unwrap(),
    );
    same_second(
        stdin["previous_expires_at"].as_str().unwrap(),
        before["expires_at"].as_str().unwrap(),
    );
    let at = time(stdin["at"].as_str().unwrap());
    assert!((Utc::now() - at).num_seconds().abs() < 60, "{at}");

    let argv = read(&dir.join("rec.argv"));
    assert_eq!(
        argv.lines().collect::<Vec<_>>(),
        [hook.display().to_string().as_str(), "--flag", "plain arg"]
    );
    let everything = format!(
        "{argv}\n{}\n{}",
        read(&dir.join("rec.env")),
        read(&dir.join("rec.stdin"))
    );
    assert!(!argv.contains(token), "the token was in argv");
    for (what, secret) in [
        ("the SecretKey", SECRET),
        (
            "the old refresh token",
            before["refresh_token"].as_str().unwrap(),
        ),
        (
            "the new refresh token",
            after["refresh_token"].as_str().unwrap(),
        ),
        ("the age identity", key.as_str()),
    ] {
        assert!(!everything.contains(secret), "{what} reached the hook");
    }
    // The result is kept in the state, as codes and facts (issue 12: no prose in the state)...
    let results = after["hooks"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["name"], "rec");
    assert_eq!(results[0]["ok"], true);
    assert_eq!(
        results[0]["status"],
        serde_json::json!({"domain": "hooks", "code": "ran", "run": "exit", "exit_code": 0})
    );
    // ...and `status --json` shows it in words, as before.
    let shown: serde_json::Value =
        serde_json::from_str(&home.ok(&["status", "nd", "--json"])).unwrap();
    assert_eq!(shown[0]["hooks"][0]["status"], "exit 0", "{shown}");
}

#[test]
fn a_failing_hook_makes_refresh_exit_7_and_the_token_stays_saved() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.ok(&["token", "ai"]);
    append_config(
        &home,
        "\n[[profiles.ai.hooks]]\nname = \"bad\"\non = [\"rotate\"]\nrun = \"echo about to fail; exit 3\"\n",
    );
    let err = home.fails(&["refresh", "ai", "--force"], 7);
    assert!(
        err.contains("hook `bad` failed") && err.contains("exit 3"),
        "{err}"
    );
    assert!(err.contains("[hook bad] about to fail"), "{err}");
    assert!(err.contains("broker hooks run ai"), "{err}");
    let saved = home.state_json("ai")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    home.emu().reset_counters();
    assert_eq!(home.ok(&["token", "ai"]).trim(), saved);
    assert_eq!(home.emu().counters().requests, 0, "asked Baidu again");

    // `token` keeps its own exit code and only warns.
    home.expire("ai");
    let out = home.cmd(&["token", "ai"]).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: hook `bad` failed"), "{stderr}");
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        printed.trim(),
        home.state_json("ai")["access_token"].as_str().unwrap()
    );

    // `status` shows the failure, and exits 7 for it.
    let out = home.cmd(&["status", "ai", "--json"]).output().unwrap();
    assert_failed(&out, 7, "status with a failed hook");
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let last = status[0]["last_hook"].as_str().unwrap();
    assert!(last.contains("bad FAILED (exit 3"), "{last}");
}

/// Regression: a failure recorded before the hook was removed from the config stayed in
/// `status` for good (nothing runs any more to replace it).
#[test]
fn status_forgets_the_results_of_hooks_removed_from_the_config() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let base = home.read_config();
    append_config(
        &home,
        "\n[[profiles.ai.hooks]]\nname = \"bad\"\non = [\"rotate\"]\nrun = \"exit 3\"\n",
    );
    home.fails(&["refresh", "ai", "--force"], 7);
    let out = home.cmd(&["status", "ai", "--json"]).output().unwrap();
    assert_failed(&out, 7, "status with a failed hook");
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        status[0]["last_hook"]
            .as_str()
            .unwrap()
            .contains("bad FAILED")
    );

    home.write_config(&base);
    let status: serde_json::Value =
        serde_json::from_str(&home.ok(&["status", "ai", "--json"])).unwrap();
    assert!(status[0].get("last_hook").is_none(), "{status}");
    assert_eq!(status[0]["hooks"], serde_json::json!([]), "{status}");
    let table = home.ok(&["status", "ai"]);
    assert!(!table.contains("FAILED"), "{table}");
}

#[test]
fn a_missing_executable_is_a_failed_hook_with_a_plain_reason() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    append_config(
        &home,
        "\n[[profiles.ai.hooks]]\non = [\"rotate\"]\nrun = [\"./no-such-hook.sh\"]\n",
    );
    let err = home.fails(&["refresh", "ai", "--force"], 7);
    assert!(
        err.contains("hook `./no-such-hook.sh` failed") && err.contains("not found"),
        "{err}"
    );
    assert!(home.state_json("ai")["access_token"].is_string());
}

/// True while `pid` is a live process (a zombie has already ended).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[test]
fn a_hook_past_its_timeout_is_ended_with_its_children() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let out = out_dir(&home);
    append_config(
        &home,
        &format!(
            "\n[[profiles.ai.hooks]]\nname = \"slow\"\non = [\"rotate\"]\ntimeout = \"2s\"\n\
             run = \"sleep 30 & echo $! > {}/child; wait\"\n",
            out.display()
        ),
    );
    let started = Instant::now();
    let err = home.fails(&["refresh", "ai", "--force"], 7);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert!(took >= Duration::from_secs(2), "took {took:?}");
    assert!(err.contains("timed out after 2s"), "{err}");
    let child: i32 = read(&out.join("child")).trim().parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    while alive(child) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !alive(child),
        "the hook's child `sleep` ({child}) outlived it"
    );
}

#[test]
fn a_hook_that_ignores_sigterm_is_killed_after_the_grace_period() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let out = out_dir(&home);
    append_config(
        &home,
        &format!(
            "\n[[profiles.ai.hooks]]\nname = \"stubborn\"\non = [\"rotate\"]\ntimeout = \"1s\"\n\
             run = \"trap '' TERM; sleep 30 & echo $! > {}/child; wait; wait\"\n",
            out.display()
        ),
    );
    let started = Instant::now();
    let err = home.fails(&["refresh", "ai", "--force"], 7);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "took {took:?}");
    // 1s, then the grace period after SIGTERM, which this hook ignores.
    assert!(took >= Duration::from_secs(3), "took {took:?}");
    assert!(err.contains("timed out after 1s"), "{err}");
    let child: i32 = read(&out.join("child")).trim().parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    while alive(child) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!alive(child), "the hook's child ({child}) survived SIGKILL");
}

#[test]
fn a_hook_that_calls_broker_token_finishes_without_deadlock_or_a_second_rotation() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let out = out_dir(&home);
    let broker = assert_cmd::cargo::cargo_bin("broker");
    append_config(
        &home,
        &format!(
            "\n[[profiles.nd.hooks]]\nname = \"nested\"\non = [\"rotate\"]\ntimeout = \"20s\"\n\
             run = \"{} token > {}/nested\"\n",
            broker.display(),
            out.display()
        ),
    );
    home.expire("nd");
    home.emu().reset_counters();
    let started = Instant::now();
    let printed = home.ok(&["token", "nd"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(read(&out.join("nested")), printed);
    let c = home.emu().counters();
    assert_eq!(c.grants.get("refresh_token"), Some(&1), "{c:?}");
    assert_eq!(c.refresh_reuse, 0);
    assert_eq!(home.state_json("nd")["hooks"][0]["ok"], true);
}

#[test]
fn thirty_two_token_calls_on_an_expired_token_run_the_hook_once() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.ok(&["token", "ai"]);
    let out = out_dir(&home);
    append_config(
        &home,
        &format!(
            "\n[[profiles.ai.hooks]]\non = [\"rotate\"]\nrun = \"echo \\\"$BROKER_EVENT\\\" >> {}/ran\"\n",
            out.display()
        ),
    );
    home.expire("ai");
    home.emu().reset_counters();
    let outs = home.parallel(32, &["token", "ai"]);
    for o in &outs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(read(&out.join("ran")), "rotate\n");
    assert_eq!(
        home.emu().counters().grants.get("client_credentials"),
        Some(&1)
    );
}

#[test]
fn refresh_all_runs_each_profiles_hooks_once_after_its_own_rotation() {
    let home = Home::with_emulator();
    home.add("a1", "ai");
    home.add("a2", "ai");
    let out = out_dir(&home);
    append_config(
        &home,
        &format!(
            "\n[[hooks]]\non = [\"rotate\"]\nrun = \"echo \\\"$BROKER_PROFILE $BROKER_ACCESS_TOKEN\\\" >> {}/ran\"\n",
            out.display()
        ),
    );
    home.ok(&["refresh", "--all", "--force"]);
    let mut lines: Vec<String> = read(&out.join("ran")).lines().map(str::to_owned).collect();
    lines.sort();
    let want: Vec<String> = ["a1", "a2"]
        .iter()
        .map(|p| {
            format!(
                "{p} {}",
                home.state_json(p)["access_token"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(lines, want);
}

#[test]
fn hooks_run_in_order_global_then_profile_each_in_file_order_after_the_sinks() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let out = out_dir(&home);
    let sink = out.join("token");
    let hook = |name: &str| {
        format!(
            "on = [\"rotate\"]\nrun = \"echo {name} $(cat {sink}) >> {out}/order\"\n",
            sink = sink.display(),
            out = out.display()
        )
    };
    // Written out of order on purpose: the profile's hooks come first in the file.
    append_config(
        &home,
        &format!(
            "\n[[profiles.ai.hooks]]\n{}\n[[profiles.ai.hooks]]\n{}\n[[profiles.ai.sinks]]\npath = {}\n\n[[hooks]]\n{}\n[[hooks]]\n{}",
            hook("p1"),
            hook("p2"),
            qp(&sink),
            hook("g1"),
            hook("g2"),
        ),
    );
    let token = home.ok(&["token", "ai"]);
    let order: Vec<String> = read(&out.join("order"))
        .lines()
        .map(str::to_owned)
        .collect();
    let want: Vec<String> = ["g1", "g2", "p1", "p2"]
        .iter()
        .map(|h| format!("{h} {}", token.trim()))
        .collect();
    assert_eq!(order, want, "each hook should see the sink already written");
}

#[test]
fn token_json_has_the_json_sink_shape() {
    // `broker token --json` and a `format = "json"` sink are the same token: one JSON shape,
    // the sink's documented one (app_key included), byte for byte.
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let out = out_dir(&home);
    append_config(
        &home,
        &format!(
            "\n[[profiles.ai.sinks]]\npath = {}\nformat = \"json\"\n",
            qp(&out.join("token.json"))
        ),
    );
    let printed = home.ok(&["token", "ai", "--json"]);
    let sink = read(&out.join("token.json"));
    assert_eq!(printed, sink);
    let json: serde_json::Value = serde_json::from_str(&printed).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = vec![
        "profile",
        "grant",
        "app_key",
        "access_token",
        "expires_at",
        "scope",
    ];
    want.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(json["app_key"], APP_KEY);
}

#[test]
fn sinks_are_written_atomically_with_their_mode_in_each_format() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let out = out_dir(&home);
    append_config(
        &home,
        &format!(
            "\n[[profiles.ai.sinks]]\npath = {}\n\
             \n[[profiles.ai.sinks]]\npath = {}\nformat = \"json\"\nmode = \"0640\"\n\
             \n[[profiles.ai.sinks]]\npath = \"sinks/token.env\"\nformat = \"env\"\n",
            qp(&out.join("token")),
            qp(&out.join("token.json")),
        ),
    );
    // A reader polling the file while it is replaced must only ever see a whole token.
    let path = out.join("token");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut seen = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    assert!(
                        text.starts_with("24.")
                            && text.ends_with('\n')
                            && text.lines().count() == 1,
                        "a reader saw a partial sink: {text:?}"
                    );
                    seen += 1;
                }
            }
            seen
        })
    };
    home.ok(&["token", "ai"]);
    for _ in 0..4 {
        home.ok(&["refresh", "ai", "--force"]);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0, "the reader never saw the sink");

    let state = home.state_json("ai");
    let token = state["access_token"].as_str().unwrap();
    assert_eq!(read(&path), format!("{token}\n"));
    assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o600);

    let json: serde_json::Value = serde_json::from_str(&read(&out.join("token.json"))).unwrap();
    assert_eq!(json["access_token"], token);
    assert_eq!(json["profile"], "ai");
    same_second(
        json["expires_at"].as_str().unwrap(),
        state["expires_at"].as_str().unwrap(),
    );
    let json_mode = std::fs::metadata(out.join("token.json")).unwrap().mode() & 0o777;
    assert_eq!(json_mode, 0o640);

    // A relative path is beside the config; its missing folder is created 0700.
    let env_dir = home.config().parent().unwrap().join("sinks");
    let env = env_map(&read(&env_dir.join("token.env")));
    assert_eq!(env["BAIDU_ACCESS_TOKEN"], token);
    assert_eq!(env["BROKER_PROFILE"], "ai");
    assert_eq!(env["BAIDU_APP_KEY"], APP_KEY);
    assert_eq!(std::fs::metadata(&env_dir).unwrap().mode() & 0o777, 0o700);

    // No temporary file is left beside a sink.
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    // Sink results are recorded like hook results.
    let recorded = state["hooks"].as_array().unwrap();
    assert_eq!(recorded.len(), 3, "{recorded:?}");
    assert!(recorded.iter().all(|r| r["ok"] == true), "{recorded:?}");
}

#[test]
fn a_sink_with_a_bad_mode_is_a_config_error_before_anything_rotates() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let out = out_dir(&home);
    append_config(
        &home,
        &format!(
            "\n[[profiles.ai.sinks]]\npath = {}\nmode = \"rw-------\"\n",
            qp(&out.join("token"))
        ),
    );
    let err = home.fails(&["refresh", "ai", "--force"], 2);
    assert!(err.contains("invalid sink mode `rw-------`"), "{err}");
    assert!(err.contains("profiles.ai.sinks[0].mode"), "{err}");
    assert!(!out.join("token").exists());
    assert_eq!(home.emu().counters().requests, 0);
}

#[test]
fn hooks_test_fires_every_hook_with_event_test_and_asks_baidu_nothing() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.ok(&["token", "ai"]);
    let out = out_dir(&home);
    let line = |name: &str, on: &str| {
        format!(
            "on = [\"{on}\"]\nname = \"{name}\"\nrun = \"echo {name} $BROKER_EVENT ${{BROKER_ACCESS_TOKEN:+has-token}} >> {}/ran\"\n",
            out.display()
        )
    };
    append_config(
        &home,
        &format!(
            "\n[[profiles.ai.hooks]]\n{}\n[[profiles.ai.hooks]]\n{}\n[[profiles.ai.sinks]]\npath = {}\n\n[[hooks]]\n{}",
            line("r", "rotate"),
            line("f", "refresh_failed"),
            qp(&out.join("sink")),
            line("g", "login"),
        ),
    );
    home.emu().reset_counters();
    let out_cmd = home.cmd(&["hooks", "test", "ai"]).output().unwrap();
    assert!(out_cmd.status.success());
    let stderr = String::from_utf8_lossy(&out_cmd.stderr);
    assert!(stderr.contains("hook `r`: ok (exit 0)"), "{stderr}");
    assert_eq!(
        read(&out.join("ran")),
        "g test has-token\nr test has-token\nf test has-token\n"
    );
    assert_eq!(home.emu().counters().requests, 0);
    assert!(!out.join("sink").exists(), "a test wrote a sink");
    let results = home.state_json("ai")["hooks"].clone();
    assert_eq!(results.as_array().unwrap().len(), 3, "{results}");
    assert!(
        results
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["event"] == "test")
    );

    // A failing hook fails the test with exit 7.
    append_config(
        &home,
        "\n[[profiles.ai.hooks]]\nname = \"bad\"\non = [\"rotate\"]\nrun = \"exit 4\"\n",
    );
    let err = home.fails(&["hooks", "test", "ai"], 7);
    assert!(
        err.contains("hook `bad` failed on `test` of `ai`: exit 4"),
        "{err}"
    );

    // With no token stored, the hooks run all the same, without one.
    home.add("fresh", "ai");
    append_config(
        &home,
        &format!("\n[[profiles.fresh.hooks]]\n{}", line("n", "rotate")),
    );
    home.ok(&["hooks", "test", "fresh"]);
    assert!(read(&out.join("ran")).ends_with("n test\n"));
    assert_eq!(home.emu().counters().requests, 0);
}

#[test]
fn hooks_run_reruns_the_rotate_hooks_and_sinks_for_the_current_token() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let out = out_dir(&home);
    // Not logged in / no token yet: a person must act.
    append_config(
        &home,
        &format!(
            "\n[[profiles.ai.hooks]]\non = [\"rotate\"]\nname = \"r\"\nrun = \"echo r $BROKER_EVENT $BROKER_ACCESS_TOKEN >> {o}/ran\"\n\
             \n[[profiles.ai.hooks]]\non = [\"login\"]\nname = \"l\"\nrun = \"echo l >> {o}/ran\"\n\
             \n[[profiles.ai.sinks]]\npath = {}\n",
            qp(&out.join("sink")),
            o = out.display()
        ),
    );
    let err = home.fails(&["hooks", "run", "ai"], 3);
    assert!(err.contains("no token is stored for `ai`"), "{err}");

    let token = home.ok(&["token", "ai"]);
    std::fs::remove_file(out.join("ran")).unwrap();
    std::fs::remove_file(out.join("sink")).unwrap();
    home.emu().reset_counters();
    home.ok(&["hooks", "run", "ai"]);
    assert_eq!(read(&out.join("ran")), format!("r rotate {}", token));
    assert_eq!(read(&out.join("sink")), token);
    assert_eq!(home.emu().counters().requests, 0);
}

#[test]
fn login_runs_login_hooks_and_exits_7_when_one_fails() {
    let home = Home::with_emulator();
    home.add("nd", "netdisk");
    let out = out_dir(&home);
    append_config(
        &home,
        &format!(
            "\n[[profiles.nd.hooks]]\non = [\"login\"]\nname = \"ok\"\nrun = \"echo $BROKER_EVENT >> {}/ran\"\n\
             \n[[profiles.nd.hooks]]\non = [\"rotate\"]\nname = \"rot\"\nrun = \"echo rot >> {}/ran\"\n\
             \n[[profiles.nd.hooks]]\non = [\"login\"]\nname = \"bad\"\nrun = \"exit 9\"\n\
             \n[[profiles.nd.sinks]]\npath = {}\n",
            out.display(),
            out.display(),
            qp(&out.join("sink")),
        ),
    );
    let code = home.oob_code();
    let out_cmd = home
        .cmd(&["login", "nd", "--code", "-"])
        .write_stdin(code)
        .output()
        .unwrap();
    assert_failed(&out_cmd, 7, "login with a failing hook");
    assert_eq!(read(&out.join("ran")), "login\n");
    let token = home.state_json("nd")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(read(&out.join("sink")), format!("{token}\n"));
    assert_eq!(home.ok(&["token", "nd"]).trim(), token);
}

#[test]
fn refresh_failed_hooks_get_the_error_and_no_token_and_fire_once() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let hook = recorder(&home, "failed");
    let out = out_dir(&home);
    append_config(
        &home,
        &format!(
            "\n[[profiles.nd.hooks]]\non = [\"refresh_failed\"]\nname = \"alert\"\nrun = [{}]\n\
             \n[[profiles.nd.hooks]]\non = [\"refresh_failed\"]\nname = \"count\"\nrun = \"echo x >> {}/count\"\n",
            qp(&hook),
            out.display()
        ),
    );
    let before = home.state_json("nd");
    home.emu()
        .inject_fault(Fault::new(FaultKind::ExpiredToken).on_path(TOKEN_PATH));
    let err = home.fails(&["refresh", "nd", "--force"], 3);
    assert!(err.contains("broker login nd"), "{err}");
    let env = env_map(&read(&out.join("failed.env")));
    assert_eq!(env["BROKER_EVENT"], "refresh_failed");
    assert_eq!(env["BROKER_PROFILE"], "nd");
    assert!(!env.contains_key("BROKER_ACCESS_TOKEN"), "{env:?}");
    assert!(!env["BROKER_ERROR"].is_empty());
    same_second(
        &env["BROKER_EXPIRES_AT"],
        before["expires_at"].as_str().unwrap(),
    );
    let stdin: serde_json::Value = serde_json::from_str(&read(&out.join("failed.stdin"))).unwrap();
    assert_eq!(stdin["event"], "refresh_failed");
    assert!(stdin["access_token"].is_null());
    assert_eq!(stdin["error"].as_str(), Some(env["BROKER_ERROR"].as_str()));
    let everything = read(&out.join("failed.env")) + &read(&out.join("failed.stdin"));
    assert!(!everything.contains(before["access_token"].as_str().unwrap()));
    assert!(!everything.contains(before["refresh_token"].as_str().unwrap()));
    assert!(!everything.contains(SECRET));
    // The profile now needs a login: later calls try nothing, so no hook fires again.
    home.fails(&["token", "nd", "--min-ttl", "1000d"], 3);
    assert_eq!(read(&out.join("count")), "x\n");
    let state = home.state_json("nd");
    assert!(
        state["hooks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["event"] == "refresh_failed"),
        "{state}"
    );
}

/// A hook's input is data: its `error` is English whatever the language of the person who
/// ran broker (whose stderr is in theirs).
#[test]
fn a_hook_gets_the_error_in_english_whatever_the_language() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let hook = recorder(&home, "failed");
    let out = out_dir(&home);
    append_config(
        &home,
        &format!(
            "\n[[profiles.nd.hooks]]\non = [\"refresh_failed\"]\nname = \"alert\"\nrun = [{}]\n",
            qp(&hook)
        ),
    );
    home.emu()
        .inject_fault(Fault::new(FaultKind::ExpiredToken).on_path(TOKEN_PATH));
    let err = home
        .cmd(&["refresh", "nd", "--force"])
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(3));
    let err = String::from_utf8_lossy(&err.stderr);
    assert!(err.starts_with("错误："), "{err}");
    let env = env_map(&read(&out.join("failed.env")));
    assert!(env["BROKER_ERROR"].starts_with("Baidu refused"), "{env:?}");
    let stdin: serde_json::Value = serde_json::from_str(&read(&out.join("failed.stdin"))).unwrap();
    assert_eq!(stdin["error"].as_str(), Some(env["BROKER_ERROR"].as_str()));
}

#[test]
fn hook_output_escapes_bidi_overrides_and_isolates() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    // U+202E (right-to-left override) and U+2066…U+2069 (isolates), as UTF-8 octal escapes:
    // shown raw, `gnp.exe` would read as `exe.png`.
    let hook = script(
        &home.path().join("bidi.sh"),
        "printf 'a\\342\\200\\256gnp.exe b\\342\\201\\246x\\342\\201\\251 c\\342\\200\\252\\n'\n",
    );
    append_config(
        &home,
        &format!(
            "\n[[profiles.ai.hooks]]\nname = \"bidi\"\non = [\"rotate\"]\nrun = [{}]\n",
            qp(&hook)
        ),
    );
    let out = home.cmd(&["refresh", "ai", "--force"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[hook bidi] a\\u{202e}gnp.exe b\\u{2066}x\\u{2069} c\\u{202a}\n"),
        "{stderr}"
    );
    let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    assert!(
        !stderr.chars().any(bidi),
        "a bidi control reached the terminal"
    );
}

#[test]
fn hook_output_is_prefixed_and_capped() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    append_config(
        &home,
        "\n[[profiles.ai.hooks]]\nname = \"loud\"\non = [\"rotate\"]\n\
         run = \"echo to-stdout; echo to-stderr >&2; printf 'esc\\\\033[31m\\\\n'; yes flood | head -c 2000000\"\n",
    );
    let out = home.cmd(&["refresh", "ai", "--force"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[hook loud] to-stdout\n"), "{stderr:.500}");
    assert!(stderr.contains("[hook loud] to-stderr\n"), "{stderr:.500}");
    assert!(
        stderr.contains("[hook loud] esc\\u{1b}[31m\n"),
        "{stderr:.500}"
    );
    assert!(
        !stderr.contains('\x1b'),
        "a control character reached the terminal"
    );
    assert!(stderr.contains("more output dropped"), "{stderr:.500}");
    assert!(out.stderr.len() < 200 * 1024, "{} bytes", out.stderr.len());
    assert!(
        stderr
            .lines()
            .all(|l| l.starts_with("[hook loud]") || l.starts_with("`ai`")),
        "{stderr:.2000}"
    );
}

#[test]
fn a_cached_token_runs_no_hook() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.ok(&["token", "ai"]);
    let out = out_dir(&home);
    append_config(
        &home,
        &format!(
            "\n[[hooks]]\non = [\"rotate\", \"login\", \"refresh_failed\"]\nrun = \"echo ran >> {}/ran\"\n\
             \n[[profiles.ai.sinks]]\npath = {}\n",
            out.display(),
            qp(&out.join("sink"))
        ),
    );
    home.ok(&["token", "ai"]);
    home.ok(&["refresh", "ai"]);
    assert!(!out.join("ran").exists());
    assert!(!out.join("sink").exists());
}

#[test]
fn a_relative_command_and_cwd_are_beside_the_config() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let config_dir = home.config().parent().unwrap().to_path_buf();
    std::fs::create_dir_all(config_dir.join("hooks")).unwrap();
    script(&config_dir.join("hooks/where.sh"), "pwd > where");
    append_config(
        &home,
        "\n[[profiles.ai.hooks]]\non = [\"rotate\"]\nrun = [\"./hooks/where.sh\"]\n\
         \n[[profiles.ai.hooks]]\non = [\"rotate\"]\ncwd = \"hooks\"\nrun = \"pwd > here\"\n",
    );
    // Run from somewhere else entirely.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = home
        .cmd(&["token", "ai"])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap();
    assert_eq!(
        canon(Path::new(read(&config_dir.join("where")).trim())),
        canon(&config_dir)
    );
    assert_eq!(
        canon(Path::new(read(&config_dir.join("hooks/here")).trim())),
        canon(&config_dir.join("hooks"))
    );
}

/// The recipes of docs/hooks.md.
fn recipes() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hooks");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    found.sort();
    found
}

#[test]
fn recipes_pass_shellcheck() {
    let recipes = recipes();
    assert_eq!(recipes.len(), 4, "{recipes:?}");
    for recipe in recipes {
        let out = std::process::Command::new("shellcheck")
            .args(["--shell=sh", "--severity=style"])
            .arg(&recipe)
            .output()
            .expect("shellcheck is installed (scripts/test.sh installs it)");
        assert!(
            out.status.success(),
            "{}: {}",
            recipe.display(),
            String::from_utf8_lossy(&out.stdout)
        );
        let mode = std::fs::metadata(&recipe).unwrap().mode();
        assert!(mode & 0o111 != 0, "{} is not executable", recipe.display());
    }
}

#[test]
fn recipes_pass_the_token_on_stdin_never_in_argv() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let log = out_dir(&home);
    // Stand-ins for the real tools, first in PATH: they record their argv and stdin, and
    // pass stdin through (so `kubectl create … | kubectl apply` sees what the first printed).
    let stubs = home.path().join("stubs");
    std::fs::create_dir_all(&stubs).unwrap();
    for tool in ["systemctl", "kubectl", "gh", "docker"] {
        script(
            &stubs.join(tool),
            &format!(
                // One write per line: the two ends of a pipeline log at the same moment.
                "line={tool}; for a in \"$@\"; do line=\"$line $a\"; done\n\
                 printf '%s\\n' \"$line\" >> {log}/argv\n\
                 tee -a {log}/{tool}.stdin",
                log = log.display()
            ),
        );
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hooks");
    let hook = |file: &str, env: &str| {
        format!(
            "\n[[profiles.ai.hooks]]\nname = {}\non = [\"rotate\"]\nrun = [{}]\nenv = {{ {env} }}\n",
            q(file),
            qp(&dir.join(file))
        )
    };
    append_config(
        &home,
        &[
            hook(
                "systemd-reload.sh",
                "UNIT = \"myapp.service\", SCOPE = \"user\"",
            ),
            hook(
                "kubernetes-secret.sh",
                "SECRET = \"baidu\", NAMESPACE = \"prod\", ROLLOUT = \"deployment/myapp\"",
            ),
            hook(
                "github-actions-secret.sh",
                "REPO = \"o/r\", ENVIRONMENT = \"prod\"",
            ),
            hook(
                "docker-restart.sh",
                "CONTAINER = \"myapp\", TIMEOUT = \"5\"",
            ),
        ]
        .concat(),
    );
    let path = format!(
        "{}:{}",
        stubs.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // `hooks test` only says what each would do.
    let out = home
        .cmd(&["hooks", "test", "ai"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[hook docker-restart.sh] would run: docker restart -t 5 myapp"),
        "{stderr}"
    );
    assert!(!log.join("argv").exists(), "a test touched a real tool");

    let out = home
        .cmd(&["token", "ai"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("warning"), "{stderr}");
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();

    let argv = read(&log.join("argv"));
    // Sorted: the two ends of `kubectl create | kubectl apply` start in either order.
    let mut lines: Vec<&str> = argv.lines().collect();
    lines.sort_unstable();
    let mut want = vec![
        "systemctl --user reload-or-restart -- myapp.service",
        "kubectl create secret generic baidu --namespace prod --from-file=access_token=/dev/stdin --dry-run=client --output=yaml",
        "kubectl apply --namespace prod --filename=-",
        "kubectl rollout restart --namespace prod deployment/myapp",
        "gh secret set BAIDU_ACCESS_TOKEN --repo o/r --env prod",
        "docker restart -t 5 myapp",
    ];
    want.sort_unstable();
    assert_eq!(lines, want);
    assert!(!argv.contains(&token), "a recipe put the token in argv");
    // kubectl (create, then apply from the pipe) and gh got it on stdin, with no newline added.
    assert_eq!(read(&log.join("kubectl.stdin")), format!("{token}{token}"));
    assert_eq!(read(&log.join("gh.stdin")), token);
    // The others got nothing: not even the JSON (with the token) sent to the script.
    assert_eq!(read(&log.join("systemctl.stdin")), "");
    assert_eq!(read(&log.join("docker.stdin")), "");
}

/// Starts `broker refresh ai --force` (in its own process group) with a hook that records its
/// pid and its child's, then sleeps far past any bound of the test; returns broker and the
/// hook's two pids once the hook is running.
fn broker_in_a_long_hook(home: &Home) -> (std::process::Child, i32, i32) {
    use std::os::unix::process::CommandExt;
    home.add("ai", "ai");
    let out = out_dir(home);
    append_config(
        home,
        &format!(
            "\n[[profiles.ai.hooks]]\nname = \"long\"\non = [\"rotate\"]\ntimeout = \"5m\"\n\
             run = \"sleep 300 & echo $! > {dir}/child; echo $$ > {dir}/pid; wait\"\n",
            dir = out.display()
        ),
    );
    let broker = home
        .std_cmd(&["refresh", "ai", "--force"])
        .process_group(0)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !out.join("pid").exists() || read(&out.join("pid")).trim().is_empty() {
        assert!(Instant::now() < deadline, "the hook never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    while !out.join("child").exists() || read(&out.join("child")).trim().is_empty() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = read(&out.join("pid")).trim().parse().unwrap();
    let child = read(&out.join("child")).trim().parse().unwrap();
    (broker, pid, child)
}

/// Sends `sig` (to broker's whole process group when `group`, as ^C does), then asserts that
/// broker exits 128 + sig within the grace period and that nothing of the hook's group is left.
fn interrupt_during_a_hook(sig: nix::sys::signal::Signal, group: bool) {
    use nix::sys::signal::{kill, killpg};
    use nix::unistd::Pid;
    let home = Home::with_emulator();
    let (mut broker, hook, hook_child) = broker_in_a_long_hook(&home);
    let pid = Pid::from_raw(broker.id() as i32);
    let started = Instant::now();
    if group {
        killpg(pid, sig).unwrap();
    } else {
        kill(pid, sig).unwrap();
    }
    let status = loop {
        if let Some(status) = broker.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = broker.kill();
            let _ = killpg(Pid::from_raw(hook), nix::sys::signal::Signal::SIGKILL);
            panic!("broker still running 10s after {sig}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(broker.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(
        status.code(),
        Some(128 + sig as i32),
        "{status:?}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    for p in [hook, hook_child] {
        let deadline = Instant::now() + Duration::from_secs(2);
        while alive(p) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive(p), "{p} of the hook's group outlived broker ({sig})");
    }
    // The new token was saved before the hook ran: an interruption never loses it.
    assert!(home.state_json("ai")["access_token"].is_string());
}

#[test]
fn sigterm_to_broker_during_a_hook_ends_the_hook_group_and_exits_143() {
    interrupt_during_a_hook(nix::sys::signal::Signal::SIGTERM, false);
}

#[test]
fn sighup_to_broker_during_a_hook_ends_the_hook_group_and_exits_129() {
    interrupt_during_a_hook(nix::sys::signal::Signal::SIGHUP, false);
}

#[test]
fn ctrl_c_to_brokers_group_during_a_hook_ends_the_hook_group_and_exits_130() {
    interrupt_during_a_hook(nix::sys::signal::Signal::SIGINT, true);
}

#[test]
fn a_hook_that_force_refreshes_its_own_profile_is_refused_instead_of_recursing() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let out = out_dir(&home);
    let broker = assert_cmd::cargo::cargo_bin("broker");
    append_config(
        &home,
        &format!(
            "\n[[profiles.nd.hooks]]\nname = \"again\"\non = [\"rotate\"]\ntimeout = \"10s\"\n\
             run = \"{} refresh nd --force 2> {dir}/err; echo $? > {dir}/code\"\n",
            broker.display(),
            dir = out.display()
        ),
    );
    home.emu().reset_counters();
    let started = Instant::now();
    home.ok(&["refresh", "nd", "--force"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(home.refreshes(), 1, "the hook's refresh rotated again");
    assert_eq!(read(&out.join("code")).trim(), "2");
    let err = read(&out.join("err"));
    assert!(err.contains("inside a hook of `nd`"), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
}

#[test]
fn a_refresh_failed_hook_calling_token_on_an_expired_token_is_refused_instead_of_recursing() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.ok(&["token", "ai"]);
    home.expire("ai");
    let out = out_dir(&home);
    let broker = assert_cmd::cargo::cargo_bin("broker");
    append_config(
        &home,
        &format!(
            "\n[[profiles.ai.hooks]]\nname = \"retry\"\non = [\"refresh_failed\"]\ntimeout = \"10s\"\n\
             run = \"echo x >> {dir}/count; {} token ai 2> {dir}/err; echo $? > {dir}/code\"\n",
            broker.display(),
            dir = out.display()
        ),
    );
    home.emu().inject_fault(
        Fault::new(FaultKind::Garbage { body: None })
            .on_path(TOKEN_PATH)
            .times(1000),
    );
    let started = Instant::now();
    let out_cmd = home.cmd(&["token", "ai"]).output().unwrap();
    assert!(!out_cmd.status.success());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        read(&out.join("count")),
        "x\n",
        "the hook fired again from inside itself"
    );
    assert_eq!(read(&out.join("code")).trim(), "2");
    assert!(read(&out.join("err")).contains("inside a hook of `ai`"));
}

#[test]
fn a_sink_onto_the_config_the_identity_or_the_state_folder_is_a_config_error() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let original = home.read_config();
    let link = home.path().join("innocent-looking");
    std::os::unix::fs::symlink(home.identity(), &link).unwrap();
    let config_dir = home.config().parent().unwrap().to_path_buf();
    let targets = [
        // The config itself, by its own path and relative to its folder.
        home.config(),
        PathBuf::from("profiles.toml"),
        PathBuf::from("../broker/./profiles.toml"),
        // The identity, behind a symlink.
        link.clone(),
        // A state file that exists, one that does not yet, and the lock folder.
        home.state_file("ai"),
        home.state_dir().join("profiles/other.age"),
        home.state_dir().join("locks/../current"),
    ];
    home.ok(&["token", "ai"]);
    let identity = std::fs::read(home.identity()).unwrap();
    for target in targets {
        home.write_config(&format!(
            "{original}\n[[profiles.ai.sinks]]\npath = {}\n",
            qp(&target)
        ));
        let err = home.fails(&["refresh", "ai", "--force"], 2);
        assert!(
            err.contains("profiles.ai.sinks[0].path"),
            "{}: {err}",
            target.display()
        );
    }
    assert_eq!(std::fs::read(home.identity()).unwrap(), identity);
    assert!(home.state_json("ai")["access_token"].is_string());
    // A sink beside them is fine.
    home.write_config(&format!(
        "{original}\n[[profiles.ai.sinks]]\npath = {}\n",
        qp(&config_dir.join("ai.token"))
    ));
    home.ok(&["refresh", "ai", "--force"]);
    assert!(config_dir.join("ai.token").exists());
}
