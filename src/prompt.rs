//! Asking a person for input, and knowing when there is no person to ask: with no terminal,
//! or with `CI` set, broker never prompts and fails at once instead (exit 3).

use std::io::{IsTerminal, Read};

use crate::error::{Error, Result, StoreError};
use crate::secret::SecretKey;

/// The most a secret read from stdin may be; a SecretKey is tens of bytes.
const MAX_STDIN_SECRET: u64 = 64 * 1024;

/// True when a person can answer a prompt: stdin and stderr are terminals and `CI` is not set.
pub fn interactive() -> bool {
    !in_ci() && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// `CI` set to anything but "" or "false".
pub fn in_ci() -> bool {
    std::env::var(crate::env_vars::CI).is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// What a prompt that cannot be shown was for: picks the error's words and its hint.
/// (The logins' own prompts have their errors in `GrantError`, with their hints.)
#[derive(Debug, Clone, Copy)]
pub enum Needed {
    SecretKey,
    Passphrase,
}

/// The error for a prompt that cannot be shown (exit 3).
pub fn cannot_ask(needed: Needed) -> Error {
    let needed = match needed {
        Needed::SecretKey => "secret-key",
        Needed::Passphrase => "passphrase",
    };
    StoreError::NoTerminal { needed }.into()
}

/// Reads a SecretKey: from stdin when it is not a terminal (one trailing newline dropped),
/// else from a hidden prompt. Never from argv.
pub fn read_secret(prompt: &str) -> Result<SecretKey> {
    let stdin = std::io::stdin();
    let text = if !stdin.is_terminal() {
        let mut buf = String::new();
        stdin
            .lock()
            .take(MAX_STDIN_SECRET)
            .read_to_string(&mut buf)
            .map_err(|e| StoreError::CannotReadSecretFromStdin {
                reason: e.to_string(),
            })?;
        let trimmed = buf
            .strip_suffix('\n')
            .map(|s| s.strip_suffix('\r').unwrap_or(s))
            .unwrap_or(&buf)
            .to_owned();
        zeroize::Zeroize::zeroize(&mut buf);
        trimmed
    } else if in_ci() {
        return Err(cannot_ask(Needed::SecretKey));
    } else {
        rpassword::prompt_password(prompt).map_err(|e| StoreError::CannotReadSecret {
            reason: e.to_string(),
        })?
    };
    if text.is_empty() {
        return Err(StoreError::EmptySecret.into());
    }
    if text.contains(['\n', '\r', '\0']) {
        return Err(StoreError::SecretNotOneLine.into());
    }
    Ok(SecretKey::new(text))
}

/// Reads one line typed at a prompt on stderr (at most 4 KiB); the line break is dropped.
pub fn read_line(prompt: &str) -> Result<String> {
    use std::io::{BufRead, Write};
    // A closed stderr must not panic (as `eprint!` would): the prompt is then just not shown.
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(prompt.as_bytes()).and_then(|()| err.flush());
    drop(err);
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(4096)
        .read_line(&mut line)
        .map_err(|e| StoreError::CannotReadAnswer {
            reason: e.to_string(),
        })?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}
