//! S3 destinations: compute as much of the object key as a prober can know
//! from the rule's key template, then GET it or list from the publish time,
//! and match the probe id in the body.

mod checks;
mod facts;
mod search;
mod verify;

pub use checks::check;
pub use facts::{gather, BucketEncryption, PublicAccessBlock, S3Facts};
pub use search::{plan, single_get_advice, SearchPlan};
pub use verify::verify;
