"""The rules companion's actions: what AWS IoT does for a rule action ministack skips.

Everything here talks to the sandbox through its public API (boto3 over HTTP
to the ministack gateway), as the AWS IoT rules engine would talk to AWS:
  * S3 action: render bucket/key templates, AssumeRole into the action's
    roleArn (as A's root, which ministack lets past the trust policy) and
    PutObject with those credentials, so ministack (AUTH=true) judges the
    role's identity policy, B's bucket policy and Block Public Access.
  * Lambda action naming a function ministack does not invoke (another
    account, or not found): look the function up, evaluate its resource
    policy for iot.amazonaws.com + the rule's SourceArn/SourceAccount
    (policy.py), then Invoke it (InvocationType Event) in its own account.
  * Failures: an AWSIotLogsV2 RuleExecution entry in the rule's account and
    the errorAction document (AWS's shape, same trace id).

No ministack internals are used here (hook.py is the only glue), so the
module could equally run beside a real rules engine.
"""
from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from . import policy as lambda_policy
from . import templates as tpl

LOG_GROUP = "AWSIotLogsV2"
_log = logging.getLogger("xprobe.companion")


@dataclass
class Message:
    """One (rule, message) pair as the rules engine evaluates it."""
    account_id: str
    region: str
    rule_name: str
    published_topic: str          # as published (Basic Ingest: `$aws/rules/<rule>/...`)
    topic: str                    # what topic() sees
    payload: bytes
    event: Any                    # the SELECT output
    select_star: bool             # bare `SELECT *`: the output is the payload itself
    client_id: Optional[str]
    principal: Optional[str]
    trace_id: str
    source_ip: str = "127.0.0.1"
    timestamp_ms: int = field(default_factory=lambda: int(time.time() * 1000))

    @property
    def rule_arn(self) -> str:
        return f"arn:aws:iot:{self.region}:{self.account_id}:rule/{self.rule_name}"

    def template_context(self) -> tpl.Context:
        return tpl.Context.live(self.topic, tpl.decode_payload(self.payload), self.client_id,
                                self.timestamp_ms, self.trace_id, self.principal)

    def body(self) -> bytes:
        if self.select_star:
            return self.payload
        if isinstance(self.event, str):
            return self.event.encode("utf-8")
        return json.dumps(self.event, separators=(",", ":")).encode("utf-8")


@dataclass
class Failure:
    action: str          # failedAction / ruleAction: "S3Action", "LambdaAction", ...
    resource: str        # failedResource
    resources: dict      # the log entry's `resources`
    details: str         # the log entry's `details` (AWS-shaped)
    error_message: str   # the errorAction document's errorMessage


ACTION_NAMES = {"s3": "S3Action", "lambda": "LambdaAction", "sqs": "SqsAction", "sns": "SnsAction",
                "dynamoDBv2": "DynamoDBv2Action", "dynamoDB": "DynamoAction", "republish": "RepublishAction",
                "cloudwatchLogs": "CloudwatchLogsAction"}


def action_name(action_type: str) -> str:
    return ACTION_NAMES.get(action_type) or (action_type[:1].upper() + action_type[1:] + "Action")


def parse_lambda_arn(arn: str) -> Optional[dict]:
    """arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] -> parts, else None."""
    parts = arn.split(":")
    if len(parts) not in (7, 8) or parts[:3] != ["arn", "aws", "lambda"] or parts[5] != "function":
        return None
    return {"region": parts[3], "account": parts[4], "name": parts[6],
            "qualifier": parts[7] if len(parts) == 8 else None}


def _iso_ms(epoch_ms: int) -> str:
    dt = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%d %H:%M:%S.") + f"{epoch_ms % 1000:03d}"


class _AwsError(Exception):
    def __init__(self, code: str, message: str, status: int, request_id: str = "", extended_id: str = ""):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status
        self.request_id = request_id or str(uuid.uuid4())
        self.extended_id = extended_id


def _from_client_error(e) -> _AwsError:
    resp = getattr(e, "response", {}) or {}
    err = resp.get("Error", {}) or {}
    meta = resp.get("ResponseMetadata", {}) or {}
    headers = meta.get("HTTPHeaders", {}) or {}
    return _AwsError(err.get("Code", "Unknown"), err.get("Message", str(e)), int(meta.get("HTTPStatusCode", 0) or 0),
                     headers.get("x-amz-request-id") or meta.get("RequestId", ""), headers.get("x-amz-id-2", ""))


class Engine:
    """Runs companion-handled actions and records failures. Thread-safe; every call blocks."""

    ASSUMED_TTL = 300.0   # seconds an assumed-role session is reused (AWS IoT caches them too)

    def __init__(self, endpoint: str, secret: str = "test",
                 bucket_owner: Optional[Callable[[str], Optional[str]]] = None):
        import boto3
        from botocore.config import Config

        self.endpoint = endpoint
        self.secret = secret
        self.bucket_owner = bucket_owner
        self._session = boto3.session.Session()
        self._config = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30)
        self._lock = threading.Lock()
        self._clients: dict = {}
        self._assumed: dict = {}     # role_arn -> (expires_monotonic, s3 client)
        self._streams: dict = {}     # (account, region) -> log stream name

    # ------------------------------------------------------------ clients

    def client(self, account: str, service: str, region: str):
        """A client with the account's root keys (ministack: access key id = account id)."""
        key = (account, service, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._session.client(
                    service, region_name=region, endpoint_url=self.endpoint, config=self._config,
                    aws_access_key_id=account, aws_secret_access_key=self.secret)
            return self._clients[key]

    def _role_s3(self, account: str, region: str, role_arn: str, fresh: bool = False):
        now = time.monotonic()
        with self._lock:
            cached = self._assumed.get(role_arn)
        if cached and not fresh and cached[0] > now:
            return cached[1]
        sts = self.client(account, "sts", region)
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=uuid.uuid4().hex[:8])["Credentials"]
        with self._lock:
            s3 = self._session.client(
                "s3", region_name=region, endpoint_url=self.endpoint, config=self._config,
                aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"])
            self._assumed[role_arn] = (now + self.ASSUMED_TTL, s3)
        return s3

    # ------------------------------------------------------------ S3

    def run_s3(self, msg: Message, spec: dict, body: Optional[bytes] = None) -> Optional[Failure]:
        from botocore.exceptions import ClientError, ParamValidationError

        ctx = msg.template_context()
        try:
            bucket = tpl.render_live(spec.get("bucketName") or "", ctx)
            key = tpl.render_live(spec.get("key") or "", ctx)
        except tpl.TemplateError as e:
            return self._s3_failure(msg, spec.get("bucketName") or "", spec.get("key") or "",
                                    _AwsError("InvalidTemplate", str(e), 400))
        canned = spec.get("cannedAcl")
        role_arn = spec.get("roleArn") or ""
        data = body if body is not None else msg.body()
        try:
            self._check_acl_allowed(bucket, canned, msg.region)
            kwargs = {"Bucket": bucket, "Key": key, "Body": data}
            if canned:
                kwargs["ACL"] = canned
            for attempt in (0, 1):
                s3 = self._role_s3(msg.account_id, msg.region, role_arn, fresh=attempt == 1)
                try:
                    s3.put_object(**kwargs)
                    break
                except ClientError as e:
                    code = e.response.get("Error", {}).get("Code", "")
                    if attempt == 0 and code in ("InvalidClientTokenId", "ExpiredToken", "InvalidAccessKeyId",
                                                 "InvalidToken", "UnrecognizedClientException"):
                        continue   # the cached session is gone (e.g. after a sandbox reset)
                    raise
        except ClientError as e:
            err = _from_client_error(e)
            owner = self.bucket_owner(bucket) if self.bucket_owner else None
            if err.code == "AccessDenied" and owner and owner != msg.account_id:
                # Cross-account callers get S3's generic text on AWS (no policy named).
                _log.warning("companion: %s s3 PutObject s3://%s/%s denied: %s", msg.rule_name, bucket, key, err.message)
                err.message = "Access Denied"
            return self._s3_failure(msg, bucket, key, err)
        except _AwsError as err:
            return self._s3_failure(msg, bucket, key, err)
        except ParamValidationError as e:
            return self._s3_failure(msg, bucket, key, _AwsError("InvalidRequest", str(e).replace("\n", " "), 400))
        _log.info("companion: rule %s s3 -> s3://%s/%s (%d bytes, role %s%s)", msg.rule_name, bucket, key,
                  len(data), role_arn, f", acl {canned}" if canned else "")
        return None

    def _check_acl_allowed(self, bucket: str, canned: Optional[str], region: str) -> None:
        """BucketOwnerEnforced refuses every canned ACL but bucket-owner-full-control."""
        from botocore.exceptions import ClientError

        if not canned or canned == "bucket-owner-full-control" or not self.bucket_owner:
            return
        owner = self.bucket_owner(bucket)
        if not owner:
            return   # no such bucket: PutObject reports NoSuchBucket
        try:
            rules = self.client(owner, "s3", region).get_bucket_ownership_controls(
                Bucket=bucket)["OwnershipControls"]["Rules"]
            enforced = any(r.get("ObjectOwnership") == "BucketOwnerEnforced" for r in rules)
        except ClientError:
            enforced = False   # no ownership controls: ACLs are enabled
        if enforced:
            raise _AwsError("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)

    def _s3_failure(self, msg: Message, bucket: str, key: str, err: _AwsError) -> Failure:
        ext = f"; S3 Extended Request ID: {err.extended_id}" if err.extended_id else ""
        details = (f"Failed to put S3 object. The error received was {err.message} (Service: Amazon S3; "
                   f"Status Code: {err.status}; Error Code: {err.code}; Request ID: {err.request_id}{ext}). "
                   f"Message arrived on: {msg.published_topic}, Action: s3, Bucket: {bucket}, Key: {key}")
        _log.warning("companion: rule %s s3 action failed: %s", msg.rule_name, details)
        return Failure("S3Action", bucket, {"BucketName": bucket, "Key": key}, details, details)

    # ------------------------------------------------------------ Lambda

    def run_lambda(self, msg: Message, spec: dict, event: Any = None) -> Optional[Failure]:
        from botocore.exceptions import ClientError

        arn = spec.get("functionArn") or ""
        parts = parse_lambda_arn(arn) or {"region": msg.region, "account": msg.account_id,
                                          "name": arn, "qualifier": None}
        lam = self.client(parts["account"], "lambda", parts["region"])
        try:
            try:
                lam.get_function(FunctionName=arn)
            except ClientError as e:
                err = _from_client_error(e)
                if err.code == "ResourceNotFoundException":
                    err.message = f"Function not found: {arn}"
                raise err
            try:
                doc = lam.get_policy(FunctionName=arn)["Policy"]
            except ClientError as e:
                if _from_client_error(e).code != "ResourceNotFoundException":
                    raise _from_client_error(e)
                doc = None
            decision = lambda_policy.iot_may_invoke(doc, arn, msg.rule_arn, msg.account_id)
            if not decision.allowed:
                _log.warning("companion: rule %s may not invoke %s: %s", msg.rule_name, arn, decision.reason)
                raise _AwsError("AccessDeniedException",
                                f"User: iot.amazonaws.com is not authorized to perform: lambda:InvokeFunction "
                                f"on resource: {arn} because no resource-based policy allows the "
                                f"lambda:InvokeFunction action", 403)
            payload = event if event is not None else msg.event
            try:
                lam.invoke(FunctionName=arn, InvocationType="Event",
                           Payload=json.dumps(payload).encode("utf-8"))
            except ClientError as e:
                raise _from_client_error(e)
        except _AwsError as err:
            details = (f"Failed to invoke lambda function. The error received was {err.code}: {err.message} "
                       f"(Service: AWSLambda; Status Code: {err.status}; Error Code: {err.code}; "
                       f"Request ID: {err.request_id}). Message arrived on: {msg.published_topic}, "
                       f"Action: lambda, Function: {arn}")
            _log.warning("companion: rule %s lambda action failed: %s", msg.rule_name, details)
            return Failure("LambdaAction", arn, {"FunctionArn": arn}, details, details)
        _log.info("companion: rule %s lambda -> %s (async invoke in %s, %s)", msg.rule_name, arn,
                  parts["account"], decision.reason)
        return None

    # ------------------------------------------------------------ failures reported by ministack

    def failure_from_ministack(self, msg: Message, action: dict, exc: BaseException) -> Failure:
        """A failed sqs/sns/... action ministack ran: log details shaped like AWS's, errorMessage as ministack writes it."""
        import re

        atype = next(iter(action), "?")
        spec = action.get(atype) or {}
        text = str(exc)
        if atype == "sqs":
            url = spec.get("queueUrl", "")
            m = re.search(r"failed: ([A-Za-z.]+): (.*)$", text, re.S)
            code, message = (m.group(1), m.group(2)) if m else ("InternalFailure", text)
            status = 403 if "AccessDenied" in code else 400
            details = (f"Failed to send message to SQS. The error received was {message} (Service: AmazonSQS; "
                       f"Status Code: {status}; Error Code: {code}; Request ID: {uuid.uuid4()}). "
                       f"Message arrived on: {msg.published_topic}, Action: sqs, Queue: {url}")
            resource, resources = url, {"QueueUrl": url}
        elif atype == "sns":
            arn = spec.get("targetArn", "")
            code, message, status = ("NotFound", "Topic does not exist", 404) if "not found" in text else \
                ("InternalFailure", text, 500)
            details = (f"Failed to publish to SNS. The error received was {message} (Service: AmazonSNS; "
                       f"Status Code: {status}; Error Code: {code}; Request ID: {uuid.uuid4()}). "
                       f"Message arrived on: {msg.published_topic}, Action: sns, Target Arn: {arn}")
            resource, resources = arn, {"TargetArn": arn}
        else:
            resource = next((v for v in spec.values() if isinstance(v, str)), "") if isinstance(spec, dict) else ""
            details = (f"Failed to execute {atype} action. The error received was {text}. "
                       f"Message arrived on: {msg.published_topic}, Action: {atype}")
            resources = {}
        return Failure(action_name(atype), resource, resources, details, f"{type(exc).__name__}: {exc}")

    # ------------------------------------------------------------ AWSIotLogsV2

    def log_entry(self, msg: Message, failure: Failure) -> dict:
        return {
            "timestamp": _iso_ms(int(time.time() * 1000)),
            "logLevel": "ERROR",
            "traceId": msg.trace_id,
            "accountId": msg.account_id,
            "status": "Failure",
            "eventType": "RuleExecution",
            "clientId": msg.client_id or "N/A",
            "topicName": msg.published_topic,
            "ruleName": msg.rule_name,
            "ruleAction": failure.action,
            "resources": failure.resources,
            "principalId": msg.principal or msg.account_id,
            "details": failure.details,
        }

    def rule_not_found_entry(self, account_id: str, rule_name: str, topic: str, client_id: Optional[str],
                             principal: Optional[str], trace_id: str) -> dict:
        return {
            "timestamp": _iso_ms(int(time.time() * 1000)),
            "logLevel": "ERROR",
            "traceId": trace_id,
            "accountId": account_id,
            "status": "Failure",
            "eventType": "RuleNotFound",
            "clientId": client_id or "N/A",
            "topicName": topic,
            "ruleName": rule_name,
            "principalId": principal or account_id,
            "details": f"Rule {rule_name} not found",
        }

    def write_log(self, account_id: str, region: str, entries: list[dict]) -> None:
        """Append entries to the account's AWSIotLogsV2 group (group and a `<uuid>` stream made as needed)."""
        from botocore.exceptions import ClientError

        if not entries:
            return
        logs = self.client(account_id, "logs", region)
        now = int(time.time() * 1000)
        events = [{"timestamp": now, "message": json.dumps(e)} for e in entries]
        for attempt in (0, 1):
            stream = self._streams.get((account_id, region))
            try:
                if stream is None:
                    raise _NeedStream()
                logs.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream, logEvents=events)
                return
            except (_NeedStream, ClientError) as e:
                if isinstance(e, ClientError) and e.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                    raise
                if attempt:
                    raise
                self._make_stream(logs, account_id, region)

    def _make_stream(self, logs, account_id: str, region: str) -> None:
        from botocore.exceptions import ClientError

        for call, kw in ((logs.create_log_group, {"logGroupName": LOG_GROUP}),
                         (logs.create_log_stream, {"logGroupName": LOG_GROUP, "logStreamName": str(uuid.uuid4())})):
            try:
                call(**kw)
            except ClientError as e:
                if e.response.get("Error", {}).get("Code") != "ResourceAlreadyExistsException":
                    raise
            if "logStreamName" in kw:
                self._streams[(account_id, region)] = kw["logStreamName"]

    # ------------------------------------------------------------ errorAction document

    @staticmethod
    def error_document(msg: Message, failures: list[Failure]) -> dict:
        return {
            "ruleName": msg.rule_name,
            "topic": msg.published_topic,
            "cloudwatchTraceId": msg.trace_id,
            "clientId": msg.client_id or "N/A",
            "sourceIp": msg.source_ip,
            "base64OriginalPayload": base64.b64encode(msg.payload).decode("ascii"),
            "failures": [{"failedAction": f.action, "failedResource": f.resource, "errorMessage": f.error_message}
                         for f in failures],
        }


class _NeedStream(Exception):
    pass
