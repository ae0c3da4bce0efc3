//! What a person sees at a terminal: the binary under a pseudo-terminal (util-linux `script`),
//! its output replayed on a small screen model, so that what is left on the screen (not just
//! what was written) can be checked.

use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::*;

/// A terminal screen: `cols` wide, auto-wrapping like xterm (a character written in the last
/// column leaves the cursor there until the next one wraps), with the cursor movements and
/// erasures indicatif and the line discipline use. Colours and modes are ignored.
struct Screen {
    cols: usize,
    rows: Vec<Vec<char>>,
    row: usize,
    col: usize,
    pending_wrap: bool,
}

impl Screen {
    fn new(cols: usize) -> Screen {
        Screen {
            cols,
            rows: vec![Vec::new()],
            row: 0,
            col: 0,
            pending_wrap: false,
        }
    }

    fn line_mut(&mut self) -> &mut Vec<char> {
        while self.rows.len() <= self.row {
            self.rows.push(Vec::new());
        }
        &mut self.rows[self.row]
    }

    fn put(&mut self, c: char) {
        if self.pending_wrap {
            self.pending_wrap = false;
            self.row += 1;
            self.col = 0;
        }
        let col = self.col;
        let line = self.line_mut();
        while line.len() <= col {
            line.push(' ');
        }
        line[col] = c;
        if self.col + 1 == self.cols {
            self.pending_wrap = true;
        } else {
            self.col += 1;
        }
    }

    fn feed(&mut self, text: &str) {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    self.col = 0;
                    self.pending_wrap = false;
                }
                '\n' => {
                    self.row += 1;
                    self.pending_wrap = false;
                    self.line_mut();
                }
                '\u{8}' => {
                    self.col = self.col.saturating_sub(1);
                    self.pending_wrap = false;
                }
                '\u{1b}' => {
                    if chars.peek() != Some(&'[') {
                        chars.next();
                        continue;
                    }
                    chars.next();
                    let mut params = String::new();
                    let mut command = ' ';
                    for c in chars.by_ref() {
                        if c.is_ascii_alphabetic() || c == '~' {
                            command = c;
                            break;
                        }
                        params.push(c);
                    }
                    let n = params.parse::<usize>().unwrap_or(1).max(1);
                    // Cursor movements end a pending wrap; colours (SGR) and erasures do not,
                    // as in xterm.
                    if matches!(command, 'A' | 'B' | 'C' | 'D' | 'G' | 'H') {
                        self.pending_wrap = false;
                    }
                    match command {
                        'A' => self.row = self.row.saturating_sub(n),
                        'B' => {
                            self.row += n;
                            self.line_mut();
                        }
                        'C' => self.col = (self.col + n).min(self.cols - 1),
                        'D' => self.col = self.col.saturating_sub(n),
                        'G' => self.col = (n - 1).min(self.cols - 1),
                        'K' => {
                            let col = self.col;
                            let line = self.line_mut();
                            match params.as_str() {
                                "2" => line.clear(),
                                "1" => line.iter_mut().take(col + 1).for_each(|c| *c = ' '),
                                _ => line.truncate(col),
                            }
                        }
                        'J' => {
                            let col = self.col;
                            self.line_mut().truncate(col);
                            self.rows.truncate(self.row + 1);
                        }
                        _ => {}
                    }
                }
                c if c.is_control() => {}
                c => self.put(c),
            }
        }
    }

    fn text(&self) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| r.iter().collect::<String>().trim_end().to_string())
            .collect()
    }
}

#[test]
fn the_screen_model_wraps_like_a_terminal() {
    let mut s = Screen::new(4);
    s.feed("abcd^C\r\n\x1b[1Axy\x1b[K");
    assert_eq!(s.text(), vec!["abcd", "xy", ""]);
}

/// Runs taskwatch under a pseudo-terminal `cols` wide; once `ready` is on the screen, types
/// Ctrl-C. Returns what the terminal received.
fn interrupt_at_a_terminal(cols: usize, args: &[&str], ready: &str) -> (i32, String) {
    keys_at_a_terminal(cols, args, ready, b"\x03")
}

/// Runs taskwatch at a terminal of `cols` columns, waits for `ready` on the screen, types
/// `keys`, and returns the exit code and everything the terminal received.
fn keys_at_a_terminal(cols: usize, args: &[&str], ready: &str, keys: &[u8]) -> (i32, String) {
    let (code, _, all) = keys_at_a_terminal_seen(cols, args, ready, keys);
    (code, all)
}

/// [`keys_at_a_terminal`], also with what the terminal had received when the keys were typed.
fn keys_at_a_terminal_seen(
    cols: usize,
    args: &[&str],
    ready: &str,
    keys: &[u8],
) -> (i32, String, String) {
    let line = format!("stty cols {cols} rows 30; exec {}", shell_line(args));
    let mut child = terminal(&line)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("util-linux script runs");
    let seen = Arc::new(Mutex::new(String::new()));
    let mut stdout = child.stdout.take().unwrap();
    let reader = {
        let seen = seen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        })
    };
    let started = Instant::now();
    while !seen.lock().unwrap().contains(ready) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "`{ready}` never appeared: {:?}",
            seen.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let a few status-line redraws happen, as they would while a person reads. Then take the
    // screen between two redraws (no line ended or erased after the last `ready` text), not in
    // the middle of one: on a loaded machine a redraw can arrive in pieces.
    std::thread::sleep(Duration::from_millis(400));
    let drawn = |s: &str| {
        s.rfind(ready)
            .is_some_and(|at| !s[at..].contains('\n') && !s[at..].contains("\x1b[2K"))
    };
    let settling = Instant::now();
    while !drawn(&seen.lock().unwrap()) && settling.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let before = seen.lock().unwrap().clone();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(keys).unwrap();
    stdin.flush().unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "still running after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    reader.join().unwrap();
    let text = seen.lock().unwrap().clone();
    (status.code().unwrap_or(-1), before, text)
}

fn endless(server: &Server, id: &str) {
    let steps: Vec<Step> = (0..3000).map(|i| Step::Grow(lines(id, i..i + 1))).collect();
    server.task(id, Task::new(steps));
}

/// Interrupts the command at `cols` columns once `ready` shows, and checks the screen the
/// person is left with: the summary, and no status line.
fn assert_clean_interrupt(cols: usize, args: &[&str], ready: &str) {
    let (code, received) = interrupt_at_a_terminal(cols, args, ready);
    assert_eq!(code, 130, "{received:?}");
    let mut screen = Screen::new(cols);
    screen.feed(&received);
    let rows = screen.text();
    assert!(
        rows.iter().any(|r| r.contains("interrupted")),
        "the summary: {rows:#?}"
    );
    let stale: Vec<&String> = rows.iter().filter(|r| r.contains(" · ")).collect();
    assert!(
        stale.is_empty(),
        "{args:?} at {cols} columns: status lines left on the screen: {stale:#?}\n{rows:#?}"
    );
}

#[test]
fn ctrl_c_leaves_no_status_line_on_the_screen() {
    let server = Server::start(Api::V7);
    for tasks in [vec!["one"], vec!["first", "second"]] {
        for &id in &tasks {
            endless(&server, id);
        }
        for cols in [80, 57] {
            let mut args = vec!["watch", "--base-url", &server.url, "-i", "100ms"];
            args.extend(tasks.iter().copied());
            assert_clean_interrupt(cols, &args, "lines/s");
        }
    }
}

#[test]
fn ctrl_c_while_retrying_or_in_the_demo_leaves_no_status_line() {
    let server = Server::start(Api::V7);
    let mut steps = vec![Step::Grow(lines("r", 0..1))];
    steps.extend((0..200).map(|_| Step::Fault {
        status: 500,
        content_type: "text/html",
        body: format!("<html>{}</html>", "busy ".repeat(40)),
        retry_after: None,
    }));
    server.task("retry", Task::new(steps));
    // The retry's error is longer than the line: the status line is cut, never wrapped.
    assert_clean_interrupt(
        70,
        &["watch", "--base-url", &server.url, "-i", "100ms", "retry"],
        "retrying (attempt",
    );
    assert_clean_interrupt(80, &["demo", "--duration", "20s"], "lines/s");
}

/// `watch` with no task id at a terminal lists the tasks processing now in a picker: choosing
/// one follows it; Esc cancels (exit 130); with nothing processing it says so (exit 3). Not at
/// a terminal, the usage error names both ways.
#[test]
fn the_picker_follows_what_is_chosen_and_esc_cancels() {
    let listing = || Listing {
        profiles: vec![
            serde_json::json!({"task_id": "a1", "target_profile": "alpha", "status": "active"}),
            serde_json::json!({"task_id": "b2", "target_profile": "beta", "status": "active"}),
            serde_json::json!({"task_id": "c3", "target_profile": "gamma", "status": "active"}),
        ],
        ..Listing::default()
    };
    let server = Server::start(Api::V8);
    server.listing(listing());
    // The probe answers once (processing), then the poller follows to the end.
    server.task(
        "a1",
        Task::new([Step::Same, Step::Grow(lines("alpha says", 0..3)), Step::End]),
    );
    server.task("c3", Task::new(vec![Step::Same; 20]));
    let args = [
        "watch",
        "--base-url",
        &server.url,
        "-i",
        "100ms",
        "-o",
        "plain",
    ];
    // Type to filter to `alpha`, choose it with space, follow with enter.
    let (code, screen) = keys_at_a_terminal(100, &args, "Tasks processing now", b"alpha \r");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("@alpha (a1)"), "{screen}");
    assert!(
        !screen.contains("@beta"),
        "idle tasks are not offered: {screen}"
    );
    assert!(screen.contains("alpha says 2"), "{screen}");
    assert_eq!(server.status_requests("c3").len(), 1, "c3 was only probed");

    let server = Server::start(Api::V8);
    server.listing(listing());
    server.task("a1", Task::new(vec![Step::Same; 20]));
    let (code, screen) = keys_at_a_terminal(100, &args, "Tasks processing now", b"\x1b");
    assert_eq!(code, 130, "{screen}");
    assert!(screen.contains("nothing picked"), "{screen}");

    let idle = Server::start(Api::V8);
    idle.listing(listing());
    let shown = on_a_terminal(&["watch", "--base-url", &idle.url]);
    shown.assert_code(3);
    shown.assert_stdout_has("no task is processing now");
    let before = idle.requests().len();

    let piped = run(&["wait", "--base-url", &idle.url]);
    piped.assert_code(2);
    piped.assert_stderr_has("TASK_ID");
    piped.assert_stderr_has("--all");
    assert_eq!(
        idle.requests().len(),
        before,
        "no request without a terminal"
    );
}

/// `TERM=dumb` gets no escape sequence at all: no colour, no dimmed timestamps, no status line
/// redrawn with `\r\e[2K`, and still every line.
#[test]
fn a_dumb_terminal_gets_no_escape_sequences() {
    let server = Server::start(Api::V7);
    server.task(
        "d",
        Task::new([
            Step::Grow(lines("Processing post 1/3 of", 0..3)),
            Step::Same,
            Step::Grow(lines("Processing post 2/3 of", 3..6)),
            Step::Status("failed".into()),
            Step::End,
        ]),
    );
    let line = shell_line(&["watch", "--base-url", &server.url, "-i", "100ms", "d"]);
    let run = run_with(terminal(&line).env("TERM", "dumb"));
    run.assert_code(1);
    run.assert_stdout_has("Processing post 2/3 of 5");
    run.assert_stdout_has("failed");
    assert!(
        !run.stdout.contains('\x1b'),
        "an escape sequence reached a dumb terminal: {:?}",
        run.stdout
    );
}

/// Several tasks at a terminal: each status line on a row of its own (the first used to end
/// two columns short, so the second's spinner landed on its row), at 80, 57 and 50 columns, for
/// 2, 3 and 9 tasks (9 share one line); Ctrl-C then leaves no status line.
#[test]
fn several_status_lines_line_up_at_every_width() {
    let server = Server::start(Api::V7);
    let ids: Vec<String> = (1..=9).map(|k| format!("job{k}")).collect();
    for id in &ids {
        endless(&server, id);
    }
    for count in [2, 3, 9] {
        for cols in [80, 57, 50] {
            let mut args = vec!["watch", "--base-url", &server.url, "-i", "100ms"];
            args.extend(ids[..count].iter().map(String::as_str));
            let (code, before, all) = keys_at_a_terminal_seen(cols, &args, " lines", b"\x03");
            assert_eq!(code, 130, "{count} tasks at {cols}");
            let mut screen = Screen::new(cols);
            screen.feed(&before);
            let rows = screen.text();
            let spinners = |row: &String| {
                row.chars()
                    .filter(|c| ('\u{2801}'..='\u{28ff}').contains(c))
                    .count()
            };
            for row in &rows {
                assert!(
                    spinners(row) <= 1,
                    "{count} tasks at {cols}: two status lines on one row: {row:?}\n{rows:#?}"
                );
                if spinners(row) == 1 {
                    let at = row.find(|c: char| ('\u{2801}'..='\u{28ff}').contains(&c));
                    assert_eq!(at, Some(0), "{count} tasks at {cols}: {row:?}\n{rows:#?}");
                }
            }
            let status_rows = rows.iter().filter(|r| spinners(r) == 1).count();
            let expected = if count > 8 { 1 } else { count };
            assert_eq!(status_rows, expected, "{count} tasks at {cols}:\n{rows:#?}");
            let mut after = Screen::new(cols);
            after.feed(&all);
            let stale: Vec<String> = after
                .text()
                .into_iter()
                .filter(|r| spinners(r) > 0)
                .collect();
            assert!(stale.is_empty(), "{count} tasks at {cols}: {stale:#?}");
        }
    }
}

/// Runs `taskwatch ARGS` to its end at a terminal `cols` columns wide; what it received.
fn at_a_terminal_of(cols: usize, args: &[&str]) -> Run {
    run_with(&mut terminal(&format!(
        "stty cols {cols} rows 30; exec {}",
        shell_line(args)
    )))
}

/// `ls` at a terminal fits its width as `gh` and `kubectl` do: at 80 and 50 columns, with
/// long handles, a wide (CJK) one and `--project`'s long reel URLs, no row is wider than the
/// terminal and none wraps (each task one row, starting with its id); times are relative, long
/// names cut with `…`. `-o plain` keeps the full values.
#[test]
fn ls_fits_the_terminal_at_80_and_50_columns() {
    let now = chrono::Utc::now().timestamp();
    let server = Server::start(Api::V8);
    let long_reel = format!("https://www.instagram.com/reel/C{}/", "x".repeat(100));
    server.listing(Listing {
        profiles: vec![
            serde_json::json!({"task_id": "66500000dfc73d4b8532371a", "target_profile": "natgeo",
                "status": "active", "last_scraped": now - 7_200, "next_scrape_due": now + 10_800}),
            serde_json::json!({"task_id": "66500003111f387d1ae78d2f",
                "target_profile": "a_very_long_profile_handle_that_goes_on_and_on_and_on",
                "status": "paused", "last_scraped": now - 86_400, "next_scrape_due": null}),
            serde_json::json!({"task_id": "665000031123456789abcdef",
                "target_profile": "東京国立博物館の公式アカウントです", "status": "active"}),
        ],
        projects: vec![(
            "summer".into(),
            vec![
                serde_json::json!({"task_id": "66500004a1b2c3d4e5f60718", "reel_url": long_reel,
                "status": "active", "created_at": now - 600}),
            ],
        )],
        ..Listing::default()
    });
    server.task("66500000dfc73d4b8532371a", Task::new(vec![Step::Same; 50]));
    let ids = [
        "66500000dfc73d4b8532371a",
        "66500003111f387d1ae78d2f",
        "665000031123456789abcdef",
        "66500004a1b2c3d4e5f60718",
    ];
    for cols in [80, 50] {
        for project in [false, true] {
            let mut args = vec!["ls", "--base-url", &server.url];
            if project {
                args.extend(["--project", "summer"]);
            }
            let out = at_a_terminal_of(cols, &args);
            out.assert_code(0);
            let shown = if project { &ids[..] } else { &ids[..3] };
            // What was written: each line within the width, by display width.
            let written: Vec<&str> = out
                .stdout
                .split("\r\n")
                .filter(|l| !l.trim().is_empty())
                .collect();
            assert_eq!(written.len(), 1 + shown.len(), "{cols}: {written:#?}");
            for line in &written {
                let width = console::measure_text_width(line);
                assert!(width <= cols, "{cols} columns, {width} written: {line:?}");
            }
            // What is on the screen: a row per task, none wrapped onto the next.
            let mut screen = Screen::new(cols);
            screen.feed(&out.stdout);
            let rows: Vec<String> = screen
                .text()
                .into_iter()
                .filter(|r| !r.is_empty())
                .collect();
            assert_eq!(rows.len(), 1 + shown.len(), "{cols}: {rows:#?}");
            assert!(rows[0].starts_with("TASK"), "{rows:#?}");
            for (row, id) in rows[1..].iter().zip(shown) {
                assert!(row.starts_with(id), "{cols}: {row:?} is not {id}'s row");
            }
            assert!(rows[1].contains("PROCESSING"), "{rows:#?}");
            assert!(
                rows[2].contains("@a_very_") && rows[2].contains('…'),
                "{rows:#?}"
            );
            if cols == 80 {
                assert!(
                    rows[1].contains("2h ago") && rows[1].contains("in 3h"),
                    "relative times: {rows:#?}"
                );
            }
            if project {
                assert!(rows[4].contains("reel/Cxxx"), "{rows:#?}");
            }
        }
    }
    // Full values in -o plain, at a terminal too.
    let plain = at_a_terminal_of(
        50,
        &[
            "ls",
            "--base-url",
            &server.url,
            "--project",
            "summer",
            "-o",
            "plain",
        ],
    );
    assert!(
        plain.stdout.replace("\r\n", "").contains(&long_reel),
        "{}",
        plain.stdout
    );
    assert!(
        plain
            .stdout
            .contains("a_very_long_profile_handle_that_goes_on_and_on_and_on"),
        "{}",
        plain.stdout
    );
}
