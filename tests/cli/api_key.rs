//! `grant = "api-key"`: a long-lived API key kept encrypted as the SecretKey. `token` prints it
//! with no network, `secret set` replaces it and fires the `rotate` hooks and sinks,
//! `refresh`/`login` have nothing to do, and no expiry is exported.

use serde_json::Value;

use crate::harness::Home;

const KEY: &str = "bce-v3/ALTAK-first0000/0123456789abcdef";
const NEW_KEY: &str = "bce-v3/ALTAK-second000/fedcba9876543210";

/// An api-key profile whose endpoint is a closed loopback port: any network use would fail.
fn home_with_key() -> Home {
    let home = Home::init();
    home.ok_stdin(
        &[
            "profile",
            "add",
            "qk",
            "--grant",
            "api-key",
            "--endpoint",
            "http://127.0.0.1:9",
        ],
        KEY,
    );
    home
}

#[test]
fn an_api_key_is_its_own_token_with_no_network_and_no_expiry() {
    let home = home_with_key();
    assert!(!home.read_config().contains("app_key"), "no label asked");
    assert!(!home.read_config().contains("ALTAK"), "stored encrypted");
    assert_eq!(home.ok(&["token", "qk"]), format!("{KEY}\n"));
    let json: Value = serde_json::from_str(&home.ok(&["token", "qk", "--json"])).unwrap();
    assert_eq!(json["access_token"], KEY);
    assert_eq!(json["grant"], "api-key");
    assert_eq!(json["expires_at"], "");
    let env: Value = serde_json::from_str(&home.ok(&["env", "qk", "--format", "json"])).unwrap();
    assert_eq!(env["BAIDU_ACCESS_TOKEN"], KEY);
    assert!(env.get("BAIDU_TOKEN_EXPIRES_AT").is_none(), "{env}");
    assert!(!home.state_file("qk").exists(), "nothing is stored");

    // Nothing to rotate or log in to: said, exit 0; `--all` passes over it.
    for args in [
        &["refresh", "qk"][..],
        &["refresh", "qk", "--force"],
        &["login", "qk"],
    ] {
        let out = home.cmd(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("nothing to log in to or rotate"), "{err}");
    }
    let out = home.cmd(&["refresh", "--all"]).output().unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("qk"));
    home.ok(&["status", "qk"]);
}

#[test]
fn secret_set_on_an_api_key_fires_the_rotate_hooks_and_sinks() {
    let home = home_with_key();
    let seen = home.path().join("seen");
    let sink = home.path().join("sink.token");
    let mut config = home.read_config();
    config.push_str(&format!(
        "\n[[profiles.qk.hooks]]\non = [\"rotate\"]\nrun = 'printf \"%s %s\" \"$BROKER_EVENT\" \"$BROKER_ACCESS_TOKEN\" > {}'\n\n[[profiles.qk.sinks]]\npath = \"{}\"\n",
        seen.display(),
        sink.display()
    ));
    home.write_config(&config);
    home.ok_stdin(&["secret", "set", "qk"], NEW_KEY);
    assert_eq!(
        std::fs::read_to_string(&seen).unwrap(),
        format!("rotate {NEW_KEY}")
    );
    assert_eq!(
        std::fs::read_to_string(&sink).unwrap(),
        format!("{NEW_KEY}\n")
    );
    assert_eq!(home.ok(&["token", "qk"]), format!("{NEW_KEY}\n"));
    // `hooks run` tells them the key again, with no expiry.
    std::fs::remove_file(&seen).unwrap();
    home.ok(&["hooks", "run", "qk"]);
    assert_eq!(
        std::fs::read_to_string(&seen).unwrap(),
        format!("rotate {NEW_KEY}")
    );

    // A failing hook is exit 7; the new key is kept all the same.
    let mut config = home.read_config();
    config.push_str("\n[[profiles.qk.hooks]]\non = [\"rotate\"]\nrun = \"exit 3\"\n");
    home.write_config(&config);
    let out = home
        .cmd(&["secret", "set", "qk"])
        .write_stdin(KEY)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(home.ok(&["token", "qk"]), format!("{KEY}\n"));
}

#[test]
fn profile_add_without_app_key_is_refused_for_grants_that_need_one() {
    let home = Home::init();
    let err = home.fails(&["profile", "add", "x", "--grant", "ai"], 2);
    assert!(err.contains("`--grant ai` needs `--app-key`"), "{err}");
}
