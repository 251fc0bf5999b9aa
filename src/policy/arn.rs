//! Minimal ARN splitting: `arn:partition:service:region:account:resource`.
//!
//! Only what evaluation needs: the six fields, borrowed. The resource part
//! keeps any further `:` or `/` characters.

/// The six fields of an ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arn<'a> {
    pub(crate) partition: &'a str,
    pub(crate) service: &'a str,
    pub(crate) region: &'a str,
    pub(crate) account: &'a str,
    pub(crate) resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits `text` into ARN fields, or `None` if it is not shaped like an
    /// ARN (fewer than six `:`-separated fields or no `arn` prefix).
    pub(crate) fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        Some(Self {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        })
    }

    /// The fields in order, for component-wise matching.
    pub(crate) fn fields(&self) -> [&'a str; 5] {
        [self.partition, self.service, self.region, self.account, self.resource]
    }
}

/// Whether `text` is a bare twelve-digit account id.
pub(crate) fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The account a resource ARN belongs to, if the ARN names one (S3 bucket
/// ARNs do not).
pub(crate) fn resource_account(resource: &str) -> Option<&str> {
    Arn::parse(resource)
        .map(|arn| arn.account)
        .filter(|account| !account.is_empty())
}
