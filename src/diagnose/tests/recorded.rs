//! The AWS APIs the sandbox lacks, against recorded responses: IoT
//! GetV2LoggingOptions and S3 Control GetPublicAccessBlock through the real
//! SDK clients of [`AccountClients`] (responses recorded at the HTTP level,
//! as AWS sends them), and CloudWatch ListMetrics/GetMetricData with
//! aws-smithy-mocks (the SDK speaks CBOR to CloudWatch). Also the round
//! trips of reading a role, with every response delayed.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::http::{
    http_client_fn, HttpConnector, HttpConnectorFuture, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;

use super::build::*;
use super::destinations::public_bucket_policy;
use crate::aws::{AccountClients, ApiCallCounter};
use crate::config::{AccountConfig, CredentialSource};
use crate::dest::s3::PublicAccessBlock;
use crate::diagnose::facts::DestinationFacts;
use crate::diagnose::source_facts::{logging, LoggingFacts};
use crate::diagnose::{diagnose, Fact, Severity};

/// A recorded HTTP response.
struct Recorded {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: String,
}

fn ok(body: impl Into<String>) -> Recorded {
    Recorded {
        status: 200,
        headers: Vec::new(),
        body: body.into(),
    }
}

/// An AWS JSON (restJson1) error: the code in `x-amzn-ErrorType`, as IoT sends it.
fn json_error(status: u16, code: &'static str, message: &str) -> Recorded {
    Recorded {
        status,
        headers: vec![("x-amzn-ErrorType", code), ("content-type", "application/json")],
        body: format!(r#"{{"message":"{message}"}}"#),
    }
}

/// An S3 Control XML error (wrapped in `ErrorResponse`, unlike S3's).
fn control_error(status: u16, code: &str, message: &str) -> Recorded {
    Recorded {
        status,
        headers: vec![("content-type", "application/xml")],
        body: format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Code>{code}</Code><Message>{message}</Message></Error><RequestId>4442587FB7D0A2F9</RequestId><HostId>host</HostId></ErrorResponse>"#
        ),
    }
}

/// An S3 XML error.
fn xml_error(status: u16, code: &str, message: &str) -> Recorded {
    Recorded {
        status,
        headers: vec![("content-type", "application/xml")],
        body: format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>host</HostId></Error>"#
        ),
    }
}

type Responder = dyn Fn(&str, &str, &str) -> Recorded + Send + Sync;

/// Answers every request with `respond(method, uri, body)` after `latency`,
/// and keeps the requests.
#[derive(Clone)]
struct Replay {
    respond: Arc<Responder>,
    latency: Duration,
    seen: Arc<Mutex<Vec<String>>>,
}

impl std::fmt::Debug for Replay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Replay")
    }
}

impl HttpConnector for Replay {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (method, uri) = (request.method().to_string(), request.uri().to_string());
        let body = String::from_utf8_lossy(request.body().bytes().unwrap_or_default()).into_owned();
        self.seen.lock().unwrap().push(format!("{method} {uri}"));
        let r = (self.respond)(&method, &uri, &body);
        let mut resp = HttpResponse::new(StatusCode::try_from(r.status).unwrap(), SdkBody::from(r.body));
        for (k, v) in r.headers {
            resp.headers_mut().insert(k, v);
        }
        let latency = self.latency;
        HttpConnectorFuture::new(async move {
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            Ok(resp)
        })
    }
}

/// Clients of one account whose every call is answered by `respond`.
fn clients(respond: impl Fn(&str, &str, &str) -> Recorded + Send + Sync + 'static) -> (AccountClients, Replay) {
    clients_with_latency(Duration::ZERO, respond)
}

fn clients_with_latency(
    latency: Duration,
    respond: impl Fn(&str, &str, &str) -> Recorded + Send + Sync + 'static,
) -> (AccountClients, Replay) {
    let replay = Replay {
        respond: Arc::new(respond),
        latency,
        seen: Arc::default(),
    };
    let connector = SharedHttpConnector::new(replay.clone());
    let http: SharedHttpClient = http_client_fn(move |_, _| connector.clone());
    let sdk = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "recorded",
        )))
        .retry_config(RetryConfig::disabled())
        .http_client(http)
        .build();
    let account = AccountConfig {
        name: "dest".into(),
        region: REGION.into(),
        credentials: CredentialSource::DefaultChain,
        endpoint_url: None,
    };
    (AccountClients::from_sdk_config(account, sdk), replay)
}

// ---- IoT GetV2LoggingOptions ----

async fn logging_answered(r: impl Fn() -> Recorded + Send + Sync + 'static) -> (Fact<LoggingFacts>, Vec<String>) {
    let (c, replay) = clients(move |_, _, _| r());
    let counter = ApiCallCounter::new();
    let fact = logging(&c.scoped(&counter)).await;
    assert_eq!(counter.total(), 1, "{counter}");
    let seen = replay.seen.lock().unwrap().clone();
    (fact, seen)
}

#[tokio::test]
async fn logging_enabled_is_known_and_raises_nothing() {
    let (fact, seen) = logging_answered(|| {
        ok(r#"{"roleArn":"arn:aws:iam::111111111111:role/IoTLoggingRole","defaultLogLevel":"ERROR","disableAllLogs":false}"#)
    })
    .await;
    assert_eq!(
        seen,
        vec!["GET https://iot.us-east-1.amazonaws.com/v2LoggingOptions".to_string()]
    );
    assert_eq!(
        fact,
        Fact::Known(LoggingFacts {
            default_log_level: Some("ERROR".into()),
            disable_all_logs: false,
            role_arn: Some("arn:aws:iam::111111111111:role/IoTLoggingRole".into()),
        })
    );
    let mut facts = healthy_sqs();
    facts.logging = fact;
    assert!(diagnose(&facts).is_empty(), "{:?}", codes(&diagnose(&facts)));
}

#[tokio::test]
async fn logging_level_disabled_is_a_warning() {
    let (fact, _) = logging_answered(|| {
        ok(r#"{"roleArn":"arn:aws:iam::111111111111:role/IoTLoggingRole","defaultLogLevel":"DISABLED","disableAllLogs":false}"#)
    })
    .await;
    assert_eq!(fact.known().unwrap().default_log_level.as_deref(), Some("DISABLED"));
    let mut facts = healthy_sqs();
    facts.logging = fact;
    let f = complete(&facts, "iot-logging-disabled", Severity::Warning);
    assert_eq!(
        f.evidence,
        vec!["GetV2LoggingOptions: defaultLogLevel = DISABLED, disableAllLogs = false".to_string()]
    );
}

#[tokio::test]
async fn logging_never_configured_is_known_off() {
    // AWS answers an account that never called SetV2LoggingOptions with
    // NotConfiguredException (404).
    let (fact, _) = logging_answered(|| {
        json_error(
            404,
            "NotConfiguredException:http://internal.amazon.com/coral/com.amazonaws.iot/",
            "Logging options not configured",
        )
    })
    .await;
    assert_eq!(
        fact,
        Fact::Known(LoggingFacts {
            default_log_level: None,
            disable_all_logs: true,
            role_arn: None,
        })
    );
    let mut facts = healthy_sqs();
    facts.logging = fact;
    let f = complete(&facts, "iot-logging-disabled", Severity::Warning);
    assert!(f.evidence[0].contains("defaultLogLevel = unset"), "{f:#?}");
}

#[tokio::test]
async fn logging_not_found_is_known_off_too() {
    let (fact, _) = logging_answered(|| json_error(404, "ResourceNotFoundException", "not found")).await;
    assert!(fact.known().unwrap().disable_all_logs);
}

#[tokio::test]
async fn logging_access_denied_names_the_permission() {
    let (fact, _) = logging_answered(|| {
        json_error(
            403,
            "AccessDeniedException",
            "User: arn:aws:sts::111111111111:assumed-role/xprobe/s is not authorized to perform: iot:GetV2LoggingOptions",
        )
    })
    .await;
    let u = fact.unknown().expect("unknown");
    assert_eq!(u.permission.as_deref(), Some("iot:GetV2LoggingOptions"));
    assert!(u.reason.contains("AccessDeniedException"), "{u:?}");
    let mut facts = healthy_sqs();
    facts.logging = fact;
    assert!(!diagnose(&facts).iter().any(|f| f.code == "iot-logging-disabled"));
}

#[tokio::test]
async fn logging_unsupported_by_an_emulator_is_unknown_without_a_permission() {
    // What ministack answers.
    let (fact, _) = logging_answered(|| {
        json_error(
            400,
            "InvalidRequestException",
            "Unsupported IoT path: /v2LoggingOptions",
        )
    })
    .await;
    let u = fact.unknown().expect("unknown");
    assert_eq!(u.permission, None);
    assert!(u.reason.contains("Unsupported IoT path"), "{u:?}");
}

// ---- S3 Control GetPublicAccessBlock (account-level Block Public Access) ----

const S3_NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// A bucket in B with a public policy, no bucket-level BPA, and the
/// account-level answer `account`.
fn bucket_responses(account: fn() -> Recorded) -> impl Fn(&str, &str, &str) -> Recorded + Send + Sync + 'static {
    move |method, uri, _| {
        if uri.contains("s3-control") {
            return account();
        }
        let query = uri.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let has = |k: &str| query.split('&').any(|p| p == k || p.starts_with(&format!("{k}=")));
        match () {
            _ if method == "HEAD" => Recorded {
                status: 200,
                headers: vec![("x-amz-bucket-region", "us-east-1")],
                body: String::new(),
            },
            _ if has("location") => ok(format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="{S3_NS}"></LocationConstraint>"#
            )),
            _ if has("policy") => ok(public_bucket_policy()),
            _ if has("publicAccessBlock") => xml_error(
                404,
                "NoSuchPublicAccessBlockConfiguration",
                "The public access block configuration was not found",
            ),
            _ if has("ownershipControls") => ok(format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><OwnershipControls xmlns="{S3_NS}"><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>"#
            )),
            _ if has("encryption") => ok(format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><ServerSideEncryptionConfiguration xmlns="{S3_NS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>"#
            )),
            _ => xml_error(400, "Unexpected", &format!("no recording for {method} {uri}")),
        }
    }
}

fn restrict_public_buckets() -> Recorded {
    ok(r#"<?xml version="1.0" encoding="UTF-8"?>
<PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><BlockPublicAcls>false</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>"#)
}

async fn gathered_bucket(account: fn() -> Recorded) -> (crate::dest::s3::S3Facts, Vec<String>) {
    let (c, replay) = clients(bucket_responses(account));
    let counter = ApiCallCounter::new();
    let facts = crate::dest::s3::gather(&c.scoped(&counter), BUCKET, Some(B)).await;
    assert_eq!(counter.total(), 7, "{counter}");
    let seen = replay.seen.lock().unwrap().clone();
    (facts, seen)
}

#[tokio::test]
async fn account_restrict_public_buckets_with_a_public_policy_is_s3_public_policy_blocked() {
    let (bucket, seen) = gathered_bucket(restrict_public_buckets).await;
    assert!(
        seen.iter().any(|s| s
            == "GET https://222222222222.s3-control.us-east-1.amazonaws.com/v20180820/configuration/publicAccessBlock"),
        "{seen:#?}"
    );
    assert_eq!(
        bucket.account_public_access_block,
        Fact::Known(Some(PublicAccessBlock {
            restrict_public_buckets: true,
            ..PublicAccessBlock::default()
        }))
    );
    assert_eq!(bucket.public_access_block, Fact::Known(None));
    assert_eq!(bucket.region, Fact::Known("us-east-1".into()));
    assert_eq!(bucket.object_ownership, Fact::Known("BucketOwnerEnforced".into()));
    assert_eq!(bucket.policy, Fact::Known(Some(public_bucket_policy())));
    let mut facts = healthy_s3();
    facts.destinations[0].facts = DestinationFacts::S3(bucket);
    let f = complete(&facts, "s3-public-policy-blocked", Severity::Error);
    assert!(
        f.evidence.iter().any(|e| e == "RestrictPublicBuckets = true (account)"),
        "{f:#?}"
    );
    assert_eq!(top(&facts), "s3-public-policy-blocked");
}

#[tokio::test]
async fn no_account_block_is_known_absent_and_the_public_policy_delivers() {
    let (bucket, _) = gathered_bucket(|| {
        control_error(
            404,
            "NoSuchPublicAccessBlockConfiguration",
            "The public access block configuration was not found",
        )
    })
    .await;
    assert_eq!(bucket.account_public_access_block, Fact::Known(None));
    let mut facts = healthy_s3();
    facts.destinations[0].facts = DestinationFacts::S3(bucket);
    assert!(
        !crate::diagnose::has_errors(&diagnose(&facts)),
        "{:?}",
        codes(&diagnose(&facts))
    );
}

#[tokio::test]
async fn account_block_access_denied_names_the_permission() {
    let (bucket, _) = gathered_bucket(|| control_error(403, "AccessDenied", "Access Denied")).await;
    let u = bucket.account_public_access_block.unknown().expect("unknown");
    assert_eq!(u.permission.as_deref(), Some("s3:GetAccountPublicAccessBlock"));
    let mut facts = healthy_s3();
    facts.destinations[0].facts = DestinationFacts::S3(bucket);
    let unknown = crate::diagnose::unknown_facts(&facts);
    assert!(
        unknown
            .iter()
            .any(|(name, u)| name == "account Block Public Access (dest)"
                && u.permission.as_deref() == Some("s3:GetAccountPublicAccessBlock")),
        "{unknown:?}"
    );
}

// ---- IAM: the role in two round trips ----

const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
const POLICY_ARN: &str = "arn:aws:iam::111111111111:policy/deliver";

/// An IAM (awsQuery) response to `action`.
fn iam_ok(action: &str, result: &str) -> Recorded {
    ok(format!(
        r#"<{action}Response xmlns="{IAM_NS}"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></{action}Response>"#
    ))
}

/// A role with one attached customer managed policy whose default version
/// is `default`; each version's document allows `sqs:SendMessage` on a
/// queue named after the version.
fn role_responses(default: &'static str) -> impl Fn(&str, &str, &str) -> Recorded + Send + Sync + 'static {
    move |_, _, body| {
        let param = |k: &str| {
            body.split('&')
                .find_map(|p| p.strip_prefix(&format!("{k}=")))
                .unwrap_or_default()
                .to_string()
        };
        let encoded = |queue: &str| {
            identity_allow(
                "sqs:SendMessage",
                &format!("arn:aws:sqs:us-east-1:222222222222:{queue}"),
            )
            .replace('%', "%25")
            .replace('{', "%7B")
            .replace('}', "%7D")
            .replace('"', "%22")
        };
        match param("Action").as_str() {
            "GetRole" => iam_ok(
                "GetRole",
                &format!(
                    "<Role><Path>/</Path><RoleName>iot-rule-role</RoleName><RoleId>AROAEXAMPLEID</RoleId><Arn>{ROLE}</Arn><CreateDate>2025-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument></Role>",
                    encoded("trust")
                ),
            ),
            "ListRolePolicies" => iam_ok("ListRolePolicies", "<PolicyNames/><IsTruncated>false</IsTruncated>"),
            "ListAttachedRolePolicies" => iam_ok(
                "ListAttachedRolePolicies",
                &format!("<AttachedPolicies><member><PolicyName>deliver</PolicyName><PolicyArn>{POLICY_ARN}</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated>"),
            ),
            "GetPolicy" => iam_ok(
                "GetPolicy",
                &format!("<Policy><PolicyName>deliver</PolicyName><Arn>{POLICY_ARN}</Arn><DefaultVersionId>{default}</DefaultVersionId></Policy>"),
            ),
            "GetPolicyVersion" => {
                let v = param("VersionId");
                iam_ok(
                    "GetPolicyVersion",
                    &format!(
                        "<PolicyVersion><Document>{}</Document><VersionId>{v}</VersionId><IsDefaultVersion>{}</IsDefaultVersion></PolicyVersion>",
                        encoded(&format!("queue-{v}")),
                        v == default
                    ),
                )
            }
            other => xml_error(400, "Unexpected", &format!("no recording for {other}")),
        }
    }
}

/// Reads the role with every response 100 ms late; the calls made and the
/// round trips, as the interceptor measured them.
async fn read_role(default: &'static str) -> (crate::diagnose::RoleFacts, ApiCallCounter) {
    let (c, _) = clients_with_latency(Duration::from_millis(100), role_responses(default));
    let counter = ApiCallCounter::new();
    let role = crate::diagnose::gather_role(&c.scoped(&counter), ROLE).await;
    (role.known().cloned().expect("role read"), counter)
}

#[tokio::test]
async fn a_role_at_policy_v1_takes_two_round_trips() {
    let (role, counter) = read_role("v1").await;
    assert!(role.exists);
    // Documents arrive URL-encoded and are decoded.
    assert!(
        role.trust_policy.as_deref().unwrap().starts_with(r#"{"Version""#),
        "{role:#?}"
    );
    assert_eq!(role.attached_policies.len(), 1);
    assert!(role.attached_policies[0].document.contains("queue-v1"), "{role:#?}");
    // GetRole, ListRolePolicies, ListAttachedRolePolicies; then GetPolicy and GetPolicyVersion v1 together.
    assert_eq!(counter.total(), 5, "{counter}");
    assert_eq!(counter.sequential_calls(), 2, "{counter}");
}

#[tokio::test]
async fn a_role_at_a_later_policy_version_reads_the_default() {
    let (role, counter) = read_role("v3").await;
    assert!(role.attached_policies[0].document.contains("queue-v3"), "{role:#?}");
    // The v1 guess was wasted: one more call and one more round trip.
    assert_eq!(counter.total(), 6, "{counter}");
    assert_eq!(counter.sequential_calls(), 3, "{counter}");
}

// ---- CloudWatch AWS/IoT metrics ----

mod metrics {
    use aws_sdk_cloudwatch::operation::get_metric_data::{GetMetricDataError, GetMetricDataOutput};
    use aws_sdk_cloudwatch::operation::list_metrics::{ListMetricsError, ListMetricsOutput};
    use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataResult};
    use aws_sdk_cloudwatch::Client;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};
    use aws_smithy_types::error::ErrorMetadata;

    use super::*;
    use crate::diagnose::metrics::{gather, ActionMetrics, RuleMetrics};

    fn metric(name: &str, rule: &str, action: Option<&str>) -> Metric {
        let mut m = Metric::builder()
            .namespace("AWS/IoT")
            .metric_name(name)
            .dimensions(Dimension::builder().name("RuleName").value(rule).build());
        if let Some(a) = action {
            m = m.dimensions(Dimension::builder().name("ActionType").value(a).build());
        }
        m.build()
    }

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000)
    }

    #[tokio::test]
    async fn action_types_are_discovered_then_summed_in_one_call() {
        let list = mock!(Client::list_metrics)
            .match_requests(|r| {
                r.namespace() == Some("AWS/IoT")
                    && r.dimensions().len() == 1
                    && r.dimensions()[0].name() == Some("RuleName")
                    && r.dimensions()[0].value() == Some("sqs_rule")
            })
            .then_output(|| {
                ListMetricsOutput::builder()
                    .metrics(metric("TopicMatch", "sqs_rule", None))
                    .metrics(metric("Success", "sqs_rule", Some("Sqs")))
                    .metrics(metric("Failure", "sqs_rule", Some("Sqs")))
                    .metrics(metric("Failure", "sqs_rule", Some("Republish")))
                    // Not asked for, and another rule's metric: ignored.
                    .metrics(metric("ParseError", "sqs_rule", None))
                    .metrics(metric("Failure", "other_rule", Some("Sqs")))
                    .build()
            });
        let data = mock!(Client::get_metric_data)
            .match_requests(|r| {
                let q = r.metric_data_queries();
                let stat = |i: usize| q[i].metric_stat().unwrap();
                q.len() == 4
                    && q.iter().enumerate().all(|(i, x)| x.id() == Some(&format!("m{i}")))
                    && stat(0).stat() == Some("Sum")
                    && stat(1).metric().unwrap().metric_name() == Some("Success")
                    && r.start_time().map(|t| t.secs()) == Some(1_750_000_000 - 3600)
                    && r.end_time().map(|t| t.secs()) == Some(1_750_000_000)
            })
            .then_output(|| {
                let result = |id: &str, values: &[f64]| {
                    values
                        .iter()
                        .fold(MetricDataResult::builder().id(id), |b, v| b.values(*v))
                        .build()
                };
                GetMetricDataOutput::builder()
                    .metric_data_results(result("m0", &[5.0, 4.0]))
                    .metric_data_results(result("m1", &[2.0]))
                    .metric_data_results(result("m2", &[3.0, 4.0]))
                    .metric_data_results(result("m3", &[]))
                    .build()
            });
        let cw = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&list, &data]);
        let fact = gather(&cw, "sqs_rule", now()).await;
        assert_eq!(list.num_calls(), 1);
        assert_eq!(data.num_calls(), 1);
        assert_eq!(
            fact,
            Fact::Known(RuleMetrics {
                window_minutes: 60,
                topic_match: Some(9),
                actions: vec![
                    ActionMetrics {
                        action_type: "Republish".into(),
                        success: 0,
                        failure: 0,
                    },
                    ActionMetrics {
                        action_type: "Sqs".into(),
                        success: 2,
                        failure: 7,
                    },
                ],
            })
        );
        // Through diagnose: the failures are evidence for the broken queue policy.
        let mut facts = healthy_sqs();
        the_queue_attributes(&mut facts).policy = None;
        facts.metrics = fact;
        let f = complete(&facts, "rule-action-failures", Severity::Warning);
        assert_eq!(f.confirms, Some("sqs-policy-denies"));
        assert!(f.explanation.contains("counted 7 failures of the Sqs action"), "{f:#?}");
    }

    #[tokio::test]
    async fn no_metrics_means_no_traffic_and_no_second_call() {
        let list = mock!(Client::list_metrics).then_output(|| ListMetricsOutput::builder().build());
        let data = mock!(Client::get_metric_data).then_output(|| GetMetricDataOutput::builder().build());
        let cw = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&list, &data]);
        let fact = gather(&cw, "sqs_rule", now()).await;
        assert_eq!(data.num_calls(), 0);
        assert_eq!(
            fact,
            Fact::Known(RuleMetrics {
                window_minutes: 60,
                topic_match: None,
                actions: Vec::new(),
            })
        );
    }

    #[tokio::test]
    async fn access_denied_names_the_permission() {
        let list = mock!(Client::list_metrics).then_error(|| {
            ListMetricsError::generic(
                ErrorMetadata::builder()
                    .code("AccessDenied")
                    .message("not authorized to perform: cloudwatch:ListMetrics")
                    .build(),
            )
        });
        let cw = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&list]);
        let u = gather(&cw, "sqs_rule", now())
            .await
            .unknown()
            .cloned()
            .expect("unknown");
        assert_eq!(u.permission.as_deref(), Some("cloudwatch:ListMetrics"));
        // GetMetricData refused after a successful listing.
        let list = mock!(Client::list_metrics).then_output(|| {
            ListMetricsOutput::builder()
                .metrics(metric("Failure", "sqs_rule", Some("Sqs")))
                .build()
        });
        let data = mock!(Client::get_metric_data).then_error(|| {
            GetMetricDataError::InvalidNextToken(
                aws_sdk_cloudwatch::types::error::InvalidNextToken::builder()
                    .message("bad token")
                    .build(),
            )
        });
        let cw = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&list, &data]);
        let u = gather(&cw, "sqs_rule", now())
            .await
            .unknown()
            .cloned()
            .expect("unknown");
        assert!(u.reason.contains("GetMetricData"), "{u:?}");
    }
}
