//! The languages broker speaks: every error of the bad-input matrix in English (`LANG=C`)
//! and in Simplified Chinese (`LANG=zh_CN.UTF-8`), with the same exit code; and data (the
//! token on stdout, `--json`) the same in both.

use broker_emulator::{Fault, FaultKind};

use crate::harness::Home;

const EN: &str = "C.UTF-8";
const ZH: &str = "zh_CN.UTF-8";
const TOKEN_PATH: &str = "/oauth/2.0/token";

/// `broker ARGS` with `LANG=lang`: exit code, stdout, stderr (the home's path as `$HOME`,
/// the emulator's port as `PORT`).
fn run(home: &Home, lang: &str, args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = home
        .cmd(args)
        .env("LANG", lang)
        .write_stdin(stdin)
        .output()
        .unwrap();
    let stable = |b: &[u8]| {
        let s = String::from_utf8_lossy(b).replace(&home.path().display().to_string(), "$HOME");
        match &home.emulator {
            Some(e) => s.replace(&e.addr().to_string(), "127.0.0.1:PORT"),
            None => s,
        }
    };
    (
        out.status.code().unwrap_or(-1),
        stable(&out.stdout),
        stable(&out.stderr),
    )
}

fn han(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}'))
}

/// The words of an English line that are broker's own (not code between backticks, not
/// `facts` such as Baidu's `error_description`, shown as received): runs of at least two
/// words, which must not appear in the Chinese.
fn english_phrases(line: &str, facts: &[&str]) -> Vec<String> {
    let mut line = line.to_owned();
    for f in facts {
        line = line.replace(f, "`");
    }
    // Between any two characters that are neither ASCII letters nor spaces: runs of words.
    line.split('`')
        .step_by(2)
        .flat_map(|prose| prose.split(|c: char| !c.is_ascii_alphabetic() && c != ' '))
        .map(|piece| piece.split_whitespace().collect::<Vec<_>>())
        .filter(|words| words.len() >= 2)
        .map(|words| words.join(" "))
        .collect()
}

/// Runs `args` in both languages; asserts the exit code `code` in both, an `error:` line in
/// English and a `错误：` line in Chinese (and a `提示：` line for each `hint:` line), Chinese
/// words in every Chinese line, and none of the English sentences in the Chinese. Returns
/// both for the snapshot.
fn both(home: &Home, args: &[&str], stdin: &str, code: i32, facts: &[&str]) -> String {
    let (en_code, _, en) = run(home, EN, args, stdin);
    let (zh_code, _, zh) = run(home, ZH, args, stdin);
    assert_eq!(en_code, code, "broker {args:?} (English): {en}");
    assert_eq!(zh_code, code, "broker {args:?} (Chinese): {zh}");
    let en_lines: Vec<&str> = en.lines().collect();
    let zh_lines: Vec<&str> = zh.lines().collect();
    assert_eq!(en_lines.len(), zh_lines.len(), "{en}\n{zh}");
    assert!(en_lines[0].starts_with("error: "), "{en}");
    assert!(zh_lines[0].starts_with("错误："), "{zh}");
    for (e, z) in en_lines.iter().zip(&zh_lines) {
        if e.starts_with("hint: ") {
            assert!(z.starts_with("提示："), "{zh}");
        }
        assert!(han(z), "no Chinese in `{z}`");
        for phrase in english_phrases(e, facts) {
            assert!(
                !z.contains(&phrase),
                "English `{phrase}` in the Chinese line `{z}`"
            );
        }
    }
    format!("$ broker {}\nexit {code}\n{en}{zh}\n", args.join(" "))
}

/// The bad-input matrix, each error in both languages.
#[test]
fn bad_input_matrix_in_english_and_chinese() {
    let home = Home::with_emulator();
    let mut report = String::new();

    // An unknown profile, with and without profiles to suggest.
    report.push_str(&both(&home, &["token", "nosuch"], "", 2, &[]));
    home.add("ai", "ai");
    report.push_str(&both(&home, &["token", "aj"], "", 2, &[]));
    // An invalid profile name.
    report.push_str(&both(
        &home,
        &["profile", "add", "../x", "--grant", "ai", "--app-key", "k"],
        "sk",
        2,
        &[],
    ));
    // A Baidu endpoint that is not https.
    report.push_str(&both(
        &home,
        &[
            "profile",
            "add",
            "a",
            "--grant",
            "ai",
            "--app-key",
            "k",
            "--endpoint",
            "http://example.com",
        ],
        "sk",
        2,
        &[],
    ));
    let with_ai = home.read_config();
    // Malformed TOML (the TOML parser's own words are a fact), an unknown key (in the
    // person's language), a plaintext secret.
    for (extra, facts) in [
        ("[store\n", &["unclosed table, expected"][..]),
        (
            "[profiles.b]\ngrant = \"ai\"\napp_key = \"k\"\nscop = \"x\"\n",
            &[][..],
        ),
        (
            "[profiles.b]\ngrant = \"ai\"\napp_key = \"k\"\nsecret_key = \"plain\"\n",
            &[][..],
        ),
    ] {
        home.write_config(&format!("{with_ai}\n{extra}"));
        report.push_str(&both(&home, &["token", "b"], "", 2, facts));
    }
    home.write_config(&with_ai);

    // A wrong SecretKey: Baidu's `error_description` is shown as received.
    let url = home.emu().base_url();
    home.ok_stdin(
        &[
            "profile",
            "add",
            "badsk",
            "--grant",
            "ai",
            "--app-key",
            crate::harness::APP_KEY,
            "--endpoint",
            &url,
        ],
        "wrong",
    );
    report.push_str(&both(
        &home,
        &["token", "badsk"],
        "",
        4,
        &["Client authentication failed"],
    ));

    // A netdisk profile never logged in; then logged in, its refresh token revoked.
    home.add("nd", "netdisk");
    report.push_str(&both(&home, &["token", "nd"], "", 3, &[]));
    home.login_netdisk("nd2");
    home.emu()
        .inject_fault(Fault::new(FaultKind::ExpiredToken).on_path(TOKEN_PATH));
    let (code, _, _) = run(&home, EN, &["refresh", "nd2", "--force"], "");
    assert_eq!(code, 3);
    report.push_str(&both(
        &home,
        &["token", "nd2"],
        "",
        3,
        &["refresh token has been used"],
    ));

    // The lock held by another process past `--timeout`.
    std::fs::create_dir_all(home.state_dir().join("locks")).unwrap();
    let lock = std::fs::File::create(home.state_dir().join("locks/ai.lock")).unwrap();
    lock.lock().unwrap();
    report.push_str(&both(
        &home,
        &["--timeout", "1s", "token", "ai"],
        "",
        5,
        &[],
    ));
    drop(lock);

    // No identity.
    std::fs::remove_file(home.identity()).unwrap();
    report.push_str(&both(&home, &["token", "ai"], "", 6, &[]));
    // When the login was found needed: the clock's; where in the config: its encrypted
    // SecretKeys' armor takes a varying number of lines.
    let filters = vec![
        (r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "TIME"),
        (r"line \d+, column \d+", "line L, column C"),
        (r"第 \d+ 行第 \d+ 列", "第 L 行第 C 列"),
    ];
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!(report);
    });
}

/// Data never changes with the language: the token on stdout, `env`, and every `--json`
/// (their words too: why a profile needs a login, what the doctor found) are byte for byte
/// the same in Chinese; only stderr, for the person, is Chinese.
#[test]
fn data_is_the_same_in_both_languages() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    home.ok(&["use", "ai"]);
    home.login_netdisk("nd");
    home.emu()
        .inject_fault(Fault::new(FaultKind::ExpiredToken).on_path(TOKEN_PATH));
    let (code, _, _) = run(&home, EN, &["refresh", "nd", "--force"], "");
    assert_eq!(code, 3);
    for (args, code) in [
        (&["token", "ai"][..], 0),
        (&["token", "ai", "--json"], 0),
        (&["env", "ai"], 0),
        (&["env", "ai", "--json"], 0),
        (&["profile", "list", "--json"], 0),
        (&["profile", "show", "ai", "--json"], 0),
        (&["current", "--explain", "--json"], 0),
        (&["status", "--json"], 3),
    ] {
        let (en_code, en, en_err) = run(&home, EN, args, "");
        let (zh_code, zh, zh_err) = run(&home, ZH, args, "");
        assert_eq!(
            (en_code, zh_code),
            (code, code),
            "{args:?}: {en_err}\n{zh_err}"
        );
        assert!(!en.is_empty(), "{args:?}");
        assert_eq!(en, zh, "broker {args:?}: stdout differs with the language");
        if code != 0 {
            assert!(zh_err.starts_with("错误："), "{args:?}: {zh_err}");
            // Why each profile needs attention, in Chinese too.
            assert!(!zh_err.contains("needs login"), "{args:?}: {zh_err}");
        }
    }
    // The words in the JSON are the English ones.
    let (_, status, _) = run(&home, ZH, &["status", "nd", "--json"], "");
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let reason = status[0]["needs_login"]["reason"].as_str().unwrap();
    assert!(reason.starts_with("Baidu refused"), "{reason}");
    // The doctor's findings too, but for the endpoint's timings, which vary from run to run.
    let doctor = |lang| {
        let (code, out, err) = run(&home, lang, &["doctor", "--json"], "");
        assert_eq!(code, 3, "{err}");
        assert!(!han(&out), "{out}");
        let mut findings: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        findings.retain(|f| !matches!(f["check"].as_str(), Some("endpoint" | "clock")));
        (findings, err)
    };
    let ((en, _), (zh, zh_err)) = (doctor(EN), doctor(ZH));
    assert_eq!(en, zh);
    assert!(zh_err.starts_with("错误："), "{zh_err}");
    assert!(
        zh.iter()
            .any(|f| f["detail"].as_str().unwrap().contains("Baidu refused")),
        "{zh:?}"
    );
}

/// The man page and the descriptions the shells show beside completions are in the reader's
/// language too; in English they are exactly what they were.
#[test]
fn the_man_page_and_completion_descriptions_follow_the_language() {
    let home = Home::with_emulator();
    home.add("ai", "ai");
    let (code, en, _) = run(&home, "C", &["man"], "");
    assert_eq!(code, 0);
    assert!(!han(&en), "English man page has Chinese");
    assert!(en.contains("credential broker"), "{en}");
    let (code, zh, _) = run(&home, ZH, &["man"], "");
    assert_eq!(code, 0);
    assert!(zh.contains("凭据代理"), "{zh}");
    // What fish shows beside each candidate: `name<TAB>description`.
    let complete = |lang: &str| {
        let out = home
            .cmd(&["--", "broker", ""])
            .env("LANG", lang)
            .env("BROKER_COMPLETE", "fish")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let en = complete("C");
    let zh = complete(ZH);
    assert!(en.contains("profile\t") && !han(&en), "{en}");
    let profile = zh
        .lines()
        .find(|l| l.starts_with("profile\t"))
        .unwrap_or_default();
    assert!(han(profile), "{zh}");
}

/// clap's usage errors (an unknown flag, a mistyped command, a bad value) are said in the
/// reader's language with the same exit code; in English they are clap's own words.
#[test]
fn usage_errors_from_the_command_line_follow_the_language() {
    let home = Home::new();
    for (args, en_words, zh_words) in [
        (
            &["token", "--bogus"][..],
            "unexpected argument '--bogus' found",
            "无法识别的参数 `--bogus`",
        ),
        (
            &["toke"][..],
            "unrecognized subcommand 'toke'",
            "你是不是想用 `token`",
        ),
        (
            &["env", "--format", "nope"][..],
            "invalid value 'nope'",
            "`nope` 无效",
        ),
    ] {
        let (code, _, en) = run(&home, "C", args, "");
        assert_eq!(code, 2, "{args:?}: {en}");
        assert!(en.contains(en_words) && !han(&en), "{args:?}: {en}");
        let (code, _, zh) = run(&home, ZH, args, "");
        assert_eq!(code, 2, "{args:?}: {zh}");
        assert!(zh.starts_with("错误："), "{args:?}: {zh}");
        assert!(zh.contains(zh_words), "{args:?}: {zh}");
        assert!(
            !zh.contains("Usage:") && !zh.contains("For more information"),
            "{zh}"
        );
    }
}
