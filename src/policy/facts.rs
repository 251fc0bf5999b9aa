//! What evaluation may ask about a request: the caller's context plus the
//! global keys IAM derives from the request itself.
//!
//! Derived keys (`aws:PrincipalArn`, `aws:PrincipalAccount`,
//! `aws:PrincipalType`, `aws:username`, `aws:ResourceAccount`,
//! `aws:PrincipalServiceName`) are filled in only when the caller's context
//! does not already set them.

use super::arn::Arn;
use super::context::Context;
use super::identity::Identity;
use super::pattern::Variables;
use super::request::{Principal, Request};

/// A request plus its derived keys.
pub(crate) struct Facts<'r> {
    pub(crate) request: &'r Request,
    pub(crate) identity: Identity<'r>,
    derived: Context,
}

impl<'r> Facts<'r> {
    pub(crate) fn new(request: &'r Request) -> Self {
        let identity = Identity::of(&request.principal);
        let mut derived = Context::new();
        let mut add = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                if !request.context.contains(key) {
                    derived.insert(key, vec![value]);
                }
            }
        };
        add("aws:PrincipalArn", identity.principal_arn());
        add("aws:PrincipalAccount", request.principal.account().map(str::to_string));
        add("aws:PrincipalType", identity.principal_type().map(str::to_string));
        add("aws:username", identity.user_name().map(str::to_string));
        add("aws:ResourceAccount", request.owning_account().map(str::to_string));
        if let Principal::Service(name) = &request.principal {
            add("aws:PrincipalServiceName", Some(name.clone()));
        }
        Self {
            request,
            identity,
            derived,
        }
    }

    /// The values of a condition key, looked up case-insensitively.
    pub(crate) fn values(&self, key: &str) -> Option<&[String]> {
        self.request.context.get(key).or_else(|| self.derived.get(key))
    }
}

impl Variables for Facts<'_> {
    fn variable(&self, key: &str) -> Option<&str> {
        match self.values(key) {
            Some([one]) => Some(one),
            _ => None,
        }
    }
}

impl<'r> Identity<'r> {
    /// `aws:PrincipalArn`: the role ARN for a role session (IAM's rule).
    fn principal_arn(&self) -> Option<String> {
        match self {
            Identity::Session { arn, role, .. } => {
                let a = Arn::parse(arn)?;
                Some(format!("arn:{}:iam::{}:role/{role}", a.partition, a.account))
            }
            Identity::Root { account } => Some(format!("arn:aws:iam::{account}:root")),
            Identity::Role { arn, .. } | Identity::User { arn, .. } | Identity::Other { arn, .. } => {
                Some((*arn).to_string())
            }
            Identity::Service(_) | Identity::Federated(_) => None,
        }
    }
}
