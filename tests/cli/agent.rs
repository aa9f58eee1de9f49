//! `broker agent`: the socket (place, modes, peers, stale files), serving `token`/`env`,
//! rotations ahead of time, `token --rejected`, throttle pauses, `agent status|stop`.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use broker_emulator::{Fault, FaultKind, Grant};

use crate::harness::{Home, assert_failed};

/// A running `broker agent`, killed when dropped.
pub struct Agent {
    child: Child,
    pub socket: PathBuf,
    log: PathBuf,
}

impl Agent {
    /// Starts `broker agent` (with `env` added) and waits until it answers on its socket.
    pub fn start(home: &Home, env: &[(&str, &str)]) -> Agent {
        Agent::start_args(home, &["agent"], env)
    }

    pub fn start_args(home: &Home, args: &[&str], env: &[(&str, &str)]) -> Agent {
        let log = home.path().join(format!("agent-{}.log", rand_suffix()));
        let mut cmd = home.std_cmd(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("agent starts");
        let socket = match args.iter().position(|a| *a == "--socket") {
            Some(i) => PathBuf::from(args[i + 1]),
            None => home.state_dir().join("agent.sock"),
        };
        let mut agent = Agent { child, socket, log };
        let started = Instant::now();
        while UnixStream::connect(&agent.socket).is_err() {
            if let Some(status) = agent.child.try_wait().unwrap() {
                panic!("the agent ended ({status}): {}", agent.log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no socket: {}",
                agent.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        agent
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).unwrap()
    }

    /// One request, one answer line, as a client that never spawns broker.
    pub fn request(&self, line: &str) -> serde_json::Value {
        let stream = UnixStream::connect(&self.socket).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        (&stream).write_all(format!("{line}\n").as_bytes()).unwrap();
        let mut answer = String::new();
        BufReader::new(&stream).read_line(&mut answer).unwrap();
        serde_json::from_str(&answer).unwrap_or_else(|_| panic!("not JSON: {answer:?}"))
    }

    /// Waits for the agent to end by itself.
    pub fn wait(&mut self, within: Duration) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < within, "still running: {}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn signal(&self, sig: nix::sys::signal::Signal) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.pid()), sig).unwrap();
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}

/// Waits until `cond` holds (or fails after `within`, saying `what`).
fn eventually(within: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let started = Instant::now();
    while !cond() {
        assert!(started.elapsed() < within, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn client_credentials(home: &Home) -> u64 {
    home.emu()
        .counters()
        .grants
        .get("client_credentials")
        .copied()
        .unwrap_or(0)
}

/// `n` copies of `broker token --rejected ai` at once, each reporting `rejected` in
/// `BAIDU_ACCESS_TOKEN` (stdin: nothing).
fn rejected_in_parallel(home: &Home, n: usize, rejected: &str) -> Vec<std::process::Output> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            home.std_cmd(&["token", "--rejected", "ai"])
                .env("BAIDU_ACCESS_TOKEN", rejected)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn token(home: &Home, profile: &str) -> String {
    home.ok(&["token", profile]).trim().to_owned()
}

#[test]
fn a_passphrase_identity_is_unlocked_once_by_the_agent_and_clients_never_prompt() {
    let home = Home::with_emulator();
    std::fs::remove_file(home.identity()).unwrap();
    std::fs::remove_file(home.config()).unwrap();
    home.cmd(&["init", "--passphrase"])
        .env("BROKER_AGE_PASSPHRASE", "correct horse")
        .assert()
        .success();
    home.add("a", "ai");
    // Without the agent: no passphrase, no terminal → exit 6, as before.
    let out = home.cmd(&["token", "a"]).output().unwrap();
    assert_failed(&out, 6, "no agent, no passphrase");
    // Without a passphrase the agent itself cannot start.
    let out = home.cmd(&["agent"]).output().unwrap();
    assert_failed(&out, 6, "agent without its passphrase");

    let agent = Agent::start(&home, &[("BROKER_AGE_PASSPHRASE", "correct horse")]);
    let served = home.cmd(&["token", "a"]).output().unwrap();
    assert!(
        served.status.success(),
        "{}",
        String::from_utf8_lossy(&served.stderr)
    );
    let served = String::from_utf8(served.stdout).unwrap();
    // The same output as broker alone gives (with the passphrase).
    let alone = home
        .cmd(&["token", "a"])
        .env("BROKER_AGE_PASSPHRASE", "correct horse")
        .env("BROKER_AGENT_SOCK", home.path().join("nowhere.sock"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(alone.stdout).unwrap(), served);
    let json_served = home.ok(&["token", "a", "--json"]);
    let json_alone = home
        .cmd(&["token", "a", "--json"])
        .env("BROKER_AGE_PASSPHRASE", "correct horse")
        .env("BROKER_AGENT_SOCK", home.path().join("nowhere.sock"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(json_alone.stdout).unwrap(), json_served);
    // `env` and `exec` through the agent too.
    let env = home.ok(&["env", "a"]);
    assert!(env.contains(served.trim()), "{env}");
    let exec = home.ok(&[
        "exec",
        "a",
        "--",
        "sh",
        "-c",
        "printf '%s' \"$BAIDU_ACCESS_TOKEN\"",
    ]);
    assert_eq!(exec, served.trim());
    // `inject` and `run` too: their references are resolved by the agent.
    let injected = home
        .cmd(&["inject"])
        .write_stdin("t={{ broker://a/access_token }}\n")
        .output()
        .unwrap();
    assert!(
        injected.status.success(),
        "{}",
        String::from_utf8_lossy(&injected.stderr)
    );
    assert_eq!(
        String::from_utf8(injected.stdout).unwrap(),
        format!("t={}\n", served.trim())
    );
    let run = home
        .cmd(&["run", "--", "sh", "-c", "printf '%s' \"$T\""])
        .env("T", "broker://a/access_token")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(String::from_utf8(run.stdout).unwrap(), served.trim());
    // An error the agent answers is the command's error, exit code included.
    let out = home.cmd(&["token", "nope"]).output().unwrap();
    assert_failed(&out, 2, "unknown profile");
    // A client reading another config file works alone: here, that means exit 6 again.
    let other = home.path().join("other.toml");
    std::fs::copy(home.config(), &other).unwrap();
    let out = home
        .cmd(&["token", "a", "--config", other.to_str().unwrap()])
        .output()
        .unwrap();
    assert_failed(&out, 6, "another config, alone");
    // So does a client with another state folder, even when it finds the agent's socket.
    let out = home
        .cmd(&["token", "a"])
        .env("BROKER_STATE_DIR", home.path().join("other-state"))
        .env("BROKER_AGENT_SOCK", &agent.socket)
        .output()
        .unwrap();
    assert_failed(&out, 6, "another state folder, alone");
    drop(agent);
}

#[test]
fn the_agent_rotates_ahead_of_time_and_runs_sinks_and_hooks_without_any_client() {
    let home = Home::with_emulator();
    home.emu().set_lifetime(Grant::ClientCredentials, 20);
    home.add("ai", "ai");
    let sink = home.path().join("sink.txt");
    let hooked = home.path().join("hooked.txt");
    let text = home.read_config().replace(
        "[profiles.ai]\n",
        "[profiles.ai]\nrefresh_before = \"10s\"\n",
    );
    home.write_config(&format!(
        "{text}\n[[profiles.ai.sinks]]\npath = \"{}\"\n\n[[profiles.ai.hooks]]\nname = \"rec\"\non = [\"rotate\"]\nrun = \"printf '%s' \\\"$BROKER_ACCESS_TOKEN\\\" > {}\"\n",
        sink.display(),
        hooked.display()
    ));
    let first = token(&home, "ai");
    std::fs::remove_file(&hooked).ok();
    let agent = Agent::start(&home, &[]);
    eventually(Duration::from_secs(25), "a rotation by the agent", || {
        home.state_json("ai")["access_token"].as_str() != Some(first.as_str())
    });
    let state = home.state_json("ai");
    let new = state["access_token"].as_str().unwrap();
    eventually(Duration::from_secs(5), "the hook ran", || {
        std::fs::read_to_string(&hooked).is_ok_and(|t| t == new)
    });
    assert_eq!(std::fs::read_to_string(&sink).unwrap().trim(), new);
    // Before expiry: the first token still had time left when it was replaced.
    let obtained =
        chrono::DateTime::parse_from_rfc3339(state["obtained_at"].as_str().unwrap()).unwrap();
    let status: serde_json::Value =
        serde_json::from_str(&home.ok(&["agent", "status", "--json"])).unwrap();
    let ai = &status["profiles"][0];
    assert_eq!(ai["profile"], "ai", "{status}");
    assert!(ai["next_rotation"].is_string(), "{status}");
    assert!(ai["last_rotation"].is_string(), "{status}");
    assert!(ai["last_error"].is_null(), "{status}");
    assert!(obtained < chrono::Utc::now());
    drop(agent);
}

#[test]
fn many_rejected_reports_of_one_token_make_one_rotation_and_an_older_token_none() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let old = token(&home, "ai");
    let before = client_credentials(&home);
    let outs = rejected_in_parallel(&home, 64, &old);
    assert_eq!(
        client_credentials(&home) - before,
        1,
        "exactly one rotation"
    );
    let new = home.state_json("ai")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new, old);
    for out in &outs {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), new);
    }
    // A report about the older token (on stdin this time) gets the current one, no rotation.
    let printed = home.ok_stdin(&["token", "--rejected", "ai"], &format!("{old}\n"));
    assert_eq!(printed.trim(), new);
    assert_eq!(client_credentials(&home) - before, 1);
}

#[test]
fn rejected_reports_through_the_agent_coalesce_the_same_way() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let old = token(&home, "ai");
    let agent = Agent::start(&home, &[]);
    let before = client_credentials(&home);
    let outs = rejected_in_parallel(&home, 16, &old);
    assert_eq!(client_credentials(&home) - before, 1, "{}", agent.log());
    let new = home.state_json("ai")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for out in &outs {
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), new);
    }
    // The socket verb with the older token: the current one, no rotation.
    let answer = agent.request(&format!(
        r#"{{"id":7,"verb":"rejected","profile":"ai","options":{{"token":"{old}"}}}}"#
    ));
    assert_eq!(answer["id"], 7);
    assert_eq!(answer["ok"]["access_token"], new.as_str(), "{answer}");
    assert_eq!(client_credentials(&home) - before, 1);
}

#[test]
fn a_token_rejected_right_after_it_was_issued_twice_in_a_row_stops_the_loop_with_exit_5() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let first = token(&home, "ai");
    // Just issued, reported: one rotation.
    let second = home.ok_stdin(&["token", "--rejected", "ai"], &first);
    assert_ne!(second.trim(), first);
    // The new one, just issued, reported too: the loop guard.
    let before = client_credentials(&home);
    let out = home
        .cmd(&["token", "--rejected", "ai"])
        .write_stdin(second.clone())
        .output()
        .unwrap();
    assert_failed(&out, 5, "loop guard");
    assert_eq!(client_credentials(&home), before, "no rotation");
    // Through the agent: the same answer, the same exit code.
    let _agent = Agent::start(&home, &[]);
    let out = home
        .cmd(&["token", "--rejected", "ai"])
        .write_stdin(second)
        .output()
        .unwrap();
    assert_failed(&out, 5, "loop guard through the agent");
}

#[test]
fn socket_and_folder_modes_and_another_user_cannot_talk_to_the_agent() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let agent = Agent::start(&home, &[]);
    assert_eq!(mode(&agent.socket), 0o600);
    assert_eq!(mode(agent.socket.parent().unwrap()), 0o700);
    if !nix::unistd::geteuid().is_root() {
        // Running as another user needs root: said, not silently passed.
        eprintln!("SKIPPED: another uid needs root to switch to `nobody`");
        return;
    }
    // A socket in a folder anyone may enter, opened to anyone: only the peer check is left.
    let open = tempfile::tempdir().unwrap();
    std::fs::set_permissions(open.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let socket = open.path().join("agent.sock");
    let socket_arg = socket.to_str().unwrap().to_owned();
    let other = Agent::start_args(&home, &["agent", "--socket", &socket_arg], &[]);
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    let client = r#"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
try:
    s.sendall(b'{"id":1,"verb":"token","profile":"ai"}\n')
    print(repr(s.recv(65536)))
except (ConnectionResetError, BrokenPipeError):
    print(repr(b''))
"#;
    let run_as = |user: Option<&str>| {
        let mut cmd = std::process::Command::new("setpriv");
        match user {
            Some(_) => cmd.args([
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                "/usr/bin/python3",
            ]),
            None => cmd.arg("/usr/bin/python3"),
        };
        let out = cmd.args(["-c", client, &socket_arg]).output().unwrap();
        (
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            out.status,
        )
    };
    let (mine, status) = run_as(None);
    assert!(status.success() && mine.contains("access_token"), "{mine}");
    let (theirs, status) = run_as(Some("nobody"));
    assert!(status.success(), "nobody could not even try: {theirs}");
    assert_eq!(theirs.trim(), "b''", "another user got an answer");
    assert!(other.log().contains("another user"), "{}", other.log());
    // And with the default modes, `nobody` cannot even connect.
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "/usr/bin/python3",
        ])
        .args(["-c", client, agent.socket.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn a_stale_socket_of_a_killed_agent_is_replaced_and_a_live_one_is_refused() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let first = token(&home, "ai");
    let mut agent = Agent::start(&home, &[]);
    // A second agent on the same socket: refused, the first keeps serving.
    let out = home.cmd(&["agent"]).output().unwrap();
    assert_failed(&out, 2, "second agent");
    assert_eq!(token(&home, "ai"), first);
    agent.signal(nix::sys::signal::Signal::SIGKILL);
    agent.wait(Duration::from_secs(5));
    assert!(agent.socket.exists(), "SIGKILL leaves the socket file");
    // Clients work alone meanwhile.
    assert_eq!(token(&home, "ai"), first);
    let replaced = Agent::start(&home, &[]);
    assert_eq!(token(&home, "ai"), first);
    assert!(replaced.log().contains("serving"), "{}", replaced.log());
}

#[test]
fn sigterm_and_agent_stop_end_the_agent_cleanly_and_remove_the_socket() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let mut agent = Agent::start(&home, &[]);
    agent.signal(nix::sys::signal::Signal::SIGTERM);
    assert!(
        agent.wait(Duration::from_secs(5)).success(),
        "{}",
        agent.log()
    );
    assert!(!agent.socket.exists());
    let mut agent = Agent::start(&home, &[]);
    home.ok(&["agent", "stop"]);
    assert!(agent.wait(Duration::from_secs(5)).success());
    assert!(!agent.socket.exists());
    let out = home.cmd(&["agent", "status"]).output().unwrap();
    assert_failed(&out, 2, "status without an agent");
}

#[test]
fn an_agent_killed_mid_rotation_leaves_the_recovery_to_a_client_working_alone() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let before = home.state_json("nd");
    // The agent dies (SIGKILL) with the journal mark saved and nothing sent yet.
    let mut agent = Agent::start(&home, &[("BROKER_FAILPOINT", "rotate.before-send")]);
    home.expire("nd");
    let out = home.cmd(&["token", "nd"]).output().unwrap();
    let status = agent.wait(Duration::from_secs(10));
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9),
        "{}",
        agent.log()
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = home.state_json("nd");
    assert!(after.get("refresh_in_flight").is_none(), "{after}");
    assert_ne!(after["refresh_token"], before["refresh_token"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        after["access_token"].as_str().unwrap()
    );
    assert_eq!(home.refreshes(), 1, "the refresh token was sent once");
}

#[test]
fn a_throttle_answer_pauses_the_profile_and_a_restart_keeps_the_pause() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let mut fault = Fault::new(FaultKind::SecurityPolicy);
    fault.count = 1000;
    home.emu().inject_fault(fault);
    let agent = Agent::start(&home, &[("BROKER_TIMEOUT", "3s")]);
    let paused = || -> serde_json::Value {
        serde_json::from_str(&home.ok(&["agent", "status", "--json"])).unwrap()
    };
    eventually(Duration::from_secs(30), "a pause", || {
        paused()["profiles"][0]["paused_until"].is_string()
    });
    let status = paused();
    assert!(
        status["profiles"][0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("throttled")),
        "{status}"
    );
    drop(agent);
    let asked = home.emu().counters().requests;
    let _agent = Agent::start(&home, &[("BROKER_TIMEOUT", "3s")]);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(home.emu().counters().requests, asked, "Baidu asked again");
    assert!(paused()["profiles"][0]["paused_until"].is_string());
    let pauses = home.state_dir().join("agent-pauses.json");
    assert_eq!(mode(&pauses), 0o600);
}

#[test]
fn the_python_example_gets_a_token_over_the_socket_without_spawning_broker() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let first = token(&home, "ai");
    let agent = Agent::start(&home, &[]);
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/agent/token_client.py");
    let run = |args: &[&str]| {
        std::process::Command::new("/usr/bin/python3")
            .arg(&example)
            .args(args)
            .env_clear()
            .env("BROKER_AGENT_SOCK", &agent.socket)
            .output()
            .unwrap()
    };
    let out = run(&["ai"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), first);
    // An error the agent answers: broker's exit code.
    let out = run(&["nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
}

#[test]
fn the_agent_reads_the_config_again_when_it_changes_and_on_sighup() {
    let home = Home::with_emulator();
    home.add("a", "ai");
    let agent = Agent::start(&home, &[]);
    let profiles = || -> Vec<String> {
        let status: serde_json::Value =
            serde_json::from_str(&home.ok(&["agent", "status", "--json"])).unwrap();
        status["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["profile"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(profiles(), ["a"]);
    home.add("b", "ai");
    eventually(Duration::from_secs(10), "profile b seen", || {
        profiles() == ["a", "b"]
    });
    // A token for the new profile comes from the agent (it rotated it ahead of time).
    assert!(!token(&home, "b").is_empty());
    let reads = agent.log().matches("config read again").count();
    agent.signal(nix::sys::signal::Signal::SIGHUP);
    eventually(Duration::from_secs(5), "SIGHUP read the config", || {
        agent.log().matches("config read again").count() > reads
    });
    // A config that no longer loads: the agent says so and keeps the one it had.
    std::fs::write(home.config(), "not [valid toml").unwrap();
    agent.signal(nix::sys::signal::Signal::SIGHUP);
    eventually(Duration::from_secs(5), "the bad config reported", || {
        agent.log().contains("keeping the config it had")
    });
    let answer = agent.request(r#"{"id":"x","verb":"token","profile":"a"}"#);
    assert!(answer["ok"]["access_token"].is_string(), "{answer}");
}

#[test]
fn a_netdisk_profile_that_needs_a_login_is_reported_once_and_not_retried() {
    let home = Home::with_emulator();
    home.add("nd", "netdisk");
    let agent = Agent::start(&home, &[]);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        agent.log().matches("needs `broker login`").count(),
        1,
        "{}",
        agent.log()
    );
    assert_eq!(home.emu().counters().requests, 0, "Baidu was asked");
    let status: serde_json::Value =
        serde_json::from_str(&home.ok(&["agent", "status", "--json"])).unwrap();
    let nd = &status["profiles"][0];
    assert!(nd["next_rotation"].is_null(), "{status}");
    assert!(
        nd["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("login")),
        "{status}"
    );
}

#[test]
fn the_agent_answers_with_the_token_before_the_hooks_of_its_rotation_run() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let marker = home.path().join("hook-done");
    home.write_config(&format!(
        "{}\n[[profiles.ai.hooks]]\nname = \"slow\"\non = [\"rotate\"]\nrun = \"sleep 4; touch {}\"\n",
        home.read_config(),
        marker.display()
    ));
    let _agent = Agent::start(&home, &[]);
    // The agent's own first rotation (no state yet) runs the slow hook: wait it out.
    eventually(Duration::from_secs(20), "the first hook", || {
        marker.exists()
    });
    std::fs::remove_file(&marker).unwrap();
    // A rotation asked by a client (the scheduler has nothing due): `--rejected`.
    let old = home.state_json("ai")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = Instant::now();
    let printed = home
        .ok_stdin(&["token", "--rejected", "ai"], &old)
        .trim()
        .to_owned();
    assert_ne!(printed, old);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "waited for the hook: {:?}",
        started.elapsed()
    );
    assert_eq!(
        printed,
        home.state_json("ai")["access_token"].as_str().unwrap()
    );
    assert!(!marker.exists(), "the hook was already done");
    eventually(Duration::from_secs(10), "the hook ran", || marker.exists());
}

/// Output is the same with and without the agent, the STS key pair of `token --json` and the
/// `BCE_*` exports included.
#[test]
fn sts_tokens_read_the_same_through_the_agent() {
    let home = Home::with_emulator();
    home.add("st", "sts");
    let alone = home.ok(&["token", "st", "--json"]);
    let alone_env = home.ok(&["env", "st", "--format", "json"]);
    let agent = Agent::start(&home, &[]);
    let served = home.ok(&["token", "st", "--json"]);
    let served_env = home.ok(&["env", "st", "--format", "json"]);
    assert!(agent.log().contains("serving"), "{}", agent.log());
    assert_eq!(served, alone);
    assert_eq!(served_env, alone_env);
    let json: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert!(
        json["secret_access_key"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{served}"
    );
}
