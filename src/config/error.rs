//! Config errors (exit 2 unless a variant says otherwise): the config file, its profiles and
//! their settings.

use serde::Serialize;

use crate::error::{Hint, Kind};

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum ConfigError {
    /// A profile the config does not have; the hint names a near one or lists them.
    UnknownProfile {
        name: String,
        config: String,
        hint: Hint,
    },
}

impl ConfigError {
    pub fn kind(&self) -> Kind {
        Kind::Usage
    }
}
