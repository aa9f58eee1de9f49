//! `BROKER_AGE_KEY_CMD`: the identity printed by a command, run supervised.

use std::process::{Command, Stdio};

use zeroize::Zeroizing;

use super::{ENV_KEY_CMD_TIMEOUT, MAX_IDENTITY};
use crate::error::internal::io_reason;
use crate::error::{Error, Result, StoreError};

/// How long `BROKER_AGE_KEY_CMD` may take by default: long enough for a password manager that
/// asks to be unlocked, short enough that a command stuck on a prompt nobody sees ends.
const KEY_CMD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
const MAX_KEY_CMD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3600);

/// Run `BROKER_AGE_KEY_CMD` with `sh -c`, supervised (see [`crate::process`]): in its own
/// process group, which is ended after `BROKER_AGE_KEY_CMD_TIMEOUT` (default 30 s); at most
/// [`MAX_IDENTITY`] of stdout is read; and a background process it leaves holding stdout is
/// not waited for. Its stderr goes to ours (a password manager may say why it failed); its
/// stdin is closed so it cannot swallow data piped to broker.
pub(super) fn run_command(cmd: &str) -> Result<Zeroizing<Vec<u8>>> {
    run_command_to(cmd, Stdio::inherit())
}

/// [`run_command`] with the command's stderr sent to `stderr` (tests catch it in a file
/// rather than let it land in the test run's output).
fn run_command_to(cmd: &str, stderr: Stdio) -> Result<Zeroizing<Vec<u8>>> {
    let timeout = key_command_timeout()?;
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr);
    let mut group = crate::process::spawn(&mut command).map_err(|e| cannot_run(&e))?;
    let capture = group
        .child()
        .stdout
        .take()
        .map(|out| crate::process::Capture::start(out, MAX_IDENTITY));
    let ended = group.wait(timeout).map_err(|e| cannot_run(&e))?;
    let captured = capture.map(crate::process::Capture::finish);
    if captured.as_ref().is_some_and(|c| c.too_large) {
        return Err(StoreError::KeyCommandTooLarge {
            max_mib: MAX_IDENTITY >> 20,
        }
        .into());
    }
    let status = match ended {
        crate::process::Ended::Exited(status) => status,
        crate::process::Ended::TimedOut => {
            return Err(StoreError::KeyCommandTimedOut {
                after: crate::duration::format(timeout),
            }
            .into());
        }
    };
    if !status.success() {
        return Err(StoreError::KeyCommandFailed {
            how: crate::process::describe(status),
        }
        .into());
    }
    Ok(captured.map(|c| c.bytes).unwrap_or_default())
}

/// The time limit of `BROKER_AGE_KEY_CMD`: `BROKER_AGE_KEY_CMD_TIMEOUT`, or 30 s.
fn key_command_timeout() -> Result<std::time::Duration> {
    let Some(raw) = std::env::var_os(ENV_KEY_CMD_TIMEOUT).filter(|v| !v.is_empty()) else {
        return Ok(KEY_CMD_TIMEOUT);
    };
    let invalid = |problem, reason| -> Error {
        StoreError::InvalidKeyCommandTimeout {
            problem,
            reason,
            max: crate::duration::format(MAX_KEY_CMD_TIMEOUT),
        }
        .into()
    };
    let text = raw.to_str().ok_or_else(|| invalid("not-text", None))?;
    let d = crate::duration::parse(text).map_err(|why| invalid("not-a-duration", Some(why)))?;
    if d.is_zero() || d > MAX_KEY_CMD_TIMEOUT {
        return Err(invalid("out-of-range", None));
    }
    Ok(d)
}

/// `BROKER_AGE_KEY_CMD` could not be started or waited for.
fn cannot_run(e: &std::io::Error) -> Error {
    StoreError::CannotRunKeyCommand {
        reason: io_reason(e),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use std::fs;

    use age::secrecy::ExposeSecret;
    use age::x25519;

    use super::*;
    use crate::store::identity::{IdentitySource, load, public_keys};

    #[test]
    fn command_source_uses_stdout_and_fails_with_exit_6() {
        let key = x25519::Identity::generate();
        let line = key.to_string().expose_secret().to_owned();
        let keys = public_keys(&IdentitySource::Command(format!("echo '{line}'"))).unwrap();
        assert_eq!(keys, vec![key.to_public().to_string()]);

        // What the command says on stderr stays out of the key (and out of the test output).
        let caught = tempfile::NamedTempFile::new().unwrap();
        let out = run_command_to(
            &format!("echo '{line}'; echo diagnostics >&2"),
            Stdio::from(caught.reopen().unwrap()),
        )
        .unwrap();
        assert_eq!(String::from_utf8_lossy(&out).trim(), line);
        assert_eq!(fs::read_to_string(caught.path()).unwrap(), "diagnostics\n");

        let err = load(&IdentitySource::Command("exit 3".into()))
            .err()
            .unwrap();
        assert_eq!(err.exit_code(), 6);
        assert!(err.message().contains("exit 3"), "{}", err.message());
    }
}
