//! Every error of the Redis store, built here and nowhere else, so that the wording (and a
//! later move to typed errors) is one place. None of them carries a password: URLs are
//! shown masked, and a client's own text is scrubbed and sanitized.

use crate::error::{Error, sanitize};
use crate::profile::ProfileName;

use super::RedisUrl;

/// `[store] backend = "redis"` without a URL.
pub fn no_url(cfg_path: &str) -> Error {
    Error::usage(format!(
        "`[store] backend = \"redis\"` in `{cfg_path}` needs a `url` (or `BROKER_REDIS_URL`)"
    ))
    .with_hint("e.g. `url = \"redis://127.0.0.1:6379/0\"`; put a password in `BROKER_REDIS_URL` rather than the file")
}

/// A URL that is not a usable Redis URL. The URL is not quoted: it may hold a password.
pub fn bad_url(from: &str, why: &str) -> Error {
    Error::usage(format!("invalid Redis URL in `{from}`: {why}")).with_hint(
        "write it as `redis://[USER:PASSWORD@]HOST[:PORT][/DB]`, or `rediss://…` for TLS",
    )
}

pub fn bad_prefix(prefix: &str, cfg_path: &str) -> Error {
    Error::usage(format!(
        "invalid `[store] prefix = \"{}\"` in `{cfg_path}`",
        sanitize(prefix)
    ))
    .with_hint("a prefix is 1 to 64 letters, digits, `-`, `_` or `.`")
}

/// `[store] backend` names no backend broker has.
pub fn unknown_backend(name: &str, cfg_path: &str) -> Error {
    Error::usage(format!(
        "unknown `[store] backend = \"{}\"` in `{cfg_path}`",
        sanitize(name)
    ))
    .with_hint("use `file` (the default) or `redis`")
}

/// Redis could not be reached or refused a command (connection, time-out, AUTH, ACL): exit 5.
pub fn unreachable(url: &RedisUrl, e: &redis::RedisError) -> Error {
    let detail = sanitize(&url.scrub(&e.to_string()));
    Error::network(format!("the Redis store at `{url}` is unreachable or refused: {detail}"))
        .with_hint("check that Redis runs and `[store] url` (or `BROKER_REDIS_URL`); a cached token that is not due is still served, but nothing rotates without Redis")
}

/// A value in Redis that is not what broker writes (another program's key under the prefix).
pub fn foreign(url: &RedisUrl, key: &str) -> Error {
    Error::store(format!(
        "the Redis store at `{url}` holds something broker did not write at `{}`",
        sanitize(key)
    ))
    .with_hint("use a `[store] prefix` of broker's own")
}

/// A compare-and-set that found a newer write (or a removal) than this lock last read: a
/// holder whose lease lapsed, or a write without the lock. Nothing was written (exit 6).
pub fn changed(profile: &ProfileName) -> Error {
    Error::store(format!(
        "the state of profile `{profile}` changed in Redis while this process held its lease; nothing was saved"
    ))
    .with_hint("another machine wrote it (this lease may have lapsed); try again")
}

/// The lease was not obtained in time: exit 5, naming the holder when known.
pub fn lock_timeout(profile: &ProfileName, holder: Option<&str>) -> Error {
    let who = holder.map(|h| format!(" ({h})")).unwrap_or_default();
    Error::network(format!(
        "timed out waiting for the lock on profile `{profile}` held by another broker process{who}"
    ))
    .with_hint("another machine is rotating this profile; try again (a holder that died frees the lease when it lapses)")
}
