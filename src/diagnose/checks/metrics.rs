//! The rule's AWS/IoT metrics as evidence: actions that failed in the last
//! hour, linked to the static finding that explains them when there is one.

use crate::diagnose::facts::RouteFacts;
use crate::diagnose::{Component, Finding, Severity, Stage};

/// `rule-action-failures` when any action of the rule failed in the window.
pub fn metrics_findings(facts: &RouteFacts, static_findings: &[Finding], out: &mut Vec<Finding>) {
    let Some(m) = facts.metrics.known() else { return };
    if m.failures() == 0 {
        return;
    }
    let failing: Vec<_> = m.actions.iter().filter(|a| a.failure > 0).collect();
    let confirmed = failing
        .iter()
        .find_map(|a| explained_by(&a.action_type, static_findings));
    let summary = failing
        .iter()
        .map(|a| {
            let s = if a.failure == 1 { "" } else { "s" };
            format!("{} failure{s} of the {} action", a.failure, a.action_type)
        })
        .collect::<Vec<_>>()
        .join(" and ");
    let counted = format!(
        "the AWS/IoT Failure metric counted {summary} in the last {} minutes",
        m.window_minutes
    );
    let explanation = match confirmed {
        Some(code) => format!("{counted}, which confirms `{code}`"),
        None => format!(
            "{counted}, but the static analysis found nothing wrong with the rule's actions now: the failures may predate a fix, or come from what xprobe cannot see (unknown facts, SCPs, throttling); read them in AWSIotLogsV2"
        ),
    };
    let mut f = Finding::new(
        "rule-action-failures",
        Severity::Warning,
        Stage::Evidence,
        Component::new(
            facts.source.id.known().map(String::as_str),
            Some(&facts.source.region),
            format!("rule/{}", facts.rule_name),
        ),
        explanation,
    );
    for a in &m.actions {
        f = f.evidence(format!(
            "AWS/IoT RuleName={} ActionType={}: Failure = {}, Success = {} (last {} minutes)",
            facts.rule_name, a.action_type, a.failure, a.success, m.window_minutes
        ));
    }
    if let Some(t) = m.topic_match {
        f = f.evidence(format!("AWS/IoT RuleName={}: TopicMatch = {t}", facts.rule_name));
    }
    f = f.fix(format!(
        "aws logs filter-log-events --region {} --log-group-name AWSIotLogsV2 --start-time $(( ($(date +%s) - 3600) * 1000 )) --filter-pattern '{{ ($.ruleName = \"{}\") && ($.status = \"Failure\") }}'",
        facts.source.region, facts.rule_name
    ));
    f.confirms = confirmed;
    out.push(f);
}

/// The error-level finding that explains failures of `action_type`: one
/// about that kind of destination, or about the role such actions use.
fn explained_by(action_type: &str, static_findings: &[Finding]) -> Option<&'static str> {
    let t = action_type.to_ascii_lowercase();
    let kind = ["sqs", "sns", "s3", "lambda"].into_iter().find(|k| t.starts_with(k));
    static_findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.stage > Stage::Rule && f.stage < Stage::Evidence)
        .find(|f| match kind {
            Some("lambda") => f.code.starts_with("lambda-"),
            Some(k) => f.code.starts_with(&format!("{k}-")) || f.code.starts_with("role-"),
            None => true,
        })
        .map(|f| f.code)
}
