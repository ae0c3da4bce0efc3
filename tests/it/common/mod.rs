//! Support for the integration tests: `server` is the scripted backend (a real HTTP server on
//! 127.0.0.1:0), `process` runs the real binary (with a time limit, at a pseudo-terminal, or as
//! `taskwatch serve`) and checks what it did, and `eventually` polls for a condition instead of
//! sleeping a fixed time.

#![allow(dead_code)]

mod process;
mod server;

pub use process::*;
pub use server::*;

use std::time::{Duration, Instant};

/// Polls `condition` every 20 ms until it holds; fails the test after `limit`, saying `what`
/// was awaited. A fixed sleep before an assertion is too short on a loaded machine and too
/// long on a quiet one; this waits exactly as long as needed.
pub fn eventually(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < limit, "not within {limit:?}: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
