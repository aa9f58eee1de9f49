//! The store's interface: [`StateStore`] and [`ProfileLock`], what every command reads and
//! writes state through, with their contract; [`Backend`] and [`BackendLock`], what a place
//! for sealed bytes implements below the sealing layer.

use std::time::Duration;

use zeroize::Zeroizing;

use super::{InFlight, Place, TokenState};
use crate::error::Result;
use crate::profile::ProfileName;

/// The per-profile state store: what every command reads and writes state through. The one
/// implementation is [`SealedStore`](super::SealedStore) (encryption) over a [`Backend`]
/// (where the bytes live).
///
/// # Contract
///
/// Every implementation must keep these promises; [`contract::check`](super::contract::check)
/// tests them, and any new backend must pass it (the file backend runs it in the tests of
/// `store/mod.rs`).
///
/// - **load** never takes a lock and never blocks on a writer: it returns the last state
///   saved whole (never a torn one), or `None` when nothing is stored.
/// - **lock** is exclusive per profile, across processes and machines sharing the store. It
///   is a *lease*: acquired with a deadline (`wait`; after that a time-out, exit 5, naming the
///   holder when known), held until dropped or, for a backend with a term (Redis), until the
///   term lapses unless [`ProfileLock::renew`]ed. The holder calls [`ProfileLock::lease_left`]
///   immediately before sending anything single-use (a netdisk refresh token): a lapsed lease
///   means another process may be rotating, and the refresh token must not be sent; a request
///   that is sent must end before the lease could lapse.
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

    /// Who holds the profile's lease (`pid N`, `pid N on HOST`), when someone does.
    fn holder(&self, _profile: &ProfileName) -> Option<String> {
        None
    }

    /// Tells other machines sharing the store that `state` is new (Redis pub/sub: the
    /// profile, generation and expiry, never a token). Best effort; nothing for files.
    fn announce(&self, _profile: &ProfileName, _state: &TokenState) {}

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
    /// How long the lease is still this process's (zero: lapsed or someone else's), or
    /// `None` for a lock without a term (held while the process lives): checked before
    /// sending a refresh token.
    fn lease_left(&self) -> Result<Option<Duration>>;
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
    /// What it is, where, and whether it answers (`status`, `doctor`, `current --explain`).
    /// May do I/O: never on the warm path.
    fn info(&self) -> BackendInfo;
    /// Who holds the profile's lease (`pid N`, `pid N on HOST`), when someone does.
    fn holder(&self, _profile: &ProfileName) -> Option<String> {
        None
    }
    /// Tells other machines that the profile was rotated (no secret in it). Best effort.
    fn announce(&self, _profile: &ProfileName, _generation: u64, _expires_at: &str) {}
    /// The Redis backend, for what only it does (`broker watch`).
    fn as_redis(&self) -> Option<&super::redis::RedisBackend> {
        None
    }
}

/// Where states live, for people: the backend's name, its place (a folder; a Redis URL with
/// the password masked, and the prefix), whether it answers, and, for Redis, whether it keeps
/// an append-only file.
#[derive(Debug, Clone)]
pub struct BackendInfo {
    pub name: &'static str,
    pub location: String,
    /// `Err(why)` when the store cannot be reached.
    pub reachable: std::result::Result<(), String>,
    /// Redis's `appendonly` (`None`: not Redis, or not readable with this ACL user).
    pub appendonly: Option<bool>,
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
    fn lease_left(&self) -> Result<Option<Duration>>;
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
