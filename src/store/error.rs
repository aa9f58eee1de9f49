//! Store errors (exit 6 unless a variant says otherwise): the identity, the passphrase, the
//! encrypted files, the state and its lock.

use serde::Serialize;

use crate::error::{Error, Kind};

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum StoreError {
    /// The profile's lock cannot be taken because of `cause` (a read-only or full folder):
    /// the same store failure as a state that cannot be saved.
    CannotLock {
        profile: String,
        dir: String,
        cause: Box<Error>,
    },
}

impl StoreError {
    pub fn kind(&self) -> Kind {
        Kind::Store
    }
}
