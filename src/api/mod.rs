//! The backend's HTTP API: wire types and the client.

pub mod client;
pub mod connection;
pub mod error;
pub mod listing;
pub mod paths;
mod response;
pub mod wire;

pub use client::{ApiError, Client, Connection, TriggerKind, Triggered};
