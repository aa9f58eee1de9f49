//! The OAuth token endpoint, `/oauth/2.0/token` (baidu-oauth.md §2, §3): the one request
//! every OAuth grant sends (a form POSTed to the profile's endpoint) and the one parser of its
//! answer. `ai` fetches with it; `netdisk` refreshes, polls and exchanges codes with it.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;

use crate::baidu::client::{Answer, Client, Request, Retry, Unanswered};
use crate::config::Profile;
use crate::error::{Error, GrantError, Result, sanitize};
use crate::grant::{Fresh, valid_token};
use crate::secret::{AccessToken, RefreshToken};

pub const TOKEN_PATH: &str = broker_wire::path::TOKEN;
/// The longest lifetime broker believes (Baidu's refresh tokens live 10 years).
const MAX_LIFETIME_SECS: i64 = 10 * 366 * 86400;

/// POSTs `form` to the profile's token endpoint and reads the answer, whatever its status.
/// The secrets travel in the form body, never in the URL. `what` names the request in
/// messages (a [`Request`] name: `"refresh"` → "refresh for `nd`").
pub fn post(
    client: &Client,
    profile: &Profile,
    what: &'static str,
    retry: Retry,
    form: &[(&str, &str)],
) -> Result<Answer, Unanswered> {
    let url = format!("{}{TOKEN_PATH}", profile.endpoint);
    client.send(&Request::new(what, profile.name.as_str()), retry, |http| {
        http.post(&url).form(form)
    })
}

/// [`post`], then [`parse_token`]: a token, or a typed error.
pub fn fetch(
    client: &Client,
    profile: &Profile,
    what: &'static str,
    retry: Retry,
    form: &[(&str, &str)],
    keep_refresh: bool,
) -> Result<Fresh> {
    let answer = post(client, profile, what, retry, form)?;
    parse_token(&answer, profile.name.as_str(), Utc::now(), keep_refresh)
}

/// The OAuth token body shared by every grant of `/oauth/2.0/token`.
#[derive(Deserialize)]
struct TokenBody {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    refresh_token: Option<String>,
    scope: Option<String>,
}

/// Reads a `/oauth/2.0/token` answer (whatever its status): the token, or a typed error.
/// `keep_refresh` demands a refresh token (netdisk), whose absence would end the lineage.
/// Pure, so the hostile-server tests and the fuzz targets reach it without HTTP.
pub fn parse_token(
    answer: &Answer,
    profile: &str,
    now: DateTime<Utc>,
    keep_refresh: bool,
) -> Result<Fresh> {
    parse_token_salvaging(answer, profile, now, keep_refresh).map_err(|(e, _)| e)
}

/// [`parse_token`], but an answer whose only fault is its `expires_in` (`2592000.0`, negative,
/// missing) while its access and refresh tokens are good also gives back those tokens, as a
/// [`Fresh`] that is already due (it expires `now`): a netdisk refresh must keep the new
/// refresh token, since Baidu has taken the old one.
pub fn parse_token_salvaging(
    answer: &Answer,
    profile: &str,
    now: DateTime<Utc>,
    keep_refresh: bool,
) -> Result<Fresh, (Error, Option<Box<Fresh>>)> {
    if let Some(e) = answer.error() {
        return Err((e.to_error(profile), None));
    }
    let not_a_token = |why: &'static str, field: &'static str| {
        Error::from(GrantError::NotAToken {
            issuer: "baidu",
            profile: profile.to_owned(),
            status: answer.status,
            why,
            field,
        })
    };
    if answer.status >= 500 || answer.status == 429 {
        return Err((
            GrantError::ServerStatus {
                profile: profile.to_owned(),
                status: answer.status,
            }
            .into(),
            None,
        ));
    }
    let text = crate::baidu::json_object(&answer.body)
        .ok_or_else(|| (not_a_token("not-an-object", ""), None))?;
    let body: TokenBody =
        serde_json::from_str(text).map_err(|_| (not_a_token("unexpected-json", ""), None))?;
    let access = body
        .access_token
        .filter(|t| valid_token(t))
        .ok_or_else(|| (not_a_token("no-usable", "access_token"), None))?;
    let refresh = if keep_refresh {
        Some(
            body.refresh_token
                .filter(|t| valid_token(t))
                .ok_or_else(|| (not_a_token("no-usable", "refresh_token"), None))?,
        )
    } else {
        None
    };
    let fresh = |expires_at| Fresh {
        access_token: AccessToken::new(access),
        expires_at,
        refresh_token: refresh.map(RefreshToken::new),
        scope: body.scope.map(|s| sanitize(&answer.scrub(&s))),
        sts: None,
    };
    match body
        .expires_in
        .as_ref()
        .and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .filter(|s| (1..=MAX_LIFETIME_SECS).contains(s))
    {
        Some(expires_in) => Ok(fresh(now + TimeDelta::seconds(expires_in))),
        None => Err((
            not_a_token("no-usable", "expires_in"),
            Some(Box::new(fresh(now))),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer::new(status, body.as_bytes().to_vec())
    }

    #[test]
    fn parses_the_netdisk_success_body() {
        let body = r#"{"expires_in":2592000,"refresh_token":"122.r","access_token":"121.a","session_secret":"","session_key":"","scope":"basic netdisk"}"#;
        let now = Utc::now();
        let f = parse_token(&answer(200, body), "p", now, true).unwrap();
        assert_eq!(f.access_token.expose(), "121.a");
        assert_eq!(f.refresh_token.unwrap().expose(), "122.r");
        assert_eq!(f.expires_at, now + TimeDelta::seconds(2592000));
        assert_eq!(f.scope.as_deref(), Some("basic netdisk"));
    }

    #[test]
    fn refuses_bodies_that_are_not_tokens() {
        let now = Utc::now();
        for body in [
            "<html>",
            "{}",
            r#"{"access_token":"","expires_in":5}"#,
            r#"{"access_token":"a","expires_in":-5}"#,
            r#"{"access_token":"a\nb","expires_in":5}"#,
            r#"{"access_token":["a"],"expires_in":5}"#,
        ] {
            let err = parse_token(&answer(200, body), "p", now, false)
                .err()
                .unwrap_or_else(|| panic!("{body}"));
            assert_eq!(err.exit_code(), 5, "{body}");
        }
        // A netdisk answer without a refresh token cannot be stored: the lineage would end.
        let err = parse_token(
            &answer(200, r#"{"access_token":"a","expires_in":5}"#),
            "p",
            now,
            true,
        )
        .err()
        .unwrap();
        assert!(err.message().contains("refresh_token"));
    }

    #[test]
    fn a_bad_expires_in_next_to_good_tokens_gives_them_back_due() {
        let now = Utc::now();
        for expires in [r#""expires_in":2592000.0,"#, r#""expires_in":-1,"#, ""] {
            let body = format!(
                r#"{{{expires}"refresh_token":"122.r","access_token":"121.a","scope":"basic"}}"#
            );
            let (err, fresh) = parse_token_salvaging(&answer(200, &body), "p", now, true)
                .err()
                .unwrap_or_else(|| panic!("{body}"));
            assert!(err.message().contains("expires_in"), "{}", err.message());
            let fresh = fresh.unwrap_or_else(|| panic!("{body}"));
            assert_eq!(fresh.refresh_token.unwrap().expose(), "122.r");
            assert_eq!(fresh.expires_at, now);
        }
        // Without a good refresh token there is nothing to keep.
        let body = r#"{"expires_in":1.5,"refresh_token":"","access_token":"121.a"}"#;
        let (_, fresh) = parse_token_salvaging(&answer(200, body), "p", now, true)
            .err()
            .unwrap();
        assert!(fresh.is_none());
    }

    #[test]
    fn error_bodies_win_over_status() {
        let err = parse_token(
            &answer(
                200,
                r#"{"error":"invalid_client","error_description":"unknown client id"}"#,
            ),
            "p",
            Utc::now(),
            false,
        )
        .err()
        .unwrap();
        assert_eq!(err.exit_code(), 4);
    }
}
