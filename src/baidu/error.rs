//! Baidu's error bodies, in every shape they come in, turned into typed errors.
//!
//! Four shapes exist across Baidu APIs — `{error,error_description}`, `{errno,errmsg}`,
//! `{error_code,error_msg}`, `{error_no,error_msg}` — plus BCE's `{requestId,code,message}`.
//! Bodies are parsed whatever the HTTP status: Baidu documents 400 but sends 401 and 200 too.

use broker_wire::code;
use serde::Deserialize;

use crate::error::{Error, GrantError, sanitize};
use crate::grant::error::Said;
use crate::scrub::Scrubber;

/// An error answer from a Baidu endpoint, as sent, less the secrets it echoed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaiduError {
    /// `invalid_grant`, `SignatureDoesNotMatch`, `110`, `-6` …
    pub code: String,
    pub description: String,
    pub status: u16,
}

/// The fields any of the shapes may carry; numbers or strings, as Baidu is not consistent.
/// Descriptions are taken whatever their type too: an error answer with a numeric message is
/// still an error answer, not "no token".
#[derive(Deserialize, Default)]
struct Raw {
    error: Option<serde_json::Value>,
    error_description: Option<serde_json::Value>,
    errno: Option<serde_json::Value>,
    errmsg: Option<serde_json::Value>,
    error_code: Option<serde_json::Value>,
    error_no: Option<serde_json::Value>,
    error_msg: Option<serde_json::Value>,
    code: Option<serde_json::Value>,
    message: Option<serde_json::Value>,
}

fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The keys that make a body an error answer, in the order they are looked at.
const CODE_KEYS: [&str; 5] = ["error", "errno", "error_code", "error_no", "code"];

/// The most of one server string kept; `sanitize` shows far less. The cap also bounds the
/// scrubbing's work on a hostile body. A secret cut in two here is still cut: see `scrub`.
const MAX_TEXT: usize = 4096;

/// Server text as kept: bounded, then every secret `scrubber` knows cut out. Every string of
/// a [`BaiduError`] passes here, so no message built from one can carry an echoed secret.
fn kept(text: String, scrubber: &Scrubber) -> String {
    let mut end = text.len().min(MAX_TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    scrubber.scrub(&text[..end])
}

/// Reads an error from a body, if it is one. `{"errno":0}` and the like are not errors.
/// Its code and description have every secret `scrubber` knows cut out (use
/// [`Answer::error`](crate::baidu::client::Answer::error), which passes the right one).
pub fn parse(status: u16, body: &[u8], scrubber: &Scrubber) -> Option<BaiduError> {
    let json = super::json_object(body)?;
    let raw: Raw = match serde_json::from_str(json) {
        Ok(raw) => raw,
        // `Raw` takes any type, so only a key given twice or a number serde_json cannot hold
        // (`1e999`) lands here. A body that names an error is still an error answer, however
        // unreadable: it must never pass for a token because its error could not be read.
        Err(_)
            if super::json_keys(json)
                .iter()
                .any(|k| CODE_KEYS.contains(&k.as_str())) =>
        {
            return Some(BaiduError {
                code: "unreadable error".into(),
                description: String::new(),
                status,
            });
        }
        Err(_) => return None,
    };
    let found = |code: &serde_json::Value, desc: Option<&serde_json::Value>| {
        let code = text(code);
        (code != "0" && !code.is_empty()).then(|| BaiduError {
            code: kept(code, scrubber),
            description: kept(desc.map(text).unwrap_or_default(), scrubber),
            status,
        })
    };
    if let Some(e) = &raw.error {
        return found(e, raw.error_description.as_ref());
    }
    if let Some(e) = &raw.errno {
        return found(e, raw.errmsg.as_ref());
    }
    if let Some(e) = &raw.error_code {
        return found(e, raw.error_msg.as_ref());
    }
    if let Some(e) = &raw.error_no {
        return found(e, raw.error_msg.as_ref());
    }
    if let Some(e) = &raw.code {
        return found(e, raw.message.as_ref());
    }
    None
}

impl BaiduError {
    /// Baidu's throttle after repeated failures; retrying makes it worse.
    pub fn is_security_policy(&self) -> bool {
        self.code.eq_ignore_ascii_case(code::SECURITY_POLICY)
    }

    /// The refresh token, code or device code was refused: a person must log in again.
    pub fn is_grant_rejected(&self) -> bool {
        matches!(
            self.code.as_str(),
            code::INVALID_GRANT | code::EXPIRED_TOKEN | code::INVALID_REQUEST
        )
    }

    /// The answer as the facts of an error: code and description sanitized (the scrubber
    /// already cut the secrets out).
    pub fn said(&self) -> Said {
        Said {
            baidu_code: sanitize(&self.code),
            description: sanitize(&self.description),
            described: !self.description.is_empty(),
            status: self.status,
        }
    }

    /// The error broker reports for this answer (baidu-oauth.md §2 table, §3, §4).
    pub fn to_error(&self, profile: &str) -> Error {
        let said = self.said();
        let profile = profile.to_owned();
        let e = match self.code.as_str() {
            code::INVALID_CLIENT if self.description.contains("authentication failed") => {
                GrantError::SecretKeyRejected { profile, said }
            }
            code::INVALID_CLIENT => GrantError::AppKeyUnknown { profile, said },
            code::UNAUTHORIZED_CLIENT => GrantError::GrantNotAllowed { profile, said },
            code::INVALID_ACCESS_KEY_ID | code::BCE_ACCESS_DENIED => {
                GrantError::AccessKeyRejected { profile, said }
            }
            code::SIGNATURE_DOES_NOT_MATCH => GrantError::SignatureRejected { profile, said },
            code::REQUEST_EXPIRED => GrantError::RequestExpired { profile, said },
            code::INVALID_HTTP_AUTH_HEADER => GrantError::SignatureHeaderRefused { said },
            code::INVALID_GRANT | code::EXPIRED_TOKEN | code::INVALID_REQUEST => {
                GrantError::AuthorizationRefused { profile, said }
            }
            code::INVALID_SCOPE => GrantError::ScopeRefused { profile, said },
            code::REDIRECT_URI_MISMATCH => GrantError::RedirectUriRefused { said },
            code::UNSUPPORTED_GRANT_TYPE => GrantError::GrantTypeUnsupported { said },
            _ if self.is_security_policy() => GrantError::Throttled { profile, said },
            _ if self.status == 429 || self.status >= 500 => {
                GrantError::ServerError { profile, said }
            }
            // Not a bug in broker but a server saying something it was not expected to say:
            // the same family as an answer that is not a token at all (exit 5, SPEC §7).
            _ => GrantError::UnexpectedError { profile, said },
        };
        e.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_all_shapes() {
        let table: &[(&str, &str, &str)] = &[
            (
                r#"{"error":"invalid_grant","error_description":"revoked"}"#,
                "invalid_grant",
                "revoked",
            ),
            (
                r#"{"errno":-6,"errmsg":"Invalid Bduss"}"#,
                "-6",
                "Invalid Bduss",
            ),
            (
                r#"{"error_code":111,"error_msg":"Access token expired"}"#,
                "111",
                "Access token expired",
            ),
            (r#"{"error_no":31045,"error_msg":"x"}"#, "31045", "x"),
            (
                r#"{"requestId":"r","code":"SignatureDoesNotMatch","message":"m"}"#,
                "SignatureDoesNotMatch",
                "m",
            ),
        ];
        for (body, code, desc) in table {
            let e = parse(400, body.as_bytes(), &Scrubber::default())
                .unwrap_or_else(|| panic!("{body}"));
            assert_eq!((e.code.as_str(), e.description.as_str()), (*code, *desc));
        }
    }

    #[test]
    fn descriptions_of_any_type_are_read() {
        let e = parse(
            401,
            br#"{"error":"invalid_client","error_description":42}"#,
            &Scrubber::default(),
        )
        .unwrap();
        assert_eq!(
            (e.code.as_str(), e.description.as_str()),
            ("invalid_client", "42")
        );
        assert_eq!(e.to_error("p").exit_code(), 4);
    }

    #[test]
    fn an_error_that_cannot_be_read_is_still_an_error() {
        for body in [
            r#"{"error":"invalid_grant","error_description":1e999,"access_token":"a"}"#,
            r#"{"error":1e999,"access_token":"a","expires_in":5}"#,
            r#"{"error":"a","error":"b"}"#,
        ] {
            let e = parse(400, body.as_bytes(), &Scrubber::default())
                .unwrap_or_else(|| panic!("{body}"));
            assert_eq!(e.to_error("p").exit_code(), 5, "{body}");
        }
        assert!(
            parse(
                200,
                br#"{"access_token":"a","x":1e999}"#,
                &Scrubber::default()
            )
            .is_none()
        );
    }

    #[test]
    fn success_bodies_are_not_errors() {
        for body in [
            r#"{"errno":0,"errmsg":"succ"}"#,
            r#"{"access_token":"x"}"#,
            "not json",
            "",
        ] {
            assert!(
                parse(200, body.as_bytes(), &Scrubber::default()).is_none(),
                "{body}"
            );
        }
    }

    #[test]
    fn exit_codes_follow_the_doc_table() {
        let table = [
            ("invalid_request", "invalid refresh token", 3),
            ("invalid_client", "unknown client id", 4),
            ("invalid_client", "Client authentication failed", 4),
            (
                "invalid_grant",
                "The provided authorization grant is revoked",
                3,
            ),
            ("unauthorized_client", "", 4),
            ("unsupported_grant_type", "", 1),
            ("invalid_scope", "", 2),
            ("expired_token", "refresh token has been used", 3),
            ("redirect_uri_mismatch", "Invalid redirect uri", 2),
            ("Trigger security policy", "Please try again later", 5),
            ("SignatureDoesNotMatch", "", 4),
            ("InvalidAccessKeyId", "", 4),
            // Unknown codes are the server's oddity, not broker's bug.
            ("something_new", "", 5),
            ("-6", "Invalid Bduss", 5),
        ];
        for (code, desc, exit) in table {
            let e = BaiduError {
                code: code.into(),
                description: desc.into(),
                status: 400,
            };
            assert_eq!(e.to_error("p").exit_code(), exit, "{code}");
        }
    }

    #[test]
    fn wrong_key_and_wrong_secret_are_told_apart() {
        let key = BaiduError {
            code: "invalid_client".into(),
            description: "unknown client id".into(),
            status: 401,
        };
        let secret = BaiduError {
            code: "invalid_client".into(),
            description: "Client authentication failed".into(),
            status: 401,
        };
        assert!(key.to_error("p").message().contains("AppKey"));
        assert_eq!(
            secret.to_error("p").message(),
            "Baidu rejected the SecretKey of `p`: `invalid_client` (Client authentication failed)"
        );
        let record = secret.to_error("p").record();
        assert_eq!(
            (&record["code"], &record["baidu_code"], &record["status"]),
            (
                &serde_json::json!("secret-key-rejected"),
                &serde_json::json!("invalid_client"),
                &serde_json::json!(401)
            )
        );
    }

    #[test]
    fn echoed_secrets_are_cut_from_code_and_description() {
        let scrubber = Scrubber::default();
        scrubber.add("the-secret-key+0001");
        let body = r#"{"error":"bad the-secret-key+0001","error_description":"got client_secret=the-secret-key%2B0001&x"}"#;
        let e = parse(400, body.as_bytes(), &scrubber).unwrap();
        assert_eq!(e.code, "bad ****");
        assert_eq!(e.description, "got client_secret=****&x");
        let msg = e.to_error("p").message().to_owned();
        assert!(!msg.contains("the-secret-key"), "{msg}");
    }

    #[test]
    fn hostile_descriptions_are_sanitized() {
        let e = BaiduError {
            code: "x\n".into(),
            description: "a\x1b[2Jb".into(),
            status: 400,
        };
        let msg = e.to_error("p").message().to_owned();
        assert!(!msg.contains('\n') && !msg.contains('\x1b'), "{msg:?}");
    }
}
