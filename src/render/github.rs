//! GitHub Actions: the workflow commands taskwatch writes (groups, annotations, the pause of
//! command processing around server text), the step summary in Markdown, and the rule that
//! text from the server can never issue a command of its own.
//!
//! The runner reads a command from a line that starts (after spaces) with `::name…::`, and
//! from `##[name…]` anywhere in a line (the old form). Two defences: while taskwatch runs,
//! command processing is stopped (`::stop-commands::TOKEN`, the token random and unknown to
//! the server) and resumed only around taskwatch's own commands; and every line that carries
//! server text is made inert anyway ([`inert`]), so that it stays inert if it is read without
//! the pause (a log viewer, another runner).

use std::hash::{BuildHasher, Hasher};

use super::outcomes;
use super::{duration, label};
use crate::events::{End, Followed, Report};
use crate::sanitize;
use crate::secret::{Scrubber, Secret};

/// GitHub shows at most this many annotations of each kind for a step.
pub const ANNOTATIONS_PER_KIND: u32 = 10;

/// A token nobody can guess (the server must not be able to end the pause): 128 bits from the
/// standard library's randomly keyed hasher (keys from the operating system).
pub fn stop_token() -> String {
    let half = || {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.finish()
    };
    format!("taskwatch-{:016x}{:016x}", half(), half())
}

/// `::stop-commands::TOKEN`: the runner executes nothing until `::TOKEN::`.
pub fn stop(token: &str) -> String {
    format!("::stop-commands::{token}\n")
}

/// Resumes command processing.
pub fn resume(token: &str) -> String {
    format!("::{token}::\n")
}

pub use crate::sanitize::{inert, inert_json};

/// A command's data: `%`, CR and LF escaped as the runner expects.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: also `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The title of a task's group: `taskwatch ID (@profile)`, escaped.
pub fn task_title(task: &Followed) -> String {
    let id = sanitize::line(&task.id);
    match &task.profile {
        Some(p) => format!("taskwatch {id} (@{})", sanitize::line(p)),
        None => format!("taskwatch {id}"),
    }
}

pub fn group(title: &str) -> String {
    format!("::group::{}\n", data(&inert(title)))
}

pub const END_GROUP: &str = "::endgroup::\n";

/// The kinds of annotation taskwatch writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Error,
    Warning,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Error => "error",
            Kind::Warning => "warning",
        }
    }
}

/// `::error title=…::message`; both escaped for the runner (already scrubbed and sanitised).
pub fn annotation(kind: Kind, title: &str, message: &str) -> String {
    format!(
        "::{} title={}::{}\n",
        kind.name(),
        property(title),
        data(message)
    )
}

/// What is said once the cap was reached.
pub fn more(kind: Kind, n: u32) -> String {
    let what = match kind {
        Kind::Error => "error",
        Kind::Warning => "warning",
    };
    let plural = if n == 1 { "" } else { "s" };
    annotation(
        kind,
        "taskwatch",
        &format!(
            "{n} more {what}{plural} not annotated (GitHub shows {ANNOTATIONS_PER_KIND} of each kind); see the log"
        ),
    )
}

/// The error annotation's words for an end, if the end deserves one; `detail` is the worded,
/// cleaned reason (see `summary::detail`).
pub fn error_words(end: &End, detail: Option<&str>) -> Option<String> {
    let outcome = outcomes::short(end.outcome());
    match end {
        End::FailOn { .. } | End::FailedStatus { .. } => detail.map(str::to_string),
        End::TimedOut => Some("timed out (--timeout) while the task was still processing".into()),
        End::Api(_) | End::GaveUp { .. } | End::TriggerFailed(_) | End::Internal => {
            Some(match detail {
                Some(d) => format!("{outcome}: {d}"),
                None => outcome.to_string(),
            })
        }
        End::Finished | End::NotSeen | End::Interrupted => None,
    }
}

/// Markdown-escaped text for a table cell (or a line): sanitised, every ASCII punctuation
/// character backslash-escaped, so nothing in it is markup, HTML or a cell boundary.
pub fn markdown(text: &str) -> String {
    let clean = sanitize::line(text);
    let mut out = String::with_capacity(clean.len() + 8);
    for c in clean.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The step summary: a table of the tasks and, for each failed one, why (the matching line).
pub fn step_summary(tasks: &[Followed], reports: &[Report], secrets: &[Secret]) -> String {
    let scrubber = Scrubber::new(secrets);
    // Secrets masked; `markdown` escapes.
    let clean = |t: &str| scrubber.scrub(t);
    let mut out = String::from("### taskwatch\n\n");
    out.push_str("| task | profile | outcome | duration | lines | missed | last progress |\n");
    out.push_str("|---|---|---|---:|---:|---:|---|\n");
    for r in reports {
        let task = tasks.get(r.task);
        let id = task.map_or_else(|| "?".to_string(), |t| markdown(&clean(&t.id)));
        let profile = task
            .and_then(|t| t.profile.as_deref())
            .map_or_else(|| "".to_string(), |p| markdown(&format!("@{}", clean(p))));
        let progress = r.progress.as_ref().map_or_else(String::new, |p| {
            markdown(&super::progress::fraction(p, &scrubber.clean(&p.label)))
        });
        out.push_str(&format!(
            "| {id} | {profile} | {} | {} | {} | {} | {progress} |\n",
            outcomes::short(r.outcome()),
            markdown(&duration(r.elapsed)),
            r.lines,
            r.missed,
        ));
    }
    for r in reports {
        let Some(detail) = super::summary::detail(&r.end) else {
            continue;
        };
        let name = tasks.get(r.task).map_or_else(|| "?".into(), label);
        out.push_str(&format!(
            "\n**{}** {}: {}\n",
            markdown(&clean(&name)),
            outcomes::short(r.outcome()),
            markdown(&clean(&detail))
        ));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_cannot_be_a_command() {
        assert_eq!(inert("  ::add-mask::x"), "  \\x3a:add-mask::x");
        assert_eq!(
            inert("a\n::set-output name=a::b"),
            "a\n\\x3a:set-output name=a::b"
        );
        assert_eq!(inert("x ##[error]boom"), "x #\\x23[error]boom");
        assert_eq!(inert("std::io::Error"), "std::io::Error");
        assert_eq!(
            inert_json(r###"{"m":"##[w"}"###),
            r###"{"m":"##\u005bw"}"###
        );
        let v: serde_json::Value =
            serde_json::from_str(&inert_json(r###"{"m":"##[x"}"###)).unwrap();
        assert_eq!(v["m"], "##[x");
    }

    #[test]
    fn command_data_is_escaped() {
        assert_eq!(
            annotation(Kind::Error, "a:b,c", "50%\nnext"),
            "::error title=a%3Ab%2Cc::50%25%0Anext\n"
        );
        assert_eq!(markdown("a|b *c* <i>"), "a\\|b \\*c\\* \\<i\\>");
        assert_ne!(stop_token(), stop_token());
    }
}
