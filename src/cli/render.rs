//! Rendering check results as a text table or the documented JSON schema.

use serde::Serialize;

use super::args::OutputFormat;
use crate::config::{Config, DestinationSpec, RouteConfig};
use crate::probe::{RouteResult, Status};

/// The version of the `--output json` schema. Fields are only ever added.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    routes: &'a [RouteResult],
    summary: Summary,
}

#[derive(Serialize, Default, Debug, PartialEq, Eq)]
struct Summary {
    destinations: usize,
    delivered: usize,
    missing: usize,
    error: usize,
    unverified: usize,
}

fn summary(results: &[RouteResult]) -> Summary {
    let mut s = Summary::default();
    for d in results.iter().flat_map(|r| &r.destinations) {
        s.destinations += 1;
        match d.status {
            Status::Delivered => s.delivered += 1,
            Status::Missing => s.missing += 1,
            Status::Error => s.error += 1,
            Status::Unverified => s.unverified += 1,
        }
    }
    s
}

/// Prints results to stdout.
pub fn results(results: &[RouteResult], format: OutputFormat) {
    match format {
        OutputFormat::Json => {
            let report = Report {
                schema_version: SCHEMA_VERSION,
                routes: results,
                summary: summary(results),
            };
            println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
        }
        OutputFormat::Text => print!("{}", text(results)),
    }
}

/// The text table.
pub fn text(results: &[RouteResult]) -> String {
    let mut rows = vec![[
        "ROUTE".to_string(),
        "KIND".into(),
        "TARGET".into(),
        "STATUS".into(),
        "LATENCY".into(),
    ]];
    let mut notes: Vec<(usize, Vec<String>)> = Vec::new();
    for r in results {
        for d in &r.destinations {
            rows.push([
                r.name.clone(),
                d.kind.clone(),
                d.target.clone(),
                d.status.as_str().to_string(),
                d.latency_ms
                    .or(d.detect_ms)
                    .map_or_else(|| "-".to_string(), |ms| format!("{ms} ms")),
            ]);
            let mut n = Vec::new();
            if let Some(e) = &d.error {
                n.push(e.clone());
            }
            if let Some(h) = &d.hint {
                n.push(format!("hint: {h}"));
            }
            if let Some(f) = &d.diagnosis {
                n.push(format!("diagnosis: {} — {}", f.code, f.explanation));
                if let Some(fix) = &f.fix {
                    n.push(format!("fix: {fix}"));
                }
            }
            for w in &d.warnings {
                n.push(format!("warning: {w}"));
            }
            notes.push((rows.len() - 1, n));
        }
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let line: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if let Some((_, n)) = notes.iter().find(|(r, _)| *r == i) {
            for note in n {
                out.push_str(&format!("    {note}\n"));
            }
        }
    }
    let s = summary(results);
    out.push_str(&format!(
        "\n{} destination{}: {} delivered, {} missing, {} error",
        s.destinations,
        if s.destinations == 1 { "" } else { "s" },
        s.delivered,
        s.missing,
        s.error
    ));
    if s.unverified > 0 {
        out.push_str(&format!(", {} unverified", s.unverified));
    }
    if let Some(p) = results.iter().map(|r| &r.publish).find(|p| p.error.is_none()) {
        out.push_str(&format!("  (publish: {}", p.mode));
        if let Some(c) = p.connect_ms {
            out.push_str(&format!(", connect {c} ms"));
        }
        if let Some(ms) = p.publish_ms {
            out.push_str(&format!(", publish {ms} ms"));
        }
        out.push(')');
    }
    out.push('\n');
    out
}

/// Prints what `--dry-run` validated.
pub fn dry_run(config: &Config, routes: &[&RouteConfig], format: OutputFormat) {
    if format == OutputFormat::Json {
        let routes: Vec<_> = routes
            .iter()
            .map(|r| serde_json::json!({
                "name": r.name, "account": r.account, "rule": r.rule, "topic": r.topic, "basic_ingest": r.basic_ingest,
                "deadline_ms": u64::try_from(r.deadline.as_millis()).unwrap_or(u64::MAX),
                "destinations": r.destinations.iter().map(|d| serde_json::json!({"kind": d.spec.kind(), "account": d.account, "target": d.spec.target()})).collect::<Vec<_>>(),
            }))
            .collect();
        println!(
            "{}",
            serde_json::json!({"schema_version": SCHEMA_VERSION, "valid": true, "config": config.path, "routes": routes})
        );
        return;
    }
    println!(
        "{}: valid ({} accounts, {} routes)",
        config.path.display(),
        config.accounts.len(),
        routes.len()
    );
    for r in routes {
        let topic = r
            .topic
            .clone()
            .unwrap_or_else(|| format!("<FROM topic of rule {}>", r.rule));
        let topic = if r.basic_ingest {
            format!("$aws/rules/{}/{}", r.rule, topic)
        } else {
            topic
        };
        println!(
            "  route {}: account {} rule {} publishes to {} via {}",
            r.name,
            r.account,
            r.rule,
            topic,
            config.mqtt.publish.as_str()
        );
        for d in &r.destinations {
            let extra = match &d.spec {
                DestinationSpec::Sns {
                    tap_queue_url: None, ..
                } => " (no tap queue yet: run xprobe sns-tap create)",
                _ => "",
            };
            println!(
                "    -> {} {} in account {}{}",
                d.spec.kind(),
                d.spec.target(),
                d.account,
                extra
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{DestinationResult, PublishReport};

    fn result(status: Status) -> RouteResult {
        RouteResult {
            name: "sqs".into(),
            rule: "sqs_rule".into(),
            probe_id: "P".into(),
            sent_at_ms: 0,
            publish: PublishReport {
                mode: "mqtt".into(),
                topic: "iot/test".into(),
                connect_ms: Some(30),
                publish_ms: Some(4),
                error: None,
                error_code: None,
                hint: None,
            },
            destinations: vec![DestinationResult {
                kind: "sqs".into(),
                target: "https://sqs.us-east-1.amazonaws.com/222222222222/ExampleQueue".into(),
                status,
                latency_ms: (status == Status::Delivered).then_some(412),
                detect_ms: None,
                probe_id: "P".into(),
                error: (status == Status::Missing).then(|| "no probe arrived".to_string()),
                hint: None,
                warnings: vec![],
                diagnosis: None,
                api_calls: 3,
                found_at: None,
                foreign_seen: 0,
            }],
        }
    }

    #[test]
    fn text_table_shows_status_latency_and_summary() {
        let t = text(&[result(Status::Delivered)]);
        insta::assert_snapshot!(t);
    }

    #[test]
    fn text_table_shows_the_cause_of_a_missing_probe() {
        let t = text(&[result(Status::Missing)]);
        assert!(t.contains("missing"));
        assert!(t.contains("    no probe arrived"));
        assert!(t.contains("0 delivered, 1 missing, 0 error"));
    }

    #[test]
    fn json_has_the_documented_fields() {
        let r = [result(Status::Delivered)];
        let v = serde_json::to_value(Report {
            schema_version: SCHEMA_VERSION,
            routes: &r,
            summary: summary(&r),
        })
        .unwrap();
        let d = &v["routes"][0]["destinations"][0];
        for k in ["kind", "target", "status", "latency_ms", "probe_id", "error"] {
            assert!(d.get(k).is_some(), "missing {k}");
        }
        assert_eq!(d["status"], "delivered");
        assert_eq!(v["routes"][0]["name"], "sqs");
        assert_eq!(v["summary"]["delivered"], 1);
    }
}
