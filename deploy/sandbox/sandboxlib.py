"""Shared pieces of the xprobe local sandbox (ministack, two emulated accounts).

Used by provision.py (called from `up`), breakages.py and ctl.py. Only the
standard library and boto3 (from the sandbox venv) are needed.
"""
from __future__ import annotations

import json
import os
import shlex
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

SANDBOX_SRC = Path(__file__).resolve().parent
ROOT = SANDBOX_SRC.parent.parent
# XPROBE_SANDBOX_STATE runs a second sandbox (own ports, own state) next to the default one.
STATE = Path(os.environ.get("XPROBE_SANDBOX_STATE") or ROOT / ".sandbox").resolve()
CERTS = STATE / "certs"
RUNTIME_FILE = STATE / "runtime.json"   # written by `up` when it starts ministack
RESOURCES_FILE = STATE / "resources.json"  # written by provisioning

REGION = "us-east-1"
ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"
SECRET = "test"
ACCOUNTS = {"a": ACCOUNT_A, "b": ACCOUNT_B}
PROFILES = {"a": "xprobe-sandbox-a", "b": "xprobe-sandbox-b"}

# Names of the healthy walkthrough setup (ERRATA applied).
ROLE_NAME = "my-iot-role"
POLICY_NAME = "my-iot-policy"
ERROR_QUEUE = "iot-rule-errors"
QUEUE = "ExampleQueue"
TOPIC = "ExampleTopic"
TAP_QUEUE = "xprobe-tap-sns"
BUCKET = "examplebucket"
FUNCTION = "example-function"
LAMBDA_EXEC_ROLE = "example-function-exec"
IOT_TOPIC = "iot/test"
RULES = ("sqs_rule", "sns_rule", "s3_rule", "lambda_rule")
PROBE_IOT_POLICY = "xprobe-probe-policy"


class SandboxError(Exception):
    """A failure to report to the operator (message only, no traceback)."""


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SandboxError(f"{name}={raw!r} is not a port number")


def runtime() -> dict:
    """Ports of the running sandbox: runtime.json if `up` wrote one, else env/defaults."""
    if RUNTIME_FILE.exists():
        try:
            data = json.loads(RUNTIME_FILE.read_text())
            return {"port": int(data["port"]), "mqtt_port": int(data["mqtt_port"])}
        except (ValueError, KeyError, OSError):
            pass
    return {
        "port": _int_env("XPROBE_SANDBOX_PORT", 4610),
        "mqtt_port": _int_env("XPROBE_SANDBOX_MQTT_PORT", 18883),
    }


def endpoint() -> str:
    return f"http://127.0.0.1:{runtime()['port']}"


# ---------------------------------------------------------------- HTTP admin

def admin(method: str, path: str, timeout: float = 30.0) -> bytes:
    req = urllib.request.Request(endpoint() + path, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read()
    except urllib.error.URLError as e:
        raise SandboxError(
            f"ministack not reachable at {endpoint()} ({e}); start it with deploy/sandbox/up"
        ) from None


def wait_ready(timeout: float = 30.0, want_mtls: bool = True) -> dict:
    """Poll /_ministack/ready (bounded) until ready and, optionally, mTLS listening."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            body = json.loads(admin("GET", "/_ministack/ready", timeout=2))
            last = body
            if body.get("status") == "completed" and (not want_mtls or body.get("iot_mtls") == "listening"):
                return body
        except (SandboxError, ValueError):
            pass
        time.sleep(0.1)
    raise SandboxError(f"ministack not ready after {timeout:.0f}s (last /_ministack/ready: {last})")


def reset() -> None:
    admin("POST", "/_ministack/reset")
    # Clients remember what they learnt of the old state (botocore's S3 region
    # redirector caches bucket regions): start afresh, as a new `ctl` process would.
    _clients.clear()
    # reset() re-mints the IoT CA and rebinds the mTLS listener asynchronously.
    wait_ready()


# ---------------------------------------------------------------- boto3

_clients: dict = {}


def client(account: str, service: str):
    """boto3 client acting as account 'a' or 'b' (root keys: 12-digit access key id)."""
    import boto3
    from botocore.config import Config

    key = (account, service, endpoint())
    if key not in _clients:
        _clients[key] = boto3.client(
            service,
            region_name=REGION,
            endpoint_url=endpoint(),
            aws_access_key_id=ACCOUNTS[account],
            aws_secret_access_key=SECRET,
            config=Config(retries={"max_attempts": 2, "mode": "standard"},
                          connect_timeout=5, read_timeout=30),
        )
    return _clients[key]


def queue_url(account: str, name: str) -> str:
    return client(account, "sqs").get_queue_url(QueueName=name)["QueueUrl"]


# ---------------------------------------------------------------- ARNs

def role_arn() -> str:
    return f"arn:aws:iam::{ACCOUNT_A}:role/{ROLE_NAME}"


def policy_arn() -> str:
    return f"arn:aws:iam::{ACCOUNT_A}:policy/{POLICY_NAME}"


def queue_arn(account_id: str, name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{account_id}:{name}"


def topic_arn() -> str:
    return f"arn:aws:sns:{REGION}:{ACCOUNT_B}:{TOPIC}"


def function_arn(account_id: str = ACCOUNT_B) -> str:
    return f"arn:aws:lambda:{REGION}:{account_id}:function:{FUNCTION}"


def rule_arn(rule: str) -> str:
    return f"arn:aws:iot:{REGION}:{ACCOUNT_A}:rule/{rule}"


# The queue URL written into sqs_rule, as the walkthrough writes it (AWS shape).
def walkthrough_queue_url() -> str:
    return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_B}/{QUEUE}"


# ---------------------------------------------------------------- env files

def env_vars() -> dict:
    rt = runtime()
    return {
        "XPROBE_SANDBOX_DIR": str(STATE),
        "XPROBE_SANDBOX_STATE": str(STATE),
        "XPROBE_SANDBOX_PORT": str(rt["port"]),
        "XPROBE_SANDBOX_MQTT_PORT": str(rt["mqtt_port"]),
        "XPROBE_SANDBOX_MQTT_HOST": "127.0.0.1",
        "XPROBE_SANDBOX_ENDPOINT": endpoint(),
        "AWS_ENDPOINT_URL": endpoint(),
        "AWS_CONFIG_FILE": str(STATE / "aws-config"),
        "XPROBE_SANDBOX_REGION": REGION,
        "XPROBE_SANDBOX_ACCOUNT_A": ACCOUNT_A,
        "XPROBE_SANDBOX_ACCOUNT_B": ACCOUNT_B,
        "XPROBE_SANDBOX_PROFILE_A": PROFILES["a"],
        "XPROBE_SANDBOX_PROFILE_B": PROFILES["b"],
        "XPROBE_SANDBOX_CERT": str(CERTS / "device.pem.crt"),
        "XPROBE_SANDBOX_KEY": str(CERTS / "private.pem.key"),
        "XPROBE_SANDBOX_CA": str(CERTS / "ca.pem"),
        "XPROBE_SANDBOX_RESOURCES": str(RESOURCES_FILE),
        "XPROBE_SANDBOX_CTL": str(SANDBOX_SRC / "ctl"),
    }


def env_text() -> str:
    lines = ["# xprobe sandbox: generated by deploy/sandbox (source this file)"]
    lines += [f"export {k}={shlex.quote(v)}" for k, v in env_vars().items()]
    return "\n".join(lines) + "\n"


def aws_config_text() -> str:
    out = ["# xprobe sandbox: AWS shared config file (AWS_CONFIG_FILE); root keys of the emulated accounts"]
    for acct in ("a", "b"):
        out += [
            f"[profile {PROFILES[acct]}]",
            f"region = {REGION}",
            f"aws_access_key_id = {ACCOUNTS[acct]}",
            f"aws_secret_access_key = {SECRET}",
            f"endpoint_url = {endpoint()}",
            "",
        ]
    return "\n".join(out)


def write_private(path: Path, text: str, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def write_env_files() -> None:
    write_private(STATE / "env", env_text(), 0o644)
    write_private(STATE / "aws-config", aws_config_text(), 0o600)


def emit(obj) -> None:
    try:
        json.dump(obj, sys.stdout, indent=2, sort_keys=False, default=str)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `ctl ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
