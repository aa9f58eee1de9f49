//! What a state records beside its tokens: the journal mark of a refresh under way
//! ([`InFlight`]), why the profile needs a login ([`NeedsLogin`]), and each hook's last run
//! ([`HookResult`]). What they say of an error or an outcome is kept as [`Told`]: codes and
//! facts, put in words only when shown.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, GrantError, sanitize};

/// What the state remembers of an error or an outcome: its record (domain, code, facts,
/// notes: [`Error::record`]), rendered in the user's language when shown; or, in a state
/// written by an older broker, its English text, shown as it is. Serialized as the record (a
/// JSON object) or the text (a string). Read as text (`Deref<Target = str>`, `Display`), it
/// is rendered on first use only: loading a state never parses the catalog.
#[derive(Clone)]
pub struct Told {
    kept: Kept,
    shown: OnceLock<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
enum Kept {
    Record(Map<String, Value>),
    Text(String),
}

impl Told {
    /// The record of `e`.
    pub fn error(e: &Error) -> Self {
        let kept = match e.record() {
            Value::Object(map) => Kept::Record(map),
            other => Kept::Text(other.to_string()),
        };
        Told {
            kept,
            shown: OnceLock::new(),
        }
    }

    /// `<domain>-<code>` of the record (`grant-secret-key-rejected`); `None` for an older
    /// broker's text.
    pub fn code(&self) -> Option<String> {
        match &self.kept {
            Kept::Record(map) => {
                let part = |k: &str| map.get(k).and_then(Value::as_str).unwrap_or("");
                Some(format!("{}-{}", part("domain"), part("code")))
            }
            Kept::Text(_) => None,
        }
    }

    /// As the fact of another error: the record (rendered as its message) or the text.
    pub fn as_fact(&self) -> Value {
        match &self.kept {
            Kept::Record(map) => Value::Object(map.clone()),
            Kept::Text(text) => Value::String(text.clone()),
        }
    }
}

/// An older broker's text (and tests' shorthand).
impl From<&str> for Told {
    fn from(text: &str) -> Self {
        Told {
            kept: Kept::Text(text.to_owned()),
            shown: OnceLock::new(),
        }
    }
}

impl std::ops::Deref for Told {
    type Target = str;
    fn deref(&self) -> &str {
        self.shown.get_or_init(|| match &self.kept {
            Kept::Record(map) => crate::catalog::render_record(&Value::Object(map.clone())).message,
            Kept::Text(text) => text.clone(),
        })
    }
}

impl std::fmt::Display for Told {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

/// The record, not the words (as [`Error`]'s `Debug`).
impl std::fmt::Debug for Told {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.kept.fmt(f)
    }
}

impl PartialEq for Told {
    fn eq(&self, other: &Self) -> bool {
        self.kept == other.kept
    }
}
impl Eq for Told {}

impl Serialize for Told {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.kept.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Told {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Told {
            kept: Kept::deserialize(deserializer)?,
            shown: OnceLock::new(),
        })
    }
}

/// A refresh that was started (and maybe sent) but whose answer was not saved yet: the
/// journal mark. The next rotation, under the lock, presents the same refresh token once more
/// (recovery); `started_at`, `pid` and `command` stay those of the first attempt, for the story
/// told if Baidu then says the token was already used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    pub started_at: DateTime<Utc>,
    pub pid: u32,
    /// The generation of the state the refresh started from.
    pub generation: u64,
    /// The command that started it (`broker refresh`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// How many times this refresh token was presented (or about to be) under this mark: 1 for
    /// the first attempt, one more per recovery. A mark from an older broker counts as 1.
    #[serde(default = "one")]
    pub attempts: u32,
    /// How the last attempt ended, when the process lived to say (`… timed out`, `HTTP 503`):
    /// the error's record; absent when it died first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Told>,
}

fn one() -> u32 {
    1
}

impl InFlight {
    /// What happened, for messages: when, which command, how it ended, how often the token
    /// was presented.
    pub fn story(&self) -> String {
        self.as_error().message()
    }

    /// The story as an error (`grant` `refresh-interrupted`), to tell inside another.
    pub fn as_error(&self) -> Error {
        GrantError::RefreshInterrupted {
            started_at: self.started_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            by_command: self.command.is_some(),
            command: self.command.as_deref().map(sanitize).unwrap_or_default(),
            pid: self.pid,
            ended: self.outcome.is_some(),
            // An older broker's text is shown sanitized; a record's facts already are.
            outcome: match self.outcome.as_ref().map(Told::as_fact) {
                Some(Value::String(text)) => Value::String(sanitize(&text)),
                Some(record) => record,
                None => Value::Null,
            },
            attempts: self.attempts,
        }
        .into()
    }
}

/// Why and since when the profile needs `broker login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedsLogin {
    pub reason: Told,
    pub at: DateTime<Utc>,
}

impl NeedsLogin {
    /// Baidu refused the SecretKey, or the signature made with it (BCE), rather than the
    /// AppKey. An older broker's text is read for the same words its messages used.
    pub fn blames_the_secret_key(&self) -> bool {
        match self.reason.code() {
            Some(code) => matches!(
                code.as_str(),
                "grant-secret-key-rejected" | "grant-signature-rejected"
            ),
            None => self.reason.contains("SecretKey") || self.reason.contains("signature"),
        }
    }
}

/// Set on a state exported with `broker state export` (without `--keep`): the lineage now
/// lives where the bundle went. The exported token is served until it is due; the refresh
/// token is gone from here, so it can never be presented twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandedOff {
    pub at: DateTime<Utc>,
    /// The age recipients the bundle was encrypted to.
    pub to: Vec<String>,
}

impl HandedOff {
    /// When, for messages: `2030-01-02 00:00 UTC`.
    pub fn when(&self) -> String {
        self.at.format("%Y-%m-%d %H:%M UTC").to_string()
    }

    /// To whom, for messages: `age1abcd…wxyz, age1…`.
    pub fn whom(&self) -> String {
        let to: Vec<String> = self.to.iter().map(|r| short_recipient(r)).collect();
        if to.is_empty() {
            "?".to_owned()
        } else {
            to.join(", ")
        }
    }

    /// The error for a state handed off: `already` for a second export, else a due token.
    pub fn error(&self, profile: &str, already: bool) -> crate::error::Error {
        use crate::error::StoreError;
        let (profile, at, to) = (profile.to_owned(), self.when(), self.whom());
        if already {
            StoreError::AlreadyHandedOff { profile, at, to }.into()
        } else {
            StoreError::HandedOff { profile, at, to }.into()
        }
    }
}

fn short_recipient(r: &str) -> String {
    let r = sanitize(r);
    if r.len() > 20 && r.is_ascii() {
        format!("{}…{}", &r[..10], &r[r.len() - 6..])
    } else {
        r
    }
}

/// The last run of one hook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookResult {
    pub name: String,
    pub event: String,
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// e.g. `exit 0`, `exit 3`, `killed by SIGTERM`, `timed out after 30s`, when shown: the
    /// record of a [`HookError::Ran`](crate::error::HookError::Ran).
    pub status: Told,
}

impl HookResult {
    /// As `status --json` shows it: the status in words.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "name": self.name,
            "event": self.event,
            "at": self.at,
            "ok": self.ok,
            "status": self.status.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_from_an_older_broker_reads_as_one_attempt_and_tells_its_story() {
        let old = r#"{"started_at":"2030-01-02T00:00:00Z","pid":42,"generation":3}"#;
        let f: InFlight = serde_json::from_str(old).unwrap();
        assert_eq!((f.attempts, f.command.as_deref()), (1, None));
        assert_eq!(
            f.story(),
            "a refresh started at 2030-01-02 00:00:00 UTC (pid 42) was interrupted before its answer was saved (the process ended before it could save anything)"
        );
        let f = InFlight {
            command: Some("broker token".into()),
            attempts: 3,
            outcome: Some("HTTP 503".into()),
            ..f
        };
        assert!(
            f.story().contains("by `broker token` (pid 42)"),
            "{}",
            f.story()
        );
        assert!(
            f.story()
                .ends_with("(it ended with: HTTP 503); the refresh token was presented 3 times")
        );
    }

    /// Regression (issue 12): the state kept an error's English words; it keeps its record
    /// now, rendered when shown, in the same words.
    #[test]
    fn the_state_keeps_an_errors_codes_and_facts_not_its_words() {
        use crate::error::{Error, GrantError, Note};
        let e = Error::from(GrantError::ServerStatus {
            profile: "nd".into(),
            status: 503,
        })
        .note(Note::Retried {
            attempts: 3,
            over: "2.0 s".into(),
        });
        let f = InFlight {
            started_at: "2030-01-02T00:00:00Z".parse().unwrap(),
            pid: 42,
            generation: 3,
            command: Some("broker refresh".into()),
            attempts: 2,
            outcome: Some(Told::error(&e)),
        };
        let kept = serde_json::to_value(&f).unwrap();
        assert_eq!(kept["outcome"]["domain"], "grant");
        assert_eq!(kept["outcome"]["code"], "server-status");
        assert_eq!(kept["outcome"]["status"], 503);
        assert_eq!(kept["outcome"]["notes"][0]["note"], "retried");
        assert!(!kept.to_string().contains("Baidu answered"), "{kept}");
        let back: InFlight = serde_json::from_value(kept).unwrap();
        assert_eq!(back, f);
        assert_eq!(
            back.story(),
            "a refresh started at 2030-01-02 00:00:00 UTC by `broker refresh` (pid 42) was interrupted before its answer was saved (it ended with: Baidu answered HTTP 503 for `nd`, after 3 attempts over 2.0 s); the refresh token was presented 2 times"
        );

        let secret = Error::from(GrantError::SecretKeyRejected {
            profile: "ai".into(),
            said: crate::grant::error::Said {
                baidu_code: "invalid_client".into(),
                description: "Client authentication failed".into(),
                described: true,
                status: 401,
            },
        });
        let n = NeedsLogin {
            reason: Told::error(&secret),
            at: Utc::now(),
        };
        let kept = serde_json::to_value(&n).unwrap();
        assert_eq!(kept["reason"]["code"], "secret-key-rejected");
        let back: NeedsLogin = serde_json::from_value(kept).unwrap();
        assert_eq!(&*back.reason, secret.message());
        assert_eq!(
            back.reason.code().as_deref(),
            Some("grant-secret-key-rejected")
        );
        assert!(back.blames_the_secret_key());
        // An older broker's words are read and shown as they are.
        let old: NeedsLogin = serde_json::from_str(
            r#"{"reason":"Baidu rejected the SecretKey of `ai`: `invalid_client`","at":"2030-01-02T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(old.reason.code(), None);
        assert!(old.blames_the_secret_key());
        assert_eq!(
            &*old.reason,
            "Baidu rejected the SecretKey of `ai`: `invalid_client`"
        );
    }
}
