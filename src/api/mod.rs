//! The backend's HTTP API, nothing else: its JSON (`wire/`), the client (`client.rs`: requests
//! and the task status; `actions.rs`: triggers and login; `listing.rs`: listings), what an answer
//! means (`response.rs`, `error.rs`), paths and connection settings.

mod actions;
pub mod client;
pub mod connection;
pub mod error;
pub mod listing;
pub mod paths;
mod response;
pub mod wire;

pub use client::{ApiError, Client, Connection, TriggerKind, Triggered};
