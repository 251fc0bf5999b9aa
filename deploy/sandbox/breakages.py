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


# ------------------------------------------------------------------ static-only breakages
#
# The breakages below are for `xprobe diagnose` (tests/diagnose_scenarios.rs).
# Most change state that neither ministack nor the companion acts on (KMS,
# SQS FIFO, S3/Lambda regions, topic policies, the rule role for sqs/sns): a
# publish still delivers, and only the static analysis sees them. Some point a
# rule at a new resource; the route must then name it too (the test writes a
# config for those).

OTHER_QUEUE = "OtherQueue"
FIFO_QUEUE = "ExampleQueue.fifo"
FIFO_TOPIC = "ExampleTopic.fifo"
OTHER_REGION = "us-west-2"
WEST_TOPIC = "ExampleTopic"          # same name, in OTHER_REGION
BOUNDARY_POLICY = "xprobe-s3-only-boundary"
DENY_POLICY = "deny-sqs-send"
EXTRA_SEND_POLICY = "xprobe-extra-destination"


def _regional(account: str, service: str, region: str):
    """A boto3 client like sandboxlib.client, in another region."""
    import boto3

    return boto3.client(service, region_name=region, endpoint_url=sb.endpoint(),
                        aws_access_key_id=sb.ACCOUNTS[account], aws_secret_access_key=sb.SECRET)


def _aws_queue_url(name: str) -> str:
    return f"https://sqs.{sb.REGION}.amazonaws.com/{sb.ACCOUNT_B}/{name}"


def _sqs_rule_to(queue_url: str) -> dict:
    payload = pv.rule_payload("sqs_rule")
    payload["actions"][0]["sqs"]["queueUrl"] = queue_url
    _replace_rule("sqs_rule", payload)
    return payload["actions"][0]


def _sns_rule_to(topic_arn: str) -> dict:
    payload = pv.rule_payload("sns_rule")
    payload["actions"][0]["sns"]["targetArn"] = topic_arn
    _replace_rule("sns_rule", payload)
    return payload["actions"][0]


def _role_may(action: str, resource: str) -> None:
    """An extra inline policy on my-iot-role, so only the breakage under test is wrong."""
    client("a", "iam").put_role_policy(RoleName=sb.ROLE_NAME, PolicyName=EXTRA_SEND_POLICY, PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}))


def _key_for_b_only(purpose: str) -> str:
    """A customer managed key in B whose policy lets only B's root use it (nothing for A's role)."""
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "EnableIAMUserPermissions", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{sb.ACCOUNT_B}:root"}, "Action": "kms:*", "Resource": "*"}]}
    meta = client("b", "kms").create_key(Policy=json.dumps(policy), Description=f"xprobe sandbox: {purpose}")
    return meta["KeyMetadata"]["Arn"]


@breakage("rule-action-other-queue", route="sqs", enforced=False,
          summary=f"sqs_rule's action sends to B's {OTHER_QUEUE} instead of ExampleQueue",
          observed=f"messages go to {OTHER_QUEUE} (no failure); nothing in ExampleQueue")
def _rule_action_other_queue(_arg):
    sqs = client("b", "sqs")
    url = sqs.create_queue(QueueName=OTHER_QUEUE)["QueueUrl"]
    sqs.add_permission(QueueUrl=url, Label="SendMessagesToMyQueue", AWSAccountIds=[ACCOUNT_A], Actions=["SendMessage"])
    return {"rule": "sqs_rule", "action": _sqs_rule_to(_aws_queue_url(OTHER_QUEUE))}


@breakage("rule-no-error-action", route="sqs", enforced=False,
          summary="sqs_rule has no errorAction",
          observed="deliveries unchanged; a failure would leave no errorAction document")
def _rule_no_error_action(_arg):
    payload = pv.rule_payload("sqs_rule")
    del payload["errorAction"]
    _replace_rule("sqs_rule", payload)
    return {"rule": "sqs_rule", "errorAction": None}


@breakage("role-deleted", route="all", enforced=False, companion=True,
          summary="my-iot-role is deleted (policies detached first); the rules still name it",
          observed="sqs/sns/lambda still deliver (ministack ignores the rule role); companion: s3 PutObject Access Denied")
def _role_deleted(_arg):
    iam = client("a", "iam")
    for p in iam.list_attached_role_policies(RoleName=sb.ROLE_NAME)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=sb.ROLE_NAME, PolicyArn=p["PolicyArn"])
    for name in iam.list_role_policies(RoleName=sb.ROLE_NAME)["PolicyNames"]:
        iam.delete_role_policy(RoleName=sb.ROLE_NAME, PolicyName=name)
    iam.delete_role(RoleName=sb.ROLE_NAME)
    return {"deleted_role": sb.role_arn()}


@breakage("role-trust-source-account-mismatch", route="all", enforced=False, companion=True,
          summary=f"my-iot-role trusts iot.amazonaws.com only with aws:SourceAccount = {OTHER_ACCOUNT}",
          observed="sqs/sns/lambda still deliver; companion: AssumeRole fails the condition -> s3 PutObject Access Denied")
def _role_trust_source_account_mismatch(_arg):
    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "iot.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": OTHER_ACCOUNT}}}]}
    client("a", "iam").update_assume_role_policy(RoleName=sb.ROLE_NAME, PolicyDocument=json.dumps(doc))
    return {"role": sb.ROLE_NAME, "trust": doc}


@breakage("role-policy-detached", route="all", enforced=False, companion=True,
          summary="my-iot-policy is detached from my-iot-role (only inline iot-rule-errors-send is left)",
          observed="sqs/sns still deliver (ministack ignores the rule role); companion: s3 PutObject Access Denied")
def _role_policy_detached(_arg):
    client("a", "iam").detach_role_policy(RoleName=sb.ROLE_NAME, PolicyArn=sb.policy_arn())
    return {"role": sb.ROLE_NAME, "detached": sb.policy_arn()}


@breakage("role-explicit-deny-sqs", route="sqs", enforced=False,
          summary=f"my-iot-role gets inline {DENY_POLICY}: Deny sqs:SendMessage on *",
          observed="sqs still delivers (ministack ignores the rule role); only a static check sees it")
def _role_explicit_deny_sqs(_arg):
    doc = {"Version": "2012-10-17", "Statement": [{
        "Sid": "DenySend", "Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "*"}]}
    client("a", "iam").put_role_policy(RoleName=sb.ROLE_NAME, PolicyName=DENY_POLICY, PolicyDocument=json.dumps(doc))
    return {"role": sb.ROLE_NAME, "inline_policy": DENY_POLICY, "document": doc}


@breakage("role-boundary-s3-only", route="all", enforced=False,
          summary=f"my-iot-role gets permissions boundary {BOUNDARY_POLICY} (Allow s3:* only)",
          observed="sqs/sns still deliver (ministack ignores the rule role); only a static check sees it")
def _role_boundary_s3_only(_arg):
    iam = client("a", "iam")
    arn = iam.create_policy(PolicyName=BOUNDARY_POLICY, PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName=sb.ROLE_NAME, PermissionsBoundary=arn)
    return {"role": sb.ROLE_NAME, "boundary": arn}


@breakage("sqs-fifo-queue", route="sqs", enforced=False,
          summary=f"sqs_rule sends to a FIFO queue {FIFO_QUEUE} in B (queue policy and role allow it)",
          observed=f"ministack neither delivers to {FIFO_QUEUE} nor reports a failure; the route must name the queue")
def _sqs_fifo_queue(_arg):
    sqs = client("b", "sqs")
    url = sqs.create_queue(QueueName=FIFO_QUEUE, Attributes={"FifoQueue": "true"})["QueueUrl"]
    sqs.add_permission(QueueUrl=url, Label="SendMessagesToMyQueue", AWSAccountIds=[ACCOUNT_A], Actions=["SendMessage"])
    _role_may("sqs:SendMessage", sb.queue_arn(sb.ACCOUNT_B, FIFO_QUEUE))
    return {"queue_url": _aws_queue_url(FIFO_QUEUE), "rule": "sqs_rule",
            "action": _sqs_rule_to(_aws_queue_url(FIFO_QUEUE))}


@breakage("sqs-kms-aws-managed-key", route="sqs", enforced=False,
          summary="ExampleQueue is encrypted with KmsMasterKeyId=alias/aws/sqs",
          observed="ministack delivers (no KMS); on AWS the role in A cannot use B's aws/sqs key")
def _sqs_kms_aws_managed_key(_arg):
    url = sb.queue_url("b", sb.QUEUE)
    client("b", "sqs").set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    return {"queue_url": url, "KmsMasterKeyId": "alias/aws/sqs"}


@breakage("sqs-kms-key-b-only", route="sqs", enforced=False,
          summary="ExampleQueue is encrypted with a customer key in B whose policy allows only B's root",
          observed="ministack delivers (no KMS); on AWS the role in A gets KMS.AccessDeniedException")
def _sqs_kms_key_b_only(_arg):
    url = sb.queue_url("b", sb.QUEUE)
    key = _key_for_b_only("ExampleQueue")
    client("b", "sqs").set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": key})
    return {"queue_url": url, "KmsMasterKeyId": key}


@breakage("sns-policy-owner-only", route="sns", enforced=False,
          summary="ExampleTopic's policy allows only B's own account (the Publish permission for A is gone)",
          observed="ministack ignores topic policies for rule actions: still delivered; only a static check sees it")
def _sns_policy_owner_only(_arg):
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "OwnerOnly", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{sb.ACCOUNT_B}:root"},
        "Action": "sns:Publish", "Resource": sb.topic_arn()}]}
    client("b", "sns").set_topic_attributes(TopicArn=sb.topic_arn(), AttributeName="Policy",
                                            AttributeValue=json.dumps(policy))
    return {"topic_arn": sb.topic_arn(), "policy": policy}


@breakage("sns-kms-aws-managed-key", route="sns", enforced=False,
          summary="ExampleTopic is encrypted with KmsMasterKeyId=alias/aws/sns",
          observed="ministack delivers (no KMS); on AWS the role in A cannot use B's aws/sns key")
def _sns_kms_aws_managed_key(_arg):
    client("b", "sns").set_topic_attributes(TopicArn=sb.topic_arn(), AttributeName="KmsMasterKeyId",
                                            AttributeValue="alias/aws/sns")
    return {"topic_arn": sb.topic_arn(), "KmsMasterKeyId": "alias/aws/sns"}


@breakage("sns-kms-key-b-only", route="sns", enforced=False,
          summary="ExampleTopic is encrypted with a customer key in B whose policy allows only B's root",
          observed="ministack delivers (no KMS); on AWS the role in A gets KMS.AccessDeniedException")
def _sns_kms_key_b_only(_arg):
    key = _key_for_b_only("ExampleTopic")
    client("b", "sns").set_topic_attributes(TopicArn=sb.topic_arn(), AttributeName="KmsMasterKeyId",
                                            AttributeValue=key)
    return {"topic_arn": sb.topic_arn(), "KmsMasterKeyId": key}


@breakage("sns-fifo-topic", route="sns", enforced=True,
          summary=f"sns_rule publishes to a FIFO topic {FIFO_TOPIC} in B (topic policy and role allow it)",
          observed="SnsAction failure (MessageGroupId is required for FIFO topics), errorAction document; "
                   "the route must name the FIFO topic")
def _sns_fifo_topic(_arg):
    sns = client("b", "sns")
    arn = sns.create_topic(Name=FIFO_TOPIC, Attributes={"FifoTopic": "true"})["TopicArn"]
    sns.add_permission(TopicArn=arn, Label="Publish-Permission", AWSAccountId=[ACCOUNT_A], ActionName=["Publish"])
    _role_may("sns:Publish", arn)
    return {"topic_arn": arn, "rule": "sns_rule", "action": _sns_rule_to(arn)}


@breakage("sns-topic-other-region", route="sns", enforced=True,
          summary=f"sns_rule publishes to {WEST_TOPIC} in {OTHER_REGION} (topic policy and role allow it)",
          observed="SnsAction failure (topic not found from the rule's region), errorAction document; "
                   f"the route must name the {OTHER_REGION} topic (and an account entry in {OTHER_REGION})")
def _sns_topic_other_region(_arg):
    sns = _regional("b", "sns", OTHER_REGION)
    arn = sns.create_topic(Name=WEST_TOPIC)["TopicArn"]
    sns.add_permission(TopicArn=arn, Label="Publish-Permission", AWSAccountId=[ACCOUNT_A], ActionName=["Publish"])
    _role_may("sns:Publish", arn)
    return {"topic_arn": arn, "rule": "sns_rule", "action": _sns_rule_to(arn)}


def _empty_and_delete_bucket(s3, bucket: str) -> list[str]:
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for o in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=o["Key"])
            keys.append(o["Key"])
    s3.delete_bucket(Bucket=bucket)
    return keys


@breakage("s3-bucket-deleted", route="s3", enforced=False, companion=True,
          summary="B's examplebucket is emptied and deleted",
          observed="companion: PutObject gets NoSuchBucket -> S3Action Failure, errorAction document")
def _s3_bucket_deleted(_arg):
    keys = _empty_and_delete_bucket(client("b", "s3"), sb.BUCKET)
    return {"deleted_bucket": sb.BUCKET, "deleted_objects": len(keys)}


@breakage("s3-kms-key-b-only", route="s3", enforced=False,
          summary="examplebucket's default encryption is aws:kms with a customer key in B that allows only B's root",
          observed="ministack stores the object (no KMS); on AWS the role in A cannot encrypt with the key")
def _s3_kms_key_b_only(_arg):
    key = _key_for_b_only("examplebucket")
    client("b", "s3").put_bucket_encryption(Bucket=sb.BUCKET, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]})
    return {"bucket": sb.BUCKET, "kms_key": key}


@breakage("s3-bucket-other-region", route="s3", enforced=False,
          summary=f"examplebucket is re-created in {OTHER_REGION} (same policy and Block Public Access)",
          observed="ministack's S3 is not regional for PutObject: still delivered; only a static check sees it")
def _s3_bucket_other_region(_arg):
    s3 = client("b", "s3")
    policy = s3.get_bucket_policy(Bucket=sb.BUCKET)["Policy"]
    pab = s3.get_public_access_block(Bucket=sb.BUCKET)["PublicAccessBlockConfiguration"]
    _empty_and_delete_bucket(s3, sb.BUCKET)
    west = _regional("b", "s3", OTHER_REGION)
    west.create_bucket(Bucket=sb.BUCKET, CreateBucketConfiguration={"LocationConstraint": OTHER_REGION})
    west.put_public_access_block(Bucket=sb.BUCKET, PublicAccessBlockConfiguration=pab)
    west.put_bucket_policy(Bucket=sb.BUCKET, Policy=policy)
    return {"bucket": sb.BUCKET, "region": west.get_bucket_location(Bucket=sb.BUCKET)["LocationConstraint"]}


@breakage("lambda-function-deleted", route="lambda", enforced=False, companion=True,
          summary="B's example-function is deleted",
          observed="companion: ResourceNotFoundException: Function not found -> LambdaAction Failure, errorAction document")
def _lambda_function_deleted(_arg):
    client("b", "lambda").delete_function(FunctionName=sb.FUNCTION)
    return {"deleted_function": sb.function_arn()}


@breakage("lambda-function-other-region", route="lambda", enforced=False,
          summary=f"lambda_rule invokes example-function in B's {OTHER_REGION} (its permission allows lambda_rule)",
          observed=f"the companion invokes it in {OTHER_REGION} (log lines there, not in us-east-1), no failure; "
                   f"the route must name the {OTHER_REGION} function (and an account entry in {OTHER_REGION})")
def _lambda_function_other_region(_arg):
    lam = _regional("b", "lambda", OTHER_REGION)
    exec_role = f"arn:aws:iam::{sb.ACCOUNT_B}:role/{sb.LAMBDA_EXEC_ROLE}"
    arn = lam.create_function(FunctionName=sb.FUNCTION, Runtime="python3.12", Role=exec_role,
                              Handler="index.handler", Code={"ZipFile": pv.lambda_zip(pv.LAMBDA_CODE_LOGGING)},
                              Timeout=10)["FunctionArn"]
    pv.wait_function_active(lam)
    lam.add_permission(**pv.lambda_permission_kwargs())
    payload = pv.rule_payload("lambda_rule")
    payload["actions"][0]["lambda"]["functionArn"] = arn
    _replace_rule("lambda_rule", payload)
    return {"function_arn": arn, "rule": "lambda_rule", "action": payload["actions"][0]}
