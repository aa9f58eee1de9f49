//! The state store: the interface every command goes through ([`StateStore`]), the sealing
//! layer that encrypts above any backend ([`SealedStore`]), the file backend ([`file`]), and
//! the age vault, identity, atomic writes and state schema they use.
//!
//! Readers never lock: every write replaces the stored blob whole, so a reader sees the old
//! state or the new one. Writers (rotation) take the profile's exclusive lock, re-read the
//! state under it, and save before releasing it, which makes rotation single-flight across
//! processes.

pub mod atomic;
#[cfg(test)]
pub(crate) mod contract;
pub mod error;
pub mod file;
pub mod identity;
mod interface;
pub mod lock;
pub mod read;
pub mod redis;
mod sealed;
pub mod state;
pub mod vault;

pub use interface::{Backend, BackendInfo, BackendLock, Journal, ProfileLock, StateStore, Version};
pub use sealed::SealedStore;
pub use state::{InFlight, Place, StsKeys, TokenState};
pub use vault::Vault;

use std::path::PathBuf;
use std::time::Duration;

/// How long `rekey` waits for a rotation in progress on each profile.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(60);

/// The store broker uses: states under `dir`, sealed by `vault`.
pub fn open(dir: PathBuf, vault: Vault) -> SealedStore {
    SealedStore::new(Box::new(file::FileBackend::new(dir)), vault)
}

/// Where states live (`[store] backend`).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum StoreBackend {
    /// Files under the state folder (the default).
    #[default]
    File,
    /// One Redis shared by a fleet.
    Redis(self::redis::RedisSettings),
}

impl StoreBackend {
    pub fn name(&self) -> &'static str {
        match self {
            StoreBackend::File => "file",
            StoreBackend::Redis(_) => "redis",
        }
    }
}

/// The store of `backend`: the file store, or Redis with its local copies under `dir`.
/// `timeout` is the request time-out of a rotation, which a Redis lease must outlast.
pub fn open_backend(
    backend: &StoreBackend,
    dir: PathBuf,
    vault: Vault,
    timeout: Duration,
) -> SealedStore {
    match backend {
        StoreBackend::File => open(dir, vault),
        StoreBackend::Redis(settings) => SealedStore::new(
            Box::new(self::redis::RedisBackend::new(
                settings.clone(),
                &dir,
                timeout,
            )),
            vault,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ProfileName;
    use crate::secret::AccessToken;
    use age::x25519;
    use chrono::Utc;
    use identity::IdentitySource;
    use std::path::Path;

    fn vault() -> Vault {
        let key = x25519::Identity::generate();
        Vault::new(
            vec![key.to_public().to_string()],
            IdentitySource::Key(key.to_string()),
        )
    }

    fn store(dir: &Path) -> SealedStore {
        open(dir.to_path_buf(), vault())
    }

    #[test]
    fn the_file_backend_keeps_the_store_contract() {
        let dir = tempfile::tempdir().unwrap();
        contract::check(&store(dir.path()));
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
    fn a_store_keeping_decrypted_states_passes_the_contract_and_sees_every_write() {
        let dir = tempfile::tempdir().unwrap();
        contract::check(&store(dir.path()).keeping_decrypted());
        let key = x25519::Identity::generate();
        let v = || {
            Vault::new(
                vec![key.to_public().to_string()],
                IdentitySource::Key(key.to_string()),
            )
        };
        // Another process (here: another store over the same folder) rotates: the keeping
        // store must serve the new state, not the one it decrypted before.
        let other = tempfile::tempdir().unwrap();
        let keeping = open(other.path().to_path_buf(), v()).keeping_decrypted();
        let writer = open(other.path().to_path_buf(), v());
        let p = name("p");
        let mut first = state();
        first.generation = 1;
        let mut lock = writer.lock(&p, DEFAULT_LOCK_WAIT).unwrap();
        assert!(lock.load().unwrap().is_none());
        lock.save(&first).unwrap();
        drop(lock);
        assert_eq!(keeping.load(&p).unwrap().unwrap().generation, 1);
        assert_eq!(keeping.load(&p).unwrap().unwrap().generation, 1);
        let mut lock = writer.lock(&p, DEFAULT_LOCK_WAIT).unwrap();
        let mut second = lock.load().unwrap().unwrap();
        second.generation = 2;
        second.access_token = AccessToken::new("24.new");
        lock.save(&second).unwrap();
        drop(lock);
        let seen = keeping.load(&p).unwrap().unwrap();
        assert_eq!(seen.generation, 2);
        assert_eq!(seen.access_token.expose(), "24.new");
        writer.remove(&p).unwrap();
        assert!(keeping.load(&p).unwrap().is_none());
    }

    #[test]
    fn the_store_can_be_shared_across_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<SealedStore>();
        send_sync::<file::FileBackend>();
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
        assert!(
            file::FileBackend::new(dir.path().to_path_buf())
                .lock_path(&name("a"))
                .exists()
        );
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
        let mut l = s.lock(&p, Duration::ZERO).unwrap();
        l.load().unwrap();
        l.save(&state()).unwrap();
        drop(l);
        let here = s.place(&p).unwrap();
        assert!(early.same_as(&here), "{early:?} {here:?}");
        assert!(here.path.ends_with("/profiles/p.age"), "{}", here.path);
        assert!(here.path.starts_with('/'));
        // The same folder reached through a symlink is the same place.
        let link = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(dir.path(), link.path().join("s")).unwrap();
        let via_link = open(link.path().join("s"), vault());
        assert_eq!(via_link.place(&p), Some(here));
    }

    #[test]
    fn a_save_removes_what_a_dead_writer_left() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        let mut l = s.lock(&name("p"), Duration::ZERO).unwrap();
        l.load().unwrap();
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
        let mut l = s.lock(&name("p"), Duration::ZERO).unwrap();
        l.load().unwrap();
        l.save(&state()).unwrap();
        drop(l);
        let pd = dir.path().join("profiles");
        for junk in [".p.age.x1y2.tmp", "notes.txt", "-bad.age", ".hidden.age"] {
            std::fs::write(pd.join(junk), b"junk").unwrap();
        }
        assert_eq!(s.profiles().unwrap(), vec![name("p")]);
    }
}
