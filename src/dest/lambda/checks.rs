//! Checks for a Lambda destination: the function exists where the rule
//! points, in the rule's region, and its resource policy lets this rule
//! (iot.amazonaws.com with this rule's SourceArn and SourceAccount) invoke it.

use super::facts::LambdaFacts;
use crate::diagnose::access::compact;
use crate::diagnose::{CheckContext, Finding, Severity, Stage};
use crate::policy::{near_miss_reasons, Context, Decision, Policy, Principal, Request};
use crate::rule::RuleAction;

/// Runs every Lambda check.
pub fn check(ctx: &CheckContext<'_>, f: &LambdaFacts, out: &mut Vec<Finding>) {
    let component = ctx.dest_component(f.function_arn.clone());
    if !f.region.is_empty() && f.region != ctx.region() {
        out.push(
            Finding::new("lambda-region-mismatch", Severity::Error, Stage::Constraints, component.clone(), format!("the function is in {}, but the rule runs in {}; the Lambda action invokes functions in the rule's region only", f.region, ctx.region()))
                .fix(format!("deploy the function in {} and point the rule at it", ctx.region())),
        );
    }
    match f.config.known() {
        Some(None) => {
            out.push(
                Finding::new(
                    "lambda-function-not-found",
                    Severity::Error,
                    Stage::Destination,
                    component,
                    format!(
                        "function {} does not exist in account {} ({})",
                        f.function_arn, f.account_id, f.region
                    ),
                )
                .fix("create the function, or point the route and the rule at the right function ARN"),
            );
            return;
        }
        None => return,
        Some(Some(_)) => {}
    }
    // The rule pointing at another account's (non-existent) function is the walkthrough's mistake.
    if let Some(RuleAction::Lambda { function_arn }) =
        ctx.rule.and_then(|r| r.actions.iter().find(|a| a.kind() == "lambda"))
    {
        let rule_acct = function_arn.split(':').nth(4).unwrap_or_default();
        if ctx.action.is_none() && rule_acct != f.account_id {
            out.push(
                Finding::new("lambda-function-not-found", Severity::Error, Stage::Destination, ctx.source_component(function_arn.clone()), format!("the rule invokes {function_arn}, in account {rule_acct}, but the function lives in account {} as {}: account mismatch, so IoT finds no function to invoke", f.account_id, f.function_arn))
                    .evidence(format!("rule action functionArn = {function_arn}"))
                    .fix(format!("aws iot replace-topic-rule --rule-name {} ...   # with \"lambda\": {{\"functionArn\": \"{}\"}}", ctx.facts.rule_name, f.function_arn)),
            );
        }
    }
    if ctx.facts.probe.unverified.iter().any(|t| t == &f.function_arn) {
        let group = f
            .config
            .known()
            .cloned()
            .flatten()
            .and_then(|c| c.log_group)
            .unwrap_or_else(|| format!("/aws/lambda/{}", crate::dest::lambda::function_name(&f.function_arn)));
        out.push(
            Finding::new("lambda-not-logging-probe", Severity::Warning, Stage::Destination, component.clone(), format!("the function ran after the probe was sent but never logged it, so xprobe cannot verify delivery; its log group {group} has invocation lines without the probe id"))
                .fix("make the function log the event it receives, e.g. print(json.dumps(event)) (Python) or console.log(JSON.stringify(event)) (Node.js)"),
        );
    }
    let source = ctx.source_id().unwrap_or("<SOURCE_ACCOUNT_ID>").to_string();
    let rule_arn = ctx.rule_arn();
    let add_permission = format!(
        "aws lambda add-permission --function-name {} --region {} --principal iot.amazonaws.com --source-arn {rule_arn} --source-account {source} --statement-id xprobe-iot-{} --action lambda:InvokeFunction   # in account {}",
        f.function_arn, f.region, ctx.facts.rule_name, f.account_id
    );
    let Some(policy_text) = f.policy.known() else { return };
    let Some(text) = policy_text else {
        out.push(
            Finding::new(
                "lambda-permission-missing",
                Severity::Error,
                Stage::Destination,
                component,
                "the function has no resource policy, so AWS IoT may not invoke it",
            )
            .fix(add_permission),
        );
        return;
    };
    let Ok(policy) = Policy::parse(text) else { return };
    let request = |arn: &str, account: &str| {
        Request::new(
            Principal::service("iot.amazonaws.com"),
            "lambda:InvokeFunction",
            f.function_arn.clone(),
        )
        .with_context(
            Context::new()
                .with("aws:SourceArn", arn)
                .with("aws:SourceAccount", account),
        )
    };
    let eval = policy.evaluate(&request(&rule_arn, &source));
    if eval.decision == Decision::Allow {
        return;
    }
    // Would it allow with the conditions relaxed? Then a condition is the cause.
    let names_iot = text.contains("iot.amazonaws.com");
    let arn_ok = text.contains(&rule_arn);
    let code = if !names_iot {
        "lambda-permission-missing"
    } else if !arn_ok {
        "lambda-permission-source-arn-mismatch"
    } else {
        "lambda-permission-source-account-mismatch"
    };
    let why = near_miss_reasons(&eval.near_misses);
    let explanation = match code {
        "lambda-permission-source-arn-mismatch" => format!("the function's permission for iot.amazonaws.com names a different rule than {rule_arn}, so this rule may not invoke it: {why}"),
        "lambda-permission-source-account-mismatch" => format!("the function's permission for iot.amazonaws.com requires a different source account than {source}: {why}"),
        _ => "no statement of the function's policy lets iot.amazonaws.com invoke it".to_string(),
    };
    out.push(
        Finding::new(code, Severity::Error, Stage::Destination, component, explanation)
            .evidence(format!("function policy: {}", compact(text)))
            .fix(add_permission),
    );
}
