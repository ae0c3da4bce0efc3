//! What happens when a task ends, besides the output: `--notify` (the terminal bell and a
//! desktop notification) and `--on-end` (a shell command with the facts in its environment).
//! Both run on tasks of their own, fed by the pollers' ends: never on the renderer's thread or
//! in a poller, so a slow hook or D-Bus cannot hold up a line or a poll.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};

use crate::events::{End, Followed, Report};
use crate::messages;
use crate::render::{self, outcomes, Mode, WrittenLog};
use crate::sanitize;
use crate::secret::{Scrubber, Secret};

/// How long a desktop notification may take to be posted.
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(5);

/// What the end actions need to know.
#[derive(Clone)]
pub struct EndActions {
    pub notify: bool,
    pub on_end: Option<String>,
    pub on_end_timeout: Duration,
    /// The base URL without user name or password.
    pub base_url: String,
    pub secrets: Vec<Secret>,
    pub mode: Mode,
    /// What reached stdout: an interrupted `watch`'s resume index is never past it.
    pub written: Arc<WrittenLog>,
}

impl EndActions {
    pub fn wanted(&self) -> bool {
        self.notify || self.on_end.is_some()
    }
}

/// The base URL as a hook may see it: no user name, no password.
pub fn public_url(url: &reqwest::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

/// What the worker's tasks share: the actions, and the scrubber their words go through.
struct Shared {
    actions: EndActions,
    scrubber: Scrubber,
}

/// Starts the worker; send it each task's end, drop the sender when all have ended, then await
/// the handle (it returns once every hook has finished or been killed).
pub fn start(actions: EndActions) -> (mpsc::UnboundedSender<(Followed, Report)>, JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Followed, Report)>();
    let handle = tokio::spawn(async move {
        let shared = Arc::new(Shared {
            scrubber: Scrubber::new(&actions.secrets),
            actions,
        });
        let mut running = JoinSet::new();
        let mut runs: HashMap<String, u32> = HashMap::new();
        while let Some((task, mut report)) = rx.recv().await {
            if report.end == End::Interrupted && shared.actions.mode == Mode::Watch {
                shared
                    .actions
                    .written
                    .reconcile(std::slice::from_mut(&mut report));
            }
            let run = runs.entry(task.id.clone()).or_default();
            *run += 1;
            let run = *run;
            if shared.actions.notify {
                let a = shared.clone();
                let (t, r) = (task.clone(), report.clone());
                running.spawn(async move { notify(&a.scrubber, &t, &r).await });
            }
            if let Some(command) = shared.actions.on_end.clone() {
                let a = shared.clone();
                running.spawn(async move {
                    hook(&a.actions, &a.scrubber, &command, &task, &report, run).await
                });
            }
        }
        while running.join_next().await.is_some() {}
    });
    (tx, handle)
}

/// `@handle` or the id, scrubbed and escaped (inert to a CI runner too: a hook's report may
/// come after the renderer resumed GitHub's command processing).
fn name(scrubber: &Scrubber, task: &Followed) -> String {
    render::github::inert(&scrubber.scrub(&render::label(task)))
}

/// The bell on a terminal, and a desktop notification where a session bus is present; never
/// an error.
async fn notify(scrubber: &Scrubber, task: &Followed, r: &Report) {
    let outcome = r.outcome();
    let title = format!(
        "{}{} {}",
        crate::messages::PREFIX,
        name(scrubber, task),
        outcomes::short(outcome)
    );
    let mut body = format!(
        "{} after {} (exit {})",
        outcomes::short(outcome),
        render::duration(r.elapsed),
        outcome.exit_code()
    );
    if task.profile.is_some() {
        body.push_str(&format!("\ntask {}", sanitize::line(&task.id)));
    }
    if std::io::stderr().is_terminal() {
        let mut err = std::io::stderr();
        let _ = err.write_all(b"\x07");
        let _ = err.flush();
    }
    if !session_bus() {
        return;
    }
    let _ = tokio::time::timeout(NOTIFY_TIMEOUT, desktop(title, body)).await;
}

/// Whether a desktop session's D-Bus can be reached (else there is no one to notify).
fn session_bus() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|a| !a.is_empty())
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|d| std::path::Path::new(&d).join("bus").exists())
}

#[cfg(all(unix, not(target_os = "macos")))]
async fn desktop(title: String, body: String) {
    let _ = notify_rust::Notification::new()
        .appname("taskwatch")
        .summary(&title)
        .body(&body)
        .show_async()
        .await;
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
async fn desktop(title: String, body: String) {
    let _ = tokio::task::spawn_blocking(move || {
        notify_rust::Notification::new()
            .appname("taskwatch")
            .summary(&title)
            .body(&body)
            .show()
            .map(|_| ())
    })
    .await;
}

/// The facts a hook gets, as environment variables.
pub fn facts(a: &EndActions, task: &Followed, r: &Report, run: u32) -> Vec<(&'static str, String)> {
    let outcome = r.outcome();
    vec![
        ("TASKWATCH_TASK_ID", task.id.clone()),
        (
            "TASKWATCH_PROFILE",
            task.profile.clone().unwrap_or_default(),
        ),
        ("TASKWATCH_RUN", run.to_string()),
        ("TASKWATCH_OUTCOME", outcome.as_str().to_string()),
        ("TASKWATCH_EXIT_CODE", outcome.exit_code().to_string()),
        ("TASKWATCH_LINES", r.lines.to_string()),
        ("TASKWATCH_MISSED", r.missed.to_string()),
        (
            "TASKWATCH_DURATION_S",
            format!("{:.1}", r.elapsed.as_secs_f64()),
        ),
        ("TASKWATCH_RESUME_FROM_INDEX", r.resume_from.to_string()),
        ("TASKWATCH_BASE_URL", a.base_url.clone()),
    ]
}

/// Runs the hook: `sh -c COMMAND`, the facts in its environment only, no credential in it,
/// its output on stderr; killed (with what it started) after the timeout.
async fn hook(
    a: &EndActions,
    scrubber: &Scrubber,
    command: &str,
    task: &Followed,
    r: &Report,
    run: u32,
) {
    let who = format!("[{}] ", name(scrubber, task));
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c").arg(command);
    // Whatever holds a credential stays out: the token's variable, the URL's (it may carry a
    // password), and any variable whose value contains one.
    for (key, value) in std::env::vars_os() {
        let value = value.to_string_lossy();
        let holds_secret = a
            .secrets
            .iter()
            .any(|s| s.expose().chars().count() >= 4 && value.contains(s.expose()));
        if holds_secret || key == "TASKWATCH_TOKEN" || key == "TASKWATCH_URL" {
            cmd.env_remove(key);
        }
    }
    cmd.envs(facts(a, task, r, run));
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(std::io::stderr()))
        .stderr(Stdio::from(std::io::stderr()))
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            messages::warning(&format!("{who}cannot run the --on-end command: {e}"));
            return;
        }
    };
    let status = match tokio::time::timeout(a.on_end_timeout, child.wait()).await {
        Ok(status) => status,
        Err(_) => {
            kill(&mut child).await;
            messages::warning(&format!(
                "{who}the --on-end command was still running after {} (--on-end-timeout): killed",
                render::duration(a.on_end_timeout)
            ));
            return;
        }
    };
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            let how = match s.code() {
                Some(code) => format!("exited with {code}"),
                None => "was ended by a signal".to_string(),
            };
            messages::warning(&format!(
                "{who}the --on-end command {how} (the exit code stays the task's)"
            ));
        }
        Err(e) => messages::warning(&format!("{who}the --on-end command: {e}")),
    }
}

/// Kills the hook and everything it started (its process group).
async fn kill(child: &mut tokio::process::Child) {
    #[cfg(unix)]
    if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory involved.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill().await;
}
