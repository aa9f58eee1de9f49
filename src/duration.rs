//! Humane durations in config and flags: `90s`, `10m`, `24h`, `7d`, or a sum like `1h30m`.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration written the humane way; serializes back to the same form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Humane(pub Duration);

impl Humane {
    pub fn from_secs(secs: u64) -> Self {
        Humane(Duration::from_secs(secs))
    }
    pub fn as_secs(self) -> u64 {
        self.0.as_secs()
    }
}

/// Parses `90s`, `10m`, `24h`, `7d`, `1h30m`; a bare number is seconds.
pub fn parse(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let err = || {
        format!(
            "invalid duration `{}` (write e.g. `90s`, `10m`, `24h`, `7d`)",
            crate::error::sanitize(s)
        )
    };
    if s.is_empty() {
        return Err(err());
    }
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            'w' => 7 * 86400,
            _ => return Err(err()),
        };
        let n: u64 = number.parse().map_err(|_| err())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(err)?;
        number.clear();
    }
    if !number.is_empty() {
        return Err(err());
    }
    Ok(Duration::from_secs(total))
}

/// Formats whole seconds in the largest units that divide them: `1d`, `90m`, `45s`.
pub fn format(d: Duration) -> String {
    let secs = d.as_secs();
    for (unit, name) in [(86400, "d"), (3600, "h"), (60, "m")] {
        if secs >= unit && secs.is_multiple_of(unit) {
            return format!("{}{name}", secs / unit);
        }
    }
    format!("{secs}s")
}

/// "in 29 days", "3 hours ago": for people reading `status`, in their language (`--json`
/// runs in English).
pub fn relative(seconds_from_now: i64) -> String {
    let abs = seconds_from_now.unsigned_abs();
    if abs < 5 {
        return crate::t!("ui-time-just-now");
    }
    let (n, unit) = match abs {
        0..=89 => (abs, "second"),
        90..=5399 => ((abs + 30) / 60, "minute"),
        5400..=129_599 => ((abs + 1800) / 3600, "hour"),
        _ => ((abs + 43200) / 86400, "day"),
    };
    if seconds_from_now >= 0 {
        crate::t!("ui-time-in", n = n, unit = unit)
    } else {
        crate::t!("ui-time-ago", n = n, unit = unit)
    }
}

impl std::str::FromStr for Humane {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        parse(s).map(Humane)
    }
}

impl Serialize for Humane {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(self.0))
    }
}

impl<'de> Deserialize<'de> for Humane {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Seconds(u64),
        }
        match Raw::deserialize(d)? {
            Raw::Text(s) => parse(&s).map(Humane).map_err(serde::de::Error::custom),
            Raw::Seconds(n) => Ok(Humane::from_secs(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_humane_forms() {
        let table = [
            ("90s", 90),
            ("10m", 600),
            ("24h", 86400),
            ("7d", 604800),
            ("1h30m", 5400),
            ("42", 42),
        ];
        for (text, secs) in table {
            assert_eq!(parse(text).unwrap(), Duration::from_secs(secs), "{text}");
        }
    }

    #[test]
    fn refuses_nonsense() {
        for bad in [
            "",
            "h",
            "10x",
            "1.5h",
            "-3s",
            "10m5",
            "99999999999999999999d",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_back() {
        assert_eq!(format(Duration::from_secs(86400)), "1d");
        assert_eq!(format(Duration::from_secs(5400)), "90m");
        assert_eq!(format(Duration::from_secs(61)), "61s");
    }

    #[test]
    fn relative_times() {
        assert_eq!(relative(29 * 86400), "in 29 days");
        assert_eq!(relative(-3 * 3600), "3 hours ago");
        assert_eq!(relative(1), "just now");
        assert_eq!(relative(61), "in 61 seconds");
    }
}
