//! AWS errors as xprobe shows them: the service, the operation, the AWS
//! error code and message, and a hint. Never a bare "service error".

use std::fmt;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Where a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsErrorKind {
    /// AWS answered with an error code.
    Service { code: String, message: String },
    /// The request timed out.
    Timeout,
    /// The request never reached AWS (DNS, connection, TLS) or the
    /// credentials could not be loaded.
    Dispatch(String),
    /// Anything else (a response xprobe could not read, a request it could not build).
    Other(String),
}

/// A failed AWS call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct AwsError {
    pub service: &'static str,
    pub operation: &'static str,
    pub kind: AwsErrorKind,
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} failed: ", self.service, self.operation)?;
        match &self.kind {
            AwsErrorKind::Service { code, message } if message.is_empty() => write!(f, "{code}"),
            AwsErrorKind::Service { code, message } => write!(f, "{code}: {message}"),
            AwsErrorKind::Timeout => write!(f, "timed out"),
            AwsErrorKind::Dispatch(d) => write!(f, "request not sent: {d}"),
            AwsErrorKind::Other(d) => write!(f, "{d}"),
        }
    }
}

impl AwsError {
    /// Converts an SDK error, keeping the AWS code and message.
    pub fn from_sdk<E, R>(service: &'static str, operation: &'static str, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: fmt::Debug + Send + Sync + 'static,
    {
        let kind = match &err {
            SdkError::ServiceError(se) => {
                let e = se.err();
                AwsErrorKind::Service {
                    code: e.code().unwrap_or("Unknown").to_string(),
                    message: e.message().unwrap_or_default().to_string(),
                }
            }
            SdkError::TimeoutError(_) => AwsErrorKind::Timeout,
            SdkError::DispatchFailure(_) => AwsErrorKind::Dispatch(chain(&err)),
            _ => AwsErrorKind::Other(chain(&err)),
        };
        AwsError {
            service,
            operation,
            kind,
        }
    }

    /// The AWS error code, if AWS answered.
    pub fn code(&self) -> Option<&str> {
        match &self.kind {
            AwsErrorKind::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the error says the resource does not exist.
    pub fn is_not_found(&self) -> bool {
        self.code().is_some_and(|c| {
            c.contains("NonExistent") || c.contains("NotFound") || c.contains("DoesNotExist") || c.starts_with("NoSuch")
        })
    }

    /// Whether the error is an authorization failure.
    pub fn is_access_denied(&self) -> bool {
        self.code().is_some_and(|c| {
            c.contains("AccessDenied") || c == "AuthorizationError" || c.contains("NotAuthorized") || c == "Forbidden"
        })
    }

    /// What to do about it, in plain words.
    pub fn hint(&self) -> Option<String> {
        match &self.kind {
            AwsErrorKind::Dispatch(_) => Some(
                "check the account's credentials (profile, role_arn) and endpoint_url, and that the endpoint is reachable"
                    .to_string(),
            ),
            AwsErrorKind::Timeout => Some("the endpoint did not answer in time; check network access to AWS".to_string()),
            AwsErrorKind::Service { code, .. } => match code.as_str() {
                c if self.is_access_denied() => Some(format!(
                    "the credentials xprobe uses lack {}:{}; see deploy/iam/ for the least-privilege policy ({c})",
                    self.service, self.operation
                )),
                c if self.is_not_found() => Some(format!("the resource does not exist, or is in another account or region ({c})")),
                "ExpiredToken" | "ExpiredTokenException" | "InvalidClientTokenId" | "UnrecognizedClientException" => {
                    Some("the credentials are expired or invalid; refresh them (aws sso login, new keys)".to_string())
                }
                _ => None,
            },
            AwsErrorKind::Other(_) => None,
        }
    }
}

/// The source chain, on one line, each distinct message once.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(e);
    while let Some(err) = cur {
        let msg = err.to_string();
        if !msg.is_empty() && !parts.iter().any(|p| p.contains(&msg)) {
            parts.push(msg);
        }
        cur = err.source();
    }
    if parts.is_empty() {
        DisplayErrorContext(e).to_string()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(code: &str, message: &str) -> AwsError {
        AwsError {
            service: "sqs",
            operation: "ReceiveMessage",
            kind: AwsErrorKind::Service {
                code: code.into(),
                message: message.into(),
            },
        }
    }

    #[test]
    fn shows_code_and_message() {
        let e = svc("AccessDenied", "not authorized to perform sqs:ReceiveMessage");
        assert_eq!(
            e.to_string(),
            "sqs ReceiveMessage failed: AccessDenied: not authorized to perform sqs:ReceiveMessage"
        );
        assert!(e.is_access_denied());
        assert!(e.hint().unwrap().contains("lack sqs:ReceiveMessage"));
    }

    #[test]
    fn classifies_not_found_codes() {
        for c in [
            "AWS.SimpleQueueService.NonExistentQueue",
            "QueueDoesNotExist",
            "NotFound",
            "NoSuchBucket",
            "ResourceNotFoundException",
        ] {
            assert!(svc(c, "").is_not_found(), "{c}");
        }
        assert!(!svc("Throttling", "").is_not_found());
    }

    #[test]
    fn real_sdk_service_error_keeps_code_and_message() {
        use aws_sdk_sqs::operation::receive_message::ReceiveMessageError;
        use aws_smithy_runtime_api::http::{Response, StatusCode};
        use aws_smithy_types::body::SdkBody;
        use aws_smithy_types::error::ErrorMetadata;
        let meta = ErrorMetadata::builder()
            .code("AccessDenied")
            .message("denied by policy")
            .build();
        let err = ReceiveMessageError::generic(meta);
        let raw = Response::new(StatusCode::try_from(403).unwrap(), SdkBody::empty());
        let sdk: SdkError<ReceiveMessageError, Response> = SdkError::service_error(err, raw);
        let e = AwsError::from_sdk("sqs", "ReceiveMessage", sdk);
        assert_eq!(
            e.to_string(),
            "sqs ReceiveMessage failed: AccessDenied: denied by policy"
        );
    }
}
