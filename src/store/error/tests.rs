use super::*;
use crate::error::{InternalError, IoOp};

fn id(source: &'static str, path: Option<&str>) -> IdentityFacts {
    IdentityFacts {
        source,
        path: path.map(str::to_owned),
    }
}

fn state(is: &'static str) -> StoreError {
    StoreError::NotRegularFile {
        file: FileFacts {
            file: FileKind::State,
            path: "/s/profiles/p.age".into(),
            profile: Some("p".into()),
            source: None,
        },
        is,
    }
}

fn io(path: &str) -> Box<Error> {
    let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
    Box::new(InternalError::io(IoOp::Write, std::path::Path::new(path), &denied).into())
}

/// Every store error in words, exactly as broker said it before the catalog (the English
/// of the old call sites), with its hint and exit code: one row per variant and per
/// selector value. Rendering each also proves every variable the catalog uses is given.
#[test]
fn every_store_error_renders_its_words_hint_and_exit_code() {
    const FORMAT: &str = "an identity is one `AGE-SECRET-KEY-1…` key per line, as written by `age-keygen` or `broker init`";
    const LOST: &str = "restore the identity file from a backup (or set `BROKER_AGE_KEY` to the `AGE-SECRET-KEY-1…` key); if it is lost, `broker init --force`, then `broker secret set NAME` and `broker login NAME` for each profile";
    let file = || id("file", Some("/k"));
    let rows: Vec<(StoreError, &str, Option<&str>, u8)> = vec![
        (
            state("folder"),
            "cannot read the state of profile `p` (`/s/profiles/p.age`): it is a folder, not a regular file",
            Some("point broker at a regular file, or move this one out of the way"),
            6,
        ),
        (
            state("fifo"),
            "cannot read the state of profile `p` (`/s/profiles/p.age`): it is a FIFO, not a regular file",
            None,
            6,
        ),
        (
            state("device"),
            "cannot read the state of profile `p` (`/s/profiles/p.age`): it is a device, not a regular file",
            None,
            6,
        ),
        (
            state("socket"),
            "cannot read the state of profile `p` (`/s/profiles/p.age`): it is a socket, not a regular file",
            None,
            6,
        ),
        (
            state("other"),
            "cannot read the state of profile `p` (`/s/profiles/p.age`): it is not a file, not a regular file",
            None,
            6,
        ),
        (
            StoreError::CannotReadFile {
                file: FileFacts {
                    file: FileKind::Identity,
                    path: "/c".into(),
                    profile: None,
                    source: Some("config-file"),
                },
                reason: "input/output error".into(),
                cause: "other",
            },
            "cannot read the age identity `/c` (from `[store] identity`): input/output error",
            None,
            6,
        ),
        (
            StoreError::CannotReadFile {
                file: FileFacts {
                    file: FileKind::Identity,
                    path: "/d".into(),
                    profile: None,
                    source: Some("default-file"),
                },
                reason: "x".into(),
                cause: "other",
            },
            "cannot read the age identity `/d`: x",
            None,
            6,
        ),
        (
            StoreError::FolderInTheWay { path: "/a".into() },
            "cannot create folder `/a`: a file is in the way",
            None,
            1,
        ),
        (
            StoreError::NotAFilePath { path: "/".into() },
            "cannot write `/`: not a file path",
            None,
            1,
        ),
        (
            StoreError::AlreadyExists { path: "/a".into() },
            "`/a` already exists; broker will not overwrite it",
            None,
            2,
        ),
        (
            StoreError::EmptyPassphrase,
            "the passphrase is empty",
            None,
            2,
        ),
        (
            StoreError::IdentityExists { path: "/i".into() },
            "an age identity already exists at `/i`",
            Some("broker never overwrites an identity; `broker init` uses the existing one"),
            2,
        ),
        (
            StoreError::NoIdentity {
                identity: id("default-file", Some("/i")),
            },
            "no age identity: `BROKER_AGE_KEY`, `BROKER_AGE_KEY_FILE` and `BROKER_AGE_KEY_CMD` are not set, the config has no `[store] identity`, and `/i` does not exist",
            Some(LOST),
            6,
        ),
        (
            StoreError::NoIdentity { identity: file() },
            "no age identity: `/k` named by `BROKER_AGE_KEY_FILE` does not exist",
            Some("fix or unset `BROKER_AGE_KEY_FILE` (it is used alone, before any other source)"),
            6,
        ),
        (
            StoreError::NoIdentity {
                identity: id("config-file", Some("/c")),
            },
            "no age identity: `/c` named by `[store] identity` does not exist",
            Some("fix `[store] identity` in the config, or run `broker init`"),
            6,
        ),
        (
            StoreError::NoIdentity {
                identity: id("key", None),
            },
            "no age identity in `BROKER_AGE_KEY`",
            Some(LOST),
            6,
        ),
        (
            StoreError::NoIdentity {
                identity: id("command", None),
            },
            "no age identity in the output of `BROKER_AGE_KEY_CMD`",
            Some(LOST),
            6,
        ),
        (
            StoreError::IdentityNotText { identity: file() },
            "`/k` (from `BROKER_AGE_KEY_FILE`) is not an age identity (not UTF-8 text)",
            Some(FORMAT),
            6,
        ),
        (
            StoreError::IdentityPlugin {
                identity: id("key", None),
                line: 2,
            },
            "`BROKER_AGE_KEY` holds an age plugin identity (line 2), which broker does not support",
            Some("use an X25519 identity (`age-keygen`, or `broker init`)"),
            6,
        ),
        (
            StoreError::IdentityBadLine {
                identity: id("command", None),
                line: 3,
            },
            "the output of `BROKER_AGE_KEY_CMD` is not an age identity: line 3 is not an `AGE-SECRET-KEY-1…` key",
            Some(FORMAT),
            6,
        ),
        (
            StoreError::IdentityEmpty {
                identity: id("default-file", Some("/i")),
            },
            "`/i` holds no age identity",
            Some(FORMAT),
            6,
        ),
        (
            StoreError::IdentityCorrupt { identity: file() },
            "the age identity `/k` (from `BROKER_AGE_KEY_FILE`) is encrypted but corrupt",
            Some("restore the identity from a backup, or create a new one with `broker init`"),
            6,
        ),
        (
            StoreError::IdentityNotPassphrase { identity: file() },
            "the age identity `/k` (from `BROKER_AGE_KEY_FILE`) is encrypted to recipients, not with a passphrase",
            Some(
                "decrypt it with `age -d` and point broker at the result, or use a passphrase-protected identity",
            ),
            6,
        ),
        (
            StoreError::WrongPassphrase { identity: file() },
            "wrong passphrase for the age identity `/k` (from `BROKER_AGE_KEY_FILE`)",
            Some("check `BROKER_AGE_PASSPHRASE` or type the passphrase again"),
            6,
        ),
        (
            StoreError::ExcessivePassphraseWork { identity: file() },
            "the age identity `/k` (from `BROKER_AGE_KEY_FILE`) needs far more passphrase work than this machine allows",
            None,
            6,
        ),
        (
            StoreError::NoTerminalForPassphrase { identity: file() },
            "the age identity `/k` (from `BROKER_AGE_KEY_FILE`) is passphrase-protected and there is no terminal to ask for the passphrase",
            Some(
                "set `BROKER_AGE_PASSPHRASE`, or use an identity without a passphrase (`BROKER_AGE_KEY`)",
            ),
            6,
        ),
        (
            StoreError::CannotReadPassphrase {
                reason: "no such device or address".into(),
            },
            "cannot read the passphrase from the terminal: no such device or address",
            None,
            6,
        ),
        (
            StoreError::CannotEncryptIdentity { reason: "x".into() },
            "cannot encrypt the identity: x",
            None,
            1,
        ),
        (
            StoreError::CannotRunKeyCommand { reason: "x".into() },
            "cannot run `BROKER_AGE_KEY_CMD`: x",
            None,
            6,
        ),
        (
            StoreError::KeyCommandTooLarge { max_mib: 1 },
            "`BROKER_AGE_KEY_CMD` printed more than 1 MiB",
            Some("the command must print an `AGE-SECRET-KEY-1…` identity on stdout, nothing else"),
            6,
        ),
        (
            StoreError::KeyCommandTimedOut {
                after: "30s".into(),
            },
            "`BROKER_AGE_KEY_CMD` did not finish within 30s",
            Some(
                "run it by hand to see where it waits, or allow it longer with `BROKER_AGE_KEY_CMD_TIMEOUT` (e.g. `2m`)",
            ),
            6,
        ),
        (
            StoreError::KeyCommandFailed {
                how: "exit 3".into(),
            },
            "`BROKER_AGE_KEY_CMD` failed (exit 3)",
            Some(
                "the command must print an `AGE-SECRET-KEY-1…` identity on stdout; run it by hand to see why it failed",
            ),
            6,
        ),
        (
            StoreError::InvalidKeyCommandTimeout {
                problem: "not-text",
                reason: None,
                max: "1h".into(),
            },
            "`BROKER_AGE_KEY_CMD_TIMEOUT`: not valid UTF-8",
            None,
            2,
        ),
        (
            StoreError::InvalidKeyCommandTimeout {
                problem: "out-of-range",
                reason: None,
                max: "1h".into(),
            },
            "`BROKER_AGE_KEY_CMD_TIMEOUT`: must be between 1s and 1h",
            None,
            2,
        ),
        (
            StoreError::InvalidKeyCommandTimeout {
                problem: "not-a-duration",
                reason: Some("invalid duration `soon`".into()),
                max: "1h".into(),
            },
            "`BROKER_AGE_KEY_CMD_TIMEOUT`: invalid duration `soon`",
            None,
            2,
        ),
        (
            StoreError::IdentityNotRecipient {
                identity: id("key", None),
                public_key: "age1x".into(),
            },
            "the identity in use (`BROKER_AGE_KEY`) is not among `[store] recipients`: what broker saves now could not be read back here, so nothing was sent",
            Some(
                "add its public key `age1x` to `recipients` under `[store]` in the config (`broker init` prints it), or use the identity the recipients are for; if that one is lost, `broker init --force`, then run `broker secret set NAME` and `broker login NAME` for each profile",
            ),
            6,
        ),
        (
            StoreError::NoRecipients,
            "there are no recipients to encrypt to",
            Some(
                "run `broker init`, or add your `age1…` public key to `recipients` under `[store]` in the config",
            ),
            6,
        ),
        (
            StoreError::CannotEncrypt { reason: "x".into() },
            "cannot encrypt: x",
            None,
            1,
        ),
        (StoreError::ArmorNotText, "age armor is not text", None, 1),
        (
            StoreError::PassphraseEncrypted,
            "the data is encrypted with a passphrase, not to the store's recipients",
            Some("encrypt it to your `age1…` recipient (e.g. `broker secret set`)"),
            6,
        ),
        (
            StoreError::SecretNotText,
            "the decrypted secret is not UTF-8 text",
            Some("set it again with `broker secret set`"),
            6,
        ),
        (
            StoreError::NotARecipient {
                value: "bogus".into(),
            },
            "`bogus` in `[store] recipients` is not an age recipient",
            Some("a recipient is an age X25519 public key `age1…`; `broker init` prints yours"),
            2,
        ),
        (
            StoreError::NotEncryptedToIdentity {
                identity: id("default-file", Some("/i")),
            },
            "the data is not encrypted to this identity (`/i`)",
            Some(
                "use the identity it was encrypted to (after changing recipients, run `broker secret rekey` with it); if that identity is lost, run `broker secret set NAME` and `broker login NAME` for each profile",
            ),
            6,
        ),
        (
            StoreError::UnknownAgeFormat,
            "the data is in an age format this broker does not know",
            Some("upgrade broker, or re-create the data"),
            6,
        ),
        (
            StoreError::Corrupt,
            "the data is corrupt or not age-encrypted",
            Some("re-create it (`broker secret set`, or `broker login` for tokens)"),
            6,
        ),
        (
            StoreError::CannotReadState {
                profile: "p".into(),
                location: "/s/p.age".into(),
                cause: Box::new(StoreError::Corrupt.into()),
            },
            "cannot read the state of profile `p` (`/s/p.age`): the data is corrupt or not age-encrypted",
            Some("re-create it (`broker secret set`, or `broker login` for tokens)"),
            6,
        ),
        (
            StoreError::CannotReadState {
                profile: "p".into(),
                location: "/s/p.age".into(),
                cause: Box::new(
                    StoreError::InvalidKeyCommandTimeout {
                        problem: "not-text",
                        reason: None,
                        max: "1h".into(),
                    }
                    .into(),
                ),
            },
            "cannot read the state of profile `p` (`/s/p.age`): `BROKER_AGE_KEY_CMD_TIMEOUT`: not valid UTF-8",
            None,
            2,
        ),
        (
            StoreError::SavedBeforeLoaded {
                profile: "p".into(),
            },
            "the state of profile `p` was saved before it was loaded under the lock",
            None,
            1,
        ),
        (
            StoreError::CannotSerializeState { category: "io" },
            "cannot serialize the token state: i/o error",
            None,
            1,
        ),
        (
            StoreError::StateNotJson,
            "the token state is not valid (not a JSON object of UTF-8 text)",
            Some("log in again (`broker login`) to replace it"),
            6,
        ),
        (
            StoreError::StateInvalid {
                category: "syntax",
                line: 1,
                column: 2,
            },
            "the token state is not valid (syntax error at line 1, column 2)",
            Some("log in again (`broker login`) to replace it"),
            6,
        ),
        (
            StoreError::StateInvalid {
                category: "data",
                line: 1,
                column: 2,
            },
            "the token state is not valid (unexpected or missing field at line 1, column 2)",
            None,
            6,
        ),
        (
            StoreError::StateInvalid {
                category: "eof",
                line: 1,
                column: 2,
            },
            "the token state is not valid (truncated at line 1, column 2)",
            None,
            6,
        ),
        (
            StoreError::StateTooNew {
                version: 9,
                supported: 2,
            },
            "the token state has version 9, newer than this broker understands (2)",
            Some("upgrade broker; the state was written by a newer release"),
            6,
        ),
        (
            StoreError::CannotSave {
                profile: "p".into(),
                dir: "/s".into(),
                cause: io("/s/profiles"),
            },
            "cannot save the state of profile `p`: cannot write `/s/profiles`: permission denied",
            Some("check the ownership and permissions of that path"),
            6,
        ),
        (
            StoreError::CannotSave {
                profile: "p".into(),
                dir: "/s".into(),
                cause: Box::new(
                    StoreError::FolderInTheWay {
                        path: "/s/profiles".into(),
                    }
                    .into(),
                ),
            },
            "cannot save the state of profile `p`: cannot create folder `/s/profiles`: a file is in the way",
            Some("broker must be able to write `/s` (or set `BROKER_STATE_DIR`)"),
            6,
        ),
        (
            StoreError::StateChanged {
                profile: "p".into(),
            },
            "the state of profile `p` changed while this process held its lock; nothing was saved",
            Some("something removed or wrote it without the lock; try again"),
            6,
        ),
        (
            StoreError::LockTimedOut {
                profile: "p".into(),
                path: "/s/locks/p.lock".into(),
                holder: "none",
                pid: None,
            },
            "timed out waiting for the lock on profile `p` held by another broker process",
            Some(
                "another broker is rotating this profile; try again, or see who holds `/s/locks/p.lock`",
            ),
            5,
        ),
        (
            StoreError::LockTimedOut {
                profile: "p".into(),
                path: "/s/locks/p.lock".into(),
                holder: "running",
                pid: Some("12345".into()),
            },
            "timed out waiting for the lock on profile `p` held by another broker process (pid 12345)",
            Some(
                "another broker is rotating this profile; try again, or see who holds `/s/locks/p.lock`",
            ),
            5,
        ),
        (
            StoreError::LockTimedOut {
                profile: "p".into(),
                path: "/s/locks/p.lock".into(),
                holder: "stopped",
                pid: Some("12345".into()),
            },
            "timed out waiting for the lock on profile `p` held by another broker process (pid 12345, stopped)",
            Some(
                "pid 12345 is stopped (Ctrl-Z?): resume it (`fg`, or `kill -CONT 12345`) or end it, then try again",
            ),
            5,
        ),
        (
            StoreError::LockFileTimedOut { path: "/l".into() },
            "timed out waiting for the lock `/l` held by another process",
            None,
            1,
        ),
        (
            StoreError::NoTerminal {
                needed: "secret-key",
            },
            "a SecretKey is needed, but there is no terminal to ask on",
            Some("pipe it on stdin: `printf %s \"$SK\" | broker …`"),
            3,
        ),
        (
            StoreError::NoTerminal {
                needed: "passphrase",
            },
            "a passphrase is needed, but there is no terminal to ask on",
            Some("set `BROKER_AGE_PASSPHRASE`, or run `broker init --passphrase` in a terminal"),
            3,
        ),
        (
            StoreError::CannotReadSecretFromStdin { reason: "x".into() },
            "cannot read the SecretKey from stdin: x",
            None,
            2,
        ),
        (
            StoreError::CannotReadSecret { reason: "x".into() },
            "cannot read the SecretKey: x",
            None,
            2,
        ),
        (
            StoreError::EmptySecret,
            "the SecretKey is empty",
            Some("pipe it on stdin, or type it at the prompt"),
            2,
        ),
        (
            StoreError::SecretNotOneLine,
            "the SecretKey contains a line break or NUL",
            Some("give one line on stdin"),
            2,
        ),
        (
            StoreError::CannotReadAnswer { reason: "x".into() },
            "cannot read the answer: x",
            None,
            2,
        ),
    ];
    for (e, message, hint, code) in rows {
        let e = Error::from(e);
        assert_eq!(e.message(), message);
        if hint.is_some() || code != 6 {
            assert_eq!(e.hint().as_deref(), hint, "{message}");
        }
        assert_eq!(e.exit_code(), code, "{message}");
    }
}
