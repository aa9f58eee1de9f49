//! What a state records beside its tokens: the journal mark of a refresh under way
//! ([`InFlight`]), why the profile needs a login ([`NeedsLogin`]), and each hook's last run
//! ([`HookResult`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::sanitize;

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
    /// How the last attempt ended, when the process lived to say (`… timed out`, `HTTP 503`);
    /// absent when it died first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

fn one() -> u32 {
    1
}

impl InFlight {
    /// What happened, for messages: when, which command, how it ended, how often the token
    /// was presented.
    pub fn story(&self) -> String {
        let command = self
            .command
            .as_deref()
            .map(|c| format!(" by `{}`", sanitize(c)))
            .unwrap_or_default();
        let how = match &self.outcome {
            Some(o) => format!("it ended with: {}", sanitize(o)),
            None => "the process ended before it could save anything".to_owned(),
        };
        let times = match self.attempts {
            0 | 1 => String::new(),
            n => format!("; the refresh token was presented {n} times"),
        };
        format!(
            "a refresh started at {}{command} (pid {}) was interrupted before its answer was saved ({how}){times}",
            self.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
            self.pid
        )
    }
}

/// Why and since when the profile needs `broker login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedsLogin {
    pub reason: String,
    pub at: DateTime<Utc>,
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
    /// e.g. `exit 0`, `exit 3`, `killed by SIGTERM`, `timed out after 30s`.
    pub status: String,
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
}
