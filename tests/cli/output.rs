//! Output for people: aligned tables, colours only on a terminal and never with `NO_COLOR`,
//! expiry as a time and as "in 30 days"; JSON for programs.

use std::process::{Command, Stdio};

use crate::harness::Home;

fn home() -> Home {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.add("nd", "netdisk");
    home.ok(&["token", "ai"]);
    home
}

#[test]
fn status_shows_expiry_as_a_time_and_relative_and_no_colour_into_a_pipe() {
    let home = home();
    // `nd` is not logged in: exit 3, after the table.
    let out = home.cmd(&["status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(!out.contains('\x1b'), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("  PROFILE  GRANT"), "{out}");
    let ai = lines
        .iter()
        .find(|l| l.starts_with("  ai "))
        .expect("ai row");
    // `2026-07-01 12:00 UTC (in 30 days)`
    let expires = ai
        .split("  ")
        .find(|c| c.contains(" UTC (in "))
        .expect("expiry");
    assert!(expires.trim().ends_with("(in 30 days)"), "{ai}");
    let nd = lines
        .iter()
        .find(|l| l.starts_with("  nd "))
        .expect("nd row");
    assert!(nd.contains("not logged in"), "{nd}");
    // Columns line up in characters (the masked app key holds a multi-byte `…`).
    let chars = |s: &str, at: &str| s[..s.find(at).expect("cell")].chars().count();
    assert_eq!(chars(lines[0], "STATE"), chars(ai, " ok ") + 1, "{out}");
    assert_eq!(chars(lines[0], "EXPIRES"), chars(ai, "20"), "{out}");

    let out = home.cmd(&["status", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let ai = &json.as_array().expect("array")[0];
    assert!(ai["expires_at"].as_str().expect("time").ends_with('Z'));
    assert_eq!(ai["expires"], "in 30 days");
}

/// Runs `broker ARGS` with stdout on a pseudo-terminal (util-linux `script`).
fn on_a_terminal(home: &Home, args: &str, no_color: bool) -> String {
    let bin = assert_cmd::cargo::cargo_bin("broker");
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("TERM", "xterm")
        .current_dir(home.path())
        .stdin(Stdio::null());
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd
        .output()
        .expect("`script` (util-linux) must be installed");
    // `status` exits 3 here (`nd` is not logged in); what matters is what it printed.
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn tables_are_coloured_on_a_terminal_unless_no_color() {
    let home = home();
    for args in ["status", "profile list"] {
        let coloured = on_a_terminal(&home, args, false);
        assert!(coloured.contains("\x1b[1m"), "{args}: {coloured:?}");
        let plain = on_a_terminal(&home, args, true);
        assert!(!plain.contains('\x1b'), "{args}: {plain:?}");
    }
    let status = on_a_terminal(&home, "status", false);
    assert!(status.contains("\x1b[32mok\x1b[0m"), "{status:?}");
}

#[test]
fn profile_list_marks_the_profile_in_force_and_has_json() {
    let home = home();
    home.ok(&["use", "nd"]);
    let out = home.ok(&["profile", "list"]);
    assert!(out.lines().any(|l| l.starts_with("* nd ")), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&home.ok(&["profile", "list", "--json"])).expect("JSON");
    let nd = json
        .as_array()
        .expect("array")
        .iter()
        .find(|p| p["name"] == "nd")
        .expect("nd");
    assert_eq!(nd["in_force"], true);
    let current: serde_json::Value =
        serde_json::from_str(&home.ok(&["current", "--json"])).expect("JSON");
    assert_eq!(current["profile"], "nd");
    assert_eq!(current["source"], "use");
}
