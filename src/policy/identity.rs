//! The request principal broken into the identities IAM matches it by.
//!
//! A role session is at once the session ARN, its role and its account; a
//! `Principal` naming any of them matches, while a `NotPrincipal` must list
//! every one of them to exclude the session (IAM documents this: list the
//! session ARN, the role ARN and the account).

use super::arn::{is_account_id, Arn};
use super::request::Principal;

/// The request principal, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Identity<'a> {
    /// The account itself (`...:root` or a bare account id).
    Root { account: &'a str },
    /// An IAM user.
    User {
        arn: &'a str,
        account: &'a str,
        name: &'a str,
    },
    /// An IAM role calling as itself.
    Role { arn: &'a str, account: &'a str },
    /// An assumed-role session.
    Session {
        arn: &'a str,
        account: &'a str,
        partition: &'a str,
        role: &'a str,
    },
    /// Any other ARN (federated user, unknown shapes).
    Other { arn: &'a str, account: &'a str },
    /// A service principal.
    Service(&'a str),
    /// A federated provider.
    Federated(&'a str),
}

/// One identity a principal entry can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The exact ARN of the caller.
    Exact,
    /// The role behind a session.
    Role,
    /// The caller's account.
    Account,
    /// The service name.
    Service,
    /// The federated provider.
    Federated,
}

impl<'a> Identity<'a> {
    pub(crate) fn of(principal: &'a Principal) -> Self {
        match principal {
            Principal::Service(name) => Self::Service(name),
            Principal::Federated(name) => Self::Federated(name),
            Principal::Aws(id) if is_account_id(id) => Self::Root { account: id },
            Principal::Aws(arn_text) => classify(arn_text),
        }
    }

    /// The identities to check, strongest first.
    pub(crate) fn parts(&self) -> &'static [Part] {
        match self {
            Self::Root { .. } => &[Part::Account],
            Self::User { .. } | Self::Role { .. } | Self::Other { .. } => &[Part::Exact, Part::Account],
            Self::Session { .. } => &[Part::Exact, Part::Role, Part::Account],
            Self::Service(_) => &[Part::Service],
            Self::Federated(_) => &[Part::Federated],
        }
    }

    /// The caller's own ARN, if it has one.
    pub(crate) fn arn(&self) -> Option<&'a str> {
        match *self {
            Self::User { arn, .. } | Self::Role { arn, .. } | Self::Session { arn, .. } | Self::Other { arn, .. } => {
                Some(arn)
            }
            _ => None,
        }
    }

    /// The caller's account, if it is an AWS identity.
    pub(crate) fn account(&self) -> Option<&'a str> {
        match *self {
            Self::Root { account }
            | Self::User { account, .. }
            | Self::Role { account, .. }
            | Self::Session { account, .. }
            | Self::Other { account, .. } => Some(account).filter(|a| !a.is_empty()),
            Self::Service(_) | Self::Federated(_) => None,
        }
    }

    /// `aws:PrincipalType`.
    pub(crate) fn principal_type(&self) -> Option<&'static str> {
        Some(match self {
            Self::Root { .. } => "Account",
            Self::User { .. } => "User",
            Self::Role { .. } | Self::Session { .. } => "AssumedRole",
            Self::Other { .. } => "FederatedUser",
            Self::Service(_) | Self::Federated(_) => return None,
        })
    }

    /// `aws:username` for IAM users.
    pub(crate) fn user_name(&self) -> Option<&'a str> {
        match *self {
            Self::User { name, .. } => Some(name),
            _ => None,
        }
    }

    /// Whether `role_arn` (an `arn:...:iam::A:role/[path/]name` ARN) is the
    /// role behind this session. Session ARNs drop the role path, so only the
    /// partition, account and final name segment are compared.
    pub(crate) fn session_of(&self, role_arn: &str) -> bool {
        let Self::Session {
            account,
            partition,
            role,
            ..
        } = *self
        else {
            return false;
        };
        Arn::parse(role_arn).is_some_and(|arn| {
            arn.service == "iam"
                && arn.partition == partition
                && arn.account == account
                && arn.resource.starts_with("role/")
                && arn.resource.rsplit('/').next() == Some(role)
        })
    }
}

fn classify(text: &str) -> Identity<'_> {
    let Some(arn) = Arn::parse(text) else {
        return Identity::Other { arn: text, account: "" };
    };
    let account = arn.account;
    match (arn.service, arn.resource.split_once('/')) {
        ("iam", None) if arn.resource == "root" => Identity::Root { account },
        ("iam", Some(("user", path))) => Identity::User {
            arn: text,
            account,
            name: path.rsplit('/').next().unwrap_or(path),
        },
        ("iam", Some(("role", _))) => Identity::Role { arn: text, account },
        ("sts", Some(("assumed-role", rest))) => match rest.split_once('/') {
            Some((role, _session)) => Identity::Session {
                arn: text,
                account,
                partition: arn.partition,
                role,
            },
            None => Identity::Other { arn: text, account },
        },
        _ => Identity::Other { arn: text, account },
    }
}
