//! `broker env` formats and `broker shell-init`, run in the real shells: bash, zsh, fish
//! (and shellcheck on the bash template and the sh output).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::harness::{Home, assert_failed};

/// A token no server should send, with everything a shell could trip on: both quotes, a
/// command substitution, a backtick command, a newline, `$VAR`, a backslash, `%` (GitHub's
/// escape character), non-ASCII, and a trailing quote.
pub const HOSTILE: &str =
    "121.a'b\"c$(touch PWNED)`touch PWNED2`\nline2 $HOME ${HOME} \\ %0A %25 ::x:: é 令牌\t'";

/// The shells a test runs in; missing ones fail loudly (scripts/test.sh installs them).
pub fn shell(home: &Home, shell: &str, script: &str) -> Output {
    shell_with(home, shell, script, &[])
}

pub fn shell_with(home: &Home, shell: &str, script: &str, env: &[(&str, &str)]) -> Output {
    shell_command(home, shell, script)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("`{shell}` must be installed (scripts/test.sh does): {e}"))
}

/// `SHELL -c SCRIPT` with no startup files, the broker binary first on PATH, HOME the test
/// home, and nothing else of the caller's environment.
pub fn shell_command(home: &Home, shell: &str, script: &str) -> Command {
    let bin = assert_cmd::cargo::cargo_bin("broker");
    let dir = bin.parent().expect("the binary's folder");
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new(shell);
    match shell {
        "fish" => cmd.args(["--no-config", "-c", script]),
        "zsh" => cmd.args(["-f", "-c", script]),
        _ => cmd.args(["--norc", "--noprofile", "-c", script]),
    };
    cmd.env_clear()
        .env("PATH", path)
        .env("HOME", home.path())
        .env("LANG", "C.UTF-8")
        .current_dir(home.path())
        .stdin(Stdio::null());
    cmd
}

pub fn ok_shell(home: &Home, sh: &str, script: &str) -> String {
    let out = shell(home, sh, script);
    assert!(
        out.status.success(),
        "{sh} failed ({:?}): {}\nstdout: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Replaces the stored access token of `profile` with `token`, as a server could have sent
/// it: decrypt with the reference `age`, edit the JSON, encrypt again to the home's recipient.
pub fn set_token(home: &Home, profile: &str, token: &str) {
    let mut state = home.state_json(profile);
    state["access_token"] = serde_json::Value::String(token.to_owned());
    let recipient = home.ok(&["init"]).trim().to_owned();
    let mut child = Command::new("age")
        .args(["-r", &recipient, "-o"])
        .arg(home.state_file(profile))
        .stdin(Stdio::piped())
        .spawn()
        .expect("age");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(state.to_string().as_bytes())
        .expect("write");
    assert!(child.wait().expect("age runs").success());
}

/// An `ai` profile with a token, an `[env]` table, and the hostile token stored.
fn hostile_home() -> Home {
    let home = Home::with_emulator();
    home.add("p", "ai");
    add_env(
        &home,
        "p",
        &[
            ("PAN_TOKEN", "Bearer {access_token}"),
            ("MULTI", "one\ntwo '{profile}' {{braces}}"),
        ],
    );
    home.ok(&["token", "p"]);
    set_token(&home, "p", HOSTILE);
    home
}

/// Appends a `[profiles.NAME.env]` table to the config.
pub fn add_env(home: &Home, profile: &str, vars: &[(&str, &str)]) {
    let mut text = home.read_config();
    text.push_str(&format!("\n[profiles.{profile}.env]\n"));
    for (k, v) in vars {
        text.push_str(&format!("{k} = {}\n", toml_string(v)));
    }
    home.write_config(&text);
}

fn toml_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn no_pwned(home: &Home) {
    for f in ["PWNED", "PWNED2"] {
        assert!(
            !home.path().join(f).exists(),
            "evaluating the output ran a command ({f} was created)"
        );
    }
}

fn read(home: &Home, name: &str) -> String {
    std::fs::read_to_string(home.path().join(name)).expect("the shell wrote the file")
}

#[test]
fn a_hostile_token_is_exported_exactly_in_bash_zsh_and_fish() {
    let home = hostile_home();
    let posix = r#"set -eu
eval "$(broker env p)"
printf '%s' "$BAIDU_ACCESS_TOKEN" > token.out
printf '%s' "$PAN_TOKEN" > pan.out
printf '%s' "$MULTI" > multi.out
"#;
    let fish = r#"broker env p --format fish | source
printf '%s' "$BAIDU_ACCESS_TOKEN" > token.out
printf '%s' "$PAN_TOKEN" > pan.out
printf '%s' "$MULTI" > multi.out
"#;
    for (sh, script) in [("bash", posix), ("zsh", posix), ("fish", fish)] {
        ok_shell(&home, sh, script);
        assert_eq!(read(&home, "token.out"), HOSTILE, "{sh}");
        assert_eq!(read(&home, "pan.out"), format!("Bearer {HOSTILE}"), "{sh}");
        assert_eq!(read(&home, "multi.out"), "one\ntwo 'p' {braces}", "{sh}");
        no_pwned(&home);
    }
}

#[test]
fn zsh_with_rc_quotes_reads_the_sh_format_the_same() {
    let home = hostile_home();
    ok_shell(
        &home,
        "zsh",
        "setopt rcquotes; eval \"$(broker env p)\"; printf '%s' \"$BAIDU_ACCESS_TOKEN\" > token.out",
    );
    assert_eq!(read(&home, "token.out"), HOSTILE);
    no_pwned(&home);
}

#[test]
fn json_and_dotenv_round_trip_a_hostile_token() {
    let home = hostile_home();
    let json: serde_json::Value =
        serde_json::from_str(&home.ok(&["env", "p", "--format", "json"])).expect("JSON");
    assert_eq!(json["BAIDU_ACCESS_TOKEN"], HOSTILE);
    assert_eq!(json["PAN_TOKEN"], format!("Bearer {HOSTILE}"));
    assert_eq!(json["BROKER_PROFILE"], "p");
    assert!(
        json.get("BROKER_STAMP").is_none(),
        "bookkeeping is for shells only"
    );
    assert_eq!(
        home.ok(&["env", "p", "--json"]),
        home.ok(&["env", "p", "--format", "json"])
    );

    // `${HOME}` is expanded by python-dotenv however it is quoted: refused, not mangled.
    let out = home
        .cmd(&["env", "p", "--format", "dotenv"])
        .output()
        .unwrap();
    assert_failed(&out, 2, "dotenv of a token holding `${HOME}`");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("BAIDU_ACCESS_TOKEN"), "{stderr}");
    assert!(out.stdout.is_empty(), "a partial dotenv was printed");
}

/// The Python of the test venv (scripts/test.sh makes it, with tests/requirements.txt), or
/// `None` with the reason printed where a passing test's output is still seen. In CI a
/// missing venv is a failure, never a skip.
pub fn test_python(why: &str) -> Option<String> {
    match std::env::var("BROKER_TEST_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ if std::env::var_os("CI").is_some() => panic!(
            "BROKER_TEST_PYTHON is not set, so {why} cannot run: run the tests with scripts/test.sh, which makes target/venv from tests/requirements.txt"
        ),
        _ => {
            // Straight to the process's stderr: `eprintln!` is captured for a passing test.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {why}: BROKER_TEST_PYTHON is not set (run scripts/test.sh, which makes target/venv)"
            );
            None
        }
    }
}

/// What python-dotenv's `dotenv_values` (interpolation on, as by default) reads from a file.
fn python_dotenv(python: &str, home: &Home, text: &str) -> serde_json::Value {
    let file = home.path().join("read.env");
    std::fs::write(&file, text).expect("write");
    let out = Command::new(python)
        .args([
            "-c",
            "import json, sys\nfrom dotenv import dotenv_values\nprint(json.dumps(dotenv_values(sys.argv[1])))",
        ])
        .arg(&file)
        .env("HOME", "/interpolated-home")
        .env("X", "interpolated-x")
        .output()
        .expect("the test venv's python runs");
    assert!(
        out.status.success(),
        "python-dotenv: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from python")
}

#[test]
fn dotenv_values_read_back_exactly_in_python_dotenv() {
    let Some(python) = test_python("the dotenv format's python-dotenv round trip") else {
        return;
    };
    let home = Home::with_emulator();
    home.add("p", "ai");
    home.ok(&["token", "p"]);
    for value in [
        "121.plain-token_value",
        "it's",
        "'",
        "\"",
        "ends with a backslash \\",
        "both quotes ' \" a backslash \\ and a # hash `id` \\n\nline\ttab",
        "cr\r\nlf é 令牌 \u{1b}[31m",
        "dollars $HOME $X $(id) `id` #x",
        "a quote ' and a dollar $X and a newline\nand `id`",
        "$",
        " spaced #not a comment ",
        "",
    ] {
        set_token(&home, "p", value);
        let text = home.ok(&["env", "p", "--format", "dotenv"]);
        let read = python_dotenv(&python, &home, &text);
        assert_eq!(
            read["BAIDU_ACCESS_TOKEN"].as_str(),
            Some(value),
            "{value:?} written as {text:?}"
        );
        assert_eq!(read["BROKER_PROFILE"], "p", "{text:?}");
    }
    // No quoting makes these read back in both python-dotenv and docker compose: refused.
    for value in ["${HOME}", "$X and ' and \\", "a $X and a \r"] {
        set_token(&home, "p", value);
        let out = home
            .cmd(&["env", "p", "--format", "dotenv"])
            .output()
            .unwrap();
        assert_failed(&out, 2, value);
    }
}

#[test]
fn the_github_format_masks_the_token_and_parses_back_exactly() {
    let home = hostile_home();
    let env_file = home.path().join("github_env");
    std::fs::write(&env_file, "EARLIER=kept\n").expect("write");
    let out = home
        .cmd(&["env", "p", "--format", "github"])
        .env("GITHUB_ENV", &env_file)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    // Every stdout line is a workflow command; the token never appears unescaped.
    assert!(
        stdout.lines().all(|l| l.starts_with("::add-mask::")),
        "{stdout}"
    );
    let masks: Vec<String> = stdout
        .lines()
        .map(|l| unescape_workflow(&l["::add-mask::".len()..]))
        .collect();
    assert!(masks.contains(&HOSTILE.to_owned()), "{masks:?}");
    for line in HOSTILE.split('\n') {
        assert!(masks.contains(&line.to_owned()), "line {line:?} not masked");
    }
    assert!(
        !masks.contains(&"p".to_owned()),
        "the profile name is not a secret"
    );

    let text = std::fs::read_to_string(&env_file).expect("GITHUB_ENV");
    assert!(text.starts_with("EARLIER=kept\n"), "appended, not replaced");
    let vars = parse_github_env(&text);
    assert_eq!(vars["BAIDU_ACCESS_TOKEN"], HOSTILE);
    assert_eq!(vars["PAN_TOKEN"], format!("Bearer {HOSTILE}"));
    assert_eq!(vars["MULTI"], "one\ntwo 'p' {braces}");
    assert_eq!(vars["EARLIER"], "kept");

    // Without the runner's file there is nowhere to write.
    let err = home.fails(&["env", "p", "--format", "github"], 2);
    assert!(err.contains("GITHUB_ENV"), "{err}");
}

fn unescape_workflow(s: &str) -> String {
    s.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
}

/// What the Actions runner does with `$GITHUB_ENV`: `NAME=VALUE` lines, or `NAME<<DELIM`,
/// then lines up to one equal to DELIM, joined with `\n`.
fn parse_github_env(text: &str) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        if let Some((name, delim)) = line.split_once("<<") {
            let mut value: Vec<&str> = Vec::new();
            loop {
                let l = lines.next().expect("the delimiter closes the value");
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.insert(name.to_owned(), value.join("\n"));
        } else {
            let (name, value) = line.split_once('=').expect("NAME=VALUE");
            out.insert(name.to_owned(), value.to_owned());
        }
    }
    out
}

#[test]
fn env_unset_clears_what_the_last_export_set() {
    let home = hostile_home();
    let script = r#"set -eu
eval "$(broker env p)"
[ -n "${PAN_TOKEN-}" ]
eval "$(broker env --unset)"
echo "${BAIDU_ACCESS_TOKEN-unset} ${PAN_TOKEN-unset} ${MULTI-unset} ${BROKER_PROFILE-unset} ${BROKER_STAMP-unset}"
"#;
    for sh in ["bash", "zsh"] {
        assert_eq!(
            ok_shell(&home, sh, script),
            "unset unset unset unset unset\n",
            "{sh}"
        );
    }
    let fish = r#"broker env p --format fish | source
broker env --unset --format fish | source
echo (set -q PAN_TOKEN; and echo set; or echo unset) (set -q BAIDU_ACCESS_TOKEN; and echo set; or echo unset)
"#;
    assert_eq!(ok_shell(&home, "fish", fish), "unset unset\n");
    // Names from the environment are checked before they are printed.
    let out = home
        .cmd(&["env", "--unset"])
        .env("BROKER_EXPORTED", "GOOD $(touch PWNED) ;rm")
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains(" GOOD"), "{text}");
    assert!(!text.contains("PWNED") && !text.contains("rm"), "{text}");
}

#[test]
fn an_unknown_placeholder_is_a_config_error_before_any_network() {
    let home = Home::with_emulator();
    home.add("p", "ai");
    add_env(&home, "p", &[("X", "{acces_token}")]);
    home.emu().reset_counters();
    let err = home.fails(&["env", "p"], 2);
    assert!(err.contains("unknown placeholder `{acces_token}`"), "{err}");
    assert!(err.contains("profiles.p.env.X"), "{err}");
    assert!(err.contains("hint: placeholders: {access_token}"), "{err}");
    assert_eq!(home.emu().counters().requests, 0);
}

#[test]
fn the_secret_key_is_exported_only_where_a_template_asks_for_it() {
    let home = Home::with_emulator();
    home.add("p", "ai");
    let json: serde_json::Value =
        serde_json::from_str(&home.ok(&["env", "p", "--json"])).expect("JSON");
    let text = json.to_string();
    assert!(!text.contains(crate::harness::SECRET), "{text}");
    add_env(&home, "p", &[("SK", "{secret_key}")]);
    let json: serde_json::Value =
        serde_json::from_str(&home.ok(&["env", "p", "--json"])).expect("JSON");
    assert_eq!(json["SK"], crate::harness::SECRET);
}

/// Loads the integration, switches to `p` then to `q`, printing what the shell sees.
const SWITCH_POSIX: &str = r#"set -euo pipefail
eval "$(broker shell-init SHELL)"
eval "$(broker shell-init SHELL)"
broker use p 2>/dev/null
echo "1 $BROKER_PROFILE ${PAN_TOKEN:+pan} ${BAIDU_ACCESS_TOKEN:+token}"
[ "$BAIDU_ACCESS_TOKEN" = "$(command broker token p)" ]
broker use q 2>/dev/null
echo "2 $BROKER_PROFILE ${PAN_TOKEN:-no-pan} ${BAIDU_ACCESS_TOKEN:+token}"
[ "$BAIDU_ACCESS_TOKEN" = "$(command broker token q)" ]
broker use --shell p 2>/dev/null
echo "3 $BROKER_PROFILE ${PAN_TOKEN:+pan}"
if broker use nope 2>/dev/null; then echo "unknown profile accepted"; fi
echo "4 $BROKER_PROFILE"
"#;

const SWITCH_FISH: &str = r#"broker shell-init fish | source
broker shell-init fish | source
broker use p 2>/dev/null
echo 1 $BROKER_PROFILE (set -q PAN_TOKEN; and echo pan) (set -q BAIDU_ACCESS_TOKEN; and echo token)
test "$BAIDU_ACCESS_TOKEN" = (command broker token p); or echo "wrong token"
broker use q 2>/dev/null
echo 2 $BROKER_PROFILE (set -q PAN_TOKEN; and echo pan; or echo no-pan) (set -q BAIDU_ACCESS_TOKEN; and echo token)
test "$BAIDU_ACCESS_TOKEN" = (command broker token q); or echo "wrong token"
broker use --shell p 2>/dev/null
echo 3 $BROKER_PROFILE (set -q PAN_TOKEN; and echo pan)
if broker use nope 2>/dev/null; echo "unknown profile accepted"; end
echo 4 $BROKER_PROFILE
"#;

fn two_profiles() -> Home {
    let home = Home::with_emulator();
    home.add("p", "ai");
    home.add("q", "bce");
    add_env(&home, "p", &[("PAN_TOKEN", "{access_token}")]);
    home
}

#[test]
fn broker_use_switches_bash_zsh_and_fish_and_clears_the_previous_profile() {
    let home = two_profiles();
    let want = "1 p pan token\n2 q no-pan token\n3 p pan\n4 p\n";
    for sh in ["bash", "zsh"] {
        let script = SWITCH_POSIX.replace("SHELL", sh);
        assert_eq!(ok_shell(&home, sh, &script), want, "{sh}");
    }
    assert_eq!(ok_shell(&home, "fish", SWITCH_FISH), want, "fish");
    // `--shell` left the default alone: the last plain `use` chose q.
    assert_eq!(home.ok(&["current"]), "q\n");
}

#[test]
fn broker_use_without_the_integration_only_sets_the_default() {
    let home = two_profiles();
    assert_eq!(home.ok(&["use", "p"]), "", "no assignments on stdout");
    assert_eq!(home.ok(&["current"]), "p\n");
    let err = home.fails(&["use", "--shell", "q"], 2);
    assert!(err.contains("shell integration"), "{err}");
    assert!(err.contains("shell-init"), "{err}");
    assert_eq!(home.ok(&["current"]), "p\n");
}

#[test]
fn a_failed_switch_changes_nothing() {
    let home = Home::with_emulator();
    home.add("p", "ai");
    home.add("nd", "netdisk");
    let script = r#"eval "$(broker shell-init bash)"
broker use p 2>/dev/null
broker use nd 2>/dev/null
echo "rc=$? $BROKER_PROFILE"
"#;
    assert_eq!(ok_shell(&home, "bash", script), "rc=3 p\n");
    assert_eq!(home.ok(&["current"]), "p\n");
}

#[test]
fn help_through_the_wrapper_is_printed_not_evaluated() {
    let home = two_profiles();
    let out = ok_shell(
        &home,
        "bash",
        "set -eu; eval \"$(broker shell-init bash)\"; broker use --help; broker -q use p; echo \"[$BROKER_PROFILE]\"",
    );
    assert!(out.contains("Usage: broker use"), "{out}");
    assert!(out.ends_with("[p]\n"), "{out}");
}

#[test]
fn the_prompt_hook_re_exports_after_a_rotation_elsewhere_and_never_decrypts_otherwise() {
    let home = two_profiles();
    for (sh, init) in [
        ("bash", "eval \"$(broker shell-init bash)\""),
        ("zsh", "eval \"$(broker shell-init zsh)\""),
    ] {
        // The broken identity is put together in the shell: spelled out, it would stand in this
        // shell's command line, where the leak sweep (leaks.rs), running alongside, looks for
        // identities in every process's.
        let script = format!(
            r#"set -euo pipefail
{init}
broker use p 2>/dev/null
before="$BAIDU_ACCESS_TOKEN"
__broker_hook
[ "$BAIDU_ACCESS_TOKEN" = "$before" ]
k=AGE-SECRET-KEY
[ -z "$(CI=true BROKER_AGE_KEY="$k-1BROKEN" command broker env --if-changed)" ]
command broker refresh p --force 2>/dev/null
__broker_hook
[ "$BAIDU_ACCESS_TOKEN" != "$before" ]
[ "$BAIDU_ACCESS_TOKEN" = "$(command broker token p)" ]
[ "$PAN_TOKEN" = "$BAIDU_ACCESS_TOKEN" ]
echo ok
"#
        );
        assert_eq!(ok_shell(&home, sh, &script), "ok\n", "{sh}");
    }
    let fish = r#"broker shell-init fish | source
broker use p 2>/dev/null
set before $BAIDU_ACCESS_TOKEN
__broker_hook
test "$BAIDU_ACCESS_TOKEN" = "$before"; or echo "changed without a rotation"
command broker refresh p --force 2>/dev/null
__broker_hook
test "$BAIDU_ACCESS_TOKEN" != "$before"; or echo "not re-exported"
test "$BAIDU_ACCESS_TOKEN" = (command broker token p); or echo "not the stored token"
echo ok
"#;
    assert_eq!(ok_shell(&home, "fish", fish), "ok\n");
}

#[test]
fn the_bash_prompt_hook_keeps_the_exit_status_and_other_hooks() {
    let home = two_profiles();
    let script = r#"PROMPT_COMMAND='other_hook'
eval "$(broker shell-init bash)"
eval "$(broker shell-init bash)"
echo "$PROMPT_COMMAND"
broker use p 2>/dev/null
(exit 7)
__broker_hook
echo "status $?"
"#;
    assert_eq!(
        ok_shell(&home, "bash", script),
        "__broker_hook;other_hook\nstatus 7\n"
    );
}

#[test]
fn current_explain_warns_when_the_exported_token_was_rotated() {
    let home = two_profiles();
    let script = r#"eval "$(broker shell-init bash)"
broker use p 2>/dev/null
broker current --explain 2>&1
command broker refresh p --force 2>/dev/null
broker current --explain 2>&1
broker current --explain --json
"#;
    let out = ok_shell(&home, "bash", &format!("PROMPT_COMMAND=; {script}"));
    let mut parts = out.split("chosen by `BROKER_PROFILE` in the environment\n");
    assert_eq!(parts.next(), Some("p\n"));
    let second = parts.next().expect("two explanations");
    assert!(
        !second.contains("warning"),
        "no warning while current: {out}"
    );
    let third = parts.next().expect("two explanations");
    assert!(
        third.contains(
            "warning: `BAIDU_ACCESS_TOKEN` in this environment is not the stored token of `p`"
        ),
        "{out}"
    );
    assert!(third.contains("hint: run `broker use p`"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(third.lines().last().expect("json")).expect("JSON");
    assert_eq!(json["environment"], "stale");
    assert_eq!(json["source"], "environment");
}

#[test]
fn shellcheck_passes_on_the_bash_template_and_the_sh_output() {
    let home = hostile_home();
    // SC2016 ("expressions don't expand in single quotes") describes exactly what the
    // quoting is for; every other finding, down to style, fails the test.
    let inputs: Vec<(String, &[&str])> = vec![
        (home.ok(&["shell-init", "bash"]), &["-s", "bash"]),
        (
            home.ok(&["shell-init", "bash", "--hook", "none"]),
            &["-s", "bash"],
        ),
        (home.ok(&["env", "p"]), &["-s", "sh", "-e", "SC2016"]),
        (home.ok(&["env", "--unset"]), &["-s", "sh"]),
        (home.ok(&["env", "p", "--unset"]), &["-s", "sh"]),
    ];
    for (text, flags) in inputs {
        let mut child = Command::new("shellcheck")
            .args(flags)
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("shellcheck must be installed (scripts/test.sh does)");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("shellcheck runs");
        assert!(
            out.status.success(),
            "shellcheck {flags:?}:\n{}\n--- input:\n{text}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn every_template_loads_twice_and_under_strict_mode() {
    let home = Home::new();
    for hook in ["prompt", "none"] {
        for sh in ["bash", "zsh"] {
            let script = format!(
                "set -euo pipefail; eval \"$(broker shell-init {sh} --hook {hook})\"; eval \"$(broker shell-init {sh} --hook {hook})\"; type broker >/dev/null; echo loaded"
            );
            assert_eq!(ok_shell(&home, sh, &script), "loaded\n", "{sh} {hook}");
        }
        let script = format!(
            "broker shell-init fish --hook {hook} | source; broker shell-init fish --hook {hook} | source; functions -q broker; and echo loaded"
        );
        assert_eq!(ok_shell(&home, "fish", &script), "loaded\n", "fish {hook}");
    }
    // PowerShell is generated but no pwsh runs it here; at least it is the expected template.
    let ps = home.ok(&["shell-init", "powershell"]);
    assert!(ps.contains("function global:broker"), "{ps}");
    assert!(ps.contains("BROKER_SHELL = 'powershell'"), "{ps}");
}

/// What each shell offers for the command line `line` (its last word being completed), with
/// `broker completions SHELL` loaded: bash and fish through their own completion entry points;
/// zsh through the completion function, with compsys's `_describe` standing in to print.
fn complete_in(home: &Home, sh: &str, line: &str) -> Vec<String> {
    let script = match sh {
        "bash" => format!(
            r#"source <(broker completions bash)
COMP_LINE={line:?}; COMP_POINT=${{#COMP_LINE}}; COMP_TYPE=9
read -r -a COMP_WORDS <<< "$COMP_LINE"; [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
_clap_complete_broker broker "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#
        ),
        "zsh" => format!(
            r#"compdef() {{ :; }}
_describe() {{ local name=${{@[-1]}}; print -rl -- "${{(@P)name}}"; }}
source <(broker completions zsh)
words=(${{(z)${{:-{line:?}}}}}); [[ {line:?} == *" " ]] && words+=("")
CURRENT=${{#words}}
_clap_dynamic_completer_broker"#
        ),
        _ => format!("broker completions fish | source; complete -C {line:?}"),
    };
    ok_shell(home, sh, &script)
        .lines()
        .map(|l| l.split(['\t', ':']).next().unwrap_or_default().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Regression: completions knew the subcommands and flags but never a profile name.
#[test]
fn completions_offer_profile_names_in_bash_zsh_and_fish() {
    let home = Home::init();
    home.add_offline("ai-prod", "ai", "sk");
    home.add_offline("netdisk-dev", "netdisk", "sk");
    // Completing decrypts nothing: it works without the identity.
    std::fs::remove_file(home.identity()).unwrap();
    for sh in ["bash", "zsh", "fish"] {
        for (line, want) in [
            ("broker use ", &["ai-prod", "netdisk-dev"][..]),
            ("broker token net", &["netdisk-dev"]),
            ("broker -p ", &["ai-prod", "netdisk-dev"]),
            ("broker exec a", &["ai-prod"]),
            ("broker profile show ", &["ai-prod", "netdisk-dev"]),
        ] {
            // Flags are offered beside the names (bash even on an empty word): not counted.
            let mut got = complete_in(&home, sh, line);
            got.retain(|c| !c.starts_with('-'));
            assert_eq!(got, want, "{sh}: `{line}`");
        }
        // Subcommands still complete as before.
        // (`sta` is also `state` now.)
        let got = complete_in(&home, sh, "broker statu");
        assert_eq!(got, ["status"], "{sh}");
    }
}

#[test]
fn completions_and_the_man_page_come_from_the_clap_definition() {
    let home = Home::new();
    for sh in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = home.ok(&["completions", sh]);
        assert!(out.contains("BROKER_COMPLETE"), "{sh}: {out}");
    }
    // The bash completions load in bash.
    let script = "source <(broker completions bash); complete -p broker";
    assert!(ok_shell(&home, "bash", script).contains("broker"));
    let man = home.ok(&["man"]);
    assert!(man.starts_with(".ie \\n(.g .ds Aq"), "{}", &man[..80]);
    assert!(man.contains("shell\\-init"), "the subcommands are listed");
    let dir = home.path().join("man");
    home.ok(&["man", "--dir", dir.to_str().expect("utf-8 path")]);
    assert!(Path::new(&dir).join("broker.1").exists());
    assert!(Path::new(&dir).join("broker-env.1").exists());
}

/// Regression (review): completion read the config with a plain read, so a FIFO config hung
/// the shell at every TAB. It now gets the config's guarded read, and completes nothing.
#[test]
fn completing_with_a_fifo_config_neither_hangs_nor_prints() {
    let home = Home::new();
    let fifo = home.path().join("cfg");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = home
        .cmd(&["--", "broker", "token", ""])
        .env("BROKER_CONFIG", &fifo)
        .env("BROKER_COMPLETE", "bash")
        .env("_CLAP_IFS", "\u{b}")
        .env("_CLAP_COMPLETE_INDEX", "2")
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .env("_CLAP_COMPLETE_SPACE", "false")
        .timeout(std::time::Duration::from_secs(5))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown
            .split('\u{b}')
            .all(|c| c.is_empty() || c.starts_with('-')),
        "{shown:?}"
    );
    assert!(out.stderr.is_empty(), "{out:?}");
}
