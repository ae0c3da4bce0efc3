//! How each outcome is said to a person, in one table: in the summary's sentence (`t1 finished
//! after 2.5s`, coloured) and in a cell of a table, a notification or a report (`never seen`,
//! `API error`). The names that JSON, hooks and the archive carry (`not_seen`, `api_error`) are
//! identifiers, not words: they stay with the exit codes in `crate::outcome`.

use colored::Colorize;

use crate::outcome::Outcome;

/// How an outcome reads in a sentence.
#[derive(Clone, Copy)]
enum Tone {
    Good,
    Notice,
    Bad,
    Plain,
}

/// The sentence form, the short form, and the sentence's colour.
fn words(outcome: Outcome) -> (&'static str, &'static str, Tone) {
    match outcome {
        Outcome::Finished => ("finished", "finished", Tone::Good),
        Outcome::Failed => ("failed", "failed", Tone::Bad),
        Outcome::NotSeen => ("was not processing", "never seen", Tone::Notice),
        Outcome::TimedOut => ("timed out", "timed out", Tone::Bad),
        Outcome::AuthError => ("could not authenticate", "auth rejected", Tone::Bad),
        Outcome::ApiError => ("could not be followed", "API error", Tone::Bad),
        Outcome::Interrupted => ("interrupted", "interrupted", Tone::Notice),
        Outcome::Internal => ("stopped on an internal error", "internal error", Tone::Bad),
        // A run's outcomes, never one task's end: their sentences are their names.
        Outcome::OutputFailed => ("output_failed", "output failed", Tone::Plain),
        Outcome::Usage => ("usage_error", "usage error", Tone::Plain),
        Outcome::Error => ("error", "error", Tone::Plain),
    }
}

/// The outcome in the summary's sentence, coloured: `finished`, `was not processing`.
pub fn sentence(outcome: Outcome) -> String {
    let (said, _, tone) = words(outcome);
    match tone {
        Tone::Good => said.green().to_string(),
        Tone::Notice => said.yellow().to_string(),
        Tone::Bad => said.red().to_string(),
        Tone::Plain => said.to_string(),
    }
}

/// The outcome in a table cell, a notification, an annotation or a report: `never seen`.
pub fn short(outcome: Outcome) -> &'static str {
    words(outcome).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_has_words_of_its_own() {
        colored::control::set_override(false);
        for o in Outcome::BY_SEVERITY {
            assert!(!short(o).is_empty() && !sentence(o).is_empty(), "{o:?}");
            let others = Outcome::BY_SEVERITY
                .iter()
                .filter(|p| short(**p) == short(o));
            assert_eq!(others.count(), 1, "{o:?}");
        }
        assert_eq!(sentence(Outcome::NotSeen), "was not processing");
        assert_eq!(short(Outcome::ApiError), "API error");
    }
}
