//! Why a probe could not be published, with the diagnose code it maps to.

use std::fmt;

use crate::aws::AwsError;

/// The kinds of publish failure xprobe tells apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishErrorKind {
    /// Nothing answered at host:port (refused, DNS failure, unreachable).
    EndpointUnreachable,
    /// The server's certificate did not validate against the CA xprobe trusts.
    ServerUntrusted,
    /// The server refused the client certificate (TLS alert or closed handshake).
    ClientCertRejected,
    /// CONNACK refused the connection (not authorized, banned, ...).
    ConnectRefused(String),
    /// PUBACK reason code 0x87: the device's policy does not allow iot:Publish.
    PublishNotAuthorized,
    /// Any other PUBACK failure reason.
    PublishRejected(String),
    /// The broker closed the connection while a publish waited for its PUBACK.
    DisconnectedDuringPublish,
    /// DISCONNECT 0x8E Session taken over: another connection logged in with
    /// the same client id (AWS IoT allows one connection per client id).
    ClientIdTakenOver,
    /// No answer in time.
    Timeout(&'static str),
    /// The certificate, key or CA files could not be used.
    LocalTls(String),
    /// The HTTPS Publish API call failed.
    Https(Box<AwsError>),
    /// Anything else from the MQTT client.
    Other(String),
}

/// A publish failure: its kind, where, and the underlying detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PublishError {
    pub kind: PublishErrorKind,
    /// host:port, or the topic for publish-time failures.
    pub target: String,
    /// The low-level cause, for the curious.
    pub detail: String,
}

impl PublishError {
    pub fn new(kind: PublishErrorKind, target: impl Into<String>, detail: impl Into<String>) -> Self {
        PublishError {
            kind,
            target: target.into(),
            detail: detail.into(),
        }
    }

    /// The stable diagnose code for this failure.
    pub fn code(&self) -> &'static str {
        match &self.kind {
            PublishErrorKind::EndpointUnreachable | PublishErrorKind::Timeout(_) => "mqtt-endpoint-unreachable",
            PublishErrorKind::ServerUntrusted => "mqtt-server-untrusted",
            PublishErrorKind::ClientCertRejected | PublishErrorKind::ConnectRefused(_) => "mqtt-client-cert-rejected",
            PublishErrorKind::PublishNotAuthorized | PublishErrorKind::DisconnectedDuringPublish => {
                "mqtt-publish-not-authorized"
            }
            PublishErrorKind::PublishRejected(_) => "mqtt-publish-rejected",
            PublishErrorKind::ClientIdTakenOver => "mqtt-client-id-in-use",
            PublishErrorKind::LocalTls(_) => "mqtt-local-tls-config",
            PublishErrorKind::Https(_) => "https-publish-failed",
            PublishErrorKind::Other(_) => "mqtt-error",
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> String {
        match &self.kind {
            PublishErrorKind::EndpointUnreachable => "check mqtt.endpoint and mqtt.port (8883), DNS, and that outbound TLS to the endpoint is allowed; `aws iot describe-endpoint --endpoint-type iot:Data-ATS` gives the right host".to_string(),
            PublishErrorKind::ServerUntrusted => "the server certificate is not signed by the CA in mqtt.ca: use AmazonRootCA1.pem with the -ats endpoint (the legacy iot:Data endpoint needs the Symantec/VeriSign CA), or leave mqtt.ca unset".to_string(),
            PublishErrorKind::ClientCertRejected => "the broker refused the device certificate: check it is ACTIVE and registered in the source account and region (aws iot describe-certificate), that mqtt.client_key matches it, and that an IoT policy allowing iot:Connect is attached".to_string(),
            PublishErrorKind::ConnectRefused(_) => "the broker refused the connection: the certificate's IoT policy must allow iot:Connect on client/<client_id>, and the client id must not be in use by another connection".to_string(),
            PublishErrorKind::PublishNotAuthorized | PublishErrorKind::DisconnectedDuringPublish => "the device's IoT policy must allow iot:Publish on arn:aws:iot:<region>:<account>:topic/<topic> (for Basic Ingest: topic/$aws/rules/<rule>/*)".to_string(),
            PublishErrorKind::PublishRejected(_) => "the broker rejected the message; check the topic name and payload size".to_string(),
            PublishErrorKind::ClientIdTakenOver => "another connection uses the same client id, and each login disconnects the other: leave mqtt.client_id unset (xprobe-<ULID>, unique per process) or give every xprobe and device its own".to_string(),
            PublishErrorKind::Timeout(_) => "the endpoint did not answer in time; check the host, port and network path, or raise mqtt.connect_timeout".to_string(),
            PublishErrorKind::LocalTls(_) => "fix the file paths in [mqtt] (client_cert, client_key, ca); paths are relative to the config file".to_string(),
            PublishErrorKind::Https(e) => e.hint().unwrap_or_else(|| "the source account's credentials need iot:Publish on the topic".to_string()),
            PublishErrorKind::Other(_) => "run with RUST_LOG=debug for the MQTT exchange".to_string(),
        }
    }
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.target;
        match &self.kind {
            PublishErrorKind::EndpointUnreachable => write!(f, "MQTT endpoint {t} is unreachable"),
            PublishErrorKind::ServerUntrusted => write!(f, "the server certificate of {t} is not trusted"),
            PublishErrorKind::ClientCertRejected => write!(f, "{t} refused the client certificate"),
            PublishErrorKind::ConnectRefused(code) => write!(f, "{t} refused the MQTT connection ({code})"),
            PublishErrorKind::PublishNotAuthorized => write!(f, "not authorized to publish to `{t}` (PUBACK 0x87 Not authorized)"),
            PublishErrorKind::PublishRejected(code) => write!(f, "the broker rejected the publish to `{t}` ({code})"),
            PublishErrorKind::DisconnectedDuringPublish => write!(f, "the broker closed the connection after the publish to `{t}`, which AWS IoT does when publishing is not authorized"),
            PublishErrorKind::ClientIdTakenOver => write!(f, "{t} ended the session because another connection logged in with the same client id (DISCONNECT 0x8E Session taken over)"),
            PublishErrorKind::Timeout(phase) => write!(f, "timed out {phase} {t}"),
            PublishErrorKind::LocalTls(what) => write!(f, "cannot set up TLS: {what}"),
            PublishErrorKind::Https(e) => write!(f, "{e}"),
            PublishErrorKind::Other(what) => write!(f, "MQTT error with {t}: {what}"),
        }?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}
