//! Exclusive per-profile locks: kernel advisory locks (`flock`) on a file that is never deleted.
//!
//! The kernel frees the lock when the holder's file is closed, including when its process is
//! killed, so a crash never leaves a stale lock behind and there is no lock-breaking logic.
//! Lock files are never removed: deleting one while another process waits on it would let two
//! processes each hold a lock on a different inode of the same name.
//!
//! The holder writes its pid into the file, so a waiter that gives up can say who holds it
//! (and whether that process is stopped, e.g. by Ctrl-Z). The pid is a hint for people, never
//! used to decide anything: the kernel's lock is the only truth.

use std::fs::{File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result, StoreError};

/// How long to sleep between two attempts at first; doubled up to [`MAX_POLL`]. Short, because a
/// rotation usually takes well under a second and the waiter should not lag far behind it.
const FIRST_POLL: Duration = Duration::from_millis(10);
const MAX_POLL: Duration = Duration::from_millis(100);

/// A held exclusive lock; released on drop (and by the kernel if the process dies).
#[derive(Debug)]
pub struct FileLock {
    file: File,
    path: PathBuf,
}

impl FileLock {
    /// Take the lock at `path`, waiting at most `wait` for another holder to let go.
    /// A timeout is an internal error (exit 1) naming the lock file.
    pub fn acquire(path: &Path, wait: Duration) -> Result<FileLock> {
        Self::acquire_within(path, wait)?.ok_or_else(|| {
            StoreError::LockFileTimedOut {
                path: path.display().to_string(),
            }
            .into()
        })
    }

    /// Take the lock at `path` if nobody holds it; `None` if someone does.
    pub fn try_acquire(path: &Path) -> Result<Option<FileLock>> {
        let file = open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(FileLock::held(file, path))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(Error::io(crate::error::IoOp::Lock, path, e))
            }
        }
    }

    /// Like [`FileLock::acquire`], but a timeout is `Ok(None)`, so the caller can word the error.
    ///
    /// Polls `try_lock` rather than blocking in `lock`, because a blocking `flock` cannot be
    /// given a deadline without signals; the wait is bounded by `wait` plus one short sleep.
    pub fn acquire_within(path: &Path, wait: Duration) -> Result<Option<FileLock>> {
        let deadline = Instant::now() + wait;
        let file = open(path)?;
        let mut pause = FIRST_POLL;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(FileLock::held(file, path))),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Error::io(crate::error::IoOp::Lock, path, e));
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(MAX_POLL);
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A lock just taken: records this process as its holder (best effort: a lock file that
    /// cannot be written is still a lock).
    fn held(file: File, path: &Path) -> FileLock {
        let pid = format!("{}\n", std::process::id());
        let _ = file
            .set_len(0)
            .and_then(|()| file.write_all_at(pid.as_bytes(), 0));
        FileLock {
            file,
            path: path.to_path_buf(),
        }
    }
}

/// Who holds (or last held) the lock at `path`, as its holder recorded it.
pub fn holder(path: &Path) -> Option<Holder> {
    let text = std::fs::read_to_string(path).ok()?;
    let pid: u32 = text.trim().parse().ok().filter(|&p| p > 0)?;
    Some(Holder {
        pid,
        stopped: is_stopped(pid),
    })
}

/// The process recorded in a lock file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    /// Stopped (Ctrl-Z, SIGSTOP) or stopped by a tracer, as `/proc` says.
    pub stopped: bool,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pid {}", self.pid)?;
        if self.stopped {
            f.write_str(", stopped")?;
        }
        Ok(())
    }
}

/// The state letter of `/proc/PID/stat` is `T` (stopped) or `t` (tracing stop).
fn is_stopped(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            // The command name may hold spaces and parentheses: the state follows the last `)`.
            let rest = &stat[stat.rfind(')')? + 1..];
            rest.split_whitespace().next().map(|s| s == "T" || s == "t")
        })
        .unwrap_or(false)
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // Closing the file releases the lock anyway; unlocking first makes the release not
        // depend on every duplicate of the descriptor being closed.
        let _ = self.file.unlock();
    }
}

/// Open (creating if needed) the lock file. A new lock file gets mode 0600 with `fchmod`,
/// which the umask does not touch.
fn open(path: &Path) -> Result<File> {
    match OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(file) => {
            file.set_permissions(Permissions::from_mode(0o600))
                .map_err(|e| Error::io(crate::error::IoOp::SetMode, path, e))?;
            Ok(file)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| Error::io(crate::error::IoOp::OpenLockFile, path, e)),
        Err(e) => Err(Error::io(crate::error::IoOp::CreateLockFile, path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn a_held_lock_blocks_a_second_open_in_the_same_process() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.lock");
        let held = FileLock::try_acquire(&p).unwrap().expect("free lock");
        // flock locks belong to the open file description, so a second open conflicts.
        assert!(FileLock::try_acquire(&p).unwrap().is_none());
        drop(held);
        assert!(FileLock::try_acquire(&p).unwrap().is_some());
        assert_eq!(std::fs::metadata(&p).unwrap().mode() & 0o777, 0o600);
    }

    #[test]
    fn acquire_times_out_within_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.lock");
        let _held = FileLock::acquire(&p, Duration::ZERO).unwrap();
        let start = Instant::now();
        let err = FileLock::acquire(&p, Duration::from_millis(150)).unwrap_err();
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(150), "{took:?}");
        assert!(took < Duration::from_secs(2), "{took:?}");
        assert!(err.message().contains("timed out"), "{}", err.message());
    }

    #[test]
    fn the_holder_records_its_pid() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.lock");
        let _held = FileLock::acquire(&p, Duration::ZERO).unwrap();
        assert_eq!(
            holder(&p),
            Some(Holder {
                pid: std::process::id(),
                stopped: false
            })
        );
        std::fs::write(dir.path().join("junk.lock"), "not a pid").unwrap();
        assert_eq!(holder(&dir.path().join("junk.lock")), None);
        assert_eq!(
            Holder {
                pid: 7,
                stopped: true
            }
            .to_string(),
            "pid 7, stopped"
        );
    }

    #[test]
    fn lock_file_is_kept_after_release() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.lock");
        drop(FileLock::acquire(&p, Duration::ZERO).unwrap());
        assert!(p.exists());
    }

    #[test]
    fn missing_folder_is_an_error_not_a_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let err =
            FileLock::acquire(&dir.path().join("none/x.lock"), Duration::from_secs(5)).unwrap_err();
        assert!(
            err.message().contains("create lock file"),
            "{}",
            err.message()
        );
    }
}
