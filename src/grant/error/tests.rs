//! Each grant error and rotation note in words, byte for byte as before the catalog.

use super::*;
use crate::error::{Error, Note};

fn said(code: &str, description: &str, status: u16) -> Said {
    Said {
        baidu_code: code.into(),
        description: description.into(),
        described: !description.is_empty(),
        status,
    }
}

/// Each variant in words, as broker said it before the catalog (byte for byte), with its
/// hint and exit code.
#[test]
fn every_grant_error_reads_as_before() {
    let p = || "p".to_owned();
    let d = || said("c", "d", 400);
    let table: Vec<(GrantError, &str, Option<&str>, u8)> = vec![
        (
            GrantError::SecretKeyRejected {
                profile: p(),
                said: d(),
            },
            "Baidu rejected the SecretKey of `p`: `c` (d)",
            Some("check it, then `broker secret set p`"),
            4,
        ),
        (
            GrantError::AppKeyUnknown {
                profile: p(),
                said: said("c", "", 401),
            },
            "Baidu does not know the AppKey of `p`: `c`",
            Some("check `app_key` in the config"),
            4,
        ),
        (
            GrantError::GrantNotAllowed {
                profile: p(),
                said: d(),
            },
            "Baidu does not allow this grant for the app of `p`: `c` (d)",
            None,
            4,
        ),
        (
            GrantError::AccessKeyRejected {
                profile: p(),
                said: d(),
            },
            "Baidu IAM rejected the AccessKey of `p`: `c` (d)",
            Some("check `app_key` (the AccessKey) in the config"),
            4,
        ),
        (
            GrantError::SignatureRejected {
                profile: p(),
                said: d(),
            },
            "Baidu IAM rejected the signature for `p`: `c` (d)",
            Some("the SecretKey is probably wrong: `broker secret set p`"),
            4,
        ),
        (
            GrantError::RequestExpired {
                profile: p(),
                said: d(),
            },
            "Baidu IAM says the request expired for `p`: `c` (d)",
            Some("check this machine's clock"),
            2,
        ),
        (
            GrantError::SignatureHeaderRefused { said: d() },
            "Baidu IAM refused the signature header: `c` (d)",
            None,
            1,
        ),
        (
            GrantError::AuthorizationRefused {
                profile: p(),
                said: d(),
            },
            "Baidu refused the authorization of `p`: `c` (d)",
            Some("run `broker login p`"),
            3,
        ),
        (
            GrantError::ScopeRefused {
                profile: p(),
                said: d(),
            },
            "Baidu refused the scope of `p`: `c` (d)",
            Some("ask for a scope within the one granted at login"),
            2,
        ),
        (
            GrantError::RedirectUriRefused { said: d() },
            "Baidu refused the redirect URI: `c` (d)",
            Some("the app's registered callback must match; use `--device` or `--code`"),
            2,
        ),
        (
            GrantError::GrantTypeUnsupported { said: d() },
            "Baidu does not support the grant broker sent: `c` (d)",
            None,
            1,
        ),
        (
            GrantError::Throttled {
                profile: p(),
                said: d(),
            },
            "Baidu throttled `p` after repeated failures: `c` (d)",
            Some("wait a while before trying again; broker does not loop on this"),
            5,
        ),
        (
            GrantError::ServerError {
                profile: p(),
                said: said("c", "d", 503),
            },
            "Baidu answered HTTP 503 for `p`: `c` (d)",
            None,
            5,
        ),
        (
            GrantError::UnexpectedError {
                profile: p(),
                said: d(),
            },
            "Baidu answered an unexpected error for `p` (HTTP 400): `c` (d)",
            None,
            5,
        ),
        (
            GrantError::DeviceCodeRefused {
                profile: p(),
                said: d(),
            },
            "the device code for `p` expired or was refused: `c` (d)",
            Some("run `broker login p` again"),
            3,
        ),
        (
            GrantError::AuthorizationDeclined { profile: p() },
            "the authorization of `p` was declined",
            Some("run `broker login p` again and approve it"),
            3,
        ),
        (
            GrantError::HttpClient { reason: "r".into() },
            "cannot build the HTTP client: r",
            None,
            1,
        ),
        (
            GrantError::OutOfTime {
                request: "device-code",
                profile: p(),
            },
            "gave up on device code for `p`: the time limit ran out",
            Some("raise `--timeout` or `timeout` in the config, or check the network"),
            5,
        ),
        (
            GrantError::AnswerTooLarge {
                request: "refresh",
                profile: p(),
                limit: 262_144,
            },
            "refresh for `p`: the answer is larger than 262144 bytes",
            None,
            5,
        ),
        (
            GrantError::RequestFailed {
                request: "client-credentials",
                profile: p(),
                failure: "refused",
                url: "http://127.0.0.1:1/x".into(),
                reason: String::new(),
            },
            "client_credentials for `p` failed: connection refused (http://127.0.0.1:1/x)",
            None,
            5,
        ),
        (
            GrantError::RequestFailed {
                request: "bce-token",
                profile: p(),
                failure: "broke-off",
                url: String::new(),
                reason: "eof".into(),
            },
            "BCE bearer token for `p` failed: the answer broke off: eof",
            None,
            5,
        ),
        (
            GrantError::RequestFailed {
                request: "device-poll",
                profile: p(),
                failure: "deadline",
                url: String::new(),
                reason: String::new(),
            },
            "device poll for `p` failed: timed out",
            None,
            5,
        ),
        (
            GrantError::ServerStatus {
                profile: p(),
                status: 429,
            },
            "Baidu answered HTTP 429 for `p`",
            None,
            5,
        ),
        (
            GrantError::NotAToken {
                issuer: "baidu",
                profile: p(),
                status: 200,
                why: "no-usable",
                field: "expires_in",
            },
            "Baidu's answer for `p` is not a token (HTTP 200): no usable expires_in",
            None,
            5,
        ),
        (
            GrantError::NotAToken {
                issuer: "bce",
                profile: p(),
                status: 302,
                why: "unexpected-status",
                field: "",
            },
            "BCE IAM's answer for `p` is not a token (HTTP 302): unexpected status",
            None,
            5,
        ),
        (
            GrantError::DeviceCodeUnusable { profile: p() },
            "Baidu's device-code answer for `p` is not usable",
            None,
            5,
        ),
        (
            GrantError::InvalidEndpoint { reason: "r".into() },
            "invalid endpoint: r",
            None,
            2,
        ),
        (
            GrantError::EndpointWithoutHost {
                endpoint: "e".into(),
            },
            "endpoint `e` has no host",
            None,
            2,
        ),
        (
            GrantError::SecretEnvUnset {
                var: "V".into(),
                profile: p(),
            },
            "`V` is not set (the SecretKey of `p`)",
            Some("export `V`, or store the SecretKey with `broker secret set p`"),
            2,
        ),
        (
            GrantError::SecretPlaintext { profile: p() },
            "the SecretKey of `p` is plaintext",
            Some("run `broker secret encrypt`"),
            2,
        ),
        (
            GrantError::NoSecret { profile: p() },
            "profile `p` has no SecretKey",
            Some("set one with `broker secret set p`"),
            2,
        ),
        (
            GrantError::NotRenewable { grant: "ai".into() },
            "a `ai` token is not renewed with a refresh token",
            None,
            1,
        ),
        (
            GrantError::FetchNeedsLogin,
            "a netdisk token needs a refresh token or a login",
            None,
            1,
        ),
        (
            GrantError::DeviceLoginNeedsTerminal { profile: p() },
            "`p` needs a person to approve a device login, but there is no terminal to ask on",
            Some("log in on a workstation; docs/ci.md says how to give a netdisk profile to CI"),
            3,
        ),
        (
            GrantError::DeviceCodeExpired { profile: p() },
            "the device code for `p` expired before it was approved",
            Some("run `broker login p` again"),
            3,
        ),
        (
            GrantError::CodeNeedsTerminal,
            "an authorization code is needed, but there is no terminal to ask on",
            Some("give it with `--code -` on stdin"),
            3,
        ),
        (
            GrantError::MalformedCode,
            "the authorization code is empty or malformed",
            None,
            2,
        ),
        (
            GrantError::CannotReadCode { reason: "r".into() },
            "cannot read the code: r",
            None,
            2,
        ),
        (
            GrantError::Loopback {
                step: "listen",
                reason: "r".into(),
            },
            "cannot listen on 127.0.0.1: r",
            None,
            1,
        ),
        (
            GrantError::Loopback {
                step: "accept",
                reason: "r".into(),
            },
            "the loopback listener failed: r",
            None,
            1,
        ),
        (
            GrantError::Loopback {
                step: "other",
                reason: "r".into(),
            },
            "r",
            None,
            1,
        ),
        (
            GrantError::BrowserTimeout,
            "nobody completed the browser authorization in time",
            Some("try `broker login --device` instead"),
            3,
        ),
        (
            GrantError::StateMismatch,
            "the redirect's `state` did not match: the answer was refused (possible forgery)",
            None,
            2,
        ),
        (
            GrantError::Declined {
                reason: "access_denied".into(),
            },
            "the authorization was declined (`access_denied`)",
            None,
            3,
        ),
        (
            GrantError::NoCodeInRedirect,
            "the redirect carried no code or state",
            None,
            2,
        ),
        (
            GrantError::LockLost { profile: p() },
            "lost the lock on profile `p` before its refresh token was sent; it was not sent",
            Some("try again"),
            5,
        ),
        (
            GrantError::MinTtlUnmet {
                profile: p(),
                min_ttl: "40d".into(),
                life: "30d".into(),
            },
            "`--min-ttl 40d` cannot be met for `p`: its tokens live 30d when new",
            Some("ask for at most 30d"),
            2,
        ),
        (
            GrantError::NeedsLogin {
                profile: p(),
                since: "2030-01-02 03:04 UTC".into(),
                reason: serde_json::json!("old words"),
                hint: Hint::Login { profile: p() },
            },
            "profile `p` needs a new login since 2030-01-02 03:04 UTC: old words",
            Some("run `broker login p`"),
            3,
        ),
    ];
    for (e, message, hint, code) in table {
        let e = Error::from(e);
        assert_eq!(e.message(), message);
        assert_eq!(e.hint().as_deref(), hint, "{message}");
        assert_eq!(e.exit_code(), code, "{message}");
    }
}

/// The notes rotation adds, in words, as before.
#[test]
fn the_rotation_notes_read_as_before() {
    let base = || {
        Error::from(GrantError::ServerStatus {
            profile: "p".into(),
            status: 503,
        })
    };
    let m = "Baidu answered HTTP 503 for `p`";
    let table: Vec<(Note, String, Option<&str>)> = vec![
        (
            Note::Retried {
                attempts: 5,
                over: "21 s".into(),
            },
            format!("{m}, after 5 attempts over 21 s"),
            None,
        ),
        (
            Note::CodesAreSingleUse,
            format!("{m} (codes are single-use and live 10 minutes)"),
            None,
        ),
        (
            Note::RefreshTokenNotSent,
            format!("{m}; the refresh token was not sent"),
            None,
        ),
        (
            Note::NewRefreshTokenSaved,
            format!("{m}; its new refresh token is saved, and the next use refreshes with it"),
            None,
        ),
        (
            Note::MaybeSpent {
                profile: "p".into(),
            },
            format!(
                "{m}; the refresh token may have been spent: the next use presents it once more to find out"
            ),
            Some("run `broker token p` to retry"),
        ),
        (
            Note::SpentByCopy {
                profile: "p".into(),
                from_path: "/h/p.age".into(),
                from_host: "vm".into(),
            },
            format!(
                "{m}; this state was copied from `/h/p.age` on `vm`, and a refresh token works only once: the state there has probably used it first"
            ),
            Some("run `broker login p`, and keep each netdisk profile's state in one place"),
        ),
        (
            Note::SpentElsewhere {
                profile: "p".into(),
            },
            format!(
                "{m}; a refresh token works only once, so it was most likely used elsewhere: by a copy of this state on another machine or in another home (or the app was unbound from the account)"
            ),
            Some("run `broker login p`, and keep each netdisk profile's state in one place"),
        ),
        (
            Note::NewTokenLost {
                profile: "p".into(),
            },
            format!("{m}; Baidu has already taken the old refresh token, so the new one is lost"),
            Some("fix that, then run `broker login p`"),
        ),
    ];
    for (note, message, hint) in table {
        let e = base().note(note);
        assert_eq!(e.message(), message);
        assert_eq!(e.hint().as_deref(), hint, "{message}");
    }
}
