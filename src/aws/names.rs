//! Parsing of AWS resource names: ARNs, SQS queue URLs and account ids.
//! Pure functions, shared by config validation, verifiers and diagnose.

use std::fmt;

/// A parsed ARN: `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn {
    pub partition: String,
    pub service: String,
    pub region: String,
    pub account: String,
    pub resource: String,
}

impl Arn {
    /// Parses an ARN. Errors say which part is wrong.
    pub fn parse(s: &str) -> Result<Arn, NameError> {
        let parts: Vec<&str> = s.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" {
            return Err(NameError::new(
                s,
                "is not an ARN",
                "ARNs look like arn:aws:sqs:us-east-1:222222222222:ExampleQueue",
            ));
        }
        let account = parts[4];
        if !account.is_empty() {
            check_account_id(account).map_err(|e| NameError::new(s, &e.problem, &e.hint))?;
        }
        if parts[5].is_empty() {
            return Err(NameError::new(
                s,
                "has no resource part",
                "end the ARN with the resource name",
            ));
        }
        Ok(Arn {
            partition: parts[1].to_string(),
            service: parts[2].to_string(),
            region: parts[3].to_string(),
            account: account.to_string(),
            resource: parts[5].to_string(),
        })
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

/// An SQS queue named by URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueUrl {
    pub account: String,
    pub name: String,
    /// The region in an AWS-shaped host (`sqs.<region>.amazonaws.com`).
    pub region: Option<String>,
}

impl QueueUrl {
    /// Parses `https://sqs.<region>.amazonaws.com/<account>/<name>` or any
    /// http(s) URL ending in `/<account>/<name>` (local endpoints).
    pub fn parse(s: &str) -> Result<QueueUrl, NameError> {
        let hint = "queue URLs look like https://sqs.us-east-1.amazonaws.com/222222222222/ExampleQueue";
        let rest = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .ok_or_else(|| NameError::new(s, "is not an http(s) URL", hint))?;
        let mut segs = rest.split('/');
        let host = segs.next().unwrap_or_default();
        let path: Vec<&str> = segs.filter(|p| !p.is_empty()).collect();
        if path.len() != 2 {
            return Err(NameError::new(s, "does not end in /<account id>/<queue name>", hint));
        }
        check_account_id(path[0]).map_err(|e| NameError::new(s, &e.problem, &e.hint))?;
        let region = host
            .strip_prefix("sqs.")
            .and_then(|h| h.split('.').next())
            .map(str::to_string);
        Ok(QueueUrl {
            account: path[0].to_string(),
            name: path[1].to_string(),
            region,
        })
    }

    /// The queue's ARN, given the region to assume when the URL has none.
    pub fn arn(&self, default_region: &str) -> String {
        format!(
            "arn:aws:sqs:{}:{}:{}",
            self.region.as_deref().unwrap_or(default_region),
            self.account,
            self.name
        )
    }
}

/// A name that failed to parse, with what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` {problem}")]
pub struct NameError {
    pub value: String,
    pub problem: String,
    pub hint: String,
}

impl NameError {
    fn new(value: &str, problem: &str, hint: &str) -> Self {
        NameError {
            value: value.to_string(),
            problem: problem.to_string(),
            hint: hint.to_string(),
        }
    }
}

/// Checks a 12-digit account id; catches the `1111-1111-1111` spelling.
pub fn check_account_id(s: &str) -> Result<(), NameError> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    let hint = if digits.len() == 12 {
        format!("write the account id as 12 digits with no dashes: {digits}")
    } else {
        "an account id is exactly 12 digits".to_string()
    };
    Err(NameError::new(
        s,
        &format!("has account id `{s}`, which is not 12 digits"),
        &hint,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aws_and_local_queue_urls() {
        let q = QueueUrl::parse("https://sqs.us-east-1.amazonaws.com/222222222222/ExampleQueue").unwrap();
        assert_eq!(q.account, "222222222222");
        assert_eq!(q.name, "ExampleQueue");
        assert_eq!(q.region.as_deref(), Some("us-east-1"));
        assert_eq!(q.arn("eu-west-1"), "arn:aws:sqs:us-east-1:222222222222:ExampleQueue");
        let l = QueueUrl::parse("http://127.0.0.1:4610/222222222222/q").unwrap();
        assert_eq!(l.region, None);
        assert_eq!(l.arn("eu-west-1"), "arn:aws:sqs:eu-west-1:222222222222:q");
    }

    #[test]
    fn rejects_the_walkthroughs_dashed_account_id() {
        let e = QueueUrl::parse("https://sqs.region.amazonaws.com/2222-2222-2222/ExampleQueue").unwrap_err();
        assert!(e.problem.contains("not 12 digits"), "{e:?}");
        assert_eq!(e.hint, "write the account id as 12 digits with no dashes: 222222222222");
    }

    #[test]
    fn parses_and_prints_arns() {
        let a = Arn::parse("arn:aws:sns:us-east-1:222222222222:ExampleTopic").unwrap();
        assert_eq!(a.service, "sns");
        assert_eq!(a.account, "222222222222");
        assert_eq!(a.to_string(), "arn:aws:sns:us-east-1:222222222222:ExampleTopic");
        let s3 = Arn::parse("arn:aws:s3:::examplebucket/*").unwrap();
        assert_eq!(s3.account, "");
        assert_eq!(s3.resource, "examplebucket/*");
    }

    #[test]
    fn rejects_malformed_arns() {
        assert!(Arn::parse("arn:aws:sns").is_err());
        assert!(Arn::parse("urn:aws:sns:r:222222222222:t").is_err());
        assert!(Arn::parse("arn:aws:sns:r:1111-1111-1111:t").is_err());
        assert!(Arn::parse("arn:aws:sns:r:222222222222:").is_err());
    }
}
