//! Reading the files broker keeps (config, state, `current`, identity) without trusting what is
//! at their path: a FIFO would block the read forever, a device or an enormous file would fill
//! memory. Each is opened with `O_NONBLOCK` (so opening a FIFO never waits for a writer), its
//! type checked with `fstat` on the open file (no race with a rename), and at most a fixed cap
//! read. The caps are far beyond any real file; see docs/configuration.md.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

use nix::fcntl::OFlag;
use zeroize::Zeroizing;

use crate::error::internal::io_reason;
use crate::error::{Error, Result, StoreError};
use crate::profile::ProfileName;
use crate::store::error::{FileFacts, FileKind};
use crate::store::identity::IdentitySource;

/// The largest config read: a config with hundreds of profiles is a few hundred KiB.
pub const MAX_CONFIG: u64 = 4 << 20;
/// The largest state file read: a token, a refresh token and the hooks' last results.
pub const MAX_STATE: u64 = 4 << 20;
/// The largest `current` read: one profile name.
pub const MAX_CURRENT: u64 = 4 << 10;

/// A file read whole. Zeroised on drop: a config may hold a plaintext SecretKey, an identity
/// file is a key.
pub struct Contents {
    pub bytes: Zeroizing<Vec<u8>>,
    /// The permission bits, from the `fstat` of the file read.
    pub mode: u32,
}

/// Which of broker's files is read: how an error names it, and its exit code (a config or a
/// default profile that cannot be read is exit 2, like a bad config; a state or an identity
/// exit 6, like one that cannot be decrypted).
#[derive(Clone, Copy)]
pub enum FileRole<'a> {
    Config,
    UseDefault,
    State(&'a ProfileName),
    Identity(&'a IdentitySource),
}

impl FileRole<'_> {
    fn facts(&self, path: &Path) -> FileFacts {
        let (file, profile, source) = match self {
            FileRole::Config => (FileKind::Config, None, None),
            FileRole::UseDefault => (FileKind::UseDefault, None, None),
            FileRole::State(p) => (FileKind::State, Some(p.to_string()), None),
            FileRole::Identity(s) => (FileKind::Identity, None, Some(s.facts().source)),
        };
        FileFacts {
            file,
            path: path.display().to_string(),
            profile,
            source,
        }
    }
}

/// Reads the regular file at `path`, at most `max` bytes; `Ok(None)` when it does not exist.
/// Anything else (a folder, a FIFO, a device, a socket, a file over `max`, an I/O error) is one
/// error naming the file by its `role`: "cannot read ROLE: …".
pub fn file(path: &Path, max: u64, role: FileRole<'_>) -> Result<Option<Contents>> {
    let facts = || role.facts(path);
    let io_error = |e: &io::Error| -> Error {
        let cause = match e.kind() {
            io::ErrorKind::PermissionDenied => "permission-denied",
            _ => "other",
        };
        StoreError::CannotReadFile {
            file: facts(),
            reason: io_reason(e),
            cause,
        }
        .into()
    };
    let file = match open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(&e)),
    };
    let meta = file.metadata().map_err(|e| io_error(&e))?;
    let ft = meta.file_type();
    let other = if ft.is_dir() {
        Some("folder")
    } else if ft.is_fifo() {
        Some("fifo")
    } else if ft.is_char_device() || ft.is_block_device() {
        Some("device")
    } else if ft.is_socket() {
        Some("socket")
    } else if !ft.is_file() {
        Some("other")
    } else {
        None
    };
    if let Some(is) = other {
        return Err(StoreError::NotRegularFile { file: facts(), is }.into());
    }
    let too_large = || -> Error {
        let (max, unit) = if max >= 1 << 20 {
            (max >> 20, "mib")
        } else {
            (max >> 10, "kib")
        };
        StoreError::FileTooLarge {
            file: facts(),
            max,
            unit,
        }
        .into()
    };
    if meta.len() > max {
        return Err(too_large());
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0)));
    // One byte more than allowed tells a file that grew since the `fstat`.
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(&e))?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    Ok(Some(Contents {
        bytes,
        mode: meta.mode() & 0o7777,
    }))
}

/// Group or others may change the file: for the config (its hooks run as you) and a state file
/// (a forged state could point broker anywhere). The one check `doctor` and the warnings share.
pub fn writable_by_others(mode: u32) -> bool {
    mode & 0o022 != 0
}

/// What a file others may change holds, which says why that matters.
#[derive(Debug, Clone, Copy)]
pub enum Holds {
    /// The config: its hooks run as you.
    Hooks,
    /// A state file: broker trusts what it holds.
    State,
}

/// Warns (once per command and file) when others may change the file at `path`.
pub fn warn_if_writable_by_others(path: &Path, mode: u32, holds: Holds) {
    if writable_by_others(mode) {
        let path_text = path.display().to_string();
        let mode = format!("{:04o}", mode & 0o777);
        let text = match holds {
            Holds::Hooks => crate::t!("ui-writable-config", path = path_text.as_str(), mode = mode),
            Holds::State => crate::t!("ui-writable-state", path = path_text.as_str(), mode = mode),
        };
        crate::ui::warn_once(&path_text, text);
    }
}

fn open(path: &Path) -> io::Result<File> {
    // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; O_NOCTTY: a
    // terminal device never becomes broker's controlling terminal. Neither changes how a
    // regular file reads.
    OpenOptions::new()
        .read(true)
        .custom_flags((OFlag::O_NONBLOCK | OFlag::O_NOCTTY | OFlag::O_CLOEXEC).bits())
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_file_and_refuses_what_is_not_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"hello").unwrap();
        let c = file(&p, 5, FileRole::Config).unwrap().unwrap();
        assert_eq!(&c.bytes[..], b"hello");
        let profile = ProfileName::parse("prod").unwrap();
        let e = file(&p, 4, FileRole::State(&profile)).err().unwrap();
        assert_eq!(e.exit_code(), 6);
        assert_eq!(
            e.message(),
            format!(
                "cannot read the state of profile `prod` (`{}`): it is larger than 0 KiB",
                p.display()
            )
        );
        assert_eq!(
            e.hint().as_deref(),
            Some("is this the right file? broker's files are far smaller")
        );
        let e = file(&p, 4 << 20, FileRole::UseDefault).unwrap();
        assert!(e.is_some());
        assert!(
            file(&dir.path().join("none"), 5, FileRole::Config)
                .unwrap()
                .is_none()
        );
        let e = file(dir.path(), 5, FileRole::UseDefault).err().unwrap();
        assert_eq!(
            e.message(),
            format!(
                "cannot read the default profile `{}`: it is a folder, not a regular file",
                dir.path().display()
            )
        );
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.hint().as_deref(),
            Some("point broker at a regular file, or move this one out of the way")
        );
    }

    #[test]
    fn an_unreadable_file_is_named_by_its_role_with_the_systems_reason() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        std::fs::write(&p, vec![b'x'; 10]).unwrap();
        let source = IdentitySource::File(p.clone());
        let e = StoreError::CannotReadFile {
            file: FileRole::Identity(&source).facts(&p),
            reason: "permission denied".into(),
            cause: "permission-denied",
        };
        let e = Error::from(e);
        assert_eq!(
            e.message(),
            format!(
                "cannot read the age identity `{0}` (from `BROKER_AGE_KEY_FILE`): permission denied",
                p.display()
            )
        );
        assert_eq!(e.exit_code(), 6);
        assert_eq!(
            e.hint().as_deref(),
            Some("check the ownership and permissions of that path")
        );
        let e = Error::from(StoreError::FileTooLarge {
            file: FileRole::Config.facts(&p),
            max: 4,
            unit: "mib",
        });
        assert_eq!(
            e.message(),
            format!(
                "cannot read the config `{}`: it is larger than 4 MiB",
                p.display()
            )
        );
        assert_eq!(e.exit_code(), 2);
    }
}
