"""Named breakages of the healthy sandbox, applied with real API calls (as an operator would).

To add one: write a function taking the optional argument (the text after ':'
in `ctl break NAME:ARG`, or None) and returning a JSON-able dict describing what
changed, then decorate it with @breakage("name", ...). Each entry records
whether ministack 1.5.33 itself (AUTH=true) makes the rule's delivery fail
(`ministack_enforces`) and whether the rules companion (companion/, loaded
into ministack by `up`) does (`companion_enforces`), so tests know which ones
show up in a run.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Optional

import provision as pv
import sandboxlib as sb
from sandboxlib import ACCOUNT_A, client


@dataclass(frozen=True)
class Breakage:
    name: str
    route: str                 # sqs | sns | s3 | lambda | all
    summary: str
    ministack_enforces: bool   # does ministack alone stop the delivery / fire the errorAction?
    observed: str              # what a publish to iot/test shows on ministack 1.5.33
    apply: Callable[[Optional[str]], dict]
    takes_arg: bool = False
    companion_enforces: bool = False   # the rules companion makes the delivery fail as AWS would


REGISTRY: dict[str, Breakage] = {}


def breakage(name: str, *, route: str, summary: str, enforced: bool, observed: str, takes_arg: bool = False,
             companion: bool = False):
    def deco(fn):
        REGISTRY[name] = Breakage(name, route, summary, enforced, observed, fn, takes_arg, companion)
        return fn
    return deco


def lookup(spec: str) -> tuple[Breakage, Optional[str]]:
    name, sep, arg = spec.partition(":")
    b = REGISTRY.get(name)
    if b is None:
        raise sb.SandboxError(f"unknown breakage {spec!r}; known: {', '.join(describe_names())}")
    if b.takes_arg and not arg:
        raise sb.SandboxError(f"breakage {name!r} needs an argument, e.g. {name}:sqs_rule")
    if not b.takes_arg and sep:
        raise sb.SandboxError(f"breakage {name!r} takes no argument")
    return b, (arg or None)


def describe_names() -> list[str]:
    return [f"{n}:<rule>" if b.takes_arg else n for n, b in REGISTRY.items()]


def apply(spec: str) -> dict:
    b, arg = lookup(spec)
    detail = b.apply(arg)
    return {"breakage": spec, "route": b.route, "summary": b.summary,
            "ministack_enforces": b.ministack_enforces, "companion_enforces": b.companion_enforces,
            "observed_on_ministack": b.observed,
            "changed": detail}


def _replace_rule(rule: str, payload: dict) -> None:
    client("a", "iot").replace_topic_rule(ruleName=rule, topicRulePayload=payload)


# ------------------------------------------------------------------ SQS

@breakage("sqs-policy-removed", route="sqs", enforced=True,
          summary="B's ExampleQueue has no queue policy (SetQueueAttributes Policy='')",
          observed="no message in ExampleQueue; errorAction document in iot-rule-errors (SqsAction, AccessDenied)")
def _sqs_policy_removed(_arg):
    url = sb.queue_url("b", sb.QUEUE)
    client("b", "sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    return {"queue_url": url, "policy": None}


@breakage("sqs-queue-deleted", route="sqs", enforced=True,
          summary="B's ExampleQueue is deleted",
          observed="errorAction document in iot-rule-errors (SqsAction, QueueDoesNotExist)")
def _sqs_queue_deleted(_arg):
    url = sb.queue_url("b", sb.QUEUE)
    client("b", "sqs").delete_queue(QueueUrl=url)
    return {"deleted_queue_url": url}


# ------------------------------------------------------------------ rules

@breakage("rule-disabled", route="all", enforced=True, takes_arg=True,
          summary="DisableTopicRule on the named rule in A",
          observed="the rule does not fire: no delivery, no errorAction")
def _rule_disabled(rule):
    client("a", "iot").disable_topic_rule(ruleName=rule)
    return {"rule": rule, "ruleDisabled": True}


@breakage("rule-where-excludes", route="sqs", enforced=True,
          summary="sqs_rule's SQL gets WHERE temperature > 50 (probe payloads have no temperature)",
          observed="sqs_rule does not match: no delivery, no errorAction")
def _rule_where_excludes(_arg):
    sql = f"SELECT * FROM '{sb.IOT_TOPIC}' WHERE temperature > 50"
    _replace_rule("sqs_rule", pv.rule_payload("sqs_rule", sql=sql))
    return {"rule": "sqs_rule", "sql": sql}


# ------------------------------------------------------------------ SNS

@breakage("sns-tap-missing", route="sns", enforced=True,
          summary="the xprobe-tap-sns subscription to ExampleTopic is deleted (Unsubscribe)",
          observed="the rule still publishes (no failure, no errorAction); nothing reaches xprobe-tap-sns")
def _sns_tap_missing(_arg):
    sns = client("b", "sns")
    tap_arn = sb.queue_arn(sb.ACCOUNT_B, sb.TAP_QUEUE)
    removed = []
    for sub in sns.list_subscriptions_by_topic(TopicArn=sb.topic_arn()).get("Subscriptions", []):
        if sub.get("Endpoint") == tap_arn:
            sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
            removed.append(sub["SubscriptionArn"])
    if not removed:
        raise sb.SandboxError(f"no subscription of {tap_arn} to {sb.topic_arn()} to remove")
    return {"topic_arn": sb.topic_arn(), "unsubscribed": removed}


@breakage("sns-topic-deleted", route="sns", enforced=True,
          summary="B's ExampleTopic is deleted",
          observed="errorAction document in iot-rule-errors (SnsAction, topic not found); nothing in xprobe-tap-sns")
def _sns_topic_deleted(_arg):
    client("b", "sns").delete_topic(TopicArn=sb.topic_arn())
    return {"deleted_topic_arn": sb.topic_arn()}


# ------------------------------------------------------------------ S3

@breakage("s3-bucket-policy-removed", route="s3", enforced=False, companion=True,
          summary="B's examplebucket has no bucket policy",
          observed="companion: PutObject as my-iot-role gets AccessDenied -> no object, AWSIotLogsV2 S3Action Failure, errorAction document")
def _s3_bucket_policy_removed(_arg):
    client("b", "s3").delete_bucket_policy(Bucket=sb.BUCKET)
    return {"bucket": sb.BUCKET, "policy": None}


@breakage("s3-walkthrough-iam-policy", route="s3", enforced=False, companion=True,
          summary="my-iot-policy grants s3:PutObject on arn:aws:s3:::examplebucket (walkthrough, no /*)",
          observed="companion: PutObject as my-iot-role denied by its identity policy -> no object, S3Action Failure log entry, errorAction document")
def _s3_walkthrough_iam_policy(_arg):
    iam = client("a", "iam")
    resource = f"arn:aws:s3:::{sb.BUCKET}"
    version = iam.create_policy_version(PolicyArn=sb.policy_arn(), SetAsDefault=True,
                                        PolicyDocument=json.dumps(pv.iot_policy_document(resource)))
    for v in iam.list_policy_versions(PolicyArn=sb.policy_arn())["Versions"]:
        if not v["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=sb.policy_arn(), VersionId=v["VersionId"])
    return {"policy_arn": sb.policy_arn(), "version": version["PolicyVersion"]["VersionId"],
            "s3_resource": resource}


@breakage("s3-cannedacl-public-read", route="s3", enforced=False, companion=True,
          summary="s3_rule's action gets cannedAcl public-read (examplebucket is BucketOwnerEnforced)",
          observed="companion: PutObject refused with AccessControlListNotSupported -> no object, S3Action Failure, errorAction document")
def _s3_cannedacl_public_read(_arg):
    payload = pv.rule_payload("s3_rule")
    payload["actions"][0]["s3"]["cannedAcl"] = "public-read"
    _replace_rule("s3_rule", payload)
    return {"rule": "s3_rule", "cannedAcl": "public-read"}


PUBLIC_READ_STATEMENT = {
    "Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
    "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{sb.BUCKET}/*",
}


@breakage("s3-bpa-public-policy", route="s3", enforced=False, companion=True,
          summary="examplebucket's policy gains a public statement (Principal *); BlockPublicPolicy off, RestrictPublicBuckets on",
          observed="ministack's RestrictPublicBuckets drops the whole (public) policy for other accounts -> "
                   "companion's PutObject as my-iot-role gets AccessDenied -> S3Action Failure, errorAction document")
def _s3_bpa_public_policy(_arg):
    from botocore.exceptions import ClientError

    s3 = client("b", "s3")
    policy = json.loads(s3.get_bucket_policy(Bucket=sb.BUCKET)["Policy"])
    policy["Statement"].append(PUBLIC_READ_STATEMENT)
    steps = []
    try:
        s3.put_bucket_policy(Bucket=sb.BUCKET, Policy=json.dumps(policy))
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") != "AccessDenied":
            raise
        steps.append(f"PutBucketPolicy refused: {e.response['Error'].get('Message')}")
        pab = {"BlockPublicAcls": True, "IgnorePublicAcls": True,
               "BlockPublicPolicy": False, "RestrictPublicBuckets": True}
        s3.put_public_access_block(Bucket=sb.BUCKET, PublicAccessBlockConfiguration=pab)
        steps.append(f"PutPublicAccessBlock {pab}")
        s3.put_bucket_policy(Bucket=sb.BUCKET, Policy=json.dumps(policy))
    steps.append("PutBucketPolicy with the public statement")
    return {"bucket": sb.BUCKET, "steps": steps, "added_statement": PUBLIC_READ_STATEMENT,
            "public_access_block": s3.get_public_access_block(Bucket=sb.BUCKET)["PublicAccessBlockConfiguration"]}


# ------------------------------------------------------------------ Lambda

@breakage("lambda-permission-missing", route="lambda", enforced=False, companion=True,
          summary="example-function has no permission for iot.amazonaws.com (RemovePermission)",
          observed="companion: no resource policy allows the invoke -> not invoked, LambdaAction Failure (AccessDeniedException)")
def _lambda_permission_missing(_arg):
    client("b", "lambda").remove_permission(FunctionName=sb.FUNCTION, StatementId=pv.LAMBDA_PERMISSION_SID)
    return {"function": sb.FUNCTION, "removed_statement": pv.LAMBDA_PERMISSION_SID}


OTHER_ACCOUNT = "333333333333"


@breakage("lambda-source-account-mismatch", route="lambda", enforced=False, companion=True,
          summary=f"example-function's permission has the right source-arn but source-account {OTHER_ACCOUNT}",
          observed="companion: aws:SourceAccount condition fails -> not invoked, LambdaAction Failure (AccessDeniedException)")
def _lambda_source_account_mismatch(_arg):
    lam = client("b", "lambda")
    lam.remove_permission(FunctionName=sb.FUNCTION, StatementId=pv.LAMBDA_PERMISSION_SID)
    kwargs = pv.lambda_permission_kwargs()
    kwargs["SourceAccount"] = OTHER_ACCOUNT
    lam.add_permission(**kwargs)
    return {"function": sb.FUNCTION, "source_arn": kwargs["SourceArn"], "source_account": OTHER_ACCOUNT}


@breakage("lambda-source-arn-other-rule", route="lambda", enforced=False, companion=True,
          summary="example-function's permission names source-arn rule/example_rule, not lambda_rule",
          observed="companion: resource policy does not allow rule/lambda_rule -> not invoked, LambdaAction Failure (AccessDeniedException), errorAction document")
def _lambda_source_arn_other_rule(_arg):
    lam = client("b", "lambda")
    lam.remove_permission(FunctionName=sb.FUNCTION, StatementId=pv.LAMBDA_PERMISSION_SID)
    lam.add_permission(**pv.lambda_permission_kwargs("example_rule"))
    return {"function": sb.FUNCTION, "source_arn": sb.rule_arn("example_rule")}


@breakage("lambda-wrong-account-arn", route="lambda", enforced=False, companion=True,
          summary="lambda_rule's functionArn names account 111111111111 (walkthrough mistake)",
          observed="companion: ResourceNotFoundException: Function not found: <arn in A> -> LambdaAction Failure, errorAction document")
def _lambda_wrong_account_arn(_arg):
    _replace_rule("lambda_rule", pv.rule_payload("lambda_rule", function_account=ACCOUNT_A))
    return {"rule": "lambda_rule", "functionArn": sb.function_arn(ACCOUNT_A)}


@breakage("lambda-silent-function", route="lambda", enforced=False, companion=True,
          summary="example-function's code returns without logging anything",
          observed="companion invokes it (no failure, no errorAction); /aws/lambda/example-function gets START/END/REPORT but no event line")
def _lambda_silent_function(_arg):
    lam = client("b", "lambda")
    lam.update_function_code(FunctionName=sb.FUNCTION, ZipFile=pv.lambda_zip(pv.LAMBDA_CODE_SILENT))
    pv.wait_function_active(lam)
    return {"function": sb.FUNCTION, "code": "silent"}


# ------------------------------------------------------------------ IAM

@breakage("role-trust-missing-iot", route="all", enforced=False,
          summary="my-iot-role's trust policy names lambda.amazonaws.com instead of iot.amazonaws.com",
          observed="sqs/sns still deliver; AssumeRole with A root keys also ignores trust, so only a static check sees it")
def _role_trust_missing_iot(_arg):
    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    client("a", "iam").update_assume_role_policy(RoleName=sb.ROLE_NAME, PolicyDocument=json.dumps(doc))
    return {"role": sb.ROLE_NAME, "trusted_service": "lambda.amazonaws.com"}
