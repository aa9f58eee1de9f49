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
}
