//! Renderer unit tests: every format, marker, the summary and quiet mode, written to buffers.

use std::io;
use std::time::Duration;

use serde_json::{json, Value};

use super::*;
use crate::api::ApiError;
use crate::config::{CiSystem, OutputFormat};
use crate::events::{Discovery, End, Followed};
use crate::line::LogLine;
use crate::messages::PREFIX;
use crate::tracker::Entry;
use crate::tracker::RestartReason;

fn presentation(format: OutputFormat, quiet: bool) -> Presentation {
    colored::control::set_override(false);
    Presentation {
        format,
        utc: true,
        relative: false,
        quiet,
        verbose: 0,
        progress: false,
        color: false,
    }
}

fn setup(format: OutputFormat, tasks: &[&str]) -> Setup {
    Setup {
        mode: Mode::Watch,
        presentation: presentation(format, false),
        tasks: tasks
            .iter()
            .map(|t| Followed::id(*t))
            .collect::<Vec<_>>()
            .into(),
        open: false,
        secrets: vec![Secret::new("s3cr3t-token")],
        resume_hint: true,
        highlight: Vec::new(),
        ci: Default::default(),
        heartbeat: None,
    }
}

fn line(index: u64, text: &str) -> Entry<LogLine> {
    Entry::Line {
        index,
        item: LogLine::new(Some(json!(1703123456)), text.into()),
    }
}

fn report(task: usize, end: End) -> Report {
    Report {
        lines: 3,
        missed: 1,
        requests: 4,
        elapsed: Duration::from_millis(2500),
        resume_from: 7,
        ..Report::new(task)
    }
    .with_end(end)
}

trait WithEnd {
    fn with_end(self, end: End) -> Self;
}

impl WithEnd for Report {
    fn with_end(mut self, end: End) -> Self {
        self.end = end;
        self
    }
}

/// Runs events through a renderer and returns (stdout, stderr).
fn render(setup: Setup, events: Vec<Event>) -> (String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut r = Renderer::new(setup, &mut out, &mut err, None);
    let mut reports = Vec::new();
    for e in events {
        if let Event::Ended(report) = &e {
            reports.push(report.clone());
        }
        r.handle(e).unwrap();
    }
    reports.sort_by_key(|r| r.task);
    r.finish(&reports, true).unwrap();
    (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn batch(entries: Vec<Entry<LogLine>>) -> Event {
    Event::Batch { task: 0, entries }
}

#[test]
fn plain_lines_and_markers_in_order() {
    let events = vec![
        batch(vec![
            line(0, "first"),
            Entry::Gap { missed: Some(5) },
            line(6, "after\u{1b}[2J gap"),
            Entry::Restart {
                reason: RestartReason::Reset,
            },
            Entry::Gap { missed: None },
        ]),
        Event::Ended(report(0, End::Finished)),
    ];
    let (out, err) = render(setup(OutputFormat::Plain, &["t1"]), events);
    assert_eq!(
        out,
        "2023-12-21T01:50:56+00:00 first\n2023-12-21T01:50:56+00:00 after\\e[2J gap\n"
    );
    let want = [
        format!("{PREFIX}gap: 5 lines scrolled past before they could be read"),
        format!("{PREFIX}restart: the task's log started over"),
        format!("{PREFIX}gap: an unknown number of lines scrolled past before they could be read"),
        format!("{PREFIX}t1 finished after 2.5s: 3 lines shown, 1 missed, 4 requests"),
        format!("{PREFIX}lines written in the last moments"),
    ];
    let mut at = 0;
    for w in &want {
        let found = err[at..]
            .find(w.as_str())
            .unwrap_or_else(|| panic!("{w:?} in {err}"));
        at += found + w.len();
    }
}

#[test]
fn human_lines_have_clock_and_indented_continuations() {
    let events = vec![batch(vec![line(0, "one\ntwo")])];
    let (out, _) = render(setup(OutputFormat::Human, &["t1"]), events);
    assert_eq!(out, "01:50:56 one\n         two\n");
}

#[test]
fn several_tasks_get_prefixes_and_a_table() {
    let events = vec![
        Event::Batch {
            task: 1,
            entries: vec![line(0, "x")],
        },
        Event::Ended(report(1, End::NotSeen)),
        Event::Ended(report(0, End::TimedOut)),
    ];
    let (out, err) = render(setup(OutputFormat::Plain, &["a", "bb"]), events);
    assert_eq!(out, "bb | 2023-12-21T01:50:56+00:00 x\n");
    assert!(err.contains("task  outcome"), "{err}");
    let a = err.find("\na  ").expect("row of a");
    let b = err.find("\nbb  ").expect("row of bb");
    assert!(a < b, "rows in task order: {err}");
    assert!(
        err.contains(&format!(
            "{PREFIX}[a] resume with: taskwatch watch --from-index 7 a"
        )),
        "{err}"
    );
}

#[test]
fn json_records_and_end() {
    let events = vec![
        batch(vec![
            line(3, "m"),
            Entry::Gap { missed: None },
            Entry::Restart {
                reason: RestartReason::Realigned,
            },
            Entry::Ambiguous,
        ]),
        Event::Ended(report(
            0,
            End::FailOn {
                index: 3,
                line: "m".into(),
            },
        )),
    ];
    let (out, err) = render(setup(OutputFormat::Json, &["t1"]), events);
    let records: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records[0]["type"], "log");
    assert_eq!(records[0]["index"], 3);
    assert_eq!(
        records[1],
        json!({"type": "gap", "task_id": "t1", "missed": null})
    );
    assert_eq!(
        records[2],
        json!({"type": "restart", "task_id": "t1", "reason": "realigned"})
    );
    assert_eq!(
        records[3],
        json!({"type": "gap", "task_id": "t1", "missed": null, "reason": "ambiguous"})
    );
    assert_eq!(records[4]["type"], "end");
    assert_eq!(records[4]["outcome"], "failed");
    assert_eq!(records[4]["exit_code"], 1);
    assert_eq!(records[4]["resume_from_index"], 7);
    // `index` counts from 0; the words, for people, from 1.
    assert_eq!(records[4]["error"], "line 4 matched --fail-on: m");
    assert!(!err.contains("gap:"), "markers are records in json: {err}");
}

#[test]
fn wait_prints_no_lines_and_no_markers() {
    let mut s = setup(OutputFormat::Plain, &["t1"]);
    s.mode = Mode::Wait;
    let events = vec![
        batch(vec![line(0, "x"), Entry::Gap { missed: Some(2) }]),
        Event::Ended(report(0, End::Finished)),
    ];
    let (out, err) = render(s, events);
    assert_eq!(out, "");
    assert!(!err.contains("gap"), "{err}");
    assert!(!err.contains("last moments"), "{err}");
}

#[test]
fn quiet_keeps_lines_and_errors_only() {
    let mut s = setup(OutputFormat::Plain, &["t1"]);
    s.presentation.quiet = true;
    let events = vec![
        batch(vec![line(0, "x"), Entry::Gap { missed: Some(2) }]),
        Event::Retrying {
            task: 0,
            attempt: 1,
            error: ApiError::Timeout,
            delay: Duration::from_secs(1),
            answered: true,
        },
        Event::Ended(report(
            0,
            End::Api(ApiError::Auth {
                status: 401,
                reason: None,
            }),
        )),
    ];
    let (out, err) = render(s, events);
    assert_eq!(out, "2023-12-21T01:50:56+00:00 x\n");
    assert!(!err.contains("gap") && !err.contains("retrying"), "{err}");
    assert!(err.contains("error: HTTP 401 Unauthorized"), "{err}");
    assert!(err.contains("hint: check the token"), "{err}");
    assert!(!err.contains("finished after"), "{err}");
}

#[test]
fn server_text_is_scrubbed_of_the_token_and_escaped() {
    let echoed = ApiError::Status {
        status: 500,
        excerpt: "Authorization: Bearer s3cr3t-token\u{7}".into(),
        retry_after: None,
    };
    let events = vec![
        Event::Retrying {
            task: 0,
            attempt: 1,
            error: echoed.clone(),
            delay: Duration::from_secs(1),
            answered: true,
        },
        Event::Ended(report(
            0,
            End::GaveUp {
                error: echoed,
                after: Duration::from_secs(300),
            },
        )),
    ];
    for format in [OutputFormat::Plain, OutputFormat::Json] {
        let (out, err) = render(setup(format, &["t1"]), events_clone(&events));
        assert!(
            !out.contains("s3cr3t") && !err.contains("s3cr3t"),
            "{out}{err}"
        );
        assert!(err.contains("Bearer ****\\x07; retrying in 1.0s"), "{err}");
        assert!(err.contains("(requests failing for 5m 00s)"), "{err}");
    }
}

fn events_clone(events: &[Event]) -> Vec<Event> {
    events
        .iter()
        .map(|e| match e {
            Event::Retrying {
                task,
                attempt,
                error,
                delay,
                answered,
            } => Event::Retrying {
                task: *task,
                attempt: *attempt,
                error: error.clone(),
                delay: *delay,
                answered: *answered,
            },
            Event::Ended(r) => Event::Ended(r.clone()),
            _ => unreachable!("only these are cloned"),
        })
        .collect()
}

#[test]
fn recovered_triggered_and_verbose_notes() {
    let mut s = setup(OutputFormat::Plain, &["t1"]);
    s.presentation.verbose = 1;
    let events = vec![
        Event::Triggered {
            task: 0,
            already_running: true,
        },
        Event::Recovered {
            task: 0,
            failures: 2,
        },
        Event::Request {
            task: 0,
            detail: "GET /x → 200".into(),
        },
    ];
    let (_, err) = render(s, events);
    assert!(err.contains(&format!(
        "{PREFIX}t1 is already being processed: following it"
    )));
    assert!(err.contains(&format!("{PREFIX}recovered after 2 failed requests")));
    assert!(err.contains(&format!("{PREFIX}GET /x → 200")));
}

#[test]
fn a_failed_write_is_an_error() {
    struct Full;
    impl io::Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from_raw_os_error(28))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut err = Vec::new();
    let mut r = Renderer::new(setup(OutputFormat::Plain, &["t1"]), Full, &mut err, None);
    let e = r.handle(batch(vec![line(0, "x")])).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(28));
}

#[test]
fn prefixes_line_up_whatever_the_id_lengths() {
    let events = vec![
        Event::Batch {
            task: 0,
            entries: vec![line(0, "x")],
        },
        Event::Batch {
            task: 1,
            entries: vec![line(0, "y\nz")],
        },
    ];
    let (out, _) = render(setup(OutputFormat::Plain, &["m5", "m10"]), events);
    assert_eq!(
        out,
        "m5  | 2023-12-21T01:50:56+00:00 x\n\
         m10 | 2023-12-21T01:50:56+00:00 y\n\
         m10 |                           z\n"
    );
    let events = vec![
        Event::Batch {
            task: 0,
            entries: vec![line(0, "x")],
        },
        Event::Batch {
            task: 1,
            entries: vec![line(0, "y")],
        },
    ];
    let (out, _) = render(setup(OutputFormat::Human, &["m5", "m10"]), events);
    assert_eq!(out, "m5  │ 01:50:56 x\nm10 │ 01:50:56 y\n");
}

#[test]
fn the_table_says_outcomes_in_words_not_json_names() {
    let events = vec![
        Event::Ended(report(0, End::NotSeen)),
        Event::Ended(report(
            1,
            End::Api(ApiError::Auth {
                status: 401,
                reason: None,
            }),
        )),
        Event::Ended(report(2, End::TimedOut)),
    ];
    let (_, err) = render(setup(OutputFormat::Plain, &["a", "b", "c"]), events);
    for json_name in ["not_seen", "auth_error", "timed_out"] {
        assert!(!err.contains(json_name), "{json_name}: {err}");
    }
    assert!(err.contains("\na     never seen   "), "{err}");
    assert!(err.contains("\nb     auth rejected"), "{err}");
    assert!(err.contains("\nc     timed out    "), "{err}");
}

#[test]
fn counts_are_said_in_the_singular_and_wait_has_seen_what_watch_showed() {
    let one = |mode: Mode| {
        let mut s = setup(OutputFormat::Plain, &["t1"]);
        s.mode = mode;
        let mut r = report(0, End::Finished);
        r.lines = 1;
        r.requests = 1;
        render(s, vec![Event::Ended(r)]).1
    };
    let watched = one(Mode::Watch);
    assert!(
        watched.contains("finished after 2.5s: 1 line shown, 1 missed, 1 request\n"),
        "{watched}"
    );
    let waited = one(Mode::Wait);
    assert!(
        waited.contains("finished after 2.5s: 1 line seen, 1 missed, 1 request\n"),
        "{waited}"
    );
}

#[test]
fn no_resume_hint_where_there_is_nothing_to_resume() {
    let mut s = setup(OutputFormat::Plain, &["t1"]);
    let events = || vec![Event::Ended(report(0, End::Interrupted))];
    let (_, err) = render(s.clone(), events());
    assert!(err.contains("resume with --from-index 7"), "{err}");
    s.resume_hint = false;
    let (_, err) = render(s, events());
    assert!(
        err.contains("interrupted after") && !err.contains("--from-index"),
        "{err}"
    );
}

#[test]
fn the_first_unanswered_connection_gets_one_hint_naming_the_url() {
    let refused = || ApiError::Transport {
        url: "http://localhost:8080/codvid-ai/ig-tracking/task_status/t".into(),
        connect: true,
        detail: "tcp connect error: Connection refused".into(),
    };
    let retrying = |task: usize, answered: bool| Event::Retrying {
        task,
        attempt: 1,
        error: refused(),
        delay: Duration::from_secs(1),
        answered,
    };
    let (_, err) = render(
        setup(OutputFormat::Plain, &["a", "b"]),
        vec![retrying(0, false), retrying(1, false)],
    );
    assert!(
        err.contains(&format!("{PREFIX}[a] cannot connect to http://localhost:8080: tcp connect error: Connection refused; retrying in 1.0s")
        ),
        "{err}"
    );
    let hint =
        "hint: is the backend running at http://localhost:8080? set --base-url or TASKWATCH_URL";
    assert_eq!(err.matches(hint).count(), 1, "once a run: {err}");
    let (_, err) = render(setup(OutputFormat::Plain, &["a"]), vec![retrying(0, true)]);
    assert!(!err.contains("hint"), "the server answered before: {err}");
}

#[test]
fn progress_records_and_the_end_record_carry_progress_and_hidden_lines() {
    let progress = crate::fraction::Snapshot {
        label: "Processing post".into(),
        done: 3,
        total: 12,
        eta_s: None,
        eta_source: None,
        measured: 0,
    };
    let mut end = report(0, End::Finished);
    end.hidden = 2;
    end.progress = Some(crate::fraction::Snapshot {
        done: 12,
        eta_s: Some(0),
        eta_source: Some(crate::fraction::EtaSource::Rate),
        ..progress.clone()
    });
    let events = vec![
        batch(vec![line(0, "Processing post 3/12")]),
        Event::Progress { task: 0, progress },
        Event::Ended(end),
    ];
    let (out, _) = render(setup(OutputFormat::Json, &["t1"]), events);
    let records: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        records[1],
        json!({"type": "progress", "task_id": "t1", "label": "Processing post",
               "done": 3, "total": 12, "eta_s": null, "eta_source": null})
    );
    assert_eq!(records[2]["hidden"], 2);
    assert_eq!(
        records[2]["progress"],
        json!({"label": "Processing post", "done": 12, "total": 12, "eta_s": 0,
               "eta_source": "rate"})
    );
    // Plain output has no progress records, and the summary counts the hidden lines.
    let mut end = report(0, End::Finished);
    end.hidden = 2;
    let (out, err) = render(setup(OutputFormat::Plain, &["t1"]), vec![Event::Ended(end)]);
    assert!(out.is_empty());
    assert!(err.contains("3 lines shown (2 hidden), 1 missed"), "{err}");
}

fn added(task: usize, id: &str, profile: Option<&str>, run: u32) -> Event {
    Event::Added {
        task,
        followed: Followed {
            id: id.into(),
            profile: profile.map(String::from),
        },
        run,
    }
}

#[test]
fn tasks_added_while_running_are_announced_and_named() {
    let mut open = setup(OutputFormat::Plain, &[]);
    open.open = true;
    let events = vec![
        Event::Discovery(Discovery::NothingProcessing { waiting: true }),
        added(0, "66a1", Some("bbcnews"), 1),
        Event::Batch {
            task: 0,
            entries: vec![line(0, "x"), Entry::Gap { missed: Some(2) }],
        },
        Event::Ended(report(0, End::Finished)),
        added(1, "66a1", Some("bbcnews"), 2),
        added(2, "t9", None, 1),
        Event::Ended(report(2, End::Finished)),
        Event::Ended(report(1, End::Interrupted)),
    ];
    let (out, err) = render(open.clone(), events);
    assert_eq!(out, "@bbcnews | 2023-12-21T01:50:56+00:00 x\n");
    for want in [
        format!("{PREFIX}no task is processing yet; waiting for one to start (Ctrl-C stops)\n"),
        format!("{PREFIX}@bbcnews (66a1) is processing: following it\n"),
        format!("{PREFIX}[@bbcnews] gap: 2 lines scrolled past before they could be read\n"),
        format!("{PREFIX}@bbcnews (66a1) is processing again: following it (run 2)\n"),
        format!("{PREFIX}t9 is processing: following it\n"),
        "\n@bbcnews  finished".into(),
        "\n@bbcnews  interrupted".into(),
        "\nt9        finished".into(),
    ] {
        assert!(err.contains(&want), "{want:?} in {err}");
    }
    let json = Setup {
        presentation: presentation(OutputFormat::Json, false),
        ..open
    };
    let events = vec![
        added(0, "66a1", Some("bbcnews"), 2),
        Event::Batch {
            task: 0,
            entries: vec![line(4, "x")],
        },
        Event::Ended(report(0, End::Finished)),
    ];
    let (out, _) = render(json, events);
    let records: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        records[0],
        json!({"type": "follow", "task_id": "66a1", "profile": "bbcnews", "run": 2})
    );
    assert_eq!(
        (
            &records[1]["task_id"],
            &records[1]["profile"],
            &records[1]["index"]
        ),
        (&json!("66a1"), &json!("bbcnews"), &json!(4))
    );
    assert_eq!(records[2]["type"], "end");
    assert_eq!(records[2]["profile"], "bbcnews");
}

#[test]
fn no_resume_hint_after_no_line_at_all() {
    let mut nothing = report(0, End::Interrupted);
    nothing.resume_from = 0;
    nothing.first_shown = None;
    let (_, err) = render(
        setup(OutputFormat::Plain, &["a"]),
        vec![Event::Ended(nothing)],
    );
    assert!(!err.contains("resume with"), "{err}");
}

#[test]
fn without_a_status_line_retries_are_said_now_and_then_not_at_every_attempt() {
    let retry = |attempt| Event::Retrying {
        task: 0,
        attempt,
        error: ApiError::Timeout,
        delay: Duration::from_secs(1),
        answered: true,
    };
    let (_, err) = render(
        setup(OutputFormat::Plain, &["a"]),
        vec![retry(1), retry(2), retry(3), retry(4)],
    );
    assert_eq!(err.matches("retrying in").count(), 1, "{err}");
    assert!(
        !err.contains("still retrying"),
        "not within a minute: {err}"
    );
}

#[test]
fn github_groups_do_not_nest_each_stretch_of_a_tasks_lines_is_one() {
    let github = Setup {
        ci: CiSystem::Github,
        ..setup(OutputFormat::Plain, &["a", "b"])
    };
    let batch = |task, index, text: &str| Event::Batch {
        task,
        entries: vec![line(index, text)],
    };
    let events = vec![
        batch(0, 0, "x"),
        batch(0, 1, "y"),
        batch(1, 0, "z\n::add-mask::q"),
        batch(0, 2, "w"),
        Event::Ended(report(1, End::Finished)),
        Event::Ended(report(0, End::TimedOut)),
    ];
    let (out, err) = render(github, events);
    let commands: Vec<&str> = out.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(
        commands,
        [
            "::group::taskwatch a",
            "::endgroup::",
            "::group::taskwatch b",
            "::endgroup::",
            "::group::taskwatch a (continued)",
            "::warning title=taskwatch b::1 line scrolled past before it could be read (raise --logs-count or lower --interval)",
            "::endgroup::",
            "::error title=taskwatch a::timed out (--timeout) while the task was still processing",
            "::warning title=taskwatch a::1 line scrolled past before it could be read (raise --logs-count or lower --interval)",
        ],
        "{out}"
    );
    let looks_like_one = out.lines().filter(|l| l.trim_start().starts_with("::"));
    assert_eq!(looks_like_one.count(), commands.len(), "{out}");
    // One task, no prefix: the continuation line would start with `::`.
    let one = Setup {
        ci: CiSystem::Github,
        ..setup(OutputFormat::Plain, &["a"])
    };
    let (out, _) = render(one, vec![batch(0, 0, "z\n::add-mask::q")]);
    assert!(
        out.contains("\n                          \\x3a:add-mask::q\n"),
        "{out}"
    );
    assert!(
        !err.lines().any(|l| l.trim_start().starts_with("::")),
        "{err}"
    );
}
