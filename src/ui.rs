//! Talking to people: messages on stderr (honouring `--quiet`, `-v` and `NO_COLOR`), data on
//! stdout, and plain aligned tables.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU8, Ordering};

const QUIET: u8 = 0;
const NORMAL: u8 = 1;

static LEVEL: AtomicU8 = AtomicU8::new(NORMAL);

/// Sets how much goes to stderr: `--quiet` wins, then each `-v` adds one level.
pub fn set_verbosity(quiet: bool, verbose: u8) {
    let level = if quiet {
        QUIET
    } else {
        NORMAL.saturating_add(verbose)
    };
    LEVEL.store(level, Ordering::Relaxed);
}

/// A message for the person running broker (not data): stderr, unless `--quiet`.
pub fn say(msg: impl AsRef<str>) {
    if LEVEL.load(Ordering::Relaxed) >= NORMAL {
        eprintln!("{}", msg.as_ref());
    }
}

pub fn is_quiet() -> bool {
    LEVEL.load(Ordering::Relaxed) == QUIET
}

/// A warning: stderr, unless `--quiet`.
pub fn warn(msg: impl AsRef<str>) {
    if LEVEL.load(Ordering::Relaxed) >= NORMAL {
        eprintln!("{} {}", paint("warning:", "33"), msg.as_ref());
    }
}

/// Detail shown with `-v` (level 1) or `-vv` (level 2). Callers pass only redacted text.
pub fn debug(level: u8, msg: impl AsRef<str>) {
    if LEVEL.load(Ordering::Relaxed) > NORMAL + level.saturating_sub(1) {
        eprintln!("{} {}", paint("debug:", "2"), msg.as_ref());
    }
}

/// Whether stderr is a terminal that may be coloured.
pub fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn paint(text: &str, code: &str) -> String {
    if color() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Writes data to stdout. A closed pipe (`broker token | head -c1`) ends the program quietly.
pub fn print(data: impl AsRef<str>) {
    let mut out = std::io::stdout().lock();
    let result = out
        .write_all(data.as_ref().as_bytes())
        .and_then(|()| out.flush());
    if let Err(e) = result {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

/// Aligned columns, for `profile list` and `status` on a terminal.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  "));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_aligns_columns() {
        let t = super::table(&["A", "BB"], &[vec!["xxx".into(), "y".into()]]);
        assert_eq!(t, "A    BB\nxxx  y\n");
    }
}
