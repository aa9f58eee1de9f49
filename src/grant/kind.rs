//! [`GrantKind`]: a profile's grant, as the config names it and the commands ask it. A copyable
//! handle on one of [`GRANTS`], so resolving `grant = "ai"` allocates nothing and reads nothing.

use std::fmt;
use std::ops::Deref;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::grant::{GRANTS, Grant};

/// One of the grants in [`GRANTS`]; dereferences to its [`Grant`].
#[derive(Clone, Copy)]
pub struct GrantKind(&'static dyn Grant);

impl GrantKind {
    /// For the registry only: a kind is otherwise found by name.
    pub(super) const fn new(grant: &'static dyn Grant) -> GrantKind {
        GrantKind(grant)
    }

    /// The grant called `name`, if broker knows one.
    pub fn parse(name: &str) -> Option<GrantKind> {
        GRANTS
            .iter()
            .copied()
            .find(|g| g.name() == name)
            .or_else(|| crate::grant::plugin::named(name).map(GrantKind))
    }

    /// The name in the config, in `--grant` and in the state.
    pub fn as_str(self) -> &'static str {
        self.0.name()
    }
}

impl Deref for GrantKind {
    type Target = dyn Grant;

    fn deref(&self) -> &(dyn Grant + 'static) {
        self.0
    }
}

/// Names are unique in the registry, so they identify a grant (comparing the `dyn` pointers
/// would not: a vtable may be duplicated across codegen units).
impl PartialEq for GrantKind {
    fn eq(&self, other: &GrantKind) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for GrantKind {}

impl fmt::Debug for GrantKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for GrantKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for GrantKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for GrantKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<GrantKind, D::Error> {
        d.deserialize_str(KindVisitor)
    }
}

struct KindVisitor;

impl Visitor<'_> for KindVisitor {
    type Value = GrantKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a grant name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<GrantKind, E> {
        // Worded as serde words an unknown enum variant, which the config's diagnostics read
        // to suggest the closest name ("did you mean …?").
        GrantKind::parse(name).ok_or_else(|| E::custom(unknown(name)))
    }
}

/// "unknown variant `oauth`, expected one of `ai`, `netdisk`, `bce`", as serde says it.
fn unknown(name: &str) -> String {
    let quoted: Vec<String> = GRANTS.iter().map(|g| format!("`{}`", g.name())).collect();
    let expected = match quoted.as_slice() {
        [] => return format!("unknown variant `{name}`, there are no variants"),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        all => format!("one of {}", all.join(", ")),
    };
    format!("unknown variant `{name}`, expected {expected}")
}

impl clap::ValueEnum for GrantKind {
    fn value_variants<'a>() -> &'a [GrantKind] {
        GRANTS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()).help(self.about()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_grant_is_found_by_its_own_name_and_names_are_unique() {
        for g in GRANTS {
            assert_eq!(GrantKind::parse(g.as_str()), Some(*g));
            assert_eq!(
                GRANTS.iter().filter(|o| o.as_str() == g.as_str()).count(),
                1,
                "{g}"
            );
        }
        assert_eq!(GrantKind::parse("oauth"), None);
    }

    #[test]
    fn an_unknown_name_is_refused_as_serde_refuses_an_unknown_variant() {
        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "lowercase")]
        #[allow(dead_code)]
        enum Derived {
            Ai,
            Netdisk,
            Bce,
            Sts,
            #[serde(rename = "api-key")]
            ApiKey,
        }
        let ours = serde_json::from_str::<GrantKind>(r#""oauth""#).unwrap_err();
        let derived = serde_json::from_str::<Derived>(r#""oauth""#).unwrap_err();
        assert_eq!(ours.to_string(), derived.to_string());
    }

    #[test]
    fn round_trips_through_serde() {
        for g in GRANTS {
            let json = serde_json::to_string(g).unwrap();
            assert_eq!(json, format!("\"{g}\""));
            assert_eq!(serde_json::from_str::<GrantKind>(&json).unwrap(), *g);
        }
    }
}
