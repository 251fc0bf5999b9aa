//! SQS destinations: long-poll the queue for the probe, delete only our own
//! messages, and make every other message visible again at once; for
//! diagnose, the facts to read and the checks to run.

mod checks;
mod facts;
mod reader;
mod redrive;
mod verify;

pub use checks::check;
pub use facts::{gather, QueueAttributes, SqsFacts};
pub use reader::{QueueReader, ReadStats};
pub use redrive::{redrive_risk, redrive_warning, RedriveRisk};
pub use verify::{verify, verify_queue};
