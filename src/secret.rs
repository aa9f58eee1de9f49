//! Secret values: the app's SecretKey, access and refresh tokens, codes.
//!
//! Each is a `secrecy` wrapper, so every use is a visible `expose()` and the bytes are
//! zeroised on drop. `Debug` prints `****`; there is deliberately no `Display`.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                $name(SecretString::from(value.into()))
            }
            /// The secret text. Every call site is a place where the secret leaves its wrapper.
            pub fn expose(&self) -> &str {
                self.0.expose_secret()
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(****)"))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.expose() == other.expose()
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.expose())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map($name::new)
            }
        }
    };
}

secret_type!(
    /// An app's SecretKey (AI / netdisk `client_secret`, or a BCE SecretAccessKey).
    SecretKey
);
secret_type!(
    /// An access token (netdisk `121.…`, AI `24.…`, or a BCE `bce-v3/…` bearer token).
    AccessToken
);
secret_type!(
    /// The SecretKey of BCE STS temporary credentials: as secret as the app's own.
    TemporarySecretKey
);
secret_type!(
    /// A netdisk refresh token: single use, rotates on every refresh.
    RefreshToken
);
secret_type!(
    /// An authorization code or device code: single use.
    Code
);

/// Shows the first and last few characters of an identifier that is not secret but long
/// (an AppKey), so a person can tell apps apart without the whole value on screen.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 8 {
        return "****".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = SecretKey::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "SecretKey(****)");
        let t = AccessToken::new("121.abc");
        assert!(!format!("{t:?} {:?}", Some(&t)).contains("121.abc"));
    }

    #[test]
    fn serde_round_trip_keeps_the_value() {
        let t = RefreshToken::new("122.x\"y");
        let json = serde_json::to_string(&t).unwrap();
        let back: RefreshToken = serde_json::from_str(&json).unwrap();
        assert_eq!(back.expose(), "122.x\"y");
    }

    #[test]
    fn mask_keeps_ends_only() {
        assert_eq!(mask("abcdefghijkl"), "abcd…ijkl");
        assert_eq!(mask("short"), "****");
    }
}
