//! The lease of a profile: `SET PREFIX:PROFILE:lock "OWNER HOST PID" NX PX TERM`, with a
//! random owner, renewed from a thread every quarter of its term while held (the thread is
//! never joined: a renewal stuck on a server that stopped answering must not keep a command
//! from finishing), released by a compare-and-delete. Writes under it are compare-and-sets on
//! the version key, so a holder whose lease lapsed cannot overwrite a later holder's state.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use redis::Commands;
use zeroize::Zeroizing;

use super::{Kind, RedisBackend, errors, live, nonce, open, scripts};
use crate::error::Result;
use crate::profile::ProfileName;
use crate::store::{BackendLock, Version};

impl RedisBackend {
    /// Who holds the profile's lease, for people: `pid N on HOST`.
    pub fn holder(&self, profile: &ProfileName) -> Option<String> {
        let value: Option<String> = self.with(|c| c.get(self.key(profile, Kind::Lock))).ok()?;
        value.as_deref().map(describe_owner)
    }

    /// Takes the profile's lease within `wait`: `SET NX PX` with a random owner, retried
    /// with a growing pause; a renewer thread keeps it while held.
    pub(super) fn take_lease(
        &self,
        profile: &ProfileName,
        wait: Duration,
    ) -> Result<RedisLock<'_>> {
        let key = self.key(profile, Kind::Lock);
        let host = nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().replace(' ', "_"))
            .unwrap_or_default();
        let owner = format!(
            "{} {host} {}",
            hex::encode(rand::random::<[u8; 16]>()),
            std::process::id()
        );
        let lease_ms = u64::try_from(self.lease.as_millis()).unwrap_or(u64::MAX);
        let deadline = Instant::now() + wait;
        let mut pause = Duration::from_millis(10);
        loop {
            let took: Option<String> = self.with(|c| {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(&owner)
                    .arg("NX")
                    .arg("PX")
                    .arg(lease_ms)
                    .query(c)
            })?;
            if took.is_some() {
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(errors::lock_timeout(
                    profile,
                    self.holder(profile).as_deref(),
                ));
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(100));
        }
        let lost = Arc::new(AtomicBool::new(false));
        let renewer = self.renew.then(|| self.renewer(&key, &owner, &lost));
        Ok(RedisLock {
            backend: self,
            profile: profile.clone(),
            key,
            owner,
            raw: std::cell::RefCell::new(String::new()),
            renewer,
            lost,
        })
    }

    /// A thread that renews the lease every quarter of its term until told to stop (the
    /// sender dropped), or until the lease is found to be someone else's.
    fn renewer(&self, key: &str, owner: &str, lost: &Arc<AtomicBool>) -> Renewer {
        let (stop, stopped) = mpsc::channel::<()>();
        let client = self.client.clone().ok();
        let (key, owner, lost) = (key.to_owned(), owner.to_owned(), Arc::clone(lost));
        let lease = self.lease;
        let wait = self.io_wait();
        let lease_ms = u64::try_from(lease.as_millis()).unwrap_or(u64::MAX);
        let thread = std::thread::spawn(move || {
            let mut conn = None;
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(lease / 4) {
                let Some(client) = &client else { return };
                if conn.is_none() {
                    conn = open(client, wait, wait).ok();
                }
                let Some(c) = conn.as_mut() else { continue };
                match scripts::RENEW
                    .key(&key)
                    .arg(&owner)
                    .arg(lease_ms)
                    .invoke::<i64>(c)
                {
                    Ok(1) => {}
                    Ok(_) => {
                        lost.store(true, Ordering::SeqCst);
                        return;
                    }
                    // Unreachable for now: try again at the next tick; `lease_left` decides.
                    Err(_) => conn = None,
                }
            }
        });
        // Never joined: a renewal stuck on a server that stopped answering must not keep the
        // command from finishing. Left alone, the thread can only extend a lease that is
        // still this owner's, and the release that follows its stop deletes that.
        drop(thread);
        Renewer { _stop: stop }
    }
}

/// `OWNER HOST PID` → `pid PID on HOST`.
fn describe_owner(value: &str) -> String {
    let mut parts = value.splitn(3, ' ');
    let _owner = parts.next();
    match (parts.next(), parts.next()) {
        (Some(host), Some(pid)) => format!(
            "pid {} on {}",
            crate::error::sanitize(pid),
            crate::error::sanitize(host)
        ),
        _ => "an unknown holder".to_owned(),
    }
}

/// Stops its thread when dropped (the channel closes).
struct Renewer {
    _stop: mpsc::Sender<()>,
}

pub(super) struct RedisLock<'a> {
    backend: &'a RedisBackend,
    profile: ProfileName,
    key: String,
    owner: String,
    /// The raw version last read or written (`""`, `N` or a tombstone `N-`): what a write
    /// expecting "nothing stored" compares against, so even that is fenced.
    raw: std::cell::RefCell<String>,
    renewer: Option<Renewer>,
    lost: Arc<AtomicBool>,
}

impl BackendLock for RedisLock<'_> {
    fn read(&self) -> Result<Option<(Zeroizing<Vec<u8>>, Version)>> {
        let (bytes, version) = self.backend.read_both(&self.profile)?;
        let raw = version.unwrap_or_default();
        *self.raw.borrow_mut() = raw.clone();
        match (bytes, live(Some(&raw))) {
            (Some(bytes), Some(v)) => {
                let bytes = Zeroizing::new(bytes);
                self.backend.cache.store(&self.profile, v, &bytes);
                Ok(Some((bytes, Version(v.to_owned()))))
            }
            (Some(_), None) => Err(errors::foreign(
                &self.backend.settings.url,
                &self.backend.key(&self.profile, Kind::Version),
            )),
            (None, _) => {
                self.backend.cache.remove(&self.profile);
                Ok(None)
            }
        }
    }

    fn write(&mut self, expected: Option<&Version>, bytes: &[u8]) -> Result<Version> {
        let b = self.backend;
        let expected = match expected {
            Some(v) => v.0.clone(),
            None => self.raw.borrow().clone(),
        };
        let keys = [
            b.key(&self.profile, Kind::State),
            b.key(&self.profile, Kind::Version),
            b.profiles_key(),
        ];
        let new: Option<String> = b.with(|c| {
            scripts::WRITE
                .key(&keys[0])
                .key(&keys[1])
                .key(&keys[2])
                .arg(&expected)
                .arg(bytes)
                .arg(self.profile.as_str())
                .arg(nonce())
                .invoke(c)
        })?;
        let new = new.ok_or_else(|| errors::changed(&self.profile))?;
        b.cache.store(&self.profile, &new, bytes);
        self.raw.replace(new.clone());
        Ok(Version(new))
    }

    fn remove(&mut self) -> Result<()> {
        self.raw.replace(self.backend.remove_state(&self.profile)?);
        Ok(())
    }

    fn renew(&mut self) -> Result<()> {
        let lease_ms = u64::try_from(self.backend.lease.as_millis()).unwrap_or(u64::MAX);
        let renewed: i64 = self.backend.with(|c| {
            scripts::RENEW
                .key(&self.key)
                .arg(&self.owner)
                .arg(lease_ms)
                .invoke(c)
        })?;
        if renewed != 1 {
            self.lost.store(true, Ordering::SeqCst);
        }
        Ok(())
    }

    fn lease_left(&self) -> Result<Option<Duration>> {
        if self.lost.load(Ordering::SeqCst) {
            return Ok(Some(Duration::ZERO));
        }
        let left: i64 = self
            .backend
            .with(|c| scripts::LEFT.key(&self.key).arg(&self.owner).invoke(c))?;
        Ok(Some(Duration::from_millis(
            u64::try_from(left).unwrap_or(0),
        )))
    }

    fn profile(&self) -> &ProfileName {
        &self.profile
    }
}

impl Drop for RedisLock<'_> {
    fn drop(&mut self) {
        drop(self.renewer.take());
        let _: Result<i64> = self
            .backend
            .with(|c| scripts::RELEASE.key(&self.key).arg(&self.owner).invoke(c));
    }
}
