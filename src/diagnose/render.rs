//! Diagnose output: text for a terminal, the documented JSON schema, and
//! markdown for a ticket.

use serde::Serialize;

use super::fact::Unknown;
use super::finding::{Finding, Severity};

/// The diagnosis of one route.
#[derive(Debug, Clone, Serialize)]
pub struct RouteDiagnosis {
    pub route: String,
    pub findings: Vec<Finding>,
    /// Facts xprobe could not read, and the permission that would reveal each.
    pub unknown_facts: Vec<UnknownFact>,
    /// AWS calls made to read the facts.
    pub api_calls: u64,
}

/// A fact that could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct UnknownFact {
    pub fact: String,
    pub reason: String,
    pub permission: Option<String>,
}

impl RouteDiagnosis {
    pub fn new(route: &str, findings: Vec<Finding>, unknown: Vec<(String, Unknown)>, api_calls: u64) -> Self {
        RouteDiagnosis {
            route: route.to_string(),
            findings,
            unknown_facts: unknown
                .into_iter()
                .map(|(fact, u)| UnknownFact {
                    fact,
                    reason: u.reason,
                    permission: u.permission,
                })
                .collect(),
            api_calls,
        }
    }

    fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }
}

fn mark(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✗",
        Severity::Warning => "!",
        Severity::Info => "i",
    }
}

fn place(f: &Finding) -> String {
    let mut p = f.component.resource.clone();
    let extra: Vec<String> = [
        f.component.account.as_ref().map(|a| format!("account {a}")),
        f.component.region.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !extra.is_empty() {
        p.push_str(&format!(" ({})", extra.join(", ")));
    }
    p
}

/// Text for a terminal.
pub fn render_text(routes: &[RouteDiagnosis]) -> String {
    let mut out = String::new();
    for r in routes {
        out.push_str(&format!(
            "route {}: {} error{}, {} warning{}, {} info\n",
            r.route,
            r.count(Severity::Error),
            if r.count(Severity::Error) == 1 { "" } else { "s" },
            r.count(Severity::Warning),
            if r.count(Severity::Warning) == 1 { "" } else { "s" },
            r.count(Severity::Info)
        ));
        for f in &r.findings {
            out.push_str(&format!(
                "\n  {} {} {}\n    at {}\n    {}\n",
                mark(f.severity),
                f.severity.as_str(),
                f.code,
                place(f),
                f.explanation
            ));
            for e in &f.evidence {
                out.push_str(&format!("    evidence: {e}\n"));
            }
            if let Some(c) = f.confirms {
                if c != f.code {
                    out.push_str(&format!("    confirms: {c}\n"));
                }
            }
            if let Some(fix) = &f.fix {
                out.push_str(&format!("    fix: {fix}\n"));
            }
        }
        if !r.unknown_facts.is_empty() {
            out.push_str("\n  not known (xprobe could not read them):\n");
            for u in &r.unknown_facts {
                out.push_str(&format!(
                    "    - {}: {}{}\n",
                    u.fact,
                    u.reason,
                    u.permission
                        .as_ref()
                        .map(|p| format!(" (needs {p})"))
                        .unwrap_or_default()
                ));
            }
        }
        out.push('\n');
    }
    out
}

/// The JSON document: `{"schema_version": 1, "routes": [RouteDiagnosis]}`.
pub fn render_json(routes: &[RouteDiagnosis]) -> String {
    serde_json::to_string_pretty(&serde_json::json!({"schema_version": 1, "routes": routes})).unwrap_or_default()
}

/// Markdown, to paste into a ticket.
pub fn render_markdown(routes: &[RouteDiagnosis]) -> String {
    let mut out = String::new();
    for r in routes {
        out.push_str(&format!("## xprobe diagnose: route `{}`\n\n", r.route));
        if r.findings.is_empty() {
            out.push_str("No findings.\n\n");
        } else {
            out.push_str("| severity | code | where | what |\n|---|---|---|---|\n");
            for f in &r.findings {
                out.push_str(&format!(
                    "| {} | `{}` | `{}` | {} |\n",
                    f.severity.as_str(),
                    f.code,
                    place(f),
                    f.explanation.replace('|', "\\|")
                ));
            }
            out.push('\n');
            for f in r.findings.iter().filter(|f| f.severity != Severity::Info) {
                out.push_str(&format!("### `{}`\n\n{}\n\n", f.code, f.explanation));
                for e in &f.evidence {
                    out.push_str(&format!("- evidence: `{}`\n", e.replace('`', "'")));
                }
                if let Some(fix) = &f.fix {
                    out.push_str(&format!("\nFix:\n\n```sh\n{fix}\n```\n\n"));
                }
            }
        }
        if !r.unknown_facts.is_empty() {
            out.push_str("Not known:\n\n");
            for u in &r.unknown_facts {
                out.push_str(&format!(
                    "- {}: {}{}\n",
                    u.fact,
                    u.reason,
                    u.permission
                        .as_ref()
                        .map(|p| format!(" (needs `{p}`)"))
                        .unwrap_or_default()
                ));
            }
            out.push('\n');
        }
    }
    out
}
