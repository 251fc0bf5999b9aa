//! `xprobe diagnose`, and the diagnosis `check` runs for destinations that
//! were not delivered.

use std::path::Path;

use futures::future::join_all;

use super::args::{DiagnoseArgs, OutputFormat, ReportFormat};
use super::check::{load_config, select_routes};
use crate::aws::{ApiCallCounter, ClientFactory};
use crate::config::Config;
use crate::diagnose::{self, gather_route, Finding, ProbeFacts, RouteDiagnosis, RouteFacts, Severity, Stage};
use crate::exit;
use crate::probe::{RouteResult, Status};

/// Runs `xprobe diagnose` and returns the exit code.
pub async fn run(args: DiagnoseArgs) -> i32 {
    let facts = match &args.facts {
        Some(path) => match read_facts(path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        },
        None => {
            let config = match load_config(&args.config.config, OutputFormat::Text) {
                Ok(c) => c,
                Err(code) => return code,
            };
            let routes = match select_routes(&config, &args.route) {
                Ok(r) => r,
                Err(msg) => {
                    eprintln!("error: {msg}");
                    return exit::USAGE;
                }
            };
            let factory = ClientFactory::new(config.accounts.clone(), ApiCallCounter::new());
            join_all(routes.iter().map(|r| gather_route(&factory, r, ProbeFacts::default()))).await
        }
    };
    if let Some(path) = &args.save_facts {
        let text = serde_json::to_string_pretty(&facts).unwrap_or_default();
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("error: cannot write facts to {}: {e}", path.display());
            return exit::USAGE;
        }
        eprintln!("facts written to {}", path.display());
    }
    let wanted = |f: &RouteFacts| args.facts.is_none() || args.route.is_empty() || args.route.contains(&f.route);
    let reports: Vec<RouteDiagnosis> = facts.iter().filter(|f| wanted(f)).map(report).collect();
    let out = match args.output {
        ReportFormat::Text => diagnose::render_text(&reports),
        ReportFormat::Json => diagnose::render_json(&reports),
        ReportFormat::Markdown => diagnose::render_markdown(&reports),
    };
    print!("{out}");
    if args.output == ReportFormat::Json {
        println!();
    }
    if reports.iter().any(|r| diagnose::has_errors(&r.findings)) {
        exit::PROBE_FAILED
    } else {
        exit::OK
    }
}

fn report(f: &RouteFacts) -> RouteDiagnosis {
    RouteDiagnosis::new(&f.route, diagnose::diagnose(f), diagnose::unknown_facts(f), f.api_calls)
}

fn read_facts(path: &Path) -> Result<Vec<RouteFacts>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read facts file {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not a facts file written by `xprobe diagnose --save-facts`: {e} (hint: line {}, column {})",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

/// Diagnoses every route with a destination not delivered, and attaches
/// the most relevant finding to each such destination.
pub async fn attach_diagnoses(config: &Config, results: &mut [RouteResult]) {
    let factory = ClientFactory::new(config.accounts.clone(), ApiCallCounter::new());
    let work: Vec<_> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.all_delivered())
        .filter_map(|(i, r)| {
            config
                .route(&r.name)
                .map(|route| (i, route, ProbeFacts::from_result(route, r)))
        })
        .collect();
    let found = join_all(work.into_iter().map(|(i, route, probe)| {
        let factory = &factory;
        async move { (i, diagnose::diagnose(&gather_route(factory, route, probe).await)) }
    }))
    .await;
    for (i, findings) in found {
        for d in results[i]
            .destinations
            .iter_mut()
            .filter(|d| d.status != Status::Delivered)
        {
            d.diagnosis = top_finding(&findings, &d.target).cloned();
        }
    }
}

/// The finding that best explains a destination's failure: about this
/// target, or upstream of every destination (publish, rule, role).
fn top_finding<'f>(findings: &'f [Finding], target: &str) -> Option<&'f Finding> {
    let name = target.rsplit(['/', ':']).next().unwrap_or(target);
    let about = |f: &Finding| {
        f.component.resource.contains(name) || matches!(f.stage, Stage::Publish | Stage::Rule | Stage::Role)
    };
    let actionable = |f: &&Finding| f.severity == Severity::Error && f.code != "rule-error-reported";
    findings
        .iter()
        .filter(actionable)
        .find(|f| about(f))
        .or_else(|| findings.iter().find(actionable))
        .or_else(|| findings.iter().find(|f| f.severity == Severity::Error))
}
