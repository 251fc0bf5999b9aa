//! `xprobe diagnose --facts FILE` on recorded facts: no sandbox, no AWS.
//!
//! `tests/fixtures/facts/*.json` are captured from the sandbox scenarios by
//! `tests/fixtures/facts/capture.sh` (one per row of tests/diagnose_scenarios.rs);
//! `tests/fixtures/facts/hand/*.json` are derived from them by
//! `hand/derive.py` for what the sandbox cannot express (IoT logging options,
//! publish failures, reported errors of several kinds, account-level Block
//! Public Access, unreadable facts).

mod common;

use std::collections::BTreeSet;

use serde_json::Value;

use common::{finding_codes, findings, root, xprobe};

/// What the diagnosis of a fixture must show.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Exit 1 and this error code is the first finding.
    TopError(&'static str),
    /// Exit 0, no error, and a finding with this code and severity.
    NoError(&'static str, &'static str),
}

use Expect::{NoError, TopError};

/// (fixture under tests/fixtures/facts, route, expectation).
const FIXTURES: &[(&str, &str, Expect)] = &[
    // Captured on the sandbox (same rows as tests/diagnose_scenarios.rs).
    ("rule_not_found", "sqs", TopError("rule-not-found")),
    ("rule_disabled", "sqs", TopError("rule-disabled")),
    ("rule_topic_mismatch", "sqs", TopError("rule-topic-mismatch")),
    (
        "rule_where_excludes_probe",
        "sqs",
        TopError("rule-where-excludes-probe"),
    ),
    ("rule_action_missing", "sqs", TopError("rule-action-missing")),
    (
        "rule_no_error_action",
        "sqs",
        NoError("rule-no-error-action", "warning"),
    ),
    ("role_not_found", "sqs", TopError("role-not-found")),
    ("role_trust_missing_iot", "sqs", TopError("role-trust-missing-iot")),
    (
        "role_trust_condition_mismatch",
        "sqs",
        TopError("role-trust-condition-mismatch"),
    ),
    (
        "role_policy_missing_action",
        "sns",
        TopError("role-policy-missing-action"),
    ),
    (
        "role_policy_explicit_deny",
        "sqs",
        TopError("role-policy-explicit-deny"),
    ),
    ("role_boundary_denies", "sqs", TopError("role-boundary-denies")),
    ("sqs_queue_not_found", "sqs", TopError("sqs-queue-not-found")),
    ("sqs_policy_denies", "sqs", TopError("sqs-policy-denies")),
    ("sqs_policy_denies_reported", "sqs", TopError("sqs-policy-denies")),
    ("sqs_fifo_unsupported", "sqs", TopError("sqs-fifo-unsupported")),
    ("sqs_kms_aws_managed_key", "sqs", TopError("sqs-kms-aws-managed-key")),
    ("sqs_kms_key_denies", "sqs", TopError("sqs-kms-key-denies")),
    ("sns_topic_not_found", "sns", TopError("sns-topic-not-found")),
    ("sns_policy_denies", "sns", TopError("sns-policy-denies")),
    ("sns_fifo_unsupported", "sns", TopError("sns-fifo-unsupported")),
    ("sns_kms_aws_managed_key", "sns", TopError("sns-kms-aws-managed-key")),
    ("sns_kms_key_denies", "sns", TopError("sns-kms-key-denies")),
    ("sns_region_mismatch", "sns", TopError("sns-region-mismatch")),
    ("sns_tap_missing", "sns", NoError("sns-tap-missing", "warning")),
    ("s3_bucket_not_found", "s3", TopError("s3-bucket-not-found")),
    ("s3_policy_denies", "s3", TopError("s3-policy-denies")),
    (
        "s3_walkthrough_iam_policy",
        "s3",
        TopError("role-policy-resource-mismatch"),
    ),
    ("s3_acl_not_supported", "s3", TopError("s3-acl-not-supported")),
    ("s3_public_policy_blocked", "s3", TopError("s3-public-policy-blocked")),
    ("s3_kms_key_denies", "s3", TopError("s3-kms-key-denies")),
    ("s3_region_mismatch", "s3", TopError("s3-region-mismatch")),
    (
        "s3_block_public_access_not_the_cause",
        "s3",
        NoError("s3-block-public-access-not-the-cause", "info"),
    ),
    (
        "lambda_function_not_found",
        "lambda",
        TopError("lambda-function-not-found"),
    ),
    (
        "lambda_wrong_account_arn",
        "lambda",
        TopError("lambda-function-not-found"),
    ),
    (
        "lambda_permission_missing",
        "lambda",
        TopError("lambda-permission-missing"),
    ),
    (
        "lambda_permission_source_arn_mismatch",
        "lambda",
        TopError("lambda-permission-source-arn-mismatch"),
    ),
    (
        "lambda_permission_source_account_mismatch",
        "lambda",
        TopError("lambda-permission-source-account-mismatch"),
    ),
    ("lambda_region_mismatch", "lambda", TopError("lambda-region-mismatch")),
    // Derived by hand/derive.py.
    (
        "hand/iot_logging_disabled",
        "sqs",
        NoError("iot-logging-disabled", "warning"),
    ),
    ("hand/rule_throttled", "sqs", TopError("rule-error-reported")),
    (
        "hand/rule_error_contradicts_static",
        "sqs",
        TopError("rule-error-reported"),
    ),
    // AWS's message names the policy kind: an SCP xprobe cannot read.
    ("hand/rule_error_scp_denies", "sqs", TopError("scp-denies")),
    (
        "hand/sqs_kms_key_denies_reported",
        "sqs",
        TopError("sqs-kms-key-denies"),
    ),
    (
        "hand/s3_access_denied_reported",
        "s3",
        TopError("role-policy-resource-mismatch"),
    ),
    (
        "hand/lambda_not_found_reported",
        "lambda",
        TopError("lambda-function-not-found"),
    ),
    (
        "hand/mqtt_endpoint_unreachable",
        "sqs",
        TopError("mqtt-endpoint-unreachable"),
    ),
    ("hand/mqtt_server_untrusted", "sqs", TopError("mqtt-server-untrusted")),
    (
        "hand/mqtt_client_cert_rejected",
        "sqs",
        TopError("mqtt-client-cert-rejected"),
    ),
    (
        "hand/mqtt_publish_not_authorized",
        "sqs",
        TopError("mqtt-publish-not-authorized"),
    ),
    (
        "hand/s3_account_public_access_block",
        "s3",
        TopError("s3-public-policy-blocked"),
    ),
];

fn fixture_path(name: &str) -> String {
    root()
        .join("tests/fixtures/facts")
        .join(format!("{name}.json"))
        .display()
        .to_string()
}

/// `diagnose --facts` of a fixture: the exit code and every route's report.
fn diagnose(name: &str, extra: &[&str]) -> (i32, Vec<Value>) {
    let path = fixture_path(name);
    let mut args = vec!["diagnose", "--facts", &path, "--output", "json"];
    args.extend(extra);
    let run = xprobe(&args);
    let report = run.json();
    assert_eq!(report["schema_version"], 1, "{name}: {}", run.stdout);
    let routes = report["routes"].as_array().expect("routes").clone();
    (run.code, routes)
}

/// The one route of a fixture.
fn route(name: &str) -> (i32, Value) {
    let (code, routes) = diagnose(name, &[]);
    assert_eq!(routes.len(), 1, "{name}: one route");
    (code, routes[0].clone())
}

fn check(name: &str, route_name: &str, expect: Expect) -> Result<(), String> {
    let (code, r) = route(name);
    let all = finding_codes(&r);
    if r["route"] != route_name {
        return Err(format!("{name}: route {} (want {route_name})", r["route"]));
    }
    match expect {
        TopError(want) => {
            let top = findings(&r).first();
            if top.map(|f| (&f["code"], &f["severity"])) != Some((&Value::from(want), &Value::from("error"))) {
                return Err(format!("{name}: top finding is not error {want}: {all:?}"));
            }
            if code != 1 {
                return Err(format!("{name}: exit {code}, want 1 ({all:?})"));
            }
        }
        NoError(want, severity) => {
            if findings(&r).iter().any(|f| f["severity"] == "error") {
                return Err(format!("{name}: has an error finding: {all:?}"));
            }
            if !findings(&r)
                .iter()
                .any(|f| f["code"] == want && f["severity"] == severity)
            {
                return Err(format!("{name}: no {severity} {want}: {all:?}"));
            }
            if code != 0 {
                return Err(format!("{name}: exit {code}, want 0 ({all:?})"));
            }
        }
    }
    Ok(())
}

#[test]
fn every_fixture_gives_its_top_code() {
    let failures: Vec<String> = FIXTURES
        .iter()
        .filter_map(|(name, route, expect)| check(name, route, *expect).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixtures:\n{}",
        failures.len(),
        FIXTURES.len(),
        failures.join("\n")
    );
}

#[test]
fn every_fixture_file_is_in_the_table_and_codes_are_many() {
    let dir = root().join("tests/fixtures/facts");
    let mut files = BTreeSet::new();
    for sub in ["", "hand/"] {
        for e in std::fs::read_dir(dir.join(sub)).expect("fixtures dir") {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".json") {
                files.insert(format!("{sub}{stem}"));
            }
        }
    }
    // These two have tests of their own (no top code to expect).
    files.remove("healthy");
    files.remove("hand/sqs_attributes_unreadable");
    let table: BTreeSet<String> = FIXTURES.iter().map(|(n, _, _)| n.to_string()).collect();
    assert_eq!(files, table, "fixtures on disk vs the table");
    let codes: BTreeSet<&str> = FIXTURES
        .iter()
        .map(|(_, _, e)| match e {
            TopError(c) | NoError(c, _) => *c,
        })
        .collect();
    assert!(codes.len() >= 40, "{} distinct codes: {codes:?}", codes.len());
}

#[test]
fn the_healthy_facts_have_no_error_on_any_route() {
    let (code, routes) = diagnose("healthy", &[]);
    let names: Vec<&str> = routes.iter().filter_map(|r| r["route"].as_str()).collect();
    assert_eq!(names, ["sqs", "sns", "s3", "lambda"]);
    for r in &routes {
        assert!(
            !findings(r).iter().any(|f| f["severity"] == "error"),
            "{}: {:?}",
            r["route"],
            finding_codes(r)
        );
    }
    assert_eq!(code, 0);
    // --route picks one route out of a facts file.
    let (code, routes) = diagnose("healthy", &["--route", "s3"]);
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0]["route"], "s3");
    assert_eq!(code, 0);
}

#[test]
fn the_wrong_account_lambda_arn_is_named_in_the_explanation() {
    let (_, r) = route("lambda_wrong_account_arn");
    let top = &findings(&r)[0];
    let text = top["explanation"].as_str().unwrap_or_default();
    assert!(text.contains("111111111111"), "{text}");
    assert!(text.contains("222222222222"), "{text}");
    assert!(text.contains("account mismatch"), "{text}");
}

/// Each reported error that a static finding explains is info evidence
/// linked to it by `confirms`, with the raw AWS error quoted.
#[test]
fn reported_errors_confirm_the_static_finding() {
    for (name, confirms, raw) in [
        ("sqs_policy_denies_reported", "sqs-policy-denies", "AccessDenied"),
        (
            "hand/sqs_kms_key_denies_reported",
            "sqs-kms-key-denies",
            "KMS.AccessDeniedException",
        ),
        (
            "hand/s3_access_denied_reported",
            "role-policy-resource-mismatch",
            "Error Code: AccessDenied",
        ),
        (
            "hand/lambda_not_found_reported",
            "lambda-function-not-found",
            "Function not found",
        ),
    ] {
        let (_, r) = route(name);
        let reported: Vec<&Value> = findings(&r)
            .iter()
            .filter(|f| f["code"] == "rule-error-reported")
            .collect();
        assert!(!reported.is_empty(), "{name}: {:?}", finding_codes(&r));
        for f in reported {
            assert_eq!(f["confirms"], confirms, "{name}: {f:#}");
            assert_eq!(f["severity"], "info", "{name}: {f:#}");
            assert_eq!(f["stage"], "evidence", "{name}: {f:#}");
            assert!(
                f["evidence"].to_string().contains(raw),
                "{name}: raw error quoted: {f:#}"
            );
        }
    }
}

/// A reported error nothing static explains is an error of its own, says so,
/// and still names the finding it points to.
#[test]
fn reported_errors_that_contradict_the_static_analysis_are_errors() {
    for (name, points_to) in [
        ("hand/rule_error_contradicts_static", "sqs-policy-denies"),
        ("hand/rule_throttled", "rule-throttled"),
    ] {
        let (code, r) = route(name);
        assert_eq!(code, 1, "{name}");
        let f = &findings(&r)[0];
        assert_eq!(f["code"], "rule-error-reported", "{name}: {:?}", finding_codes(&r));
        assert_eq!(f["severity"], "error", "{name}: {f:#}");
        assert_eq!(f["confirms"], points_to, "{name}: {f:#}");
        let text = f["explanation"].as_str().unwrap_or_default();
        assert!(text.contains("found nothing wrong"), "{name}: {text}");
        assert!(
            f["evidence"][0].as_str().unwrap_or_default().contains("trace"),
            "{name}: {f:#}"
        );
    }
}

#[test]
fn account_level_block_public_access_is_named_as_the_source() {
    let (_, r) = route("hand/s3_account_public_access_block");
    let top = &findings(&r)[0];
    assert!(
        top["evidence"]
            .to_string()
            .contains("RestrictPublicBuckets = true (account)"),
        "{top:#}"
    );
}

#[test]
fn an_unreadable_fact_gives_no_finding_and_names_the_permission() {
    let (code, r) = route("hand/sqs_attributes_unreadable");
    assert!(
        !findings(&r).iter().any(|f| f["severity"] == "error"),
        "{:?}",
        finding_codes(&r)
    );
    assert_eq!(code, 0);
    let unknown = r["unknown_facts"].as_array().expect("unknown_facts");
    assert!(
        unknown.iter().any(|u| u["permission"] == "sqs:GetQueueAttributes"
            && u["fact"].as_str().unwrap_or_default().contains("ExampleQueue")),
        "{unknown:?}"
    );
}

/// The captured files hold no credentials, message bodies or local paths.
#[test]
fn fixtures_hold_no_secrets_or_bodies() {
    let dir = root().join("tests/fixtures/facts");
    let extra = ["healthy", "hand/sqs_attributes_unreadable"];
    for name in FIXTURES.iter().map(|(n, _, _)| *n).chain(extra) {
        let path = dir.join(format!("{name}.json"));
        let text = std::fs::read_to_string(&path).expect("fixture");
        for bad in [
            "aws_secret_access_key",
            "SecretAccessKey",
            "SessionToken",
            "PRIVATE KEY",
            "base64OriginalPayload",
            "\"Body\"",
            "/root/",
            "/tmp/",
        ] {
            assert!(!text.contains(bad), "{name} contains {bad}");
        }
    }
}
