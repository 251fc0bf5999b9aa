#!/usr/bin/env python3
"""Cost of `xprobe diagnose` for one route on the running sandbox (read-only).

For each route asked for, runs `xprobe diagnose --route R -o json` N times
(default 10) straight against the sandbox, then N/3 (at least 3) times
through a local proxy that holds every request --delay-ms (default 100)
before forwarding it, and reports medians:
  wall ms     the whole process (startup, config, gather, render), direct;
  gather ms   reading the facts (the debug log line "diagnose facts
              gathered"), direct;
  calls       the AWS calls made (`api_calls` in the JSON output);
  seq         the critical path in sequential round trips, measured by the
              call-counting interceptor (src/aws/calls.rs): the longest chain
              of calls each of which started after the previous one ended.
              Direct, calls that merely happen not to overlap (the local
              sandbox answers in ~1 ms, a debug build spends a few ms per
              request) count too, so it over-counts; through the proxy every
              call lasts > delay and only real dependencies chain: that is
              the figure to read (seq@delay);
  proxy       the same chain computed from the proxy's own log of requests;
  gather@delay  gather time through the proxy (~ seq@delay x delay).

Usage: bench/diagnose.py [--runs N] [--delay-ms D] [ROUTE ...]   (default route: sqs)
Needs the sandbox (deploy/sandbox/up) and a build: $XPROBE, or
$CARGO_TARGET_DIR/debug/xprobe.
"""
import argparse
import http.client
import json
import os
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SB = os.path.join(ROOT, ".sandbox")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/xprobe/target"))
XPROBE = os.environ.get("XPROBE", os.path.join(TARGET, "debug", "xprobe"))
UPSTREAM = ("127.0.0.1", 4610)


def longest_chain(spans):
    """The longest chain of intervals, each starting after the previous ended."""
    spans = sorted(spans, key=lambda s: s[1])
    depth = []
    for i, (start, _) in enumerate(spans):
        depth.append(1 + max([depth[j] for j in range(i) if spans[j][1] <= start], default=0))
    return max(depth, default=0)


def delaying_proxy(delay_s, log):
    """A proxy to the sandbox that holds every request for delay_s; appends
    (start, end) of each request to log."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def forward(self):
            start = time.monotonic()
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(delay_s)
            conn = http.client.HTTPConnection(*UPSTREAM, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            conn.close()
            log.append((start, time.monotonic()))

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = forward

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    socketserver.TCPServer.allow_reuse_address = True
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def config(endpoint):
    text = open(os.path.join(ROOT, "probes", "sandbox.toml")).read().replace("../.sandbox", SB)
    return text.replace("http://127.0.0.1:4610", endpoint)


def run(cfg, route, log=None):
    env = dict(os.environ, RUST_LOG="xprobe::diagnose=debug", XPROBE_LOG_FORMAT="json")
    env.pop("AWS_ENDPOINT_URL", None)
    if log is not None:
        log.clear()
    t0 = time.monotonic()
    out = subprocess.run([XPROBE, "diagnose", "-c", cfg, "--route", route, "-o", "json"],
                         capture_output=True, text=True, env=env)
    wall = (time.monotonic() - t0) * 1000
    if out.returncode not in (0, 1):
        sys.exit(f"diagnose failed ({out.returncode}): {out.stdout}{out.stderr}")
    report = json.loads(out.stdout)["routes"][0]
    gathered = None
    for line in out.stderr.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        f = rec.get("fields", {})
        if f.get("message") == "diagnose facts gathered":
            gathered = f
    if gathered is None:
        sys.exit(f"no 'diagnose facts gathered' line in the log:\n{out.stderr}")
    return {
        "wall": wall,
        "gather": gathered["elapsed_ms"],
        "calls": report["api_calls"],
        "seq": gathered["sequential_calls"],
        "proxy": longest_chain(list(log)) if log is not None else None,
        "errors": sum(1 for x in report["findings"] if x["severity"] == "error"),
        "unknown": [u["fact"] for u in report["unknown_facts"]],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--delay-ms", type=int, default=100)
    ap.add_argument("routes", nargs="*", default=["sqs"])
    args = ap.parse_args()
    log = []
    proxy = delaying_proxy(args.delay_ms / 1000, log)
    with tempfile.TemporaryDirectory() as d:
        direct = os.path.join(d, "direct.toml")
        delayed = os.path.join(d, "delayed.toml")
        open(direct, "w").write(config("http://127.0.0.1:4610"))
        open(delayed, "w").write(config(f"http://127.0.0.1:{proxy.server_address[1]}"))
        print(f"runs: {args.runs} per route; proxy delay {args.delay_ms} ms")
        print(f"{'route':<8}{'wall ms':>9}{'gather ms':>11}{'calls':>7}{'seq':>5}"
              f"{'seq@delay':>11}{'proxy':>7}{'gather@delay':>14}{'errors':>8}")
        for route in args.routes:
            runs = [run(direct, route) for _ in range(args.runs)]
            slow = [run(delayed, route, log) for _ in range(max(3, args.runs // 3))]
            med = lambda rs, k: statistics.median(r[k] for r in rs)
            print(f"{route:<8}{med(runs, 'wall'):>9.0f}{med(runs, 'gather'):>11.0f}"
                  f"{med(runs, 'calls'):>7.0f}{med(runs, 'seq'):>5.0f}"
                  f"{med(slow, 'seq'):>11.0f}{med(slow, 'proxy'):>7.0f}{med(slow, 'gather'):>14.0f}"
                  f"{runs[0]['errors']:>8}")
            if runs[0]["unknown"]:
                print(f"         unknown facts: {', '.join(runs[0]['unknown'])}")
    proxy.shutdown()


if __name__ == "__main__":
    main()
