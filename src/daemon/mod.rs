//! `xprobe run`: probe every route on its interval and serve Prometheus
//! metrics, like blackbox_exporter does for HTTP endpoints.
//!
//! - [`scheduler`]: one task per route, on its interval with jitter; never
//!   two probes of one route at once; a probe past its interval is a timeout.
//! - [`publisher`]: the one shared publisher, reopened with capped backoff.
//! - [`recorder`]: outcomes into metrics, `/status` and diagnosis.
//! - [`diagnosis`]: the [`Diagnoser`] seam and its per-route rate limit.
//! - [`http`]: `/metrics`, `/healthz`, `/readyz`, `/status`, `/probe`,
//!   `POST /-/reload`.
//! - [`state`]: the config in force, reload and readiness; [`run`](run()):
//!   signals (SIGHUP reloads, SIGTERM stops gracefully).

pub mod diagnosis;
pub mod http;
pub mod prober;
pub mod publisher;
pub mod recorder;
mod run;
pub mod scheduler;
pub mod state;
pub mod status;

pub use diagnosis::{Diagnoser, FactsDiagnoser, ResultDiagnoser};
pub use run::{run, DaemonError, Options};

#[cfg(test)]
mod tests;
