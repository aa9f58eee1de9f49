//! The state store: the interface every command goes through ([`StateStore`]), the sealing
//! layer that encrypts above any backend ([`SealedStore`]), the file backend ([`file`]), and
//! the age vault, identity, atomic writes and state schema they use.
//!
//! Readers never lock: every write replaces the stored blob whole, so a reader sees the old
//! state or the new one. Writers (rotation) take the profile's exclusive lock, re-read the
//! state under it, and save before releasing it, which makes rotation single-flight across
//! processes.

pub mod atomic;
pub mod file;
pub mod identity;
pub mod lock;
pub mod read;
pub mod state;
pub mod vault;

pub use state::{InFlight, Place, TokenState};
pub use vault::Vault;

use std::path::PathBuf;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::profile::ProfileName;

/// How long `rekey` waits for a rotation in progress on each profile.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(60);

/// The per-profile state store: what every command reads and writes state through. The one
/// implementation is [`SealedStore`] (encryption) over a [`Backend`] (where the bytes live).
///
/// # Contract
///
/// Every implementation must keep these promises; [`contract::check`] tests them, and any new
/// backend must pass it (the file backend runs it in this module's tests).
///
/// - **load** never takes a lock and never blocks on a writer: it returns the last state
///   saved whole (never a torn one), or `None` when nothing is stored.
/// - **lock** is exclusive per profile, across processes and machines sharing the store. It
///   is a *lease*: acquired with a deadline (`wait`; after that a time-out, exit 5, naming the
///   holder when known), held until dropped or, for a backend with a term (Redis), until the
///   term lapses unless [`ProfileLock::renew`]ed. The holder calls [`ProfileLock::still_held`]
///   immediately before sending anything single-use (a netdisk refresh token): a lapsed lease
///   means another process may be rotating, and the refresh token must not be sent.
/// - **save** (through the lock) is a *compare-and-set*: it writes only if the stored state is
///   still the one this lock last loaded or saved (the same write: same generation, nothing
///   written or removed since, even without the lock). Otherwise nothing is written and the
///   error is a store failure (exit 6). A lock must load before it saves. A save is durable
///   when it returns.
/// - **remove** is idempotent; without the lock it may race a rotation, whose compare-and-set
///   then fails rather than writing the tokens back.
/// - **profiles** lists the profiles that have a state, sorted.
/// - **rekey** re-seals every state to the vault's current recipients, each under its lock.
/// - **version** is a fingerprint of the stored write, cheap to read (no decryption): it
///   changes whenever a save or remove happens. **location** names where a profile's state
///   lives, for people; **place** is where it lives for copy detection (`None` when the backend
///   cannot tell).
/// - Nothing a store returns or logs carries a secret: the bytes at rest are sealed.
pub trait StateStore: Send + Sync {
    /// The profile's state, or None if nothing is stored. Takes no lock.
    fn load(&self, profile: &ProfileName) -> Result<Option<TokenState>>;
    /// Take the profile's exclusive rotation lease, waiting at most `wait`.
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
    /// Re-seal every state to the current recipients (for `secret rekey`); returns how many.
    fn rekey(&self) -> Result<usize>;
    /// A fingerprint of the stored write of `profile` (`None` when nothing is stored).
    fn version(&self, profile: &ProfileName) -> Option<Version>;
    /// Where the profile's state lives, for messages (a path, a key on a server).
    fn location(&self, profile: &ProfileName) -> String;
    /// Where the profile's state lives, for [`TokenState::written_at`], so that a state read
    /// back elsewhere is known to be a copy. `None` when the backend cannot tell.
    fn place(&self, profile: &ProfileName) -> Option<Place>;
    /// Whether another process holds the profile's lock right now.
    fn held_elsewhere(&self, profile: &ProfileName) -> bool;

    /// The journal mark of `state`, told apart as under way or interrupted by whether anyone
    /// holds the profile's lock: the one check `status` and `doctor` share.
    fn journal<'s>(&self, profile: &ProfileName, state: &'s TokenState) -> Option<Journal<'s>> {
        let mark = state.refresh_in_flight.as_ref()?;
        Some(if self.held_elsewhere(profile) {
            Journal::UnderWay(mark)
        } else {
            Journal::Interrupted(mark)
        })
    }
}

/// Held while rotating: the lease of [`StateStore::lock`], released on drop (and, for the file
/// backend, by the kernel if the process dies).
pub trait ProfileLock {
    /// Re-read the state under the lock.
    fn load(&mut self) -> Result<Option<TokenState>>;
    /// Write the state durably, as a compare-and-set against what this lock last loaded or
    /// saved (see the contract of [`StateStore`]).
    fn save(&mut self, state: &TokenState) -> Result<()>;
    /// Forget the state under the lock. Idempotent.
    fn remove(&mut self) -> Result<()>;
    /// Extend the lease (a no-op for a lock without a term).
    fn renew(&mut self) -> Result<()>;
    /// Whether the lease is still this process's: checked before sending a refresh token.
    fn still_held(&self) -> Result<bool>;
    /// The profile this lock is for.
    fn profile(&self) -> &ProfileName;
}

/// A fingerprint of one stored write of a state: opaque, compared for equality only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(pub String);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where sealed bytes live: what a backend (files, Redis) implements. The same contract as
/// [`StateStore`], on opaque bytes: the sealing layer above it encrypts and parses.
pub trait Backend: Send + Sync + std::fmt::Debug {
    /// The stored bytes; `None` when nothing is stored. No lock, and no version: this is
    /// the warm path.
    fn read(&self, profile: &ProfileName) -> Result<Option<Zeroizing<Vec<u8>>>>;
    /// Acquire the profile's lease, waiting at most `wait`.
    fn lock<'a>(
        &'a self,
        profile: &ProfileName,
        wait: Duration,
    ) -> Result<Box<dyn BackendLock + 'a>>;
    /// Whether another process holds the profile's lease right now.
    fn held_elsewhere(&self, profile: &ProfileName) -> bool;
    fn remove(&self, profile: &ProfileName) -> Result<()>;
    fn profiles(&self) -> Result<Vec<ProfileName>>;
    fn version(&self, profile: &ProfileName) -> Option<Version>;
    fn location(&self, profile: &ProfileName) -> String;
    fn place(&self, profile: &ProfileName) -> Option<Place>;
}

/// A backend's lease on one profile.
pub trait BackendLock {
    /// The stored bytes and their version (what the next write compares against).
    #[allow(clippy::type_complexity)]
    fn read(&self) -> Result<Option<(Zeroizing<Vec<u8>>, Version)>>;
    /// Write `bytes` if the stored version is `expected` (`None`: nothing stored); the new
    /// version.
    fn write(&mut self, expected: Option<&Version>, bytes: &[u8]) -> Result<Version>;
    fn remove(&mut self) -> Result<()>;
    fn renew(&mut self) -> Result<()>;
    fn still_held(&self) -> Result<bool>;
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

/// The store broker uses: states under `dir`, sealed by `vault`.
pub fn open(dir: PathBuf, vault: Vault) -> SealedStore {
    SealedStore::new(Box::new(file::FileBackend::new(dir)), vault)
}

/// The sealing layer: a state is JSON encrypted to the vault's recipients (binary age) before
/// any backend sees it, and decrypted after. The one place encryption meets the store.
#[derive(Debug)]
pub struct SealedStore {
    backend: Box<dyn Backend>,
    vault: Vault,
}

impl SealedStore {
    pub fn new(backend: Box<dyn Backend>, vault: Vault) -> Self {
        SealedStore { backend, vault }
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    fn unseal(&self, profile: &ProfileName, bytes: &[u8]) -> Result<TokenState> {
        let what = format!(
            "cannot read the state of profile `{profile}` (`{}`)",
            self.backend.location(profile)
        );
        let plain = self
            .vault
            .decrypt(bytes)
            .map_err(|e| vault::in_context(e, &what))?;
        TokenState::from_json(&plain).map_err(|e| vault::in_context(e, &what))
    }

    fn seal(&self, state: &TokenState) -> Result<Vec<u8>> {
        let json = state.to_json()?;
        self.vault.encrypt(&json, false)
    }
}

impl StateStore for SealedStore {
    fn load(&self, profile: &ProfileName) -> Result<Option<TokenState>> {
        match self.backend.read(profile)? {
            Some(bytes) => self.unseal(profile, &bytes).map(Some),
            None => Ok(None),
        }
    }

    fn lock<'a>(
        &'a self,
        profile: &ProfileName,
        wait: Duration,
    ) -> Result<Box<dyn ProfileLock + 'a>> {
        let inner = self.backend.lock(profile, wait)?;
        Ok(Box::new(SealedLock {
            store: self,
            inner,
            seen: None,
        }))
    }

    fn remove(&self, profile: &ProfileName) -> Result<()> {
        self.backend.remove(profile)
    }

    fn profiles(&self) -> Result<Vec<ProfileName>> {
        self.backend.profiles()
    }

    /// Each profile is re-sealed under its lock, so a rotation running at the same time is
    /// neither lost nor left encrypted to the old recipients by us.
    fn rekey(&self) -> Result<usize> {
        self.vault.check_recipients()?;
        let mut count = 0;
        for profile in self.profiles()? {
            let mut guard = self.lock(&profile, DEFAULT_LOCK_WAIT)?;
            // The state may have been removed since it was listed.
            if let Some(state) = guard.load()? {
                guard.save(&state)?;
                count += 1;
            }
        }
        Ok(count)
    }

    fn version(&self, profile: &ProfileName) -> Option<Version> {
        self.backend.version(profile)
    }

    fn location(&self, profile: &ProfileName) -> String {
        self.backend.location(profile)
    }

    fn place(&self, profile: &ProfileName) -> Option<Place> {
        self.backend.place(profile)
    }

    fn held_elsewhere(&self, profile: &ProfileName) -> bool {
        self.backend.held_elsewhere(profile)
    }
}

/// The sealing layer's lock: the backend's lease, and the version last loaded or saved (the
/// expected value of the next compare-and-set).
struct SealedLock<'a> {
    store: &'a SealedStore,
    inner: Box<dyn BackendLock + 'a>,
    /// `None` until the first load; then the version seen (`Some(None)`: nothing stored).
    seen: Option<Option<Version>>,
}

impl ProfileLock for SealedLock<'_> {
    fn load(&mut self) -> Result<Option<TokenState>> {
        let profile = self.inner.profile().clone();
        match self.inner.read()? {
            Some((bytes, version)) => {
                self.seen = Some(Some(version));
                self.store.unseal(&profile, &bytes).map(Some)
            }
            None => {
                self.seen = Some(None);
                Ok(None)
            }
        }
    }

    fn save(&mut self, state: &TokenState) -> Result<()> {
        let Some(expected) = &self.seen else {
            return Err(Error::internal(format!(
                "the state of profile `{}` was saved before it was loaded under the lock",
                self.inner.profile()
            )));
        };
        let sealed = self.store.seal(state)?;
        let version = self.inner.write(expected.as_ref(), &sealed)?;
        self.seen = Some(Some(version));
        Ok(())
    }

    fn remove(&mut self) -> Result<()> {
        self.inner.remove()?;
        self.seen = Some(None);
        Ok(())
    }

    fn renew(&mut self) -> Result<()> {
        self.inner.renew()
    }

    fn still_held(&self) -> Result<bool> {
        self.inner.still_held()
    }

    fn profile(&self) -> &ProfileName {
        self.inner.profile()
    }
}

/// The contract of [`StateStore`] as a test any implementation must pass: call [`check`] on
/// an empty store. Backend-agnostic: it uses only the interface.
#[cfg(test)]
pub(crate) mod contract {
    use super::*;
    use crate::secret::AccessToken;
    use chrono::Utc;

    fn name(s: &str) -> ProfileName {
        ProfileName::parse(s).unwrap()
    }

    fn state(token: &str, generation: u64) -> TokenState {
        let now = Utc::now();
        let mut s = TokenState::new(
            "ai",
            AccessToken::new(token),
            now + chrono::TimeDelta::days(30),
            now,
        );
        s.generation = generation;
        s
    }

    fn token(store: &impl StateStore, p: &ProfileName) -> Option<String> {
        store
            .load(p)
            .unwrap()
            .map(|s| s.access_token.expose().to_owned())
    }

    pub(crate) fn check(store: &impl StateStore) {
        let (a, b) = (name("contract-a"), name("contract-b"));

        // Nothing stored: no state, no version, an empty list, removes that succeed.
        assert!(store.load(&a).unwrap().is_none());
        assert!(store.version(&a).is_none());
        assert!(store.profiles().unwrap().is_empty());
        store.remove(&a).unwrap();

        // A save through the lock is what load returns, and lists the profile, sorted.
        for (p, t) in [(&b, "24.b"), (&a, "24.a")] {
            let mut l = store.lock(p, Duration::ZERO).unwrap();
            assert!(l.load().unwrap().is_none());
            l.save(&state(t, 1)).unwrap();
            assert_eq!(l.profile(), p);
        }
        assert_eq!(token(store, &a).as_deref(), Some("24.a"));
        assert_eq!(store.profiles().unwrap(), vec![a.clone(), b.clone()]);
        assert!(!store.location(&a).is_empty());

        // Every write has a new version; a read does not change it.
        let v1 = store.version(&a).expect("a stored state has a version");
        assert_eq!(store.version(&a), Some(v1.clone()));
        {
            let mut l = store.lock(&a, Duration::ZERO).unwrap();
            l.load().unwrap();
            // Two saves under one lock: the second compares against the first.
            l.save(&state("24.a2", 2)).unwrap();
            l.save(&state("24.a3", 3)).unwrap();
        }
        let v3 = store.version(&a).unwrap();
        assert_ne!(v1, v3);
        assert_eq!(store.load(&a).unwrap().unwrap().generation, 3);

        // Compare-and-set: a removal without the lock since this lock loaded makes its save
        // fail (exit 6) and write nothing: a rotation cannot write back a forgotten state.
        {
            let mut l = store.lock(&a, Duration::ZERO).unwrap();
            assert!(l.load().unwrap().is_some());
            store.remove(&a).unwrap();
            let err = l.save(&state("24.stale", 4)).unwrap_err();
            assert_eq!(err.exit_code(), 6, "{}", err.message());
            assert!(!err.message().contains("24.stale"));
        }
        assert!(store.load(&a).unwrap().is_none());
        assert!(store.version(&a).is_none());

        // A lock must load before it saves.
        {
            let mut l = store.lock(&a, Duration::ZERO).unwrap();
            assert!(l.save(&state("24.blind", 1)).is_err());
        }
        assert!(store.load(&a).unwrap().is_none());

        // The lease: exclusive per profile, with a deadline (exit 5 naming the profile),
        // renewable, still held while held; free again once dropped.
        {
            let mut held = store.lock(&a, Duration::ZERO).unwrap();
            held.renew().unwrap();
            assert!(held.still_held().unwrap());
            assert!(store.held_elsewhere(&a));
            let started = std::time::Instant::now();
            let err = store.lock(&a, Duration::from_millis(50)).err().unwrap();
            assert!(started.elapsed() < Duration::from_secs(5));
            assert_eq!(err.exit_code(), 5);
            assert!(err.message().contains("`contract-a`"), "{}", err.message());
            // Other profiles are independent.
            assert!(store.lock(&b, Duration::ZERO).is_ok());
        }
        assert!(!store.held_elsewhere(&a));

        // The journal mark is under way while someone holds the lock, interrupted after.
        {
            let mut l = store.lock(&b, Duration::ZERO).unwrap();
            let mut s = l.load().unwrap().unwrap();
            s.refresh_in_flight = Some(InFlight {
                started_at: Utc::now(),
                pid: 1,
                generation: s.generation,
                command: None,
                attempts: 1,
                outcome: None,
            });
            l.save(&s).unwrap();
            let seen = store.load(&b).unwrap().unwrap();
            assert!(matches!(
                store.journal(&b, &seen),
                Some(Journal::UnderWay(_))
            ));
            drop(l);
            assert!(matches!(
                store.journal(&b, &seen),
                Some(Journal::Interrupted(_))
            ));
        }

        // Rekey re-seals every state, which still loads.
        assert_eq!(store.rekey().unwrap(), 1);
        assert_eq!(token(store, &b).as_deref(), Some("24.b"));

        // Remove under the lock is idempotent, and a lock after it starts from nothing.
        {
            let mut l = store.lock(&b, Duration::ZERO).unwrap();
            l.remove().unwrap();
            l.remove().unwrap();
            assert!(l.load().unwrap().is_none());
            l.save(&state("24.b2", 0)).unwrap();
        }
        assert_eq!(token(store, &b).as_deref(), Some("24.b2"));
        store.remove(&b).unwrap();
        assert!(store.profiles().unwrap().is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
