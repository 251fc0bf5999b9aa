#!/usr/bin/env python3
"""Render an AWS IoT S3-action key template the way the sandbox's rules companion does.

Pure standard library; run it with any python3 >= 3.8, no venv:

  python3 render_key.py --template '${topic()}/${timestamp()}' --topic iot/test \\
      --payload '{"xprobe":{"id":"p1"}}' [--clientid C] [--timestamp MS] \\
      [--basic-ingest-rule R] [--principal P] [--traceid ID]

--topic is the topic the message was published to. A Basic Ingest topic
(`$aws/rules/<rule>/<rest>`) may be given whole, or as <rest> with
--basic-ingest-rule <rule>; either way topic() sees only <rest>.
--payload is the payload text; if it is not JSON, every field renders "".
Without --clientid the message is taken as not MQTT (clientid() = "n/a").

Output, always one JSON object on stdout:
  {"exact": true,  "key": "<rendered key>"}
  {"exact": false, "known_prefix": "<text before the first unknowable part>"}
      (newuuid(), traceid() without --traceid, timestamp() without --timestamp,
       principal() without --principal, or a function the companion does not emulate)
  {"error": "<message>"}   exit status 2 (bad arguments or a malformed template)
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import templates as tpl  # noqa: E402  (this directory)


class _JsonArgParser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print usage text; keep stdout JSON
        _fail(message)


def _fail(message: str) -> None:
    print(json.dumps({"error": message}))
    sys.exit(2)


def main(argv: list[str]) -> int:
    p = _JsonArgParser(prog="render_key.py", description="Render an IoT substitution template (S3 key).")
    p.add_argument("--template", required=True)
    p.add_argument("--topic", required=True, help="topic as published (Basic Ingest prefix allowed)")
    p.add_argument("--payload", required=True, help="payload text (JSON)")
    p.add_argument("--clientid", default=None, help="MQTT client id (omit for HTTP: clientid() = n/a)")
    p.add_argument("--timestamp", default=None, help="epoch milliseconds for timestamp()")
    p.add_argument("--basic-ingest-rule", default=None, help="the message was published to $aws/rules/<R>/<topic>")
    p.add_argument("--principal", default=None, help="value of principal()")
    p.add_argument("--traceid", default=None, help="value of traceid()")
    a = p.parse_args(argv)

    rule, topic = tpl.split_basic_ingest(a.topic)
    if rule is not None and a.basic_ingest_rule is not None and rule != a.basic_ingest_rule:
        _fail(f"--topic names Basic Ingest rule {rule!r} but --basic-ingest-rule is {a.basic_ingest_rule!r}")
    ts = None
    if a.timestamp is not None:
        try:
            ts = int(a.timestamp)
        except ValueError:
            _fail(f"--timestamp must be epoch milliseconds (an integer), got {a.timestamp!r}")
    ctx = tpl.Context(topic=topic, payload=tpl.decode_payload(a.payload), client_id=a.clientid,
                      timestamp_ms=ts, trace_id=a.traceid, principal=a.principal, newuuid=None)
    try:
        r = tpl.render(a.template, ctx)
    except tpl.TemplateError as e:
        _fail(f"malformed template: {e}")
    print(json.dumps({"exact": True, "key": r.text} if r.exact else {"exact": False, "known_prefix": r.text}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
