#!/usr/bin/env python3
"""Run ministack with every listening socket held to loopback.

ministack's gateway honours BIND_HOST, but its IoT mTLS MQTT listener
(ministack/services/iot.py, _mtls_start_locked) calls
``loop.create_server(..., host="0.0.0.0")`` unconditionally. Before handing
over to ministack's normal entry point (``ministack.app:main``) this launcher
wraps asyncio's ``create_server`` so that a wildcard host ("0.0.0.0", "", None,
"::") is rewritten to the loopback address. Calls that pass a pre-bound
``sock`` (hypercorn does) are left alone: the socket is already bound.

It then loads the rules companion (companion/hook.py), which takes over the
IoT rule actions ministack skips (S3, cross-account Lambda) and writes
AWSIotLogsV2 entries; XPROBE_SANDBOX_COMPANION=0 leaves ministack alone.

Usage: python ministack_launch.py   (configured by the usual ministack env vars;
XPROBE_SANDBOX_BIND_HOST overrides the loopback address, default 127.0.0.1)
"""
import asyncio
import asyncio.base_events
import logging
import os
import sys

LOOPBACK = os.environ.get("XPROBE_SANDBOX_BIND_HOST", "127.0.0.1")
_WILDCARDS = {None, "", "0.0.0.0", "::"}

_log = logging.getLogger("xprobe.sandbox.launch")
_orig_create_server = asyncio.base_events.BaseEventLoop.create_server


async def _loopback_create_server(self, protocol_factory, host=None, port=None, *args, **kwargs):
    if kwargs.get("sock") is None and host in _WILDCARDS:
        _log.info("xprobe sandbox: rebinding listener on port %s from %r to %s", port, host, LOOPBACK)
        host = LOOPBACK
    return await _orig_create_server(self, protocol_factory, host, port, *args, **kwargs)


asyncio.base_events.BaseEventLoop.create_server = _loopback_create_server

# Never let ministack fall back to its 0.0.0.0 default for the gateway either.
os.environ["BIND_HOST"] = LOOPBACK


def _install_companion() -> None:
    """Load the rules companion (companion/hook.py) unless XPROBE_SANDBOX_COMPANION=0."""
    if os.environ.get("XPROBE_SANDBOX_COMPANION", "1") in ("0", "false", "off", "no"):
        _log.warning("xprobe sandbox: rules companion disabled (XPROBE_SANDBOX_COMPANION=0)")
        return
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from companion import hook

    # A ministack this hook does not fit stops the launch: a sandbox that
    # silently lacks the companion would make failures look like passes.
    hook.install(endpoint=f"http://{LOOPBACK}:{os.environ.get('GATEWAY_PORT', '4566')}",
                 state_dir=os.environ.get("XPROBE_SANDBOX_STATE"))


def main() -> None:
    from ministack.app import main as ministack_main

    _install_companion()

    sys.argv = ["ministack"]
    ministack_main()


if __name__ == "__main__":
    main()
