//! `grant = "sts"`: BCE STS temporary credentials from the emulator, end to end: the session
//! token, the `--json` shape, the exported `BCE_*` variables, the config keys, and a request
//! signed with the temporary pair and carrying the session token accepted by the emulator.

use std::io::{Read, Write};
use std::net::TcpStream;

use broker_wire::sign;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::harness::{BCE_AK, Home};

/// `GET` the emulator's STS check signed with `ak`/`sk`, with `token` as
/// `x-bce-security-token` when given (signed too, as the SDKs sign every `x-bce-*` header);
/// the HTTP status.
fn check_status(home: &Home, ak: &str, sk: &str, token: Option<&str>) -> u16 {
    let base = home.emu().base_url();
    let host = base.trim_start_matches("http://").to_owned();
    let path = broker_wire::path::STS_CHECK;
    let date = sign::timestamp(Utc::now());
    let mut headers = vec![
        ("host".to_owned(), host.clone()),
        ("x-bce-date".to_owned(), date.clone()),
    ];
    if let Some(t) = token {
        headers.push((
            broker_wire::path::SECURITY_TOKEN_HEADER.to_owned(),
            t.to_owned(),
        ));
    }
    let auth = sign::authorization(ak, sk, "GET", path, &[], &headers, &date, 1800);
    let mut request =
        format!("GET {path} HTTP/1.1\r\nconnection: close\r\nauthorization: {auth}\r\n");
    for (k, v) in &headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    let mut stream = TcpStream::connect(&host).expect("connects to the emulator");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer}"))
}

fn set_keys(home: &Home, profile: &str, lines: &str) {
    let text = home.read_config();
    let header = format!("[profiles.{profile}]\n");
    assert!(text.contains(&header), "{text}");
    home.write_config(&text.replace(&header, &format!("{header}{lines}\n")));
}

#[test]
fn sts_credentials_are_printed_exported_and_work_together() {
    let home = Home::with_emulator();
    home.add("st", "sts");

    let token = home.ok(&["token", "st"]);
    let token = token.trim_end();
    assert!(!token.is_empty());

    let json: Value = serde_json::from_str(&home.ok(&["token", "st", "--json"])).unwrap();
    assert_eq!(json["grant"], "sts");
    assert_eq!(json["session_token"], token, "a warm token is the same");
    let ak = json["access_key_id"].as_str().unwrap().to_owned();
    let sk = json["secret_access_key"].as_str().unwrap().to_owned();
    assert!(!ak.is_empty() && ak != BCE_AK, "{ak}");
    assert!(!sk.is_empty());
    // 12 hours by default.
    let expires: DateTime<Utc> = json["expires_at"].as_str().unwrap().parse().unwrap();
    let left = (expires - Utc::now()).num_seconds();
    assert!((43_000..=43_200).contains(&left), "{left}");

    // Stored encrypted, with the pair beside the session token.
    let state = home.state_json("st");
    assert_eq!(state["access_token"], token);
    assert_eq!(state["sts"]["access_key_id"], ak.as_str());
    assert_eq!(state["sts"]["secret_access_key"], sk.as_str());
    let raw = std::fs::read(home.state_file("st")).unwrap();
    assert!(!String::from_utf8_lossy(&raw).contains(&sk));

    // The exports.
    let env: Value = serde_json::from_str(&home.ok(&["env", "st", "--format", "json"])).unwrap();
    assert_eq!(env["BCE_ACCESS_KEY_ID"], ak.as_str());
    assert_eq!(env["BCE_SECRET_ACCESS_KEY"], sk.as_str());
    assert_eq!(env["BCE_SESSION_TOKEN"], token);
    assert_eq!(env["BCE_TOKEN_EXPIRES_AT"], json["expires_at"]);
    let gh_env = home.path().join("github-env");
    let out = home
        .cmd(&["env", "st", "--format", "github"])
        .env("GITHUB_ENV", &gh_env)
        .output()
        .unwrap();
    assert!(out.status.success());
    let masks = String::from_utf8(out.stdout).unwrap();
    assert!(masks.contains(&format!("::add-mask::{sk}")), "{masks}");
    assert!(masks.contains(&format!("::add-mask::{token}")), "{masks}");
    assert!(!masks.contains(&format!("::add-mask::{ak}")), "{masks}");

    // The three values work together, and only together.
    assert_eq!(check_status(&home, &ak, &sk, Some(token)), 200);
    assert_eq!(check_status(&home, &ak, &sk, None), 403);
    assert_eq!(check_status(&home, &ak, "wrong", Some(token)), 400);
}

#[test]
fn sts_with_a_wrong_secret_key_is_exit_4_and_never_echoes_it() {
    let home = Home::with_emulator();
    let url = home.emu().base_url();
    home.ok_stdin(
        &[
            "profile",
            "add",
            "st",
            "--grant",
            "sts",
            "--app-key",
            BCE_AK,
            "--endpoint",
            &url,
        ],
        "wrong-sts-secret",
    );
    let err = home.fails(&["token", "st"], 4);
    assert!(err.contains("signature"), "{err}");
    assert!(!err.contains("wrong-sts-secret"), "{err}");
    home.ok_stdin(
        &[
            "profile",
            "add",
            "st2",
            "--grant",
            "sts",
            "--app-key",
            "AKUNKNOWN",
            "--endpoint",
            &url,
        ],
        "x",
    );
    home.fails(&["token", "st2"], 4);
}

#[test]
fn sts_duration_and_policy_are_sent_and_checked_at_load() {
    let home = Home::with_emulator();
    home.add("st", "sts");
    set_keys(
        &home,
        "st",
        "duration = \"1h\"\npolicy = '{\"accessControlList\":[{\"service\":\"bce:bos\",\"region\":\"bj\",\"effect\":\"Allow\",\"resource\":[\"bucket/*\"],\"permission\":[\"READ\"]}]}'",
    );
    let json: Value = serde_json::from_str(&home.ok(&["token", "st", "--json"])).unwrap();
    let expires: DateTime<Utc> = json["expires_at"].as_str().unwrap().parse().unwrap();
    let left = (expires - Utc::now()).num_seconds();
    assert!((3_500..=3_600).contains(&left), "{left}");

    let bad = Home::with_emulator();
    bad.add("st", "sts");
    bad.add("ai", "ai");
    bad.add("qf", "bce");
    let good = bad.read_config();
    for (profile, lines, key) in [
        ("st", "duration = \"37h\"", "profiles.st.duration"),
        ("st", "policy = 'not json'", "profiles.st.policy"),
        ("st", "expires_in = \"1h\"", "profiles.st.expires_in"),
        ("ai", "policy = '{}'", "profiles.ai.policy"),
        ("qf", "duration = \"1h\"", "profiles.qf.duration"),
    ] {
        bad.write_config(&good);
        set_keys(&bad, profile, lines);
        let err = bad.fails(&["token", profile], 2);
        assert!(err.contains(key), "{lines}: {err}");
    }
}

#[test]
fn the_temporary_secret_key_reaches_no_log_hook_or_status() {
    let home = Home::with_emulator();
    home.add("st", "sts");
    let out_dir = home.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
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
    let mut config = home.read_config();
    config.push_str(&format!(
        "\n[[hooks]]\non = [\"rotate\", \"test\"]\nrun = [\"{}\"]\n",
        hook.display()
    ));
    home.write_config(&config);

    let mut said = String::new();
    for args in [
        &["-vvv", "token", "st"][..],
        &["-vvv", "refresh", "st", "--force"],
        &["-vvv", "hooks", "test", "st"],
        &["status", "st"],
        &["status", "st", "--json"],
        &["profile", "show", "st", "--json"],
    ] {
        let out = home.cmd(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        said.push_str(&String::from_utf8_lossy(&out.stderr));
        if !args.contains(&"token") {
            said.push_str(&String::from_utf8_lossy(&out.stdout));
        }
    }
    for f in ["argv", "env", "stdin"] {
        said.push_str(&std::fs::read_to_string(out_dir.join(f)).unwrap());
    }
    let state = home.state_json("st");
    let temporary = state["sts"]["secret_access_key"].as_str().unwrap();
    assert!(said.contains("rotate"), "the hooks ran: {said}");
    assert!(
        !said.contains(temporary),
        "the temporary SecretKey leaked: {said}"
    );
    assert!(
        !said.contains(crate::harness::BCE_SK),
        "the SecretKey leaked: {said}"
    );
}
