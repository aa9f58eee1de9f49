//! Errors: one typed enum per domain, the exit-code table of SPEC §7, and the one place an
//! error becomes words.
//!
//! A layer raises its own domain's error — [`UsageError`], [`ConfigError`], [`StoreError`],
//! [`GrantError`], [`HookError`], [`InternalError`] — as a value: a variant naming what went
//! wrong and the facts of it (a profile name, a path, Baidu's code), never prose. `?` turns it
//! into an [`Error`]. A caller higher up may add a [`Note`] (where it happened, what it means
//! there). Each variant says its exit code through [`Kind`].
//!
//! Words come last, in [`Error::render`] alone: the error is serialized to its record — the
//! domain, the variant's code and its facts, then the notes — and each piece is looked up in
//! the message catalog (`i18n/<lang>/*.ftl`, see [`crate::catalog`]) under the id
//! `<domain>-<code>`, with the facts as Fluent variables; a `.hint` attribute gives the
//! `hint:` line. The same record is what the state keeps when it must remember an error
//! (`needs_login`): codes and facts, rendered again when shown.
//!
//! Facts never carry a secret: anything that came from a server or a user is passed through
//! [`sanitize`] (or the scrubber) before it becomes a fact.

mod hint;
pub(crate) mod internal;
mod note;
mod usage;

use std::fmt;

use serde::Serialize;

pub use crate::config::error::ConfigError;
pub use crate::grant::error::GrantError;
pub use crate::hooks::error::HookError;
pub use crate::store::error::StoreError;
pub use hint::Hint;
pub use internal::{InternalError, IoOp};
pub use note::Note;
pub use usage::UsageError;

/// What kind of failure this is; the exit code follows from it and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 1: a bug or an unexpected environment failure.
    Internal,
    /// 2: bad flag, bad TOML, unknown profile, plaintext secret, bad name.
    Usage,
    /// 3: a person must act (log in, answer a prompt that cannot be shown).
    NeedsPerson,
    /// 4: Baidu rejected the app's credentials.
    Credentials,
    /// 5: Baidu unreachable, 5xx, throttled or timed out, after retries.
    Network,
    /// 6: the secret store: identity, passphrase, ciphertext.
    Store,
    /// 7: the token was rotated and saved, but a hook failed.
    Hook,
}

impl Kind {
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Internal => 1,
            Kind::Usage => 2,
            Kind::NeedsPerson => 3,
            Kind::Credentials => 4,
            Kind::Network => 5,
            Kind::Store => 6,
            Kind::Hook => 7,
        }
    }
}

/// What went wrong, in the domain that found it. Serialized as
/// `{"domain": "config", "code": "unknown-profile", …facts}`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "domain", rename_all = "kebab-case")]
pub enum Problem {
    Usage(UsageError),
    Config(ConfigError),
    Store(StoreError),
    Grant(GrantError),
    Hooks(HookError),
    Internal(InternalError),
}

impl Problem {
    pub fn kind(&self) -> Kind {
        match self {
            Problem::Usage(e) => e.kind(),
            Problem::Config(e) => e.kind(),
            Problem::Store(e) => e.kind(),
            Problem::Grant(e) => e.kind(),
            Problem::Hooks(e) => e.kind(),
            Problem::Internal(e) => e.kind(),
        }
    }
}

/// A user-facing error: a [`Problem`] with the [`Note`]s callers added, innermost first.
/// Boxed, so that a `Result` stays one pointer wide on the hot path.
#[derive(Clone)]
pub struct Error(Box<Inner>);

#[derive(Clone)]
struct Inner {
    problem: Problem,
    notes: Vec<Note>,
    /// Already reported (e.g. by clap): print nothing more, just exit with the code.
    silent: bool,
    /// An exit code that is not the kind's: see [`Error::exit_with`].
    code: Option<u8>,
}

/// An error in words: the `error:` line and the `hint:` line, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub message: String,
    pub hint: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(problem: Problem) -> Self {
        Error(Box::new(Inner {
            problem,
            notes: Vec::new(),
            silent: false,
            code: None,
        }))
    }

    /// The end of the program with `code`, everything already said: a closed stdout (exit 0,
    /// as `broker token | head -c1` expects), or the status of the command `exec` ran. The
    /// library returns it rather than exiting, so a caller (a test, an agent) keeps control.
    pub fn exit_with(code: u8) -> Self {
        let mut e = Self::from(InternalError::AlreadyReported).silent();
        e.0.code = Some(code);
        e
    }

    /// [`Error::exit_with`] for an error that still has its message and hint to print.
    pub fn with_exit_code(mut self, code: u8) -> Self {
        self.0.code = Some(code);
        self
    }

    /// An I/O failure on `path` while doing `op`.
    pub fn io(op: IoOp, path: &std::path::Path, err: std::io::Error) -> Self {
        InternalError::io(op, path, &err).into()
    }

    /// Adds what the caller knows: where it happened, what it means there. The note's
    /// message wraps this one (its `$error`), and its hint, if it has one, replaces the hint.
    pub fn note(mut self, note: Note) -> Self {
        self.0.notes.push(note);
        self
    }

    /// Marks the error as already reported to the user.
    pub fn silent(mut self) -> Self {
        self.0.silent = true;
        self
    }
    pub fn is_silent(&self) -> bool {
        self.0.silent
    }

    pub fn problem(&self) -> &Problem {
        &self.0.problem
    }
    pub fn notes(&self) -> &[Note] {
        &self.0.notes
    }
    pub fn kind(&self) -> Kind {
        self.0.problem.kind()
    }
    pub fn exit_code(&self) -> u8 {
        self.0.code.unwrap_or(self.kind().exit_code())
    }

    /// The record of this error: its domain, code and facts, and its notes. What the state
    /// keeps of an error, and what [`Error::render`] renders.
    pub fn record(&self) -> serde_json::Value {
        let mut record = serde_json::to_value(&self.0.problem).unwrap_or_default();
        if !self.0.notes.is_empty()
            && let Some(map) = record.as_object_mut()
        {
            let notes = serde_json::to_value(&self.0.notes).unwrap_or_default();
            map.insert("notes".into(), notes);
        }
        record
    }

    /// The error in the user's language: the one place an error becomes words.
    pub fn render(&self) -> Rendered {
        crate::catalog::render_record(&self.record())
    }

    /// The `error:` line's text, in the user's language.
    pub fn message(&self) -> String {
        self.render().message
    }
    pub fn hint(&self) -> Option<String> {
        self.render().hint
    }
}

impl<E: Into<Problem>> From<E> for Error {
    fn from(problem: E) -> Self {
        Error::new(problem.into())
    }
}

macro_rules! domain {
    ($($variant:ident($ty:ty)),*) => {$(
        impl From<$ty> for Problem {
            fn from(e: $ty) -> Self {
                Problem::$variant(e)
            }
        }
    )*};
}
domain!(
    Usage(UsageError),
    Config(ConfigError),
    Store(StoreError),
    Grant(GrantError),
    Hooks(HookError),
    Internal(InternalError)
);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// The record, not the words: a `Debug` print never depends on the catalog. Facts carry no
/// secret, so neither does this.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind(), self.record())
    }
}

impl std::error::Error for Error {}

/// An error inside another (a variant's `cause`) is kept as its record.
impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.record().serialize(serializer)
    }
}

// One rule for echoing outside text, shared with the emulator (it echoes request text back).
pub use broker_wire::text::{is_unsafe_to_echo, sanitize};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_with_carries_its_code_silently_and_keeps_a_message_otherwise() {
        let quiet = Error::exit_with(0);
        assert_eq!(quiet.exit_code(), 0);
        assert!(quiet.is_silent());
        let not_found = Error::from(InternalError::CannotRun {
            command: "x".into(),
            cause: "not-found",
            reason: String::new(),
        })
        .with_exit_code(127);
        assert_eq!(not_found.exit_code(), 127);
        assert!(!not_found.is_silent());
        assert_eq!(not_found.message(), "cannot run `x`: not found");
    }

    #[test]
    fn exit_codes_follow_the_spec_table() {
        let table = [
            (Kind::Internal, 1),
            (Kind::Usage, 2),
            (Kind::NeedsPerson, 3),
            (Kind::Credentials, 4),
            (Kind::Network, 5),
            (Kind::Store, 6),
            (Kind::Hook, 7),
        ];
        for (kind, code) in table {
            assert_eq!(kind.exit_code(), code, "{kind:?}");
        }
    }

    #[test]
    fn the_record_is_codes_and_facts_and_renders_back_to_the_same_words() {
        let e = Error::from(UsageError::InvalidProfileName {
            name: "prod!".into(),
        });
        let record = e.record();
        assert_eq!(record["domain"], "usage");
        assert_eq!(record["code"], "invalid-profile-name");
        assert_eq!(record["name"], "prod!");
        assert_eq!(crate::catalog::render_record(&record), e.render());
        assert_eq!(e.message(), "invalid profile name `prod!`");
    }

    #[test]
    fn an_io_failure_names_the_operation_and_path_and_hints_by_its_cause() {
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let e = Error::io(IoOp::Write, std::path::Path::new("/x/y"), denied);
        assert_eq!(e.message(), "cannot write `/x/y`: permission denied");
        assert_eq!(
            e.hint().as_deref(),
            Some("check the ownership and permissions of that path")
        );
        let other = std::io::Error::other("boom");
        let e = Error::io(IoOp::Read, std::path::Path::new("/x"), other);
        assert_eq!(
            (e.message().as_str(), e.hint()),
            ("cannot read `/x`: boom", None)
        );
    }

    #[test]
    fn a_note_wraps_the_message_and_may_replace_the_hint() {
        let e = Error::from(UsageError::InvalidProfileName {
            name: "prod!".into(),
        })
        .note(Note::FromEnv {
            var: "BROKER_PROFILE".into(),
        });
        assert_eq!(
            e.message(),
            "invalid profile name `prod!` (from `BROKER_PROFILE`)"
        );
        assert!(e.hint().unwrap().starts_with("a name starts with"));
        assert_eq!(e.record()["notes"][0]["note"], "from-env");
        let e = e.note(Note::Hint {
            hint: Hint::Login {
                profile: "prod".into(),
            },
        });
        assert_eq!(e.hint().as_deref(), Some("run `broker login prod`"));
    }

    #[test]
    fn an_error_inside_another_gives_its_message_and_its_hint() {
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let inner = Error::io(
            IoOp::CreateLockFile,
            std::path::Path::new("/s/p.lock"),
            denied,
        );
        let e = Error::from(StoreError::CannotLock {
            profile: "p".into(),
            dir: "/s".into(),
            cause: Box::new(inner),
        });
        assert_eq!(
            e.message(),
            "cannot lock profile `p`: cannot create lock file `/s/p.lock`: permission denied"
        );
        assert_eq!(
            e.hint().as_deref(),
            Some("check the ownership and permissions of that path")
        );
        let other = Error::io(
            IoOp::Lock,
            std::path::Path::new("/s/p.lock"),
            std::io::Error::other("x"),
        );
        let e = Error::from(StoreError::CannotLock {
            profile: "p".into(),
            dir: "/s".into(),
            cause: Box::new(other),
        });
        assert_eq!(
            e.hint().as_deref(),
            Some("broker must be able to write `/s` (or set `BROKER_STATE_DIR`)")
        );
        assert_eq!(e.kind(), Kind::Store);
    }

    /// Every variant of every domain has its message in the catalog, and every message in the
    /// catalog belongs to a variant: nothing is said that the code cannot raise, and nothing
    /// raised lacks words. (The variables each message uses are checked where the messages
    /// are rendered: a missing one fails any debug build's test that renders it.)
    #[test]
    fn the_catalog_and_the_error_enums_name_the_same_messages() {
        use strum::VariantNames;
        let mut wanted: Vec<String> = Vec::new();
        let mut add = |prefix: &str, names: &[&str]| {
            wanted.extend(names.iter().map(|n| format!("{prefix}-{n}")));
        };
        add("usage", UsageError::VARIANTS);
        add("config", ConfigError::VARIANTS);
        add("store", StoreError::VARIANTS);
        add("grant", GrantError::VARIANTS);
        add("hooks", HookError::VARIANTS);
        add("internal", InternalError::VARIANTS);
        add("note", Note::VARIANTS);
        add("hint", Hint::VARIANTS);
        let catalog: Vec<String> = crate::catalog::tests::ids()
            .into_iter()
            // What broker says when nothing failed (src/help.rs, the `ui-` lines).
            .filter(|(_, file)| !matches!(*file, "ui.ftl" | "help.ftl"))
            .map(|(id, _)| id)
            .filter(|id| !crate::catalog::NOT_ERRORS.contains(&id.as_str()))
            .collect();
        for id in &wanted {
            assert!(catalog.contains(id), "`{id}` has no message in i18n/en-US");
        }
        for id in &catalog {
            assert!(wanted.contains(id), "`{id}` in i18n/en-US names no variant");
        }
    }
}
