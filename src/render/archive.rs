//! The words of the archive's commands: `history`'s table and records, `stats`' report.
//! Everything read from the archive came from a server once: it is escaped before printing.

use chrono::SecondsFormat;
use serde::Serialize;

use super::format::datetime;
use crate::archive::Run;
use crate::sanitize;

/// A run's outcome in words: `finished`, `failed`, `restarted`, or `incomplete` (its end was
/// not recorded: still running, or its follower stopped first).
pub fn outcome_word(run: &Run) -> &str {
    run.outcome.as_deref().unwrap_or("incomplete")
}

/// Seconds since the epoch as RFC 3339 UTC (JSON), or `null`.
fn utc(seconds: f64) -> Option<String> {
    datetime(seconds).map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

#[derive(Serialize)]
struct RunRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    run_id: i64,
    task_id: &'a str,
    profile: Option<&'a str>,
    run: u64,
    base_url: &'a str,
    started_at: Option<String>,
    ended_at: Option<String>,
    outcome: Option<&'a str>,
    exit_code: Option<u8>,
    lines: u64,
    missed: u64,
    unknown_gaps: u64,
    complete: bool,
}

/// One JSON object per run.
pub fn history_json(runs: &[Run]) -> String {
    let mut out = String::new();
    for r in runs {
        let record = RunRecord {
            kind: "run",
            run_id: r.id,
            task_id: &r.task_id,
            profile: r.profile.as_deref(),
            run: r.number,
            base_url: &r.base_url,
            started_at: utc(r.started_at),
            ended_at: r.ended_at.and_then(utc),
            outcome: r.outcome.as_deref(),
            exit_code: r.exit_code,
            lines: r.lines,
            missed: r.missed,
            unknown_gaps: r.unknown_gaps,
            complete: r.complete(),
        };
        out.push_str(&serde_json::to_string(&record).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// `@handle` when recorded, else the task id; escaped.
pub fn task_name(run: &Run) -> String {
    match &run.profile {
        Some(p) => format!("@{}", sanitize::line(p)),
        None => sanitize::line(&run.task_id),
    }
}

/// The table for a person (`human`) or tab-separated full values (`plain`).
pub fn history_table(runs: &[Run], utc_times: bool, plain: bool) -> String {
    let mut rows: Vec<[String; 8]> = Vec::with_capacity(runs.len() + 1);
    rows.push(
        [
            "TASK", "RUN", "ID", "STARTED", "DURATION", "OUTCOME", "LINES", "MISSED",
        ]
        .map(String::from),
    );
    for r in runs {
        let started = if plain {
            utc(r.started_at).unwrap_or_else(|| "-".into())
        } else {
            short_time(r.started_at, utc_times)
        };
        let duration =
            super::duration(std::time::Duration::from_secs_f64(r.duration_s().min(1e12)));
        let missed = if r.unknown_gaps > 0 {
            format!("{}+?", r.missed)
        } else {
            r.missed.to_string()
        };
        rows.push([
            if plain {
                sanitize::line(&r.task_id)
            } else {
                task_name(r)
            },
            r.number.to_string(),
            r.id.to_string(),
            started,
            duration,
            outcome_word(r).to_string(),
            r.lines.to_string(),
            missed,
        ]);
    }
    if plain {
        return rows[1..].iter().map(|r| r.join("\t") + "\n").collect();
    }
    let widths: Vec<usize> = (0..8)
        .map(|c| {
            rows.iter()
                .map(|r| console::measure_text_width(&r[c]))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = widths[c].saturating_sub(console::measure_text_width(cell));
                // Numbers right-aligned.
                if matches!(c, 1 | 2 | 6 | 7) {
                    format!("{}{cell}", " ".repeat(pad))
                } else {
                    format!("{cell}{}", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// `2026-11-28 14:03` in local time (or UTC).
fn short_time(seconds: f64, utc_times: bool) -> String {
    match datetime(seconds) {
        Some(t) if utc_times => t.format("%Y-%m-%d %H:%M").to_string(),
        Some(t) => t
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => "-".into(),
    }
}

/// One task's statistics, as `stats` computes them.
#[derive(Debug, Clone, Serialize)]
pub struct TaskStats {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub task_id: String,
    pub profile: Option<String>,
    pub runs: u64,
    pub outcomes: std::collections::BTreeMap<String, u64>,
    pub duration_s: Spread,
    pub lines: LinesSpread,
    pub phases: Vec<Phase>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Spread {
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub last: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LinesSpread {
    pub median: Option<f64>,
    pub last: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub label: String,
    pub median_s: f64,
    pub last_s: Option<f64>,
}

pub fn stats_json(stats: &[TaskStats]) -> String {
    stats
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_default() + "\n")
        .collect()
}

fn secs(s: Option<f64>) -> String {
    s.map_or_else(
        || "-".into(),
        |s| super::duration(std::time::Duration::from_secs_f64(s.clamp(0.0, 1e12))),
    )
}

pub fn stats_human(stats: &[TaskStats]) -> String {
    let mut out = String::new();
    for s in stats {
        let name = match &s.profile {
            Some(p) => format!("@{} ({})", sanitize::line(p), sanitize::line(&s.task_id)),
            None => sanitize::line(&s.task_id),
        };
        let outcomes: Vec<String> = s
            .outcomes
            .iter()
            .map(|(k, v)| format!("{v} {}", sanitize::line(k)))
            .collect();
        out.push_str(&format!(
            "{name}: {} run{} ({})\n",
            s.runs,
            if s.runs == 1 { "" } else { "s" },
            outcomes.join(", ")
        ));
        out.push_str(&format!(
            "  duration  median {}  p90 {}  last {}\n",
            secs(s.duration_s.median),
            secs(s.duration_s.p90),
            secs(s.duration_s.last)
        ));
        out.push_str(&format!(
            "  lines     median {}  last {}\n",
            s.lines.median.map_or("-".into(), |m| format!("{m}")),
            s.lines.last.map_or("-".into(), |l| l.to_string())
        ));
        if !s.phases.is_empty() {
            out.push_str("  phases    median   last\n");
            for p in &s.phases {
                out.push_str(&format!(
                    "    {:<24} {:>8} {:>8}\n",
                    sanitize::line(&p.label),
                    secs(Some(p.median_s)),
                    secs(p.last_s)
                ));
            }
            if let Some((p, ratio)) = slowest(&s.phases) {
                out.push_str(&format!(
                    "  {} took {ratio:.1}× its median in the last run\n",
                    sanitize::line(&p.label)
                ));
            }
        }
    }
    out
}

/// The phase whose last time differs most from its median (as a ratio, either way), when
/// that is worth saying (at least 1.5× apart).
fn slowest(phases: &[Phase]) -> Option<(&Phase, f64)> {
    phases
        .iter()
        .filter_map(|p| {
            let last = p.last_s?;
            (p.median_s > 0.0 && last > 0.0).then(|| (p, last / p.median_s))
        })
        .max_by(|a, b| {
            let spread = |r: f64| if r >= 1.0 { r } else { 1.0 / r };
            spread(a.1).total_cmp(&spread(b.1))
        })
        .filter(|(_, r)| *r >= 1.5 || *r <= 1.0 / 1.5)
}

/// `logs`' closing line: which run, how it ended, what was printed.
pub fn replayed(run: &Run, report: &crate::events::Report, ended: bool) -> String {
    let how = if ended {
        format!(
            "{} after {}",
            report.outcome().as_str().replace('_', " "),
            super::duration(report.elapsed)
        )
    } else if run.outcome.as_deref() == Some("restarted") {
        "replaced by a new run (a restart)".to_string()
    } else {
        "incomplete: its end was not recorded (still running, or its follower stopped first)"
            .to_string()
    };
    let mut text = format!(
        "run {} of {} (archive id {}): {how}; {} line{} shown, {} missed",
        run.number,
        task_name(run),
        run.id,
        report.lines,
        if report.lines == 1 { "" } else { "s" },
        report.missed
    );
    if report.hidden > 0 {
        text.push_str(&format!(", {} hidden", report.hidden));
    }
    text
}
