//! Whether a statement's `Principal`/`NotPrincipal` covers the caller.

use super::identity::{Identity, Part};
use super::principal::{PrincipalEntry, PrincipalSpec};

/// How a statement's principal element let the request through. The
/// combination step needs this: a resource policy that names only the
/// caller's account delegates to that account's IAM policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalVia {
    /// The statement names the caller's exact ARN.
    Exact,
    /// The statement names the role behind the caller's session.
    Role,
    /// The statement names the service principal.
    Service,
    /// The statement names the federated provider.
    Federated,
    /// `"*"`: anyone.
    Wildcard,
    /// `NotPrincipal` that does not exclude the caller.
    NotPrincipal,
    /// The statement names the caller's whole account (delegation).
    Account,
    /// The statement has no principal element (identity policies).
    Implicit,
}

impl PrincipalVia {
    /// Whether the grant only delegates to the caller's account.
    pub fn is_delegation(self) -> bool {
        self == Self::Account
    }
}

/// How `spec` applies to the caller, or `None` if it does not.
pub(crate) fn principal_applies(spec: &PrincipalSpec, id: &Identity<'_>) -> Option<PrincipalVia> {
    if spec.negated {
        let excluded = id
            .parts()
            .iter()
            .all(|part| spec.entries.iter().any(|e| covers(e, *part, id).is_some()));
        return (!excluded).then_some(PrincipalVia::NotPrincipal);
    }
    spec.entries
        .iter()
        .flat_map(|entry| id.parts().iter().filter_map(move |part| covers(entry, *part, id)))
        .min()
}

fn covers(entry: &PrincipalEntry, part: Part, id: &Identity<'_>) -> Option<PrincipalVia> {
    match (entry, part) {
        (PrincipalEntry::Any, _) => Some(PrincipalVia::Wildcard),
        (PrincipalEntry::Account(account), Part::Account) => {
            let same = id.account() == Some(account.as_str());
            match id {
                Identity::Root { .. } => same.then_some(PrincipalVia::Exact),
                _ => same.then_some(PrincipalVia::Account),
            }
        }
        (PrincipalEntry::Arn(arn), Part::Exact) => (id.arn() == Some(arn.as_str())).then_some(PrincipalVia::Exact),
        (PrincipalEntry::Arn(arn), Part::Role) => id.session_of(arn).then_some(PrincipalVia::Role),
        (PrincipalEntry::Service(name), Part::Service) => match id {
            Identity::Service(service) => service.eq_ignore_ascii_case(name).then_some(PrincipalVia::Service),
            _ => None,
        },
        (PrincipalEntry::Federated(name), Part::Federated) => match id {
            Identity::Federated(provider) => (provider == name).then_some(PrincipalVia::Federated),
            _ => None,
        },
        _ => None,
    }
}
