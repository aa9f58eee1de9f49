//! Errors, their hints, and the exit-code table of SPEC §7, in one place.
//!
//! Lower layers return `Error` values built with the constructors below; `main` prints
//! `error: …` plus an optional `hint: …` line and exits with [`Error::exit_code`].
//! Messages are lowercase, single-line, put values in backticks, and never carry a secret:
//! anything that came from a server or a user is passed through [`sanitize`] first.

use std::fmt;

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

/// A user-facing error: a kind, a one-line message and an optional hint.
pub struct Error {
    kind: Kind,
    message: String,
    hint: Option<String>,
    /// Already reported (e.g. by clap): print nothing more, just exit with the code.
    silent: bool,
    /// An exit code that is not the kind's: see [`Error::exit_with`].
    code: Option<u8>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: one_line(message.into()),
            hint: None,
            silent: false,
            code: None,
        }
    }

    /// The end of the program with `code`, everything already said: a closed stdout (exit 0,
    /// as `broker token | head -c1` expects), or the status of the command `exec` ran. The
    /// library returns it rather than exiting, so a caller (a test, an agent) keeps control.
    pub fn exit_with(code: u8) -> Self {
        let mut e = Self::new(Kind::Internal, "").silent();
        e.code = Some(code);
        e
    }

    /// [`Error::exit_with`] for an error that still has its message and hint to print.
    pub fn with_exit_code(mut self, code: u8) -> Self {
        self.code = Some(code);
        self
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Kind::Internal, message)
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }
    pub fn needs_person(message: impl Into<String>) -> Self {
        Self::new(Kind::NeedsPerson, message)
    }
    pub fn credentials(message: impl Into<String>) -> Self {
        Self::new(Kind::Credentials, message)
    }
    pub fn network(message: impl Into<String>) -> Self {
        Self::new(Kind::Network, message)
    }
    pub fn store(message: impl Into<String>) -> Self {
        Self::new(Kind::Store, message)
    }
    pub fn hook(message: impl Into<String>) -> Self {
        Self::new(Kind::Hook, message)
    }

    /// An I/O failure on `path`, while `doing` something (e.g. "write", "read").
    pub fn io(doing: &str, path: &std::path::Path, err: std::io::Error) -> Self {
        let kind = Kind::Internal;
        let mut e = Self::new(
            kind,
            format!("cannot {doing} `{}`: {}", path.display(), io_reason(&err)),
        );
        match err.kind() {
            std::io::ErrorKind::PermissionDenied => {
                e.hint = Some("check the ownership and permissions of that path".into())
            }
            std::io::ErrorKind::StorageFull => {
                e.hint = Some("free some disk space and try again".into())
            }
            _ => {}
        }
        e
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(one_line(hint.into()));
        self
    }

    /// The same error under another kind (e.g. an I/O failure on the config is a config error).
    pub fn with_kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    /// Rewrites the message (to add where it happened), keeping kind and hint.
    pub fn map_message(mut self, f: impl FnOnce(&str) -> String) -> Self {
        self.message = one_line(f(&self.message));
        self
    }

    /// Marks the error as already reported to the user.
    pub fn silent(mut self) -> Self {
        self.silent = true;
        self
    }
    pub fn is_silent(&self) -> bool {
        self.silent
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }
    pub fn message(&self) -> &str {
        &self.message
    }
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
    pub fn exit_code(&self) -> u8 {
        self.code.unwrap_or(self.kind.exit_code())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {}

/// The reason part of an I/O error, without the "(os error N)" noise.
fn io_reason(err: &std::io::Error) -> String {
    let s = err.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_lowercase(),
        None => s.to_lowercase(),
    }
}

/// Folds a message onto one line so an error is always exactly one line on stderr.
fn one_line(s: String) -> String {
    if s.contains(['\n', '\r']) {
        s.split(['\n', '\r'])
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        s
    }
}

// One rule for echoing outside text, shared with the emulator (it echoes request text back).
pub use broker_wire::text::{is_unsafe_to_echo, sanitize};

#[cfg(test)]
mod tests {
    #[test]
    fn exit_with_carries_its_code_silently_and_keeps_a_message_otherwise() {
        let quiet = Error::exit_with(0);
        assert_eq!(quiet.exit_code(), 0);
        assert!(quiet.is_silent());
        let not_found = Error::internal("cannot run `x`: not found")
            .with_exit_code(127)
            .with_hint("check the command's name and `PATH`");
        assert_eq!(not_found.exit_code(), 127);
        assert!(!not_found.is_silent());
        assert_eq!(
            not_found.hint(),
            Some("check the command's name and `PATH`")
        );
    }

    use super::*;

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
    fn messages_are_one_line() {
        let e = Error::usage("first\nsecond\r\nthird").with_hint("a\nb");
        assert_eq!(e.message(), "first; second; third");
        assert_eq!(e.hint(), Some("a; b"));
    }
}
