//! Hostile servers end to end: answers too large, endless, trickling, or full of terminal
//! escapes. broker must fail cleanly (one line, exit 5), quickly, and without reading an
//! endless body into memory (the client stops at 256 KiB).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use broker::emulator::{Fault, FaultKind};

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
