//! The Lua scripts that make the Redis store's writes atomic on one server: a write is a
//! compare-and-set on the version key, a lease is renewed and released only by its owner.
//!
//! Keys of a profile: `PREFIX:PROFILE:state` (the sealed bytes), `PREFIX:PROFILE:version`
//! (the write sequence and a random nonce of the writer's: `N:NONCE` while a state is stored,
//! `N:NONCE-` once removed; compared whole, so neither a lapsed holder's expected version nor
//! a local copy's can match again, even after Redis lost its data and `N` counts up anew), `PREFIX:PROFILE:lock` (the
//! lease: `OWNER HOST PID`). `PREFIX:profiles` is the set of stored profiles.

use std::sync::LazyLock;

use redis::Script;

/// The error code of a script that found another program's value at one of its keys (the
/// error's detail names the key); checked before anything is written.
pub(super) const FOREIGN: &str = "BROKERFOREIGN";

/// Lua: fails with [`FOREIGN`] unless each of KEYS is absent or of the type at the same place
/// in the arguments.
const CHECK_TYPES: &str = r"
local function check(...)
  for i, want in ipairs({...}) do
    local t = redis.call('TYPE', KEYS[i]).ok
    if t ~= 'none' and t ~= want then return redis.error_reply('BROKERFOREIGN ' .. KEYS[i]) end
  end
end
";

/// KEYS: state, version, profiles; ARGV: expected version ("" for none), bytes, profile,
/// nonce. Returns the new version, or nil when the stored version is not the expected one.
pub(super) static WRITE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"{CHECK_TYPES}
local foreign = check('string', 'string', 'set')
if foreign then return foreign end
local cur = redis.call('GET', KEYS[2]) or ''
if cur ~= ARGV[1] then return false end
local new = tostring((tonumber(string.match(cur, '^(%d+)')) or 0) + 1) .. ':' .. ARGV[4]
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], new)
redis.call('SADD', KEYS[3], ARGV[3])
return new
",
    ))
});

/// KEYS: state, version, profiles; ARGV: profile, nonce. Idempotent; returns the version after.
pub(super) static REMOVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"{CHECK_TYPES}
local foreign = check('string', 'string', 'set')
if foreign then return foreign end
local cur = redis.call('GET', KEYS[2]) or ''
redis.call('SREM', KEYS[3], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return cur end
local new = tostring((tonumber(string.match(cur, '^(%d+)')) or 0) + 1) .. ':' .. ARGV[2] .. '-'
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], new)
return new
",
    ))
});

/// KEYS: lock; ARGV: owner. Compare-and-delete.
pub(super) static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
",
    )
});

/// KEYS: lock; ARGV: owner, lease in ms. Extends the lease only if it is still the owner's.
pub(super) static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
",
    )
});

/// KEYS: lock; ARGV: owner. The lease's milliseconds left if it is the owner's, else -3.
pub(super) static LEFT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PTTL', KEYS[1]) end
return -3
",
    )
});
