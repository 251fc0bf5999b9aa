//! `xprobe diagnose` against the sandbox: start from the healthy walkthrough
//! setup (`ctl reset`), break one thing (`ctl break NAME` and/or a config
//! edit), and assert the top finding's code. One test per row of
//! `SCENARIOS`; they share one sandbox, so nextest runs them one at a time
//! (the `sandbox` test group) and a mutex serialises them under `cargo test`.
//!
//! The sandbox is `.sandbox/` (127.0.0.1:4610) unless `XPROBE_SANDBOX_STATE`
//! names another one (see deploy/sandbox/README.md): the config, `ctl` and the
//! ports all follow it.

#![cfg(feature = "integration")]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use common::{ctl, finding_codes, findings, root, xprobe, Run};

/// What a scenario expects from `diagnose --route R --output json`.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Exit 1 and this code is the first finding (an error).
    TopError(&'static str),
    /// Exit 0, no error finding, and this finding is present with this severity.
    NoError(&'static str, &'static str),
}

/// One scenario: a breakage and/or a config edit, the route to diagnose, what to expect.
struct Scenario {
    test: &'static str,
    breakage: Option<&'static str>,
    config: Option<fn(String) -> String>,
    route: &'static str,
    expect: Expect,
    /// Text the first finding's explanation must contain.
    explains: Option<&'static str>,
    /// Publish a probe first (`+ publish`): the failure the sandbox reports
    /// (log entry, errorAction document) must show as info evidence that
    /// confirms the top finding.
    publish: bool,
}

const A: &str = "111111111111";
const B: &str = "222222222222";

macro_rules! scenarios {
    ($( $test:ident: $breakage:expr, $config:expr, $route:literal $(+ $publish:ident)?
        => $expect:expr $(, explains $text:literal)? ;)*) => {
        const SCENARIOS: &[Scenario] = &[$(Scenario {
            test: stringify!($test),
            breakage: $breakage,
            config: $config,
            route: $route,
            expect: $expect,
            explains: scenarios!(@opt $($text)?),
            publish: scenarios!(@flag $($publish)?),
        }),*];
        $(#[test] fn $test() { run_scenario(stringify!($test)); })*
    };
    (@opt $text:literal) => { Some($text) };
    (@opt) => { None };
    (@flag publish) => { true };
    (@flag) => { false };
}

use Expect::{NoError, TopError};

scenarios! {
    // ---- rule
    rule_not_found: None, Some(rule_named_no_such_rule), "sqs" => TopError("rule-not-found");
    rule_disabled: Some("rule-disabled:sqs_rule"), None, "sqs" => TopError("rule-disabled");
    rule_topic_mismatch: None, Some(probe_topic_other), "sqs" => TopError("rule-topic-mismatch");
    rule_where_excludes_probe: Some("rule-where-excludes"), None, "sqs" => TopError("rule-where-excludes-probe");
    rule_action_missing: Some("rule-action-other-queue"), None, "sqs" => TopError("rule-action-missing");
    rule_no_error_action: Some("rule-no-error-action"), None, "sqs" => NoError("rule-no-error-action", "warning");
    // ---- role
    role_not_found: Some("role-deleted"), None, "sqs" => TopError("role-not-found");
    role_trust_missing_iot: Some("role-trust-missing-iot"), None, "sqs" => TopError("role-trust-missing-iot");
    role_trust_condition_mismatch: Some("role-trust-source-account-mismatch"), None, "sqs"
        => TopError("role-trust-condition-mismatch");
    // The inline error-queue policy still allows sqs:SendMessage (on another queue),
    // so the sns route is the one where the action is missing altogether.
    role_policy_missing_action: Some("role-policy-detached"), None, "sns" => TopError("role-policy-missing-action");
    role_policy_explicit_deny: Some("role-explicit-deny-sqs"), None, "sqs" => TopError("role-policy-explicit-deny");
    role_boundary_denies: Some("role-boundary-s3-only"), None, "sqs" => TopError("role-boundary-denies");
    // ---- SQS
    sqs_queue_not_found: Some("sqs-queue-deleted"), None, "sqs" + publish => TopError("sqs-queue-not-found");
    sqs_policy_denies: Some("sqs-policy-removed"), None, "sqs" + publish => TopError("sqs-policy-denies");
    sqs_fifo_unsupported: Some("sqs-fifo-queue"), Some(sqs_route_to_fifo_queue), "sqs"
        => TopError("sqs-fifo-unsupported");
    sqs_kms_aws_managed_key: Some("sqs-kms-aws-managed-key"), None, "sqs" => TopError("sqs-kms-aws-managed-key");
    sqs_kms_key_denies: Some("sqs-kms-key-b-only"), None, "sqs" => TopError("sqs-kms-key-denies");
    // ---- SNS
    sns_topic_not_found: Some("sns-topic-deleted"), None, "sns" + publish => TopError("sns-topic-not-found");
    sns_policy_denies: Some("sns-policy-owner-only"), None, "sns" => TopError("sns-policy-denies");
    sns_fifo_unsupported: Some("sns-fifo-topic"), Some(sns_route_to_fifo_topic), "sns" + publish
        => TopError("sns-fifo-unsupported");
    sns_kms_aws_managed_key: Some("sns-kms-aws-managed-key"), None, "sns" => TopError("sns-kms-aws-managed-key");
    sns_kms_key_denies: Some("sns-kms-key-b-only"), None, "sns" => TopError("sns-kms-key-denies");
    sns_region_mismatch: Some("sns-topic-other-region"), Some(sns_route_to_west_topic), "sns" + publish
        => TopError("sns-region-mismatch");
    sns_tap_missing: Some("sns-tap-missing"), None, "sns" => NoError("sns-tap-missing", "warning");
    // ---- S3
    s3_bucket_not_found: Some("s3-bucket-deleted"), None, "s3" + publish => TopError("s3-bucket-not-found");
    s3_policy_denies: Some("s3-bucket-policy-removed"), None, "s3" + publish => TopError("s3-policy-denies");
    // Walkthrough mistake: the role's policy names the bucket ARN without /*.
    s3_walkthrough_iam_policy: Some("s3-walkthrough-iam-policy"), None, "s3" + publish
        => TopError("role-policy-resource-mismatch"), explains "arn:aws:s3:::examplebucket";
    s3_acl_not_supported: Some("s3-cannedacl-public-read"), None, "s3" + publish => TopError("s3-acl-not-supported");
    s3_public_policy_blocked: Some("s3-bpa-public-policy"), None, "s3" + publish => TopError("s3-public-policy-blocked");
    s3_kms_key_denies: Some("s3-kms-key-b-only"), None, "s3" => TopError("s3-kms-key-denies");
    s3_region_mismatch: Some("s3-bucket-other-region"), None, "s3" => TopError("s3-region-mismatch");
    // Walkthrough mistake: Block Public Access on, with a policy that is not public.
    s3_block_public_access_not_the_cause: None, None, "s3"
        => NoError("s3-block-public-access-not-the-cause", "info");
    // ---- Lambda
    lambda_function_not_found: Some("lambda-function-deleted"), None, "lambda" + publish => TopError("lambda-function-not-found");
    // Walkthrough mistake: the rule's function ARN names account A.
    lambda_wrong_account_arn: Some("lambda-wrong-account-arn"), None, "lambda" + publish
        => TopError("lambda-function-not-found"), explains "111111111111";
    lambda_permission_missing: Some("lambda-permission-missing"), None, "lambda" + publish => TopError("lambda-permission-missing");
    // Walkthrough mistake: add-permission --source-arn names another rule.
    lambda_permission_source_arn_mismatch: Some("lambda-source-arn-other-rule"), None, "lambda" + publish
        => TopError("lambda-permission-source-arn-mismatch");
    lambda_permission_source_account_mismatch: Some("lambda-source-account-mismatch"), None, "lambda" + publish
        => TopError("lambda-permission-source-account-mismatch");
    lambda_region_mismatch: Some("lambda-function-other-region"), Some(lambda_route_to_west_function), "lambda"
        => TopError("lambda-region-mismatch");
}

// ------------------------------------------------------------------ config edits

fn rule_named_no_such_rule(text: String) -> String {
    replace_once(text, "rule = \"sqs_rule\"", "rule = \"no_such_rule\"")
}

/// A route that publishes to a topic of its own instead of Basic Ingest.
fn probe_topic_other(text: String) -> String {
    let text = replace_once(
        text,
        "rule = \"sqs_rule\"\nbasic_ingest = true",
        "rule = \"sqs_rule\"\nbasic_ingest = false\ntopic = \"iot/other\"",
    );
    assert!(text.contains("topic = \"iot/other\""), "config edit did not apply");
    text
}

fn sqs_route_to_fifo_queue(text: String) -> String {
    replace_once(
        text,
        &format!("queue_url = \"https://sqs.us-east-1.amazonaws.com/{B}/ExampleQueue\""),
        &format!("queue_url = \"https://sqs.us-east-1.amazonaws.com/{B}/ExampleQueue.fifo\""),
    )
}

fn sns_route_to_fifo_topic(text: String) -> String {
    let text = replace_once(
        text,
        &format!("topic_arn = \"arn:aws:sns:us-east-1:{B}:ExampleTopic\""),
        &format!("topic_arn = \"arn:aws:sns:us-east-1:{B}:ExampleTopic.fifo\""),
    );
    // The tap is subscribed to ExampleTopic, not to the FIFO topic.
    strip_line(text, "tap_queue_url = ")
}

/// An account entry for B in us-west-2, and the sns route's destination there.
fn sns_route_to_west_topic(text: String) -> String {
    let text = with_west_account(text);
    let text = replace_once(
        text,
        &format!("account = \"dest\"\ntopic_arn = \"arn:aws:sns:us-east-1:{B}:ExampleTopic\""),
        &format!("account = \"dest_west\"\ntopic_arn = \"arn:aws:sns:us-west-2:{B}:ExampleTopic\""),
    );
    strip_line(text, "tap_queue_url = ")
}

fn lambda_route_to_west_function(text: String) -> String {
    let text = with_west_account(text);
    replace_once(
        text,
        &format!("account = \"dest\"\nfunction_arn = \"arn:aws:lambda:us-east-1:{B}:function:example-function\""),
        &format!("account = \"dest_west\"\nfunction_arn = \"arn:aws:lambda:us-west-2:{B}:function:example-function\""),
    )
}

fn with_west_account(text: String) -> String {
    let dest = section(&text, "[accounts.dest]");
    let west = dest
        .replace("[accounts.dest]", "[accounts.dest_west]")
        .replace("region = \"us-east-1\"", "region = \"us-west-2\"");
    assert!(west.contains("us-west-2"), "no region line in {dest}");
    replace_once(text, "[mqtt]", &format!("{west}\n[mqtt]"))
}

/// The text of a TOML table, from its header to the next blank line.
fn section(text: &str, header: &str) -> String {
    let start = text.find(header).unwrap_or_else(|| panic!("no {header} in config"));
    let rest = &text[start..];
    let end = rest.find("\n\n").unwrap_or(rest.len());
    rest[..end].to_string() + "\n"
}

fn replace_once(text: String, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "config edit: `{from}` must occur exactly once"
    );
    text.replacen(from, to, 1)
}

fn strip_line(text: String, prefix: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with(prefix))
        .map(|l| format!("{l}\n"))
        .collect()
}

// ------------------------------------------------------------------ running

/// One scenario at a time in this process (nextest runs one per process anyway).
static SANDBOX: Mutex<()> = Mutex::new(());

/// The sandbox's state directory (`XPROBE_SANDBOX_STATE`, else `.sandbox`).
fn state_dir() -> PathBuf {
    std::env::var_os("XPROBE_SANDBOX_STATE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".sandbox"))
}

/// probes/sandbox.toml pointed at the sandbox in use, with `edit` applied, written to `dir`.
fn write_config(dir: &Path, edit: Option<fn(String) -> String>) -> PathBuf {
    let text = std::fs::read_to_string(root().join("probes/sandbox.toml")).expect("read probes/sandbox.toml");
    let state = state_dir();
    let mut text = text.replace("../.sandbox", &state.display().to_string());
    if let Ok(rt) = std::fs::read_to_string(state.join("runtime.json")) {
        let rt: Value = serde_json::from_str(&rt).expect("runtime.json");
        text = text
            .replace("127.0.0.1:4610", &format!("127.0.0.1:{}", rt["port"]))
            .replace("port = 18883", &format!("port = {}", rt["mqtt_port"]));
    }
    if let Some(edit) = edit {
        text = edit(text);
    }
    let path = dir.join("xprobe.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// `xprobe diagnose [--route R] --output json` with `config`. With
/// `XPROBE_SAVE_FACTS=DIR` (tests/fixtures/facts/capture.sh) the facts are
/// also saved as `DIR/<name>.json`, for the offline tests.
fn run_diagnose(config: &Path, route: Option<&str>, name: &str) -> Run {
    let config = config.display().to_string();
    let mut args = vec!["diagnose", "--config", &config, "--output", "json"];
    if let Some(r) = route {
        args.extend(["--route", r]);
    }
    let save = std::env::var_os("XPROBE_SAVE_FACTS")
        .map(|d| PathBuf::from(d).join(format!("{name}.json")).display().to_string());
    if let Some(p) = &save {
        args.extend(["--save-facts", p]);
    }
    xprobe(&args)
}

/// Diagnoses one route: the exit code and the route's report.
fn diagnose(config: &Path, route: &str, name: &str) -> (i32, Value) {
    let run = run_diagnose(config, Some(route), name);
    let report = run.json();
    assert_eq!(report["schema_version"], 1, "{}", run.stdout);
    let routes = report["routes"].as_array().expect("routes");
    assert_eq!(routes.len(), 1, "one route asked for: {}", run.stdout);
    assert_eq!(routes[0]["route"], route);
    (run.code, routes[0].clone())
}

fn errors(route: &Value) -> Vec<&Value> {
    findings(route).iter().filter(|f| f["severity"] == "error").collect()
}

fn run_scenario(test: &str) {
    let s = SCENARIOS
        .iter()
        .find(|s| s.test == test)
        .expect("scenario in the table");
    let _guard = SANDBOX.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), s.config);
    ctl(&["reset"]);
    if let Some(b) = s.breakage {
        ctl(&["break", b]);
    }
    let probe_id = format!("scenario-{test}");
    if s.publish {
        publish_and_await_failure(&format!("{}_rule", s.route), &probe_id);
    }
    let (code, route) = diagnose(&config, s.route, test);
    let all = finding_codes(&route);
    match s.expect {
        TopError(want) => {
            let top = &findings(&route)
                .first()
                .unwrap_or_else(|| panic!("{test}: no findings"));
            assert_eq!(top["code"], want, "{test}: top finding; all: {all:?}\n{route:#}");
            assert_eq!(top["severity"], "error", "{test}: {top:#}");
            assert_eq!(code, 1, "{test}: an error finding exits 1; all: {all:?}");
            assert!(
                top["fix"].as_str().is_some_and(|f| !f.is_empty()),
                "{test}: a fix: {top:#}"
            );
            assert!(
                top["component"]["resource"].as_str().is_some_and(|r| !r.is_empty()),
                "{test}: {top:#}"
            );
            if s.publish {
                let reported: Vec<&Value> = findings(&route)
                    .iter()
                    .filter(|f| f["code"] == "rule-error-reported")
                    .collect();
                assert!(!reported.is_empty(), "{test}: the reported failure: {all:?}");
                for f in &reported {
                    assert_eq!(f["confirms"], want, "{test}: {f:#}");
                    assert_eq!(
                        f["severity"], "info",
                        "{test}: confirmed, so not an error of its own: {f:#}"
                    );
                }
                let evidence = serde_json::to_string(&reported).unwrap_or_default();
                assert!(evidence.contains(&probe_id), "{test}: carried {probe_id}: {evidence}");
            }
            if let Some(text) = s.explains {
                let explanation = top["explanation"].as_str().unwrap_or_default();
                assert!(
                    explanation.contains(text),
                    "{test}: explanation names {text}: {explanation}"
                );
            }
        }
        NoError(want, severity) => {
            assert!(
                errors(&route).is_empty(),
                "{test}: no error finding: {all:?}\n{route:#}"
            );
            assert_eq!(code, 0, "{test}: no error finding exits 0; all: {all:?}");
            let f = findings(&route)
                .iter()
                .find(|f| f["code"] == want)
                .unwrap_or_else(|| panic!("{test}: no {want} finding in {all:?}"));
            assert_eq!(f["severity"], severity, "{test}: {f:#}");
        }
    }
}

/// Publishes a probe to `rule` over Basic Ingest and waits (bounded) for the
/// errorAction document carrying it: the rule's failure is then on record.
fn publish_and_await_failure(rule: &str, probe_id: &str) {
    let payload = serde_json::json!({"temperature": 21, "xprobe": {"id": probe_id}}).to_string();
    ctl(&["publish", &payload, "--topic", &format!("$aws/rules/{rule}/iot/test")]);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let docs = ctl(&["error-messages", "--decode"]);
        if docs.to_string().contains(probe_id) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no errorAction document carrying {probe_id}: {docs}"
        );
    }
}

// ------------------------------------------------------------------ the rest

#[test]
fn the_table_covers_at_least_twenty_distinct_codes() {
    let mut codes: Vec<&str> = SCENARIOS
        .iter()
        .map(|s| match s.expect {
            TopError(c) | NoError(c, _) => c,
        })
        .collect();
    codes.sort_unstable();
    codes.dedup();
    assert!(codes.len() >= 20, "{} distinct codes: {codes:?}", codes.len());
    // Every breakage the table uses exists in the sandbox's registry.
    let _guard = SANDBOX.lock().unwrap_or_else(|p| p.into_inner());
    let known = ctl(&["breakages"]).to_string();
    for s in SCENARIOS {
        if let Some(b) = s.breakage {
            let name = b.split(':').next().unwrap_or(b);
            assert!(
                known.contains(&format!("\"{name}")),
                "breakage {name} is not in `ctl breakages`"
            );
        }
    }
}

#[test]
fn the_healthy_setup_has_no_error_on_any_route() {
    let _guard = SANDBOX.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), None);
    ctl(&["reset"]);
    let run = run_diagnose(&config, None, "healthy");
    let report = run.json();
    let routes = report["routes"].as_array().expect("routes");
    let names: Vec<&str> = routes.iter().filter_map(|r| r["route"].as_str()).collect();
    assert_eq!(names, ["sqs", "sns", "s3", "lambda"], "{}", run.stdout);
    for r in routes {
        assert!(
            errors(r).is_empty(),
            "route {}: {:?}\n{r:#}",
            r["route"],
            finding_codes(r)
        );
    }
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

/// `check` diagnoses a destination that was not delivered and shows the top
/// finding inline; the failure it caused then shows up as evidence in
/// `diagnose`, confirming the static finding.
#[test]
fn check_shows_the_diagnosis_inline_and_diagnose_links_the_reported_error() {
    let _guard = SANDBOX.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), None);
    let config = config.display().to_string();
    ctl(&["reset"]);
    ctl(&["break", "sqs-policy-removed"]);
    let run = xprobe(&[
        "check",
        "-c",
        &config,
        "--route",
        "sqs",
        "--deadline",
        "3s",
        "-o",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let report = run.json();
    let d = &common::destinations(&report, "sqs")[0];
    assert_eq!(d["status"], "missing", "{d:#}");
    assert_eq!(d["diagnosis"]["code"], "sqs-policy-denies", "{d:#}");
    assert_eq!(d["diagnosis"]["severity"], "error", "{d:#}");
    let probe_id = d["probe_id"].as_str().expect("probe_id").to_string();

    // ministack answered the rule's SendMessage with AccessDenied: a log entry
    // and an errorAction document, each linked to the static finding.
    let (code, route) = diagnose(Path::new(&config), "sqs", "sqs_policy_denies_reported");
    assert_eq!(code, 1);
    assert_eq!(
        findings(&route)[0]["code"],
        "sqs-policy-denies",
        "{:?}",
        finding_codes(&route)
    );
    let reported: Vec<&Value> = findings(&route)
        .iter()
        .filter(|f| f["code"] == "rule-error-reported")
        .collect();
    assert!(!reported.is_empty(), "{:?}\n{route:#}", finding_codes(&route));
    for f in &reported {
        assert_eq!(f["confirms"], "sqs-policy-denies", "{f:#}");
        assert_eq!(f["severity"], "info", "confirmed evidence is not a second error: {f:#}");
        assert_eq!(f["stage"], "evidence", "{f:#}");
    }
    let evidence = serde_json::to_string(&reported).unwrap_or_default();
    assert!(evidence.contains("SqsAction"), "{evidence}");
    assert!(
        evidence.contains(&probe_id),
        "the errorAction document carried probe {probe_id}: {evidence}"
    );
    assert_eq!(
        route["findings"][0]["component"]["account"], B,
        "the queue is in B; A is {A}"
    );
}
