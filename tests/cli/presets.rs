//! `preset = "…"`: each preset's variables on each grant it fits, the grants it does not fit
//! refused at load (exit 2), `[env]` winning over a preset, and never a long-lived SecretKey.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::harness::{BCE_SK, Home, SECRET};

const KEY: &str = "bce-v3/ALTAK-preset0000/0123456789abcdef";

fn set_keys(home: &Home, profile: &str, lines: &str) {
    let text = home.read_config();
    let header = format!("[profiles.{profile}]\n");
    assert!(text.contains(&header), "{text}");
    home.write_config(&text.replace(&header, &format!("{header}{lines}\n")));
}

/// `broker env PROFILE --format json`, as a map.
fn env(home: &Home, profile: &str) -> BTreeMap<String, String> {
    let out = home.ok(&["env", profile, "--format", "json"]);
    assert!(
        !out.contains(BCE_SK) && !out.contains(SECRET),
        "a long-lived SecretKey: {out}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

fn home() -> Home {
    let home = Home::with_emulator();
    for (name, grant) in [("ai", "ai"), ("qf", "bce"), ("st", "sts")] {
        home.add(name, grant);
    }
    home.ok_stdin(
        &[
            "profile",
            "add",
            "key",
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
fn each_preset_exports_what_its_tool_reads() {
    let home = home();
    let base = home.read_config();
    let with = |profile: &str, preset: &str| {
        home.write_config(&base);
        set_keys(&home, profile, &format!("preset = \"{preset}\""));
        env(&home, profile)
    };

    // openai: the API key, or the bearer token, and Qianfan's OpenAI-compatible base URL.
    let e = with("key", "openai");
    assert_eq!(e["OPENAI_API_KEY"], KEY);
    assert_eq!(e["OPENAI_BASE_URL"], "http://127.0.0.1:9/v2");
    let e = with("qf", "openai");
    assert!(e["OPENAI_API_KEY"].starts_with("bce-v3/"), "{e:?}");
    assert_eq!(e["OPENAI_API_KEY"], e["BAIDU_ACCESS_TOKEN"]);
    assert_eq!(e["OPENAI_BASE_URL"], "https://qianfan.baidubce.com/v2");

    // qianfan: the access token (v1), or the bearer token (v2); nothing for STS.
    let e = with("ai", "qianfan");
    assert_eq!(e["QIANFAN_ACCESS_TOKEN"], e["BAIDU_ACCESS_TOKEN"]);
    let e = with("qf", "qianfan");
    assert_eq!(e["QIANFAN_BEARER_TOKEN"], e["BAIDU_ACCESS_TOKEN"]);
    let e = with("key", "qianfan");
    assert_eq!(e["QIANFAN_BEARER_TOKEN"], KEY);
    let e = with("st", "qianfan");
    assert!(!e.keys().any(|k| k.starts_with("QIANFAN_")), "{e:?}");

    // appbuilder: the API key or bearer token.
    assert_eq!(with("key", "appbuilder")["APPBUILDER_TOKEN"], KEY);
    let e = with("qf", "appbuilder");
    assert_eq!(e["APPBUILDER_TOKEN"], e["BAIDU_ACCESS_TOKEN"]);

    // bce-cli and terraform: the temporary credentials.
    let e = with("st", "bce-cli");
    let json: Value = serde_json::from_str(&home.ok(&["token", "st", "--json"])).unwrap();
    assert_eq!(
        e["BCE_ACCESS_KEY_ID"],
        json["access_key_id"].as_str().unwrap()
    );
    assert_eq!(
        e["BCE_SECRET_ACCESS_KEY"],
        json["secret_access_key"].as_str().unwrap()
    );
    assert_eq!(
        e["BCE_SESSION_TOKEN"],
        json["session_token"].as_str().unwrap()
    );
    let e = with("st", "terraform");
    assert_eq!(
        e["BAIDUCLOUD_ACCESS_KEY"],
        json["access_key_id"].as_str().unwrap()
    );
    assert_eq!(
        e["BAIDUCLOUD_SECRET_KEY"],
        json["secret_access_key"].as_str().unwrap()
    );

    // Secrets are masked in CI, the base URL is not.
    home.write_config(&base);
    set_keys(&home, "key", "preset = \"openai\"");
    let out = home
        .cmd(&["env", "key", "--format", "github"])
        .env("GITHUB_ENV", home.path().join("gh"))
        .output()
        .unwrap();
    let masks = String::from_utf8(out.stdout).unwrap();
    assert!(masks.contains(&format!("::add-mask::{KEY}")), "{masks}");
    assert!(!masks.contains("::add-mask::http"), "{masks}");
}

#[test]
fn env_wins_over_a_preset_and_unset_clears_its_names() {
    let home = home();
    set_keys(&home, "key", "preset = \"openai\"");
    let mut text = home.read_config();
    text.push_str("\n[profiles.key.env]\nOPENAI_BASE_URL = \"https://proxy.example/v2\"\n");
    home.write_config(&text);
    let e = env(&home, "key");
    assert_eq!(e["OPENAI_BASE_URL"], "https://proxy.example/v2");
    assert_eq!(e["OPENAI_API_KEY"], KEY);
    let unset = home.ok(&["env", "key", "--unset"]);
    assert!(unset.contains("OPENAI_API_KEY"), "{unset}");
}

#[test]
fn a_preset_on_a_grant_it_does_not_fit_is_refused_at_load() {
    let home = home();
    let base = home.read_config();
    for (profile, preset) in [
        ("ai", "openai"),
        ("st", "appbuilder"),
        ("qf", "terraform"),
        ("key", "bce-cli"),
        ("ai", "terraform"),
    ] {
        home.write_config(&base);
        set_keys(&home, profile, &format!("preset = \"{preset}\""));
        // Any command that loads the config, even one about another profile.
        let err = home.fails(&["profile", "list"], 2);
        assert!(
            err.contains(&format!("profiles.{profile}.preset")) && err.contains(preset),
            "{profile} {preset}: {err}"
        );
    }
    home.write_config(&base);
    set_keys(&home, "ai", "preset = \"chatgpt\"");
    let err = home.fails(&["token", "ai"], 2);
    assert!(err.contains("chatgpt"), "{err}");
}
