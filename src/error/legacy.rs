//! TRANSITION ONLY, removed when every error site is typed: an English message and hint
//! built at the call site, as before the catalog.

use serde::Serialize;

use super::{Error, Kind, Note};

#[derive(Debug, Clone, Serialize)]
pub struct Legacy {
    #[serde(skip)]
    pub kind: Kind,
    pub code: &'static str,
    pub message: String,
}

impl Error {
    pub fn legacy(kind: Kind, message: impl Into<String>) -> Self {
        Error::new(super::Problem::Legacy(Legacy {
            kind,
            code: "text",
            message: message.into(),
        }))
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::legacy(Kind::Internal, message)
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::legacy(Kind::Usage, message)
    }
    pub fn needs_person(message: impl Into<String>) -> Self {
        Self::legacy(Kind::NeedsPerson, message)
    }
    pub fn credentials(message: impl Into<String>) -> Self {
        Self::legacy(Kind::Credentials, message)
    }
    pub fn network(message: impl Into<String>) -> Self {
        Self::legacy(Kind::Network, message)
    }
    pub fn store(message: impl Into<String>) -> Self {
        Self::legacy(Kind::Store, message)
    }
    pub fn hook(message: impl Into<String>) -> Self {
        Self::legacy(Kind::Hook, message)
    }
    pub fn with_hint(self, hint: impl Into<String>) -> Self {
        self.note(Note::LegacyHint { hint: hint.into() })
    }
    pub fn map_message(self, f: impl FnOnce(&str) -> String) -> Self {
        let message = f(&self.message());
        self.note(Note::Legacy { message })
    }
}
