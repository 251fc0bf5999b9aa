//! The AWS boundary: one client factory per account, the retry policy, API
//! call counting, error rendering and resource-name parsing.

mod calls;
mod credentials;
mod error;
mod factory;
mod host_prefix;
pub mod names;
mod retry;
mod rules;

pub use calls::{ApiCallCounter, ApiCallKey, Outcome};
pub use error::{AwsError, AwsErrorKind};
pub use factory::{AccountClients, ClientFactory};
pub use retry::{retry_config, timeout_config};
pub use rules::fetch_rule;
