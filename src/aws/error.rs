//! AWS errors as xprobe shows them: the service, the operation, the AWS
//! error code and message, and a hint. Never a bare "service error".

use std::fmt;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::credentials::CredentialsUnavailable;

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
    /// The account's credentials could not be loaded; `fix` says what to run.
    Credentials { detail: String, fix: String },
    /// An error answer without an error code: its HTTP status, and the
    /// status and start of the body in words.
    NoCode { status: u16, detail: String },
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
            AwsErrorKind::Dispatch(d) | AwsErrorKind::Credentials { detail: d, .. } => {
                write!(f, "request not sent: {d}")
            }
            AwsErrorKind::NoCode { detail, .. } | AwsErrorKind::Other(detail) => write!(f, "{detail}"),
        }
    }
}

impl AwsError {
    /// Converts an SDK error, keeping the AWS code and message.
    pub fn from_sdk<E>(service: &'static str, operation: &'static str, err: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let kind = match &err {
            SdkError::ServiceError(se) => {
                let e = se.err();
                match e.code() {
                    Some(code) => AwsErrorKind::Service {
                        code: code.to_string(),
                        message: e.message().unwrap_or_default().to_string(),
                    },
                    // No error code in the answer (an endpoint that is not
                    // AWS, a proxy, a protocol the SDK could not read): show
                    // what came back instead of "Unknown".
                    None => AwsErrorKind::NoCode {
                        status: se.raw().status().as_u16(),
                        detail: unreadable_answer(se.raw()),
                    },
                }
            }
            SdkError::TimeoutError(_) => AwsErrorKind::Timeout,
            SdkError::DispatchFailure(_) => match credentials_failure(&err) {
                Some(c) => AwsErrorKind::Credentials {
                    detail: chain(&err),
                    fix: c.fix.clone(),
                },
                None => AwsErrorKind::Dispatch(chain(&err)),
            },
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

    /// The HTTP status of an answer that carried no error code.
    fn codeless_status(&self) -> Option<u16> {
        match &self.kind {
            AwsErrorKind::NoCode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the error says the resource does not exist (also a bare 404,
    /// as S3 answers HEAD requests).
    pub fn is_not_found(&self) -> bool {
        self.codeless_status() == Some(404)
            || self.code().is_some_and(|c| {
                c.contains("NonExistent")
                    || c.contains("NotFound")
                    || c.contains("DoesNotExist")
                    || c.starts_with("NoSuch")
            })
    }

    /// Whether the error is an authorization failure (also a bare 403).
    pub fn is_access_denied(&self) -> bool {
        self.codeless_status() == Some(403)
            || self.code().is_some_and(|c| {
                c.contains("AccessDenied")
                    || c == "AuthorizationError"
                    || c.contains("NotAuthorized")
                    || c == "Forbidden"
            })
    }

    /// What to do about it, in plain words.
    pub fn hint(&self) -> Option<String> {
        match &self.kind {
            AwsErrorKind::Dispatch(_) => Some(
                "check the account's credentials (profile, role_arn) and endpoint_url, and that the endpoint is reachable"
                    .to_string(),
            ),
            AwsErrorKind::Credentials { fix, .. } => Some(fix.clone()),
            AwsErrorKind::Timeout => Some("the endpoint did not answer in time; check network access to AWS".to_string()),
            AwsErrorKind::NoCode { status: 403, .. } => Some(format!(
                "the credentials xprobe uses lack {}:{}; see deploy/iam/ for the least-privilege policy",
                self.service, self.operation
            )),
            AwsErrorKind::NoCode { status: 404, .. } => {
                Some("the resource does not exist, or is in another account or region".to_string())
            }
            AwsErrorKind::NoCode { .. } => {
                Some("the endpoint's answer is not an AWS error; check endpoint_url and any proxy in between".to_string())
            }
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

/// The account's explained credentials failure in the error's sources, if any.
fn credentials_failure<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a CredentialsUnavailable> {
    let mut cur = e.source();
    while let Some(s) = cur {
        if let Some(c) = s.downcast_ref::<CredentialsUnavailable>() {
            return Some(c);
        }
        cur = s.source();
    }
    None
}

/// The HTTP status and the start of the body of an error answer without an
/// error code.
fn unreadable_answer(raw: &HttpResponse) -> String {
    const SHOWN: usize = 200;
    let status = raw.status().as_u16();
    let body = raw.body().bytes().map(String::from_utf8_lossy).unwrap_or_default();
    let body: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut shown: String = body.chars().take(SHOWN).collect();
    if body.chars().count() > SHOWN {
        shown.push('…');
    }
    let content_type = raw.headers().get("content-type").unwrap_or("no content type");
    let what = if raw.status().is_success() {
        format!("an HTTP {status} answer the SDK could not read as this operation's response")
    } else {
        format!("HTTP {status} with no error code")
    };
    if shown.is_empty() {
        format!("{what} and an empty body ({content_type})")
    } else {
        format!("{what} ({content_type}): {shown}")
    }
}

/// The source chain, on one line, each distinct message once.
pub(super) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
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

    #[test]
    fn an_answer_without_an_error_code_shows_status_and_body() {
        use aws_sdk_sqs::operation::receive_message::ReceiveMessageError;
        use aws_smithy_runtime_api::http::{Response, StatusCode};
        use aws_smithy_types::body::SdkBody;
        use aws_smithy_types::error::ErrorMetadata;
        let err = ReceiveMessageError::generic(ErrorMetadata::builder().build());
        let mut raw = Response::new(
            StatusCode::try_from(501).unwrap(),
            SdkBody::from(format!("<html>\n  not   implemented {}</html>", "x".repeat(300))),
        );
        raw.headers_mut().insert("content-type", "text/html");
        let e = AwsError::from_sdk("sqs", "ReceiveMessage", SdkError::service_error(err, raw));
        let shown = e.to_string();
        assert!(
            shown.starts_with(
                "sqs ReceiveMessage failed: HTTP 501 with no error code (text/html): <html> not implemented x"
            ),
            "{shown}"
        );
        assert!(shown.ends_with('…'), "{shown}");
        assert!(!shown.contains("Unknown"));
        assert_eq!(e.code(), None);
        assert!(!e.is_not_found() && !e.is_access_denied());
        assert!(e.hint().unwrap().contains("endpoint_url"));

        let err = ReceiveMessageError::generic(ErrorMetadata::builder().build());
        let raw = Response::new(StatusCode::try_from(500).unwrap(), SdkBody::empty());
        let e = AwsError::from_sdk("sqs", "ReceiveMessage", SdkError::service_error(err, raw));
        assert_eq!(
            e.to_string(),
            "sqs ReceiveMessage failed: HTTP 500 with no error code and an empty body (no content type)"
        );

        let err = ReceiveMessageError::generic(ErrorMetadata::builder().build());
        let mut raw = Response::new(StatusCode::try_from(200).unwrap(), SdkBody::from("{\"Metrics\": []}"));
        raw.headers_mut().insert("content-type", "application/cbor");
        let e = AwsError::from_sdk("cloudwatch", "ListMetrics", SdkError::service_error(err, raw));
        assert_eq!(
            e.to_string(),
            "cloudwatch ListMetrics failed: an HTTP 200 answer the SDK could not read as this operation's response \
             (application/cbor): {\"Metrics\": []}"
        );

        for (status, not_found, denied) in [(404, true, false), (403, false, true)] {
            let err = ReceiveMessageError::generic(ErrorMetadata::builder().build());
            let raw = Response::new(StatusCode::try_from(status).unwrap(), SdkBody::empty());
            let e = AwsError::from_sdk("s3", "HeadBucket", SdkError::service_error(err, raw));
            assert_eq!(
                (e.is_not_found(), e.is_access_denied()),
                (not_found, denied),
                "{status}"
            );
        }
    }
}
