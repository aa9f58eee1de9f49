//! The local read-through copy of the Redis store: per profile, the sealed bytes Redis holds
//! and their version, in `<state>/redis/<tag>/<profile>.age` (0600, in a 0700 folder, written
//! atomically). Written each time this machine reads a new version or writes one; served
//! while Redis says its version is still the same, or within the cache window, or when Redis
//! cannot be reached (then only a token that is not due: rotating needs Redis).

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use crate::profile::ProfileName;
use crate::store::{atomic, read};

const MAGIC: &[u8] = b"broker-redis-copy 1 ";

#[derive(Debug)]
pub(super) struct Cache {
    dir: PathBuf,
}

/// One profile's local copy.
pub(super) struct Copy {
    pub(super) version: String,
    pub(super) bytes: Zeroizing<Vec<u8>>,
    /// When Redis last confirmed it (the file's mtime).
    pub(super) confirmed: SystemTime,
}

impl Cache {
    pub(super) fn new(dir: PathBuf) -> Self {
        Cache { dir }
    }

    fn path(&self, profile: &ProfileName) -> PathBuf {
        self.dir.join(format!("{}.age", profile.as_str()))
    }

    /// The copy, if there is a readable one; anything odd is no copy (Redis is the truth).
    pub(super) fn load(&self, profile: &ProfileName) -> Option<Copy> {
        let path = self.path(profile);
        let contents =
            read::file(&path, read::MAX_STATE, read::FileRole::State(profile)).ok()??;
        let confirmed = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
        let rest = contents.bytes.strip_prefix(MAGIC)?;
        let nl = rest.iter().position(|&b| b == b'\n')?;
        let version = std::str::from_utf8(&rest[..nl]).ok()?.to_owned();
        Some(Copy {
            version,
            bytes: Zeroizing::new(rest[nl + 1..].to_vec()),
            confirmed,
        })
    }

    /// Keeps `bytes` as the copy of `version`. Best effort: a copy that cannot be written
    /// costs a round trip next time, nothing more.
    pub(super) fn store(&self, profile: &ProfileName, version: &str, bytes: &[u8]) {
        let mut out = Zeroizing::new(Vec::with_capacity(bytes.len() + 40));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(version.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(bytes);
        let written = atomic::create_dir(&self.dir)
            .and_then(|()| atomic::write(&self.path(profile), &out, atomic::FILE_MODE));
        if let Err(e) = written {
            crate::ui::debug(1, format!("could not keep a local copy: {}", e.message()));
        }
    }

    /// Marks the copy as confirmed by Redis just now (only needed with a cache window).
    pub(super) fn confirm(&self, profile: &ProfileName) {
        if let Ok(f) = std::fs::File::options()
            .write(true)
            .open(self.path(profile))
        {
            let _ = f.set_modified(SystemTime::now());
        }
    }

    pub(super) fn remove(&self, profile: &ProfileName) {
        let _ = std::fs::remove_file(self.path(profile));
    }

    /// Whether a copy confirmed at `confirmed` is still inside `window`.
    pub(super) fn fresh(confirmed: SystemTime, window: Duration) -> bool {
        !window.is_zero()
            && SystemTime::now()
                .duration_since(confirmed)
                .is_ok_and(|age| age < window)
    }
}
