//! How a run ended, and the exit-code table with its severity order. Nothing else decides an
//! exit code: commands return an `Outcome`, `main` turns it into the process's exit code.

/// The end of one watched task, or of a whole command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Seen processing, then not; for other commands: done.
    Finished,
    /// A `--fail-on` line matched, or the server reported a failed status.
    Failed,
    /// Something on this machine went wrong: a file could not be written, a port was taken.
    Error,
    /// A command-line or settings error (clap uses the same code).
    Usage,
    /// Never seen processing: finished before the first poll, or an unknown id.
    NotSeen,
    /// `--timeout` passed while the task was still processing.
    TimedOut,
    /// The server rejected the credentials (401/403).
    AuthError,
    /// The server could not be reached or used, past the retry budget.
    ApiError,
    /// A bug: a part of taskwatch stopped unexpectedly (a panicking poller).
    Internal,
    /// Output could not be written (a full disk, an I/O error); a closed pipe is not this.
    OutputFailed,
    /// Ctrl-C or SIGTERM.
    Interrupted,
}

impl Outcome {
    /// Every outcome, most severe first.
    pub const BY_SEVERITY: [Outcome; 11] = [
        Outcome::Interrupted,
        Outcome::OutputFailed,
        Outcome::Internal,
        Outcome::ApiError,
        Outcome::AuthError,
        Outcome::TimedOut,
        Outcome::Usage,
        Outcome::Error,
        Outcome::Failed,
        Outcome::NotSeen,
        Outcome::Finished,
    ];

    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Finished => 0,
            Outcome::Failed | Outcome::Error => 1,
            Outcome::Usage => 2,
            Outcome::NotSeen => 3,
            Outcome::AuthError => 4,
            Outcome::ApiError => 5,
            Outcome::Internal => 70,
            Outcome::OutputFailed => 74,
            Outcome::TimedOut => 124,
            Outcome::Interrupted => 130,
        }
    }

    /// The name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Finished => "finished",
            Outcome::Failed => "failed",
            Outcome::Error => "error",
            Outcome::Usage => "usage_error",
            Outcome::NotSeen => "not_seen",
            Outcome::TimedOut => "timed_out",
            Outcome::AuthError => "auth_error",
            Outcome::ApiError => "api_error",
            Outcome::Internal => "internal_error",
            Outcome::OutputFailed => "output_failed",
            Outcome::Interrupted => "interrupted",
        }
    }

    fn severity(self) -> usize {
        Outcome::BY_SEVERITY.len()
            - Outcome::BY_SEVERITY
                .iter()
                .position(|o| *o == self)
                .unwrap_or(0)
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
    fn severity_order() {
        let codes: Vec<u8> = Outcome::BY_SEVERITY.iter().map(|o| o.exit_code()).collect();
        assert_eq!(codes, vec![130, 74, 70, 5, 4, 124, 2, 1, 1, 3, 0]);
        let order = Outcome::BY_SEVERITY;
        for (i, hi) in order.iter().enumerate() {
            for lo in &order[i..] {
                assert_eq!(Outcome::worst([*lo, *hi]), *hi);
                assert_eq!(Outcome::worst([*hi, *lo]), *hi);
            }
        }
        assert_eq!(Outcome::worst([]), Finished);
        assert_eq!(Outcome::worst([NotSeen, Failed, Finished]), Failed);
    }
}
