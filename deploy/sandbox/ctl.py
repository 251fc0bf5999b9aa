"""deploy/sandbox/ctl: drive the running sandbox the way an operator would (real API calls).

Prints JSON on stdout; exits non-zero with a one-line message on stderr on failure.
"""
from __future__ import annotations

import argparse
import base64
import fcntl
import json
import sys
import time
from contextlib import contextmanager

import sandboxlib as sb

QUEUE_OWNER = {sb.QUEUE: "b", sb.TAP_QUEUE: "b", sb.ERROR_QUEUE: "a"}


@contextmanager
def state_lock():
    sb.STATE.mkdir(parents=True, exist_ok=True)
    with open(sb.STATE / "lock", "w") as fh:
        deadline = time.monotonic() + 300
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sb.SandboxError(f"another sandbox command holds {sb.STATE / 'lock'}")
                time.sleep(0.1)
        yield


def owner(queue: str, account: str | None) -> str:
    return account or QUEUE_OWNER.get(queue, "b")


def peek(queue: str, account: str) -> list[dict]:
    sqs = sb.client(account, "sqs")
    url = sb.queue_url(account, queue)
    resp = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                               WaitTimeSeconds=0, AttributeNames=["All"])
    return [{"message_id": m["MessageId"], "body": m["Body"],
             "approximate_receive_count": int(m.get("Attributes", {}).get("ApproximateReceiveCount", 0))}
            for m in resp.get("Messages", [])]


# ------------------------------------------------------------------ subcommands

def cmd_reset(args) -> object:
    import provision
    with state_lock():
        t0 = time.monotonic()
        out = provision.provision(do_reset=True)
    out["reset_seconds"] = round(time.monotonic() - t0, 2)
    return out


def cmd_break(args) -> object:
    import breakages
    with state_lock():
        return breakages.apply(args.name)


def companion_status() -> dict | None:
    """companion.json as the running sandbox's rules companion wrote it, if it belongs to the running ministack."""
    try:
        status = json.loads((sb.STATE / "companion.json").read_text())
        pid = int((sb.STATE / "ministack.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return status if status.get("pid") == pid else None


def cmd_breakages(args) -> object:
    import breakages
    companion = companion_status() is not None
    out = []
    for n, b in zip(breakages.describe_names(), breakages.REGISTRY.values()):
        enforced_by = "ministack" if b.ministack_enforces else (
            "companion" if b.companion_enforces and companion else None)
        out.append({"name": n, "route": b.route, "summary": b.summary,
                    "ministack_enforces": b.ministack_enforces, "companion_enforces": b.companion_enforces,
                    "enforced": enforced_by is not None, "enforced_by": enforced_by,
                    "observed_on_ministack": b.observed})
    return out


def _logs_events(account: str, group: str, pattern: str | None = None) -> list[dict]:
    logs = sb.client(account, "logs")
    kwargs = {"logGroupName": group}
    if pattern:
        kwargs["filterPattern"] = pattern
    events, token = [], None
    try:
        while True:
            resp = logs.filter_log_events(**kwargs, **({"nextToken": token} if token else {}))
            events += resp.get("events", [])
            token = resp.get("nextToken")
            if not token:
                break
    except logs.exceptions.ResourceNotFoundException:
        return []   # no group yet: nothing was ever written
    return sorted(events, key=lambda e: (e.get("timestamp", 0), e.get("ingestionTime", 0)))


def cmd_logs(args) -> object:
    """A's AWSIotLogsV2 entries (rules-engine log, written by the companion), parsed."""
    out = []
    for e in _logs_events("a", "AWSIotLogsV2", args.filter):
        try:
            out.append(json.loads(e["message"]))
        except ValueError:
            out.append({"unparsed_message": e["message"]})
    if args.rule:
        out = [x for x in out if x.get("ruleName") == args.rule]
    return out


def cmd_lambda_logs(args) -> object:
    """B's /aws/lambda/<function> events; JSON lines (the function's printed events) are parsed."""
    out = []
    for e in _logs_events("b", f"/aws/lambda/{args.function}", args.filter):
        msg = e["message"].rstrip("\n")
        row = {"timestamp": e.get("timestamp"), "stream": e.get("logStreamName"), "message": msg}
        try:
            row["event"] = json.loads(msg)
        except ValueError:
            pass
        out.append(row)
    return out


def cmd_s3_list(args) -> object:
    """Objects in B's bucket (as B): key, size, last modified, and the body when small."""
    s3 = sb.client("b", "s3")
    out, token = [], None
    while True:
        kw = {"Bucket": args.bucket, "Prefix": args.prefix or ""}
        if token:
            kw["ContinuationToken"] = token
        resp = s3.list_objects_v2(**kw)
        for o in resp.get("Contents", []):
            row = {"key": o["Key"], "size": o["Size"], "last_modified": o["LastModified"].isoformat()}
            if args.bodies and o["Size"] <= 4096:
                row["body"] = s3.get_object(Bucket=args.bucket, Key=o["Key"])["Body"].read().decode("utf-8", "replace")
            out.append(row)
        token = resp.get("NextContinuationToken")
        if not token:
            return out


def cmd_s3_put_foreign(args) -> object:
    """As B (the bucket owner) put a non-probe object {"foreign":true} at KEY."""
    resp = sb.client("b", "s3").put_object(Bucket=args.bucket, Key=args.key, Body=json.dumps({"foreign": True}).encode())
    return {"bucket": args.bucket, "key": args.key, "etag": resp.get("ETag")}


def cmd_companion(args) -> object:
    status = companion_status()
    return status if status is not None else {"installed": False}


def cmd_send_foreign(args) -> object:
    acct = owner(args.queue, args.account)
    resp = sb.client(acct, "sqs").send_message(QueueUrl=sb.queue_url(acct, args.queue),
                                               MessageBody=json.dumps({"foreign": True}))
    return {"message_id": resp["MessageId"]}


def cmd_peek(args) -> object:
    return peek(args.queue, owner(args.queue, args.account))


def cmd_purge(args) -> object:
    acct = owner(args.queue, args.account)
    url = sb.queue_url(acct, args.queue)
    sb.client(acct, "sqs").purge_queue(QueueUrl=url)
    return {"purged": url}


def cmd_error_messages(args) -> object:
    docs = []
    for m in peek(sb.ERROR_QUEUE, "a"):
        try:
            doc = json.loads(m["body"])
        except ValueError:
            doc = {"unparsed_body": m["body"]}
        if isinstance(doc, dict) and isinstance(doc.get("base64OriginalPayload"), str) and args.decode:
            try:
                doc["originalPayload"] = base64.b64decode(doc["base64OriginalPayload"]).decode("utf-8", "replace")
            except ValueError:
                pass
        docs.append(doc)
    return docs


def cmd_publish(args) -> object:
    """Publish as account A: iot-data Publish over HTTP, or MQTT 5 over mTLS with the probe cert."""
    payload = args.payload.encode()
    if args.via == "http":
        sb.client("a", "iot-data").publish(topic=args.topic, qos=1, payload=payload)
        return {"via": "http", "topic": args.topic, "payload": args.payload}
    return mqtt_publish(args.topic, payload, args.client_id)


def mqtt_publish(topic: str, payload: bytes, client_id: str) -> dict:
    import ssl
    import paho.mqtt.client as mqtt

    rt = sb.runtime()
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    c.tls_set(ca_certs=str(sb.CERTS / "ca.pem"), certfile=str(sb.CERTS / "device.pem.crt"),
              keyfile=str(sb.CERTS / "private.pem.key"), cert_reqs=ssl.CERT_REQUIRED)
    c.tls_insecure_set(False)  # hostname is checked: the broker cert carries IP 127.0.0.1
    result: dict = {}
    c.on_connect = lambda cl, ud, flags, rc, props: result.setdefault("connack", str(rc))
    c.connect("127.0.0.1", rt["mqtt_port"], keepalive=30)
    c.loop_start()
    try:
        deadline = time.monotonic() + 10
        while "connack" not in result and time.monotonic() < deadline:
            time.sleep(0.05)
        if result.get("connack") != "Success":
            raise sb.SandboxError(f"MQTT connect failed: {result.get('connack', 'no CONNACK within 10s')}")
        info = c.publish(topic, payload, qos=1)
        info.wait_for_publish(timeout=10)
        if not info.is_published():
            raise sb.SandboxError("MQTT publish not acknowledged (PUBACK) within 10s")
    finally:
        c.disconnect()
        c.loop_stop()
    return {"via": "mqtt5-mtls", "host": "127.0.0.1", "port": rt["mqtt_port"], "client_id": client_id,
            "topic": topic, "payload": payload.decode(), "connack": result["connack"], "puback": True}


def observe(probe_id: str, settle: float) -> dict:
    """What one probe publish left behind, after `settle` seconds."""
    time.sleep(settle)

    def has_probe(queue):
        return any(probe_id in m["body"] for m in peek(queue, QUEUE_OWNER[queue]))

    try:
        sqs_hit = has_probe(sb.QUEUE)
    except Exception as e:  # the queue may be the thing that was deleted
        sqs_hit = f"n/a ({type(e).__name__})"
    errors = [f["failedAction"] + ": " + f.get("errorMessage", "")[:90]
              for d in cmd_error_messages(argparse.Namespace(decode=False)) if isinstance(d, dict)
              for f in d.get("failures", [])]
    try:
        events = sb.client("b", "logs").filter_log_events(
            logGroupName=f"/aws/lambda/{sb.FUNCTION}", filterPattern=f'"{probe_id}"').get("events", [])
        lambda_logged = len(events)
    except sb.client("b", "logs").exceptions.ResourceNotFoundException:
        lambda_logged = 0  # no log group: the function was never invoked
    except Exception as e:
        lambda_logged = f"n/a ({type(e).__name__})"
    try:
        s3_objects = sb.client("b", "s3").list_objects_v2(Bucket=sb.BUCKET).get("KeyCount", 0)
    except Exception as e:
        s3_objects = f"n/a ({type(e).__name__})"
    try:
        iot_log = [f"{e.get('ruleAction') or e.get('eventType')}: {e.get('details', '')[:90]}"
                   for e in cmd_logs(argparse.Namespace(filter=None, rule=None))]
    except Exception as e:
        iot_log = f"n/a ({type(e).__name__})"
    return {"sqs_delivered": sqs_hit, "sns_tap_delivered": has_probe(sb.TAP_QUEUE),
            "s3_objects": s3_objects, "lambda_log_lines": lambda_logged, "error_actions": errors,
            "iot_log_failures": iot_log}


def cmd_selftest(args) -> object:
    """Reset, publish one probe per case (healthy + every breakage), report what arrived; reset at the end."""
    import breakages
    import provision

    cases = ["healthy", "healthy-mqtt"] + [n.replace("<rule>", "sqs_rule") for n in breakages.describe_names()]
    report = []
    with state_lock():
        try:
            for case in cases:
                provision.provision(do_reset=True)
                if not case.startswith("healthy"):
                    breakages.apply(case)
                probe_id = f"selftest-{case}-{time.time_ns()}"
                payload = json.dumps({"xprobe": {"id": probe_id}}).encode()
                if case == "healthy-mqtt":
                    mqtt_publish(sb.IOT_TOPIC, payload, "xprobe-selftest")
                else:
                    sb.client("a", "iot-data").publish(topic=sb.IOT_TOPIC, qos=1, payload=payload)
                row = {"case": case}
                if not case.startswith("healthy"):
                    b = breakages.lookup(case)[0]
                    row["ministack_enforces"] = b.ministack_enforces
                    row["companion_enforces"] = b.companion_enforces
                row.update(observe(probe_id, args.settle))
                report.append(row)
        finally:
            provision.provision(do_reset=True)
    return report


def cmd_reset_race(args) -> object:
    """Open a connection to the mTLS listener, reset while it builds its TLS context, and check the
    broker certificate against the CA ministack then serves (ministack_launch.py, _fix_mtls_context_race).
    Re-provisions the healthy setup at the end."""
    import socket
    import ssl

    import provision

    port = sb.runtime()["mqtt_port"]
    log = sb.STATE / "ministack.log"
    rebuilds_before = log.read_text(errors="replace").count("rebuilding it") if log.exists() else 0
    stale = 0
    with state_lock():
        try:
            for _ in range(args.runs):
                sb.reset()                                              # no TLS context yet
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)   # starts building one
                sb.admin("POST", "/_ministack/reset")                   # and a reset lands meanwhile
                conn.close()
                sb.wait_ready()
                ctx = ssl.create_default_context(cadata=sb.admin("GET", "/_ministack/iot/ca.pem").decode())
                ctx.check_hostname = False
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, ctx.wrap_socket(raw):
                        pass
                except ssl.SSLCertVerificationError:
                    stale += 1
        finally:
            provision.provision(do_reset=True)
    rebuilds = (log.read_text(errors="replace").count("rebuilding it") if log.exists() else 0) - rebuilds_before
    return {"runs": args.runs, "stale_broker_certificate": stale, "stale_contexts_rebuilt": rebuilds}


def cmd_env(args) -> object:
    sys.stdout.write(sb.env_text())
    return None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ctl", description="Operate the xprobe ministack sandbox (see deploy/sandbox/README.md).")
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    sub.add_parser("reset", help="reset ministack and re-provision the healthy setup").set_defaults(fn=cmd_reset)
    b = sub.add_parser("break", help="apply one named breakage (see `ctl breakages`)")
    b.add_argument("name", help="breakage name, e.g. sqs-policy-removed or rule-disabled:sqs_rule")
    b.set_defaults(fn=cmd_break)
    sub.add_parser("breakages", help="list the known breakages").set_defaults(fn=cmd_breakages)

    for name, fn, hlp in (("send-foreign", cmd_send_foreign, "send {\"foreign\":true} to a queue (as its owner)"),
                          ("peek", cmd_peek, "receive up to 10 messages, VisibilityTimeout=0, no delete"),
                          ("purge", cmd_purge, "purge a queue (test setup only)")):
        s = sub.add_parser(name, help=hlp)
        s.add_argument("queue", help=f"queue name ({sb.QUEUE}, {sb.TAP_QUEUE}, {sb.ERROR_QUEUE}, ...)")
        s.add_argument("--account", choices=["a", "b"], help="owner account (default: known owner, else b)")
        s.set_defaults(fn=fn)

    e = sub.add_parser("error-messages", help="peek A's iot-rule-errors and print the errorAction documents")
    e.add_argument("--decode", action="store_true", help="add originalPayload (decoded base64OriginalPayload)")
    e.set_defaults(fn=cmd_error_messages)

    pub = sub.add_parser("publish", help="publish a payload to an IoT topic as account A")
    pub.add_argument("payload", help="payload text, e.g. '{\"xprobe\":{\"id\":\"1\"}}'")
    pub.add_argument("--topic", default=sb.IOT_TOPIC)
    pub.add_argument("--via", choices=["http", "mqtt"], default="http",
                     help="http: iot-data Publish; mqtt: MQTT 5 over mTLS with .sandbox/certs")
    pub.add_argument("--client-id", default="xprobe-sandbox-ctl")
    pub.set_defaults(fn=cmd_publish)

    st = sub.add_parser("selftest", help="publish a probe per case (healthy + each breakage) and report deliveries")
    st.add_argument("--settle", type=float, default=1.5, help="seconds to wait after each publish")
    st.set_defaults(fn=cmd_selftest)

    rr = sub.add_parser("reset-race", help="reset while a device connects; check the broker certificate against ca.pem")
    rr.add_argument("--runs", type=int, default=5)
    rr.set_defaults(fn=cmd_reset_race)

    lg = sub.add_parser("logs", help="A's AWSIotLogsV2 entries (rules-engine log), parsed JSON")
    lg.add_argument("--rule", help="only entries of this rule")
    lg.add_argument("--filter", help="CloudWatch Logs filter pattern (terms / quoted phrases)")
    lg.set_defaults(fn=cmd_logs)

    ll = sub.add_parser("lambda-logs", help=f"B's /aws/lambda/{sb.FUNCTION} events (JSON lines parsed into `event`)")
    ll.add_argument("--function", default=sb.FUNCTION)
    ll.add_argument("--filter", help="CloudWatch Logs filter pattern, e.g. a probe id in quotes")
    ll.set_defaults(fn=cmd_lambda_logs)

    sl = sub.add_parser("s3-list", help=f"objects in B's {sb.BUCKET} (as B)")
    sl.add_argument("--prefix", default="")
    sl.add_argument("--bucket", default=sb.BUCKET)
    sl.add_argument("--bodies", action="store_true", help="include bodies of objects <= 4 KiB")
    sl.set_defaults(fn=cmd_s3_list)

    sp = sub.add_parser("s3-put-foreign", help="as B, put a non-probe object {\"foreign\":true} at KEY")
    sp.add_argument("key")
    sp.add_argument("--bucket", default=sb.BUCKET)
    sp.set_defaults(fn=cmd_s3_put_foreign)

    sub.add_parser("companion", help="the rules companion's status (companion.json of the running sandbox)"
                   ).set_defaults(fn=cmd_companion)

    sub.add_parser("env", help="print the shell exports of .sandbox/env").set_defaults(fn=cmd_env)
    return p


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        out = args.fn(args)
    except sb.SandboxError as e:
        print(f"ctl {args.cmd}: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # botocore ClientError, connection errors, ...
        msg = str(e)
        if "Could not connect" in msg or "Connection refused" in msg:
            msg += " (is the sandbox up? deploy/sandbox/up)"
        print(f"ctl {args.cmd}: {type(e).__name__}: {msg}", file=sys.stderr)
        return 1
    if out is not None:
        sb.emit(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
