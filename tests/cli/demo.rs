//! `broker demo`, the main job offline: the whole tour must run green on a fresh machine.

use crate::harness::Home;

#[test]
fn the_demo_tours_every_grant_offline() {
    let home = Home::new();
    let out = home
        .cmd(&["demo"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for expected in [
        "$ broker token ai-demo",
        "$ broker token qianfan-demo",
        "logged in `netdisk-demo`",
        "rotated",
        "0 with a secret in the URL, 0 reuses",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(out.stdout.is_empty(), "the demo wrote to stdout");
    assert!(
        stderr.contains("--description 'AI Open Platform app'"),
        "an echoed argument with spaces must be quoted so it can be pasted:\n{stderr}"
    );
    assert!(
        !stderr.contains("age -d -i /"),
        "without --keep the tour must not point at files it then removes:\n{stderr}"
    );
}

#[test]
fn demo_keep_leaves_the_files_its_last_hint_points_at() {
    let home = Home::new();
    let out = home
        .cmd(&["demo", "--keep"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("age -d -i "))
        .unwrap_or_else(|| panic!("no age hint in:\n{stderr}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "-i").unwrap();
    let identity = words[at + 1].trim_matches('\'');
    let state = words[at + 2].trim_matches('\'');
    let decrypted = std::process::Command::new("age")
        .args(["-d", "-i", identity, state])
        .output()
        .expect("the reference age tool (scripts/test.sh installs it)");
    assert!(
        decrypted.status.success(),
        "{}",
        String::from_utf8_lossy(&decrypted.stderr)
    );
    assert!(String::from_utf8_lossy(&decrypted.stdout).contains("refresh_token"));
    let kept = std::path::Path::new(identity).ancestors().nth(3).unwrap();
    assert!(
        kept.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("broker-demo-")
    );
    std::fs::remove_dir_all(kept).unwrap();
}
