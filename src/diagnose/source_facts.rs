//! Facts from the source account: the rule's IoT logging settings, the
//! role's trust and permissions, and recent rule failures.

use serde::{Deserialize, Serialize};

use super::fact::Fact;
use crate::aws::{AccountClients, AwsError};

/// An IAM policy document with its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedPolicy {
    /// The inline policy's name or the managed policy's ARN.
    pub name: String,
    pub document: String,
}

/// The rule's role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleFacts {
    pub arn: String,
    /// False when GetRole says NoSuchEntity.
    pub exists: bool,
    pub trust_policy: Option<String>,
    pub inline_policies: Vec<NamedPolicy>,
    pub attached_policies: Vec<NamedPolicy>,
    pub boundary: Option<NamedPolicy>,
}

/// IoT's V2 logging settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggingFacts {
    pub default_log_level: Option<String>,
    pub disable_all_logs: bool,
    pub role_arn: Option<String>,
}

/// Reads the role: trust policy, inline and attached policies, boundary.
pub async fn role(clients: &AccountClients, arn: &str) -> Fact<RoleFacts> {
    let name = arn.rsplit('/').next().unwrap_or(arn).to_string();
    let iam = clients.iam();
    let (role, inline, attached) = tokio::join!(
        iam.get_role().role_name(&name).send(),
        iam.list_role_policies().role_name(&name).send(),
        iam.list_attached_role_policies().role_name(&name).send(),
    );
    let role = match role {
        Ok(r) => r,
        Err(e) => {
            let e = AwsError::from_sdk("iam", "GetRole", e);
            if e.code() == Some("NoSuchEntity") {
                return Fact::Known(RoleFacts {
                    arn: arn.to_string(),
                    exists: false,
                    trust_policy: None,
                    inline_policies: Vec::new(),
                    attached_policies: Vec::new(),
                    boundary: None,
                });
            }
            return Fact::from_error(&e);
        }
    };
    let r = role.role();
    let trust_policy = r.and_then(|r| r.assume_role_policy_document()).map(decode_document);
    let boundary_arn = r
        .and_then(|r| r.permissions_boundary())
        .and_then(|b| b.permissions_boundary_arn())
        .map(str::to_string);
    let inline_names: Vec<String> = match inline {
        Ok(l) => l.policy_names().to_vec(),
        Err(e) => return Fact::from_error(&AwsError::from_sdk("iam", "ListRolePolicies", e)),
    };
    let attached_arns: Vec<String> = match attached {
        Ok(l) => l
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_arn().map(str::to_string))
            .collect(),
        Err(e) => return Fact::from_error(&AwsError::from_sdk("iam", "ListAttachedRolePolicies", e)),
    };
    let inline_docs = futures::future::join_all(inline_names.iter().map(|p| {
        let iam = iam.clone();
        let role = name.clone();
        async move {
            iam.get_role_policy()
                .role_name(role)
                .policy_name(p)
                .send()
                .await
                .map(|o| NamedPolicy {
                    name: p.clone(),
                    document: decode_document(o.policy_document()),
                })
                .map_err(|e| AwsError::from_sdk("iam", "GetRolePolicy", e))
        }
    }));
    let managed = futures::future::join_all(
        attached_arns
            .iter()
            .chain(boundary_arn.iter())
            .map(|arn| managed_policy(&iam, arn)),
    );
    let (inline_docs, managed) = tokio::join!(inline_docs, managed);
    let inline_policies = match inline_docs.into_iter().collect::<Result<Vec<_>, _>>() {
        Ok(v) => v,
        Err(e) => return Fact::from_error(&e),
    };
    let mut managed = match managed.into_iter().collect::<Result<Vec<_>, _>>() {
        Ok(v) => v,
        Err(e) => return Fact::from_error(&e),
    };
    let boundary = boundary_arn.is_some().then(|| managed.pop()).flatten();
    Fact::Known(RoleFacts {
        arn: arn.to_string(),
        exists: true,
        trust_policy,
        inline_policies,
        attached_policies: managed,
        boundary,
    })
}

/// GetPolicy for the default version, then GetPolicyVersion. A customer
/// managed policy is usually at v1, so v1 is read alongside GetPolicy: one
/// round trip instead of two, and a second read only when the default is
/// another version. AWS managed policies are rarely at v1 and are read in turn.
async fn managed_policy(iam: &aws_sdk_iam::Client, arn: &str) -> Result<NamedPolicy, AwsError> {
    let version = |v: &str| iam.get_policy_version().policy_arn(arn).version_id(v).send();
    let guess = async {
        // AWS managed policies are owned by the account "aws".
        match arn.split(':').nth(4) {
            Some("aws") => None,
            _ => Some(version("v1").await),
        }
    };
    let (p, guessed) = tokio::join!(iam.get_policy().policy_arn(arn).send(), guess);
    let p = p.map_err(|e| AwsError::from_sdk("iam", "GetPolicy", e))?;
    let default = p.policy().and_then(|p| p.default_version_id()).unwrap_or("v1");
    let v = match guessed {
        Some(Ok(v)) if default == "v1" => v,
        _ => version(default)
            .await
            .map_err(|e| AwsError::from_sdk("iam", "GetPolicyVersion", e))?,
    };
    Ok(NamedPolicy {
        name: arn.to_string(),
        document: v
            .policy_version()
            .and_then(|v| v.document())
            .map(decode_document)
            .unwrap_or_default(),
    })
}

/// IAM returns policy documents URL-encoded; emulators sometimes don't.
pub fn decode_document(doc: &str) -> String {
    if doc.trim_start().starts_with('{') {
        return doc.to_string();
    }
    let bytes = doc.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// GetV2LoggingOptions.
pub async fn logging(clients: &AccountClients) -> Fact<LoggingFacts> {
    match clients.iot().get_v2_logging_options().send().await {
        Ok(o) => Fact::Known(LoggingFacts {
            default_log_level: o.default_log_level().map(|l| l.as_str().to_string()),
            disable_all_logs: o.disable_all_logs(),
            role_arn: o.role_arn().map(str::to_string),
        }),
        Err(e) => {
            let e = AwsError::from_sdk("iot", "GetV2LoggingOptions", e);
            if e.is_not_found() || e.code() == Some("NotConfiguredException") {
                // Never configured (AWS answers NotConfiguredException): logging is off.
                Fact::Known(LoggingFacts {
                    default_log_level: None,
                    disable_all_logs: true,
                    role_arn: None,
                })
            } else {
                Fact::from_error(&e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::decode_document;

    #[test]
    fn decodes_url_encoded_documents() {
        assert_eq!(
            decode_document("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
        assert_eq!(decode_document(r#"{"a":"%7B"}"#), r#"{"a":"%7B"}"#);
    }
}
