//! Publish-stage findings, from the probe that diagnose follows.

use crate::diagnose::facts::RouteFacts;
use crate::diagnose::{Component, Finding, Severity, Stage};

/// The stable codes a publish failure maps to.
const CODES: [&str; 5] = [
    "mqtt-endpoint-unreachable",
    "mqtt-server-untrusted",
    "mqtt-client-cert-rejected",
    "mqtt-publish-not-authorized",
    "mqtt-client-id-in-use",
];

/// A finding for the probe's publish failure, if it had one.
pub fn publish_findings(facts: &RouteFacts, out: &mut Vec<Finding>) {
    let Some((code, text)) = &facts.probe.publish_error else {
        return;
    };
    let code = CODES
        .iter()
        .copied()
        .find(|c| c == code)
        .unwrap_or("mqtt-publish-failed");
    let fix = match code {
        "mqtt-endpoint-unreachable" => "aws iot describe-endpoint --endpoint-type iot:Data-ATS   # set mqtt.endpoint to this host, port 8883",
        "mqtt-server-untrusted" => "curl -o AmazonRootCA1.pem https://www.amazontrust.com/repository/AmazonRootCA1.pem   # set mqtt.ca to it and use the -ats endpoint",
        "mqtt-client-cert-rejected" => "aws iot describe-certificate --certificate-id <id>   # must be ACTIVE in the source account and region, with an IoT policy allowing iot:Connect",
        "mqtt-publish-not-authorized" => "aws iot get-effective-policies --principal <certificate ARN>   # allow iot:Publish on topic/<topic> (and topic/$aws/rules/<rule>/* for Basic Ingest)",
        "mqtt-client-id-in-use" => "remove client_id from [mqtt] (xprobe then uses xprobe-<ULID>, unique per process), or give each xprobe and each device its own client id",
        _ => "run with RUST_LOG=debug to see the MQTT exchange",
    };
    out.push(
        Finding::new(
            code,
            Severity::Error,
            Stage::Publish,
            Component::new(
                facts.source.id.known().map(String::as_str),
                Some(&facts.source.region),
                facts.probe.topic.clone().unwrap_or_default(),
            ),
            format!("the probe could not be published: {text}"),
        )
        .fix(fix),
    );
}
