//! `broker login --browser` with a real browser: headless Chromium, handed the authorize URL
//! through `$BROWSER` as a desktop would, follows the emulator's redirect to broker's
//! loopback listener and renders broker's answer page.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::harness::{Home, assert_failed};

/// Where Chromium is, or None (with the reason printed) when this machine has none and the
/// test may skip: never in CI, where scripts/test.sh installs it.
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("chromium"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed (scripts/test.sh installs it)"
        );
        eprintln!("SKIPPED: chromium is not installed; `bash scripts/test.sh` installs it");
    }
    found
}

/// A `$BROWSER` that runs headless Chromium on the URL (after `rewrite`, a sed expression)
/// and writes the page it ended on to `dom`. Chromium resolves no name at all, so it can
/// reach nothing beyond the loopback addresses it is given.
fn browser(home: &Home, chromium: &Path, rewrite: &str) -> (PathBuf, PathBuf) {
    let script = home.path().join("browser.sh");
    let dom = home.path().join("dom.html");
    let text = format!(
        r#"#!/bin/sh
url=$(printf '%s' "$1" | sed '{rewrite}')
profile=$(mktemp -d)
'{chromium}' --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' --user-data-dir="$profile" \
  --dump-dom "$url" >'{dom}.part' 2>/dev/null
rm -rf "$profile"
mv '{dom}.part' '{dom}'
"#,
        chromium = chromium.display(),
        dom = dom.display(),
    );
    std::fs::write(&script, text).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    (script, dom)
}

/// The page Chromium ended on, once it has exited.
fn rendered(dom: &Path) -> String {
    let started = Instant::now();
    while !dom.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "chromium did not finish"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read_to_string(dom).unwrap()
}

#[test]
fn browser_login_through_headless_chromium() {
    let Some(chromium) = chromium() else { return };
    let home = Home::with_emulator();
    home.add("nd", "netdisk");
    let (script, dom) = browser(&home, &chromium, "");
    home.cmd(&["login", "nd", "--browser"])
        .env("BROWSER", &script)
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    assert!(
        rendered(&dom).contains("broker is authorized"),
        "{}",
        rendered(&dom)
    );
    assert!(home.ok(&["token", "nd"]).starts_with("121."));
    assert_eq!(
        home.emu().counters().grants.get("authorization_code"),
        Some(&1)
    );
}

#[test]
fn browser_login_refuses_a_tampered_state_in_headless_chromium() {
    let Some(chromium) = chromium() else { return };
    let home = Home::with_emulator();
    home.add("nd", "netdisk");
    let (script, dom) = browser(&home, &chromium, "s/state=[^&]*/state=forged0123456789/");
    let out = home
        .cmd(&["login", "nd", "--browser"])
        .env("BROWSER", &script)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_failed(&out, 2, "a tampered state");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`state` did not match"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        rendered(&dom).contains("The state did not match"),
        "{}",
        rendered(&dom)
    );
    // The code was never exchanged.
    assert_eq!(home.emu().counters().grants.get("authorization_code"), None);
    home.fails(&["token", "nd"], 3);
}
