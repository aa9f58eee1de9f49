//! Hostile servers and hostile files: property tests of every parser of what comes from
//! outside (token, device-poll, device-code and BCE bodies, Baidu's error shapes, the config,
//! the decrypted state). The properties themselves live in `hostile/checks.rs`, which the AFL
//! targets in fuzz/ share; this file feeds them arbitrary bytes, arbitrary JSON, every field
//! of a good body replaced by every wrong type, deep nesting, huge strings and broken UTF-8.

// Helpers are `pub` for the sibling modules (and, for hostile/checks.rs, the fuzz targets that
// include it); a test crate has no API for `unreachable_pub` to guard.
#![allow(unreachable_pub)]

#[path = "hostile/checks.rs"]
mod checks;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

/// Every key any parser reads, so generated objects hit real fields, not only unknown ones.
const KEYS: &[&str] = &[
    "access_token",
    "expires_in",
    "refresh_token",
    "scope",
    "session_key",
    "error",
    "error_description",
    "errno",
    "errmsg",
    "error_code",
    "error_msg",
    "error_no",
    "code",
    "message",
    "requestId",
    "device_code",
    "user_code",
    "verification_url",
    "qrcode_url",
    "interval",
    "token",
    "expireTime",
    "createTime",
    "version",
    "grant",
    "expires_at",
    "obtained_at",
    "generation",
    "refresh_in_flight",
    "needs_login",
    "hooks",
];

/// Error codes from baidu-oauth.md, so error bodies reach every branch of the table.
const CODES: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "expired_token",
    "redirect_uri_mismatch",
    "slow_down",
    "authorization_pending",
    "authorization_declined",
    "access_denied",
    "Trigger security policy",
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidHTTPAuthHeader",
    "RequestExpired",
    "0",
    "",
    "-6",
    "110",
];

/// Token-like text: mostly printable (quotes, backslashes, spaces at either end, invisible
/// and astral characters), sometimes with a control character, sometimes right at the
/// length limit, so both "accepted exactly" and "refused" are common outcomes.
fn token_text() -> impl Strategy<Value = String> {
    let printable = vec![
        '"', '\\', ' ', '\u{3000}', '.', '-', '_', '/', '+', '=', 'a', 'Z', '0', 'é', '𝄞',
        '\u{202e}', '\u{200b}', '$', '`',
    ];
    prop_oneof![
        6 => vec(select(printable.clone()), 0..300).prop_map(String::from_iter),
        2 => (vec(select(printable.clone()), 0..50), any::<char>(), vec(select(printable), 0..50))
            .prop_map(|(a, c, b)| a.into_iter().chain([c]).chain(b).collect()),
        1 => (4090usize..4100).prop_map(|n| "t".repeat(n)),
        1 => (2045usize..2050).prop_map(|n| "é".repeat(n)),
        1 => any_text(5000),
    ]
}

/// Characters that break naive quoting, line handling or display.
const AWKWARD: &[char] = &[
    '"', '\\', '\n', '\r', '\0', '\x1b', '\u{202e}', '\u{200b}', '\u{7f}', 'é', '𝄞', ' ', '.', 'a',
];

/// Any characters at all: controls, escapes, quotes, invisible ones, astral planes.
fn any_text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        8 => vec(any::<char>(), 0..max).prop_map(String::from_iter),
        2 => vec(select(AWKWARD.to_vec()), 0..max).prop_map(String::from_iter),
        1 => (0usize..3, any::<char>())
            .prop_map(|(n, c)| c.to_string().repeat([300, 5000, 70_000][n])),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (-10i64..3_000_000).prop_map(Value::from),
        any_text(40).prop_map(Value::String),
        (-10i64..3_000_000).prop_map(|n| Value::String(n.to_string())),
        select(CODES).prop_map(|c| Value::String(c.to_owned())),
        Just(Value::String("2031-01-01T00:00:00Z".into())),
        Just(Value::String("https://openapi.baidu.com/device".into())),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => select(KEYS).prop_map(str::to_owned), 1 => any_text(12)]
}

/// Arbitrary JSON, nested a few levels, with real keys mixed in.
fn any_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(key(), inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// What happens to one field of a good body.
#[derive(Debug, Clone)]
enum Change {
    Keep,
    Remove,
    Replace(Value),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        2 => Just(Change::Keep),
        1 => Just(Change::Remove),
        2 => any_json().prop_map(Change::Replace),
    ]
}

fn apply(mut body: Map<String, Value>, changes: &[(&str, Change)]) -> Vec<u8> {
    for (k, c) in changes {
        match c {
            Change::Keep => {}
            Change::Remove => {
                body.remove(*k);
            }
            Change::Replace(v) => {
                body.insert((*k).to_owned(), v.clone());
            }
        }
    }
    serde_json::to_vec(&Value::Object(body)).expect("JSON")
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!("an object literal"),
    }
}

fn netdisk_body(access: &str, refresh: &str) -> Map<String, Value> {
    object(json!({
        "expires_in": 2592000,
        "refresh_token": refresh,
        "access_token": access,
        "session_secret": "",
        "session_key": "",
        "scope": "basic netdisk",
    }))
}

/// `cases` runs, and no regression files written into the source tree.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        4 => Just(200u16),
        1 => select(vec![400u16, 401, 403, 429, 500, 503]),
        1 => 0u16..1000,
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes_never_break_a_parser(status in status(), body in vec(any::<u8>(), 0..600)) {
        checks::server_bodies(status, &body);
        checks::state(&body);
        checks::config(&String::from_utf8_lossy(&body));
    }

    #[test]
    fn arbitrary_json_never_breaks_a_parser(status in status(), v in any_json()) {
        let body = serde_json::to_vec(&v).expect("JSON");
        checks::server_bodies(status, &body);
        checks::state(&body);
    }

    #[test]
    fn every_field_of_a_token_body_may_be_missing_or_of_any_type(
        status in status(),
        changes in vec(change(), 6),
    ) {
        let fields = [
            "access_token", "expires_in", "refresh_token", "scope", "error", "error_description",
        ];
        let changes: Vec<(&str, Change)> = fields.into_iter().zip(changes).collect();
        let body = apply(netdisk_body("121.a", "122.r"), &changes);
        checks::server_bodies(status, &body);
    }

    #[test]
    fn every_field_of_a_device_code_body_may_be_missing_or_of_any_type(
        status in status(),
        changes in vec(change(), 6),
    ) {
        let good = object(json!({
            "device_code": "b4adab18f1ef0807d62cebddac2adea7",
            "user_code": "u67xpvun",
            "verification_url": "https://openapi.baidu.com/device",
            "qrcode_url": "http://openapi.baidu.com/device/qrcode/0f27/u67xpvun",
            "expires_in": 1800,
            "interval": 5,
        }));
        let fields = [
            "device_code", "user_code", "verification_url", "qrcode_url", "expires_in", "interval",
        ];
        let changes: Vec<(&str, Change)> = fields.into_iter().zip(changes).collect();
        let all_kept = changes.iter().all(|(_, c)| matches!(c, Change::Keep));
        let accepted = checks::device_code(status, &apply(good, &changes));
        if all_kept {
            prop_assert!(accepted, "the documented device-code body was refused");
        }
    }

    #[test]
    fn every_field_of_a_bearer_body_may_be_missing_or_of_any_type(
        status in status(),
        changes in vec(change(), 4),
    ) {
        let good = object(json!({
            "userId": "u",
            "token": "bce-v3/ALTAK-x/y",
            "status": "enable",
            "createTime": "2024-11-28T06:09:57.000Z",
            "expireTime": "2024-11-29T06:09:57.000Z",
        }));
        let fields = ["token", "expireTime", "code", "message"];
        let changes: Vec<(&str, Change)> = fields.into_iter().zip(changes).collect();
        checks::server_bodies(status, &apply(good, &changes));
    }

    #[test]
    fn every_error_shape_with_any_code_and_description(
        status in status(),
        shape in 0usize..5,
        code in leaf(),
        description in prop_oneof![leaf(), any_text(3000).prop_map(Value::String)],
    ) {
        let (c, d) = [
            ("error", "error_description"),
            ("errno", "errmsg"),
            ("error_code", "error_msg"),
            ("error_no", "error_msg"),
            ("code", "message"),
        ][shape];
        let mut body = Map::new();
        body.insert(c.into(), code);
        body.insert(d.into(), description);
        if shape == 4 {
            body.insert("requestId".into(), json!("r-1"));
        }
        let body = serde_json::to_vec(&Value::Object(body)).expect("JSON");
        checks::server_bodies(status, &body);
    }

    /// A token is opaque: whatever characters it has, it comes out byte for byte as it went
    /// in, or it is refused (empty, over-long, control characters). Never trimmed or cut.
    #[test]
    fn tokens_round_trip_exactly_or_are_refused(t in token_text(), status in Just(200u16)) {
        let ok = checks::acceptable_token(&t);
        let netdisk = serde_json::to_vec(&Value::Object(netdisk_body(&t, "122.r"))).expect("JSON");
        prop_assert_eq!(checks::token(status, &netdisk, true), ok);
        let refresh = serde_json::to_vec(&Value::Object(netdisk_body("121.a", &t))).expect("JSON");
        prop_assert_eq!(checks::token(status, &refresh, true), ok);
        prop_assert!(checks::token(status, &refresh, false), "an unused refresh token was read");
        let bearer = json!({"token": t, "expireTime": "2031-01-01T00:00:00Z"});
        let bearer = serde_json::to_vec(&bearer).expect("JSON");
        prop_assert_eq!(checks::bearer(status, &bearer), ok);
    }

    /// Bytes that are not UTF-8 inside a string make the body unreadable (exit 5), never a
    /// token with replacement characters in it.
    #[test]
    fn broken_utf8_in_a_token_is_refused(bad in vec(128u8..=255, 1..4), at in 0usize..6) {
        let mut body =
            br#"{"access_token":"121.abcdef","expires_in":2592000,"refresh_token":"122.r"}"#.to_vec();
        let quote = b"{\"access_token\":\"".len();
        let at = quote + at;
        let tail = body.split_off(at);
        body.extend(&bad);
        body.extend(tail);
        prop_assume!(std::str::from_utf8(&body).is_err());
        prop_assert!(!checks::token(200, &body, true));
        prop_assert!(!checks::bearer(200, &body));
    }

    #[test]
    fn state_fields_of_any_type_are_refused_without_quoting_the_state(
        changes in vec(change(), 7),
    ) {
        let good = object(json!({
            "version": 1,
            "grant": "netdisk",
            "access_token": "121.do-not-echo-me",
            "refresh_token": "122.do-not-echo-me-either",
            "expires_at": "2030-01-31T00:00:00Z",
            "obtained_at": "2030-01-01T00:00:00Z",
            "generation": 3,
        }));
        let fields = [
            "version", "grant", "expires_at", "obtained_at", "generation", "refresh_in_flight",
            "hooks",
        ];
        let changes: Vec<(&str, Change)> = fields.into_iter().zip(changes).collect();
        checks::state(&apply(good, &changes));
    }

    /// Whatever a state holds, writing and reading it gives it back.
    #[test]
    fn any_state_round_trips(
        access in any_text(300),
        refresh in proptest::option::of(any_text(300)),
        scope in proptest::option::of(any_text(50)),
        generation in any::<u64>(),
        secs in -1_000_000_000i64..1_000_000_000,
    ) {
        use broker::store::TokenState;
        use broker::secret::{AccessToken, RefreshToken};
        let at = checks::now() + chrono::TimeDelta::seconds(secs);
        let mut s = TokenState::new("netdisk", AccessToken::new(access), at, checks::now());
        s.refresh_token = refresh.map(RefreshToken::new);
        s.scope = scope;
        s.generation = generation;
        let back = TokenState::from_json(&s.to_json().expect("JSON")).expect("reads back");
        prop_assert_eq!(back, s);
    }
}

fn toml_leaf() -> impl Strategy<Value = toml::Value> {
    prop_oneof![
        any_text(30).prop_map(toml::Value::String),
        select(vec![
            "ai",
            "netdisk",
            "bce",
            "90s",
            "10m",
            "24h",
            "99999999999999d",
            "-1s",
            "0s",
            "https://openapi.baidu.com",
            "http://127.0.0.1:1",
            "http://example.com",
            "file:///etc",
            "rotate",
            "login",
            "test",
            "age1nonsense",
            "-----BEGIN AGE ENCRYPTED FILE-----\nx\n-----END AGE ENCRYPTED FILE-----\n"
        ])
        .prop_map(|s| toml::Value::String(s.to_owned())),
        any::<i64>().prop_map(toml::Value::Integer),
        any::<f64>().prop_map(toml::Value::Float),
        any::<bool>().prop_map(toml::Value::Boolean),
    ]
}

fn toml_any() -> impl Strategy<Value = toml::Value> {
    toml_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(toml::Value::Array),
            btree_map(any_text(8), inner, 0..4)
                .prop_map(|m| toml::Value::Table(m.into_iter().collect())),
        ]
    })
}

const TOP_KEYS: &[&str] = &["default_profile", "timeout", "store", "profiles", "hooks"];
const ARMORED: &str =
    "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n";

/// Usually one of `good`, now and then one of `bad`.
fn one_of(good: &[&'static str], bad: &[&'static str]) -> BoxedStrategy<toml::Value> {
    prop_oneof![12 => text(good), 1 => text(bad)].boxed()
}

fn text(s: &[&'static str]) -> BoxedStrategy<toml::Value> {
    select(s.to_vec())
        .prop_map(|s| toml::Value::String(s.to_owned()))
        .boxed()
}

/// A field that is usually of the right type (so validation, not only parsing, is reached),
/// sometimes absent, sometimes anything at all.
fn field(right: BoxedStrategy<toml::Value>) -> BoxedStrategy<Option<toml::Value>> {
    prop_oneof![
        60 => right.prop_map(Some),
        3 => Just(None),
        1 => toml_any().prop_map(Some),
    ]
    .boxed()
}

/// A field that is usually absent.
fn rarely(value: BoxedStrategy<toml::Value>) -> BoxedStrategy<Option<toml::Value>> {
    prop_oneof![4 => Just(None), 1 => field(value)].boxed()
}

fn table(
    fields: Vec<(&'static str, BoxedStrategy<Option<toml::Value>>)>,
) -> BoxedStrategy<toml::Value> {
    let (names, strategies): (Vec<_>, Vec<_>) = fields.into_iter().unzip();
    let stray = prop_oneof![15 => Just(None), 1 => (any_text(8), toml_leaf()).prop_map(Some)];
    (strategies, stray)
        .prop_map(move |(values, stray)| {
            let mut t = toml::Table::new();
            for (k, v) in names.iter().zip(values) {
                if let Some(v) = v {
                    t.insert((*k).to_owned(), v);
                }
            }
            // Now and then a key nobody knows, or a near miss of one.
            if let Some((k, v)) = stray {
                t.insert(k, v);
            }
            toml::Value::Table(t)
        })
        .boxed()
}

fn durations() -> BoxedStrategy<toml::Value> {
    prop_oneof![
        12 => text(&["90s", "10m", "24h", "1d", "7d", "0s", "1h30m"]),
        1 => text(&["99999999999999d", "-1s", "soon", "", "25h"]),
        1 => (0i64..10_000_000).prop_map(toml::Value::Integer),
    ]
    .boxed()
}

fn hook() -> BoxedStrategy<toml::Value> {
    let events = vec(
        one_of(
            &["rotate", "login", "refresh_failed", "test"],
            &["explode", ""],
        ),
        1..3,
    )
    .prop_map(toml::Value::Array)
    .boxed();
    let run = prop_oneof![
        any_text(20).prop_map(toml::Value::String),
        vec(any_text(10).prop_map(toml::Value::String), 0..3).prop_map(toml::Value::Array),
    ]
    .boxed();
    table(vec![
        (
            "name",
            field(any_text(10).prop_map(toml::Value::String).boxed()),
        ),
        ("on", field(events)),
        ("run", field(run)),
        ("timeout", field(durations())),
        (
            "cwd",
            field(any_text(10).prop_map(toml::Value::String).boxed()),
        ),
    ])
}

fn profile() -> BoxedStrategy<toml::Value> {
    let env = btree_map(
        prop_oneof![3 => Just("PAN_TOKEN".to_owned()), 1 => any_text(8)],
        one_of(&["{access_token}", "x{app_key}y"], &["{nope}", "{"]),
        0..3,
    )
    .prop_map(|m| toml::Value::Table(m.into_iter().collect()))
    .boxed();
    let sink = table(vec![
        (
            "path",
            field(any_text(10).prop_map(toml::Value::String).boxed()),
        ),
        (
            "format",
            field(one_of(&["token", "json", "env"], &["yaml"])),
        ),
        ("mode", field(one_of(&["0600", "0640"], &["999", "rw"]))),
    ]);
    table(vec![
        (
            "grant",
            field(one_of(&["ai", "netdisk", "bce"], &["oauth", "AI"])),
        ),
        (
            "app_key",
            field(any_text(20).prop_map(toml::Value::String).boxed()),
        ),
        (
            "secret_key",
            field(one_of(&[ARMORED], &["plaintext-secret", ""])),
        ),
        (
            "secret_key_env",
            rarely(one_of(&["BAIDU_SK"], &["1BAD", ""])),
        ),
        (
            "scope",
            field(any_text(20).prop_map(toml::Value::String).boxed()),
        ),
        (
            "description",
            field(any_text(20).prop_map(toml::Value::String).boxed()),
        ),
        (
            "endpoint",
            field(one_of(
                &[
                    "https://openapi.baidu.com",
                    "http://127.0.0.1:1",
                    "http://[::1]:9/",
                ],
                &[
                    "http://example.com",
                    "https://x/path",
                    "ftp://x",
                    "https://u:p@x",
                    "nonsense",
                ],
            )),
        ),
        ("refresh_before", field(durations())),
        ("expires_in", field(durations())),
        ("env", field(env)),
        (
            "hooks",
            field(vec(hook(), 0..2).prop_map(toml::Value::Array).boxed()),
        ),
        (
            "sinks",
            field(vec(sink, 0..2).prop_map(toml::Value::Array).boxed()),
        ),
    ])
}

/// Profile names, good and hostile (paths, escapes, invisible characters, too long).
fn profile_name() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(vec!["nd", "ai-prod", "q.1", "A_1"]).prop_map(str::to_owned),
        2 => select(vec!["../x", "a/b", "", ".hidden", "-x", "x\u{1b}[31m", "\u{202e}gnp.exe", "a\nb", "é"])
            .prop_map(str::to_owned),
        1 => (60usize..70).prop_map(|n| "p".repeat(n)),
        1 => any_text(70),
    ]
    .boxed()
}

/// Configs shaped like real ones: known keys, mostly the right types, hostile names and values.
fn config_doc() -> impl Strategy<Value = toml::Value> {
    let profiles = btree_map(profile_name(), profile(), 0..3)
        .prop_map(|m| toml::Value::Table(m.into_iter().collect()))
        .boxed();
    let recipients = vec(
        text(&[
            "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
            "age1nonsense",
            "",
            "AGE-SECRET-KEY-1X",
        ]),
        0..3,
    )
    .prop_map(toml::Value::Array)
    .boxed();
    let store = table(vec![
        ("recipients", field(recipients)),
        ("refresh_before", field(durations())),
        (
            "identity",
            field(any_text(10).prop_map(toml::Value::String).boxed()),
        ),
    ]);
    table(vec![
        (
            "default_profile",
            rarely(profile_name().prop_map(toml::Value::String).boxed()),
        ),
        ("timeout", rarely(durations())),
        ("store", field(store)),
        ("profiles", field(profiles)),
        (
            "hooks",
            field(vec(hook(), 0..2).prop_map(toml::Value::Array).boxed()),
        ),
    ])
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn arbitrary_config_text_is_a_config_error_at_worst(text in any_text(400)) {
        checks::config(&text);
    }

    #[test]
    fn configs_with_any_key_and_any_value_are_config_errors_at_worst(
        doc in config_doc(),
        junk in select(TOP_KEYS),
    ) {
        // The `toml` writer refuses a few shapes (e.g. NaN keys are fine, but some mixes are
        // not): those are not configs a person could write either.
        let Ok(text) = toml::to_string(&doc) else { return Ok(()) };
        checks::config(&text);
        // The same document with a stray line appended, as a hand edit might leave it.
        checks::config(&format!("{text}\n{junk} = [\n"));
    }
}

/// Nesting far past any parser's recursion limit must be an error, not a stack overflow.
#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let n = 10_000;
    let bodies = [
        format!("{}{}", "[".repeat(n), "]".repeat(n)),
        format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n)),
        format!(
            r#"{{"access_token":{}"x"{},"expires_in":5}}"#,
            "[".repeat(n),
            "]".repeat(n)
        ),
        format!(
            r#"{{"expires_in":{}5{},"access_token":"x"}}"#,
            "[".repeat(n),
            "]".repeat(n)
        ),
        format!(r#"{{"error":{}1{}}}"#, "{\"a\":".repeat(n), "}".repeat(n)),
        format!(
            r#"{{"error":"x","error_description":{}1{}}}"#,
            "[".repeat(n),
            "]".repeat(n)
        ),
        format!(
            r#"{{"grant":"ai","unknown":{}1{}}}"#,
            "[".repeat(n),
            "]".repeat(n)
        ),
        // Unclosed: the parser must stop at the limit without waiting for the end.
        "[".repeat(n * 10),
    ];
    for body in &bodies {
        for status in [200, 400] {
            checks::server_bodies(status, body.as_bytes());
        }
        assert!(!checks::state(body.as_bytes()));
    }
    let configs = [
        format!("timeout = {}1{}", "[".repeat(n), "]".repeat(n)),
        format!("timeout = {}1{}", "{a=".repeat(n), "}".repeat(n)),
        format!("{} = 1", vec!["a"; n].join(".")),
        format!("[{}]\nx = 1", vec!["a"; n].join(".")),
        format!(
            "[profiles.a]\ngrant = \"ai\"\napp_key = \"k\"\nenv = {}1{}",
            "{a=".repeat(n),
            "}".repeat(n)
        ),
    ];
    for text in &configs {
        assert!(!checks::config(text));
    }
}

/// A body at the client's cap (256 KiB), all of it one string: refused or read, the message
/// stays short.
#[test]
fn huge_strings_are_refused_with_a_short_message() {
    let big = "A".repeat(256 * 1024 - 64);
    let cases = [
        json!({"access_token": big, "expires_in": 5, "refresh_token": "r"}),
        json!({"access_token": "a", "expires_in": 5, "refresh_token": big}),
        json!({"error": big, "error_description": big}),
        json!({"error": "invalid_client", "error_description": big}),
        json!({"errno": 5, "errmsg": big}),
        json!({"code": "SignatureDoesNotMatch", "message": big, "requestId": big}),
        json!({"token": big, "expireTime": "2031-01-01T00:00:00Z"}),
        json!({"device_code": big, "user_code": "abc", "verification_url": "https://x"}),
        json!({"grant": big, "access_token": big}),
    ];
    for v in &cases {
        let body = serde_json::to_vec(v).expect("JSON");
        for status in [200, 401, 503] {
            checks::server_bodies(status, &body);
        }
        checks::state(&body);
    }
    checks::config(&format!("default_profile = \"{big}\"\n"));
    checks::config(&format!(
        "[profiles.\"{big}\"]\ngrant = \"ai\"\napp_key = \"k\"\n"
    ));
    checks::config(&format!("{big} = 1\n"));
}

/// The documented bodies of baidu-oauth.md are read, so the properties above are not
/// satisfied by a parser that refuses everything.
#[test]
fn documented_bodies_are_accepted() {
    let netdisk = br#"{"expires_in":2592000,"refresh_token":"122.2959fe0da8c91d522099c5dca1b5608f.YDUwKsc1DS89VaP2DogevEN15cD65vXLtZ7bHHe.DbEWAW","access_token":"121.fd4b4277dba7a65a51cf370d0e83f567.Y74pa1cYlIOT_Vdp2xuWOqeasckh1tWtxT9Ouw5.LPOBOA","session_secret":"","session_key":"","scope":"basic netdisk"}"#;
    assert!(checks::token(200, netdisk, true));
    let ai = br#"{"refresh_token":"25.b55fe1d287227ca97aab219bb249b8ab.315360000.1798284651.282335-8574074","expires_in":2592000,"scope":"public wise_adapt","session_key":"9mzdDZXu3dENdFZQurfg0Vz8slgSgvvOAUebNFzyzcpQ5EnbxbF+hfG9DQkpUVQdh4p6HbQcAiz5RmuBAja1JJGgIdJI","access_token":"24.6c5e1ff107f0e8bcef8c46d3424a0e78.2592000.1485516651.282335-8574074","session_secret":"dfac94a3489fe9fca7c3221cbf7525ff"}"#;
    assert!(checks::token(200, ai, false));
    let device = br#"{"device_code":"b4adab18f1ef0807d62cebddac2adea7","user_code":"u67xpvun","verification_url":"https://openapi.baidu.com/device","qrcode_url":"http://openapi.baidu.com/device/qrcode/0f274a778605dc24bae7dec0b612e5f9/u67xpvun","expires_in":1800,"interval":5}"#;
    assert!(checks::device_code(200, device));
    let bearer = br#"{"userId":"u","token":"bce-v3/ALTAK-x/y","status":"enable","createTime":"2024-11-28T06:09:57.000Z","expireTime":"2024-11-29T06:09:57.000Z"}"#;
    assert!(checks::bearer(200, bearer));
    let state = br#"{"grant":"ai","access_token":"24.x","expires_at":"2030-01-01T00:00:00Z","obtained_at":"2029-12-01T00:00:00Z"}"#;
    assert!(checks::state(state));
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/profiles.example.toml"
    ))
    .expect("the example config");
    assert!(checks::config(&example));
}

/// Regression: a JSON array was read field by field as a token body.
#[test]
fn an_array_is_not_a_token_body() {
    assert!(!checks::token(
        200,
        br#"["121.a",2592000,"122.r","basic"]"#,
        true
    ));
    assert!(!checks::state(
        br#"[1,"ai","24.x","2030-01-01T00:00:00Z","2030-01-01T00:00:00Z"]"#
    ));
}

/// Regression: a `timeout` of 99999999999999 days passed validation, then panicked when a
/// command added it to the clock to make its deadline.
#[test]
fn time_limits_that_would_overflow_a_deadline_are_config_errors() {
    for text in [
        "timeout = \"99999999999999d\"\n",
        "timeout = 9223372036854775807\n",
        "[[hooks]]\non = [\"rotate\"]\nrun = \"true\"\ntimeout = \"213503982334601d\"\n",
    ] {
        assert!(!checks::config(text), "{text}");
    }
}

/// Regression, found by AFL in its first minute: serde_json's `from_slice` skips a field it
/// ignores without checking its UTF-8, so a body with broken bytes in an unknown field was
/// read as a good token (and a good state).
#[test]
fn broken_utf8_in_an_ignored_field_is_refused() {
    let token = b"{\"sefresh_token\":\"25.\xff\xfe\",\"access_token\":\"24.a\",\"expires_in\":5}";
    assert!(!checks::token(200, token, false));
    let bearer = b"{\"x\":\"\xc3\",\"token\":\"bce-v3/a\",\"expireTime\":\"2031-01-01T00:00:00Z\"}";
    assert!(!checks::bearer(200, bearer));
    let state = b"{\"x\":\"\xff\",\"grant\":\"ai\",\"access_token\":\"24.x\",\"expires_at\":\"2030-01-01T00:00:00Z\",\"obtained_at\":\"2030-01-01T00:00:00Z\"}";
    assert!(!checks::state(state));
}

/// A number serde_json cannot hold (`1e999`) is valid JSON. In a field a parser skips it must
/// not refuse a good body (AFL's second run: the test's own oracle was wrong there); in a field
/// that names an error it must not let the body pass for a token, and neither may a repeated
/// `error` key (found while fixing the oracle).
#[test]
fn numbers_beyond_f64_and_repeated_error_keys() {
    let device =
        br#"{"device_code":"d","user_code":"u1","verification_url":"https://x","x":1e999}"#;
    assert!(checks::device_code(200, device));
    assert!(checks::token(
        200,
        br#"{"access_token":"a","expires_in":5,"x":1e999}"#,
        false
    ));
    for body in [
        r#"{"error":"invalid_grant","error_description":1e999,"access_token":"a","expires_in":5}"#,
        r#"{"error":1e999,"access_token":"a","expires_in":5}"#,
        r#"{"error":"invalid_grant","error":"x","access_token":"a","expires_in":5}"#,
    ] {
        assert!(!checks::token(200, body.as_bytes(), false), "{body}");
    }
}
