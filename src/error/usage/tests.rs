//! Each command's error in words: what the user saw before the errors were typed.

use super::*;
use crate::error::{ConfigError, Error, InternalError, Note};

/// The words and exit code of an error, as the user sees them.
fn said(e: impl Into<Error>) -> (String, Option<String>, u8) {
    let e = e.into();
    (e.message(), e.hint(), e.exit_code())
}

fn profiles(names: &[&str]) -> Hint {
    Hint::Profiles {
        names: names.iter().map(|n| (*n).to_owned()).collect(),
        count: names.len(),
        grants: "ai|netdisk".into(),
    }
}

/// Each command's error says what it said before it was typed, word for word.
#[test]
fn the_commands_errors_keep_their_words_and_exit_codes() {
    let cases: Vec<(Error, &str, Option<&str>, u8)> = vec![
        (
            UsageError::NoCompletions {
                shell: "tcsh".into(),
            }
            .into(),
            "no completions for `tcsh`",
            None,
            2,
        ),
        (
            UsageError::ProfileNotApplicable { command: "init" }.into(),
            "`--profile` does not apply to `broker init`",
            Some("leave it out; `broker --help` says which commands act on a profile"),
            2,
        ),
        (
            UsageError::TwoProfiles {
                first: "a".into(),
                second: "b".into(),
                first_is_flag: true,
            }
            .into(),
            "two profiles given: `--profile a` and `--profile b`",
            Some("give one"),
            2,
        ),
        (
            UsageError::TwoProfiles {
                first: "a".into(),
                second: "b".into(),
                first_is_flag: false,
            }
            .into(),
            "two profiles given: `a` and `--profile b`",
            Some("give one"),
            2,
        ),
        (
            UsageError::NoProfileChosen {
                hint: profiles(&["p", "q"]),
            }
            .into(),
            "no profile chosen",
            Some("profiles: p, q"),
            2,
        ),
        (
            UsageError::IfChangedNeedsShell.into(),
            "`--if-changed` needs `--format sh`, `fish` or `powershell`",
            None,
            2,
        ),
        (
            UsageError::GithubEnvNotSet.into(),
            "`--format github` appends to the file named by `GITHUB_ENV`, which is not set",
            Some("run it in a GitHub Actions step, or use `--format dotenv`"),
            2,
        ),
        (
            UsageError::NestedExec {
                profile: "prod".into(),
            }
            .into(),
            "already inside `broker exec` for profile `prod`",
            Some("leave that command first, or pass `--force` to nest"),
            2,
        ),
        (
            UsageError::CannotReadPassphrase {
                reason: "eof".into(),
            }
            .into(),
            "cannot read the passphrase: eof",
            None,
            2,
        ),
        (
            UsageError::PassphrasesDiffer.into(),
            "the two passphrases differ",
            None,
            2,
        ),
        (
            UsageError::PassphraseEmpty.into(),
            "the passphrase is empty",
            None,
            2,
        ),
        (
            UsageError::LoginFlagsNotApplicable {
                profile: "vision".into(),
                grant: "ai".into(),
                grants: "netdisk".into(),
            }
            .into(),
            "`--device`, `--code` and `--browser` apply to netdisk profiles; `vision` is `ai`",
            None,
            2,
        ),
        (
            UsageError::TokenFromTerminal.into(),
            "`--with-token` reads the token from stdin, not from a terminal",
            Some(TOKEN_HINT),
            2,
        ),
        (
            UsageError::CannotReadToken {
                reason: "stream did not contain valid UTF-8".into(),
            }
            .into(),
            "cannot read the token from stdin: stream did not contain valid UTF-8",
            None,
            2,
        ),
        (
            UsageError::AppKeyEmpty.into(),
            "`--app-key` is empty",
            None,
            2,
        ),
        (
            UsageError::NotAVariableName { var: "A-B".into() }.into(),
            "`--secret-key-env A-B` is not a variable name",
            None,
            2,
        ),
        (
            UsageError::ScopeNotApplicable {
                flags: "`--grant netdisk`".into(),
            }
            .into(),
            "`--scope` applies only to `--grant netdisk` profiles",
            None,
            2,
        ),
        (
            ConfigError::ProfileExists {
                name: "p".into(),
                config: "/c/config.toml".into(),
            }
            .into(),
            "profile `p` already exists in `/c/config.toml`",
            Some("use `broker secret set p` to replace its SecretKey, or remove it first"),
            2,
        ),
        (
            UsageError::NotConfirmed {
                profile: "p".into(),
            }
            .into(),
            "profile `p` not removed (not confirmed)",
            Some("`--yes` removes without asking"),
            2,
        ),
        (
            UsageError::AllAndProfile.into(),
            "`--all` and `--profile` exclude each other",
            None,
            2,
        ),
        (
            UsageError::SomeHooksFailed.into(),
            "some hooks failed after their profile was rotated; every new token is saved",
            Some("see the lines above; re-run them with `broker hooks run PROFILE`"),
            7,
        ),
        (
            UsageError::SomeNotRefreshed {
                kind: Kind::Network,
            }
            .into(),
            "some profiles could not be refreshed",
            Some("see the lines above"),
            5,
        ),
        (
            UsageError::ShellIntegrationNotLoaded.into(),
            "`broker use --shell` needs the shell integration, which is not loaded in this shell",
            Some(
                "add `eval \"$(broker shell-init bash)\"` (or zsh, fish, powershell) to your shell's startup file",
            ),
            2,
        ),
        (
            UsageError::UseWithoutProfiles {
                hint: profiles(&[]),
            }
            .into(),
            "`broker use` needs a profile, and there are none",
            Some(
                "no profiles yet: add one with `broker profile add NAME --grant ai|netdisk --app-key KEY`",
            ),
            2,
        ),
        (
            UsageError::UseNeedsName {
                names: vec!["p".into(), "q".into()],
                count: 2,
                grants: "ai|netdisk".into(),
            }
            .into(),
            "`broker use` needs a profile name (there is no terminal to pick one on)",
            Some("`broker use NAME`; profiles: p, q"),
            2,
        ),
        (
            UsageError::NothingPicked.into(),
            "no profile picked; nothing changed",
            None,
            2,
        ),
        (
            UsageError::NotInList {
                answer: "7".into(),
                count: 3,
            }
            .into(),
            "`7` is not in the list (1-3)",
            None,
            2,
        ),
        (
            UsageError::ChecksFailed {
                failed: 2,
                total: 9,
                checks: vec!["identity".into(), "state[nd]".into()],
                kind: Kind::Store,
            }
            .into(),
            "2 of 9 checks failed: identity, state[nd]",
            Some("each `fail` line says how to fix it; the exit code is that of the first one"),
            6,
        ),
        (
            UsageError::Emulator {
                message: "port 80 is in use".into(),
                hint: Some("pick another with `--port`".into()),
                internal: false,
            }
            .into(),
            "port 80 is in use",
            Some("pick another with `--port`"),
            2,
        ),
        (
            UsageError::Emulator {
                message: "cannot start a runtime".into(),
                hint: None,
                internal: true,
            }
            .into(),
            "cannot start a runtime",
            None,
            1,
        ),
        (
            InternalError::CannotWriteCompletions { reason: "x".into() }.into(),
            "cannot write the completions: x",
            None,
            1,
        ),
        (
            InternalError::CannotRenderManPage { reason: "x".into() }.into(),
            "cannot render the man page: x",
            None,
            1,
        ),
        (
            InternalError::CannotCreateDemoHome { reason: "x".into() }.into(),
            "cannot create a temporary home: x",
            None,
            1,
        ),
        (
            InternalError::CannotRunBroker { reason: "x".into() }.into(),
            "cannot run broker: x",
            None,
            1,
        ),
        (
            InternalError::CannotWaitForBroker {
                reason: "No child processes (os error 10)".into(),
            }
            .into(),
            "No child processes (os error 10)",
            None,
            1,
        ),
        (
            InternalError::DemoNoDeviceCode.into(),
            "the demo's device login never asked for a code",
            None,
            1,
        ),
        (
            InternalError::DemoLoginFailed.into(),
            "the demo's device login failed",
            None,
            1,
        ),
        (
            InternalError::DemoStepFailed {
                command: "token ai-demo".into(),
            }
            .into(),
            "the demo step `broker token ai-demo` failed",
            None,
            1,
        ),
        (
            InternalError::CannotWatchSignals { reason: "x".into() }.into(),
            "cannot watch signals: x",
            None,
            1,
        ),
        (
            InternalError::PidOutOfRange.into(),
            "the child's process id does not fit a pid",
            None,
            1,
        ),
        (
            InternalError::CannotWaitForCommand { reason: "x".into() }.into(),
            "cannot wait for the command: x",
            None,
            1,
        ),
    ];
    for (e, message, hint, code) in cases {
        let record = e.record();
        assert_eq!(
            said(e),
            (message.to_owned(), hint.map(str::to_owned), code),
            "{record}"
        );
    }
}

const TOKEN_HINT: &str = "pipe a JSON object on stdin: {\"access_token\": …, \"refresh_token\": … (netdisk), \"expires_in\": SECONDS or \"expires_at\": TIME}";

#[test]
fn a_bad_imported_token_says_what_is_wrong_with_it_and_never_the_token() {
    let cases = [
        ("not-json", "is not the expected JSON object"),
        ("unusable-access-token", "has an unusable `access_token`"),
        ("no-access-token", "has no `access_token`"),
        ("unusable-refresh-token", "has an unusable `refresh_token`"),
        (
            "no-refresh-token",
            "has no `refresh_token`, without which broker cannot rotate a netdisk token",
        ),
    ];
    for (problem, why) in cases {
        let e = UsageError::BadImportedToken {
            problem,
            grant: "netdisk".into(),
        };
        assert_eq!(
            said(e),
            (
                format!("the token on stdin {why}"),
                Some(TOKEN_HINT.to_owned()),
                2
            )
        );
    }
}

/// `init`'s count of what a new identity would make unreadable, in every shape the old
/// `ui::count` sentence had.
#[test]
fn init_counts_the_secrets_and_token_files_it_would_lose() {
    let cases = [
        (1, 0, "1 secret is"),
        (2, 0, "2 secrets are"),
        (0, 1, "1 token file is"),
        (0, 3, "3 token files are"),
        (1, 1, "1 secret and 1 token file are"),
        (1, 2, "1 secret and 2 token files are"),
        (2, 1, "2 secrets and 1 token file are"),
        (4, 5, "4 secrets and 5 token files are"),
    ];
    for (secrets, tokens, what) in cases {
        let lost = UsageError::IdentityCannotRead {
            identity: "file `/k`".into(),
            lost: true,
            secrets,
            tokens,
        };
        let (message, hint, code) = said(lost);
        assert_eq!(
            message,
            format!(
                "the identity file `/k` does not exist, but {what} encrypted to the config's recipients: a new identity cannot read them"
            )
        );
        assert!(hint.unwrap().starts_with("restore the identity file"));
        assert_eq!(code, 6);
        let foreign = UsageError::IdentityCannotRead {
            identity: "file `/k`".into(),
            lost: false,
            secrets,
            tokens,
        };
        let (message, hint, _) = said(foreign);
        assert_eq!(
            message,
            format!(
                "the identity file `/k` is not among the config's recipients, and {what} encrypted to them: it cannot read them"
            )
        );
        assert!(hint.unwrap().starts_with("use the identity they were"));
    }
}

#[test]
fn status_names_the_profiles_that_need_attention_and_exits_with_the_worst() {
    let one = UsageError::NeedsAttention {
        problems: vec!["`nd` (not logged in)".into()],
        count: 1,
        profile: "nd".into(),
        worst: "login",
    };
    assert_eq!(
        said(one),
        (
            "profile `nd` (not logged in) needs attention".into(),
            Some("run `broker login nd`".into()),
            3
        )
    );
    let cases = [
        (
            "unreadable",
            "`broker doctor` checks the identity and the state files",
            6,
        ),
        (
            "rejected",
            "check the AppKey and SecretKey; `broker secret set a` replaces the SecretKey",
            4,
        ),
        ("login", "run `broker login a`", 3),
        (
            "hook",
            "fix the hook, then re-run it with `broker hooks run a`",
            7,
        ),
    ];
    for (worst, hint, code) in cases {
        let two = UsageError::NeedsAttention {
            problems: vec!["`a` (x)".into(), "`b` (a hook failed)".into()],
            count: 2,
            profile: "a".into(),
            worst,
        };
        assert_eq!(
            said(two),
            (
                "2 profiles need attention: `a` (x), `b` (a hook failed)".into(),
                Some(hint.into()),
                code
            )
        );
    }
}

/// A profile chosen by `BROKER_PROFILE` or `broker use` that the config lacks: where it
/// came from, how to change it, then the hint of the unknown profile.
#[test]
fn an_unknown_profile_chosen_elsewhere_says_where_and_how_to_change_it() {
    let unknown = |hint: Hint| {
        Error::from(ConfigError::UnknownProfile {
            name: "prdo".into(),
            config: "/c.toml".into(),
            hint,
        })
    };
    let near = Hint::DidYouMean {
        near: "prod".into(),
    };
    let e = unknown(near).note(Note::ProfileFrom {
        source: "environment",
        hint: Hint::ChangeProfile {
            source: "environment",
            then: "did-you-mean",
            near: Some("prod".into()),
            names: Vec::new(),
            count: 0,
            grants: String::new(),
        },
    });
    assert_eq!(
        said(e),
        (
            "unknown profile `prdo` in `/c.toml` (from `BROKER_PROFILE`, which the shell integration exports)".into(),
            Some("clear it with `eval \"$(broker env --unset)\"`, or switch with `broker use NAME`; did you mean `prod`?".into()),
            2
        )
    );
    let e = unknown(profiles(&["a"])).note(Note::ProfileFrom {
        source: "use-default",
        hint: Hint::ChangeProfile {
            source: "use-default",
            then: "profiles",
            near: None,
            names: vec!["a".into()],
            count: 1,
            grants: "ai|netdisk".into(),
        },
    });
    assert_eq!(
        said(e),
        (
            "unknown profile `prdo` in `/c.toml` (the default chosen by `broker use`)".into(),
            Some("choose another with `broker use NAME`; profiles: a".into()),
            2
        )
    );
}

#[test]
fn a_passphrase_without_a_terminal_says_how_to_give_one() {
    let e = crate::prompt::cannot_ask(crate::prompt::Needed::Passphrase).note(Note::NewPassphrase);
    assert_eq!(
        said(e),
        (
            "a passphrase is needed, but there is no terminal to ask on".into(),
            Some(
                "set `BROKER_AGE_PASSPHRASE`, or run `broker init --passphrase` in a terminal"
                    .into()
            ),
            3
        )
    );
}
