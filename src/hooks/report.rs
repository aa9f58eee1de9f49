//! What running the sinks and hooks of one event did, and what it means for the exit code.

use crate::config::Event;
use crate::error::{Error, Result};
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
        let name = &self.profile;
        let total = self.results.len();
        let sinks = self.results.iter().any(|r| r.name.starts_with("sink "));
        let things = if sinks { "sinks and hooks" } else { "hooks" };
        let what = match (self.event, self.rerun) {
            (_, true) => "when run again",
            (Event::Rotate, _) => "after the new token was saved",
            (Event::Login, _) => "after the login was saved",
            (Event::RefreshFailed, _) => "after the rotation failed",
            (Event::Test, _) => "in the test",
        };
        let hint = match (self.event, self.rerun) {
            (Event::Test, _) => {
                format!("see the lines above; fix them and run `broker hooks test {name}` again")
            }
            (_, true) => format!("see the lines above; the stored token of `{name}` is unchanged"),
            _ => format!(
                "the token is saved; fix the hook, then re-run it with `broker hooks run {name}`"
            ),
        };
        Err(Error::hook(format!(
            "{failed} of {total} {things} of `{name}` failed {what}"
        ))
        .with_hint(hint))
    }
}
