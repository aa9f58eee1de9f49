//! README.md's "Try it with no Baidu account" block must run as written: it is a newcomer's
//! first contact, so it is run here in bash, with only the emulator's port changed.

use crate::harness::Home;

fn readme_block() -> String {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("### Try it with no Baidu account")
        .nth(1)
        .expect("README has the emulator section");
    let body = section.split("```sh\n").nth(1).expect("a sh block");
    body.split("\n```").next().unwrap().to_string()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn the_readme_emulator_walkthrough_runs_as_written() {
    let home = Home::new();
    let script = readme_block().replace("8700", &free_port().to_string());
    let bin = assert_cmd::cargo::cargo_bin("broker");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // -e: every line must succeed; the emulator needs a moment to bind before `init` is done.
    let full = format!("set -euo pipefail\n{script}\nwait\n");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(&full)
        .env_clear()
        .env("PATH", path)
        .env("HOME", home.path())
        .env("LANG", "C.UTF-8")
        .current_dir(home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{full}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    // stdout: the ai token, the netdisk token, then the status table.
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() > 2, "{stdout}");
    for token in &lines[..2] {
        assert!(
            token.len() > 20 && !token.contains(' '),
            "a token expected, got {token:?} in:\n{stdout}"
        );
    }
    assert!(stderr.contains("netdisk-dev"), "{stderr}");
}

/// Users never see the project's internal notes: no doc may cite them, and every relative
/// link between docs must lead to a file that exists.
#[test]
fn the_docs_stand_on_their_own() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md"), root.join("README.zh-CN.md")];
    // The translations (docs/zh-CN) stand on their own too.
    for folder in ["docs", "docs/zh-CN"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                pages.push(path);
            }
        }
    }
    let mut problems = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for cited in ["SPEC", "baidu-oauth", "../shared", "STYLE.md"] {
            if text.contains(cited) {
                problems.push(format!("{} cites {cited}", page.display()));
            }
        }
        for link in text.split("](").skip(1) {
            let target = link.split(')').next().unwrap_or_default();
            let file = target.split('#').next().unwrap_or_default();
            if file.is_empty() || file.contains("://") || file.starts_with("mailto:") {
                continue;
            }
            if !page.parent().unwrap().join(file).exists() {
                problems.push(format!("{} links to missing {file}", page.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
