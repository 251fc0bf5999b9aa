//! xprobe proves, end to end, that AWS IoT Core topic rules deliver messages
//! across AWS accounts, and explains in plain words why they don't.
//!
//! The library holds all the logic; `src/main.rs` is a thin entry point that
//! parses arguments, calls [`cli::run`] and maps the outcome to an exit code.

pub mod aws;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod dest;
pub mod diagnose;
pub mod exit;
pub mod metrics;
pub mod mqtt;
pub mod policy;
pub mod probe;
pub mod rule;
