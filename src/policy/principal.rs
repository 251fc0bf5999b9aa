//! The `Principal` and `NotPrincipal` elements as written in a policy.

/// A `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalSpec {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// The listed principals; the element matches if any entry matches.
    pub entries: Vec<PrincipalEntry>,
}

/// One principal named by a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalEntry {
    /// `"Principal": "*"` or `{"AWS": "*"}`: everyone, including services.
    Any,
    /// A whole AWS account: `"123456789012"` or
    /// `"arn:aws:iam::123456789012:root"`. In a resource policy this
    /// delegates to the account's own IAM policies.
    Account(String),
    /// A specific IAM user, role, assumed-role session or federated user ARN.
    Arn(String),
    /// A service principal such as `iot.amazonaws.com`.
    Service(String),
    /// A federated identity provider.
    Federated(String),
    /// An S3 canonical user id (never matched by requests modelled here).
    CanonicalUser(String),
}

impl std::fmt::Display for PrincipalEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::Account(account) => write!(f, "account {account}"),
            Self::Arn(arn) => f.write_str(arn),
            Self::Service(service) => write!(f, "service {service}"),
            Self::Federated(provider) => write!(f, "federated {provider}"),
            Self::CanonicalUser(id) => write!(f, "canonical user {id}"),
        }
    }
}

impl PrincipalEntry {
    /// Reads one `AWS` value: `*`, an account id, a root ARN or another ARN.
    pub(crate) fn from_aws(value: &str) -> Self {
        if value == "*" {
            return Self::Any;
        }
        if super::arn::is_account_id(value) {
            return Self::Account(value.to_string());
        }
        match super::arn::Arn::parse(value) {
            Some(arn) if arn.service == "iam" && arn.resource == "root" => Self::Account(arn.account.to_string()),
            _ => Self::Arn(value.to_string()),
        }
    }
}
