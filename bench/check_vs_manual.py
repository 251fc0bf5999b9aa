#!/usr/bin/env python3
"""Benchmark `xprobe check` on the sandbox against the same job done by hand.

Measures, over N rounds (default 10), on the running sandbox (deploy/sandbox/up):
  * the wall time of `xprobe check --config probes/sandbox.toml` (SQS + SNS routes);
  * the same job the way the walkthrough implies: mosquitto_pub the message,
    then `aws sqs receive-message` in a loop on the queue (and on the SNS tap)
    until it shows up, then delete it;
  * xprobe's detection overhead: from the message reaching the queue (SQS
    SentTimestamp) to xprobe seeing it (detect_ms - latency_ms in the JSON).
Prints medians and the ratio. Usage: bench/check_vs_manual.py [N]
"""
import json
import os
import statistics
import subprocess
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SB = os.path.join(ROOT, ".sandbox")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/xprobe/target"))
XPROBE = os.path.join(TARGET, "debug", "xprobe")
AWS = os.path.join(SB, "venv", "bin", "aws")
ENDPOINT = "http://127.0.0.1:4610"
QUEUE = f"{ENDPOINT}/222222222222/ExampleQueue"
TAP = f"{ENDPOINT}/222222222222/xprobe-tap-sns"


def aws_b(*args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="222222222222", AWS_SECRET_ACCESS_KEY="test")
    out = subprocess.run([AWS, "--endpoint-url", ENDPOINT, "--region", "us-east-1", "--output", "json", *args],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout) if out.stdout.strip() else {}


def mosquitto_pub(topic, body):
    subprocess.run(["mosquitto_pub", "-V", "mqttv5", "-q", "1", "-h", "127.0.0.1", "-p", "18883",
                    "--cafile", f"{SB}/certs/ca.pem", "--cert", f"{SB}/certs/device.pem.crt",
                    "--key", f"{SB}/certs/private.pem.key", "-i", f"bench-{uuid.uuid4().hex[:8]}",
                    "-t", topic, "-m", body], check=True)


def manual_one(rule, queue, nonce):
    # The tap's filter passes only bodies with xprobe.id, so the hand-made
    # message carries one too.
    body = json.dumps({"temperature": 21, "xprobe": {"id": nonce, "sent_at_ms": 0, "route": "manual"}})
    mosquitto_pub(f"$aws/rules/{rule}/iot/test", body)
    while True:
        out = aws_b("sqs", "receive-message", "--queue-url", queue, "--wait-time-seconds", "1",
                    "--max-number-of-messages", "10")
        for m in out.get("Messages", []):
            if nonce in m["Body"]:
                aws_b("sqs", "delete-message", "--queue-url", queue, "--receipt-handle", m["ReceiptHandle"])
                return


def manual():
    t = time.perf_counter()
    manual_one("sqs_rule", QUEUE, uuid.uuid4().hex)
    manual_one("sns_rule", TAP, uuid.uuid4().hex)
    return time.perf_counter() - t


def xprobe():
    t = time.perf_counter()
    out = subprocess.run([XPROBE, "check", "-c", "probes/sandbox.toml", "--route", "sqs", "--route", "sns", "-o", "json"], cwd=ROOT,
                         capture_output=True, text=True)
    took = time.perf_counter() - t
    if out.returncode != 0:
        sys.exit(f"xprobe check failed ({out.returncode}): {out.stdout}{out.stderr}")
    report = json.loads(out.stdout)
    overheads = [d["detect_ms"] - d["latency_ms"] for r in report["routes"] for d in r["destinations"]
                 if d["latency_ms"] is not None]
    calls = [d["api_calls"] for r in report["routes"] for d in r["destinations"]]
    return took, overheads, calls


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    xs, ms, over, calls = [], [], [], []
    for _ in range(n):
        took, o, c = xprobe()
        xs.append(took)
        over += o
        calls += c
        ms.append(manual())
    mx, mm = statistics.median(xs), statistics.median(ms)
    print(f"rounds: {n}")
    print(f"xprobe check (sqs+sns)      median {mx*1000:.0f} ms  (min {min(xs)*1000:.0f}, max {max(xs)*1000:.0f})")
    print(f"by hand (mosquitto_pub+aws)  median {mm*1000:.0f} ms  (min {min(ms)*1000:.0f}, max {max(ms)*1000:.0f})")
    print(f"ratio by-hand / xprobe       {mm/mx:.1f}x")
    print(f"detection overhead (queue → xprobe) median {statistics.median(over):.0f} ms, "
          f"p90 {sorted(over)[int(len(over)*0.9)-1] if len(over) > 1 else over[0]} ms over {len(over)} arrivals")
    print(f"AWS calls per destination    median {statistics.median(calls)}  (max {max(calls)})")


if __name__ == "__main__":
    main()
