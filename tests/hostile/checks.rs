//! The properties every parser of outside input keeps, whatever it is fed: shared by the
//! proptest suite (tests/hostile.rs) and the AFL targets (fuzz/), so a fuzzer's "crash" and a
//! failed property are the same thing.
//!
//! Each function runs one parser on the input and panics if the result breaks a property:
//! - it never panics itself, and deep nesting is an error, not a stack overflow;
//! - `Ok` only for a well-formed body, judged here independently through `serde_json::Value`,
//!   and a token in it is exactly the one sent (never trimmed, unescaped or cut);
//! - an `Err` is one line, has no control or invisible characters, is bounded in length
//!   whatever the input's size (no long echo), and has the exit code of its family
//!   (SPEC §7): 5 for a server body that is not what was expected, 2 for the config,
//!   6 for the state; 1 only for the two error codes that mean a bug in broker.

#![allow(dead_code)]

use broker::Error;
use broker::baidu::client::Answer;
use broker::config::{Config, FlagSettings, Paths, Plaintext};
use broker::error::is_unsafe_to_echo;
use broker::grant::{bce, netdisk, parse_token};
use broker::store::TokenState;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

/// The profile name every parser is given.
pub const PROFILE: &str = "hostile";
/// The longest message or hint any input may produce, in characters. Two sanitized server
/// strings (200 characters each) plus broker's own words fit; an echo of a body does not.
pub const MAX_MESSAGE: usize = 700;
/// What `grant::valid_token` accepts.
pub const MAX_TOKEN_LEN: usize = 4096;
const MAX_LIFETIME_SECS: i64 = 10 * 366 * 86400;
/// Error codes that Baidu's docs read as a bug in broker (exit 1): `unsupported_grant_type`
/// (broker sent a grant it should not) and `InvalidHTTPAuthHeader` (a malformed signature).
const BUG_CODES: [&str; 2] = ["unsupported_grant_type", "InvalidHTTPAuthHeader"];

/// A fixed "now", so expiry arithmetic is checkable.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
        .expect("a valid time")
        .with_timezone(&Utc)
}

/// The error's message and hint are one safe, bounded line each, and its exit code is allowed.
pub fn check_error(e: &Error, allowed: &[u8], what: &str) {
    assert!(
        allowed.contains(&e.exit_code()),
        "{what}: exit {} not in {allowed:?}: {}",
        e.exit_code(),
        e.message()
    );
    assert!(!e.message().is_empty(), "{what}: empty message");
    for text in std::iter::once(e.message()).chain(e.hint()) {
        let bad = text.chars().find(|&c| is_unsafe_to_echo(c));
        assert!(bad.is_none(), "{what}: {bad:?} in {text:?}");
        let len = text.chars().count();
        assert!(len <= MAX_MESSAGE, "{what}: {len} characters: {text:?}");
    }
}

/// Whether a token value would be accepted: non-empty, bounded, no control characters.
pub fn acceptable_token(t: &str) -> bool {
    !t.is_empty() && t.len() <= MAX_TOKEN_LEN && !t.chars().any(char::is_control)
}

/// The fields of a JSON object that a parser reads, each as a `Value` (the last one of a
/// repeated key); other fields are checked for syntax only, as serde's derived structs do.
/// `None` when the body is not an object of UTF-8 text, or a field read cannot be held
/// (a number beyond `f64`). The result is always an object.
fn json(body: &[u8], read: &[&str]) -> Option<Value> {
    struct Fields<'a>(&'a [&'a str]);
    impl<'de> serde::de::DeserializeSeed<'de> for Fields<'_> {
        type Value = Map<String, Value>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> serde::de::Visitor<'de> for Fields<'_> {
        type Value = Map<String, Value>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Map::new();
            while let Some(k) = map.next_key::<String>()? {
                if self.0.contains(&k.as_str()) {
                    out.insert(k, map.next_value::<Value>()?);
                } else {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
            Ok(out)
        }
    }
    let text = std::str::from_utf8(body).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let fields = serde::de::DeserializeSeed::deserialize(Fields(read), &mut de).ok()?;
    de.end().ok()?;
    Some(Value::Object(fields))
}

/// The fields each parser reads.
const DEVICE_FIELDS: [&str; 6] = [
    "device_code",
    "user_code",
    "verification_url",
    "qrcode_url",
    "expires_in",
    "interval",
];
const BEARER_FIELDS: [&str; 2] = ["token", "expireTime"];

/// The exit codes allowed for a failed server body: the error-body table when the body is an
/// error (1 only for the bug codes), else 5.
fn server_family(status: u16, body: &[u8]) -> Vec<u8> {
    match Answer::new(status, body.to_vec()).error() {
        Some(e) if BUG_CODES.contains(&e.code.as_str()) => vec![1],
        Some(_) => vec![2, 3, 4, 5],
        None => vec![5],
    }
}

/// A field of a JSON object, `None` when absent or null (serde reads both as `None`).
fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|f| !f.is_null())
}

/// An optional string field: `Some(None)` absent, `Some(Some(s))` a string, `None` wrong type.
fn opt_str<'a>(v: &'a Value, key: &str) -> Option<Option<&'a str>> {
    match field(v, key) {
        None => Some(None),
        Some(Value::String(s)) => Some(Some(s)),
        Some(_) => None,
    }
}

/// `/oauth/2.0/token`, every grant. Returns whether a token was accepted.
pub fn token(status: u16, body: &[u8], keep_refresh: bool) -> bool {
    let answer = Answer::new(status, body.to_vec());
    let result = parse_token(&answer, PROFILE, now(), keep_refresh);
    let expected = expected_token(status, body, keep_refresh);
    match (&result, &expected) {
        (Ok(fresh), Some(exp)) => {
            assert_eq!(
                fresh.access_token.expose(),
                exp.access,
                "access token altered"
            );
            assert_eq!(
                fresh.refresh_token.as_ref().map(|t| t.expose()),
                exp.refresh.as_deref(),
                "refresh token altered"
            );
            assert_eq!(fresh.expires_at, now() + TimeDelta::seconds(exp.expires_in));
            if let Some(scope) = &fresh.scope {
                assert!(!scope.chars().any(is_unsafe_to_echo), "scope {scope:?}");
            }
            true
        }
        (Ok(_), None) => panic!("a token was accepted from a body that is not well-formed"),
        // serde refuses a known field given twice; the `Value` reading keeps the last one.
        (Err(e), Some(_)) if duplicate_keys(body, &TOKEN_FIELDS) => {
            check_error(e, &[5], "token");
            false
        }
        (Err(e), Some(_)) => panic!("a well-formed token body was refused: {}", e.message()),
        (Err(e), None) => {
            check_error(e, &server_family(status, body), "token");
            false
        }
    }
}

/// What a well-formed token answer holds.
pub struct ExpectedToken {
    pub access: String,
    pub refresh: Option<String>,
    pub expires_in: i64,
}

/// The fields broker reads from a token answer.
const TOKEN_FIELDS: [&str; 4] = ["access_token", "expires_in", "refresh_token", "scope"];

/// True when one of `known` appears twice at the top level of a JSON object.
fn duplicate_keys(body: &[u8], known: &[&str]) -> bool {
    let Some(keys) = std::str::from_utf8(body).ok().map(broker::baidu::json_keys) else {
        return false;
    };
    known
        .iter()
        .any(|k| keys.iter().filter(|key| key.as_str() == *k).count() > 1)
}

/// The independent reading of a token answer: `Some` exactly when broker must accept it.
pub fn expected_token(status: u16, body: &[u8], keep_refresh: bool) -> Option<ExpectedToken> {
    if Answer::new(status, body.to_vec()).error().is_some() || status >= 500 || status == 429 {
        return None;
    }
    let v = json(body, &TOKEN_FIELDS)?;
    // Every field broker reads must have its type, even those it then ignores.
    let access = opt_str(&v, "access_token")??;
    let refresh = opt_str(&v, "refresh_token")?;
    opt_str(&v, "scope")?;
    if !v.is_object() || !acceptable_token(access) {
        return None;
    }
    let expires_in = match field(&v, "expires_in")? {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.parse().ok()?,
        _ => return None,
    };
    if !(1..=MAX_LIFETIME_SECS).contains(&expires_in) {
        return None;
    }
    let refresh = if keep_refresh {
        Some(refresh.filter(|r| acceptable_token(r))?.to_owned())
    } else {
        None
    };
    Some(ExpectedToken {
        access: access.to_owned(),
        refresh,
        expires_in,
    })
}

/// One answer to a device poll.
pub fn poll(status: u16, body: &[u8]) {
    let answer = Answer::new(status, body.to_vec());
    let error = Answer::new(status, body.to_vec()).error();
    match netdisk::parse_poll(&answer, PROFILE, now()) {
        Ok(netdisk::Poll::Pending) => assert_eq!(
            error.map(|e| e.code).as_deref(),
            Some("authorization_pending")
        ),
        Ok(netdisk::Poll::SlowDown) => {
            assert_eq!(error.map(|e| e.code).as_deref(), Some("slow_down"))
        }
        Ok(netdisk::Poll::Done(fresh)) => {
            let exp = expected_token(status, body, true).expect("a well-formed token body");
            assert_eq!(fresh.access_token.expose(), exp.access);
        }
        Err(e) => {
            let mut family = server_family(status, body);
            if error.is_some() {
                family.push(3);
            }
            check_error(&e, &family, "device poll");
        }
    }
}

/// `/oauth/2.0/device/code`. Returns whether a device code was accepted.
pub fn device_code(status: u16, body: &[u8]) -> bool {
    match netdisk::parse_device_code(&Answer::new(status, body.to_vec()), PROFILE) {
        Ok(d) => {
            assert!(Answer::new(status, body.to_vec()).error().is_none());
            let v = json(body, &DEVICE_FIELDS).expect("accepted a body that is not JSON");
            let text = |k: &str| v.get(k).and_then(Value::as_str);
            assert_eq!(Some(d.device_code.expose()), text("device_code"));
            assert_eq!(Some(d.user_code.as_str()), text("user_code"));
            assert!(d.user_code.chars().all(|c| c.is_ascii_alphanumeric()));
            assert_eq!(Some(d.verification_url.as_str()), text("verification_url"));
            for url in std::iter::once(&d.verification_url).chain(d.qrcode_url.as_ref()) {
                assert!(url.starts_with("https://") || url.starts_with("http://"));
                assert!(!url.chars().any(char::is_control), "{url:?}");
            }
            assert!((5..=60).contains(&d.interval), "interval {}", d.interval);
            assert!(
                (1..=3600).contains(&d.expires_in),
                "expires_in {}",
                d.expires_in
            );
            true
        }
        Err(e) => {
            check_error(&e, &server_family(status, body), "device code");
            false
        }
    }
}

/// `/v1/BCE-BEARER/token`. Returns whether a bearer token was accepted.
pub fn bearer(status: u16, body: &[u8]) -> bool {
    let answer = Answer::new(status, body.to_vec());
    match bce::parse_bearer(&answer, PROFILE) {
        Ok(fresh) => {
            assert_eq!(status, 200);
            assert!(Answer::new(status, body.to_vec()).error().is_none());
            let v = json(body, &BEARER_FIELDS).expect("accepted a body that is not JSON");
            assert_eq!(
                Some(fresh.access_token.expose()),
                v.get("token").and_then(Value::as_str),
                "bearer token altered"
            );
            let at = v
                .get("expireTime")
                .and_then(Value::as_str)
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .expect("an expireTime");
            assert_eq!(fresh.expires_at, at);
            assert!(fresh.refresh_token.is_none());
            true
        }
        Err(e) => {
            check_error(&e, &server_family(status, body), "bearer");
            false
        }
    }
}

/// Baidu's error bodies on their own: an error, when read, has a code and a safe summary.
pub fn baidu_error(status: u16, body: &[u8]) {
    if let Some(e) = Answer::new(status, body.to_vec()).error() {
        assert!(!e.code.is_empty() && e.code != "0");
        let err = e.to_error(PROFILE);
        check_error(&err, &[1, 2, 3, 4, 5], "error body");
        if err.exit_code() == 1 {
            assert!(
                BUG_CODES.contains(&e.code.as_str()),
                "exit 1 for `{}`",
                e.code
            );
        }
    }
}

/// The config text, parsed and validated as `broker` would load it.
pub fn config(text: &str) -> bool {
    let paths = Paths {
        config: "/hostile/profiles.toml".into(),
        state_dir: "/hostile/state".into(),
        default_identity: "/hostile/identity.txt".into(),
    };
    for plaintext in [Plaintext::Refuse, Plaintext::Allow] {
        match Config::from_text(paths.clone(), text, &FlagSettings::default(), plaintext) {
            Err(e) => {
                check_error(&e, &[2], "config");
                return false;
            }
            Ok(cfg) => {
                // Every time limit a config can set must make a deadline the clock can hold
                // (commands add a few seconds of grace to the lock wait).
                let hooks = cfg
                    .hooks
                    .iter()
                    .chain(cfg.profiles.values().flat_map(|p| &p.hooks));
                let limits = std::iter::once(cfg.settings.timeout.0)
                    .chain(hooks.filter_map(|h| h.timeout.map(|t| t.0)));
                for limit in limits {
                    let deadline = limit
                        .checked_add(std::time::Duration::from_secs(60))
                        .and_then(|l| std::time::Instant::now().checked_add(l));
                    assert!(
                        deadline.is_some(),
                        "a timeout of {limit:?} overflows a deadline"
                    );
                }
            }
        }
    }
    true
}

/// A decrypted state file. Errors never quote the input (it holds tokens).
pub fn state(bytes: &[u8]) -> bool {
    match TokenState::from_json(bytes) {
        Ok(s) => {
            assert!(s.version <= TokenState::VERSION);
            // What was read writes back to the same state.
            let again = s.to_json().expect("serializes");
            let back = TokenState::from_json(&again).expect("reads back");
            assert_eq!(back, s);
            true
        }
        Err(e) => {
            check_error(&e, &[6], "state");
            if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(bytes) {
                for v in map.values() {
                    if let Value::String(s) = v
                        && s.len() >= 8
                    {
                        assert!(!e.message().contains(s.as_str()), "the state was quoted");
                    }
                }
            }
            false
        }
    }
}

/// Every parser of server bodies on the same bytes (the fuzz targets' entry point).
pub fn server_bodies(status: u16, body: &[u8]) {
    token(status, body, false);
    token(status, body, true);
    poll(status, body);
    device_code(status, body);
    bearer(status, body);
    baidu_error(status, body);
}
