//! The live status lines on stderr, for a person at a terminal only: one per task (up to
//! `MAX_LINES`), else one line for all of them.

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// More tasks than this share one status line.
pub const MAX_LINES: usize = 8;

pub struct Progress {
    multi: MultiProgress,
    bars: Vec<ProgressBar>,
}

impl Progress {
    /// One status line per task, or a single one when there are many.
    pub fn start(tasks: usize) -> Progress {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner:.cyan} {elapsed:>4} {wide_msg}")
            .expect("the template is valid");
        let lines = if tasks > MAX_LINES { 1 } else { tasks.max(1) };
        let bars = (0..lines)
            .map(|_| {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            })
            .collect();
        Progress { multi, bars }
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

    /// Stops a task's line, leaving its last state on the screen.
    pub fn done(&self, line: usize, message: String) {
        if let Some(bar) = self.bars.get(line) {
            bar.finish_with_message(message);
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
