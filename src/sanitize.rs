//! Text from the server is untrusted: before it reaches a terminal, every character that could
//! move the cursor, rewrite the screen, ring the bell, set the clipboard (OSC 52) or reorder what
//! is shown (bidi controls) is written as a visible escape instead.

use std::fmt::Write;

/// Should this character be shown escaped rather than written?
fn is_unsafe(c: char) -> bool {
    c.is_control() && c != '\t'
        || matches!(c,
            // zero-width space, joiners and bidi marks
            '\u{200b}'..='\u{200f}'
            // bidi embeddings, overrides and isolates
            | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            // line and paragraph separators, invisible operators, byte-order mark
            | '\u{2028}' | '\u{2029}' | '\u{2060}'..='\u{2064}' | '\u{feff}'
        )
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '\r' => out.push_str("\\r"),
        '\u{1b}' => out.push_str("\\e"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// One line of untrusted text made safe to print; newlines are escaped too.
pub fn line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Untrusted text split into its lines (on `\n` and `\r\n`), each made safe to print.
pub fn lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|l| line(l.strip_suffix('\r').unwrap_or(l)))
        .collect()
}

/// A short, single-line excerpt of a response body for error messages.
pub fn excerpt(body: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let collapsed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    let mut chars = collapsed.chars();
    for c in chars.by_ref().take(max_chars) {
        if is_unsafe(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(line("a\u{1b}[31mred"), "a\\e[31mred");
        assert_eq!(line("\u{1b}]52;c;ZXZpbA==\u{7}"), "\\e]52;c;ZXZpbA==\\x07");
        assert_eq!(line("50%\rdone"), "50%\\rdone");
        assert_eq!(line("a\u{8}b"), "a\\x08b");
        assert_eq!(line("\u{9b}2J"), "\\x9b2J");
        assert_eq!(line("abc\u{202e}gpj.exe"), "abc\\u{202e}gpj.exe");
        assert_eq!(line("a\u{200d}b\u{2066}c"), "a\\u{200d}b\\u{2066}c");
        assert_eq!(line("tab\tstays"), "tab\tstays");
        assert_eq!(line("ünïcödé ✓ 漢字"), "ünïcödé ✓ 漢字");
    }

    #[test]
    fn splits_lines() {
        assert_eq!(lines("one\r\ntwo\nthree"), vec!["one", "two", "three"]);
    }

    #[test]
    fn excerpts_are_short_and_flat() {
        let body = b"<html>\n  <body>\x1b[2J Bad   Gateway</body></html>";
        assert_eq!(excerpt(body, 20), "<html> <body>\\e[2J Ba…");
        assert_eq!(excerpt(b"\xff\xfeok", 10), "\u{fffd}\u{fffd}ok");
    }
}
