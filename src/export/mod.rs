//! Exports: every way broker hands a token over in text. The formats of `broker env` (here),
//! the `env` file of a sink ([`env_file`]) and the one JSON shape of a token ([`json`]). Each
//! quotes any value exactly, whatever bytes a server put in a token (quotes, `$`, backticks,
//! newlines, non-ASCII), so evaluating the output only ever assigns.

mod env_file;
mod json;
pub mod reference;

pub use env_file::{env_file, env_file_quote};
use json::json_string;
pub use json::token_json;

use std::fmt::Write as _;

use zeroize::Zeroizing;

use crate::error::{InternalError, Result, UsageError};
use crate::shell::Var;

/// How `broker env` prints the variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// POSIX sh, bash, zsh: `export NAME='value'`
    Sh,
    /// fish: `set -gx NAME 'value'`
    Fish,
    /// PowerShell: `$env:NAME = 'value'`
    Powershell,
    /// A `.env` file: `NAME='value'`
    Dotenv,
    /// One JSON object of names and values
    Json,
    /// GitHub Actions: masks on stdout, the variables appended to `$GITHUB_ENV`
    Github,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Sh => "sh",
            Format::Fish => "fish",
            Format::Powershell => "powershell",
            Format::Dotenv => "dotenv",
            Format::Json => "json",
            Format::Github => "github",
        }
    }

    /// The formats a shell evaluates, which carry the shell bookkeeping variables too.
    pub fn is_shell(self) -> bool {
        matches!(self, Format::Sh | Format::Fish | Format::Powershell)
    }
}

/// No environment variable can hold a NUL byte; refuse rather than truncate.
fn check(vars: &[Var]) -> Result<()> {
    match vars.iter().find(|v| v.value().contains('\0')) {
        Some(v) => Err(UsageError::NulInValue {
            name: v.name.clone(),
        }
        .into()),
        None => Ok(()),
    }
}

/// The assignments, in `format` (every format but `github`, which writes a file too).
pub fn exports(format: Format, vars: &[Var]) -> Result<Zeroizing<String>> {
    check(vars)?;
    let mut out = Zeroizing::new(String::new());
    match format {
        Format::Sh => {
            for v in vars {
                let _ = writeln!(out, "export {}={}", v.name, *sh_quote(v.value()));
            }
        }
        Format::Fish => {
            for v in vars {
                let _ = writeln!(out, "set -gx {} {}", v.name, *fish_quote(v.value()));
            }
        }
        Format::Powershell => {
            for v in vars {
                let _ = writeln!(out, "$env:{} = {}", v.name, *powershell_quote(v.value()));
            }
        }
        Format::Dotenv => {
            for v in vars {
                let Some(quoted) = dotenv_quote(v.value()) else {
                    return Err(UsageError::DotenvUnquotable {
                        name: v.name.clone(),
                    }
                    .into());
                };
                let _ = writeln!(out, "{}={}", v.name, *quoted);
            }
        }
        Format::Json => {
            out.push('{');
            for (i, v) in vars.iter().enumerate() {
                let sep = if i == 0 { "\n  " } else { ",\n  " };
                let value = Zeroizing::new(json_string(v.value()));
                let _ = write!(out, "{sep}{}: {}", json_string(&v.name), *value);
            }
            out.push_str(if vars.is_empty() { "}\n" } else { "\n}\n" });
        }
        Format::Github => {
            return Err(InternalError::Unreachable {
                what: "the github format is written by `github()`",
            }
            .into());
        }
    }
    Ok(out)
}

/// Commands that clear `names` (validated variable names), for `broker env --unset`.
pub fn unset(format: Format, names: &[String]) -> Result<String> {
    let mut out = String::new();
    if names.is_empty() {
        return Ok(if format == Format::Json {
            "[]\n".into()
        } else {
            out
        });
    }
    match format {
        Format::Sh => {
            // `-v`: never a function that happens to share a name.
            let _ = writeln!(out, "unset -v {}", names.join(" "));
        }
        Format::Fish => {
            for n in names {
                let _ = writeln!(out, "set -e {n}");
            }
        }
        Format::Powershell => {
            for n in names {
                let _ = writeln!(
                    out,
                    "Remove-Item -LiteralPath Env:{n} -ErrorAction SilentlyContinue"
                );
            }
        }
        Format::Json => {
            let list: Vec<String> = names.iter().map(|n| json_string(n)).collect();
            let _ = writeln!(out, "[{}]", list.join(", "));
        }
        Format::Dotenv | Format::Github => {
            return Err(UsageError::UnsetMeaningless {
                format: format.as_str().into(),
            }
            .into());
        }
    }
    Ok(out)
}

/// What `--format github` produces: workflow commands for stdout, and the text to append to
/// the file named by `$GITHUB_ENV`.
pub struct Github {
    pub stdout: String,
    pub env_file: Zeroizing<String>,
}

/// `::add-mask::` for every secret value (and for each line of a multi-line one, since the
/// runner masks line by line), then each variable as a heredoc with a random delimiter that
/// does not occur in its value.
pub fn github(vars: &[Var]) -> Result<Github> {
    check(vars)?;
    let mut stdout = String::new();
    let mut masked: Vec<&str> = Vec::new();
    for v in vars.iter().filter(|v| v.secret && !v.value().is_empty()) {
        let mut parts = vec![v.value()];
        if v.value().contains(['\n', '\r']) {
            parts.extend(v.value().split(['\n', '\r']).filter(|l| !l.is_empty()));
        }
        for p in parts {
            if !masked.contains(&p) {
                masked.push(p);
                let _ = writeln!(stdout, "::add-mask::{}", workflow_escape(p));
            }
        }
    }
    let mut env_file = Zeroizing::new(String::new());
    for v in vars {
        let delimiter = loop {
            let d = format!("ghadelimiter_{}", hex::encode(rand::random::<[u8; 16]>()));
            if !v.value().contains(&d) && !v.name.contains(&d) {
                break d;
            }
        };
        let _ = write!(
            env_file,
            "{}<<{delimiter}\n{}\n{delimiter}\n",
            v.name,
            v.value()
        );
    }
    Ok(Github { stdout, env_file })
}

/// The data escaping of GitHub workflow commands (what `@actions/core` does).
fn workflow_escape(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// POSIX single quotes: nothing is special inside them but `'`, written as `'\''`. bash, zsh
/// (even with `RC_QUOTES`), dash and ksh read every other byte literally, newlines included.
pub fn sh_quote(s: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(s.len() + 2));
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// fish: single quotes, in which only `\\` and `\'` are escapes; control characters go
/// outside the quotes as escapes, so every assignment stays on one line (line-oriented tools
/// and logs never see half an assignment).
pub fn fish_quote(s: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(s.len() + 2));
    let mut open = false;
    for c in s.chars() {
        if c.is_control() {
            if open {
                out.push('\'');
                open = false;
            }
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
            }
        } else {
            if !open {
                out.push('\'');
                open = true;
            }
            if matches!(c, '\\' | '\'') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    if open {
        out.push('\'');
    } else if s.is_empty() {
        out.push_str("''");
    }
    out
}

/// PowerShell single quotes: nothing is special but the quote, doubled. PowerShell also takes
/// the typographic single quotes (U+2018–U+201B) as quotes, so those are doubled too.
pub fn powershell_quote(s: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(s.len() + 2));
    out.push('\'');
    for c in s.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// dotenv: the first quoting that python-dotenv (whose default expands `${…}`) and docker
/// compose both read back exactly; `None` when there is none. Node's dotenv reads the first
/// two forms exactly too, except the escapes of the second.
///
/// 1. `'value'` when it has no `'`, `\` or control character: every token Baidu issues.
///    Nothing inside is special to any reader (compose does not expand single quotes).
/// 2. `"value"` with `\\`, `\"`, `\n`, `\r`, `\t` when it has no `$`: both readers decode
///    those escapes, and compose would expand a `$` in double quotes (and python-dotenv
///    would keep a `\$` as two characters).
/// 3. `'value'` with `\'` for `'` when it has no `\` and no carriage return: both read `\'` as
///    `'` and expand nothing else here (python-dotenv reads a raw carriage return as a
///    newline, and `\\` differently from compose).
///
/// `${` is refused outright: python-dotenv expands `${NAME}` in every quoting, escapes included.
pub fn dotenv_quote(s: &str) -> Option<Zeroizing<String>> {
    if s.contains("${") {
        return None;
    }
    let mut out = Zeroizing::new(String::with_capacity(s.len() + 2));
    if !s.chars().any(|c| c == '\'' || c == '\\' || c.is_control()) {
        out.push('\'');
        out.push_str(s);
        out.push('\'');
    } else if !s.contains('$') {
        out.push('"');
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c => out.push(c),
            }
        }
        out.push('"');
    } else if !s.contains(['\\', '\r']) {
        out.push('\'');
        for c in s.chars() {
            match c {
                '\'' => out.push_str("\\'"),
                c => out.push(c),
            }
        }
        out.push('\'');
    } else {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a'b\"c$(touch PWNED)`id`\nd\\e\u{1b}[31m é\t'";

    #[test]
    fn sh_quotes_table() {
        for (value, want) in [
            ("", "''"),
            ("plain", "'plain'"),
            ("it's", "'it'\\''s'"),
            ("'", "''\\'''"),
            ("$x `y`", "'$x `y`'"),
            ("a\nb", "'a\nb'"),
        ] {
            assert_eq!(*sh_quote(value), want, "{value:?}");
        }
    }

    #[test]
    fn fish_quotes_table() {
        for (value, want) in [
            ("", "''"),
            ("plain", "'plain'"),
            ("it's", "'it\\'s'"),
            ("a\\b", "'a\\\\b'"),
            ("a\nb", "'a'\\n'b'"),
            ("\n", "\\n"),
            ("x\u{1}", "'x'\\u0001"),
        ] {
            assert_eq!(*fish_quote(value), want, "{value:?}");
        }
    }

    #[test]
    fn powershell_and_dotenv_quotes_table() {
        assert_eq!(*powershell_quote("it's ‘x’"), "'it''s ‘‘x’’'");
        assert_eq!(*powershell_quote("$x`n"), "'$x`n'");
        let q = |s| dotenv_quote(s).map(|q| q.to_string());
        for (value, want) in [
            ("24.abc$x", Some("'24.abc$x'")),
            ("", Some("''")),
            ("it's \"x\"\n\\", Some("\"it's \\\"x\\\"\\n\\\\\"")),
            ("it's $x\n", Some("'it\\'s $x\n'")),
            ("${HOME}", None),
            ("$x \\", None),
            ("$x \r", None),
        ] {
            assert_eq!(q(value).as_deref(), want, "{value:?}");
        }
    }

    #[test]
    fn github_masks_secrets_and_picks_a_delimiter_not_in_the_value() {
        let vars = vec![
            Var::new("BAIDU_ACCESS_TOKEN", HOSTILE.into(), true),
            Var::new("BROKER_PROFILE", "p".into(), false),
        ];
        let g = github(&vars).unwrap();
        assert!(g.stdout.starts_with("::add-mask::a'b"));
        assert!(g.stdout.contains("%0A"));
        assert!(
            g.stdout
                .lines()
                .any(|l| l == "::add-mask::d\\e\u{1b}[31m é\t'")
        );
        assert!(!g.stdout.contains("::add-mask::p\n"));
        assert!(g.env_file.starts_with("BAIDU_ACCESS_TOKEN<<ghadelimiter_"));
    }

    #[test]
    fn a_nul_byte_is_refused() {
        let vars = vec![Var::new("X", "a\0b".into(), false)];
        assert_eq!(exports(Format::Sh, &vars).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn json_keeps_order_and_escapes() {
        let vars = vec![
            Var::new("B", HOSTILE.into(), true),
            Var::new("A", "x".into(), false),
        ];
        let out = exports(Format::Json, &vars).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["B"], HOSTILE);
        assert!(out.find("\"B\"").unwrap() < out.find("\"A\"").unwrap());
        assert_eq!(*exports(Format::Json, &[]).unwrap(), "{}\n");
    }

    #[test]
    fn unset_per_format() {
        let names = vec!["A".to_owned(), "B".to_owned()];
        assert_eq!(unset(Format::Sh, &names).unwrap(), "unset -v A B\n");
        assert_eq!(unset(Format::Fish, &names).unwrap(), "set -e A\nset -e B\n");
        assert_eq!(unset(Format::Json, &names).unwrap(), "[\"A\", \"B\"]\n");
        assert_eq!(unset(Format::Dotenv, &names).unwrap_err().exit_code(), 2);
        assert_eq!(unset(Format::Sh, &[]).unwrap(), "");
    }
}
