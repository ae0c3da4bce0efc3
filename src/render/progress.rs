//! The live status lines on stderr, for a person at a terminal only: one per task (up to
//! `MAX_LINES`), else one line for all of them; and what each line says.

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// More tasks than this share one status line.
pub const MAX_LINES: usize = 8;

/// What a task's status line says: id, lines so far, lines a second (once seen), any retry.
pub fn task_status(
    id: &str,
    lines: u64,
    ended: bool,
    retry: Option<&str>,
    rate: Option<f64>,
) -> String {
    match (retry, rate) {
        _ if ended => format!("{id} · {lines} lines · ended"),
        (Some(retry), _) => format!("{id} · {lines} lines · {retry}"),
        (None, None) => format!("{id} · waiting for the task to be processing"),
        (None, Some(rate)) => format!("{id} · {lines} lines · {rate:.1} lines/s"),
    }
}

/// The one status line shared by many tasks.
pub fn overall_status(tasks: usize, ended: usize, retrying: usize, lines: u64) -> String {
    let mut m = format!(
        "{tasks} tasks · {} running · {ended} ended · {lines} lines",
        tasks.saturating_sub(ended)
    );
    if retrying > 0 {
        m.push_str(&format!(" · {retrying} retrying"));
    }
    m
}

/// The spinners themselves (indicatif), drawn on stderr.
pub struct StatusLines {
    multi: MultiProgress,
    bars: Vec<ProgressBar>,
}

impl StatusLines {
    /// One status line per task, or a single one when there are many.
    pub fn start(tasks: usize) -> StatusLines {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner:.cyan} {elapsed:>4} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let lines = if tasks > MAX_LINES { 1 } else { tasks.max(1) };
        let bars = (0..lines)
            .map(|_| {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            })
            .collect();
        StatusLines { multi, bars }
    }

    /// Whether each task has a line of its own.
    pub fn per_task(&self, tasks: usize) -> bool {
        self.bars.len() == tasks
    }

    pub fn set(&self, line: usize, message: String) {
        if let Some(bar) = self.bars.get(line) {
            bar.set_message(message);
        }
    }

    /// Runs `f` with the status lines cleared, so that what `f` writes never interleaves with
    /// them.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.multi.suspend(f)
    }

    pub fn finish(&self) {
        for bar in &self.bars {
            bar.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_line_model() {
        assert_eq!(
            task_status("t1", 0, false, None, None),
            "t1 · waiting for the task to be processing"
        );
        assert_eq!(
            task_status("t1", 12, false, None, Some(2.0)),
            "t1 · 12 lines · 2.0 lines/s"
        );
        assert_eq!(
            task_status("t1", 12, false, Some("retrying (attempt 2): x"), Some(2.0)),
            "t1 · 12 lines · retrying (attempt 2): x"
        );
        assert_eq!(
            task_status("t1", 12, true, Some("r"), None),
            "t1 · 12 lines · ended"
        );
        assert_eq!(
            overall_status(10, 3, 1, 50),
            "10 tasks · 7 running · 3 ended · 50 lines · 1 retrying"
        );
        assert_eq!(
            overall_status(10, 10, 0, 5),
            "10 tasks · 0 running · 10 ended · 5 lines"
        );
    }
}
