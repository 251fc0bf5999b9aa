//! `xprobe can`: evaluate one request across accounts with the live
//! policies (read through the config's accounts) or with policy files.

use std::path::Path;

use super::args::{CanArgs, OutputFormat};
use super::check::load_config;
use crate::aws::names::Arn;
use crate::aws::{AccountClients, ApiCallCounter, AwsError, ClientFactory};
use crate::diagnose::{decode_document, Fact};
use crate::exit;
use crate::policy::{authorize, Context, Decision, Policy, PolicyKind, PolicySet, Principal, Request};

/// Runs `xprobe can` and returns the exit code.
pub async fn run(args: CanArgs) -> i32 {
    match evaluate(&args).await {
        Ok(allowed) => {
            if allowed {
                exit::OK
            } else {
                exit::PROBE_FAILED
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::USAGE
        }
    }
}

fn principal(s: &str) -> Principal {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Principal::aws(format!("arn:aws:iam::{s}:root"));
    }
    if s.ends_with(".amazonaws.com") {
        return Principal::service(s);
    }
    if let Ok(a) = Arn::parse(s) {
        if a.service == "iam" {
            if let Some(name) = a.resource.strip_prefix("role/") {
                return Principal::assumed_role(&a.account, name.rsplit('/').next().unwrap_or(name), "xprobe-can");
            }
        }
    }
    Principal::aws(s)
}

fn read_policy(path: &Path) -> Result<Policy, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Policy::parse(&decode_document(&text)).map_err(|e| format!("{}: {e}", path.display()))
}

async fn evaluate(args: &CanArgs) -> Result<bool, String> {
    let mut context = Context::new();
    for kv in &args.context {
        let (k, v) = kv.split_once('=').ok_or_else(|| {
            format!("--context `{kv}` is not KEY=VALUE (hint: --context aws:SourceAccount=111111111111)")
        })?;
        context.insert(k, vec![v.to_string()]);
    }
    let resource_account = resource_account(&args.resource);
    let mut set = PolicySet::new();
    for p in &args.identity_policy {
        set.add(PolicyKind::Identity, p.display().to_string(), read_policy(p)?);
    }
    if let Some(p) = &args.boundary {
        set.add(PolicyKind::Boundary, p.display().to_string(), read_policy(p)?);
    }
    let resource_kind = if args.resource.starts_with("arn:aws:kms:") {
        PolicyKind::KeyPolicy
    } else {
        PolicyKind::Resource
    };
    if let Some(p) = &args.resource_policy {
        set.add(resource_kind, p.display().to_string(), read_policy(p)?);
    }
    let live_needed =
        (args.identity_policy.is_empty() && args.principal.contains(":role/")) || args.resource_policy.is_none();
    if live_needed {
        if let Some(path) = &args.config {
            let config =
                load_config(path, OutputFormat::Text).map_err(|_| "the config has problems (see above)".to_string())?;
            let factory = ClientFactory::new(config.accounts.clone(), ApiCallCounter::new());
            let accounts = account_ids(&factory, config.accounts.keys()).await;
            if args.identity_policy.is_empty() && args.principal.contains(":role/") {
                let owner = args.principal.split(':').nth(4).unwrap_or_default();
                if let Some((_, c)) = accounts.iter().find(|(id, _)| id == owner) {
                    match crate::diagnose::RoleFacts::clone(&live_role(c, &args.principal).await?) {
                        r if !r.exists => return Err(format!("role {} does not exist", args.principal)),
                        r => {
                            for p in r.inline_policies.iter().chain(&r.attached_policies) {
                                set.add(
                                    PolicyKind::Identity,
                                    format!("{} ({})", p.name, args.principal),
                                    Policy::parse(&p.document).map_err(|e| e.to_string())?,
                                );
                            }
                            if let Some(b) = &r.boundary {
                                set.add(
                                    PolicyKind::Boundary,
                                    b.name.clone(),
                                    Policy::parse(&b.document).map_err(|e| e.to_string())?,
                                );
                            }
                        }
                    }
                } else {
                    eprintln!(
                        "note: no account in the config is {owner}, so the principal's identity policies were not read"
                    );
                }
            }
            if args.resource_policy.is_none() {
                let owner = resource_account.clone();
                let clients = accounts
                    .iter()
                    .find(|(id, _)| Some(id.as_str()) == owner.as_deref())
                    .or_else(|| accounts.first())
                    .map(|(_, c)| c);
                if let Some(c) = clients {
                    if let Some(doc) = live_resource_policy(c, &args.resource).await? {
                        set.add(
                            resource_kind,
                            format!("resource policy of {}", args.resource),
                            Policy::parse(&decode_document(&doc)).map_err(|e| e.to_string())?,
                        );
                    }
                }
            }
        }
    }
    let mut req = Request::new(principal(&args.principal), &args.action, &args.resource).with_context(context);
    if let Some(a) = resource_account {
        req = req.with_resource_account(a);
    }
    let auth = authorize(&req, &set);
    let allowed = auth.decision == Decision::Allow;
    println!(
        "{}: {} {} on {}",
        if allowed { "ALLOWED" } else { "DENIED" },
        args.principal,
        args.action,
        args.resource
    );
    println!("decision: {:?}", auth.decision);
    for (kind, d) in &auth.per_kind {
        println!("  {kind:?}: {d:?}");
    }
    for s in &auth.decided_by {
        println!("decided by: {s}");
    }
    for e in &auth.explanation {
        println!("why: {e}");
    }
    for m in &auth.near_misses {
        println!("near miss: {m}");
    }
    if set.entries().is_empty() {
        println!("note: no policies were given or read (pass --config, or --identity-policy/--resource-policy files)");
    }
    Ok(allowed)
}

/// The account that owns the resource, from its ARN (S3 ARNs have none).
fn resource_account(resource: &str) -> Option<String> {
    Arn::parse(resource).ok().map(|a| a.account).filter(|a| !a.is_empty())
}

async fn account_ids<'a>(
    factory: &ClientFactory,
    names: impl Iterator<Item = &'a String>,
) -> Vec<(String, AccountClients)> {
    let mut out = Vec::new();
    for n in names {
        if let Some(c) = factory.account(n).await {
            if let Ok(id) = c.sts().get_caller_identity().send().await {
                out.push((id.account().unwrap_or_default().to_string(), c));
            }
        }
    }
    out
}

async fn live_role(c: &AccountClients, arn: &str) -> Result<crate::diagnose::RoleFacts, String> {
    let name = arn.rsplit('/').next().unwrap_or(arn);
    let arn = format!("arn:aws:iam::{}:role/{name}", arn.split(':').nth(4).unwrap_or_default());
    match crate::diagnose::gather_role(c, &arn).await {
        Fact::Known(r) => Ok(r),
        Fact::Unknown(u) => Err(format!(
            "cannot read role {arn}: {} (needs {})",
            u.reason,
            u.permission.unwrap_or_default()
        )),
    }
}

async fn live_resource_policy(c: &AccountClients, resource: &str) -> Result<Option<String>, String> {
    let a = Arn::parse(resource).map_err(|e| e.to_string())?;
    let show = |e: AwsError| e.to_string();
    Ok(match a.service.as_str() {
        "sqs" => {
            let url = format!("https://sqs.{}.amazonaws.com/{}/{}", a.region, a.account, a.resource);
            let out = c
                .sqs()
                .get_queue_attributes()
                .queue_url(url)
                .attribute_names(aws_sdk_sqs::types::QueueAttributeName::Policy)
                .send()
                .await
                .map_err(|e| show(AwsError::from_sdk("sqs", "GetQueueAttributes", e)))?;
            out.attributes()
                .and_then(|m| m.get(&aws_sdk_sqs::types::QueueAttributeName::Policy))
                .cloned()
        }
        "sns" => {
            let out = c
                .sns()
                .get_topic_attributes()
                .topic_arn(resource)
                .send()
                .await
                .map_err(|e| show(AwsError::from_sdk("sns", "GetTopicAttributes", e)))?;
            out.attributes().and_then(|m| m.get("Policy")).cloned()
        }
        "s3" => {
            let bucket = a.resource.split('/').next().unwrap_or_default();
            match c.s3().get_bucket_policy().bucket(bucket).send().await {
                Ok(o) => o.policy().map(str::to_string),
                Err(e) => {
                    let e = AwsError::from_sdk("s3", "GetBucketPolicy", e);
                    if e.code() == Some("NoSuchBucketPolicy") {
                        None
                    } else {
                        return Err(show(e));
                    }
                }
            }
        }
        "lambda" => match c.lambda().get_policy().function_name(resource).send().await {
            Ok(o) => o.policy().map(str::to_string),
            Err(e) => {
                let e = AwsError::from_sdk("lambda", "GetPolicy", e);
                if e.is_not_found() {
                    None
                } else {
                    return Err(show(e));
                }
            }
        },
        "kms" => {
            let out = c
                .kms()
                .get_key_policy()
                .key_id(resource)
                .policy_name("default")
                .send()
                .await
                .map_err(|e| show(AwsError::from_sdk("kms", "GetKeyPolicy", e)))?;
            out.policy().map(str::to_string)
        }
        other => {
            return Err(format!(
                "reading live policies of `{other}` resources is not supported; pass --resource-policy"
            ))
        }
    })
}
