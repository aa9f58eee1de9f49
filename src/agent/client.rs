//! The client side: `token`, `env`, `exec` and `inject` ask the agent first, and work alone
//! when there is none to ask. Without an agent this costs one failed `connect` (no socket
//! file: `ENOENT`), so the warm path stays as fast as before.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use zeroize::Zeroizing;

use super::protocol::{ANOTHER_CONFIG, MAX_LINE, Request};
use crate::error::{Error, InternalError, Result};
use crate::secret::AccessToken;
use crate::store::TokenState;
use crate::ui;

/// How long writing the request may take: the agent reads at once, or it is not serving.
const SEND: Duration = Duration::from_millis(50);

/// The agent's answer to `request`: `None` when there is no agent to ask (no socket, nobody
/// listening, another user's socket, the agent went away before answering, or it serves
/// another config file): the command then works alone. An error the agent answered is the
/// command's error; its words are printed here and the error carries only the exit code.
pub fn ask(state_dir: &Path, request: &Request, wait: Duration) -> Option<Result<Value>> {
    let path = super::socket_path(None, state_dir);
    let stream = UnixStream::connect(&path).ok()?;
    if !super::server::same_user(&stream) {
        ui::warn_once(
            "agent-peer",
            format!(
                "`{}` belongs to another user: not asking it",
                path.display()
            ),
        );
        return None;
    }
    let error = match exchange(&stream, request, wait)? {
        Ok(ok) => return Some(Ok(ok)),
        Err(error) => error,
    };
    if error["code"].as_str() == Some(ANOTHER_CONFIG) {
        ui::debug(1, "the agent serves another config file; working alone");
        return None;
    }
    let exit = error["exit"]
        .as_u64()
        .and_then(|c| u8::try_from(c).ok())
        .filter(|c| *c != 0)
        .unwrap_or(1);
    // In the reader's language from the record when the agent sent one; else its words.
    let words = match &error["record"] {
        record @ Value::Object(_) => crate::catalog::render_record(record),
        _ => crate::error::Rendered {
            message: error["message"].as_str().unwrap_or_default().to_owned(),
            hint: error["hint"].as_str().map(str::to_owned),
        },
    };
    crate::say_error(words);
    Some(Err(Error::exit_with(exit)))
}

/// Sends `request` and reads the answer: `Ok` its data, `Err` its error object; `None` when
/// there is no answer (the agent went away, or said nothing in `wait`).
pub fn exchange(
    stream: &UnixStream,
    request: &Request,
    wait: Duration,
) -> Option<std::result::Result<Value, Value>> {
    let _ = stream.set_write_timeout(Some(SEND));
    let _ = stream.set_read_timeout(Some(wait));
    let mut line = Zeroizing::new(serde_json::to_vec(request).ok()?);
    line.push(b'\n');
    if (&*stream).write_all(&line).is_err() {
        return None;
    }
    let mut answer = Zeroizing::new(String::new());
    match BufReader::new(stream.take(MAX_LINE)).read_line(&mut answer) {
        Ok(n) if n > 0 => {}
        _ => {
            ui::debug(1, "the agent did not answer; working alone");
            return None;
        }
    }
    let mut value: Value = serde_json::from_str(&answer).ok()?;
    if let Some(ok) = value.get_mut("ok") {
        return Some(Ok(ok.take()));
    }
    value.get_mut("error").map(|e| Err(e.take()))
}

/// The token of an answer to `token` or `rejected`, as a state (for printing it the way
/// `broker token` does).
pub fn token_state(ok: &Value) -> Result<TokenState> {
    let bad = |what: &str| {
        Error::from(InternalError::AgentAnswer {
            reason: format!("no {what}"),
        })
    };
    let token = ok["access_token"]
        .as_str()
        .ok_or_else(|| bad("access_token"))?;
    let expires_at: DateTime<Utc> = ok["expires_at"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .ok_or_else(|| bad("expires_at"))?
        .into();
    let mut state = TokenState::new(
        ok["grant"].as_str().unwrap_or_default(),
        AccessToken::new(token),
        expires_at,
        Utc::now(),
    );
    state.scope = ok["scope"].as_str().map(str::to_owned);
    state.generation = ok["generation"].as_u64().unwrap_or_default();
    // `sts`: the temporary key pair that goes with the session token.
    state.sts = serde_json::from_value(ok["sts"].clone()).ok();
    Ok(state)
}

/// The answer's data for a token (`token`, `rejected`).
pub fn token_data(profile: &str, state: &TokenState) -> Value {
    serde_json::json!({
        "profile": profile,
        "grant": state.grant,
        "access_token": state.access_token.expose(),
        "expires_at": state.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "scope": state.scope,
        "generation": state.generation,
        "sts": state.sts,
    })
}
