//! The words of `taskwatch ls`: a table fitted to the terminal, a table with every value in
//! full, or one JSON object per task; and its notes (nothing listed, probes that failed).

use chrono::{DateTime, Utc};
use colored::Colorize;
use serde::Serialize;
use serde_json::Value;

use crate::discover::Found;
use crate::sanitize;

/// What the probe said about a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Now {
    Processing,
    Idle,
    /// The probe failed.
    Unknown,
}

/// One `ls` row as JSON.
#[derive(Serialize)]
struct TaskRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    task_id: &'a str,
    /// `profile` or `reel`.
    task_kind: &'static str,
    profile: Option<&'a str>,
    reel_url: Option<&'a str>,
    project: Option<&'a str>,
    status: Option<&'a str>,
    created_at: &'a Option<Value>,
    last_scraped: &'a Option<Value>,
    next_scrape_due: &'a Option<Value>,
    is_processing: Option<bool>,
}

/// One JSON object per task, a line each.
pub fn json(rows: &[(&Found, Now)]) -> String {
    let mut out = String::new();
    for (found, now) in rows {
        let t = &found.task;
        let record = TaskRecord {
            kind: "task",
            task_id: &t.id,
            task_kind: if found.project.is_some() {
                "reel"
            } else {
                "profile"
            },
            profile: found.profile(),
            reel_url: t.reel_url.as_deref(),
            project: found.project.as_deref(),
            status: t.status.as_deref(),
            created_at: &t.created_at,
            last_scraped: &t.last_scraped,
            next_scrape_due: &t.next_scrape_due,
            is_processing: match now {
                Now::Processing => Some(true),
                Now::Idle => Some(false),
                Now::Unknown => None,
            },
        };
        // Strings, numbers and booleans only: serialising cannot fail.
        out.push_str(&serde_json::to_string(&record).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// What the name column shows: `@handle`, else the reel URL, else `-`.
pub fn name(found: &Found) -> String {
    match (found.profile(), &found.task.reel_url) {
        (Some(p), _) => format!("@{}", sanitize::line(p)),
        (None, Some(url)) => sanitize::line(url),
        (None, None) => "-".into(),
    }
}

/// A listing's time: seconds since the epoch, or an ISO 8601 string (UTC when it has no
/// offset, as Python's `isoformat()` of a UTC time); shown to the minute. Anything else is
/// shown as sent.
pub fn when(v: &Option<Value>, utc: bool) -> String {
    let Some(v) = v else {
        return "-".into();
    };
    let at: Option<DateTime<Utc>> = crate::api::listing::listing_time(v);
    match at {
        Some(t) if utc => t.format("%Y-%m-%d %H:%MZ").to_string(),
        Some(t) => t
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => {
            let raw = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            sanitize::line(&raw).chars().take(25).collect()
        }
    }
}

/// Columns wide `s` is at a terminal: display width (a CJK character takes two, a combining
/// mark none), escapes not counted.
fn columns(s: &str) -> usize {
    console::measure_text_width(s)
}

/// `s` cut to `width` columns, with `…` where it was cut.
fn cut(s: &str, width: usize) -> String {
    if columns(s) <= width {
        return s.to_string();
    }
    console::truncate_str(s, width, "…").into_owned()
}

/// Lays out a header and rows: columns two spaces apart, padded by display width, the last one
/// (NOW) coloured; trailing spaces trimmed.
fn layout(header: &[&str], cells: &[Vec<String>], widths: &[usize]) -> String {
    let line = |row: &[String]| {
        let mut out = String::new();
        let last = row.len().saturating_sub(1);
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i == last {
                let shown = if cell == "PROCESSING" {
                    cell.green().bold().to_string()
                } else {
                    cell.clone()
                };
                out.push_str(&shown);
            } else {
                out.push_str(cell);
                out.push_str(&" ".repeat(w.saturating_sub(columns(cell)) + 2));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    for row in cells {
        out.push_str(&line(row));
    }
    out
}

fn now_word(now: Now) -> String {
    match now {
        Now::Processing => "PROCESSING".into(),
        Now::Idle => String::new(),
        Now::Unknown => "?".into(),
    }
}

/// The `ls` table with every value in full (`-o plain`, or no terminal to fit): a header and a
/// row per task.
pub fn table(rows: &[(&Found, Now)], utc: bool) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(found, now)| {
            vec![
                sanitize::line(found.id()),
                name(found),
                sanitize::line(found.task.status.as_deref().unwrap_or("-")),
                when(&found.task.last_scraped, utc),
                when(&found.task.next_scrape_due, utc),
                now_word(*now),
            ]
        })
        .collect();
    let header = ["TASK", "NAME", "STATUS", "LAST SCRAPED", "NEXT DUE", "NOW"];
    let widths = natural_widths(&header, &cells);
    layout(&header, &cells, &widths)
}

fn natural_widths(header: &[&str], cells: &[Vec<String>]) -> Vec<usize> {
    let mut widths: Vec<usize> = header.iter().map(|h| columns(h)).collect();
    for row in cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(columns(cell));
        }
    }
    widths
}

/// How long from `now` to `t`, as a person reads it: `in 3h`, `2h ago`, `in 40s`, `now`.
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (t - now).num_seconds();
    let abs = secs.unsigned_abs();
    if abs < 5 {
        return "now".into();
    }
    let amount = match abs {
        s if s < 90 => format!("{s}s"),
        s if s < 90 * 60 => format!("{}m", (s + 30) / 60),
        s if s < 36 * 3600 => format!("{}h", (s + 1800) / 3600),
        s if s < 60 * 86_400 => format!("{}d", (s + 43_200) / 86_400),
        s if s < 730 * 86_400 => format!("{}mo", s / (30 * 86_400)),
        s => format!("{}y", s / (365 * 86_400)),
    };
    if secs > 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// A listing's time at a terminal: relative to `now` (absolute in UTC with `--utc`); anything
/// that is no time as sent, cut short.
fn when_at_a_terminal(v: &Option<Value>, now: DateTime<Utc>, utc: bool) -> String {
    match v.as_ref().and_then(crate::api::listing::listing_time) {
        Some(t) if !utc => relative(t, now),
        _ => cut(&when(v, utc), 16),
    }
}

/// A reel URL as a terminal shows it: the Instagram part alone (`reel/C1a2b3`), any other
/// host kept.
fn short_url(url: &str) -> String {
    let rest = url
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.");
    let rest = rest.strip_prefix("instagram.com/").unwrap_or(rest);
    sanitize::line(rest.trim_end_matches('/'))
}

/// The narrowest the NAME column is made before a column is dropped.
const NAME_MIN: usize = 12;
/// The narrowest a task id is cut to, as a last resort.
const TASK_MIN: usize = 8;

/// The `ls` table fitted to a terminal `width` columns wide, as `gh` and `kubectl` do: times
/// relative to `now` (`in 3h`, `2h ago`), reel URLs without their host, then, while the
/// table is too wide, NAME cut with `…` (down to a few columns), the columns read least
/// dropped one by one (LAST SCRAPED, STATUS, NEXT DUE), task ids cut last; no line is ever
/// wider than `width`. Full values stay in `-o plain` and `-o json`.
pub fn fitted(rows: &[(&Found, Now)], width: usize, now: DateTime<Utc>, utc: bool) -> String {
    let (task, name_col, status, scraped, due) = (0, 1, 2, 3, 4);
    let mut cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(found, state)| {
            let name = match (found.profile(), &found.task.reel_url) {
                (Some(p), _) => format!("@{}", sanitize::line(p)),
                (None, Some(url)) => short_url(url),
                (None, None) => "-".into(),
            };
            vec![
                sanitize::line(found.id()),
                name,
                sanitize::line(found.task.status.as_deref().unwrap_or("-")),
                when_at_a_terminal(&found.task.last_scraped, now, utc),
                when_at_a_terminal(&found.task.next_scrape_due, now, utc),
                now_word(*state),
            ]
        })
        .collect();
    let header = ["TASK", "NAME", "STATUS", "SCRAPED", "DUE", "NOW"];
    let mut widths = natural_widths(&header, &cells);
    let total =
        |widths: &[usize]| widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    let mut kept: Vec<usize> = (0..header.len()).collect();
    // Drop columns until NAME can have at least NAME_MIN columns (or all of its own).
    for drop in [None, Some(scraped), Some(status), Some(due)] {
        if let Some(d) = drop {
            kept.retain(|&c| c != d);
        }
        let others: usize = kept
            .iter()
            .filter(|&&c| c != name_col)
            .map(|&c| widths[c] + 2)
            .sum();
        let room = width.saturating_sub(others);
        if room >= widths[name_col].min(NAME_MIN) {
            widths[name_col] = widths[name_col].min(room);
            break;
        }
        widths[name_col] = widths[name_col].min(room.max(NAME_MIN));
    }
    // Still too wide (a very narrow terminal, or long ids): cut the ids, then NAME.
    let others: usize = kept
        .iter()
        .filter(|&&c| c != task && c != name_col)
        .map(|&c| widths[c] + 2)
        .sum();
    let shown = |w: &[usize], kept: &[usize]| kept.iter().map(|&c| w[c]).collect::<Vec<_>>();
    if total(&shown(&widths, &kept)) > width {
        let room = width.saturating_sub(others + widths[name_col] + 2);
        widths[task] = widths[task].min(room.max(TASK_MIN));
    }
    if total(&shown(&widths, &kept)) > width {
        let room = width.saturating_sub(others + widths[task] + 2);
        widths[name_col] = widths[name_col].min(room.max(1));
    }
    for row in &mut cells {
        for c in [task, name_col] {
            row[c] = cut(&row[c], widths[c]);
        }
    }
    let header: Vec<&str> = kept.iter().map(|&c| header[c]).collect();
    let cells: Vec<Vec<String>> = cells
        .into_iter()
        .map(|row| kept.iter().map(|&c| row[c].clone()).collect())
        .collect();
    let text = layout(&header, &cells, &shown(&widths, &kept));
    // Whatever is left (a terminal narrower than the columns kept) is cut at the edge, so that
    // no row wraps.
    text.lines().map(|l| cut(l, width) + "\n").collect()
}

/// `ls` with no row to show.
pub fn nothing(processing_only: bool) -> &'static str {
    if processing_only {
        "no task is processing"
    } else {
        "no task is listed"
    }
}

/// How many probes failed, and the first error.
pub fn probes_failed(failed: usize, of: usize, first: &str) -> String {
    format!("{failed} of {of} tasks could not be probed (their NOW is `?`): {first}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::listing::ListedTask;
    use serde_json::json;

    fn found(id: &str, profile: Option<&str>, last: Option<Value>) -> Found {
        Found {
            task: ListedTask {
                id: id.into(),
                target_profile: profile.map(String::from),
                reel_url: Some("https://www.instagram.com/reel/C1".into()),
                status: Some("active".into()),
                last_scraped: last,
                ..ListedTask::default()
            },
            project: None,
        }
    }

    #[test]
    fn times_of_every_shape() {
        assert_eq!(when(&Some(json!(1703123456)), true), "2023-12-21 01:50Z");
        assert_eq!(
            when(&Some(json!("2023-12-21T01:50:56.123456")), true),
            "2023-12-21 01:50Z"
        );
        assert_eq!(
            when(&Some(json!("2023-12-21T02:50:56+01:00")), true),
            "2023-12-21 01:50Z"
        );
        assert_eq!(
            when(&Some(json!("1703123456.5")), true),
            "2023-12-21 01:50Z"
        );
        assert_eq!(when(&Some(json!("soon\u{1b}[2J")), true), "soon\\e[2J");
        assert_eq!(when(&None, true), "-");
    }

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).unwrap()
    }

    #[test]
    fn relative_times_read_as_a_person_says_them() {
        let now = at(1_700_000_000);
        let cases = [
            (0, "now"),
            (4, "now"),
            (-4, "now"),
            (44, "in 44s"),
            (-89, "89s ago"),
            (90, "in 2m"),
            (-150, "3m ago"),
            (3 * 3600, "in 3h"),
            (-2 * 3600, "2h ago"),
            (-(35 * 3600), "35h ago"),
            (2 * 86_400, "in 2d"),
            (-90 * 86_400, "3mo ago"),
            (800 * 86_400, "in 2y"),
        ];
        for (offset, said) in cases {
            assert_eq!(relative(at(1_700_000_000 + offset), now), said, "{offset}");
        }
        // The extremes a listing can hold are still words, never a panic.
        let _ = relative(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
    }

    /// Rows of every kind: a long handle, a wide (CJK) one, a reel, a 36-character id, times of
    /// every shape.
    fn many() -> Vec<Found> {
        let mut rows = vec![
            found(
                "66500000dfc73d4b8532371a",
                Some("natgeo"),
                Some(json!(1_699_990_000)),
            ),
            found(
                "66500003111f387d1ae78d2f",
                Some("a_very_long_profile_handle_that_goes_on_and_on"),
                Some(json!("2023-11-14T20:00:00")),
            ),
            found(
                "665000031123456789abcdef",
                Some("東京国立博物館の公式アカウント"),
                None,
            ),
            found("66500004a1b2c3d4e5f60718", None, Some(json!("soon"))),
            found("0f8fad5b-d9cb-469f-a165-70867728950e", Some("uuid"), None),
        ];
        rows[3].task.reel_url =
            Some("https://www.instagram.com/reel/C9xYzAbCdEfGhIjKlMnOpQrStUv/".into());
        rows[0].task.next_scrape_due = Some(json!(1_700_010_800));
        rows
    }

    #[test]
    fn a_fitted_table_is_never_wider_than_the_terminal() {
        colored::control::set_override(true);
        let rows = many();
        let states = [
            Now::Processing,
            Now::Idle,
            Now::Unknown,
            Now::Processing,
            Now::Idle,
        ];
        let mut pairs: Vec<(&Found, Now)> = rows.iter().zip(states).collect();
        let now = at(1_700_000_000);
        for width in 1..=140 {
            for utc in [false, true] {
                let out = fitted(&pairs, width, now, utc);
                assert_eq!(out.lines().count(), 1 + pairs.len(), "{width}: {out}");
                for line in out.lines() {
                    assert!(columns(line) <= width, "{width}: {line:?} is wider");
                }
            }
        }
        colored::control::set_override(false);
        // A 36-character id takes the room of a column: SCRAPED goes at 80.
        let out = fitted(&pairs, 80, now, false);
        assert!(!out.lines().next().unwrap().contains("SCRAPED"), "{out}");
        assert!(
            out.contains("0f8fad5b-d9cb-469f-a165-70867728950e"),
            "{out}"
        );
        pairs.pop();
        // 80 columns: every column kept, times relative, the long handle cut, the reel
        // without its host, the ids whole.
        let out = fitted(&pairs, 80, now, false);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("TASK"), "{out}");
        for col in ["NAME", "STATUS", "SCRAPED", "DUE", "NOW"] {
            assert!(lines[0].contains(col), "{col}: {out}");
        }
        assert!(
            lines[1].contains("3h ago") && lines[1].contains("in 3h"),
            "{out}"
        );
        assert!(
            lines[2].contains("@a_very_long") && lines[2].contains('…'),
            "{out}"
        );
        assert!(
            lines[4].contains("reel/C9xY") && !lines[4].contains("https"),
            "{out}"
        );
        for row in &rows[..4] {
            assert!(out.contains(row.id()), "{} whole at 80: {out}", row.id());
        }
        // 50 columns: the least read columns dropped first; ids and NOW kept.
        let out = fitted(&pairs, 50, now, false);
        let head = out.lines().next().unwrap();
        assert!(
            !head.contains("SCRAPED") && !head.contains("STATUS"),
            "{out}"
        );
        assert!(head.contains("NAME") && head.contains("NOW"), "{out}");
        assert!(out.contains("66500000dfc73d4b8532371a") && out.contains("PROCESSING"));
        // Full values stay in the plain table.
        let plain = table(&pairs, true);
        assert!(plain.contains("https://www.instagram.com/reel/C9xYzAbCdEfGhIjKlMnOpQrStUv/"));
        assert!(plain.contains("a_very_long_profile_handle_that_goes_on_and_on"));
    }

    #[test]
    fn table_rows() {
        colored::control::set_override(false);
        let a = found("t1", Some("@bbcnews"), Some(json!(1703123456)));
        let b = found("t2-long-id", None, None);
        let out = table(&[(&a, Now::Processing), (&b, Now::Unknown)], true);
        assert_eq!(
            out,
            "TASK        NAME                               STATUS  LAST SCRAPED       NEXT DUE  NOW\n\
             t1          @bbcnews                           active  2023-12-21 01:50Z  -         PROCESSING\n\
             t2-long-id  https://www.instagram.com/reel/C1  active  -                  -         ?\n"
        );
    }
}
