//! The integration tests: one crate (one link) with a module per area, each running the real
//! binary against real HTTP servers on 127.0.0.1 (port 0). `common` holds the scripted server
//! and the process runner.

mod archive;
mod ci;
mod common;
mod discover;
mod edges;
mod fidelity;
mod filters;
mod hardening;
mod newcomer;
mod outcomes;
mod profiles;
mod progress;
mod shell;
mod sim;
mod terminal;
mod watch;
