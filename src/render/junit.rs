//! The JUnit XML report (`--junit`): one `<testsuite name="taskwatch">`, one `<testcase>` per
//! followed task. A function of the tasks and their reports only, so that a recorded run can
//! be reported the same way as a live one.

use quick_junit::{NonSuccessKind, Report as JUnit, TestCase, TestCaseStatus, TestSuite};

use super::outcomes;
use super::summary::detail;
use crate::events::{End, Followed, Report};
use crate::outcome::Outcome;
use crate::secret::{Scrubber, Secret};

/// The test case's name: `ID (@profile)`.
fn name(task: &Followed) -> String {
    match &task.profile {
        Some(p) => format!("{} (@{p})", task.id),
        None => task.id.clone(),
    }
}

/// The report as XML. `tasks` are indexed by each report's `task`; text from the server is
/// scrubbed of `secrets` and escaped.
pub fn xml(tasks: &[Followed], reports: &[Report], secrets: &[Secret]) -> String {
    let scrubber = Scrubber::new(secrets);
    let clean = |t: &str| scrubber.clean(t);
    let mut suite = TestSuite::new("taskwatch");
    let mut total = std::time::Duration::ZERO;
    for r in reports {
        let task = tasks
            .get(r.task)
            .cloned()
            .unwrap_or_else(|| Followed::id("?"));
        let outcome = r.outcome();
        let words = outcomes::short(outcome);
        let why = detail(&r.end).map(|d| clean(&d));
        let status = match (outcome, &r.end) {
            (Outcome::Finished, _) => TestCaseStatus::success(),
            (Outcome::NotSeen, _) => {
                let mut s = TestCaseStatus::skipped();
                s.set_message("never seen processing");
                s
            }
            (Outcome::Failed | Outcome::TimedOut, end) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_type(outcome.as_str());
                s.set_message(why.clone().unwrap_or_else(|| words.to_string()));
                if let End::FailOn { line, .. } = end {
                    s.set_description(clean(line));
                }
                s
            }
            _ => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_type(outcome.as_str());
                s.set_message(why.clone().unwrap_or_else(|| words.to_string()));
                s
            }
        };
        let mut case = TestCase::new(clean(&name(&task)), status);
        case.set_classname("taskwatch");
        case.set_time(r.elapsed);
        case.set_system_out(format!(
            "{words}: {} lines, {} missed, resume from index {}",
            r.lines, r.missed, r.resume_from
        ));
        total = total.max(r.elapsed);
        suite.add_test_case(case);
    }
    suite.set_time(total);
    let mut report = JUnit::new("taskwatch");
    report.add_test_suite(suite);
    // Only strings and numbers: serialising into memory cannot fail.
    report.to_string().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn counts_and_escapes() {
        let tasks = [
            Followed::id("ok"),
            Followed {
                id: "bad".into(),
                profile: Some("<nasa>".into()),
            },
            Followed::id("gone"),
        ];
        let mut ok = Report::new(0);
        ok.elapsed = Duration::from_millis(1500);
        let mut bad = Report::new(1);
        bad.end = End::FailOn {
            index: 4,
            line: "ERROR \u{1b}[31m s3cr3t & <x>".into(),
        };
        let mut gone = Report::new(2);
        gone.end = End::NotSeen;
        let xml = xml(&tasks, &[ok, bad, gone], &[Secret::new("s3cr3t")]);
        assert!(xml.contains(r#"tests="3""#), "{xml}");
        assert!(xml.contains(r#"failures="1""#), "{xml}");
        assert!(xml.contains(r#"skipped="1""#), "{xml}");
        assert!(xml.contains("bad (@&lt;nasa&gt;)"), "{xml}");
        assert!(
            xml.contains("line 5 matched --fail-on: ERROR \\e[31m"),
            "{xml}"
        );
        assert!(!xml.contains("s3cr3t"), "{xml}");
    }
}
