//! SNS destinations. SNS can't be read back, so xprobe reads a tap: an SQS
//! queue subscribed to the topic with a filter that passes probes only.

mod checks;
mod facts;
mod tap;
mod verify;

pub use checks::check;
pub use facts::{gather, SnsFacts, Subscription, TopicAttributes};
pub use tap::{create_tap, delete_tap, tap_queue_name, TapCreated, TapDeleted, TapError, TAP_FILTER_POLICY, TAP_TAG};
pub use verify::verify;
