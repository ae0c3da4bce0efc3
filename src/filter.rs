//! `--include` and `--exclude`: which log lines are shown. Hidden lines still count for
//! everything else (the exactly-once tracker, `--fail-on`, progress, the exit code).

use regex::Regex;

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A line is shown if any of these matches (all lines when there are none).
    pub include: Vec<Regex>,
    /// A line that matches any of these is hidden, whatever `include` says.
    pub exclude: Vec<Regex>,
}

impl Filter {
    /// Whether a line with this message is shown.
    pub fn shows(&self, message: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|re| re.is_match(message)))
            && !self.exclude.iter().any(|re| re.is_match(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(s: &str) -> Regex {
        Regex::new(s).unwrap()
    }

    #[test]
    fn include_any_exclude_wins() {
        let none = Filter::default();
        assert!(none.shows("anything"));
        let f = Filter {
            include: vec![re("^Processing"), re("ERROR")],
            exclude: vec![re("post 2/")],
        };
        assert!(f.shows("Processing post 1/4"));
        assert!(f.shows("ERROR: boom"));
        assert!(!f.shows("Stored comment batch 3/9"));
        assert!(!f.shows("Processing post 2/4"));
        let only_exclude = Filter {
            include: vec![],
            exclude: vec![re("batch")],
        };
        assert!(only_exclude.shows("Processing post 1/4"));
        assert!(!only_exclude.shows("Stored comment batch 3/9"));
    }
}
