//! The `env` format of a sink: `KEY=value` lines for the readers of an environment file that
//! unquote nothing (`docker --env-file`), some (systemd's `EnvironmentFile=`) or everything
//! (`sh`'s `.`). Not the `dotenv` format of `broker env`, which quotes every value for
//! python-dotenv and docker compose: a quoted value would reach `docker --env-file` readers
//! with its quotes, so the sink writes real tokens bare (a documented output).

use std::fmt::Write as _;

use zeroize::Zeroizing;

/// `KEY=value` lines, each value quoted by [`env_file_quote`].
pub fn env_file(vars: &[(&str, &str)]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    for (name, value) in vars {
        let _ = writeln!(out, "{name}={}", *env_file_quote(value));
    }
    out
}

/// A value for an env file: bare when it holds only characters no reader treats specially
/// (every real Baidu token), so systemd's `EnvironmentFile=`, `docker --env-file` and `sh`'s
/// `.` all read it the same; otherwise single-quoted the POSIX way, which `sh` reads exactly.
pub fn env_file_quote(v: &str) -> Zeroizing<String> {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/+=:,@%".contains(c));
    if plain {
        Zeroizing::new(v.to_owned())
    } else {
        super::sh_quote(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_values_are_bare_when_safe_and_quoted_otherwise() {
        let table = [
            ("121.abc-DEF_ghi.x", "121.abc-DEF_ghi.x"),
            ("bce-v3/ALTAK/abc+def=", "bce-v3/ALTAK/abc+def="),
            ("2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z"),
            ("", "''"),
            ("a b", "'a b'"),
            ("it's", r"'it'\''s'"),
            ("$(x)`y`\n", "'$(x)`y`\n'"),
        ];
        for (value, want) in table {
            assert_eq!(*env_file_quote(value), want, "{value:?}");
        }
    }
}
