//! The live status lines on stderr, for a person at a terminal only: one per task (up to
//! `MAX_LINES`), else one line for all of them; and what each line says. Also `--heartbeat`'s
//! lines, the same news for logs that no one watches live.

use std::time::{Duration, Instant};

use crate::fraction::Snapshot;
use crate::messages;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

use super::{label, markers, Renderer};

/// More tasks than this share one status line.
pub const MAX_LINES: usize = 8;

/// Cells of the progress bar in a status line.
const BAR_WIDTH: u64 = 16;

/// What a task's status line says: id, progress (see [`bar`]), lines so far, lines a second
/// (once seen), any retry.
pub fn task_status(
    id: &str,
    lines: u64,
    ended: bool,
    retry: Option<&str>,
    rate: Option<f64>,
    progress: Option<&str>,
) -> String {
    let id = match progress {
        Some(p) => format!("{id} · {p}"),
        None => id.to_string(),
    };
    match (retry, rate) {
        _ if ended => format!("{id} · {lines} lines · ended"),
        (Some(retry), _) => format!("{id} · {lines} lines · {retry}"),
        (None, None) => format!("{id} · waiting for the task to be processing"),
        (None, Some(rate)) => format!("{id} · {lines} lines · {rate:.1} lines/s"),
    }
}

/// A bar, `3/12 posts`, the percentage and the time left when it can be estimated;
/// `label` is the progress label made safe to print.
pub fn bar(p: &Snapshot, label: &str) -> String {
    let filled = (p.percent().min(100) * BAR_WIDTH / 100) as usize;
    format!(
        "{}{} {}",
        "█".repeat(filled),
        "░".repeat(BAR_WIDTH as usize - filled),
        fraction(p, label)
    )
}

/// `3/12 posts · 25% · ETA 40s` (the ETA while there is time left and it can be estimated);
/// `label` made safe to print.
pub fn fraction(p: &Snapshot, label: &str) -> String {
    let mut text = format!("{}/{}", p.done, p.total);
    if let Some(noun) = noun(label, p.total) {
        text.push(' ');
        text.push_str(&noun);
    }
    text.push_str(&format!(" · {}%", p.percent()));
    if let Some(eta) = p.eta_s.filter(|_| p.done < p.total) {
        // An estimate from past runs is marked as one.
        let about = if p.eta_source == Some(crate::fraction::EtaSource::History) {
            "~"
        } else {
            ""
        };
        text.push_str(&format!(" · ETA {about}{}", eta_words(eta)));
    }
    text
}

/// `40s`, `2m 05s`, `1h 10m`.
pub fn eta_words(secs: u64) -> String {
    if secs < 60 {
        format!("{secs}s")
    } else {
        super::duration(Duration::from_secs(secs))
    }
}

/// What is counted: the label's last word, in the plural (`Processing post` → `posts`).
fn noun(label: &str, total: u64) -> Option<String> {
    let word = label.split_whitespace().last()?.to_lowercase();
    if total == 1 || word.ends_with('s') {
        return Some(word);
    }
    let es = ["x", "z", "ch", "sh"].iter().any(|e| word.ends_with(e));
    Some(if es {
        format!("{word}es")
    } else {
        format!("{word}s")
    })
}

/// The one status line shared by many tasks; `past_half`: how many tasks are more than half
/// done, when any shows progress.
pub fn overall_status(
    tasks: usize,
    ended: usize,
    retrying: usize,
    lines: u64,
    past_half: Option<usize>,
) -> String {
    let mut m = format!(
        "{tasks} tasks · {} running · {ended} ended · {lines} lines",
        tasks.saturating_sub(ended)
    );
    if let Some(n) = past_half {
        m.push_str(&format!(" · {n} past half"));
    }
    if retrying > 0 {
        m.push_str(&format!(" · {retrying} retrying"));
    }
    m
}

/// Columns left free at the right of every status line. indicatif fills each line to the width
/// it is given, leaving the cursor in the last column; the `^C` the terminal echoes on Ctrl-C
/// would then wrap onto a new row, and the status lines would be cleared one row too low,
/// leaving a stale one on the screen. With two columns free the echo stays on its row.
const RESERVED_COLUMNS: u16 = 2;

/// stderr as indicatif sees it: two columns narrower than it is. indicatif ends each line it
/// draws with spaces up to the width it is given, and counts on the terminal wrapping onto the
/// next row there; so every line but the last gets the reserved columns filled too (it reaches
/// the real edge and wraps), and only the last keeps them free.
#[derive(Debug)]
struct Narrowed {
    term: console::Term,
    /// Status lines drawn at each refresh.
    lines: usize,
    /// Lines of the refresh being drawn, so far.
    drawn: std::sync::atomic::AtomicUsize,
}

impl TermLike for Narrowed {
    fn width(&self) -> u16 {
        self.term.size().1.saturating_sub(RESERVED_COLUMNS).max(1)
    }
    fn height(&self) -> u16 {
        self.term.size().0
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        // A refresh begins by going back to the first line.
        self.drawn.store(0, std::sync::atomic::Ordering::Relaxed);
        self.term.move_cursor_up(n)
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.term.write_line(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        let filler = s.bytes().all(|b| b == b' ') && s != "\r";
        if filler {
            let drawn = self
                .drawn
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                + 1;
            if drawn < self.lines {
                let reserved = " ".repeat(usize::from(RESERVED_COLUMNS));
                return self.term.write_str(&format!("{s}{reserved}"));
            }
        }
        self.term.write_str(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.term.clear_line()
    }
    fn flush(&self) -> std::io::Result<()> {
        self.term.flush()
    }
}

/// The spinners themselves (indicatif), drawn on stderr.
pub struct StatusLines {
    multi: MultiProgress,
    bars: Vec<ProgressBar>,
}

impl StatusLines {
    /// One status line per task, or a single one when there are many.
    pub fn start(tasks: usize) -> StatusLines {
        let lines = if tasks > MAX_LINES { 1 } else { tasks.max(1) };
        let stderr = Box::new(Narrowed {
            term: console::Term::buffered_stderr(),
            lines,
            drawn: std::sync::atomic::AtomicUsize::new(0),
        });
        let multi =
            MultiProgress::with_draw_target(ProgressDrawTarget::term_like_with_hz(stderr, 20));
        // `wide_msg` cuts a long message (a retry's error) at the width, so that no status
        // line wraps.
        let style = ProgressStyle::with_template("{spinner:.cyan} {elapsed:>4} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
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

/// The renderer's status lines: what each says, refreshed after each event.
impl<O: std::io::Write, E: std::io::Write> Renderer<O, E> {
    /// `--heartbeat`: when no line reached stdout for a period, one line per running task.
    pub(super) fn heartbeat(&mut self) {
        let Some(period) = self.setup.heartbeat else {
            return;
        };
        // Ticks come every period: a line a little less than a period ago counts as recent.
        if self.last_sign.elapsed() < period.mul_f64(0.9) {
            return;
        }
        self.last_sign = Instant::now();
        for task in 0..self.tasks.len() {
            let state = &self.state[task];
            if state.ended {
                continue;
            }
            let progress = state.progress.as_ref().map(|p| {
                let label = self.clean(&p.label);
                fraction(p, &label)
            });
            let text = markers::heartbeat(
                state.seen_at.map(|at| at.elapsed()),
                self.started.elapsed(),
                state.lines,
                progress,
            );
            let who = if self.multi() {
                self.label(task)
            } else {
                format!("{}{} ", messages::PREFIX, label(&self.tasks[task]))
            };
            self.say(&format!("{who}{text}"));
        }
    }

    pub(super) fn refresh(&self, task: Option<usize>) {
        let Some(lines) = &self.status_lines else {
            return;
        };
        let tasks = self.tasks.len();
        if lines.per_task(tasks) {
            // Only the task the event was about changed.
            for t in task.map_or(0..tasks, |t| t..t + 1) {
                lines.set(t, self.status_of(t));
            }
        } else {
            lines.set(0, self.overall_status());
        }
    }

    /// What a task's status line says: id, lines so far, lines a second, any retry.
    fn status_of(&self, task: usize) -> String {
        let state = &self.state[task];
        let id = label(&self.tasks[task]);
        let rate = state.seen_at.map(|at| {
            let secs = at.elapsed().as_secs_f64().max(1.0);
            state.lines as f64 / secs
        });
        let bar = state
            .progress
            .as_ref()
            .map(|p| bar(p, &self.clean(&p.label)));
        task_status(
            &id,
            state.lines,
            state.ended,
            state.retry.as_deref(),
            rate,
            bar.as_deref(),
        )
    }

    /// The one status line for many tasks.
    fn overall_status(&self) -> String {
        let ended = self.state.iter().filter(|s| s.ended).count();
        let retrying = self.state.iter().filter(|s| s.retry.is_some()).count();
        let lines: u64 = self.state.iter().map(|s| s.lines).sum();
        let past_half = self
            .state
            .iter()
            .filter(|s| s.progress.as_ref().is_some_and(Snapshot::past_half))
            .count();
        let with_progress = self.state.iter().any(|s| s.progress.is_some());
        overall_status(
            self.state.len(),
            ended,
            retrying,
            lines,
            with_progress.then_some(past_half),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_line_model() {
        assert_eq!(
            task_status("t1", 0, false, None, None, None),
            "t1 · waiting for the task to be processing"
        );
        assert_eq!(
            task_status("t1", 12, false, None, Some(2.0), None),
            "t1 · 12 lines · 2.0 lines/s"
        );
        assert_eq!(
            task_status(
                "t1",
                12,
                false,
                Some("retrying (attempt 2): x"),
                Some(2.0),
                None
            ),
            "t1 · 12 lines · retrying (attempt 2): x"
        );
        assert_eq!(
            task_status("t1", 12, true, Some("r"), None, None),
            "t1 · 12 lines · ended"
        );
        assert_eq!(
            overall_status(10, 3, 1, 50, None),
            "10 tasks · 7 running · 3 ended · 50 lines · 1 retrying"
        );
        assert_eq!(
            overall_status(10, 10, 0, 5, None),
            "10 tasks · 0 running · 10 ended · 5 lines"
        );
        assert_eq!(
            overall_status(12, 0, 0, 9, Some(4)),
            "12 tasks · 12 running · 0 ended · 9 lines · 4 past half"
        );
    }

    #[test]
    fn progress_bars() {
        let p = |done, total, eta_s| Snapshot {
            label: "x".into(),
            done,
            total,
            eta_s,
            eta_source: None,
            measured: 0,
        };
        assert_eq!(
            bar(&p(3, 12, Some(40)), "Processing post"),
            "████░░░░░░░░░░░░ 3/12 posts · 25% · ETA 40s"
        );
        assert_eq!(
            bar(&p(138, 150, None), "Stored comment batch"),
            "██████████████░░ 138/150 batches · 92%"
        );
        assert_eq!(
            bar(&p(12, 12, Some(0)), ""),
            "████████████████ 12/12 · 100%"
        );
        assert_eq!(eta_words(125), "2m 05s");
        assert_eq!(
            task_status("t1", 5, false, None, Some(1.0), Some("B")),
            "t1 · B · 5 lines · 1.0 lines/s"
        );
    }
}
