//! The role's existence and trust: the rules engine must be able to assume it.

use crate::diagnose::access::compact;
use crate::diagnose::source_facts::RoleFacts;
use crate::diagnose::{Component, Finding, Severity, Stage};
use crate::policy::{near_miss_reasons, Context, Decision, Policy, Principal, Request};

/// Findings about one role the rule uses.
pub fn trust_findings(role: &RoleFacts, rule_arn: &str, source_id: Option<&str>, out: &mut Vec<Finding>) {
    let name = role.arn.rsplit('/').next().unwrap_or_default();
    let component = Component::new(source_id, None, role.arn.clone());
    if !role.exists {
        out.push(
            Finding::new("role-not-found", Severity::Error, Stage::Role, component, format!("the rule's role {} does not exist in account {}", role.arn, source_id.unwrap_or("?")))
                .evidence(format!("iam GetRole {name}: NoSuchEntity"))
                .fix(format!("aws iam create-role --role-name {name} --assume-role-policy-document '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\"iot.amazonaws.com\"}},\"Action\":\"sts:AssumeRole\"}}]}}'")),
        );
        return;
    }
    let Some(trust) = &role.trust_policy else { return };
    let policy = match Policy::parse(trust) {
        Ok(p) => p,
        Err(e) => {
            out.push(
                Finding::new(
                    "role-trust-missing-iot",
                    Severity::Error,
                    Stage::Role,
                    component,
                    format!("the role's trust policy does not parse: {e}"),
                )
                .evidence(compact(trust)),
            );
            return;
        }
    };
    let mut context = Context::new().with("aws:SourceArn", rule_arn);
    if let Some(id) = source_id {
        context = context.with("aws:SourceAccount", id);
    }
    let req = Request::new(
        Principal::service("iot.amazonaws.com"),
        "sts:AssumeRole",
        role.arn.clone(),
    )
    .with_context(context);
    let eval = policy.evaluate(&req);
    if eval.decision == Decision::Allow {
        return;
    }
    let names_iot = trust.contains("iot.amazonaws.com");
    let fix = format!(
        "aws iam update-assume-role-policy --role-name {name} --policy-document '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\"iot.amazonaws.com\"}},\"Action\":\"sts:AssumeRole\",\"Condition\":{{\"StringEquals\":{{\"aws:SourceAccount\":\"{}\"}},\"ArnLike\":{{\"aws:SourceArn\":\"arn:aws:iot:*:{}:rule/*\"}}}}}}]}}'",
        source_id.unwrap_or("<SOURCE_ACCOUNT_ID>"),
        source_id.unwrap_or("<SOURCE_ACCOUNT_ID>")
    );
    let f = if names_iot && eval.decision == Decision::ImplicitDeny {
        let why = near_miss_reasons(&eval.near_misses);
        Finding::new(
            "role-trust-condition-mismatch",
            Severity::Error,
            Stage::Role,
            component,
            format!("the role trusts iot.amazonaws.com, but its conditions do not match this rule ({rule_arn}): {why}"),
        )
    } else {
        Finding::new("role-trust-missing-iot", Severity::Error, Stage::Role, component, format!("the role {} cannot be assumed by AWS IoT: its trust policy does not allow iot.amazonaws.com to call sts:AssumeRole", role.arn))
    };
    out.push(f.evidence(format!("trust policy: {}", compact(trust))).fix(fix));
}
