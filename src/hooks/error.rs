//! Hook errors (exit 7): the token was rotated and saved, but a hook or sink failed.

use serde::Serialize;

use crate::error::Kind;

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum HookError {
    /// `failed` of the `total` hooks (and sinks, if `sinks`) of a profile failed; `when`: `rerun`,
    /// `rotate`, `login`, `refresh-failed` or `test`. Each failure was reported as it happened.
    Failed {
        profile: String,
        failed: usize,
        total: usize,
        sinks: bool,
        when: &'static str,
    },
}

impl HookError {
    pub fn kind(&self) -> Kind {
        Kind::Hook
    }
}
