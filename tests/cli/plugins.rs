//! `grant = "plugin:NAME"`: broker runs `broker-plugin-NAME` from PATH with one JSON request on
//! stdin and reads one JSON answer. The test plugin (tests/cli/plugins/broker-plugin-fake) is
//! told how to behave by its `[profiles.NAME.plugin]` settings and writes down what it saw.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{Home, SECRET, assert_failed};

/// The folder holding the test plugin.
fn plugin_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/plugins")
}

/// A home whose profiles (`name`, `mode`) run the fake plugin; the SecretKey comes from
/// `PLUGIN_SK`, which broker must not pass on.
fn home_with(profiles: &[(&str, &str)], timeout: &str) -> Home {
    let home = Home::init();
    let seen = home.path().join("seen");
    std::fs::create_dir_all(&seen).unwrap();
    let mut config = home.read_config();
    for (name, mode) in profiles {
        config.push_str(&format!(
            "\n[profiles.{name}]\ngrant = \"plugin:fake\"\napp_key = \"ak-{name}\"\n\
             secret_key_env = \"PLUGIN_SK\"\ntimeout = \"{timeout}\"\n\n\
             [profiles.{name}.plugin]\nmode = \"{mode}\"\ndir = \"{}\"\n",
            seen.display()
        ));
    }
    home.write_config(&config);
    home
}

/// `broker ARGS` with the fake plugin on PATH and the SecretKey in the environment, twice.
fn run(home: &Home, args: &[&str]) -> Output {
    let path = format!(
        "{}:{}",
        plugin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    home.std_cmd(args)
        .env("PATH", path)
        .env("PLUGIN_SK", SECRET)
        .env("A_COPY_OF_THE_SECRET", format!("x{SECRET}x"))
        .env("ANOTHER_PROFILES_SK", "another-secret")
        .output()
        .expect("runs")
}

fn ok(home: &Home, args: &[&str]) -> String {
    let out = run(home, args);
    assert!(
        out.status.success(),
        "broker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(home: &Home, args: &[&str], code: i32) -> String {
    let out = run(home, args);
    assert_failed(&out, code, args);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Each line of a JSON-lines file the plugin wrote.
fn lines(home: &Home, file: &str) -> Vec<Value> {
    std::fs::read_to_string(home.path().join("seen").join(file))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_plugin_fetches_the_first_token_from_one_json_request_on_stdin() {
    let home = home_with(&[("p", "rotate")], "30s");
    assert_eq!(ok(&home, &["token", "p"]), "at-1\n");
    let requests = lines(&home, "requests.jsonl");
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r["version"], 1);
    assert_eq!(r["action"], "fetch");
    assert_eq!(r["profile"], "p");
    assert_eq!(r["app_key"], "ak-p");
    assert_eq!(r["secret_key"], SECRET);
    assert_eq!(r["refresh_token"], Value::Null);
    assert_eq!(r["settings"]["mode"], "rotate");
    // Stored and served like any other token: no second run while it is valid.
    assert_eq!(ok(&home, &["token", "p"]), "at-1\n");
    assert_eq!(lines(&home, "requests.jsonl").len(), 1);
    let state = ok(&home, &["token", "p", "--json"]);
    let state: Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["grant"], "plugin:fake");
    // Exported and listed like any other profile's.
    let env: Value = serde_json::from_str(&ok(&home, &["env", "p", "--format", "json"])).unwrap();
    assert_eq!(env["BAIDU_ACCESS_TOKEN"], "at-1");
    assert!(ok(&home, &["status"]).contains("plugin:fake"));
    assert!(ok(&home, &["profile", "list"]).contains("plugin:fake"));
}

#[test]
fn no_secret_reaches_a_plugin_in_its_argv_or_environment() {
    let home = home_with(&[("p", "rotate")], "30s");
    ok(&home, &["token", "p"]);
    ok(&home, &["refresh", "p", "--force"]);
    let seen = lines(&home, "seen.jsonl");
    assert_eq!(seen.len(), 2);
    for s in &seen {
        assert_eq!(s["argv"].as_array().unwrap().len(), 1, "no arguments: {s}");
        let text = s.to_string();
        assert!(!text.contains(SECRET), "the SecretKey leaked: {text}");
        assert!(!text.contains("rt-1"), "the refresh token leaked: {text}");
        let env = s["env"].as_object().unwrap();
        assert!(!env.contains_key("PLUGIN_SK"), "{text}");
        assert!(!env.contains_key("A_COPY_OF_THE_SECRET"), "{text}");
        assert!(!env.contains_key("BROKER_AGE_KEY"), "{text}");
        assert!(!env.contains_key("ANOTHER_PROFILES_SK"), "{text}");
        assert!(
            env.contains_key("PATH"),
            "what a program needs stays: {text}"
        );
    }
}

/// An answer with new tokens but an unusable `expires_in`: the old refresh token is spent, so
/// the new one is kept (saved as due) and the next use refreshes with it; nobody is sent to log
/// in.
#[test]
fn a_new_refresh_token_in_an_unusable_plugin_answer_is_kept() {
    let home = home_with(&[("p", "rotate")], "30s");
    assert_eq!(ok(&home, &["token", "p"]), "at-1\n");
    std::fs::write(home.path().join("seen/bad-expiry"), "").unwrap();
    let err = fails(&home, &["refresh", "p", "--force"], 5);
    assert!(err.contains("expires_in"), "{err}");
    // Due at once: this `token` refreshes with rt-2, the token the bad answer carried.
    assert_eq!(ok(&home, &["token", "p"]), "at-3\n");
    let presented: Vec<Value> = lines(&home, "requests.jsonl")
        .iter()
        .map(|r| r["refresh_token"].clone())
        .collect();
    assert_eq!(
        presented,
        vec![Value::Null, Value::from("rt-1"), Value::from("rt-2")]
    );
}

#[test]
fn a_plugin_killed_mid_refresh_gets_the_same_refresh_token_once_more() {
    let home = home_with(&[("p", "rotate")], "30s");
    assert_eq!(ok(&home, &["token", "p"]), "at-1\n");
    assert_eq!(ok(&home, &["refresh", "p", "--force"]), "");
    assert_eq!(ok(&home, &["token", "p"]), "at-2\n");
    // The plugin dies by SIGKILL once it has the refresh token: spent or not, nobody knows.
    std::fs::write(home.path().join("seen/kill"), "").unwrap();
    let err = fails(&home, &["refresh", "p", "--force"], 5);
    assert!(err.contains("broker-plugin-fake"), "{err}");
    // The journal mark makes the next run present it once more, and that settles it.
    let out = run(&home, &["token", "p"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "at-3\n");
    assert_eq!(ok(&home, &["token", "p"]), "at-3\n");
    ok(&home, &["refresh", "p", "--force"]);
    let presented: Vec<Value> = lines(&home, "requests.jsonl")
        .iter()
        .map(|r| r["refresh_token"].clone())
        .collect();
    assert_eq!(
        presented,
        [
            Value::Null,
            "rt-1".into(),
            "rt-2".into(),
            "rt-2".into(),
            "rt-3".into()
        ]
    );
}

#[test]
fn a_plugin_that_does_not_answer_in_time_is_ended_and_exit_5() {
    let home = home_with(&[("p", "sleep")], "1s");
    let started = Instant::now();
    let err = fails(&home, &["token", "p"], 5);
    assert!(started.elapsed() < Duration::from_secs(10), "{err}");
    assert!(err.contains("within 1s"), "{err}");
    // The command's own `--timeout` bounds a longer profile `timeout`.
    let home = home_with(&[("p", "sleep")], "30s");
    let started = Instant::now();
    let err = fails(&home, &["--timeout", "1s", "token", "p"], 5);
    assert!(started.elapsed() < Duration::from_secs(10), "{err}");
    assert!(err.contains("within 1s"), "{err}");
}

#[test]
fn a_plugin_that_crashes_is_exit_5_and_its_stderr_is_shown_scrubbed_at_v() {
    let home = home_with(&[("p", "crash")], "30s");
    let err = fails(&home, &["token", "p"], 5);
    assert!(err.contains("exit 1"), "{err}");
    assert!(!err.contains("something went wrong"), "only at -v: {err}");
    let err = fails(&home, &["-v", "token", "p"], 5);
    assert!(err.contains("something went wrong"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
}

#[test]
fn a_plugin_answer_broker_cannot_read_is_exit_5() {
    let home = home_with(
        &[("g", "garbage"), ("v", "version"), ("k", "error-weird")],
        "30s",
    );
    let err = fails(&home, &["token", "g"], 5);
    assert!(err.contains("not a JSON object"), "{err}");
    let err = fails(&home, &["token", "v"], 5);
    assert!(err.contains("version 2"), "{err}");
    let err = fails(&home, &["token", "k"], 5);
    assert!(err.contains("`weird`"), "{err}");
}

#[test]
fn a_plugin_error_kind_is_its_exit_code() {
    let home = home_with(
        &[
            ("c", "error-credentials"),
            ("l", "error-login"),
            ("n", "error-network"),
        ],
        "30s",
    );
    for (profile, code) in [("c", 4), ("l", 3), ("n", 5)] {
        let err = fails(&home, &["token", profile], code);
        assert!(err.contains("the issuer said no"), "{err}");
    }
}

#[test]
fn a_plugin_not_on_path_is_exit_2_and_plugin_keys_belong_to_plugins() {
    let home = home_with(&[("p", "rotate")], "30s");
    let config = home.read_config().replace("plugin:fake", "plugin:absent");
    home.write_config(&config);
    let err = fails(&home, &["token", "p"], 2);
    assert!(err.contains("broker-plugin-absent"), "{err}");
    let config = home.read_config().replace("plugin:absent", "ai");
    home.write_config(&config);
    let err = fails(&home, &["token", "p"], 2);
    assert!(err.contains("timeout"), "{err}");
}

/// A small stand-in for the example plugin's issuer: `/oauth/accessToken` takes the app's
/// credentials and an authorization code, `/oauth/refreshToken` takes them and the current
/// refresh token, once, and answers a new pair. Returns its base URL and what it was sent.
fn ads_server() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        let mut n = 0;
        let mut live: Option<String> = None;
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            reader.read_line(&mut first).unwrap();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let body: Value = serde_json::from_slice(&body).unwrap();
            let path = first.split(' ').nth(1).unwrap_or("").to_owned();
            log.lock()
                .unwrap()
                .push(serde_json::json!({"path": path, "body": body}));
            let credentials = body["appId"] == "ads-app" && body["secretKey"] == SECRET;
            let accepted = match path.as_str() {
                "/oauth/accessToken" => credentials && body["authCode"] == "code-1",
                "/oauth/refreshToken" => {
                    credentials && live.is_some() && body["refreshToken"] == live.clone().unwrap()
                }
                _ => false,
            };
            let answer = if accepted {
                n += 1;
                live = Some(format!("ads-rt-{n}"));
                serde_json::json!({"code": 0, "message": "success", "data": {
                    "accessToken": format!("ads-at-{n}"), "refreshToken": format!("ads-rt-{n}"),
                    "expiresIn": 86400, "openId": "o-1", "userId": 42}})
            } else {
                serde_json::json!({"code": 110, "message": "refused"})
            };
            let text = answer.to_string();
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (base, seen)
}

#[test]
fn the_example_ads_plugin_fetches_and_refreshes_end_to_end() {
    let (base, seen) = ads_server();
    let home = Home::init();
    let mut config = home.read_config();
    for (name, app) in [("ads", "ads-app"), ("wrong", "not-the-app")] {
        config.push_str(&format!(
            "\n[profiles.{name}]\ngrant = \"plugin:ads\"\napp_key = \"{app}\"\n\
             secret_key_env = \"PLUGIN_SK\"\n\n[profiles.{name}.plugin]\nbase_url = \"{base}\"\n\
             user_id = \"42\"\nauth_code = \"code-1\"\n"
        ));
    }
    home.write_config(&config);
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/plugins");
    let run = |args: &[&str]| {
        home.std_cmd(args)
            .env(
                "PATH",
                format!("{}:{}", examples.display(), std::env::var("PATH").unwrap()),
            )
            .env("PLUGIN_SK", SECRET)
            .output()
            .unwrap()
    };
    let out = run(&["token", "ads"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ads-at-1\n");
    assert!(run(&["refresh", "ads", "--force"]).status.success());
    assert!(run(&["refresh", "ads", "--force"]).status.success());
    let out = run(&["token", "ads"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ads-at-3\n");
    let sent: Vec<(String, Value)> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_owned(),
                r["body"]["refreshToken"].clone(),
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            ("/oauth/accessToken".to_owned(), Value::Null),
            ("/oauth/refreshToken".to_owned(), "ads-rt-1".into()),
            ("/oauth/refreshToken".to_owned(), "ads-rt-2".into()),
        ]
    );
    // The issuer refuses an app it does not know: the credentials, exit 4.
    let out = run(&["token", "wrong"]);
    assert_failed(&out, 4, "wrong app");
}
