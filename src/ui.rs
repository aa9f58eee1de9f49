//! Talking to people: messages on stderr (honouring `--quiet`, `-v` and `NO_COLOR`), data on
//! stdout, and plain aligned tables.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU8, Ordering};

use unicode_width::UnicodeWidthStr;

use crate::error::{Error, InternalError, Result};

const QUIET: u8 = 0;
const NORMAL: u8 = 1;

static LEVEL: AtomicU8 = AtomicU8::new(NORMAL);

/// `crate::eline!` that never panics: a message for a closed or broken stderr (`2>&-`,
/// `2>&1 >/dev/null | true`) is dropped, since there is nobody left to read it and the exit
/// code still tells. Use it instead of `crate::eline!` everywhere.
#[macro_export]
macro_rules! eline {
    ($($arg:tt)*) => {
        $crate::ui::stderr_line(format_args!($($arg)*))
    };
}

/// One line on stderr; a write error is ignored (see [`eline!`](crate::eline)).
pub fn stderr_line(args: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}

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
        crate::eline!("{}", msg.as_ref());
    }
}

pub fn is_quiet() -> bool {
    LEVEL.load(Ordering::Relaxed) == QUIET
}

/// A warning: stderr, unless `--quiet`.
pub fn warn(msg: impl AsRef<str>) {
    if LEVEL.load(Ordering::Relaxed) >= NORMAL {
        let label = crate::t!("ui-warning");
        crate::eline!(
            "{}{}",
            paint(&label, "33"),
            after_label(&label, msg.as_ref())
        );
    }
}

/// [`warn`], but once per `key` in this process (a file read many times by one command).
pub fn warn_once(key: &str, msg: impl AsRef<str>) {
    static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    if !seen.iter().any(|k| k == key) {
        seen.push(key.to_owned());
        drop(seen);
        warn(msg);
    }
}

/// Detail shown with `-v` (level 1) or `-vv` (level 2). Callers pass only redacted text.
pub fn debug(level: u8, msg: impl AsRef<str>) {
    if LEVEL.load(Ordering::Relaxed) > NORMAL + level.saturating_sub(1) {
        crate::eline!("{} {}", paint("debug:", "2"), msg.as_ref());
    }
}

/// The text after a label such as `warning:`: a space, unless the label ends with a
/// full-width colon (`警告：`), which has its space built in.
pub fn after_label(label: &str, text: &str) -> String {
    if label.ends_with('：') {
        text.to_owned()
    } else {
        format!(" {text}")
    }
}

/// Whether stderr is a terminal that may be coloured.
pub fn color() -> bool {
    std::env::var_os(crate::env_vars::NO_COLOR).is_none_or(|v| v.is_empty())
        && std::io::stderr().is_terminal()
}

fn paint(text: &str, code: &str) -> String {
    if color() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Where the token service and the hooks tell a person what happened: the terminal for the
/// command line ([`Stderr`]); a socket's reply or a log for another front end. Passed in, so
/// the core keeps no output of its own.
pub trait Messages: Send + Sync {
    /// A line a person should see (suppressed by `--quiet` on the terminal).
    fn say(&self, msg: String);
    /// A warning: something went wrong, but not the command.
    fn warn(&self, msg: String);
    /// Detail shown at verbosity `level` (`-v`, `-vv`).
    fn debug(&self, level: u8, msg: String);
    /// A passing note while waiting (`retrying… 2/5`), replaced by the next and gone at
    /// [`Messages::progress_done`]. Only a terminal shows it; others drop it.
    fn progress(&self, _msg: &str) {}
    /// Clears what [`Messages::progress`] showed.
    fn progress_done(&self) {}
}

/// [`Messages`] on broker's stderr, at the verbosity of the command line.
pub struct Stderr;

impl Messages for Stderr {
    fn say(&self, msg: String) {
        say(msg);
    }
    fn warn(&self, msg: String) {
        warn(msg);
    }
    fn debug(&self, level: u8, msg: String) {
        debug(level, msg);
    }
    fn progress(&self, msg: &str) {
        if LEVEL.load(Ordering::Relaxed) == NORMAL && std::io::stderr().is_terminal() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{msg}").and_then(|()| err.flush());
            PROGRESS_SHOWN.store(true, Ordering::Relaxed);
        }
    }
    fn progress_done(&self) {
        if PROGRESS_SHOWN.swap(false, Ordering::Relaxed) {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K").and_then(|()| err.flush());
        }
    }
}

/// Whether a progress line is on the terminal, to be cleared.
static PROGRESS_SHOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes data to stdout. A closed pipe (`broker token | head -c1`) ends the program quietly:
/// an [`Error::exit_with`] 0 that the caller returns, so nothing after it runs.
pub fn print(data: impl AsRef<str>) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(data.as_ref().as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Error::exit_with(0),
            _ => InternalError::Stdout {
                reason: crate::error::internal::io_reason(&e),
            }
            .into(),
        })
}

/// Whether stdout is a terminal that may be coloured: not with `NO_COLOR`, nor `TERM=dumb`,
/// nor into a pipe or file (data there must stay plain).
pub fn color_stdout() -> bool {
    std::env::var_os(crate::env_vars::NO_COLOR).is_none_or(|v| v.is_empty())
        && std::env::var_os(crate::env_vars::TERM).is_none_or(|t| t != "dumb")
        && std::io::stdout().is_terminal()
}

/// How wide stdout's lines may be: `COLUMNS` when set, else the terminal's width; `None`
/// (no limit) into a pipe or a file, where lines are for programs and are never wrapped.
pub fn width() -> Option<usize> {
    if let Some(n) = std::env::var(crate::env_vars::COLUMNS)
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return Some(n);
    }
    // A pseudo-terminal nobody sized says 0 columns: no limit then.
    terminal_size::terminal_size_of(std::io::stdout())
        .map(|(w, _)| usize::from(w.0))
        .filter(|w| *w > 0)
}

/// SGR codes for table cells.
pub mod style {
    pub const BOLD: &str = "1";
    pub const DIM: &str = "2";
    pub const RED: &str = "31";
    pub const GREEN: &str = "32";
    pub const YELLOW: &str = "33";
}

/// Aligned columns, for `profile list` and `status`.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    render_table(header, rows, None)
}

/// [`table`] with cells coloured by `paint(column, text)` (an SGR code, see [`style`]) and
/// a bold header, when stdout is a terminal that may be coloured; plain otherwise.
pub fn table_styled(
    header: &[&str],
    rows: &[Vec<String>],
    paint: impl Fn(usize, &str) -> Option<&'static str>,
) -> String {
    if color_stdout() {
        render_table(header, rows, Some(&paint))
    } else {
        render_table(header, rows, None)
    }
}

type Style<'a> = &'a dyn Fn(usize, &str) -> Option<&'static str>;

fn render_table(header: &[&str], rows: &[Vec<String>], paint: Option<Style>) -> String {
    // Display columns, not chars: a Chinese character takes two columns of a terminal.
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    // Widths come from the plain text; colour codes wrap each cell after padding is known.
    let line = |cells: Vec<&str>, code: &dyn Fn(usize, &str) -> Option<&'static str>| {
        let mut s = String::new();
        let last = cells.len().saturating_sub(1);
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = if i == last {
                String::new()
            } else {
                " ".repeat(w.saturating_sub(cell.width()) + 2)
            };
            match code(i, cell) {
                Some(c) if !cell.is_empty() => s.push_str(&format!("\x1b[{c}m{cell}\x1b[0m{pad}")),
                _ => s.push_str(&format!("{cell}{pad}")),
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let header_code = |_: usize, _: &str| paint.map(|_| style::BOLD);
    let cell_code = |i: usize, cell: &str| paint.and_then(|f| f(i, cell));
    let mut out = line(header.to_vec(), &header_code);
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect(), &cell_code));
    }
    out
}

/// "1 secret", "2 secrets": a count with the noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(super::count(0, "file", "files"), "0 files");
        assert_eq!(super::count(1, "file", "files"), "1 file");
        assert_eq!(super::count(2, "file", "files"), "2 files");
    }

    #[test]
    fn table_aligns_columns() {
        let t = super::table(&["A", "BB"], &[vec!["xxx".into(), "y".into()]]);
        assert_eq!(t, "A    BB\nxxx  y\n");
    }

    /// Chinese characters take two terminal columns each: counting chars misaligned every
    /// column after a Chinese cell.
    #[test]
    fn table_with_chinese_headers_aligns_in_display_columns() {
        use unicode_width::UnicodeWidthStr;
        let t = super::table(
            &["配置文件", "状态", "X"],
            &[
                vec!["prod".into(), "有效".into(), "1".into()],
                vec!["测试环境-长名字".into(), "ok".into(), "2".into()],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        // Each column starts at the same display column on every line.
        let starts = |line: &str| -> Vec<usize> {
            let mut starts = vec![0];
            let mut col = 0;
            let mut prev_space = false;
            for c in line.chars() {
                let space = c == ' ';
                if prev_space && !space {
                    starts.push(col);
                }
                col += c.to_string().width();
                prev_space = space;
            }
            starts
        };
        assert_eq!(starts(lines[0]), vec![0, 17, 23], "{t}");
        assert_eq!(starts(lines[1]), starts(lines[0]), "{t}");
        assert_eq!(starts(lines[2]), starts(lines[0]), "{t}");
        assert_eq!(lines[0].width(), 24);
    }

    #[test]
    fn coloured_cells_keep_the_plain_alignment() {
        let paint = |col: usize, _: &str| (col == 0).then_some(super::style::RED);
        let t = super::render_table(
            &["A", "BB"],
            &[vec!["xxx".into(), "y".into()], vec!["".into(), "z".into()]],
            Some(&paint),
        );
        assert_eq!(
            t,
            "\x1b[1mA\x1b[0m    \x1b[1mBB\x1b[0m\n\x1b[31mxxx\x1b[0m  y\n     z\n"
        );
    }
}
