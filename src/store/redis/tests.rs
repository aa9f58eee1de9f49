//! The Redis backend against a real `redis-server` started by each test (never a mock).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::*;
use crate::store::identity::IdentitySource;
use crate::store::{SealedStore, StateStore, TokenState, Vault, contract};

/// A `redis-server` of the test's own on a free loopback port, killed on drop.
pub(crate) struct Server {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Server {
    /// `None` (said on stderr) when redis-server is not installed, unless `CI` is set: then
    /// the test fails, so a CI run can never pass by skipping.
    pub(crate) fn start() -> Option<Server> {
        let bin = Path::new("/usr/bin/redis-server");
        if !bin.exists() && which("redis-server").is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "redis-server is not installed (apt-get install redis-server)"
            );
            eprintln!("SKIPPED: redis-server is not installed");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let server = Server {
            child,
            port,
            _dir: dir,
        };
        let client = redis::Client::open(server.url()).unwrap();
        let started = Instant::now();
        loop {
            if let Ok(mut c) = client.get_connection_with_timeout(Duration::from_millis(200))
                && redis::cmd("PING").query::<String>(&mut c).is_ok()
            {
                return Some(server);
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    pub(crate) fn conn(&self) -> Connection {
        redis::Client::open(self.url())
            .unwrap()
            .get_connection()
            .unwrap()
    }
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|f| f.is_file())
    })
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn vault() -> Vault {
    vault_of(&age::x25519::Identity::generate())
}

fn vault_of(key: &age::x25519::Identity) -> Vault {
    Vault::new(
        vec![key.to_public().to_string()],
        IdentitySource::Key(key.to_string()),
    )
}

fn settings(url: &str) -> RedisSettings {
    RedisSettings::from_config(Some(url), None, Some("t"), None, "test").unwrap()
}

fn backend(server: &Server, dir: &Path) -> RedisBackend {
    RedisBackend::new(settings(&server.url()), dir, Duration::from_secs(2))
}

fn name(s: &str) -> ProfileName {
    ProfileName::parse(s).unwrap()
}

fn state(token: &str, generation: u64) -> TokenState {
    let now = chrono::Utc::now();
    let mut s = TokenState::new(
        "ai",
        crate::secret::AccessToken::new(token),
        now + chrono::TimeDelta::days(30),
        now,
    );
    s.generation = generation;
    s
}

#[test]
fn the_redis_backend_keeps_the_store_contract() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    contract::check(&SealedStore::new(
        Box::new(backend(&server, dir.path())),
        vault(),
    ));
}

#[test]
fn a_lapsed_lease_cannot_overwrite_newer_state() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = age::x25519::Identity::generate();
    let short = SealedStore::new(
        Box::new(backend(&server, dir.path()).with_lapsing_lease(Duration::from_millis(300))),
        vault_of(&key),
    );
    let other = SealedStore::new(Box::new(backend(&server, dir.path())), vault_of(&key));
    let p = name("nd");
    {
        let mut l = other.lock(&p, Duration::ZERO).unwrap();
        l.load().unwrap();
        l.save(&state("24.first", 1)).unwrap();
    }
    let mut lapsing = short.lock(&p, Duration::ZERO).unwrap();
    assert!(lapsing.load().unwrap().is_some());
    // Less than the margin a request needs: not held enough to send a refresh token.
    let left = lapsing.lease_left().unwrap().unwrap();
    assert!(left <= Duration::from_millis(300), "{left:?}");
    std::thread::sleep(Duration::from_millis(400));
    // The lease lapsed: another holder takes it and writes a newer state.
    {
        let mut l = other.lock(&p, Duration::ZERO).unwrap();
        l.load().unwrap();
        l.save(&state("24.newer", 2)).unwrap();
    }
    assert_eq!(lapsing.lease_left().unwrap(), Some(Duration::ZERO));
    let err = lapsing.save(&state("24.stale", 2)).unwrap_err();
    assert_eq!(err.exit_code(), 6, "{}", err.message());
    assert!(!err.message().contains("24.stale"));
    drop(lapsing);
    // The lapsed holder's release did not free the newer holder's lease either.
    let held = other.lock(&p, Duration::ZERO).unwrap();
    assert!(short.lock(&p, Duration::from_millis(50)).is_err());
    drop(held);
    assert_eq!(
        other.load(&p).unwrap().unwrap().access_token.expose(),
        "24.newer"
    );
}

#[test]
fn a_held_lease_is_renewed_and_names_its_holder() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut b = backend(&server, dir.path());
    b.lease = Duration::from_millis(400);
    let store = SealedStore::new(Box::new(b), vault());
    let p = name("nd");
    let l = store.lock(&p, Duration::ZERO).unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    // Renewed every 100 ms by its thread, so still there after more than two terms.
    let left: i64 = redis::cmd("PTTL")
        .arg("t:nd:lock")
        .query(&mut server.conn())
        .unwrap();
    assert!(left > 0, "{left}");
    let err = store.lock(&p, Duration::from_millis(20)).err().unwrap();
    assert_eq!(err.exit_code(), 5);
    let who = format!("pid {} on", std::process::id());
    assert!(err.message().contains(&who), "{}", err.message());
    drop(l);
    assert!(!store.held_elsewhere(&p));
}

#[test]
fn redis_holds_only_sealed_bytes_under_names_without_secrets() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = SealedStore::new(Box::new(backend(&server, dir.path())), vault());
    let p = name("nd");
    let mut s = state("121.cleartext-access", 1);
    s.refresh_token = Some(crate::secret::RefreshToken::new("122.cleartext-refresh"));
    {
        let mut l = store.lock(&p, Duration::ZERO).unwrap();
        l.load().unwrap();
        l.save(&s).unwrap();
    }
    let mut c = server.conn();
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut c).unwrap();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort();
    assert_eq!(keys_sorted, ["t:nd:state", "t:nd:version", "t:profiles"]);
    let value: Vec<u8> = redis::cmd("GET").arg("t:nd:state").query(&mut c).unwrap();
    assert!(value.starts_with(b"age-encryption.org/v1"));
    for secret in [&b"cleartext"[..], b"121.", b"122."] {
        assert!(!value.windows(secret.len()).any(|w| w == secret));
    }
}

#[test]
fn the_local_copy_serves_when_redis_is_down_and_a_lock_then_fails_closed() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = SealedStore::new(Box::new(backend(&server, dir.path())), vault());
    let p = name("nd");
    {
        let mut l = store.lock(&p, Duration::ZERO).unwrap();
        l.load().unwrap();
        l.save(&state("24.kept", 1)).unwrap();
    }
    let url = server.url();
    drop(server);
    assert_eq!(
        store.load(&p).unwrap().unwrap().access_token.expose(),
        "24.kept"
    );
    let err = store.lock(&p, Duration::from_secs(1)).err().unwrap();
    assert_eq!(err.exit_code(), 5);
    assert!(err.message().contains(&url), "{}", err.message());
    // With no local copy, a read fails closed too.
    let elsewhere = tempfile::tempdir().unwrap();
    let cold = SealedStore::new(
        Box::new(RedisBackend::new(
            settings(&url),
            elsewhere.path(),
            Duration::from_secs(2),
        )),
        vault(),
    );
    assert_eq!(cold.load(&p).unwrap_err().exit_code(), 5);
}

#[test]
fn a_lease_lasts_at_most_30_s_whatever_the_request_time_out() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // A day's time-out: a crashed holder still blocks the fleet for 30 s at most.
    let b = RedisBackend::new(
        settings(&server.url()),
        dir.path(),
        Duration::from_secs(86_400),
    );
    let store = SealedStore::new(Box::new(b), vault());
    let p = name("nd");
    let l = store.lock(&p, Duration::ZERO).unwrap();
    let term: i64 = redis::cmd("PTTL")
        .arg("t:nd:lock")
        .query(&mut server.conn())
        .unwrap();
    assert!((29_000..=30_000).contains(&term), "{term}");
    // Held with most of its term left: a request may be sent, bounded by what is left.
    let left = l.lease_left().unwrap().expect("a lease has a term");
    assert!(left > Duration::from_secs(29), "{left:?}");
}
