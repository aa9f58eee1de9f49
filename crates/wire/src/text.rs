//! Text from outside (a server body, a file name, a request parameter) made safe to echo.

/// Makes text from outside (a server body, a file name, a user string) safe to echo:
/// control characters escaped and the length capped, so a hostile value can neither
/// forge extra terminal lines nor flood the log.
pub fn sanitize(s: &str) -> String {
    // The cap is on what is shown, escapes included, so 200 escaped bytes cannot become 2000.
    const MAX: usize = 200;
    let mut out = String::new();
    let mut shown = 0;
    for c in s.chars() {
        let escaped = is_unsafe_to_echo(c).then(|| c.escape_default());
        let width = escaped.clone().map_or(1, |e| e.count());
        if shown + width > MAX {
            out.push('…');
            break;
        }
        shown += width;
        match escaped {
            Some(e) => out.extend(e),
            None => out.push(c),
        }
    }
    out
}

/// Control characters, and the invisible ones that let text lie about how it reads:
/// bidirectional overrides and isolates, zero-width characters, the byte-order mark.
pub fn is_unsafe_to_echo(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_escapes_controls_and_caps_length() {
        assert_eq!(sanitize("a\nb\x1b[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(sanitize(&"x".repeat(500)).chars().count(), 201);
        assert!(sanitize(&"\x1b".repeat(500)).chars().count() <= 201);
        // A right-to-left override would make `gnp.exe` read as `exe.png`.
        assert_eq!(sanitize("a\u{202e}b\u{200b}"), "a\\u{202e}b\\u{200b}");
    }
}
