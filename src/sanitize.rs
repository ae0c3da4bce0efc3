//! Text from the server is untrusted: before it reaches a terminal, every character that could
//! move the cursor, rewrite the screen, ring the bell, set the clipboard (OSC 52) or reorder what
//! is shown (bidi controls) is written as a visible escape instead.

use std::fmt::Write;

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Should this character be shown escaped rather than written? Decided by its Unicode general
/// category (from the `unicode-properties` tables, not a hand-kept list): controls (Cc, but
/// tab), format characters (Cf: bidi controls, zero-width and invisible characters, tags),
/// line and paragraph separators (Zl, Zp), and private-use and unassigned code points (Co, Cn),
/// which a terminal may draw as anything or nothing.
pub fn is_unsafe(c: char) -> bool {
    // Most text is ASCII, where only the controls are unsafe: no table lookup for it (the
    // test `ascii_takes_the_short_way_to_the_same_answer` checks it against the categories).
    if c.is_ascii() {
        return c.is_ascii_control() && c != '\t';
    }
    unsafe_category(c)
}

/// [`is_unsafe`] by the Unicode general category alone.
fn unsafe_category(c: char) -> bool {
    match c.general_category() {
        GeneralCategory::Control => c != '\t',
        GeneralCategory::Format
        | GeneralCategory::LineSeparator
        | GeneralCategory::ParagraphSeparator
        | GeneralCategory::PrivateUse
        | GeneralCategory::Unassigned
        | GeneralCategory::Surrogate => true,
        _ => false,
    }
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

/// A regex's error in a few words: its reason, without the pattern it restates (which may be
/// any length).
pub fn regex_error(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(|reason| excerpt(reason.as_bytes(), 200))
        .unwrap_or_else(|| excerpt(text.as_bytes(), 200))
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

// GitHub Actions reads commands from any stdout line: server text is made inert (see
// `render/github.rs`, which writes the commands themselves).
/// Text that may hold server text made inert to the runner, line by line: a line whose first
/// non-blank characters are `::` gets its first `:` written as `\x3a`, and `##[` is written
/// `#\x23[` (the visible escapes `sanitize` uses). Expects text already sanitised.
pub fn inert(text: &str) -> String {
    if !text.contains("::") && !text.contains("##[") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        let line = if trimmed.starts_with("::") {
            let blank = line.len() - trimmed.len();
            format!("{}\\x3a{}", &line[..blank], &trimmed[1..])
        } else {
            line.to_string()
        };
        out.push_str(&line.replace("##[", "#\\x23["));
    }
    out
}

/// JSON records for GitHub: `##[` inside a string is written `##\u005b` (the same string to
/// any JSON reader, no command to the runner); a record line starts with `{`.
pub fn inert_json(line: &str) -> String {
    line.replace("##[", "##\\u005b")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_takes_the_short_way_to_the_same_answer() {
        for c in (0u8..=127).map(char::from) {
            assert_eq!(is_unsafe(c), unsafe_category(c), "{c:?}");
        }
    }

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
    fn invisible_and_bidi_characters_are_escaped_by_category() {
        for c in [
            '\u{061c}',
            '\u{00ad}',
            '\u{180e}',
            '\u{206a}',
            '\u{206f}',
            '\u{fff9}',
            '\u{fffb}',
            '\u{e0001}',
            '\u{e0041}',
            '\u{e007f}',
            '\u{1d173}',
            '\u{1d17a}',
            '\u{2028}',
            '\u{2029}',
            '\u{e000}',
            '\u{10ffff}',
            '\u{e0000}',
        ] {
            assert!(is_unsafe(c), "{:x}", c as u32);
            let escaped = match c as u32 {
                n if n < 0x100 => format!("\\x{n:02x}"),
                n => format!("\\u{{{n:x}}}"),
            };
            assert_eq!(line(&format!("a{c}b")), format!("a{escaped}b"));
        }
        for c in ['a', ' ', '\t', 'é', '✓', '漢', '😀', '\u{fe0f}', '\u{0301}'] {
            assert!(!is_unsafe(c), "{:x}", c as u32);
        }
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
