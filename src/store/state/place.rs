//! Where a state file lives ([`Place`]), for telling a copy from the original.

use serde::{Deserialize, Serialize};

use crate::error::sanitize;

/// Where a state file lives: its path and the machine. Not secret (it is inside the encrypted
/// state all the same); `machine` is a hash of the machine id, never the id itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// The state file's absolute path, symlinks resolved.
    pub path: String,
    /// The host name when the state was written.
    pub host: String,
    /// A hash of `/etc/machine-id`, when the machine has one: it survives a change of host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
}

impl Place {
    /// The same file on the same machine. The machine hash decides when both places have one
    /// (a host name may change under a running system); otherwise the host name does.
    pub fn same_as(&self, other: &Place) -> bool {
        let same_machine = match (&self.machine, &other.machine) {
            (Some(a), Some(b)) => a == b,
            _ => self.host == other.host,
        };
        same_machine && self.path == other.path
    }
}

/// For messages: escaped, as a folder name may hold control characters.
impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` on `{}`",
            sanitize(&self.path),
            sanitize(&self.host)
        )
    }
}

#[cfg(test)]
pub(in crate::store::state) mod tests {
    use super::*;

    pub(in crate::store::state) fn place(path: &str, host: &str, machine: Option<&str>) -> Place {
        Place {
            path: path.into(),
            host: host.into(),
            machine: machine.map(Into::into),
        }
    }

    #[test]
    fn places_compare_by_path_and_machine_then_host() {
        let here = place("/h/a.age", "vm", Some("m1"));
        let table = [
            (place("/h/a.age", "vm", Some("m1")), true),
            (place("/h/a.age", "renamed", Some("m1")), true),
            (place("/other/a.age", "vm", Some("m1")), false),
            (place("/h/a.age", "vm", Some("m2")), false),
            (place("/h/a.age", "vm", None), true),
            (place("/h/a.age", "laptop", None), false),
        ];
        for (there, same) in table {
            assert_eq!(here.same_as(&there), same, "{there:?}");
        }
    }

    #[test]
    fn a_place_is_shown_escaped() {
        let p = place("/h/evil\n\u{1b}[31m/a.age", "vm", None);
        assert_eq!(p.to_string(), "`/h/evil\\n\\u{1b}[31m/a.age` on `vm`");
    }
}
