//! Probes: the tag each probe carries, how a message is recognised as a
//! probe, probing a route, and the results a probe ends in.

mod ledger;
mod matcher;
mod outcome;
mod route;
mod tag;

pub use ledger::{Arrival, ProbeLedger};
pub use matcher::{find_tag, BodyShape, FoundTag};
pub use outcome::{DestinationResult, PublishReport, RouteResult, Status};
pub use route::{error_chain, needs_rule, resolve_topic, RouteProbe, TopicError};
pub use tag::{build_payload, now_ms, ProbeTag, TAG_FIELD};
