//! The wire: the HTTP token client, Baidu error bodies, and bce-auth-v1 signing (from
//! `broker_wire`, shared with the emulator).

pub mod client;
pub mod error;
// Signing lives in the wire crate, shared with the emulator.
pub use broker_wire::sign;

/// The body as text when it can be a JSON object: UTF-8 throughout and starting with `{`.
///
/// Both are checked before serde sees it. serde's derived structs also read a JSON array field
/// by field, so `["24.x",2592000]` would pass for a token body; and `from_slice` skips the
/// fields it ignores without checking their UTF-8, so a body with broken bytes in an unknown
/// field would be read as a good one. Every body broker reads is an object of UTF-8 text.
pub fn json_object(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body).ok()?;
    text.trim_start().starts_with('{').then_some(text)
}

/// The keys of a JSON object, its values skipped unread (so none of them can fail to parse).
pub fn json_keys(text: &str) -> Vec<String> {
    struct Keys(Vec<String>);
    impl<'de> serde::Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visitor;
            impl<'de> serde::de::Visitor<'de> for Visitor {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Keys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some(k) = map.next_key::<String>()? {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        keys.push(k);
                    }
                    Ok(Keys(keys))
                }
            }
            d.deserialize_map(Visitor)
        }
    }
    serde_json::from_str::<Keys>(text).map_or_else(|_| Vec::new(), |k| k.0)
}
