//! Usage errors (exit 2): what the command line asked for cannot be done as asked — a bad
//! name, flags that conflict, an argument that does not parse.

use serde::Serialize;

use super::Kind;

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum UsageError {
    /// A profile name that breaks the naming rule (it is joined to paths).
    InvalidProfileName { name: String },
}

impl UsageError {
    pub fn kind(&self) -> Kind {
        Kind::Usage
    }
}
