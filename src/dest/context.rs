//! What a verifier needs to know about the probe it waits for.

use std::time::Instant;

use crate::probe::{ProbeLedger, ProbeTag};

/// The probe being verified and the limits of the wait.
#[derive(Debug, Clone)]
pub struct VerifyContext {
    pub tag: ProbeTag,
    /// Give up waiting at this instant.
    pub deadline: Instant,
    pub ledger: ProbeLedger,
}
