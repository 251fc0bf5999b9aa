use std::time::Duration;

use prometheus::Registry;

use super::*;
use crate::aws::{ApiCallCounter, Outcome};
use crate::config::{DestinationConfig, DestinationSpec, RouteConfig};
use crate::diagnose::{Component, Finding, Severity, Stage};
use crate::probe::{DestinationResult, PublishReport, RouteResult, Status};

pub(crate) fn sqs(url: &str) -> DestinationConfig {
    DestinationConfig {
        account: "dest".into(),
        spec: DestinationSpec::Sqs { queue_url: url.into() },
    }
}

fn sns() -> DestinationConfig {
    DestinationConfig {
        account: "dest".into(),
        spec: DestinationSpec::Sns {
            topic_arn: "arn:aws:sns:us-east-1:222222222222:T".into(),
            tap_queue_url: None,
        },
    }
}

pub(crate) fn route(name: &str, destinations: Vec<DestinationConfig>) -> RouteConfig {
    RouteConfig {
        name: name.into(),
        account: "source".into(),
        rule: "r".into(),
        topic: Some("t".into()),
        basic_ingest: false,
        payload: serde_json::Map::new(),
        deadline: Duration::from_secs(5),
        destinations,
        interval: Duration::from_secs(60),
    }
}

fn dest(status: Status, latency_ms: Option<u64>) -> DestinationResult {
    let mut d = DestinationResult::not_checked("sqs", "q", "01PROBEID", "not checked: boom");
    d.status = status;
    d.latency_ms = latency_ms;
    d
}

fn result(name: &str, destinations: Vec<DestinationResult>) -> RouteResult {
    RouteResult {
        name: name.into(),
        rule: "r".into(),
        probe_id: "01PROBEID".into(),
        sent_at_ms: 1,
        publish: PublishReport {
            mode: "mqtt".into(),
            topic: "t".into(),
            connect_ms: Some(3),
            publish_ms: Some(12),
            error: None,
            error_code: None,
            hint: None,
        },
        destinations,
    }
}

fn finding(code: &'static str, severity: Severity) -> Finding {
    Finding::new(code, severity, Stage::Destination, Component::default(), "x")
}

fn text(registry: &Registry) -> String {
    encode(registry).unwrap()
}

#[test]
fn destination_labels_are_kinds_with_an_index_only_when_repeated() {
    let r = route("a", vec![sqs("q1"), sns(), sqs("q2")]);
    assert_eq!(destination_labels(&r), ["sqs-1", "sns", "sqs-2"]);
    let r = route("a", vec![sqs("q1"), sns()]);
    assert_eq!(destination_labels(&r), ["sqs", "sns"]);
}

#[test]
fn metrics_after_a_delivered_and_a_missing_destination() {
    let registry = Registry::new();
    let m = Metrics::new(&registry).unwrap();
    let r = route("orders", vec![sqs("q"), sns()]);
    m.observe(
        &r,
        &result(
            "orders",
            vec![dest(Status::Delivered, Some(420)), dest(Status::Missing, None)],
        ),
    );
    let t = text(&registry);
    for line in [
        r#"xprobe_probe_success{destination="sqs",route="orders"} 1"#,
        r#"xprobe_probe_success{destination="sns",route="orders"} 0"#,
        r#"xprobe_probes_total{destination="sqs",result="delivered",route="orders"} 1"#,
        r#"xprobe_probes_total{destination="sns",result="missing",route="orders"} 1"#,
        r#"xprobe_probes_total{destination="sns",result="timeout",route="orders"} 0"#,
        r#"xprobe_delivery_latency_seconds_bucket{destination="sqs",route="orders",le="0.5"} 1"#,
        r#"xprobe_delivery_latency_seconds_bucket{destination="sqs",route="orders",le="0.25"} 0"#,
        r#"xprobe_delivery_latency_seconds_bucket{destination="sqs",route="orders",le="60"} 1"#,
        r#"xprobe_publish_duration_seconds_count{route="orders"} 1"#,
        r#"xprobe_build_info{version=""#,
        "# TYPE xprobe_probes_total counter",
        "# TYPE xprobe_delivery_latency_seconds histogram",
    ] {
        assert!(t.contains(line), "missing `{line}` in\n{t}");
    }
    assert!(t.contains(r#"xprobe_last_success_timestamp_seconds{destination="sqs",route="orders"}"#));
    assert!(!t.contains(r#"xprobe_last_success_timestamp_seconds{destination="sns""#));
    assert!(!t.contains("01PROBEID"), "a probe id is never a label");
    assert!(!t.contains("boom"), "an error string is never a label");
}

#[test]
fn a_timeout_counts_for_every_destination() {
    let registry = Registry::new();
    let m = Metrics::new(&registry).unwrap();
    let r = route("a", vec![sqs("q"), sns()]);
    m.observe_timeout(&r);
    let t = text(&registry);
    assert!(t.contains(r#"xprobe_probes_total{destination="sqs",result="timeout",route="a"} 1"#));
    assert!(t.contains(r#"xprobe_probes_total{destination="sns",result="timeout",route="a"} 1"#));
    assert!(t.contains(r#"xprobe_probe_success{destination="sns",route="a"} 0"#));
}

#[test]
fn findings_are_1_while_active_and_removed_when_resolved() {
    let registry = Registry::new();
    let m = Metrics::new(&registry).unwrap();
    m.track_route(&route("a", vec![sqs("q")]));
    m.set_findings(
        "a",
        &[
            finding("probe-missing", Severity::Error),
            finding("sqs-low-retention", Severity::Warning),
        ],
    );
    let t = text(&registry);
    assert!(t.contains(r#"xprobe_finding{code="probe-missing",route="a",severity="error"} 1"#));
    assert!(t.contains(r#"xprobe_finding{code="sqs-low-retention",route="a",severity="warning"} 1"#));
    m.set_findings("a", &[finding("probe-missing", Severity::Error)]);
    assert!(!text(&registry).contains("sqs-low-retention"));
    m.set_findings("a", &[]);
    assert!(!text(&registry).contains("xprobe_finding{"));
}

#[test]
fn a_removed_route_leaves_no_series() {
    let registry = Registry::new();
    let m = Metrics::new(&registry).unwrap();
    let r = route("gone", vec![sqs("q")]);
    m.observe(&r, &result("gone", vec![dest(Status::Delivered, Some(5))]));
    m.set_findings("gone", &[finding("probe-missing", Severity::Error)]);
    m.forget_route("gone");
    assert!(!text(&registry).contains("gone"), "{}", text(&registry));
}

#[test]
fn mqtt_series_exist_only_when_publishing_over_mqtt() {
    let registry = Registry::new();
    let m = Metrics::new(&registry).unwrap();
    m.set_mqtt(Some((true, 2)));
    m.set_mqtt(Some((false, 3)));
    let t = text(&registry);
    assert!(t.contains("xprobe_mqtt_connected 0"), "{t}");
    assert!(t.contains("xprobe_mqtt_reconnects_total 3"), "{t}");
    m.set_mqtt(None);
    assert!(!text(&registry).contains("xprobe_mqtt"));
}

#[test]
fn api_calls_follow_the_counter() {
    let registry = Registry::new();
    let m = Metrics::new(&registry).unwrap();
    let c = ApiCallCounter::new();
    c.record("SQS", "ReceiveMessage", Outcome::Ok);
    c.record("sqs", "ReceiveMessage", Outcome::Ok);
    m.sync_api_calls(&c.snapshot());
    m.sync_api_calls(&c.snapshot());
    c.record("iot", "GetTopicRule", Outcome::Throttled);
    m.sync_api_calls(&c.snapshot());
    let t = text(&registry);
    assert!(t.contains(r#"xprobe_aws_api_calls_total{operation="ReceiveMessage",outcome="ok",service="sqs"} 2"#));
    assert!(t.contains(r#"xprobe_aws_api_calls_total{operation="GetTopicRule",outcome="throttled",service="iot"} 1"#));
}

#[test]
fn reload_outcomes() {
    let registry = Registry::new();
    let m = Metrics::new(&registry).unwrap();
    m.config_loaded(true);
    m.config_loaded(false);
    let t = text(&registry);
    assert!(t.contains("xprobe_config_last_reload_successful 0"));
    assert!(t.contains("xprobe_config_reload_failures_total 1"));
}

#[test]
fn late_probes_follow_the_ledger_and_never_go_down() {
    let registry = Registry::new();
    let m = Metrics::new(&registry).unwrap();
    assert!(text(&registry).contains("xprobe_late_probes_total 0"));
    m.sync_late_probes(3);
    m.sync_late_probes(2);
    assert!(text(&registry).contains("xprobe_late_probes_total 3"));
}
