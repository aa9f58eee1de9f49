//! CI: no terminal, `CI=true`, a config committed to a repository and the identity in
//! `BROKER_AGE_KEY`. Nothing prompts; failures are fast and say what to set.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{APP_KEY, Home, SECRET, assert_failed};

/// Runs broker as a CI job would: `CI=true`, stdin closed, no terminal anywhere.
fn ci(home: &Home, args: &[&str]) -> (std::process::Output, Duration) {
    let start = Instant::now();
    let out = home
        .std_cmd(args)
        .env("CI", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    (out, start.elapsed())
}

#[test]
fn no_identity_fails_fast_with_exit_6_naming_broker_age_key() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    std::fs::remove_file(home.identity()).expect("remove the identity");
    for args in [
        &["token", "ai"][..],
        &["env", "ai"][..],
        &["exec", "ai", "--", "true"][..],
    ] {
        let (out, took) = ci(&home, args);
        assert_failed(&out, 6, args);
        assert!(took < Duration::from_secs(2), "{args:?} took {took:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("BROKER_AGE_KEY"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn a_netdisk_profile_never_logged_in_fails_fast_with_exit_3() {
    let home = Home::with_emulator();
    home.add("nd", "netdisk");
    for args in [
        &["token", "nd"][..],
        &["env", "nd"][..],
        &["login", "nd"][..],
    ] {
        let (out, took) = ci(&home, args);
        assert_failed(&out, 3, args);
        assert!(took < Duration::from_secs(2), "{args:?} took {took:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("hint:"),
            "{args:?}"
        );
    }
}

/// The commands docs/ci.md gives; the test fails if the page stops showing them.
const DOC_ADD: &str = "broker --config ci/profiles.toml profile add ai-ci --grant ai --app-key";
const DOC_GITHUB: &str = "broker env ai-ci --format github";
const DOC_EXEC: &str = "broker exec ai-ci -- ./scripts/call-qianfan.sh";
const DOC_EVAL: &str = "eval \"$(broker env ai-ci)\"";

/// What docs/ci.md tells a team to do: a CI identity made with `age-keygen`, a config in the
/// repository whose SecretKey is encrypted to it, and the identity given to the job as
/// `BROKER_AGE_KEY`. The job runs with `CI=true`, stdin closed, and a home with no broker
/// files at all.
#[test]
fn the_ci_recipes_work_with_a_repository_config_and_broker_age_key() {
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ci.md"),
    )
    .expect("docs/ci.md");
    for command in [DOC_ADD, DOC_GITHUB, DOC_EXEC, DOC_EVAL] {
        assert!(
            docs.contains(command),
            "docs/ci.md no longer shows `{command}`"
        );
    }

    // Setup, on a developer machine that has no CI key.
    let dev = Home::with_emulator();
    let repo = dev.path().join("repo");
    std::fs::create_dir_all(repo.join("ci")).expect("repo");
    std::fs::create_dir_all(repo.join("scripts")).expect("repo");
    let keygen = Command::new("age-keygen").output().expect("age-keygen");
    assert!(keygen.status.success());
    let key_text = String::from_utf8(keygen.stdout).expect("utf-8");
    let ci_key = key_text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .expect("a key")
        .to_owned();
    let ci_public = key_text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("a public key")
        .to_owned();
    std::fs::write(
        repo.join("ci/profiles.toml"),
        format!("[store]\nrecipients = [\"{ci_public}\"]\n"),
    )
    .expect("config");
    let mut add: Vec<&str> = DOC_ADD.split(' ').skip(1).collect();
    let endpoint = dev.emu().base_url();
    add.extend([APP_KEY, "--endpoint", &endpoint]);
    let out = dev
        .cmd(&add)
        .current_dir(&repo)
        .write_stdin(SECRET)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        repo.join("scripts/call-qianfan.sh"),
        "#!/bin/sh\nprintf '%s %s' \"$BAIDU_APP_KEY\" \"$BAIDU_ACCESS_TOKEN\" > called\n",
    )
    .expect("script");
    let script = repo.join("scripts/call-qianfan.sh");
    let mut mode = std::fs::metadata(&script).expect("script").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut mode, 0o755);
    std::fs::set_permissions(&script, mode).expect("chmod");

    // The job: a fresh home, the repository as working folder, the key from the secret store.
    let job = Home::new();
    let github_env = job.path().join("github_env");
    let run = |script: &str, with_key: bool| {
        let mut cmd = crate::shell::shell_command(&job, "bash", script);
        cmd.current_dir(&repo)
            .env("CI", "true")
            .env("BROKER_CONFIG", repo.join("ci/profiles.toml"))
            .env("GITHUB_ENV", &github_env);
        if with_key {
            cmd.env("BROKER_AGE_KEY", &ci_key);
        }
        let start = Instant::now();
        let out = cmd.output().expect("bash runs");
        (out, start.elapsed())
    };

    // GitHub: masks on stdout, variables in $GITHUB_ENV.
    let (out, _) = run(DOC_GITHUB, true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let masks = String::from_utf8(out.stdout).expect("utf-8");
    let token = masks
        .strip_prefix("::add-mask::")
        .expect("a mask first")
        .trim()
        .to_owned();
    assert!(token.starts_with("24."), "{masks}");
    let env_file = std::fs::read_to_string(&github_env).expect("GITHUB_ENV");
    assert!(env_file.contains(&format!("\n{token}\n")), "{env_file}");
    assert!(
        !job.identity().exists(),
        "the job never needed an identity file"
    );

    // exec, and eval then a command: both give the script the token.
    for script in [
        DOC_EXEC.to_owned(),
        format!("{DOC_EVAL}\n./scripts/call-qianfan.sh"),
    ] {
        let _ = std::fs::remove_file(repo.join("called"));
        let (out, _) = run(&script, true);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let called = std::fs::read_to_string(repo.join("called")).expect("the script ran");
        assert_eq!(called, format!("{APP_KEY} {token}"), "{script}");
    }

    // Without the key, the same job fails at once with exit 6 and says what to set.
    let (out, took) = run(DOC_EXEC, false);
    assert_failed(&out, 6, "no key");
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("BROKER_AGE_KEY"));
}
