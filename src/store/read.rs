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

use crate::error::{Error, Kind, Result};

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

/// Reads the regular file at `path`, at most `max` bytes; `Ok(None)` when it does not exist.
/// Anything else (a folder, a FIFO, a device, a socket, a file over `max`, an I/O error) is one
/// error of `kind`: "cannot read WHAT: …", where `what` names the file and its path.
pub fn regular_file(path: &Path, max: u64, what: &str, kind: Kind) -> Result<Option<Contents>> {
    let fail = |why: String| Error::legacy(kind, format!("cannot read {what}: {why}"));
    let file = match open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(kind, what, &e)),
    };
    let meta = file.metadata().map_err(|e| io_error(kind, what, &e))?;
    let ft = meta.file_type();
    let other = if ft.is_dir() {
        Some("a folder")
    } else if ft.is_fifo() {
        Some("a FIFO")
    } else if ft.is_char_device() || ft.is_block_device() {
        Some("a device")
    } else if ft.is_socket() {
        Some("a socket")
    } else if !ft.is_file() {
        Some("not a file")
    } else {
        None
    };
    if let Some(other) = other {
        return Err(fail(format!("it is {other}, not a regular file"))
            .with_hint("point broker at a regular file, or move this one out of the way"));
    }
    let too_large = || {
        fail(format!("it is larger than {}", size(max)))
            .with_hint("is this the right file? broker's files are far smaller")
    };
    if meta.len() > max {
        return Err(too_large());
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0)));
    // One byte more than allowed tells a file that grew since the `fstat`.
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(kind, what, &e))?;
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

/// Warns (once per command and file) when others may change the file at `path`.
pub fn warn_if_writable_by_others(path: &Path, mode: u32, why: &str) {
    if writable_by_others(mode) {
        crate::ui::warn_once(
            &path.display().to_string(),
            format!(
                "`{}` is {:04o}: group or others can change it, and {why}",
                path.display(),
                mode & 0o777
            ),
        );
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

fn io_error(kind: Kind, what: &str, e: &io::Error) -> Error {
    let s = e.to_string();
    let reason = s
        .find(" (os error")
        .map_or(s.as_str(), |i| &s[..i])
        .to_lowercase();
    let err = Error::legacy(kind, format!("cannot read {what}: {reason}"));
    if e.kind() == io::ErrorKind::PermissionDenied {
        err.with_hint("check the ownership and permissions of that path")
    } else {
        err
    }
}

fn size(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{} KiB", n >> 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_file_and_refuses_what_is_not_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"hello").unwrap();
        let c = regular_file(&p, 5, "`f`", Kind::Usage).unwrap().unwrap();
        assert_eq!(&c.bytes[..], b"hello");
        let e = regular_file(&p, 4, "`f`", Kind::Store).err().unwrap();
        assert_eq!(e.exit_code(), 6);
        assert!(e.message().contains("larger than 0 KiB"), "{}", e.message());
        assert!(
            regular_file(&dir.path().join("none"), 5, "x", Kind::Usage)
                .unwrap()
                .is_none()
        );
        let e = regular_file(dir.path(), 5, "`d`", Kind::Usage)
            .err()
            .unwrap();
        assert_eq!(
            e.message(),
            "cannot read `d`: it is a folder, not a regular file"
        );
        assert_eq!(e.exit_code(), 2);
    }
}
