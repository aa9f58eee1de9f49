//! What running the sinks and hooks of one event did, and what it means for the exit code.

use crate::config::Event;
use crate::error::{Error, HookError, Result};
use crate::profile::ProfileName;
use crate::store::state::HookResult;

/// What running the sinks and hooks of one event did.
pub struct Report {
    pub profile: ProfileName,
    pub event: Event,
    /// One per sink and hook that ran, in the order they ran.
    pub results: Vec<HookResult>,
    /// Run by `broker hooks run`, not by a rotation.
    pub(super) rerun: bool,
}

impl Report {
    pub(super) fn empty(profile: &ProfileName, event: Event, rerun: bool) -> Report {
        Report {
            profile: profile.clone(),
            event,
            results: Vec::new(),
            rerun,
        }
    }

    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| !r.ok).count()
    }

    pub fn is_ok(&self) -> bool {
        self.failed() == 0
    }

    /// For `refresh` and `login` (and `hooks run|test`): exit 7 when any sink or hook failed.
    /// Each failure was already reported on its own line as it happened. A hook ended by a
    /// signal to broker ends the command with 128 + signal ([`ended_by_signal`]).
    pub fn into_result(self) -> Result<()> {
        ended_by_signal()?;
        let failed = self.failed();
        if failed == 0 {
            return Ok(());
        }
        let when = match (self.event, self.rerun) {
            (Event::Test, _) => "test",
            (_, true) => "rerun",
            (Event::Rotate, _) => "rotate",
            (Event::Login, _) => "login",
            (Event::RefreshFailed, _) => "refresh-failed",
        };
        Err(HookError::Failed {
            profile: self.profile.to_string(),
            failed,
            total: self.results.len(),
            sinks: self.results.iter().any(|r| r.name.starts_with("sink ")),
            when,
        }
        .into())
    }
}

/// A signal to broker ended a hook (see [`crate::process`]): the command ends now with 128 +
/// signal, saying nothing more, as broker without hooks would have.
pub fn ended_by_signal() -> Result<()> {
    match crate::process::interrupted() {
        Some(code) => Err(Error::exit_with(code)),
        None => Ok(()),
    }
}
