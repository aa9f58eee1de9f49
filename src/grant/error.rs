//! Grant errors: getting a token from Baidu — what Baidu answered (credentials rejected, exit 4;
//! a refresh token spent, exit 3), what kept it from answering (exit 5), and the logins a
//! person must do (exit 3).

use serde::Serialize;

use crate::error::Kind;

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum GrantError {
    /// A netdisk profile with no token yet.
    NotLoggedIn { profile: String },
}

impl GrantError {
    pub fn kind(&self) -> Kind {
        match self {
            GrantError::NotLoggedIn { .. } => Kind::NeedsPerson,
        }
    }
}
