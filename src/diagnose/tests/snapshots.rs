//! Snapshots of the text and markdown reports for a realistic diagnosis:
//! the walkthrough's S3 route with a public bucket policy under account-level
//! RestrictPublicBuckets, IoT logging off, the failure the error action
//! reported, the Failure metric, and a fact xprobe could not read. Probe,
//! trace and request ids and times are redacted.

use super::build::*;
use super::destinations::public_policy_blocked_s3;
use crate::diagnose::metrics::{ActionMetrics, RuleMetrics};
use crate::diagnose::{
    diagnose, render_markdown, render_text, unknown_facts, Fact, RouteDiagnosis, RouteFacts, Unknown,
};

const PROBE_ID: &str = "01JX2Q8V6N3T5W7Y9A1C3E5G7K";

fn broken_s3() -> RouteFacts {
    let mut facts = public_policy_blocked_s3();
    let b = the_bucket(&mut facts);
    b.encryption = Fact::Unknown(Unknown {
        reason: "s3 GetBucketEncryption failed: AccessDenied: Access Denied".into(),
        permission: Some("s3:GetEncryptionConfiguration".into()),
    });
    if let Fact::Known(l) = &mut facts.logging {
        l.default_log_level = Some("DISABLED".into());
    }
    let mut e = log_error(
        "S3Action",
        "Failed to put S3 object. The error received was Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 4442587FB7D0A2F9)",
    );
    e.source = "errorAction".into();
    e.rule = "s3_rule".into();
    e.resource = Some(BUCKET.into());
    e.probe_id = Some(PROBE_ID.into());
    e.timestamp = Some("2025-06-01T10:00:00.070Z".into());
    facts.error_action_errors = Some(Fact::Known(vec![e]));
    facts.probe.probe_id = Some(PROBE_ID.into());
    facts.probe.sent_at_ms = Some(1_748_772_000_000);
    facts.metrics = Fact::Known(RuleMetrics {
        window_minutes: 60,
        topic_match: Some(4),
        actions: vec![ActionMetrics {
            action_type: "S3".into(),
            success: 0,
            failure: 4,
        }],
    });
    facts
}

fn report(facts: &RouteFacts) -> Vec<RouteDiagnosis> {
    vec![RouteDiagnosis::new(
        &facts.route,
        diagnose(facts),
        unknown_facts(facts),
        facts.api_calls,
    )]
}

#[test]
fn text_report() {
    let text = render_text(&report(&broken_s3()));
    assert!(text.contains(PROBE_ID) && text.contains("2f6e5f1c-4c59-2b1f-8d0d-5f1e6b6f0a11"));
    let redacted = redact(&text);
    for id in [PROBE_ID, "2f6e5f1c", "4442587FB7D0A2F9"] {
        assert!(!redacted.contains(id), "{id} in {redacted}");
    }
    insta::assert_snapshot!(redacted);
}

#[test]
fn markdown_report() {
    insta::assert_snapshot!(redact(&render_markdown(&report(&broken_s3()))));
}

#[test]
fn redaction_keeps_account_ids_and_arns() {
    let s = "probe 01JX2Q8V6N3T5W7Y9A1C3E5G7K trace 2f6e5f1c-4c59-2b1f-8d0d-5f1e6b6f0a11 at 2025-06-01T10:00:00.070Z / 2025-06-01 10:00:00.000 ms 1748772000000 (Request ID: 4442587FB7D0A2F9; x) in arn:aws:iam::111111111111:role/r";
    assert_eq!(
        redact(s),
        "probe [ULID] trace [UUID] at [TIME] / [TIME] ms [EPOCH_MS] (Request ID: [REQUEST_ID]; x) in arn:aws:iam::111111111111:role/r"
    );
}

/// Replaces ULIDs, UUIDs, AWS request ids, date-times and epoch milliseconds.
fn redact(s: &str) -> String {
    const REQUEST_ID: &str = "Request ID: ";
    let s = &s
        .split(REQUEST_ID)
        .enumerate()
        .map(|(i, part)| match i {
            0 => part.to_string(),
            _ => {
                let end = part.find([';', ')', ' ']).unwrap_or(part.len());
                format!("{REQUEST_ID}[REQUEST_ID]{}", &part[end..])
            }
        })
        .collect::<String>();
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let word_start = |i: usize| i == 0 || !b[i - 1].is_ascii_alphanumeric();
    let word_end = |j: usize| j >= b.len() || !b[j].is_ascii_alphanumeric();
    while i < b.len() {
        let fits = |pat: &str| {
            let p = pat.as_bytes();
            i + p.len() <= b.len()
                && p.iter().zip(&b[i..]).all(|(p, c)| match p {
                    b'h' => c.is_ascii_hexdigit(),
                    b'd' => c.is_ascii_digit(),
                    b'U' => c.is_ascii_digit() || c.is_ascii_uppercase(),
                    b'_' => *c == b' ' || *c == b'T',
                    other => other == c,
                })
                && word_start(i)
        };
        let mut hit = None;
        for (pat, label) in [
            ("hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh", "[UUID]"),
            ("dddd-dd-dd_dd:dd:dd", "[TIME]"),
            ("UUUUUUUUUUUUUUUUUUUUUUUUUU", "[ULID]"),
            ("ddddddddddddd", "[EPOCH_MS]"),
        ] {
            if fits(pat) {
                let mut end = i + pat.len();
                if label == "[TIME]" {
                    // Fractions and a zone.
                    while end < b.len() && (b[end].is_ascii_digit() || b[end] == b'.' || b[end] == b'Z') {
                        end += 1;
                    }
                }
                if word_end(end) {
                    hit = Some((end, label));
                    break;
                }
            }
        }
        match hit {
            Some((end, label)) => {
                out.push_str(label);
                i = end;
            }
            None => {
                let ch = s[i..].chars().next().unwrap_or_default();
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}
