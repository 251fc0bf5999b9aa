//! The TOML config: accounts, the MQTT publisher and the routes to probe.
//!
//! Parsing walks the spanned TOML tree by hand instead of using serde derive,
//! so that every problem in a file (unknown keys, wrong types, bad values) is
//! reported at once with its line, its key and a fix.

mod draft;
mod load;
mod model;
mod problem;
mod reader;
mod routes;
mod sections;
mod suggest;

pub use draft::{
    render as render_draft, topic_for_filter, Draft, DraftAccount, DraftCredentials, DraftDestination, DraftRoute,
    MqttFiles,
};
pub use load::{load, parse_str};
pub use model::{
    AccountConfig, Config, CredentialSource, DestinationConfig, DestinationSpec, MqttConfig, PublishMode, RouteConfig,
};
pub use problem::{ConfigError, ConfigProblem};
pub use suggest::closest;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_mutated;
