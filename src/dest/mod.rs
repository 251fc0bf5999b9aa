//! Destinations: for each kind, how to verify a probe arrived, which facts
//! to read, and which checks to run.

mod context;
pub mod kms;
pub mod lambda;
pub mod s3;
pub mod sns;
pub mod sqs;
mod verify;

pub use context::VerifyContext;
pub use verify::verify_destination;
