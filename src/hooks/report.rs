//! What running the sinks and hooks of one event did, and what it means for the exit code.

use crate::config::Event;
use crate::error::{HookError, Result};
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
    /// Each failure was already reported on its own line as it happened.
    pub fn into_result(self) -> Result<()> {
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
