//! The request being authorized.

use super::arn::{is_account_id, resource_account, Arn};
use super::context::Context;

/// Who makes the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An IAM identity by ARN: `arn:aws:iam::A:root`, `...:user/name`,
    /// `...:role/name`, `arn:aws:sts::A:assumed-role/role/session`,
    /// `arn:aws:sts::A:federated-user/name`, or a bare account id.
    Aws(String),
    /// An AWS service principal such as `iot.amazonaws.com`.
    Service(String),
    /// A web-identity or SAML provider.
    Federated(String),
}

impl Principal {
    /// An AWS principal from its ARN.
    pub fn aws(arn: impl Into<String>) -> Self {
        Self::Aws(arn.into())
    }

    /// A service principal.
    pub fn service(name: impl Into<String>) -> Self {
        Self::Service(name.into())
    }

    /// The session of a role assumed in the `aws` partition, as the role
    /// appears when it calls a service (the IoT rules engine uses this).
    pub fn assumed_role(account: &str, role: &str, session: &str) -> Self {
        Self::Aws(format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"))
    }

    /// The account the principal belongs to (none for services).
    pub fn account(&self) -> Option<&str> {
        match self {
            Self::Aws(id) if is_account_id(id) => Some(id),
            Self::Aws(arn) => Arn::parse(arn).map(|a| a.account).filter(|a| !a.is_empty()),
            Self::Service(_) | Self::Federated(_) => None,
        }
    }
}

impl std::fmt::Display for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Aws(arn) => f.write_str(arn),
            Self::Service(name) => write!(f, "service {name}"),
            Self::Federated(name) => write!(f, "federated {name}"),
        }
    }
}

/// One request: who does what to which resource, with which context.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Who makes the request.
    pub principal: Principal,
    /// The action, e.g. `s3:PutObject` (matched case-insensitively).
    pub action: String,
    /// The resource ARN (matched case-sensitively).
    pub resource: String,
    /// The account that owns the resource. Needed when the ARN does not say
    /// (S3 bucket ARNs carry no account); otherwise taken from the ARN.
    pub resource_account: Option<String>,
    /// Condition keys such as `aws:SourceArn`.
    pub context: Context,
}

impl Request {
    /// A request with an empty context.
    pub fn new(principal: Principal, action: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            principal,
            action: action.into(),
            resource: resource.into(),
            resource_account: None,
            context: Context::new(),
        }
    }

    /// Sets the owning account of the resource.
    pub fn with_resource_account(mut self, account: impl Into<String>) -> Self {
        self.resource_account = Some(account.into());
        self
    }

    /// Replaces the context.
    pub fn with_context(mut self, context: Context) -> Self {
        self.context = context;
        self
    }

    /// The owning account: the explicit one, else the one in the ARN.
    pub fn owning_account(&self) -> Option<&str> {
        self.resource_account
            .as_deref()
            .or_else(|| resource_account(&self.resource))
    }
}
