//! How a task ended, and the exit-code table. Nothing else decides an exit code.

/// The end of one watched task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Seen processing, then not.
    Finished,
    /// A `--fail-on` line matched, or the server reported a failed status.
    Failed,
    /// Never seen processing: finished before the first poll, or an unknown id.
    NotSeen,
    /// `--timeout` passed while the task was still processing.
    TimedOut,
    /// The server rejected the credentials (401/403).
    AuthError,
    /// The server could not be reached or used, past the retry budget.
    ApiError,
    /// Ctrl-C or SIGTERM.
    Interrupted,
}

/// Exit code for a command-line usage error (clap uses the same).
pub const USAGE: u8 = 2;

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Finished => 0,
            Outcome::Failed => 1,
            Outcome::NotSeen => 3,
            Outcome::AuthError => 4,
            Outcome::ApiError => 5,
            Outcome::TimedOut => 124,
            Outcome::Interrupted => 130,
        }
    }

    /// The name used in JSON output and summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Finished => "finished",
            Outcome::Failed => "failed",
            Outcome::NotSeen => "not_seen",
            Outcome::TimedOut => "timed_out",
            Outcome::AuthError => "auth_error",
            Outcome::ApiError => "api_error",
            Outcome::Interrupted => "interrupted",
        }
    }

    /// With several tasks, the most severe outcome decides the exit code:
    /// 130, 5, 4, 124, 1, 3, 0.
    fn severity(self) -> u8 {
        match self {
            Outcome::Finished => 0,
            Outcome::NotSeen => 1,
            Outcome::Failed => 2,
            Outcome::TimedOut => 3,
            Outcome::AuthError => 4,
            Outcome::ApiError => 5,
            Outcome::Interrupted => 6,
        }
    }

    /// The most severe of several outcomes (`Finished` for none).
    pub fn worst(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
        outcomes
            .into_iter()
            .max_by_key(|o| o.severity())
            .unwrap_or(Outcome::Finished)
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome::*;
    use super::*;

    #[test]
    fn severity_order_is_130_5_4_124_1_3_0() {
        let order = [
            Interrupted,
            ApiError,
            AuthError,
            TimedOut,
            Failed,
            NotSeen,
            Finished,
        ];
        let codes: Vec<u8> = order.iter().map(|o| o.exit_code()).collect();
        assert_eq!(codes, vec![130, 5, 4, 124, 1, 3, 0]);
        for (i, hi) in order.iter().enumerate() {
            for lo in &order[i..] {
                assert_eq!(Outcome::worst([*lo, *hi]), *hi);
                assert_eq!(Outcome::worst([*hi, *lo]), *hi);
            }
        }
        assert_eq!(Outcome::worst([]), Finished);
    }
}
