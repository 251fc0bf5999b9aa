//! The publisher a check uses: one MQTT session shared by every route, or
//! the HTTPS API.

use std::time::Duration;

use super::endpoint::discover_endpoint;
use super::error::{PublishError, PublishErrorKind};
use super::https;
use super::session::{MqttSession, SessionSettings};
use super::tls::client_config;
use crate::aws::AccountClients;
use crate::config::{MqttConfig, PublishMode};

/// How long connecting and publishing took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishTiming {
    /// Connect time, reported once for the session that carried this publish.
    pub connect: Option<Duration>,
    pub publish: Duration,
}

/// Publishes probes, over MQTT or HTTPS.
pub enum Publisher {
    Mqtt {
        session: MqttSession,
        connect: Duration,
        client_id: String,
    },
    Https {
        client: aws_sdk_iotdataplane::Client,
    },
}

impl Publisher {
    pub async fn publish(&self, topic: &str, payload: Vec<u8>) -> Result<PublishTiming, PublishError> {
        match self {
            Publisher::Mqtt { session, connect, .. } => Ok(PublishTiming {
                connect: Some(*connect),
                publish: session.publish(topic, payload).await?,
            }),
            Publisher::Https { client } => Ok(PublishTiming {
                connect: None,
                publish: https::publish(client, topic, payload).await?,
            }),
        }
    }

    /// The MQTT client id (`clientid()` in rules); `None` over HTTPS, where AWS uses "n/a".
    pub fn client_id(&self) -> Option<&str> {
        match self {
            Publisher::Mqtt { client_id, .. } => Some(client_id),
            Publisher::Https { .. } => None,
        }
    }

    /// The MQTT session's connection health; `None` when publishing over HTTPS.
    pub fn session_stats(&self) -> Option<std::sync::Arc<super::session::SessionStats>> {
        match self {
            Publisher::Mqtt { session, .. } => Some(session.stats()),
            Publisher::Https { .. } => None,
        }
    }

    pub fn mode(&self) -> &'static str {
        match self {
            Publisher::Mqtt { .. } => "mqtt",
            Publisher::Https { .. } => "https",
        }
    }

    /// Closes the MQTT session, if any.
    pub async fn close(self) {
        if let Publisher::Mqtt { session, .. } = self {
            session.close().await;
        }
    }
}

impl Publisher {
    /// Opens the publisher a config asks for. `source` is the account used
    /// for endpoint discovery and for HTTPS publishing.
    pub async fn open(cfg: &MqttConfig, source: &AccountClients, reconnect: bool) -> Result<Publisher, PublishError> {
        let endpoint = match &cfg.endpoint {
            Some(e) => Some(e.clone()),
            None if cfg.publish == PublishMode::Https && source.account.endpoint_url.is_some() => None,
            None => Some(discover_endpoint(source).await.map_err(|e| {
                PublishError::new(
                    PublishErrorKind::Https(Box::new(e)),
                    "DescribeEndpoint",
                    "cannot discover the IoT data endpoint; set mqtt.endpoint",
                )
            })?),
        };
        match cfg.publish {
            PublishMode::Https => Ok(Publisher::Https {
                client: source.iot_data(endpoint.as_deref()),
            }),
            PublishMode::Mqtt => {
                let host = endpoint.unwrap_or_default();
                let tls = client_config(
                    cfg.ca.as_deref(),
                    cfg.client_cert.as_deref(),
                    cfg.client_key.as_deref(),
                    cfg.port,
                )?;
                let settings = SessionSettings {
                    host,
                    port: cfg.port,
                    client_id: cfg.client_id.clone(),
                    tls,
                    connect_timeout: cfg.connect_timeout,
                };
                let (session, connect) = MqttSession::connect(&settings, reconnect).await?;
                Ok(Publisher::Mqtt {
                    session,
                    connect,
                    client_id: cfg.client_id.clone(),
                })
            }
        }
    }
}
