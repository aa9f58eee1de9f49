//! Profile names, and which profile a command uses (SPEC §4).

use std::fmt;

use crate::error::{Error, Note, Result, UsageError};

/// A validated profile name: a letter or digit, then letters, digits, `-`, `_`, `.`;
/// at most 64 characters. Validated before it is ever joined to a path.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProfileName(String);

impl ProfileName {
    pub const MAX_LEN: usize = 64;

    pub fn parse(s: &str) -> Result<Self> {
        let bad = || {
            Error::from(UsageError::InvalidProfileName {
                name: crate::error::sanitize(s),
            })
        };
        let mut chars = s.chars();
        match chars.next() {
            Some(c) if c.is_ascii_alphanumeric() => {}
            _ => return Err(bad()),
        }
        if s.len() > Self::MAX_LEN
            || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(bad());
        }
        Ok(ProfileName(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::str::FromStr for ProfileName {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

/// Which SPEC §4 rule chose the profile in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Argument,
    Environment,
    UseDefault,
    ConfigDefault,
}

impl Source {
    /// The rule in words, in the language of this process (`--json` runs in English).
    pub fn explain(self) -> String {
        match self {
            Source::Argument => crate::t!("ui-source-argument"),
            Source::Environment => crate::t!("ui-source-environment"),
            Source::UseDefault => crate::t!("ui-source-use-default"),
            Source::ConfigDefault => crate::t!("ui-source-config-default"),
        }
    }
}

/// `BROKER_PROFILE` from the environment (SPEC §4 rule 2), validated.
pub fn from_environment() -> Result<Option<ProfileName>> {
    match std::env::var(crate::env_vars::BROKER_PROFILE) {
        Ok(v) if !v.is_empty() => ProfileName::parse(&v).map(Some).map_err(|e| {
            e.note(Note::FromEnv {
                var: crate::env_vars::BROKER_PROFILE.into(),
            })
        }),
        _ => Ok(None),
    }
}

/// The file in the state folder that keeps the default chosen by `broker use`.
pub fn use_default_path(state_dir: &std::path::Path) -> std::path::PathBuf {
    state_dir.join("current")
}

/// The default chosen by `broker use` (SPEC §4 rule 3), if any.
pub fn read_use_default(state_dir: &std::path::Path) -> Result<Option<ProfileName>> {
    let path = use_default_path(state_dir);
    // Like the config (a choice of profile), anything wrong with it is exit 2.
    use crate::store::read;
    let read = read::file(&path, read::MAX_CURRENT, read::FileRole::UseDefault)?;
    let Some(contents) = read else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&contents.bytes);
    if text.trim().is_empty() {
        return Ok(None);
    }
    ProfileName::parse(text.trim()).map(Some).map_err(|e| {
        e.note(Note::InFile {
            path: path.display().to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_names() {
        for ok in ["a", "netdisk-dev", "ai.prod_2", "9lives", &"x".repeat(64)] {
            assert!(ProfileName::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_names_that_could_escape_a_path() {
        for bad in [
            "",
            "../x",
            "a/b",
            ".hidden",
            "-flag",
            "a b",
            "é",
            "a\0b",
            &"x".repeat(65),
            "..",
            "a\\b",
        ] {
            let err = ProfileName::parse(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad:?}");
        }
    }
}
