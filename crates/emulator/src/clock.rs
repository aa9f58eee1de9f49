//! The emulator's clock: real time plus an offset, or a frozen instant.
//!
//! Every expiry rule (tokens, codes, device codes, bce request windows) reads this clock, so
//! a test can make a month pass in a millisecond, and the 2024 bce test vector can be checked
//! end to end by freezing the clock at the moment it was signed.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How far the clock may be moved from real time: a century, far beyond any token lifetime,
/// and far from the limits where date arithmetic would overflow.
const MAX_SHIFT_SECS: i64 = 100 * 366 * 86_400;

/// `t` plus `secs`, saturating at the end of time: lifetimes come from an admin and may be
/// absurd, and an absurd lifetime must mean "never expires", not a panic.
pub(crate) fn after(t: DateTime<Utc>, secs: u64) -> DateTime<Utc> {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    Duration::try_seconds(secs)
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn clamp_shift(secs: i64) -> i64 {
    secs.clamp(-MAX_SHIFT_SECS, MAX_SHIFT_SECS)
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Clock {
    offset_secs: i64,
    fixed: Option<DateTime<Utc>>,
}

/// A change to the clock, as the admin API and [`super::Handle`] take it. Fields are applied
/// in this order: `real`, `fixed`, `offset_secs`, `advance_secs`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockUpdate {
    /// Back to real time: no offset, not frozen.
    #[serde(default)]
    pub real: bool,
    /// Freeze the clock at this instant (RFC 3339).
    #[serde(default)]
    pub fixed: Option<DateTime<Utc>>,
    /// Run at real time plus this many seconds (unfreezes the clock).
    #[serde(default)]
    pub offset_secs: Option<i64>,
    /// Move the clock forward (or back, when negative) by this many seconds, frozen or not.
    #[serde(default)]
    pub advance_secs: Option<i64>,
}

/// What the clock reads, for the admin API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockView {
    pub now: DateTime<Utc>,
    pub offset_secs: i64,
    pub fixed: bool,
}

impl Clock {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        match self.fixed {
            Some(t) => t,
            None => Utc::now() + Duration::seconds(self.offset_secs),
        }
    }

    pub(crate) fn apply(&mut self, update: &ClockUpdate) {
        if update.real {
            *self = Clock::default();
        }
        if let Some(t) = update.fixed {
            self.fixed = Some(t);
        }
        if let Some(secs) = update.offset_secs {
            self.fixed = None;
            self.offset_secs = clamp_shift(secs);
        }
        if let Some(secs) = update.advance_secs {
            let secs = clamp_shift(secs);
            match &mut self.fixed {
                Some(t) => *t = t.checked_add_signed(Duration::seconds(secs)).unwrap_or(*t),
                None => self.offset_secs = clamp_shift(self.offset_secs.saturating_add(secs)),
            }
        }
    }

    pub(crate) fn view(&self) -> ClockView {
        let now = self.now();
        let offset_secs = match self.fixed {
            Some(t) => (t - Utc::now()).num_seconds(),
            None => self.offset_secs,
        };
        ClockView {
            now,
            offset_secs,
            fixed: self.fixed.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_fixed_advance_and_real() {
        let mut clock = Clock::default();
        let t0 = Utc::now();
        clock.apply(&ClockUpdate {
            offset_secs: Some(3600),
            ..Default::default()
        });
        assert!(clock.now() >= t0 + Duration::seconds(3600));

        let frozen = DateTime::parse_from_rfc3339("2024-11-28T06:10:00Z")
            .unwrap()
            .with_timezone(&Utc);
        clock.apply(&ClockUpdate {
            fixed: Some(frozen),
            ..Default::default()
        });
        assert_eq!(clock.now(), frozen);
        clock.apply(&ClockUpdate {
            advance_secs: Some(60),
            ..Default::default()
        });
        assert_eq!(clock.now(), frozen + Duration::seconds(60));
        assert!(clock.view().fixed);

        clock.apply(&ClockUpdate {
            real: true,
            ..Default::default()
        });
        assert!(clock.now() - Utc::now() < Duration::seconds(5));
        assert!(!clock.view().fixed);
    }
}
