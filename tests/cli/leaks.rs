//! The leak sweep: a whole session at `-vvv` — init, three grants, both logins, tokens,
//! rotations, hooks, every export format, exec, status, and errors of every kind — then no
//! SecretKey, refresh token, authorization code, device code or identity anywhere it must not
//! be: stdout, stderr, files outside the encrypted store, hook argv and environment, or the
//! command line of any process while broker runs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use broker_emulator::{Fault, FaultKind};

use crate::harness::{BCE_SK, Home, SECRET};

struct Sweep {
    home: Home,
    /// Everything broker printed, labelled by the command.
    printed: Vec<(String, String)>,
}

impl Sweep {
    fn run(&mut self, args: &[&str], stdin: Option<&str>, expect: i32) -> Output {
        let mut all = vec!["-vvv"];
        all.extend_from_slice(args);
        let mut cmd = self.home.cmd(&all);
        if let Some(text) = stdin {
            cmd.write_stdin(text);
        }
        let out = cmd.output().unwrap();
        let label = args.join(" ");
        assert_eq!(
            out.status.code(),
            Some(expect),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.printed.push((
            format!("stdout of `{label}`"),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ));
        self.printed.push((
            format!("stderr of `{label}`"),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
        out
    }

    /// Every refresh token the profiles hold now.
    fn refresh_tokens(&self, profiles: &[&str]) -> Vec<String> {
        profiles
            .iter()
            .filter(|p| self.home.state_file(p).exists())
            .filter_map(|p| {
                self.home.state_json(p)["refresh_token"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect()
    }
}

/// Scans every process's command line until stopped; returns what it saw.
fn watch_cmdlines(stop: Arc<AtomicBool>) -> std::thread::JoinHandle<BTreeSet<String>> {
    std::thread::spawn(move || {
        let mut seen = BTreeSet::new();
        while !stop.load(Ordering::Relaxed) {
            if let Ok(entries) = std::fs::read_dir("/proc") {
                for e in entries.flatten() {
                    if let Ok(bytes) = std::fs::read(e.path().join("cmdline")) {
                        seen.insert(String::from_utf8_lossy(&bytes).replace('\0', " "));
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        seen
    })
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn no_secret_leaks_anywhere_in_a_whole_session() {
    let home = Home::with_emulator();
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch_cmdlines(stop.clone());
    let mut s = Sweep {
        home,
        printed: Vec::new(),
    };
    let url = s.home.emu().base_url();
    let out_dir = s.home.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();

    s.run(&["init"], None, 0);
    let identity = std::fs::read_to_string(s.home.identity()).unwrap();
    let identity_key = identity
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap()
        .to_owned();
    for (name, grant, key, secret) in [
        ("ai", "ai", crate::harness::APP_KEY, SECRET),
        ("nd", "netdisk", crate::harness::APP_KEY, SECRET),
        ("nd2", "netdisk", crate::harness::APP_KEY, SECRET),
        ("qf", "bce", crate::harness::BCE_AK, BCE_SK),
    ] {
        s.run(
            &[
                "profile",
                "add",
                name,
                "--grant",
                grant,
                "--app-key",
                key,
                "--endpoint",
                &url,
            ],
            Some(secret),
            0,
        );
    }
    // A hook that records its argv, environment and stdin; a sink; an env template.
    let hook = out_dir.join("hook.sh");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\necho \"$0 $*\" >> {o}/argv\nenv >> {o}/env\ncat >> {o}/stdin\n",
            o = out_dir.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut config = s.home.read_config();
    config.push_str(&format!(
        "\n[[hooks]]\non = [\"rotate\", \"login\", \"refresh_failed\", \"test\"]\nrun = [\"{}\"]\n\n[[profiles.nd.sinks]]\npath = \"{}/sink.json\"\nformat = \"json\"\n\n[profiles.nd.env]\nPAN_TOKEN = \"{{access_token}}\"\n",
        hook.display(),
        out_dir.display()
    ));
    s.home.write_config(&config);

    // Both netdisk logins: device flow and an authorization code.
    let mut login = s.home.std_cmd(&["-vvv", "login", "nd"]);
    let child = login
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while s.home.emu().approve_device(None).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no device code"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    s.printed.push((
        "stdout of device login".into(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ));
    s.printed.push((
        "stderr of device login".into(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ));
    let code = s.home.oob_code();
    s.run(&["login", "nd2", "--code", "-"], Some(&code), 0);
    let mut refresh_tokens: BTreeSet<String> =
        s.refresh_tokens(&["nd", "nd2"]).into_iter().collect();

    // Tokens, rotations, hooks.
    for p in ["ai", "nd", "nd2", "qf"] {
        s.run(&["token", p], None, 0);
        s.run(&["token", p, "--json"], None, 0);
    }
    s.run(&["refresh", "--all", "--force"], None, 0);
    refresh_tokens.extend(s.refresh_tokens(&["nd", "nd2"]));
    s.run(&["hooks", "test", "nd"], None, 0);
    s.run(&["hooks", "run", "nd"], None, 0);

    // Every export format, exec, status.
    let github_env = out_dir.join("github_env");
    std::fs::write(&github_env, "").unwrap();
    for format in ["sh", "fish", "powershell", "dotenv", "json"] {
        s.run(&["env", "nd", "--format", format], None, 0);
    }
    let out = s
        .home
        .cmd(&["-vvv", "env", "nd", "--format", "github"])
        .env("GITHUB_ENV", &github_env)
        .output()
        .unwrap();
    assert!(out.status.success());
    s.printed.push((
        "stdout of env github".into(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ));
    s.printed.push((
        "stderr of env github".into(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ));
    s.run(
        &["exec", "nd", "--", "sh", "-c", "env; cat /proc/$$/cmdline"],
        None,
        0,
    );
    s.run(&["status"], None, 0);
    s.run(&["status", "--json"], None, 0);
    s.run(&["profile", "show", "nd", "--json"], None, 0);
    s.run(&["profile", "list"], None, 0);
    s.run(&["current", "--explain", "-p", "nd"], None, 0);

    // A rotation slow enough for the watcher to see broker and its hook at work.
    s.home
        .emu()
        .inject_fault(Fault::new(FaultKind::Delay { ms: 700 }).on_path("/oauth/2.0/token"));
    s.run(&["refresh", "nd", "--force"], None, 0);
    refresh_tokens.extend(s.refresh_tokens(&["nd", "nd2"]));

    // Errors of every kind.
    s.run(
        &[
            "profile",
            "add",
            "bad",
            "--grant",
            "ai",
            "--app-key",
            "nobody",
            "--endpoint",
            &url,
        ],
        Some(SECRET),
        0,
    );
    s.run(&["token", "bad"], None, 4);
    s.run(
        &[
            "profile",
            "add",
            "badsk",
            "--grant",
            "ai",
            "--app-key",
            crate::harness::APP_KEY,
            "--endpoint",
            &url,
        ],
        Some("wrong-secret-value"),
        0,
    );
    s.run(&["token", "badsk"], None, 4);
    s.home
        .emu()
        .inject_fault(Fault::new(FaultKind::Garbage { body: None }).on_path("/oauth/2.0/token"));
    s.run(&["refresh", "ai", "--force"], None, 5);
    s.home
        .emu()
        .inject_fault(Fault::new(FaultKind::ExpiredToken).on_path("/oauth/2.0/token"));
    s.run(&["refresh", "nd2", "--force"], None, 3);
    s.run(&["token", "nd2"], None, 3);
    let plain = s.home.path().join("plain.toml");
    std::fs::write(
        &plain,
        format!("[profiles.p]\ngrant = \"ai\"\napp_key = \"k\"\nsecret_key = \"{SECRET}\"\n"),
    )
    .unwrap();
    s.run(
        &["--config", plain.to_str().unwrap(), "token", "p"],
        None,
        2,
    );
    let other = s.home.path().join("other-identity.txt");
    let keygen = std::process::Command::new("age-keygen")
        .arg("-o")
        .arg(&other)
        .output()
        .unwrap();
    assert!(keygen.status.success());
    let out = s
        .home
        .cmd(&["-vvv", "token", "nd", "--min-ttl", "1000d"])
        .env("BROKER_AGE_KEY_FILE", &other)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    s.printed.push((
        "stderr of wrong identity".into(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ));
    s.run(&["token", "nosuch"], None, 2);
    // A server that quotes the request in its error text: the secrets it echoes are cut
    // before they reach stderr, the state, `status`, a later `token` or a hook.
    s.home.emu().inject_fault(
        Fault::new(FaultKind::Echo {
            error: "invalid_client".into(),
            description: Some("Client authentication failed".into()),
        })
        .on_path("/oauth/2.0/token"),
    );
    s.run(&["refresh", "ai", "--force"], None, 4);
    s.home.emu().inject_fault(
        Fault::new(FaultKind::Echo {
            error: "invalid_grant".into(),
            description: None,
        })
        .on_path("/oauth/2.0/token"),
    );
    s.run(&["refresh", "nd", "--force"], None, 3);
    s.run(&["token", "nd"], None, 3);
    // `ai`'s SecretKey was rejected (4) and `nd` needs a login (3): the most serious wins.
    s.run(&["status", "--json"], None, 4);

    stop.store(true, Ordering::Relaxed);
    let cmdlines = watcher.join().unwrap();

    // What must never show.
    let mut secrets: Vec<(String, String)> = vec![
        ("the SecretKey".into(), SECRET.into()),
        ("the BCE SecretKey".into(), BCE_SK.into()),
        ("the identity".into(), identity_key.clone()),
        ("an identity".into(), "AGE-SECRET-KEY-1".into()),
        ("the authorization code".into(), code.clone()),
        ("a wrong SecretKey".into(), "wrong-secret-value".into()),
    ];
    secrets.extend(
        s.home
            .emu()
            .issued_device_codes()
            .into_iter()
            .map(|c| ("a device code".into(), c)),
    );
    secrets.extend(
        refresh_tokens
            .iter()
            .map(|t| ("a refresh token".into(), t.clone())),
    );
    assert!(
        refresh_tokens.len() >= 4,
        "the sweep saw too few refresh tokens: {}",
        refresh_tokens.len()
    );

    let check = |place: &str, text: &str| {
        for (what, value) in &secrets {
            assert!(!text.contains(value.as_str()), "{what} leaked into {place}");
        }
    };
    for (place, text) in &s.printed {
        check(place, text);
    }
    for line in &cmdlines {
        check("a process command line", line);
    }
    let store = s.home.state_dir().join("profiles");
    for file in files_under(s.home.path()) {
        let encrypted = file.starts_with(&store) && file.extension().is_some_and(|e| e == "age");
        // The identities and the plaintext config are the test's own, written on purpose.
        if encrypted || file == s.home.identity() || file == other || file == plain {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        check(&format!("the file {}", file.display()), &text);
    }
    // The hooks ran and were checked above; their argv never held a token either.
    let argv = std::fs::read_to_string(out_dir.join("argv")).unwrap();
    assert!(
        !argv.contains("121.") && !argv.contains("24."),
        "a token in a hook's argv: {argv}"
    );
    let stdin = std::fs::read_to_string(out_dir.join("stdin")).unwrap();
    assert!(
        stdin.contains("\"event\""),
        "the hooks did not run: {stdin}"
    );
    // The sweep really looked at the processes it meant to.
    assert!(
        cmdlines.iter().any(|c| c.contains("refresh nd --force")),
        "the watcher never saw broker run"
    );
}

/// A hook that appends its environment and its stdin to files in `dir`, on `refresh_failed`.
fn record_failures(home: &Home, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut config = home.read_config();
    config.push_str(&format!(
        "\n[[hooks]]\non = [\"refresh_failed\"]\nrun = \"env >> {d}/env; cat >> {d}/stdin\"\n",
        d = dir.display()
    ));
    home.write_config(&config);
}

/// Asserts no secret (nor a piece of one long enough to matter) is in `text`.
fn assert_clean(place: &str, text: &str, secrets: &[(&str, String)]) {
    for (what, value) in secrets {
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        for form in [value.as_str(), encoded.as_str()] {
            assert!(!text.contains(form), "{what} leaked into {place}: {text}");
            // A 12-character piece of it: what a truncated echo would leave.
            let piece = &form[..12.min(form.len())];
            assert!(
                !text.contains(piece),
                "a piece of {what} leaked into {place}: {text}"
            );
        }
    }
}

#[test]
fn a_server_echoing_the_refresh_request_leaks_no_secret() {
    let home = Home::with_emulator();
    home.login_netdisk("nd");
    let out = home.path().join("out");
    record_failures(&home, &out);
    let state = home.state_json("nd");
    let secrets = [
        ("the SecretKey", SECRET.to_owned()),
        (
            "the refresh token",
            state["refresh_token"].as_str().unwrap().to_owned(),
        ),
        (
            "the access token",
            state["access_token"].as_str().unwrap().to_owned(),
        ),
    ];
    home.emu().inject_fault(
        Fault::new(FaultKind::Echo {
            error: "invalid_grant".into(),
            description: Some("refresh token is invalid".into()),
        })
        .on_path("/oauth/2.0/token"),
    );
    let stderr = home.fails(&["-vvv", "refresh", "nd", "--force"], 3);
    assert_clean("stderr of the refresh", &stderr, &secrets);
    // The echo was there, and was cut rather than dropped.
    assert!(stderr.contains("client_secret=****"), "{stderr}");

    // The state keeps the error's codes and facts (issue 12), the echo cut there too.
    let stored = home.state_json("nd");
    let record = &stored["needs_login"]["reason"];
    assert_eq!(record["code"], "authorization-refused", "{record}");
    let description = record["description"].as_str().unwrap();
    assert!(description.contains("refresh_token=****"), "{description}");
    assert_clean("the stored reason", &record.to_string(), &secrets);
    // `nd` needs a login: status says so with exit 3, after printing everything; the
    // reason in words, the echo still cut.
    let status = home.cmd(&["status", "nd", "--json"]).output().unwrap();
    assert_eq!(status.status.code(), Some(3));
    let rows: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let reason = rows[0]["needs_login"]["reason"].as_str().unwrap();
    assert!(reason.contains("refresh_token=****"), "{reason}");
    assert_clean(
        "status --json",
        &String::from_utf8_lossy(&status.stdout),
        &secrets,
    );
    assert_clean(
        "status's stderr",
        &String::from_utf8_lossy(&status.stderr),
        &secrets,
    );
    let later = home.fails(&["token", "nd"], 3);
    assert_clean("a later `token`", &later, &secrets);

    let env = std::fs::read_to_string(out.join("env")).unwrap();
    assert!(env.contains("BROKER_ERROR="), "{env}");
    assert_clean("the hook's environment", &env, &secrets);
    let stdin = std::fs::read_to_string(out.join("stdin")).unwrap();
    assert!(stdin.contains("****"), "{stdin}");
    assert_clean("the hook's stdin", &stdin, &secrets);
}

#[test]
fn a_server_echoing_an_ai_request_leaks_no_form_of_the_secret() {
    let home = Home::with_emulator();
    // A SecretKey whose form-encoding differs from it, so both forms are looked for.
    let secret = "s3cr3t+/=&\"%x-0001-ABCDEFGH";
    home.ok_stdin(
        &[
            "profile",
            "add",
            "ai",
            "--grant",
            "ai",
            "--app-key",
            crate::harness::APP_KEY,
            "--endpoint",
            &home.emu().base_url(),
        ],
        secret,
    );
    let secrets = [("the SecretKey", secret.to_owned())];
    for _ in 0..2 {
        home.emu().inject_fault(Fault::new(FaultKind::Echo {
            error: "invalid_client".into(),
            description: Some("Client authentication failed".into()),
        }));
    }
    let stderr = home.fails(&["-vvv", "token", "ai"], 4);
    assert!(
        stderr.contains("SecretKey") && stderr.contains("****"),
        "{stderr}"
    );
    assert_clean("stderr of `token`", &stderr, &secrets);
    let stderr = home.fails(&["login", "ai"], 4);
    assert_clean("stderr of `login`", &stderr, &secrets);
}

#[test]
fn a_device_code_answer_quoting_the_secret_key_shows_no_secret() {
    let home = Home::with_emulator();
    home.add("nd", "netdisk");
    let body = serde_json::json!({
        "device_code": "d".repeat(32),
        "user_code": "abcd1234",
        "verification_url": format!("https://openapi.baidu.com/device?echo={SECRET}"),
        "qrcode_url": format!("https://openapi.baidu.com/qr?echo={SECRET}"),
        "expires_in": 300,
        "interval": 5,
    });
    home.emu().inject_fault(
        Fault::new(FaultKind::Status {
            status: 200,
            body: Some(body.to_string()),
        })
        .on_path("/oauth/2.0/device/code"),
    );
    let mut child = home
        .std_cmd(&["login", "nd"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The instructions come first; the login then waits for an approval that never comes.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut shown = String::new();
    while !shown.contains("(or open") {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() == 0 {
            break;
        }
        shown.push_str(&line);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(shown.contains("echo=****"), "{shown}");
    assert_clean(
        "the device login's instructions",
        &shown,
        &[("the SecretKey", SECRET.to_owned())],
    );
}
