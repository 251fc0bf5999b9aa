"""Load the rules companion into ministack 1.5.33 (called by ministack_launch.py).

The seam: ministack's rules engine runs every (rule, message) pair through
`ministack.services.iot._run_rule_actions(account, region, rule, payload,
topic, client_id)` - for topic-filter matches (`_evaluate_topic_rules`) and
for Basic Ingest (`broker_publish` on `$aws/rules/<rule>/...`) alike; MQTT,
mTLS, WebSocket and iot-data HTTP publishes all end up there. ministack has no
plugin or event hook, so install() replaces that module attribute (looked up
at call time by its callers) with run_rule_actions() below, which keeps
ministack's own SELECT projection and WHERE evaluation and then, per action:

  * `s3`, and `lambda` naming another account or a function ministack cannot
    find: handled by engine.Engine (the companion proper);
  * anything else: ministack's `_dispatch_rule_action`, unchanged.

Every failure (companion's or ministack's) is written to the rule account's
AWSIotLogsV2 log group and collected into one errorAction document (AWS's
shape, cloudwatchTraceId = the log traceId = traceid()). `broker_publish` is
wrapped only to remember the topic as published (Basic Ingest prefix included),
and a Basic Ingest publish to a missing rule gets a RuleNotFound log entry.

The blocking API calls of the companion run in a worker thread
(asyncio.to_thread), so ministack's event loop keeps serving them.
"""
from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os
import time
from pathlib import Path

from . import engine as eng
from . import templates as tpl

_log = logging.getLogger("xprobe.companion")

# ministack names this module relies on; install() refuses to run if any is missing.
_REQUIRED = ("_run_rule_actions", "_dispatch_rule_action", "broker_publish", "_rule_message", "_rule_event",
             "_rule_where_clause", "_eval_where", "_MISSING", "_rule_message_identity", "_publish_source_ip",
             "_topic_rules")

_published_topic: contextvars.ContextVar = contextvars.ContextVar("xprobe_companion_topic", default=None)

_state: dict = {}


class HookError(RuntimeError):
    pass


def _ministack_can_find_function(account_id: str, region: str, arn: str) -> bool:
    from ministack.services import lambda_svc

    try:
        func, config, _ = lambda_svc._get_func_record_for_ref_in_scope(arn, account_id=account_id, region=region)
    except Exception:
        return False
    return bool(func and config)


def claims(account_id: str, region: str, action: dict) -> str | None:
    """'s3' / 'lambda' when the companion runs this action instead of ministack, else None."""
    if not isinstance(action, dict):
        return None
    if isinstance(action.get("s3"), dict):
        return "s3"
    lam = action.get("lambda")
    if isinstance(lam, dict) and lam.get("functionArn"):
        arn = lam["functionArn"]
        parts = eng.parse_lambda_arn(arn)
        if parts and (parts["account"] != account_id or parts["region"] != region):
            return "lambda"      # ministack: "function not found" warning, nothing else
        if not _ministack_can_find_function(account_id, region, arn):
            return "lambda"      # ministack: the same silent no-op; AWS: ResourceNotFoundException
    return None


def _run_companion(kind: str, msg: eng.Message, action: dict, event=None, body: bytes | None = None):
    engine: eng.Engine = _state["engine"]
    if kind == "s3":
        return engine.run_s3(msg, action["s3"], body=body)
    return engine.run_lambda(msg, action["lambda"], event=event)


async def run_rule_actions(account_id, region, rule, payload, topic="", client_id=None):
    iot = _state["iot"]
    published = _published_topic.get() or topic
    principal, trace_id = iot._rule_message_identity.get()
    if not rule:
        bi_rule, _ = tpl.split_basic_ingest(published)
        if bi_rule is not None:
            entry = _state["engine"].rule_not_found_entry(account_id, bi_rule, published, client_id, principal,
                                                          trace_id)
            await _to_thread_logged(_state["engine"].write_log, account_id, region, [entry])
        return
    if rule.get("ruleDisabled"):
        return
    payload = payload or b""
    # As ministack's own _run_rule_actions: decode once, project, then WHERE.
    message = iot._rule_message(payload)
    event = iot._rule_event(rule.get("sql", ""), topic, payload, client_id, message=message)
    if event is iot._MISSING:
        _log.warning("IoT rule %s: payload is not valid UTF-8 and its SELECT clause projects no attributes "
                     "- no action dispatched", rule.get("ruleName"))
        return
    where_pred = iot._rule_where_clause(rule.get("sql", ""))
    if where_pred and not iot._eval_where(where_pred, topic, payload, message, client_id):
        return
    rule_name = rule.get("ruleName", "")
    msg = eng.Message(account_id=account_id, region=region, rule_name=rule_name, published_topic=published,
                      topic=topic, payload=payload, event=event, select_star=event is message,
                      client_id=client_id, principal=principal, trace_id=trace_id,
                      source_ip=iot._publish_source_ip.get())
    engine: eng.Engine = _state["engine"]
    failures: list[eng.Failure] = []
    for action in rule.get("actions", []) or []:
        kind = claims(account_id, region, action)
        if kind:
            try:
                failure = await asyncio.to_thread(_run_companion, kind, msg, action)
            except Exception as exc:   # a bug or the gateway being down: still report it as AWS would
                _log.exception("companion: rule %s %s action crashed", rule_name, kind)
                failure = engine.failure_from_ministack(msg, action, exc)
            if failure:
                failures.append(failure)
            continue
        try:
            await iot._dispatch_rule_action(account_id, region, rule_name, action, event)
        except Exception as exc:
            _log.warning("IoT rule %s: %s action failed: %s: %s", rule_name, next(iter(action), "?"),
                         type(exc).__name__, exc)
            failures.append(engine.failure_from_ministack(msg, action, exc))
    if not failures:
        return
    await _to_thread_logged(engine.write_log, account_id, region, [engine.log_entry(msg, f) for f in failures])
    error_action = rule.get("errorAction")
    if not error_action:
        return
    doc = engine.error_document(msg, failures)
    kind = claims(account_id, region, error_action)
    try:
        if kind:
            failure = await asyncio.to_thread(_run_companion, kind, msg, error_action, doc,
                                              json.dumps(doc).encode("utf-8"))
            if failure:
                _log.warning("IoT rule %s: errorAction failed: %s", rule_name, failure.details)
        else:
            await iot._dispatch_rule_action(account_id, region, rule_name, error_action, doc)
    except Exception as exc:
        _log.warning("IoT rule %s: errorAction failed: %s: %s", rule_name, type(exc).__name__, exc)


async def _to_thread_logged(fn, *args):
    try:
        await asyncio.to_thread(fn, *args)
    except Exception:
        _log.exception("companion: %s failed", getattr(fn, "__name__", fn))


def install(endpoint: str | None = None, state_dir: str | None = None) -> dict:
    """Patch ministack's rules engine. Returns (and writes to <state>/companion.json) what was installed."""
    from ministack.services import iot, s3 as s3svc

    missing = [n for n in _REQUIRED if not hasattr(iot, n)]
    if missing or not hasattr(s3svc, "_bucket_owner_account"):
        raise HookError(f"ministack.services.iot lacks {missing or ['s3._bucket_owner_account']}: "
                        "this ministack version is not the one the companion was written for (1.5.33)")
    endpoint = endpoint or f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '4566')}"
    _state["iot"] = iot
    _state["engine"] = eng.Engine(endpoint, bucket_owner=s3svc._bucket_owner_account)

    original_publish = iot.broker_publish

    async def broker_publish(account_id, region, topic, *args, **kwargs):
        token = _published_topic.set(topic)
        try:
            return await original_publish(account_id, region, topic, *args, **kwargs)
        finally:
            _published_topic.reset(token)

    broker_publish.__wrapped__ = original_publish
    iot.broker_publish = broker_publish
    iot._run_rule_actions = run_rule_actions

    try:
        from importlib.metadata import version
        ms_version = version("ministack")
    except Exception:
        ms_version = "unknown"
    status = {"installed": True, "pid": os.getpid(), "ministack": ms_version, "endpoint": endpoint,
              "seam": "ministack.services.iot._run_rule_actions (replaced), broker_publish (wrapped)",
              "handles": ["s3 actions", "lambda actions naming another account/region or a missing function",
                          "AWSIotLogsV2 RuleExecution Failure entries (all actions)",
                          "RuleNotFound entries (Basic Ingest)", "errorAction documents"],
              "installed_at": time.time()}
    if state_dir:
        path = Path(state_dir) / "companion.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(status, indent=2) + "\n")
        os.replace(tmp, path)
    _log.info("xprobe rules companion installed (%s)", status["seam"])
    return status
