//! `xprobe check`: probe every selected route once and report.

use std::path::Path;

use futures::future::join_all;

use super::args::{CheckArgs, OutputFormat};
use super::progress::Progress;
use super::render;
use crate::aws::{ApiCallCounter, ClientFactory};
use crate::config::{self, closest, Config, ConfigError, RouteConfig};
use crate::exit;
use crate::mqtt::Publisher;
use crate::probe::{ProbeLedger, RouteProbe, RouteResult};

/// Runs `xprobe check` and returns the exit code.
pub async fn run(args: CheckArgs) -> i32 {
    let mut config = match load_config(&args.config.config, args.output) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Some(d) = args.deadline {
        config.routes.iter_mut().for_each(|r| r.deadline = d);
    }
    let routes = match select_routes(&config, &args.route) {
        Ok(r) => r,
        Err(msg) => {
            eprintln!("error: {msg}");
            return exit::USAGE;
        }
    };
    if args.dry_run {
        render::dry_run(&config, &routes, args.output);
        return exit::OK;
    }
    let mut results = probe_routes(&config, &routes).await;
    if !args.no_diagnose {
        super::diagnose::attach_diagnoses(&config, &mut results).await;
    }
    render::results(&results, args.output);
    exit_code(&results)
}

/// Probes the routes concurrently over one shared publisher.
pub async fn probe_routes(config: &Config, routes: &[&RouteConfig]) -> Vec<RouteResult> {
    let factory = ClientFactory::new(config.accounts.clone(), ApiCallCounter::new());
    let total: usize = routes.iter().map(|r| r.destinations.len()).sum();
    let progress = Progress::start(routes.len(), total);
    let publisher = match routes.first() {
        Some(first) => match factory.account(&first.account).await {
            Some(source) => Publisher::open(&config.mqtt, &source, false).await,
            None => return Vec::new(),
        },
        None => return Vec::new(),
    };
    let ledger = ProbeLedger::new();
    let probe = RouteProbe {
        factory: &factory,
        publisher: publisher.as_ref(),
        ledger: &ledger,
    };
    let results = join_all(routes.iter().map(|r| async {
        let res = probe.run(r).await;
        progress.done(res.destinations.len());
        res
    }))
    .await;
    progress.finish();
    if let Ok(p) = publisher {
        p.close().await;
    }
    results
}

/// 0 all delivered, 3 nothing could be sent, 1 otherwise.
pub fn exit_code(results: &[RouteResult]) -> i32 {
    if results.is_empty() || results.iter().all(|r| !r.was_sent()) {
        exit::NO_PROBE_SENT
    } else if results.iter().all(RouteResult::all_delivered) {
        exit::OK
    } else {
        exit::PROBE_FAILED
    }
}

/// Loads the config, printing every problem; `Err` holds the exit code.
pub(crate) fn load_config(path: &Path, output: OutputFormat) -> Result<Config, i32> {
    config::load(path).map_err(|e| {
        report_config_error(&e, output);
        exit::USAGE
    })
}

fn report_config_error(e: &ConfigError, output: OutputFormat) {
    eprintln!("error: {e}");
    if output == OutputFormat::Json {
        let problems: Vec<_> = e
            .problems()
            .into_iter()
            .map(|p| serde_json::json!({"line": p.line, "column": p.column, "key": p.key, "message": p.message, "hint": p.hint}))
            .collect();
        println!(
            "{}",
            serde_json::json!({"error": {"kind": "config", "message": e.to_string(), "problems": problems}})
        );
    }
}

/// The routes named with `--route`, or all of them.
pub(crate) fn select_routes<'c>(config: &'c Config, names: &[String]) -> Result<Vec<&'c RouteConfig>, String> {
    if names.is_empty() {
        return Ok(config.routes.iter().collect());
    }
    names
        .iter()
        .map(|n| {
            config.route(n).ok_or_else(|| {
                let known = config.routes.iter().map(|r| r.name.as_str());
                match closest(n, known) {
                    Some(s) => format!(
                        "no route named `{n}` in {} (hint: did you mean `{s}`?)",
                        config.path.display()
                    ),
                    None => format!(
                        "no route named `{n}` in {} (routes: {})",
                        config.path.display(),
                        config
                            .routes
                            .iter()
                            .map(|r| r.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            })
        })
        .collect()
}
