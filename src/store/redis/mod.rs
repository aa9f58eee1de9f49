//! The Redis backend (`[store] backend = "redis"`): one state per profile shared by every
//! machine whose config names the same server and prefix.
//!
//! - Values are the sealed (age) bytes of the layer above; key names hold only the prefix,
//!   the profile and a kind (`scripts.rs` lists them).
//! - The lock is a lease (`lease.rs`): `SET lock OWNER NX PX`, a random owner, a term of at
//!   most 30 s renewed from a thread while held, released by a compare-and-delete.
//!   `lease_left` says how much of it is left: a refresh token is sent only with a request
//!   whose deadline ends before the lease could lapse (see `rotate::journal`).
//! - Every write is a compare-and-set on the version key (the write sequence plus the writer's
//!   random nonce): a holder whose lease lapsed can never overwrite what a later holder wrote,
//!   and a version never repeats, even after Redis lost its data.
//! - Reads go through a local copy (`cache.rs`): one GET of the version key when the copy is
//!   current; the copy alone when Redis cannot be reached (rotating then fails, exit 5).
//!
//! Nothing here runs, links in or connects unless the config asks for Redis.

mod cache;
pub mod errors;
mod lease;
mod scripts;
mod settings;

pub use settings::{DEFAULT_PREFIX, RedisSettings, RedisUrl};

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use redis::{Commands, Connection};
use zeroize::Zeroizing;

use super::{Backend, BackendLock, Place, Version};
use crate::error::Result;
use crate::profile::ProfileName;
use cache::Cache;

/// The longest a connection attempt or one command may take.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest term of a lease (renewed while held): how long a crashed holder can keep the
/// fleet waiting, whatever the request time-out.
const MAX_LEASE: Duration = Duration::from_secs(30);

/// The longest the warm path's version check (connect, then GET) may take: past it the local
/// copy is served (and anything that would rotate fails), so a blackholed Redis costs a warm
/// `token` little.
const WARM_WAIT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    State,
    Version,
    Lock,
}

pub struct RedisBackend {
    settings: RedisSettings,
    client: std::result::Result<redis::Client, String>,
    conn: Mutex<Option<Connection>>,
    /// Set at the first connection failure or time-out: Redis counts as down for the rest
    /// of the process, so a command that asks it many things waits once, not once a call.
    down: std::sync::OnceLock<crate::error::Error>,
    cache: Cache,
    /// How long a request to Baidu may take: a lease with less left is not "still held".
    timeout: Duration,
    /// The term of a lease.
    lease: Duration,
    /// Renew held leases from a thread (off only in tests that force a lapse).
    renew: bool,
}

impl std::fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBackend")
            .field("url", &self.settings.url)
            .field("prefix", &self.settings.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisBackend {
    /// No I/O: the connection is made at the first command. `timeout` is the request time-out
    /// of a rotation (`--timeout`); the lease lasts that plus 5 seconds, at most 30 s, renewed
    /// every quarter. It is never longer than a waiter waits (`timeout` + 5 s), so a crashed
    /// holder's lease lapses before the waiters give up.
    pub fn new(settings: RedisSettings, state_dir: &Path, timeout: Duration) -> Self {
        // No `CLIENT SETINFO` at connect: nothing broker needs, and one command fewer for an
        // ACL user to be allowed.
        let client = redis::IntoConnectionInfo::into_connection_info(settings.url.secret())
            .map(|info| {
                let quiet = info.redis_settings().clone().set_skip_set_lib_name();
                info.set_redis_settings(quiet)
            })
            .and_then(redis::Client::open)
            .map_err(|e| e.to_string());
        let cache = Cache::new(state_dir.join("redis").join(settings.tag()));
        RedisBackend {
            settings,
            client,
            conn: Mutex::new(None),
            down: std::sync::OnceLock::new(),
            cache,
            timeout,
            lease: (timeout + Duration::from_secs(5)).min(MAX_LEASE),
            renew: true,
        }
    }

    /// A short lease that is never renewed: for tests that make one lapse.
    #[cfg(test)]
    pub(crate) fn with_lapsing_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self.renew = false;
        self
    }

    pub fn settings(&self) -> &RedisSettings {
        &self.settings
    }

    fn key(&self, profile: &ProfileName, kind: Kind) -> String {
        let kind = match kind {
            Kind::State => "state",
            Kind::Version => "version",
            Kind::Lock => "lock",
        };
        format!("{}:{}:{kind}", self.settings.prefix, profile.as_str())
    }

    fn profiles_key(&self) -> String {
        format!("{}:profiles", self.settings.prefix)
    }

    /// The pub/sub channel of rotation events.
    pub fn channel(&self) -> String {
        format!("{}:rotations", self.settings.prefix)
    }

    fn connect(&self, connect_wait: Duration) -> Result<Connection> {
        let client = self.client.as_ref().map_err(|_| {
            errors::unreachable(
                &self.settings.url,
                &redis::RedisError::from((redis::ErrorKind::InvalidClientConfig, "invalid URL")),
            )
        })?;
        open(client, connect_wait, self.io_wait())
            .map_err(|e| errors::unreachable(&self.settings.url, &e))
    }

    /// The key named by an error that says Redis holds another program's value where broker
    /// keeps its own: a script's type check (naming the key), a `WRONGTYPE` or a script that
    /// failed on such a value (naming only the prefix).
    fn foreign_key(&self, e: &redis::RedisError) -> Option<String> {
        match e.code()? {
            scripts::FOREIGN => e
                .detail()
                .and_then(|d| d.split(' ').next())
                .map(str::to_owned),
            "WRONGTYPE" => Some(format!("{}:*", self.settings.prefix)),
            "ERR" if e.detail().is_some_and(|d| d.contains("user_script")) => {
                Some(format!("{}:*", self.settings.prefix))
            }
            _ => None,
        }
    }

    /// The longest one connection attempt or one command may take.
    fn io_wait(&self) -> Duration {
        self.timeout.clamp(Duration::from_millis(100), IO_TIMEOUT)
    }

    /// Runs `f` on this backend's connection (made on first use; dropped after an error, so
    /// the next call connects afresh, e.g. after Redis restarted).
    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> redis::RedisResult<T>) -> Result<T> {
        self.with_within(self.io_wait(), f)
    }

    /// [`RedisBackend::with`], connecting within `connect_wait`. Once Redis failed to connect
    /// or to answer in time, every later call fails at once with that error.
    fn with_within<T>(
        &self,
        connect_wait: Duration,
        f: impl FnOnce(&mut Connection) -> redis::RedisResult<T>,
    ) -> Result<T> {
        if let Some(e) = self.down.get() {
            return Err(e.clone());
        }
        let mut guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let conn = match guard.as_mut() {
            Some(c) => c,
            None => match self.connect(connect_wait) {
                Ok(c) => guard.insert(c),
                Err(e) => return Err(self.down.get_or_init(|| e).clone()),
            },
        };
        match f(conn) {
            Ok(v) => Ok(v),
            Err(e) if let Some(key) = self.foreign_key(&e) => {
                Err(errors::foreign(&self.settings.url, &key))
            }
            Err(e) => {
                *guard = None;
                let err = errors::unreachable(&self.settings.url, &e);
                if e.is_io_error() || e.is_timeout() || e.is_connection_dropped() {
                    return Err(self.down.get_or_init(|| err).clone());
                }
                Err(err)
            }
        }
    }

    /// The stored bytes and the raw version (`None`/`N-`: nothing stored), read at once.
    fn read_both(&self, profile: &ProfileName) -> Result<(Option<Vec<u8>>, Option<String>)> {
        let keys = [
            self.key(profile, Kind::State),
            self.key(profile, Kind::Version),
        ];
        let (bytes, version): (Option<Vec<u8>>, Option<String>) =
            self.with(|c| redis::cmd("MGET").arg(&keys).query(c))?;
        Ok((bytes, version))
    }

    /// Publishes a rotation event (no secret: the profile, the generation, the expiry) on
    /// [`RedisBackend::channel`]. Best effort: the rotation is saved already.
    pub fn announce(&self, profile: &ProfileName, generation: u64, expires_at: &str) {
        let payload = serde_json::json!({
            "profile": profile.as_str(),
            "generation": generation,
            "expires_at": expires_at,
        })
        .to_string();
        let sent: Result<i64> = self.with(|c| c.publish(self.channel(), payload));
        if let Err(e) = sent {
            crate::ui::debug(
                1,
                format!("could not announce the rotation: {}", e.message()),
            );
        }
    }

    /// A connection of its own, for a subscriber (`broker watch`).
    pub fn subscriber(&self) -> Result<Connection> {
        let conn = self.connect(self.io_wait())?;
        conn.set_read_timeout(None)
            .map_err(|e| errors::unreachable(&self.settings.url, &e))?;
        Ok(conn)
    }

    /// `PING`, and the server's `appendonly` setting when the ACL lets broker read it.
    pub fn health(&self) -> Result<Option<bool>> {
        let _: String = self.with(|c| redis::cmd("PING").query(c))?;
        let appendonly: Option<Vec<String>> = self
            .with(|c| redis::cmd("CONFIG").arg("GET").arg("appendonly").query(c))
            .ok();
        Ok(appendonly.and_then(|v| v.get(1).map(|s| s == "yes")))
    }
}

/// A connection whose every command is bounded by `wait`: the client's connect time-out
/// covers only the connect, and a server that stops answering (SIGSTOP, a dropped route)
/// would otherwise block a read forever.
fn open(
    client: &redis::Client,
    connect_wait: Duration,
    wait: Duration,
) -> redis::RedisResult<Connection> {
    let conn = client.get_connection_with_timeout(connect_wait)?;
    conn.set_read_timeout(Some(wait))?;
    conn.set_write_timeout(Some(wait))?;
    Ok(conn)
}

/// The writer's random part of a version: what makes a version never repeat, even when the
/// counter before it does (Redis lost its data).
fn nonce() -> String {
    hex::encode(rand::random::<[u8; 8]>())
}

/// A version that stands for a stored state (not a removal's tombstone).
fn live(raw: Option<&str>) -> Option<&str> {
    raw.filter(|v| !v.is_empty() && !v.ends_with('-'))
}

impl Backend for RedisBackend {
    fn info(&self) -> super::BackendInfo {
        let (reachable, appendonly) = match self.health() {
            Ok(a) => (Ok(()), a),
            Err(e) => (Err(e.message().to_owned()), None),
        };
        super::BackendInfo {
            name: "redis",
            location: format!("{} (prefix `{}`)", self.settings.url, self.settings.prefix),
            reachable,
            appendonly,
        }
    }

    fn holder(&self, profile: &ProfileName) -> Option<String> {
        RedisBackend::holder(self, profile)
    }

    fn announce(&self, profile: &ProfileName, generation: u64, expires_at: &str) {
        RedisBackend::announce(self, profile, generation, expires_at);
    }

    fn as_redis(&self) -> Option<&RedisBackend> {
        Some(self)
    }

    /// Through the local copy: served as it is within the cache window, or when Redis says
    /// its version is still current (one GET), or when Redis cannot be reached.
    fn read(&self, profile: &ProfileName) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let copy = self.cache.load(profile);
        if let Some(c) = &copy
            && Cache::fresh(c.confirmed, self.settings.cache_window)
        {
            return Ok(copy.map(|c| c.bytes));
        }
        let current = match &copy {
            Some(c) => self
                .with_within(WARM_WAIT.min(self.io_wait()), |conn| {
                    conn.set_read_timeout(Some(WARM_WAIT.min(self.io_wait())))?;
                    let v = conn.get::<_, Option<String>>(self.key(profile, Kind::Version))?;
                    conn.set_read_timeout(Some(self.io_wait()))?;
                    Ok(v)
                })
                .map(|v| v.as_deref() == Some(c.version.as_str())),
            None => Ok(false),
        };
        let fetched = match current {
            Ok(true) => {
                if !self.settings.cache_window.is_zero() {
                    self.cache.confirm(profile);
                }
                return Ok(copy.map(|c| c.bytes));
            }
            Ok(false) => self.read_both(profile),
            Err(e) => Err(e),
        };
        match fetched {
            Ok((Some(bytes), version)) => {
                let bytes = Zeroizing::new(bytes);
                if let Some(v) = live(version.as_deref()) {
                    self.cache.store(profile, v, &bytes);
                }
                Ok(Some(bytes))
            }
            Ok((None, _)) => {
                self.cache.remove(profile);
                Ok(None)
            }
            Err(e) => match copy {
                // Fail closed for anything that would rotate: the layers above only take this
                // copy as far as a token that is not due; the lock needs Redis.
                Some(c) => {
                    crate::ui::debug(
                        1,
                        format!("{}; serving the local copy of `{profile}`", e.message()),
                    );
                    Ok(Some(c.bytes))
                }
                None => Err(e),
            },
        }
    }

    fn lock<'a>(
        &'a self,
        profile: &ProfileName,
        wait: Duration,
    ) -> Result<Box<dyn BackendLock + 'a>> {
        Ok(Box::new(self.take_lease(profile, wait)?))
    }

    fn held_elsewhere(&self, profile: &ProfileName) -> bool {
        self.with(|c| c.exists::<_, bool>(self.key(profile, Kind::Lock)))
            .unwrap_or(false)
    }

    fn remove(&self, profile: &ProfileName) -> Result<()> {
        self.remove_state(profile)?;
        Ok(())
    }

    fn profiles(&self) -> Result<Vec<ProfileName>> {
        let names: Vec<String> = self.with(|c| c.smembers(self.profiles_key()))?;
        let mut out: Vec<ProfileName> = names
            .iter()
            .filter_map(|n| ProfileName::parse(n).ok())
            .collect();
        out.sort();
        Ok(out)
    }

    fn version(&self, profile: &ProfileName) -> Option<Version> {
        let raw: Option<String> = self
            .with(|c| c.get(self.key(profile, Kind::Version)))
            .ok()?;
        live(raw.as_deref()).map(|v| Version(v.to_owned()))
    }

    fn location(&self, profile: &ProfileName) -> String {
        format!(
            "{} at {}",
            self.key(profile, Kind::State),
            self.settings.url
        )
    }

    /// The same for every machine: one state, wherever it is read from. Named by its key
    /// alone, not the URL: machines spell the same server differently (a host name or an
    /// address, a port or none, another ACL user), and that is no copy.
    fn place(&self, profile: &ProfileName) -> Option<Place> {
        Some(Place {
            path: format!("redis:{}", self.key(profile, Kind::State)),
            host: "redis".to_owned(),
            machine: None,
        })
    }
}

impl RedisBackend {
    fn remove_state(&self, profile: &ProfileName) -> Result<String> {
        let keys = [
            self.key(profile, Kind::State),
            self.key(profile, Kind::Version),
            self.profiles_key(),
        ];
        let after: String = self.with(|c| {
            scripts::REMOVE
                .key(&keys[0])
                .key(&keys[1])
                .key(&keys[2])
                .arg(profile.as_str())
                .arg(nonce())
                .invoke(c)
        })?;
        self.cache.remove(profile);
        Ok(after)
    }
}

#[cfg(test)]
pub(crate) mod tests;
