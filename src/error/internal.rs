//! Internal errors (exit 1): the environment failed in a way broker did not expect — an I/O
//! error on a path, a program that could not be started — or broker has a bug.

use serde::Serialize;

use super::Kind;

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum InternalError {
    /// An I/O failure on a path.
    Io {
        op: IoOp,
        path: String,
        /// The operating system's words (`permission denied`), without `(os error N)`.
        reason: String,
        /// Picks the hint: `permission-denied`, `storage-full`, or `other`.
        cause: &'static str,
    },
    /// A program could not be started (`exec`'s command). `cause`: `not-found`,
    /// `not-executable` or `other` (then `reason` says what).
    CannotRun {
        command: String,
        cause: &'static str,
        reason: String,
    },
    /// A panic (a bug) at `file`:`line` (`line` 0: unknown). Never its payload.
    Panic { file: String, line: u32 },
    /// Standard output cannot be written (other than a closed pipe, which is exit 0).
    Stdout { reason: String },
    /// A state the code rules out was reached: a bug; `what` says which, for the report.
    Unreachable { what: &'static str },
    /// Nothing to say: the error was reported already (by clap), or is only an exit status.
    AlreadyReported,

    // The commands (src/commands).
    /// `broker completions`: the registration script could not be written.
    CannotWriteCompletions { reason: String },
    /// `broker man`: the man page could not be rendered.
    CannotRenderManPage { reason: String },
    /// `broker demo`: its temporary home could not be created.
    CannotCreateDemoHome { reason: String },
    /// `broker demo`: broker itself could not be started.
    CannotRunBroker { reason: String },
    /// `broker demo`: waiting for a broker it started failed (the system's words only).
    CannotWaitForBroker { reason: String },
    /// `broker demo`: the device login it started never showed a code (20 s).
    DemoNoDeviceCode,
    /// `broker demo`: the device login it started failed.
    DemoLoginFailed,
    /// `broker demo`: a step (`broker {command}`) exited non-zero.
    DemoStepFailed { command: String },
    /// `exec`: the signal handlers could not be installed.
    CannotWatchSignals { reason: String },
    /// `exec`: the child's process id does not fit a `pid_t`.
    PidOutOfRange,
    /// `exec`: waiting for the command failed.
    CannotWaitForCommand { reason: String },
    /// `agent`: its socket `path` could not be set up or served (the system's words only).
    AgentSocket { path: String, reason: String },
    /// A client: the agent's answer could not be read as its protocol says.
    AgentAnswer { reason: String },
}

impl InternalError {
    pub fn kind(&self) -> Kind {
        Kind::Internal
    }

    pub fn io(op: IoOp, path: &std::path::Path, err: &std::io::Error) -> Self {
        let cause = match err.kind() {
            std::io::ErrorKind::PermissionDenied => "permission-denied",
            std::io::ErrorKind::StorageFull => "storage-full",
            _ => "other",
        };
        InternalError::Io {
            op,
            path: path.display().to_string(),
            reason: io_reason(err),
            cause,
        }
    }
}

/// What broker was doing with a path when the operating system said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IoOp {
    Read,
    Write,
    WriteInto,
    AppendTo,
    Create,
    CreateFolder,
    CreateTempIn,
    CreateLockFile,
    Open,
    OpenLockFile,
    Inspect,
    List,
    Lock,
    Remove,
    SetMode,
    Sync,
    SyncFolder,
}

/// The reason part of an I/O error, without the "(os error N)" noise.
pub(crate) fn io_reason(err: &std::io::Error) -> String {
    let s = err.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_lowercase(),
        None => s.to_lowercase(),
    }
}
