//! The wire protocol: one JSON object per line each way. A request is
//! `{"id", "verb", "profile", "options"}`; the answer carries the same `id` and either `ok`
//! (the verb's data) or `error` (`{"code", "exit", "message", "hint", "record"}`: the error
//! record's `domain/code`, the exit code a command would end with, the English words, and the
//! record itself, codes and facts, for a client to say it in its reader's language).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::Error;

/// The longest request line the agent reads, and the longest answer a client reads.
pub const MAX_LINE: u64 = 1 << 20;

/// The code of the answer that makes a client work alone: the agent serves another config.
pub const ANOTHER_CONFIG: &str = "agent/another-config";

/// One request. Not `Debug`: `options.token` may hold a token.
#[derive(Serialize, Deserialize, Default)]
pub struct Request {
    #[serde(default)]
    pub id: Value,
    pub verb: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default)]
    pub options: Options,
}

#[derive(Serialize, Deserialize, Default)]
pub struct Options {
    /// The config file the client reads (absolute); another one than the agent's makes the
    /// agent answer [`ANOTHER_CONFIG`]. Absent: whatever config the agent serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<std::path::PathBuf>,
    /// The state folder the client uses (absolute); another one than the agent's is answered
    /// like another config file: the client works alone with its own states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_dir: Option<std::path::PathBuf>,
    /// `token`: `--min-ttl` in seconds (absent: the profile's `refresh_before`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ttl: Option<u64>,
    /// `rejected`: the token Baidu refused (absent: the current one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// A good answer.
pub fn ok(id: &Value, data: Value) -> Value {
    json!({ "id": id, "ok": data })
}

/// An error answer made of broker's error: its record's code, exit code and words.
pub fn error(id: &Value, e: &Error) -> Value {
    let record = e.record();
    let code = format!(
        "{}/{}",
        record["domain"].as_str().unwrap_or("internal"),
        record["code"].as_str().unwrap_or("unknown")
    );
    // The wire is data: its words are English whatever the agent's language. The record
    // lets a client say the error in its reader's language.
    let words = crate::catalog::render_record_in(crate::catalog::Lang::En, &record);
    json!({ "id": id, "error": {
        "code": code,
        "exit": e.exit_code(),
        "message": words.message,
        "hint": words.hint,
        "record": record,
    }})
}

/// An error answer about the request itself (not a broker error).
pub fn refusal(id: &Value, code: &str, message: &str) -> Value {
    json!({ "id": id, "error": { "code": code, "exit": 2, "message": message, "hint": null } })
}
