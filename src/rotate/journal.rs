//! The journal for a single-use refresh token (netdisk): mark, send once, settle the mark;
//! a mark left by an interrupted refresh is recovered by presenting the token once more.

use chrono::Utc;

use super::not_logged_in;
use crate::baidu::client::Client;
use crate::config::Profile;
use crate::error::{Error, GrantError, Note, Result, sanitize};
use crate::failpoint;
use crate::grant::{Fresh, RefreshError};
use crate::store::state::{InFlight, NeedsLogin, Told};
use crate::store::{Place, TokenState};
use crate::ui::Messages;

/// What a lease must have left beyond the request's deadline when a refresh token is sent:
/// time for the answer to be saved under it.
const LEASE_MARGIN: std::time::Duration = std::time::Duration::from_secs(1);

/// The journal protocol for a single-use refresh token: mark, send once, settle the mark.
///
/// A mark already there (found under the lock, so its process is gone) is a refresh whose
/// answer was never saved: the same refresh token is presented once more (recovery), with
/// one more attempt counted in the mark. Only Baidu's refusal of the token settles it as
/// spent (exit 3, with the journal's story); a token settles it as recovered. Anything else
/// leaves the mark for the next run, so each interruption costs one presentation, never a loop:
/// one command presents a refresh token at most once.
///
/// Returns the new token, and an error to report once it is saved (an answer whose new refresh
/// token is good but whose `expires_in` is not: the token is saved as due).
pub(super) fn refresh_netdisk(
    out: &dyn Messages,
    lock: &mut dyn crate::store::ProfileLock,
    client: &Client,
    profile: &Profile,
    secret: &crate::secret::SecretKey,
    state: &mut TokenState,
    here: Option<&Place>,
) -> Result<(Fresh, Option<Error>)> {
    let name = &profile.name;
    let Some(refresh_token) = state.refresh_token.clone() else {
        return Err(not_logged_in(profile));
    };
    let previous = state.refresh_in_flight.clone();
    let mut mark = match &previous {
        Some(p) => {
            out.warn(crate::t!(
                "ui-rotate-recovering",
                profile = name.as_str(),
                story = p.story()
            ));
            InFlight {
                attempts: p.attempts.max(1) + 1,
                ..p.clone()
            }
        }
        None => InFlight {
            started_at: Utc::now(),
            pid: std::process::id(),
            generation: state.generation,
            command: command_name(),
            attempts: 1,
            outcome: None,
        },
    };
    state.refresh_in_flight = Some(mark.clone());
    state.stamp(here);
    // Durable before the token leaves: a crash from here on is visible to the next run. A
    // state that cannot be written (disk full, read-only folder) stops here, token unsent.
    lock.save(state)
        .map_err(|e| e.note(Note::RefreshTokenNotSent))?;
    failpoint::hit("rotate.before-send");
    // A lease that lapsed (a backend with a term) may already be another process's: sending
    // the single-use refresh token now could spend it under two writers. A lease still held
    // bounds the request: it must end (answered or given up) before the lease could lapse,
    // even if no renewal gets through meanwhile.
    if let Some(left) = lock.lease_left()? {
        let usable = left.saturating_sub(LEASE_MARGIN);
        if usable.is_zero() {
            return Err(GrantError::LockLost {
                profile: name.to_string(),
            }
            .into());
        }
        client.end_within(usable);
    }
    match profile
        .grant
        .refresh(client, profile, secret, &refresh_token)
    {
        Ok(fresh) => Ok((fresh, None)),
        // A good new refresh token in an answer broker cannot use otherwise: kept (the old one
        // is spent), saved as due so the next call rotates with it; the bad field is reported.
        Err(RefreshError::Salvaged(fresh, e)) => {
            Ok((*fresh, Some(e.note(Note::NewRefreshTokenSaved))))
        }
        Err(RefreshError::Rejected(e)) => {
            let e = match &previous {
                Some(p) => explain_recovery_spent(profile, p, e),
                None => explain_spent(profile, state, here, e),
            };
            state.refresh_in_flight = None;
            state.needs_login = Some(NeedsLogin {
                reason: Told::error(&e),
                at: Utc::now(),
            });
            lock.save(state)?;
            Err(e)
        }
        Err(RefreshError::Answered(e)) => {
            // Baidu answered without taking the refresh token. A first attempt leaves it the
            // live one: the mark goes. A recovery's answer says nothing of what became of the
            // lost first answer: the mark stays for the next run.
            if previous.is_some() {
                mark.outcome = Some(Told::error(&e));
                state.refresh_in_flight = Some(mark);
            } else {
                state.refresh_in_flight = None;
            }
            lock.save(state)?;
            Err(e)
        }
        Err(RefreshError::NotSent(e)) => {
            // The request never reached Baidu: back to the mark (if any) found before.
            state.refresh_in_flight = previous;
            lock.save(state)?;
            Err(e)
        }
        Err(RefreshError::Unknown(e)) => {
            // The mark stays, saying how it ended: whether the token was spent cannot be known,
            // and the next run presents it once more to find out. If this save fails, the mark
            // saved before sending says the same, less the outcome.
            mark.outcome = Some(Told::error(&e));
            state.refresh_in_flight = Some(mark);
            let _ = lock.save(state);
            Err(e.note(Note::MaybeSpent {
                profile: name.to_string(),
            }))
        }
    }
}

/// The command running, as a story names it: `broker refresh`.
fn command_name() -> Option<String> {
    use clap::CommandFactory;
    let cli = crate::cli::Cli::command();
    let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
    std::env::args()
        .skip(1)
        .find(|a| names.contains(&a.as_str()))
        .map(|c| format!("broker {c}"))
}

/// A recovery refused by Baidu: the token was spent, most likely by the interrupted refresh
/// whose answer was lost. The message tells the journal's story.
fn explain_recovery_spent(profile: &Profile, first: &InFlight, e: Error) -> Error {
    let name = &profile.name;
    // `first` counts the presentations before this one, which "presented again now" adds.
    e.note(Note::RecoverySpent {
        profile: name.to_string(),
        story: Box::new(first.as_error()),
    })
}

/// Why a refresh token turns out spent: it works once, so the likely cause is another holder
/// of the same lineage. Named when this state is known to be a copy.
fn explain_spent(profile: &Profile, state: &TokenState, here: Option<&Place>, e: Error) -> Error {
    let name = &profile.name;
    let profile = name.to_string();
    e.note(match state.copied_from(here) {
        Some(from) => Note::SpentByCopy {
            profile,
            from_path: sanitize(&from.path),
            from_host: sanitize(&from.host),
        },
        None => Note::SpentElsewhere { profile },
    })
}
