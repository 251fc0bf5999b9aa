#!/usr/bin/env python3
"""Provision the healthy two-account walkthrough setup on a running ministack.

Same API calls as the walkthrough (cross-account-iot-rules.md), with every
item of ERRATA.md corrected: 12-digit account ids, lowercase bucket, `/*` on S3
object resources, rule names with underscores, account B in the Lambda ARN,
the right `--source-arn`, Block Public Access left ON.

    provision.py            reset ministack, provision, write .sandbox files, print JSON summary
    provision.py --no-reset provision on top of the current state (fails on duplicates)
"""
from __future__ import annotations

import io
import json
import socket
import ssl
import sys
import time
import zipfile

import sandboxlib as sb
from sandboxlib import ACCOUNT_A, ACCOUNT_B, REGION, client

TRUST_IOT = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "iot.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }],
}

S3_OBJECTS = f"arn:aws:s3:::{sb.BUCKET}/*"


def iot_policy_document(s3_resource: str = S3_OBJECTS) -> dict:
    """my-iot-policy: the three walkthrough policies merged, S3 resource fixed."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["sqs:SendMessage"],
             "Resource": [sb.queue_arn(ACCOUNT_B, sb.QUEUE)]},
            {"Effect": "Allow", "Action": ["sns:Publish"],
             "Resource": [sb.topic_arn()]},
            {"Effect": "Allow", "Action": ["s3:PutObject"],
             "Resource": [s3_resource]},
        ],
    }


ERROR_QUEUE_POLICY_NAME = "iot-rule-errors-send"


def error_queue_role_policy() -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["sqs:SendMessage"],
                       "Resource": [sb.queue_arn(ACCOUNT_A, sb.ERROR_QUEUE)]}],
    }


TAP_FILTER_POLICY = {"xprobe": {"id": [{"exists": True}]}}

LAMBDA_CODE_LOGGING = (
    "import json\n\n\n"
    "def handler(event, context):\n"
    "    print(json.dumps(event))\n"
    "    return {\"ok\": True}\n"
)
LAMBDA_CODE_SILENT = (
    "def handler(event, context):\n"
    "    return {\"ok\": True}\n"
)
LAMBDA_PERMISSION_SID = "iot-lambda_rule"


def lambda_zip(code: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("index.py", date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        zf.writestr(info, code)
    return buf.getvalue()


def error_action() -> dict:
    return {"sqs": {"queueUrl": sb.queue_url("a", sb.ERROR_QUEUE), "roleArn": sb.role_arn(), "useBase64": False}}


def rule_payload(rule: str, *, sql: str | None = None, function_account: str = ACCOUNT_B) -> dict:
    """topicRulePayload of one healthy rule (overrides are used by breakages)."""
    actions = {
        "sqs_rule": {"sqs": {"queueUrl": sb.walkthrough_queue_url(), "roleArn": sb.role_arn(), "useBase64": False}},
        "sns_rule": {"sns": {"targetArn": sb.topic_arn(), "roleArn": sb.role_arn(), "messageFormat": "RAW"}},
        "s3_rule": {"s3": {"bucketName": sb.BUCKET, "key": "${topic()}/${timestamp()}", "roleArn": sb.role_arn()}},
        "lambda_rule": {"lambda": {"functionArn": sb.function_arn(function_account)}},
    }[rule]
    return {
        "sql": sql or f"SELECT * FROM '{sb.IOT_TOPIC}'",
        "awsIotSqlVersion": "2016-03-23",
        "ruleDisabled": False,
        "actions": [actions],
        "errorAction": error_action(),
    }


def lambda_permission_kwargs(source_rule: str = "lambda_rule") -> dict:
    return dict(
        FunctionName=sb.FUNCTION,
        StatementId=LAMBDA_PERMISSION_SID,
        Action="lambda:InvokeFunction",
        Principal="iot.amazonaws.com",
        SourceArn=sb.rule_arn(source_rule),
        SourceAccount=ACCOUNT_A,
    )


# ------------------------------------------------------------------ account B

def provision_b(out: dict) -> None:
    sqs = client("b", "sqs")
    q = sqs.create_queue(QueueName=sb.QUEUE)["QueueUrl"]
    sqs.add_permission(QueueUrl=q, Label="SendMessagesToMyQueue",
                       AWSAccountIds=[ACCOUNT_A], Actions=["SendMessage"])
    out["example_queue_url"] = q
    out["example_queue_arn"] = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    sns = client("b", "sns")
    topic = sns.create_topic(Name=sb.TOPIC)["TopicArn"]
    sns.add_permission(TopicArn=topic, Label="Publish-Permission",
                       AWSAccountId=[ACCOUNT_A], ActionName=["Publish"])
    out["topic_arn"] = topic

    tap = sqs.create_queue(QueueName=sb.TAP_QUEUE)["QueueUrl"]
    tap_arn = sqs.get_queue_attributes(QueueUrl=tap, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=tap, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowExampleTopicOnly",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": tap_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
        }],
    })})
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=tap_arn, ReturnSubscriptionArn=True,
                        Attributes={"RawMessageDelivery": "true",
                                    "FilterPolicyScope": "MessageBody",
                                    "FilterPolicy": json.dumps(TAP_FILTER_POLICY)})
    out["tap_queue_url"] = tap
    out["tap_subscription_arn"] = sub["SubscriptionArn"]

    s3 = client("b", "s3")
    s3.create_bucket(Bucket=sb.BUCKET)
    s3.put_public_access_block(Bucket=sb.BUCKET, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True,
        "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_policy(Bucket=sb.BUCKET, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowAccountAPutObject",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT_A}:root"]},
            "Action": "s3:PutObject",
            "Resource": S3_OBJECTS,
        }],
    }))
    out["bucket"] = sb.BUCKET

    iam = client("b", "iam")
    exec_role = iam.create_role(RoleName=sb.LAMBDA_EXEC_ROLE, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                       "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    lam = client("b", "lambda")
    fn = lam.create_function(FunctionName=sb.FUNCTION, Runtime="python3.12", Role=exec_role,
                             Handler="index.handler", Code={"ZipFile": lambda_zip(LAMBDA_CODE_LOGGING)},
                             Timeout=10)
    wait_function_active(lam)
    lam.add_permission(**lambda_permission_kwargs())
    out["function_arn"] = fn["FunctionArn"]


def wait_function_active(lam, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        cfg = lam.get_function_configuration(FunctionName=sb.FUNCTION)
        if cfg.get("State", "Active") == "Active" and cfg.get("LastUpdateStatus", "Successful") != "InProgress":
            return
        if time.monotonic() > deadline:
            raise sb.SandboxError(f"lambda {sb.FUNCTION} not Active after {timeout:.0f}s: {cfg.get('State')}")
        time.sleep(0.2)


# ------------------------------------------------------------------ account A

def provision_a(out: dict) -> None:
    iam = client("a", "iam")
    iam.create_policy(PolicyName=sb.POLICY_NAME, PolicyDocument=json.dumps(iot_policy_document()))
    iam.create_role(RoleName=sb.ROLE_NAME, AssumeRolePolicyDocument=json.dumps(TRUST_IOT))
    iam.attach_role_policy(RoleName=sb.ROLE_NAME, PolicyArn=sb.policy_arn())
    iam.put_role_policy(RoleName=sb.ROLE_NAME, PolicyName=ERROR_QUEUE_POLICY_NAME,
                        PolicyDocument=json.dumps(error_queue_role_policy()))
    out["role_arn"] = sb.role_arn()
    out["policy_arn"] = sb.policy_arn()

    out["error_queue_url"] = client("a", "sqs").create_queue(QueueName=sb.ERROR_QUEUE)["QueueUrl"]

    iot = client("a", "iot")
    for rule in sb.RULES:
        iot.create_topic_rule(ruleName=rule, topicRulePayload=rule_payload(rule))
    out["rules"] = {r: iot.get_topic_rule(ruleName=r)["ruleArn"] for r in sb.RULES}

    cert = iot.create_keys_and_certificate(setAsActive=True)
    iot.create_policy(policyName=sb.PROBE_IOT_POLICY, policyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iot:Connect",
             "Resource": f"arn:aws:iot:{REGION}:{ACCOUNT_A}:client/*"},
            {"Effect": "Allow", "Action": "iot:Publish",
             "Resource": f"arn:aws:iot:{REGION}:{ACCOUNT_A}:topic/*"},
        ]}))
    iot.attach_policy(policyName=sb.PROBE_IOT_POLICY, target=cert["certificateArn"])
    sb.write_private(sb.CERTS / "device.pem.crt", cert["certificatePem"], 0o644)
    sb.write_private(sb.CERTS / "private.pem.key", cert["keyPair"]["PrivateKey"], 0o600)
    sb.write_private(sb.CERTS / "ca.pem", sb.admin("GET", "/_ministack/iot/ca.pem").decode(), 0o644)
    out["certificate_id"] = cert["certificateId"]
    out["certificate_arn"] = cert["certificateArn"]
    out["iot_data_endpoint"] = iot.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]


# ------------------------------------------------------------------ checks

def tls_names_validating(port: int) -> dict:
    """Which names the mTLS listener's certificate validates for, against ca.pem, hostname check on."""
    result = {}
    for name in ("127.0.0.1", "localhost"):
        ctx = ssl.create_default_context(cafile=str(sb.CERTS / "ca.pem"))
        ctx.check_hostname = True
        ctx.load_cert_chain(str(sb.CERTS / "device.pem.crt"), str(sb.CERTS / "private.pem.key"))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
                with ctx.wrap_socket(raw, server_hostname=name):
                    result[name] = "ok"
        except (ssl.SSLError, ssl.CertificateError, OSError) as e:
            result[name] = f"fail: {e}"
    return result


def provision(do_reset: bool = True) -> dict:
    sb.STATE.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    if do_reset:
        sb.reset()
    else:
        sb.wait_ready()
    out: dict = {"endpoint": sb.endpoint(), "mqtt_port": sb.runtime()["mqtt_port"],
                 "account_a": ACCOUNT_A, "account_b": ACCOUNT_B, "region": REGION}
    provision_b(out)
    provision_a(out)
    out["mtls_server_cert_validates"] = tls_names_validating(sb.runtime()["mqtt_port"])
    out["provision_seconds"] = round(time.monotonic() - t0, 2)
    sb.write_private(sb.RESOURCES_FILE, json.dumps(out, indent=2) + "\n", 0o644)
    sb.write_env_files()
    return out


def main(argv: list[str]) -> int:
    try:
        sb.emit(provision(do_reset="--no-reset" not in argv))
        return 0
    except sb.SandboxError as e:
        print(f"provision: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # botocore ClientError etc.: one clear line
        print(f"provision: failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
