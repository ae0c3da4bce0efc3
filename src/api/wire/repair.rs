//! Reading a body that is not quite JSON: invalid UTF-8, lone UTF-16 surrogate escapes,
//! Python's `NaN`/`Infinity` literals and numbers beyond an f64 are each replaced, so that one bad
//! value does not lose the whole answer.

/// Parses a response body. Invalid UTF-8 and unpaired UTF-16 surrogate escapes (which Python's
/// `json.dumps` can produce) become U+FFFD, the `NaN`, `Infinity` and `-Infinity` literals it
/// writes by default (so Flask's `jsonify` too) become `null`, and so do numbers beyond what an
/// f64 holds (`1e400`, a 400-digit integer: valid JSON): a field that needs the number treats it
/// as absent, and the rest of the answer is used instead of failing the whole response.
pub fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    let text = String::from_utf8_lossy(body);
    match serde_json::from_str(&text) {
        Err(e) if e.is_syntax() => {
            let mut fixed = std::borrow::Cow::Borrowed(text.as_ref());
            if fixed.contains("\\u") {
                fixed = replace_lone_surrogates(&fixed).into();
            }
            if fixed.contains("NaN") || fixed.contains("Infinity") {
                fixed = replace_non_finite(&fixed).into();
            }
            if e.to_string().contains("number out of range") {
                fixed = replace_huge_numbers(&fixed).into();
            }
            match fixed {
                std::borrow::Cow::Borrowed(_) => Err(e),
                std::borrow::Cow::Owned(json) => serde_json::from_str(&json),
            }
        }
        result => result,
    }
}

/// Rewrites the `NaN`, `Infinity` and `-Infinity` literals outside strings as `null`.
fn replace_non_finite(json: &str) -> String {
    rewrite_outside_strings(json, |rest| {
        ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|w| rest.starts_with(w))
            .map(|word| (word.len(), "null"))
    })
}

/// Rewrites the number literals outside strings that no f64 holds as `null`.
fn replace_huge_numbers(json: &str) -> String {
    rewrite_outside_strings(json, |rest| {
        if !rest.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            return None;
        }
        let len = rest
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
            .unwrap_or(rest.len());
        let literal = &rest[..len];
        let huge = literal.parse::<f64>().is_ok_and(|f| !f.is_finite());
        Some((len, if huge { "null" } else { literal }))
    })
}

/// Copies `json`, letting `at` replace what starts at each place outside strings: it returns
/// how many bytes it consumed and what to write instead.
fn rewrite_outside_strings<'a>(
    json: &'a str,
    at: impl Fn(&'a str) -> Option<(usize, &'a str)>,
) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut rest = json;
    while let Some(c) = rest.chars().next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if let Some((len, with)) = at(rest) {
            out.push_str(with);
            rest = &rest[len..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Rewrites `\uD800`-style escapes that are not part of a surrogate pair as `\uFFFD`.
fn replace_lone_surrogates(json: &str) -> String {
    let hex = |s: &str| -> Option<u32> {
        s.get(..4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    let mut out = String::with_capacity(json.len());
    let mut rest = json;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(code) = rest.strip_prefix("\\u").and_then(hex) else {
            // Another escape (or a lone backslash): copy it and the character it escapes.
            let len = rest[1..].chars().next().map_or(1, |c| 1 + c.len_utf8());
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        };
        let low = rest
            .get(6..)
            .and_then(|r| r.strip_prefix("\\u"))
            .and_then(hex);
        match code {
            0xD800..=0xDBFF if matches!(low, Some(0xDC00..=0xDFFF)) => {
                out.push_str(&rest[..12]);
                rest = &rest[12..];
            }
            0xD800..=0xDFFF => {
                out.push_str("\\ufffd");
                rest = &rest[6..];
            }
            _ => {
                out.push_str(&rest[..6]);
                rest = &rest[6..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::wire::{Envelope, TaskStatus};
    use serde_json::Value;

    #[test]
    fn numbers_beyond_f64_are_absent_not_a_broken_answer() {
        let digits = "9".repeat(400);
        let body = format!(
            r#"{{"result": true, "response": {{"is_processing": true, "started_at": 1e400,
            "updated_at": -{digits}, "logs_count": 2, "extra": [1e999, "1e400 in text"], "logs": [
            {{"timestamp": {digits}, "message": "a"}}, {{"timestamp": 5, "message": "b", "n": 1E+400}}]}}}}"#
        );
        let s: Envelope<TaskStatus> = super::parse(body.as_bytes()).unwrap();
        let s = s.response.unwrap();
        assert_eq!(s.started_at, None);
        assert_eq!(s.updated_at, None);
        let (lines, total) = s.window();
        assert_eq!(total, 2);
        assert_eq!(lines[0].epoch_seconds(), None);
        assert_eq!(lines[0].message, "a");
        assert_eq!(lines[1].message, "b");
        assert!(
            replace_huge_numbers(r#"["1e400", 1e400, -2.5e3]"#) == r#"["1e400", null, -2.5e3]"#
        );
    }

    #[test]
    fn bad_text_is_replaced_not_fatal() {
        let body = b"{\"response\": {\"is_processing\": true, \"logs\": [{\"message\": \"a\\ud800b \\ud83d\\ude00 \\\\ud800 \xff\"}]}}";
        let env: Envelope<TaskStatus> = super::parse(body).unwrap();
        let line = &env.response.unwrap().window().0[0];
        assert_eq!(line.message, "a\u{fffd}b \u{1f600} \\ud800 \u{fffd}");
    }

    #[test]
    fn non_finite_numbers_are_null_not_fatal() {
        let body = br#"{"result": true, "response": {"is_processing": true, "started_at": NaN,
            "updated_at": Infinity, "logs_count": 3, "logs": [
            {"timestamp": -Infinity, "message": "NaN and Infinity stay in text"},
            {"timestamp": NaN, "message": "b", "score": [NaN, 1.5]},
            {"timestamp": 1703123456, "message": "c \"NaN\""}]}}"#;
        let env: Envelope<TaskStatus> = super::parse(body).unwrap();
        let s = env.response.unwrap();
        assert_eq!(s.started_at, None);
        let (lines, total) = s.window();
        assert_eq!(total, 3);
        assert_eq!(lines[0].message, "NaN and Infinity stay in text");
        assert_eq!(lines[0].timestamp, Some(Value::Null));
        assert_eq!(lines[2].message, "c \"NaN\"");
        assert!(super::parse::<Value>(b"{\"a\": NaNa}").is_err());
    }
}
