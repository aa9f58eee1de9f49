//! Store errors (exit 6 unless a variant says otherwise): the identity, the passphrase, the
//! encrypted files, the state and its lock.

use serde::Serialize;

use crate::error::{Error, Kind};

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum StoreError {
    /// The profile's lock cannot be taken because of `cause` (a read-only or full folder):
    /// the same store failure as a state that cannot be saved.
    CannotLock {
        profile: String,
        dir: String,
        cause: Box<Error>,
    },
    /// `[store] backend` names no backend broker has (exit 2).
    UnknownBackend { name: String, config: String },
    /// `[store] backend = "redis"` without `url` or `BROKER_REDIS_URL` (exit 2).
    RedisNoUrl { config: String },
    /// A Redis URL broker cannot use (exit 2). `from` says where it came from; the URL itself
    /// is never a fact (it may hold a password). `why`: `not-a-url`, `scheme`, `no-host`,
    /// `client`.
    RedisBadUrl { from: String, why: &'static str },
    /// A `[store] prefix` outside the naming rule (exit 2).
    RedisBadPrefix { prefix: String, config: String },
    /// Redis cannot be reached or refused a command (exit 5). `url` is masked, `detail`
    /// scrubbed of the password and sanitized.
    RedisUnreachable { url: String, detail: String },
    /// A value under the prefix that broker did not write.
    RedisForeign { url: String, key: String },
    /// A compare-and-set found a newer write than this lease last read: nothing written.
    RedisChanged { profile: String },
    /// The lease was not obtained in time (exit 5); `holder` when known.
    LeaseTimeout {
        profile: String,
        known: bool,
        holder: String,
    },
    /// A state handed off by `state export` whose token is due (exit 3).
    HandedOff {
        profile: String,
        at: String,
        to: String,
    },
    /// `state export` of a state already handed off (exit 3).
    AlreadyHandedOff {
        profile: String,
        at: String,
        to: String,
    },
    /// `state export` of a profile with nothing stored (exit 2).
    NothingToExport { all: bool, profile: String },
    /// `state import` of something that is not a bundle (exit 2).
    NotABundle,
    /// `state import` of a bundle whose state is for another grant than the profile (exit 2).
    BundleGrant {
        profile: String,
        bundle: String,
        config: String,
    },
    /// `state import` of a bundle older than the stored state (exit 2 unless `--force`).
    BundleOlder {
        profile: String,
        bundle: String,
        stored: String,
    },
    /// `broker watch` on the file backend (exit 2).
    WatchNeedsRedis,
}

impl StoreError {
    pub fn kind(&self) -> Kind {
        match self {
            StoreError::UnknownBackend { .. }
            | StoreError::RedisNoUrl { .. }
            | StoreError::RedisBadUrl { .. }
            | StoreError::RedisBadPrefix { .. }
            | StoreError::NothingToExport { .. }
            | StoreError::NotABundle
            | StoreError::BundleGrant { .. }
            | StoreError::BundleOlder { .. }
            | StoreError::WatchNeedsRedis => Kind::Usage,
            StoreError::RedisUnreachable { .. } | StoreError::LeaseTimeout { .. } => Kind::Network,
            StoreError::HandedOff { .. } | StoreError::AlreadyHandedOff { .. } => Kind::NeedsPerson,
            StoreError::CannotLock { .. }
            | StoreError::RedisForeign { .. }
            | StoreError::RedisChanged { .. } => Kind::Store,
        }
    }
}
