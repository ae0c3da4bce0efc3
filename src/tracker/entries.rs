//! What goes into the tracker and what comes out: an answer (total, window, run stamps), where
//! to start, and the batch of entries (lines, gaps, doubts, restarts) one answer adds.

/// Why the tracker discarded its idea of where it was in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartReason {
    /// The log started over: a new `started_at`, or a lower total holding lines newer than any
    /// shown (or, without timestamps, none of the lines shown where the total says they are).
    Reset,
    /// The total stopped describing the lines (a trimming server); lines are followed by content.
    Realigned,
}

impl RestartReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RestartReason::Reset => "reset",
            RestartReason::Realigned => "realigned",
        }
    }
}

/// What one snapshot adds to the stream, in output order.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry<T> {
    /// A line not shown before, with its 0-based position in the task's log. A line rewritten in
    /// place is shown again with its own index.
    Line {
        index: u64,
        item: T,
    },
    /// Lines that scrolled out of the window before they could be read; `None` when the count
    /// cannot be known.
    Gap {
        missed: Option<u64>,
    },
    /// The window could be read in more than one way (identical lines) and nothing decided
    /// between them: the lines that follow are those of the reading with the fewest new lines,
    /// and an unknown number of lines (possibly none) may have been missed.
    Ambiguous,
    Restart {
        reason: RestartReason,
    },
}

/// The result of one `ingest`.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch<T> {
    pub entries: Vec<Entry<T>>,
    /// New lines this snapshot revealed, shown or missed (unknown gaps count as a full window).
    pub growth: u64,
    /// A gap or a restart happened: the next request should ask for a full window.
    pub discontinuity: bool,
}

impl<T> Batch<T> {
    pub(super) fn new() -> Self {
        Batch {
            entries: Vec::new(),
            growth: 0,
            discontinuity: false,
        }
    }

    pub fn lines(&self) -> impl Iterator<Item = (u64, &T)> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Line { index, item } => Some((*index, item)),
            _ => None,
        })
    }
}

/// Where to start on the first snapshot.
#[derive(Debug, Clone, Copy, Default)]
pub struct Start {
    /// Show at most this many lines of the history the first snapshot holds.
    pub tail: Option<u64>,
    /// Lines before this index count as already shown (resuming an earlier run).
    pub from_index: Option<u64>,
}

/// What an answer says about the run besides its lines (seconds since the epoch).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stamps {
    pub started_at: Option<f64>,
    pub updated_at: Option<f64>,
}

/// One answer: the server's total (absent or impossible totals are `None`), its window (oldest
/// line first) and its stamps.
#[derive(Debug, Clone)]
pub struct Answer<T> {
    pub total: Option<u64>,
    pub window: Vec<T>,
    pub stamps: Stamps,
}
