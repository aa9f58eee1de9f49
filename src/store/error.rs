//! Store errors (exit 6 unless a variant says otherwise): the identity, the passphrase, the
//! encrypted files, the state and its lock, and the files and prompts the store reads.

use serde::Serialize;

use crate::error::{Error, Kind};

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum StoreError {
    /// The profile's lock cannot be taken because of `cause` (a read-only or full folder):
    /// the same store failure as a state that cannot be saved.
    CannotLock {
        profile: String,
        dir: String,
        cause: Box<Error>,
    },

    // --- Reading broker's files (src/store/read.rs): the exit code is the file's.
    /// The file is a folder, a FIFO, a device, a socket or another non-file (`is`: `folder`,
    /// `fifo`, `device`, `socket`, `other`).
    NotRegularFile {
        #[serde(flatten)]
        file: FileFacts,
        is: &'static str,
    },
    /// The file is larger than broker ever reads (`max` in `unit`: `mib` or `kib`).
    FileTooLarge {
        #[serde(flatten)]
        file: FileFacts,
        max: u64,
        unit: &'static str,
    },
    /// The operating system refused to open or read the file (`cause`: `permission-denied` or
    /// `other`, picks the hint).
    CannotReadFile {
        #[serde(flatten)]
        file: FileFacts,
        reason: String,
        cause: &'static str,
    },

    // --- Atomic writes (src/store/atomic.rs).
    /// A folder to create has a file in its place (exit 1).
    FolderInTheWay { path: String },
    /// A path to write has no file name (`/`, `..`): a bug (exit 1).
    NotAFilePath { path: String },
    /// A no-clobber write found the file already there (exit 2).
    AlreadyExists { path: String },

    // --- The identity (src/store/identity/).
    /// `broker init --passphrase` was given an empty passphrase (exit 2).
    EmptyPassphrase,
    /// `broker init` would overwrite an identity (exit 2).
    IdentityExists { path: String },
    /// The identity source chosen holds nothing: the file does not exist, the key or the
    /// command's output is empty. The message names every place looked at.
    NoIdentity {
        #[serde(flatten)]
        identity: IdentityFacts,
    },
    /// The identity is not UTF-8 text.
    IdentityNotText {
        #[serde(flatten)]
        identity: IdentityFacts,
    },
    /// The identity holds an `AGE-PLUGIN-…` identity (on `line`), which broker cannot use.
    IdentityPlugin {
        #[serde(flatten)]
        identity: IdentityFacts,
        line: usize,
    },
    /// `line` of the identity is not an `AGE-SECRET-KEY-1…` key (the line is never shown).
    IdentityBadLine {
        #[serde(flatten)]
        identity: IdentityFacts,
        line: usize,
    },
    /// The identity has only comments and blank lines.
    IdentityEmpty {
        #[serde(flatten)]
        identity: IdentityFacts,
    },
    /// A passphrase-protected identity file that age cannot parse or decrypt to the end.
    IdentityCorrupt {
        #[serde(flatten)]
        identity: IdentityFacts,
    },
    /// An age-encrypted identity file encrypted to recipients, not with a passphrase.
    IdentityNotPassphrase {
        #[serde(flatten)]
        identity: IdentityFacts,
    },
    /// The passphrase does not open the identity file.
    WrongPassphrase {
        #[serde(flatten)]
        identity: IdentityFacts,
    },
    /// The identity file's scrypt work factor is beyond the limit broker accepts.
    ExcessivePassphraseWork {
        #[serde(flatten)]
        identity: IdentityFacts,
    },
    /// The identity needs a passphrase, `BROKER_AGE_PASSPHRASE` is not set and there is no
    /// terminal (or it is CI).
    NoTerminalForPassphrase {
        #[serde(flatten)]
        identity: IdentityFacts,
    },
    /// The terminal failed while the passphrase was typed.
    CannotReadPassphrase { reason: String },
    /// age failed to encrypt a new identity with its passphrase (exit 1).
    CannotEncryptIdentity { reason: String },
    /// `BROKER_AGE_KEY_CMD` could not be started or waited for.
    CannotRunKeyCommand { reason: String },
    /// `BROKER_AGE_KEY_CMD` printed more than `max_mib` MiB.
    KeyCommandTooLarge { max_mib: usize },
    /// `BROKER_AGE_KEY_CMD` ran past its time limit (`after`, a duration) and was ended.
    KeyCommandTimedOut { after: String },
    /// `BROKER_AGE_KEY_CMD` failed; `how` is its exit status (`exit 3`, `killed by SIGKILL`).
    KeyCommandFailed { how: String },
    /// `BROKER_AGE_KEY_CMD_TIMEOUT` is wrong (exit 2). `problem`: `not-text`, `out-of-range`
    /// (`max` is the longest allowed) or `not-a-duration` (`reason` says why).
    InvalidKeyCommandTimeout {
        problem: &'static str,
        reason: Option<String>,
        max: String,
    },

    // --- Encryption (src/store/vault.rs).
    /// The identity in use cannot read what broker would save: it is not among
    /// `[store] recipients`. `public_key` is its recipient, for the hint.
    IdentityNotRecipient {
        #[serde(flatten)]
        identity: IdentityFacts,
        public_key: String,
    },
    /// `[store] recipients` is empty.
    NoRecipients,
    /// age failed to encrypt (exit 1).
    CannotEncrypt { reason: String },
    /// age's armor came out as something other than text: a bug (exit 1).
    ArmorNotText,
    /// A value to decrypt is encrypted with a passphrase, not to recipients.
    PassphraseEncrypted,
    /// A decrypted SecretKey is not UTF-8.
    SecretNotText,
    /// An entry of `[store] recipients` is not an age recipient (`value`, sanitized). Exit 2.
    NotARecipient { value: String },
    /// The data is encrypted to other recipients than the identity in use.
    NotEncryptedToIdentity {
        #[serde(flatten)]
        identity: IdentityFacts,
    },
    /// The data is in an age format newer than this broker's.
    UnknownAgeFormat,
    /// The data is not age at all, or damaged.
    Corrupt,

    // --- The state (src/store/state/, sealed.rs, file.rs, lock.rs).
    /// The state of `profile` (at `location`) cannot be read: `cause` says why. Exit code and
    /// hint are the cause's.
    CannotReadState {
        profile: String,
        location: String,
        cause: Box<Error>,
    },
    /// A save without a load under the lock first: a bug (exit 1).
    SavedBeforeLoaded { profile: String },
    /// serde_json failed to serialize the state (`category` of its error): a bug (exit 1).
    CannotSerializeState { category: &'static str },
    /// The decrypted state is not a JSON object of UTF-8 text.
    StateNotJson,
    /// The decrypted state is JSON but not a state (`category` at `line`, `column`).
    StateInvalid {
        category: &'static str,
        line: usize,
        column: usize,
    },
    /// The state was written by a newer broker (`version` > `supported`).
    StateTooNew { version: u32, supported: u32 },
    /// The state of `profile` cannot be written (in `dir`): `cause` says why. A store failure
    /// (exit 6), not a bug: the machine must be fixed (disk full, read-only folder).
    CannotSave {
        profile: String,
        dir: String,
        cause: Box<Error>,
    },
    /// A compare-and-set found the state changed (or removed) since the lock last read it.
    StateChanged { profile: String },
    /// The profile's lock stayed held by another process past the wait (exit 5, a time-out
    /// like the network's). `holder`: `running`, `stopped` (then `pid` is set) or `none`.
    LockTimedOut {
        profile: String,
        path: String,
        holder: &'static str,
        pid: Option<String>,
    },
    /// A lock file other than a profile's stayed held past the wait (exit 1).
    LockFileTimedOut { path: String },

    // --- Prompts (src/prompt.rs).
    /// A person must answer a prompt and there is no terminal (or it is CI). `needed` picks
    /// the words and the hint: `secret-key`, `passphrase`, `authorization-code`,
    /// `device-login` (then `profile` is set). Exit 3.
    NoTerminal {
        needed: &'static str,
        profile: Option<String>,
    },
    /// stdin failed while a SecretKey was piped in (exit 2). `reason` is the system's words.
    CannotReadSecretFromStdin { reason: String },
    /// The terminal failed while a SecretKey was typed (exit 2).
    CannotReadSecret { reason: String },
    /// The SecretKey given is empty (exit 2).
    EmptySecret,
    /// The SecretKey given has a line break or NUL (exit 2).
    SecretNotOneLine,
    /// The terminal failed while an answer was typed (exit 2).
    CannotReadAnswer { reason: String },
}

/// Which file of broker's was read, as facts: `file` (`config`, `use-default`, `state`,
/// `identity`) picks the words, with the file's `path`, the state's `profile`, the
/// identity's `source` (see [`IdentityFacts`]).
#[derive(Debug, Clone, Serialize)]
pub struct FileFacts {
    pub file: FileKind,
    pub path: String,
    pub profile: Option<String>,
    pub source: Option<&'static str>,
}

/// Which file: a config or a default profile that cannot be read is exit 2, like a bad
/// config; a state or an identity exit 6, like one that cannot be decrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Config,
    UseDefault,
    State,
    Identity,
}

/// Where the identity came from, as facts: `source` (`key`, `file`, `command`,
/// `config-file`, `default-file`) picks the words, `path` is the file's. Never the key or
/// the command (it may carry a password manager's token).
#[derive(Debug, Clone, Serialize)]
pub struct IdentityFacts {
    pub source: &'static str,
    pub path: Option<String>,
}

impl StoreError {
    pub fn kind(&self) -> Kind {
        use StoreError::*;
        match self {
            NotRegularFile { file, .. }
            | FileTooLarge { file, .. }
            | CannotReadFile { file, .. } => match file.file {
                FileKind::Config | FileKind::UseDefault => Kind::Usage,
                FileKind::State | FileKind::Identity => Kind::Store,
            },
            CannotReadState { cause, .. } => cause.kind(),
            AlreadyExists { .. }
            | EmptyPassphrase
            | IdentityExists { .. }
            | InvalidKeyCommandTimeout { .. }
            | NotARecipient { .. }
            | CannotReadSecretFromStdin { .. }
            | CannotReadSecret { .. }
            | EmptySecret
            | SecretNotOneLine
            | CannotReadAnswer { .. } => Kind::Usage,
            FolderInTheWay { .. }
            | NotAFilePath { .. }
            | CannotEncryptIdentity { .. }
            | CannotEncrypt { .. }
            | ArmorNotText
            | SavedBeforeLoaded { .. }
            | CannotSerializeState { .. }
            | LockFileTimedOut { .. } => Kind::Internal,
            LockTimedOut { .. } => Kind::Network,
            NoTerminal { .. } => Kind::NeedsPerson,
            _ => Kind::Store,
        }
    }
}

#[cfg(test)]
mod tests {
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
                Some(
                    "fix or unset `BROKER_AGE_KEY_FILE` (it is used alone, before any other source)",
                ),
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
                Some(
                    "the command must print an `AGE-SECRET-KEY-1…` identity on stdout, nothing else",
                ),
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
                    profile: None,
                },
                "a SecretKey is needed, but there is no terminal to ask on",
                Some("pipe it on stdin: `printf %s \"$SK\" | broker …`"),
                3,
            ),
            (
                StoreError::NoTerminal {
                    needed: "passphrase",
                    profile: None,
                },
                "a passphrase is needed, but there is no terminal to ask on",
                Some(
                    "set `BROKER_AGE_PASSPHRASE`, or run `broker init --passphrase` in a terminal",
                ),
                3,
            ),
            (
                StoreError::NoTerminal {
                    needed: "authorization-code",
                    profile: None,
                },
                "an authorization code is needed, but there is no terminal to ask on",
                Some("give it with `--code -` on stdin"),
                3,
            ),
            (
                StoreError::NoTerminal {
                    needed: "device-login",
                    profile: Some("nd".into()),
                },
                "`nd` needs a person to approve a device login, but there is no terminal to ask on",
                Some(
                    "log in on a workstation; docs/ci.md says how to give a netdisk profile to CI",
                ),
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
}
