//! One home per command. Each takes what the command line gave, resolves only what it needs
//! (through `session` when it talks to the backend) and returns an `Outcome`.

pub mod archived;
pub mod config;
#[cfg(feature = "sim")]
pub mod demo;
pub mod help;
pub mod history;
pub mod login;
pub mod logs;
pub mod ls;
pub mod prune;
pub mod record;
#[cfg(feature = "sim")]
pub mod serve;
pub mod session;
pub mod stats;
pub mod status;
pub mod watch;
