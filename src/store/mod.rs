//! The state store: age vault, identity, per-profile lock, atomic writes, state schema.
//!
//! Readers never lock: every write is an atomic rename, so a reader sees the old state or the
//! new one. Writers (rotation) take the profile's exclusive lock, re-read the state under it,
//! and save before releasing it, which makes rotation single-flight across processes.

pub mod atomic;
pub mod identity;
pub mod lock;
pub mod read;
pub mod state;
pub mod vault;

pub use state::{InFlight, Place, TokenState};
pub use vault::Vault;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::error::{Error, Kind, Result};
use crate::profile::ProfileName;
use lock::FileLock;

/// How long `rekey` waits for a rotation in progress on each profile.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(60);

/// The per-profile state store. One small interface so a Redis backend can implement it later;
/// only the file backend exists now.
pub trait StateStore {
    /// The profile's state, or None if nothing is stored. Takes no lock (a reader never blocks);
    /// safe because every write is an atomic rename.
    fn load(&self, profile: &ProfileName) -> Result<Option<TokenState>>;
    /// Take the profile's exclusive rotation lock, waiting at most `wait`; after that a time-out
    /// (exit 5) naming the profile and, when known, the holder's pid.
    fn lock<'a>(
        &'a self,
        profile: &ProfileName,
        wait: Duration,
    ) -> Result<Box<dyn ProfileLock + 'a>>;
    /// Forget the profile's state (logout, profile remove). Idempotent. Takes no lock: to keep
    /// a concurrent rotation from writing the state back, use [`ProfileLock::remove`].
    fn remove(&self, profile: &ProfileName) -> Result<()>;
    /// Profiles that have state, sorted.
    fn profiles(&self) -> Result<Vec<ProfileName>>;
    /// Where the profile's state lives, for [`TokenState::written_at`], so that a state read
    /// back elsewhere is known to be a copy. `None` when the backend cannot tell.
    fn place(&self, _profile: &ProfileName) -> Option<Place> {
        None
    }
}

/// Held while rotating; released on drop (and by the kernel if the process dies).
pub trait ProfileLock {
    /// Re-read the state under the lock.
    fn load(&self) -> Result<Option<TokenState>>;
    /// Write the state durably (encrypted, atomic, fsynced) before returning.
    fn save(&mut self, state: &TokenState) -> Result<()>;
    /// Forget the state under the lock. Idempotent.
    fn remove(&mut self) -> Result<()>;
    /// The profile this lock is for.
    fn profile(&self) -> &ProfileName;
}

/// What a journal mark found in a state means right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Journal<'a> {
    /// Another process holds the profile's lock: the refresh is under way.
    UnderWay(&'a InFlight),
    /// Nobody holds the lock: the refresh was interrupted (its process died, or gave up
    /// without an answer). The next rotation presents the refresh token once more.
    Interrupted(&'a InFlight),
}

/// The file backend: `<dir>/profiles/<name>.age` (binary age, encrypted to the vault's
/// recipients), `<dir>/locks/<name>.lock` (never deleted: deleting breaks flock semantics).
#[derive(Debug)]
pub struct FileStore {
    dir: PathBuf,
    vault: Vault,
}

impl FileStore {
    pub fn new(dir: PathBuf, vault: Vault) -> Self {
        FileStore { dir, vault }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
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

    /// Re-encrypt every state file to the vault's current recipients (for `secret rekey`);
    /// returns how many. Each profile is re-encrypted under its lock, so a rotation running at
    /// the same time is neither lost nor left encrypted to the old recipients by us.
    pub fn rekey(&self) -> Result<usize> {
        self.vault.check_recipients()?;
        let mut count = 0;
        for profile in self.profiles()? {
            let mut guard = self.lock(&profile, DEFAULT_LOCK_WAIT)?;
            // The file may have been removed since it was listed.
            if let Some(state) = guard.load()? {
                guard.save(&state)?;
                count += 1;
            }
        }
        Ok(count)
    }

    fn profiles_dir(&self) -> PathBuf {
        self.dir.join("profiles")
    }

    /// The journal mark of `state`, told apart as under way or interrupted by whether anyone
    /// holds the profile's lock: the one check `status` and `doctor` share. Never creates the
    /// lock file; takes the lock for an instant when it is free.
    pub fn journal<'a>(&self, profile: &ProfileName, state: &'a TokenState) -> Option<Journal<'a>> {
        let mark = state.refresh_in_flight.as_ref()?;
        let lock = self.lock_path(profile);
        let live = lock.exists() && matches!(FileLock::try_acquire(&lock), Ok(None));
        Some(if live {
            Journal::UnderWay(mark)
        } else {
            Journal::Interrupted(mark)
        })
    }

    fn read_state(&self, profile: &ProfileName) -> Result<Option<TokenState>> {
        let path = self.state_path(profile);
        // Unreadable is a store failure (exit 6), like undecryptable.
        let what = format!("the state of profile `{profile}` (`{}`)", path.display());
        let Some(contents) = read::regular_file(&path, read::MAX_STATE, &what, Kind::Store)? else {
            return Ok(None);
        };
        read::warn_if_writable_by_others(&path, contents.mode, "broker trusts what it holds");
        let bytes = contents.bytes;
        let what = format!(
            "cannot read the state of profile `{profile}` (`{}`)",
            path.display()
        );
        let plain = self
            .vault
            .decrypt(&bytes)
            .map_err(|e| vault::in_context(e, &what))?;
        TokenState::from_json(&plain)
            .map(Some)
            .map_err(|e| vault::in_context(e, &what))
    }

    /// Saves under the profile lock. The lock serialises every writer of the file, so temporary
    /// files found beside it are a dead writer's.
    fn write_state(&self, profile: &ProfileName, state: &TokenState) -> Result<()> {
        let path = self.state_path(profile);
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
        let json = state.to_json()?;
        let ciphertext = self.vault.encrypt(&json, false)?;
        atomic::write(&path, &ciphertext, atomic::FILE_MODE).map_err(unsaved)
    }

    /// A state that could not be written (disk full, read-only or unwritable folder) is a
    /// store failure (exit 6), not a bug (exit 1): the person running broker must fix the
    /// machine, and a script can tell this apart from a crash. See docs/rotation.md.
    fn unsaved(&self, profile: &ProfileName, e: Error) -> Error {
        let hint = e.hint().map(str::to_owned).unwrap_or_else(|| {
            format!(
                "broker must be able to write `{}` (or set `BROKER_STATE_DIR`)",
                self.dir.display()
            )
        });
        Error::store(format!(
            "cannot save the state of profile `{profile}`: {}",
            e.message()
        ))
        .with_hint(hint)
    }

    fn remove_state(&self, profile: &ProfileName) -> Result<()> {
        let path = self.state_path(profile);
        match std::fs::remove_file(&path) {
            Ok(()) => atomic::sync_dir(&self.profiles_dir()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io("remove", &path, e)),
        }
    }
}

impl StateStore for FileStore {
    fn load(&self, profile: &ProfileName) -> Result<Option<TokenState>> {
        self.read_state(profile)
    }

    fn lock<'a>(
        &'a self,
        profile: &ProfileName,
        wait: Duration,
    ) -> Result<Box<dyn ProfileLock + 'a>> {
        let path = self.lock_path(profile);
        // A lock that cannot be taken because the state folder is read-only or full is the
        // same store failure as a state that cannot be saved (exit 6).
        let store_failure = |e: Error| {
            let hint = e.hint().map(str::to_owned).unwrap_or_else(|| {
                format!(
                    "broker must be able to write `{}` (or set `BROKER_STATE_DIR`)",
                    self.dir.display()
                )
            });
            e.with_kind(Kind::Store)
                .map_message(|m| format!("cannot lock profile `{profile}`: {m}"))
                .with_hint(hint)
        };
        atomic::create_dir(path.parent().unwrap_or(&self.dir)).map_err(store_failure)?;
        match FileLock::acquire_within(&path, wait).map_err(store_failure)? {
            Some(lock) => Ok(Box::new(FileProfileLock {
                store: self,
                profile: profile.clone(),
                _lock: lock,
            })),
            // Giving up on a lock is a time-out like the network's (exit 5), naming the holder.
            None => {
                let holder = lock::holder(&path);
                let who = holder.map(|h| format!(" ({h})")).unwrap_or_default();
                let hint = match holder {
                    Some(h) if h.stopped => format!(
                        "pid {} is stopped (Ctrl-Z?): resume it (`fg`, or `kill -CONT {}`) or end it, then try again",
                        h.pid, h.pid
                    ),
                    _ => format!(
                        "another broker is rotating this profile; try again, or see who holds `{}`",
                        path.display()
                    ),
                };
                Err(Error::network(format!(
                    "timed out waiting for the lock on profile `{profile}` held by another broker process{who}"
                ))
                .with_hint(hint))
            }
        }
    }

    fn remove(&self, profile: &ProfileName) -> Result<()> {
        self.remove_state(profile)
    }

    fn profiles(&self) -> Result<Vec<ProfileName>> {
        let dir = self.profiles_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io("list", &dir, e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("list", &dir, e))?;
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

/// The file backend's lock: the flock on `<dir>/locks/<name>.lock`, plus the store to read and
/// write through.
struct FileProfileLock<'a> {
    store: &'a FileStore,
    profile: ProfileName,
    _lock: FileLock,
}

impl ProfileLock for FileProfileLock<'_> {
    fn load(&self) -> Result<Option<TokenState>> {
        self.store.read_state(&self.profile)
    }

    fn save(&mut self, state: &TokenState) -> Result<()> {
        self.store.write_state(&self.profile, state)
    }

    fn remove(&mut self) -> Result<()> {
        self.store.remove_state(&self.profile)
    }

    fn profile(&self) -> &ProfileName {
        &self.profile
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::AccessToken;
    use age::x25519;
    use chrono::Utc;
    use identity::IdentitySource;

    fn store(dir: &Path) -> FileStore {
        let key = x25519::Identity::generate();
        FileStore::new(
            dir.to_path_buf(),
            Vault::new(
                vec![key.to_public().to_string()],
                IdentitySource::Key(key.to_string()),
            ),
        )
    }

    fn name(s: &str) -> ProfileName {
        ProfileName::parse(s).unwrap()
    }

    fn state() -> TokenState {
        let now = Utc::now();
        TokenState::new(
            "ai",
            AccessToken::new("24.abc"),
            now + chrono::TimeDelta::days(30),
            now,
        )
    }

    #[test]
    fn the_store_can_be_shared_across_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<FileStore>();
        send_sync::<Vault>();
    }

    #[test]
    fn load_of_nothing_is_none_and_remove_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        assert!(s.load(&name("p")).unwrap().is_none());
        assert!(s.profiles().unwrap().is_empty());
        s.remove(&name("p")).unwrap();
    }

    #[test]
    fn save_load_list_remove() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        for p in ["b", "a"] {
            let mut l = s.lock(&name(p), Duration::ZERO).unwrap();
            assert!(l.load().unwrap().is_none());
            l.save(&state()).unwrap();
            assert_eq!(l.profile(), &name(p));
        }
        assert_eq!(
            s.load(&name("a")).unwrap().unwrap().access_token.expose(),
            "24.abc"
        );
        assert_eq!(s.profiles().unwrap(), vec![name("a"), name("b")]);
        s.remove(&name("a")).unwrap();
        assert_eq!(s.profiles().unwrap(), vec![name("b")]);
        let mut l = s.lock(&name("b"), Duration::ZERO).unwrap();
        l.remove().unwrap();
        l.remove().unwrap();
        drop(l);
        assert!(s.profiles().unwrap().is_empty());
        // Lock files stay.
        assert!(s.lock_path(&name("a")).exists());
    }

    #[test]
    fn the_lock_is_exclusive_and_times_out_with_the_profile_named() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        let _held = s.lock(&name("p"), Duration::ZERO).unwrap();
        let err = s.lock(&name("p"), Duration::from_millis(50)).err().unwrap();
        // SPEC: giving up on a lock is exit 5, and the holder is named.
        assert_eq!(err.exit_code(), 5);
        assert_eq!(
            err.message(),
            format!(
                "timed out waiting for the lock on profile `p` held by another broker process (pid {})",
                std::process::id()
            )
        );
        // Other profiles are independent.
        assert!(s.lock(&name("q"), Duration::ZERO).is_ok());
    }

    #[test]
    fn the_place_of_a_state_is_its_resolved_path_on_this_machine() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        let p = name("p");
        // Known before the folder exists, and the same after.
        let early = s.place(&p).unwrap();
        s.lock(&p, Duration::ZERO).unwrap().save(&state()).unwrap();
        let here = s.place(&p).unwrap();
        assert!(early.same_as(&here), "{early:?} {here:?}");
        assert!(here.path.ends_with("/profiles/p.age"), "{}", here.path);
        assert!(here.path.starts_with('/'));
        // The same folder reached through a symlink is the same place.
        let link = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(dir.path(), link.path().join("s")).unwrap();
        let via_link = FileStore::new(link.path().join("s"), store(dir.path()).vault);
        assert_eq!(via_link.place(&p), Some(here));
    }

    #[test]
    fn a_save_removes_what_a_dead_writer_left() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        let mut l = s.lock(&name("p"), Duration::ZERO).unwrap();
        l.save(&state()).unwrap();
        let pd = dir.path().join("profiles");
        std::fs::write(pd.join(".p.age.AbC123.tmp"), b"torn").unwrap();
        std::fs::write(pd.join(".q.age.AbC123.tmp"), b"another profile's").unwrap();
        l.save(&state()).unwrap();
        assert!(!pd.join(".p.age.AbC123.tmp").exists());
        assert!(pd.join(".q.age.AbC123.tmp").exists());
    }

    #[test]
    fn foreign_and_temporary_files_are_not_profiles() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        s.lock(&name("p"), Duration::ZERO)
            .unwrap()
            .save(&state())
            .unwrap();
        let pd = dir.path().join("profiles");
        for junk in [".p.age.x1y2.tmp", "notes.txt", "-bad.age", ".hidden.age"] {
            std::fs::write(pd.join(junk), b"junk").unwrap();
        }
        assert_eq!(s.profiles().unwrap(), vec![name("p")]);
    }
}
