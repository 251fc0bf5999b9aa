//! Publishing probes: MQTT 5 over mutual TLS (as devices do) or the iot-data
//! HTTPS Publish API, with every failure turned into a plain explanation.

mod classify;
mod endpoint;
mod error;
mod https;
mod publisher;
mod session;
mod tls;

pub use classify::{classify_connack, classify_connection_error, classify_puback};
pub use endpoint::discover_endpoint;
pub use error::{PublishError, PublishErrorKind};
pub use publisher::{PublishTiming, Publisher};
pub use session::{MqttSession, SessionSettings, SessionStats};
pub use tls::client_config;
