#!/usr/bin/env python3
"""AWS API calls per healthy probe, and detection overhead, per destination kind.

Runs `xprobe check` N times (default 10) on the running sandbox over the four
walkthrough routes plus an S3 route whose rule writes `probes/${xprobe.id}.json`
(a key xprobe can compute, so verification is a GET). Calls come from the
`api_calls` field, which xprobe counts with an SDK interceptor.

Detection overhead = time from the probe existing at the destination to xprobe
seeing it:
  sqs/sns: detect_ms - latency_ms (SQS SentTimestamp of the queue / tap);
  lambda:  detect_ms - latency_ms (the log event's timestamp);
  s3:      detect_ms - publish_ms. The sandbox writes the object before it
           sends the PUBACK (the companion runs inline), and S3 LastModified
           has whole seconds here, so the PUBACK time is the object time.
Usage: bench/verify_calls.py [N]
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SB = os.path.join(ROOT, ".sandbox")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/xprobe/target"))
XPROBE = os.path.join(TARGET, "debug", "xprobe")

CREATE_RULE = r'''
import boto3, json
iot = boto3.client("iot", endpoint_url="http://127.0.0.1:4610", region_name="us-east-1",
                   aws_access_key_id="111111111111", aws_secret_access_key="test")
payload = {"sql": "SELECT * FROM 'iot/test'", "awsIotSqlVersion": "2016-03-23", "ruleDisabled": False,
           "actions": [{"s3": {"bucketName": "examplebucket", "key": "probes/${xprobe.id}.json",
                               "roleArn": "arn:aws:iam::111111111111:role/my-iot-role"}}]}
try:
    iot.create_topic_rule(ruleName="s3_probe_rule", topicRulePayload=payload)
except iot.exceptions.ResourceAlreadyExistsException:
    iot.replace_topic_rule(ruleName="s3_probe_rule", topicRulePayload=payload)
'''

EXTRA = '''
[[routes]]
name = "s3-probe-key"
account = "source"
rule = "s3_probe_rule"
basic_ingest = true
deadline = "10s"

[[routes.destinations]]
kind = "s3"
account = "dest"
bucket = "examplebucket"
cleanup = true
'''


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    subprocess.run([os.path.join(SB, "venv", "bin", "python"), "-c", CREATE_RULE], check=True)
    text = open(os.path.join(ROOT, "probes", "sandbox.toml")).read().replace("../.sandbox", SB) + EXTRA
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "xprobe.toml")
        open(cfg, "w").write(text)
        calls, over = {}, {}
        for _ in range(n):
            out = subprocess.run([XPROBE, "check", "-c", cfg, "-o", "json"], capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"check failed: {out.stdout}{out.stderr}")
            for r in json.loads(out.stdout)["routes"]:
                for dst in r["destinations"]:
                    name = r["name"]
                    calls.setdefault(name, []).append(dst["api_calls"])
                    if dst["kind"] == "s3":
                        o = dst["detect_ms"] - r["publish"]["publish_ms"]
                    else:
                        o = dst["detect_ms"] - dst["latency_ms"]
                    over.setdefault(name, []).append(o)
    print(f"rounds: {n}")
    print(f"{'route':<14}{'calls median':>13}{'calls max':>10}{'overhead median ms':>20}{'p90 ms':>8}")
    for name in calls:
        o = sorted(over[name])
        print(f"{name:<14}{statistics.median(calls[name]):>13}{max(calls[name]):>10}"
              f"{statistics.median(o):>20.0f}{o[max(0, int(len(o) * 0.9) - 1)]:>8}")


if __name__ == "__main__":
    main()
