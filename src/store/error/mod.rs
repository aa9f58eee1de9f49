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
    NoTerminal { needed: &'static str },
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
    /// `init` refuses an identity that cannot read the data already there (`secrets`
    /// SecretKeys, `tokens` token files, encrypted to the config's recipients): it is
    /// missing (`lost`, a new one would be made), or not among the recipients.
    IdentityCannotRead {
        identity: String,
        lost: bool,
        secrets: usize,
        tokens: usize,
    },

    // --- The shared store of a fleet (src/store/redis/errors.rs) and the hand-off
    // (src/commands/state.rs, src/commands/watch.rs).
    /// `[store] backend` names no backend broker has (exit 2).
    UnknownBackend { name: String, config: String },
    /// `[store] backend = "redis"` without `url` or `BROKER_REDIS_URL` (exit 2).
    RedisNoUrl { config: String },
    /// A Redis URL broker cannot use (exit 2). `from` says where it came from; the URL itself
    /// is never a fact (it may hold a password). `why`: `not-a-url`, `scheme`, `no-host`,
    /// `client`.
    RedisBadUrl { from: String, why: &'static str },
    /// A `[store] prefix` outside the naming rule (exit 2).
    RedisBadPrefix { prefix: String, config: String },
    /// Redis cannot be reached or refused a command (exit 5). `url` is masked, `detail`
    /// scrubbed of the password and sanitized.
    RedisUnreachable { url: String, detail: String },
    /// A value under the prefix that broker did not write.
    RedisForeign { url: String, key: String },
    /// A compare-and-set found a newer write than this lease last read: nothing written.
    RedisChanged { profile: String },
    /// The lease was not obtained in time (exit 5); `holder` when known.
    LeaseTimeout {
        profile: String,
        known: bool,
        holder: String,
    },
    /// A state handed off by `state export` whose token is due (exit 3).
    HandedOff {
        profile: String,
        at: String,
        to: String,
    },
    /// `state export` of a state already handed off (exit 3).
    AlreadyHandedOff {
        profile: String,
        at: String,
        to: String,
    },
    /// `state export` of a profile with nothing stored (exit 2).
    NothingToExport { all: bool, profile: String },
    /// `state import` of something that is not a bundle (exit 2).
    NotABundle,
    /// `state import`: stdin could not be read (exit 2; `reason`, the system's words).
    CannotReadBundle { reason: String },
    /// `state import` of a bundle whose state is for another grant than the profile (exit 2).
    BundleGrant {
        profile: String,
        bundle: String,
        config: String,
    },
    /// `state import` of a bundle older than the stored state (exit 2 unless `--force`).
    BundleOlder {
        profile: String,
        bundle: String,
        stored: String,
    },
    /// `broker watch` on the file backend (exit 2).
    WatchNeedsRedis,
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
            | CannotReadAnswer { .. }
            | UnknownBackend { .. }
            | RedisNoUrl { .. }
            | RedisBadUrl { .. }
            | RedisBadPrefix { .. }
            | NothingToExport { .. }
            | NotABundle
            | CannotReadBundle { .. }
            | BundleGrant { .. }
            | BundleOlder { .. }
            | WatchNeedsRedis => Kind::Usage,
            FolderInTheWay { .. }
            | NotAFilePath { .. }
            | CannotEncryptIdentity { .. }
            | CannotEncrypt { .. }
            | ArmorNotText
            | SavedBeforeLoaded { .. }
            | CannotSerializeState { .. }
            | LockFileTimedOut { .. } => Kind::Internal,
            LockTimedOut { .. } | RedisUnreachable { .. } | LeaseTimeout { .. } => Kind::Network,
            NoTerminal { .. } | HandedOff { .. } | AlreadyHandedOff { .. } => Kind::NeedsPerson,
            _ => Kind::Store,
        }
    }
}

#[cfg(test)]
mod tests;
