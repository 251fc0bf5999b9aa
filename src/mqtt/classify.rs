//! Turning CONNACK and PUBACK reason codes and connection errors into
//! [`PublishErrorKind`]s. Pure functions, so every mapping is unit-tested.

use std::error::Error as StdError;
use std::io;

use rumqttc::v5::mqttbytes::v5::{ConnectReturnCode, DisconnectReasonCode, PubAckReason};
use rumqttc::v5::mqttbytes::Error as MqttError;
use rumqttc::v5::{ConnectionError, StateError};

use super::error::PublishErrorKind;

/// A CONNACK that did not succeed.
pub fn classify_connack(code: ConnectReturnCode) -> Option<PublishErrorKind> {
    match code {
        ConnectReturnCode::Success => None,
        ConnectReturnCode::NotAuthorized | ConnectReturnCode::BadUserNamePassword | ConnectReturnCode::Banned => {
            Some(PublishErrorKind::ConnectRefused(format!("CONNACK {code:?}")))
        }
        ConnectReturnCode::ServerUnavailable
        | ConnectReturnCode::ServiceUnavailable
        | ConnectReturnCode::ServerBusy => Some(PublishErrorKind::EndpointUnreachable),
        other => Some(PublishErrorKind::ConnectRefused(format!("CONNACK {other:?}"))),
    }
}

/// A PUBACK: `None` when the broker accepted the message.
pub fn classify_puback(reason: PubAckReason) -> Option<PublishErrorKind> {
    match reason {
        // "No matching subscribers" still means the broker took the message;
        // rules are not subscribers.
        PubAckReason::Success | PubAckReason::NoMatchingSubscribers => None,
        PubAckReason::NotAuthorized => Some(PublishErrorKind::PublishNotAuthorized),
        other => Some(PublishErrorKind::PublishRejected(format!("PUBACK {other:?}"))),
    }
}

/// A connection-level failure from the MQTT event loop.
pub fn classify_connection_error(e: &ConnectionError) -> PublishErrorKind {
    match e {
        ConnectionError::ConnectionRefused(code) => {
            classify_connack(*code).unwrap_or_else(|| PublishErrorKind::Other(e.to_string()))
        }
        ConnectionError::Timeout(_) => PublishErrorKind::Timeout("connecting to"),
        ConnectionError::MqttState(StateError::ConnFail { reason }) => {
            classify_connack(*reason).unwrap_or_else(|| PublishErrorKind::Other(e.to_string()))
        }
        ConnectionError::MqttState(StateError::ServerDisconnect {
            reason_code: DisconnectReasonCode::SessionTakenOver,
            ..
        }) => PublishErrorKind::ClientIdTakenOver,
        ConnectionError::MqttState(StateError::ServerDisconnect { reason_code, .. }) => {
            PublishErrorKind::Other(format!("server disconnected: {reason_code:?}"))
        }
        // rumqttc wraps read errors (including TLS alerts that arrive after
        // the handshake, as TLS 1.3 client-certificate rejections do) without
        // exposing them as a source, so unwrap them here.
        ConnectionError::MqttState(StateError::Deserialization(MqttError::Io(io)))
        | ConnectionError::MqttState(StateError::Io(io)) => classify_chain(io),
        _ => classify_chain(e),
    }
}

/// Walks an error's sources for a rustls error or a telling I/O error.
fn classify_chain(e: &(dyn StdError + 'static)) -> PublishErrorKind {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
    let mut io_kind = None;
    while let Some(err) = cur {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return classify_rustls(tls);
        }
        if let Some(ioe) = err.downcast_ref::<io::Error>() {
            if let Some(inner) = ioe.get_ref() {
                if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                    return classify_rustls(tls);
                }
            }
            io_kind.get_or_insert(ioe.kind());
        }
        cur = err.source();
    }
    match io_kind {
        Some(
            io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::AddrNotAvailable,
        ) => PublishErrorKind::EndpointUnreachable,
        Some(io::ErrorKind::TimedOut) => PublishErrorKind::Timeout("connecting to"),
        // A server that drops the handshake after seeing the client
        // certificate looks like an abrupt close to the client.
        Some(
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe,
        ) => PublishErrorKind::ClientCertRejected,
        _ if e.to_string().contains("lookup") || e.to_string().contains("resolve") => {
            PublishErrorKind::EndpointUnreachable
        }
        _ => PublishErrorKind::Other(e.to_string()),
    }
}

fn classify_rustls(e: &rustls::Error) -> PublishErrorKind {
    match e {
        rustls::Error::InvalidCertificate(_) => PublishErrorKind::ServerUntrusted,
        rustls::Error::AlertReceived(_) => PublishErrorKind::ClientCertRejected,
        other => PublishErrorKind::Other(format!("TLS: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn puback_reasons() {
        assert_eq!(classify_puback(PubAckReason::Success), None);
        assert_eq!(classify_puback(PubAckReason::NoMatchingSubscribers), None);
        assert_eq!(
            classify_puback(PubAckReason::NotAuthorized),
            Some(PublishErrorKind::PublishNotAuthorized)
        );
        assert_eq!(
            classify_puback(PubAckReason::QuotaExceeded),
            Some(PublishErrorKind::PublishRejected("PUBACK QuotaExceeded".into()))
        );
    }

    #[test]
    fn connack_codes() {
        assert_eq!(classify_connack(ConnectReturnCode::Success), None);
        assert!(
            matches!(classify_connack(ConnectReturnCode::NotAuthorized), Some(PublishErrorKind::ConnectRefused(c)) if c.contains("NotAuthorized"))
        );
        assert_eq!(
            classify_connack(ConnectReturnCode::ServerUnavailable),
            Some(PublishErrorKind::EndpointUnreachable)
        );
    }

    #[test]
    fn a_session_taken_over_means_the_client_id_is_in_use() {
        let taken = ConnectionError::MqttState(StateError::ServerDisconnect {
            reason_code: DisconnectReasonCode::SessionTakenOver,
            reason_string: None,
        });
        assert_eq!(classify_connection_error(&taken), PublishErrorKind::ClientIdTakenOver);
        let other = ConnectionError::MqttState(StateError::ServerDisconnect {
            reason_code: DisconnectReasonCode::ServerShuttingDown,
            reason_string: None,
        });
        assert_eq!(
            classify_connection_error(&other),
            PublishErrorKind::Other("server disconnected: ServerShuttingDown".into())
        );
    }

    #[test]
    fn io_errors() {
        let refused = ConnectionError::Io(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(
            classify_connection_error(&refused),
            PublishErrorKind::EndpointUnreachable
        );
        let eof = ConnectionError::Io(io::Error::from(io::ErrorKind::UnexpectedEof));
        assert_eq!(classify_connection_error(&eof), PublishErrorKind::ClientCertRejected);
    }

    #[test]
    fn a_tls_alert_after_the_handshake_is_a_rejected_certificate() {
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::UnknownCA);
        let e = ConnectionError::MqttState(StateError::Deserialization(MqttError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            alert,
        ))));
        assert_eq!(classify_connection_error(&e), PublishErrorKind::ClientCertRejected);
    }

    #[test]
    fn tls_errors_inside_io_errors() {
        let untrusted = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let e = ConnectionError::Io(io::Error::new(io::ErrorKind::InvalidData, untrusted));
        assert_eq!(classify_connection_error(&e), PublishErrorKind::ServerUntrusted);
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::BadCertificate);
        let e = ConnectionError::Io(io::Error::new(io::ErrorKind::InvalidData, alert));
        assert_eq!(classify_connection_error(&e), PublishErrorKind::ClientCertRejected);
    }
}
