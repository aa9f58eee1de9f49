//! The file backend: `<dir>/profiles/<name>.age` (the sealed bytes, written atomically),
//! `<dir>/locks/<name>.lock` (a `flock`, never deleted: deleting breaks flock semantics).
//!
//! A flock is held until it is dropped and dies with its process, so the lease never lapses
//! while its holder lives: `renew` has nothing to do and `lease_left` is "no term". The
//! version of a stored blob is the identity of its file (device, inode, size, mtime): every
//! write is an atomic rename of a new file, so every write has a new version.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::lock::{self, FileLock};
use super::{Backend, BackendLock, Place, Version, atomic, read};
use crate::error::{Error, Result, StoreError};
use crate::profile::ProfileName;

#[derive(Debug)]
pub struct FileBackend {
    dir: PathBuf,
}

impl FileBackend {
    pub fn new(dir: PathBuf) -> Self {
        FileBackend { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<dir>/profiles/<name>.age`.
    pub fn state_path(&self, profile: &ProfileName) -> PathBuf {
        self.profiles_dir()
            .join(format!("{}.age", profile.as_str()))
    }

    /// `<dir>/locks/<name>.lock`.
    pub fn lock_path(&self, profile: &ProfileName) -> PathBuf {
        self.dir
            .join("locks")
            .join(format!("{}.lock", profile.as_str()))
    }

    fn profiles_dir(&self) -> PathBuf {
        self.dir.join("profiles")
    }

    /// The stored bytes, and their version when `versioned` (a lock's read: the warm path
    /// of `broker token` reads without the lock and pays no `stat` for a version it ignores).
    fn read_blob(
        &self,
        profile: &ProfileName,
        versioned: bool,
    ) -> Result<Option<(Zeroizing<Vec<u8>>, Version)>> {
        let path = self.state_path(profile);
        // Taken before the read: if the file is replaced in between, the version is older than
        // the bytes, so a compare-and-set on it fails rather than passing wrongly.
        let version = if versioned { version_of(&path) } else { None };
        // Unreadable is a store failure (exit 6), like undecryptable.
        let Some(contents) = read::file(&path, read::MAX_STATE, read::FileRole::State(profile))?
        else {
            return Ok(None);
        };
        read::warn_if_writable_by_others(&path, contents.mode, read::Holds::State);
        Ok(Some((
            contents.bytes,
            version.unwrap_or_else(|| Version("none".into())),
        )))
    }

    /// Saves under the profile lock. The lock serialises every writer of the file, so temporary
    /// files found beside it are a dead writer's.
    fn write_blob(
        &self,
        profile: &ProfileName,
        expected: Option<&Version>,
        bytes: &[u8],
    ) -> Result<Version> {
        let path = self.state_path(profile);
        if version_of(&path).as_ref() != expected {
            return Err(changed(profile));
        }
        let unsaved = |e: Error| self.unsaved(profile, e);
        atomic::create_dir(&self.profiles_dir()).map_err(unsaved)?;
        let removed = atomic::remove_leftovers(&path);
        if removed > 0 {
            crate::ui::debug(
                1,
                format!(
                    "removed {} of a write of `{profile}` that died",
                    crate::ui::count(removed, "temporary file", "temporary files")
                ),
            );
        }
        atomic::write(&path, bytes, atomic::FILE_MODE).map_err(unsaved)?;
        version_of(&path).ok_or_else(|| changed(profile))
    }

    /// A state that could not be written (disk full, read-only or unwritable folder) is a
    /// store failure (exit 6), not a bug (exit 1): the person running broker must fix the
    /// machine, and a script can tell this apart from a crash. See docs/rotation.md.
    fn unsaved(&self, profile: &ProfileName, e: Error) -> Error {
        StoreError::CannotSave {
            profile: profile.to_string(),
            dir: self.dir.display().to_string(),
            cause: Box::new(e),
        }
        .into()
    }

    fn remove_blob(&self, profile: &ProfileName) -> Result<()> {
        let path = self.state_path(profile);
        match std::fs::remove_file(&path) {
            Ok(()) => atomic::sync_dir(&self.profiles_dir()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(crate::error::IoOp::Remove, &path, e)),
        }
    }
}

/// A compare-and-set that found another write (or a removal) since this lock last looked.
fn changed(profile: &ProfileName) -> Error {
    StoreError::StateChanged {
        profile: profile.to_string(),
    }
    .into()
}

/// The version of the file at `path` (its identity: a rename of a new file changes it);
/// `None` when there is none. One `stat`.
fn version_of(path: &Path) -> Option<Version> {
    let m = std::fs::metadata(path).ok()?;
    Some(Version(format!(
        "{:x}.{:x}.{:x}.{:x}.{:x}",
        m.dev(),
        m.ino(),
        m.size(),
        m.mtime(),
        m.mtime_nsec()
    )))
}

impl Backend for FileBackend {
    fn info(&self) -> super::BackendInfo {
        super::BackendInfo {
            name: "file",
            location: self.dir.display().to_string(),
            reachable: Ok(()),
            appendonly: None,
        }
    }

    fn holder(&self, profile: &ProfileName) -> Option<String> {
        if !self.held_elsewhere(profile) {
            return None;
        }
        lock::holder(&self.lock_path(profile)).map(|h| h.to_string())
    }

    fn read(&self, profile: &ProfileName) -> Result<Option<Zeroizing<Vec<u8>>>> {
        Ok(self.read_blob(profile, false)?.map(|(bytes, _)| bytes))
    }

    fn lock<'a>(
        &'a self,
        profile: &ProfileName,
        wait: Duration,
    ) -> Result<Box<dyn BackendLock + 'a>> {
        let path = self.lock_path(profile);
        // A lock that cannot be taken because the state folder is read-only or full is the
        // same store failure as a state that cannot be saved (exit 6).
        let store_failure = |e: Error| {
            Error::from(StoreError::CannotLock {
                profile: profile.to_string(),
                dir: self.dir.display().to_string(),
                cause: Box::new(e),
            })
        };
        atomic::create_dir(path.parent().unwrap_or(&self.dir)).map_err(store_failure)?;
        match FileLock::acquire_within(&path, wait).map_err(store_failure)? {
            Some(lock) => Ok(Box::new(FileBackendLock {
                backend: self,
                profile: profile.clone(),
                _lock: lock,
            })),
            // Giving up on a lock is a time-out like the network's (exit 5), naming the holder.
            None => {
                let holder = lock::holder(&path);
                Err(StoreError::LockTimedOut {
                    profile: profile.to_string(),
                    path: path.display().to_string(),
                    holder: match holder {
                        Some(h) if h.stopped => "stopped",
                        Some(_) => "running",
                        None => "none",
                    },
                    pid: holder.map(|h| h.pid.to_string()),
                }
                .into())
            }
        }
    }

    fn held_elsewhere(&self, profile: &ProfileName) -> bool {
        // Never creates the lock file; takes the lock for an instant when it is free.
        let lock = self.lock_path(profile);
        lock.exists() && matches!(FileLock::try_acquire(&lock), Ok(None))
    }

    fn remove(&self, profile: &ProfileName) -> Result<()> {
        self.remove_blob(profile)
    }

    fn profiles(&self) -> Result<Vec<ProfileName>> {
        let dir = self.profiles_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(crate::error::IoOp::List, &dir, e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(crate::error::IoOp::List, &dir, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            // Temporary files from a crashed write start with `.`, so they never parse as a
            // profile; foreign files are skipped rather than failing the listing.
            if atomic::is_temp_name(name) {
                continue;
            }
            if let Some(stem) = name.strip_suffix(".age")
                && let Ok(profile) = ProfileName::parse(stem)
            {
                out.push(profile);
            }
        }
        out.sort();
        Ok(out)
    }

    fn version(&self, profile: &ProfileName) -> Option<Version> {
        version_of(&self.state_path(profile))
    }

    fn location(&self, profile: &ProfileName) -> String {
        self.state_path(profile).display().to_string()
    }

    fn place(&self, profile: &ProfileName) -> Option<Place> {
        let dir = self.profiles_dir();
        // Resolved, so two spellings of one folder (a symlink, a relative `BROKER_STATE_DIR`)
        // are not taken for a copy.
        let dir = std::fs::canonicalize(&dir)
            .or_else(|_| std::path::absolute(&dir))
            .ok()?;
        let (host, machine) = this_machine();
        Some(Place {
            path: dir
                .join(format!("{}.age", profile.as_str()))
                .display()
                .to_string(),
            host: host.clone(),
            machine: machine.clone(),
        })
    }
}

/// This machine's host name and the hash of its machine id, read once per process.
fn this_machine() -> &'static (String, Option<String>) {
    static MACHINE: OnceLock<(String, Option<String>)> = OnceLock::new();
    MACHINE.get_or_init(|| {
        let host = nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Hashed with a broker-specific prefix, as systemd asks of programs that keep an id
        // derived from the machine id: the raw id is never stored.
        let machine = ["/etc/machine-id", "/var/lib/dbus/machine-id"]
            .iter()
            .find_map(|p| std::fs::read_to_string(p).ok())
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty())
            .map(|id| {
                let digest = Sha256::digest(format!("broker state place\n{id}").as_bytes());
                hex::encode(&digest[..8])
            });
        (host, machine)
    })
}

/// The file backend's lock: the flock on `<dir>/locks/<name>.lock`, plus the backend to read
/// and write through.
struct FileBackendLock<'a> {
    backend: &'a FileBackend,
    profile: ProfileName,
    _lock: FileLock,
}

impl BackendLock for FileBackendLock<'_> {
    fn read(&self) -> Result<Option<(Zeroizing<Vec<u8>>, Version)>> {
        self.backend.read_blob(&self.profile, true)
    }

    fn write(&mut self, expected: Option<&Version>, bytes: &[u8]) -> Result<Version> {
        self.backend.write_blob(&self.profile, expected, bytes)
    }

    fn remove(&mut self) -> Result<()> {
        self.backend.remove_blob(&self.profile)
    }

    fn renew(&mut self) -> Result<()> {
        // A flock has no term: held until dropped.
        Ok(())
    }

    fn lease_left(&self) -> Result<Option<std::time::Duration>> {
        // Only this process's death ends a flock, and then nothing asks.
        Ok(None)
    }

    fn profile(&self) -> &ProfileName {
        &self.profile
    }
}
