//! Throughput of the IAM policy evaluator on a realistic cross-account IoT
//! rule delivery: the rule's role in account A writes an SSE-KMS object into
//! a bucket in account B, which needs `s3:PutObject` (role policy AND bucket
//! policy) and `kms:GenerateDataKey` (role policy AND key policy).
//!
//! Run with `cargo bench --bench policy`. Plain `std::time` loop; prints
//! authorizations per second for each check and for the pair.

use std::hint::black_box;
use std::time::{Duration, Instant};

use xprobe::policy::{authorize, Context, Decision, Policy, PolicyKind, PolicySet, Principal, Request};

const ROLE_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Queue", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:222222222222:ingest"},
    {"Sid": "Topic", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": "arn:aws:sns:us-east-1:222222222222:alerts"},
    {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:PutObject", "s3:PutObjectAcl"], "Resource": "arn:aws:s3:::telemetry-b/iot/*"},
    {"Sid": "Key", "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
     "Resource": "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
    {"Sid": "NoDeletes", "Effect": "Deny", "Action": ["s3:Delete*", "sqs:DeleteQueue"], "Resource": "*"}
  ]
}"#;

const BUCKET_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::telemetry-b", "arn:aws:s3:::telemetry-b/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "RequireKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::telemetry-b/*",
     "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
    {"Sid": "AccountA", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
     "Action": "s3:PutObject", "Resource": "arn:aws:s3:::telemetry-b/iot/*",
     "Condition": {"StringEquals": {"aws:PrincipalAccount": "111111111111"}}},
    {"Sid": "Readers", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:role/reader"},
     "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::telemetry-b", "arn:aws:s3:::telemetry-b/*"]}
  ]
}"#;

const KEY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Admins", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "RuleRole", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/iot-rule-role"},
     "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*",
     "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"},
                   "ForAnyValue:StringLike": {"kms:EncryptionContextKeys": "aws:s3:arn"}}}
  ]
}"#;

const KEY_ARN: &str = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn main() {
    let parse = |text: &str| Policy::parse(text).unwrap_or_else(|e| panic!("{e}"));
    let (role, bucket, key) = (parse(ROLE_POLICY), parse(BUCKET_POLICY), parse(KEY_POLICY));
    let caller = Principal::assumed_role("111111111111", "iot-rule-role", "a1b2c3d4");

    let put_set = PolicySet::new()
        .with(PolicyKind::Identity, "iot-rule-role", role.clone())
        .with(PolicyKind::Resource, "telemetry-b", bucket);
    let put = Request::new(
        caller.clone(),
        "s3:PutObject",
        "arn:aws:s3:::telemetry-b/iot/dev-42/1700000000",
    )
    .with_resource_account("222222222222")
    .with_context(
        Context::new()
            .with("aws:SecureTransport", "true")
            .with("s3:x-amz-server-side-encryption", "aws:kms"),
    );

    let kms_set = PolicySet::new().with(PolicyKind::Identity, "iot-rule-role", role).with(
        PolicyKind::KeyPolicy,
        "telemetry key",
        key,
    );
    let kms = Request::new(caller, "kms:GenerateDataKey", KEY_ARN).with_context(
        Context::new()
            .with("kms:ViaService", "s3.us-east-1.amazonaws.com")
            .with_values("kms:EncryptionContextKeys", ["aws:s3:arn"]),
    );

    assert_eq!(authorize(&put, &put_set).decision, Decision::Allow);
    assert_eq!(authorize(&kms, &kms_set).decision, Decision::Allow);

    report("s3:PutObject (role + bucket policy)", || {
        authorize(black_box(&put), black_box(&put_set)).decision
    });
    report("kms:GenerateDataKey (role + key policy)", || {
        authorize(black_box(&kms), black_box(&kms_set)).decision
    });
    report("delivery check (both of the above)", || {
        let a = authorize(black_box(&put), black_box(&put_set)).decision;
        let b = authorize(black_box(&kms), black_box(&kms_set)).decision;
        a.is_allowed() && b.is_allowed()
    });
    report("parse bucket policy", || {
        Policy::parse(black_box(BUCKET_POLICY)).is_ok()
    });
}

fn report<T>(name: &str, mut f: impl FnMut() -> T) {
    for _ in 0..1_000 {
        black_box(f());
    }
    let budget = Duration::from_secs(2);
    let start = Instant::now();
    let mut runs: u64 = 0;
    while start.elapsed() < budget {
        for _ in 0..256 {
            black_box(f());
        }
        runs += 256;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{name:<42} {:>10.0} per second ({:.2} µs each, {runs} runs)",
        runs as f64 / secs,
        secs * 1e6 / runs as f64
    );
}
