//! Hostile servers end to end: answers too large, endless, trickling, or full of terminal
//! escapes. broker must fail cleanly (one line, exit 5), quickly, and without reading an
//! endless body into memory (the client stops at 256 KiB).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use broker_emulator::{Fault, FaultKind};

use crate::harness::{APP_KEY, Home, SECRET, assert_failed};

const TOKEN_PATH: &str = "/oauth/2.0/token";

/// How a raw server misbehaves after reading the request.
#[derive(Clone, Copy)]
enum Misbehaviour {
    /// 200 with a JSON-looking body that never ends.
    EndlessBody,
    /// A status line, then header lines forever.
    EndlessHeaders,
    /// Headers, then one byte of body every 100 ms.
    Trickle,
}

/// A one-purpose HTTP server on 127.0.0.1 that misbehaves on every connection; returns its
/// base URL and a counter of the bytes it managed to send.
fn raw_server(how: Misbehaviour) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    std::thread::spawn(move || {
        // A few connections at most: a well-behaved client does not retry these.
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { return };
            let counter = counter.clone();
            std::thread::spawn(move || {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let head: &[u8] = match how {
                    Misbehaviour::EndlessBody | Misbehaviour::Trickle => {
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"access_token\":\""
                    }
                    Misbehaviour::EndlessHeaders => b"HTTP/1.1 200 OK\r\n",
                };
                if stream.write_all(head).is_err() {
                    return;
                }
                let chunk: Vec<u8> = match how {
                    Misbehaviour::EndlessBody => vec![b'A'; 64 * 1024],
                    Misbehaviour::EndlessHeaders => {
                        b"x-hostile: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(512)
                    }
                    Misbehaviour::Trickle => b"A".to_vec(),
                };
                // Until the client hangs up (a write fails) or a minute has passed.
                let end = Instant::now() + Duration::from_secs(60);
                while Instant::now() < end {
                    if stream.write_all(&chunk).is_err() {
                        return;
                    }
                    counter.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                    if matches!(how, Misbehaviour::Trickle) {
                        std::thread::sleep(Duration::from_millis(100));
                    }
                }
            });
        }
    });
    (url, sent)
}

/// An `ai` profile pointed at `endpoint`.
fn add_ai(home: &Home, name: &str, endpoint: &str) {
    home.ok_stdin(
        &[
            "profile",
            "add",
            name,
            "--grant",
            "ai",
            "--app-key",
            APP_KEY,
            "--endpoint",
            endpoint,
        ],
        SECRET,
    );
}

#[test]
fn an_endless_answer_is_cut_at_the_cap_with_exit_5() {
    let home = Home::init();
    let (url, sent) = raw_server(Misbehaviour::EndlessBody);
    add_ai(&home, "ai", &url);
    let started = Instant::now();
    let out = home.cmd(&["token", "ai"]).output().expect("runs");
    let took = started.elapsed();
    assert_failed(&out, 5, "endless body");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("larger than 262144 bytes"), "{stderr}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    // broker hung up after 256 KiB; what the server could still push went into socket
    // buffers (a few MiB on loopback), not into broker.
    let pushed = sent.load(Ordering::Relaxed);
    assert!(
        pushed < 64 * 1024 * 1024,
        "the server pushed {pushed} bytes"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_huge_answer_from_the_emulator_is_refused_with_exit_5() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let big = format!("{{\"error\":\"{}\"}}", "x".repeat(1024 * 1024));
    home.emu().inject_fault(
        Fault::new(FaultKind::Garbage {
            body: Some(big.clone()),
        })
        .on_path(TOKEN_PATH),
    );
    let err = home.fails(&["token", "ai"], 5);
    assert!(err.contains("larger than 262144 bytes"), "{err}");
    // A huge 5xx is not retried into the ground either: it is refused the same way.
    home.emu().inject_fault(
        Fault::new(FaultKind::Status {
            status: 503,
            body: Some(big),
        })
        .on_path(TOKEN_PATH)
        .times(5),
    );
    let started = Instant::now();
    let err = home.fails(&["token", "ai"], 5);
    assert!(err.contains("larger than"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!err.contains("xxxxxxxxxx"), "the body was echoed: {err}");
}

#[test]
fn endless_headers_fail_cleanly_with_exit_5() {
    let home = Home::init();
    let (url, _) = raw_server(Misbehaviour::EndlessHeaders);
    add_ai(&home, "ai", &url);
    let started = Instant::now();
    let out = home
        .cmd(&["token", "ai", "--timeout", "5s"])
        .output()
        .expect("runs");
    assert_failed(&out, 5, "endless headers");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_trickling_answer_ends_at_the_time_limit_with_exit_5() {
    let home = Home::init();
    let (url, _) = raw_server(Misbehaviour::Trickle);
    add_ai(&home, "ai", &url);
    let started = Instant::now();
    let out = home
        .cmd(&["token", "ai", "--timeout", "2s"])
        .output()
        .expect("runs");
    let took = started.elapsed();
    assert_failed(&out, 5, "trickle");
    assert!(took < Duration::from_secs(8), "took {took:?}");
}

#[test]
fn terminal_escapes_in_an_error_body_never_reach_the_terminal() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let body = serde_json::json!({
        "error": "invalid_client\u{1b}[2J",
        "error_description": "Client authentication failed\r\nerror: forged line \u{1b}]0;owned\u{7}\u{202e}txt.exe",
    })
    .to_string();
    home.emu().inject_fault(
        Fault::new(FaultKind::Status {
            status: 401,
            body: Some(body),
        })
        .on_path(TOKEN_PATH),
    );
    let out = home.cmd(&["token", "ai"]).output().expect("runs");
    assert_failed(&out, 5, "escapes");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains(['\u{1b}', '\u{7}', '\r', '\u{202e}']),
        "{stderr:?}"
    );
    assert_eq!(stderr.lines().filter(|l| l.contains("forged")).count(), 1);
}

/// Runs `cmd` with stderr a pipe whose reader is gone (as in `broker … 2>&1 >/dev/null | true`
/// once `true` has exited), so every write to stderr fails with EPIPE.
fn with_broken_stderr(mut cmd: std::process::Command) -> std::process::Output {
    let (read, write) = nix::unistd::pipe().unwrap();
    drop(read);
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::from(write))
        .output()
        .unwrap()
}

#[test]
fn a_broken_stderr_never_panics_an_error_keeps_its_exit_code() {
    let home = Home::init();
    let out = with_broken_stderr(home.std_cmd(&["token", "no-such-profile"]));
    assert_eq!(out.status.code(), Some(2), "{:?}", out.status);
}

#[test]
fn a_broken_stderr_never_panics_messages_and_hook_output_are_dropped() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let mut config = home.read_config();
    config.push_str("\n[[profiles.ai.hooks]]\non = [\"rotate\"]\nrun = \"echo from the hook\"\n");
    home.write_config(&config);
    let out = with_broken_stderr(home.std_cmd(&["-vv", "refresh", "ai", "--force"]));
    assert_eq!(out.status.code(), Some(0), "{:?}", out.status);
    let out = with_broken_stderr(home.std_cmd(&["token", "ai"]));
    assert_eq!(out.status.code(), Some(0), "{:?}", out.status);
    assert!(!out.stdout.is_empty());
}

#[test]
fn a_closed_stderr_never_panics() {
    let home = Home::init();
    let out = home
        .wrapped(
            "sh",
            &["-c", "exec \"$@\" 2>&-", "sh"],
            &["token", "no-such-profile"],
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{:?}", out.status);
}

// Hostile local files: the config, the state, `current` and the identity may be a FIFO, a
// device, a folder or enormous. broker refuses each with one line, quickly, without reading it.

/// `broker ARGS` that must end within 15 s (a FIFO opened for reading blocks for a writer).
fn run_bounded(mut cmd: std::process::Command) -> std::process::Output {
    let mut child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            panic!("{cmd:?} still running after 15 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn mkfifo(path: &std::path::Path) {
    let _ = std::fs::remove_file(path);
    nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
}

/// A sparse file of `len` bytes that reads as zeros (or `head` first).
fn sparse(path: &std::path::Path, head: &[u8], len: u64) {
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(head).unwrap();
    f.set_len(len).unwrap();
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_fifo_device_or_folder_as_the_config_is_refused_with_exit_2() {
    let home = Home::init();
    mkfifo(&home.config());
    let out = run_bounded(home.std_cmd(&["profile", "list"]));
    assert_failed(&out, 2, "config FIFO");
    assert!(
        stderr_of(&out).contains("not a regular file"),
        "{}",
        stderr_of(&out)
    );
    let out =
        run_bounded(home.std_cmd(&["profile", "add", "x", "--grant", "ai", "--app-key", "k"]));
    assert_failed(&out, 2, "config FIFO, edited");
    let out = run_bounded(home.std_cmd(&["--config", "/dev/zero", "profile", "list"]));
    assert_failed(&out, 2, "config device");
    std::fs::remove_file(home.config()).unwrap();
    std::fs::create_dir(home.config()).unwrap();
    let out = run_bounded(home.std_cmd(&["profile", "list"]));
    assert_failed(&out, 2, "config folder");
}

#[test]
fn a_huge_config_under_a_memory_limit_is_refused_with_exit_2_not_an_abort() {
    let home = Home::init();
    sparse(&home.config(), b"# huge\n", 1 << 30);
    let out = run_bounded(home.wrapped(
        "sh",
        &["-c", r#"ulimit -v 524288 && exec "$@""#, "sh"],
        &["profile", "list"],
    ));
    assert_failed(&out, 2, "1 GiB config");
    assert!(
        stderr_of(&out).contains("larger than 4 MiB"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_fifo_folder_or_huge_file_as_the_state_is_refused_with_exit_6() {
    let home = Home::init();
    home.add_offline("a", "ai", "sk");
    std::fs::create_dir_all(home.state_file("a").parent().unwrap()).unwrap();
    mkfifo(&home.state_file("a"));
    let out = run_bounded(home.std_cmd(&["token", "a"]));
    assert_failed(&out, 6, "state FIFO");
    assert!(
        stderr_of(&out).contains("not a regular file"),
        "{}",
        stderr_of(&out)
    );
    std::fs::remove_file(home.state_file("a")).unwrap();
    // Unreadable: `read` fails with EISDIR (what EACCES would do, for a test running as root).
    std::fs::create_dir(home.state_file("a")).unwrap();
    let out = run_bounded(home.std_cmd(&["token", "a"]));
    assert_failed(&out, 6, "state folder");
    std::fs::remove_dir(home.state_file("a")).unwrap();
    sparse(&home.state_file("a"), b"", 1 << 30);
    let out = run_bounded(home.wrapped(
        "sh",
        &["-c", r#"ulimit -v 524288 && exec "$@""#, "sh"],
        &["token", "a"],
    ));
    assert_failed(&out, 6, "1 GiB state");
    assert!(
        stderr_of(&out).contains("larger than 4 MiB"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_fifo_as_current_is_refused_with_exit_2() {
    let home = Home::init();
    home.add_offline("a", "ai", "sk");
    home.ok(&["use", "a"]);
    mkfifo(&home.state_dir().join("current"));
    let out = run_bounded(home.std_cmd(&["current"]));
    assert_failed(&out, 2, "current FIFO");
}

#[test]
fn a_fifo_or_huge_file_as_the_identity_is_refused_with_exit_6() {
    let home = Home::init();
    home.add_offline("a", "ai", "sk");
    let fifo = home.path().join("identity.fifo");
    mkfifo(&fifo);
    let mut cmd = home.std_cmd(&["token", "a"]);
    cmd.env("BROKER_AGE_KEY_FILE", &fifo);
    let out = run_bounded(cmd);
    assert_failed(&out, 6, "identity FIFO");
    let huge = home.path().join("identity.huge");
    sparse(&huge, b"", 1 << 30);
    let mut cmd = home.wrapped(
        "sh",
        &["-c", r#"ulimit -v 524288 && exec "$@""#, "sh"],
        &["token", "a"],
    );
    cmd.env("BROKER_AGE_KEY_FILE", &huge);
    let out = run_bounded(cmd);
    assert_failed(&out, 6, "1 GiB identity");
}

#[test]
fn a_config_or_state_others_can_change_is_warned_about_once() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.ok(&["token", "ai"]);
    std::fs::set_permissions(home.config(), std::fs::Permissions::from_mode(0o664)).unwrap();
    let out = home.cmd(&["token", "ai"]).output().unwrap();
    assert!(out.status.success());
    let err = stderr_of(&out);
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(
        err.contains("profiles.toml` is 0664") && err.contains("hooks run as you"),
        "{err}"
    );
    std::fs::set_permissions(home.config(), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(
        home.state_file("ai"),
        std::fs::Permissions::from_mode(0o606),
    )
    .unwrap();
    // `refresh --force` reads the state twice (before and under the lock): one warning.
    let out = home.cmd(&["refresh", "ai", "--force"]).output().unwrap();
    assert!(out.status.success());
    let err = stderr_of(&out);
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(err.contains("ai.age` is 0606"), "{err}");
    // Quiet and cheap when all is well.
    let out = home.cmd(&["token", "ai"]).output().unwrap();
    assert_eq!(stderr_of(&out), "");
}
