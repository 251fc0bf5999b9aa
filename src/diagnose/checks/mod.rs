//! The checks, in the order a message travels: publish, rule, role, then
//! each destination (in `dest/<kind>/checks.rs`), then reported errors.

mod errors;
mod metrics;
mod publish;
mod role;
mod rule;

pub use errors::{rule_error_findings, translate};
pub use metrics::metrics_findings;
pub use publish::publish_findings;
pub use role::trust_findings;
pub use rule::{action_for, rule_findings};
