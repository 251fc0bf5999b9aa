//! A fact xprobe read from AWS, or why it could not: every fact is optional,
//! and an unknown one says which permission would reveal it.

use serde::{Deserialize, Serialize};

use crate::aws::AwsError;

/// A fact, or why it is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact<T> {
    Known(T),
    Unknown(Unknown),
}

impl<T> Fact<Option<T>> {
    /// `Known(None)` when the error says the thing does not exist (a fact
    /// in itself); unknown for any other error.
    pub fn absent_or_unknown(e: &AwsError) -> Self {
        if e.is_not_found() {
            Fact::Known(None)
        } else {
            Fact::from_error(e)
        }
    }
}

/// Why a fact is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unknown {
    /// The error, with its AWS code and message.
    pub reason: String,
    /// The IAM action that would reveal it, when access was the problem.
    pub permission: Option<String>,
}

impl<T> Fact<T> {
    /// The value, if known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Fact::Known(v) => Some(v),
            Fact::Unknown(_) => None,
        }
    }

    /// Why it is unknown, if it is.
    pub fn unknown(&self) -> Option<&Unknown> {
        match self {
            Fact::Known(_) => None,
            Fact::Unknown(u) => Some(u),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fact<U> {
        match self {
            Fact::Known(v) => Fact::Known(f(v)),
            Fact::Unknown(u) => Fact::Unknown(u),
        }
    }

    /// An unknown fact from a failed call. The permission is named when
    /// access was refused; other failures (unsupported, unreachable) say why.
    pub fn from_error(e: &AwsError) -> Self {
        Fact::Unknown(Unknown {
            reason: e.to_string(),
            permission: e.is_access_denied().then(|| iam_action(e.service, e.operation)),
        })
    }

    /// An unknown fact with a reason of xprobe's own (e.g. the API is not supported).
    pub fn unknown_because(reason: impl Into<String>) -> Self {
        Fact::Unknown(Unknown {
            reason: reason.into(),
            permission: None,
        })
    }
}

/// The IAM action that authorises an API operation. Mostly the same name;
/// the exceptions are listed.
pub fn iam_action(service: &str, operation: &str) -> String {
    let exception = match (service, operation) {
        ("s3", "GetPublicAccessBlock") => Some("s3:GetBucketPublicAccessBlock"),
        ("s3", "GetBucketEncryption") => Some("s3:GetEncryptionConfiguration"),
        ("s3", "HeadBucket") | ("s3", "ListObjectsV2") => Some("s3:ListBucket"),
        ("s3control", "GetPublicAccessBlock") => Some("s3:GetAccountPublicAccessBlock"),
        ("lambda", "GetFunctionConfiguration") => Some("lambda:GetFunctionConfiguration"),
        ("logs", op) => return format!("logs:{op}"),
        ("cloudwatch", op) => return format!("cloudwatch:{op}"),
        _ => None,
    };
    exception.map_or_else(|| format!("{service}:{operation}"), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::AwsErrorKind;

    #[test]
    fn unknown_facts_name_the_permission() {
        let e = AwsError {
            service: "s3",
            operation: "GetPublicAccessBlock",
            kind: AwsErrorKind::Service {
                code: "AccessDenied".into(),
                message: "no".into(),
            },
        };
        let f: Fact<u8> = Fact::from_error(&e);
        let u = f.unknown().unwrap();
        assert_eq!(u.permission.as_deref(), Some("s3:GetBucketPublicAccessBlock"));
        assert!(u.reason.contains("AccessDenied"));
        assert_eq!(iam_action("sqs", "GetQueueAttributes"), "sqs:GetQueueAttributes");
    }

    #[test]
    fn facts_round_trip_through_json() {
        let f: Fact<String> = Fact::Known("x".into());
        let j = serde_json::to_string(&f).unwrap();
        assert_eq!(j, r#"{"known":"x"}"#);
        assert_eq!(serde_json::from_str::<Fact<String>>(&j).unwrap(), f);
    }
}
