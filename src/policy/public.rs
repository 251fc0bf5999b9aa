//! S3 Block Public Access: is a bucket policy "public"?
//!
//! S3 treats a policy as public unless every `Allow` grant is limited to
//! fixed principals or fixed values (no wildcards, no policy variables) of
//! certain condition keys (S3 user guide, "The meaning of public"):
//! `aws:SourceIp` (IPv4 ranges no broader than /8), `aws:SourceArn`,
//! `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`, `aws:SourceAccount`,
//! `aws:userid` (outside `AROLEID:*`), `aws:PrincipalOrgID` and
//! `s3:x-amz-server-side-encryption-aws-kms-key-id`. A named account or role
//! is not public, so BPA never blocks the walkthrough's cross-account grant;
//! one `"Principal": "*"` grant without such a condition makes the whole
//! policy public, and RestrictPublicBuckets then cuts every cross-account
//! grant in it.

use super::condition::{Clause, Comparison, Compiled, SetQualifier};
use super::document::{Effect, Policy, Statement};
use super::pattern::Glob;
use super::principal::PrincipalEntry;

/// Keys whose fixed values keep a wildcard grant from being public.
const FIXING_KEYS: &[&str] = &[
    "aws:SourceIp",
    "aws:SourceArn",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceOwner",
    "aws:SourceAccount",
    "aws:userid",
    "aws:PrincipalOrgID",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
];

/// The narrowest IPv4 prefix S3 still treats as broad (public).
const BROADEST_IPV4_PREFIX: u8 = 8;
/// IPv6 equivalent; S3 does not document it, so this is an assumption.
const BROADEST_IPV6_PREFIX: u8 = 32;

/// A statement that makes a policy public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicGrant {
    /// The statement's 0-based position.
    pub index: usize,
    /// The statement's `Sid`.
    pub sid: Option<String>,
    /// Why it counts as public, in plain words.
    pub reason: String,
}

impl Policy {
    /// Whether S3 Block Public Access would treat this bucket policy as
    /// public (`BlockPublicPolicy` rejects it; `RestrictPublicBuckets` then
    /// limits it to the bucket owner's account and AWS services).
    pub fn is_public(&self) -> bool {
        !self.public_grants().is_empty()
    }

    /// The statements that make the policy public.
    pub fn public_grants(&self) -> Vec<PublicGrant> {
        self.statements
            .iter()
            .enumerate()
            .filter_map(|(index, statement)| {
                open_principal(statement).map(|who| PublicGrant {
                    index,
                    sid: statement.sid.clone(),
                    reason: format!(
                        "it allows {who} without fixing any of {} to a value without wildcards",
                        FIXING_KEYS.join(", ")
                    ),
                })
            })
            .filter(|grant| !statement_is_fixed(&self.statements[grant.index]))
            .collect()
    }
}

/// Describes the open principal of an `Allow` statement, if it has one.
fn open_principal(statement: &Statement) -> Option<String> {
    if statement.effect != Effect::Allow {
        return None;
    }
    let spec = statement.principal.as_ref()?;
    if spec.negated {
        return Some("everyone outside its `NotPrincipal` list".to_string());
    }
    spec.entries.iter().find_map(|entry| match entry {
        PrincipalEntry::Any => Some("any principal (`*`)".to_string()),
        PrincipalEntry::Arn(arn) if arn.contains(['*', '?']) => Some(format!("the wildcard principal `{arn}`")),
        _ => None,
    })
}

fn statement_is_fixed(statement: &Statement) -> bool {
    statement.condition.iter().any(clause_fixes)
}

fn clause_fixes(clause: &Clause) -> bool {
    let op = &clause.operator;
    let known = FIXING_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&clause.key));
    let narrowing = !op.negated && !op.if_exists && op.set != Some(SetQualifier::ForAllValues);
    if !known || !narrowing || clause.compiled.is_empty() {
        return false;
    }
    clause
        .compiled
        .iter()
        .zip(&clause.values)
        .all(|(compiled, raw)| match compiled {
            Compiled::Cidr(Some(cidr)) => {
                op.comparison == Comparison::IpAddress
                    && cidr.prefix()
                        >= if cidr.is_ipv4() {
                            BROADEST_IPV4_PREFIX
                        } else {
                            BROADEST_IPV6_PREFIX
                        }
            }
            Compiled::Text(glob) => fixed(glob, raw),
            Compiled::Arn(fields) => fields.iter().all(|f| fixed(f, raw)),
            _ => false,
        })
}

fn fixed(glob: &Glob, raw: &str) -> bool {
    glob.is_fixed() && !raw.contains(['*', '?'])
}
