#!/usr/bin/env python3
"""Run ministack with every listening socket held to loopback.

ministack's gateway honours BIND_HOST, but its IoT mTLS MQTT listener
(ministack/services/iot.py, _mtls_start_locked) calls
``loop.create_server(..., host="0.0.0.0")`` unconditionally. Before handing
over to ministack's normal entry point (``ministack.app:main``) this launcher
wraps asyncio's ``create_server`` so that a wildcard host ("0.0.0.0", "", None,
"::") is rewritten to the loopback address. Calls that pass a pre-bound
``sock`` (hypercorn does) are left alone: the socket is already bound.

It also closes a race in ministack's mTLS listener (see
_fix_mtls_context_race) that otherwise leaves the broker serving a
certificate from a CA that no longer exists.

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


def _fix_mtls_context_race() -> None:
    """Never serve an mTLS context whose broker certificate the current Local CA did not sign.

    ministack 1.5.33 builds the listener's TLS context lazily, in a worker
    thread, on the first connection (``iot._mtls_context``), under a lock that
    ``reset()`` does not take. A device that connects while a reset runs
    (``deploy/sandbox/up`` resets right after boot, and a daemon under test
    reconnects at exactly that moment) starts a build with the old CA; the
    reset drops that CA and restarts the listener; the build then finishes and
    installs its context anyway. From then on the broker presents a
    certificate signed by a CA that ``/_ministack/iot/ca.pem`` no longer
    serves, and every client fails with "BadSignature" until the next reset.
    Seen in ``tests/daemon.rs`` (the sandbox restart test), about one run in six.

    The wrapper tags each context with the broker certificate it was built
    with and, before a context is used, checks that certificate is still the
    current one and signed by the current CA; otherwise it drops the context
    and builds a fresh one.
    """
    from ministack.core.x509_utils import certificate_is_signed_by
    from ministack.services import iot

    needed = ("_mtls_context", "_mtls_build_ssl_context", "_mtls_context_lock", "get_mtls_server_cert")
    missing = [n for n in needed if not hasattr(iot, n)]
    if missing:
        raise RuntimeError(f"ministack.services.iot lacks {missing}: the mTLS race fix was written for 1.5.33")
    original_build = iot._mtls_build_ssl_context
    original_context = iot._mtls_context

    def build():
        ctx = original_build()
        # original_build minted (or reused) the broker certificate and stored
        # it; a reset racing with the build leaves None or a stale one here.
        ctx.xprobe_server_cert = iot.get_mtls_server_cert()[0]
        return ctx

    def current(ctx) -> bool:
        cert = getattr(ctx, "xprobe_server_cert", None)
        ca = iot._ca_cert_pem
        return bool(cert and ca and cert == iot.get_mtls_server_cert()[0] and certificate_is_signed_by(cert, ca))

    async def context():
        for _ in range(3):
            ctx = await original_context()
            if ctx is None or current(ctx):
                return ctx
            _log.warning("xprobe sandbox: the mTLS context was built from a dropped CA; rebuilding it")
            async with iot._mtls_context_lock:
                if iot._mtls_ssl_context is ctx:
                    iot._mtls_ssl_context = None
        return await original_context()

    iot._mtls_build_ssl_context = build
    iot._mtls_context = context


def main() -> None:
    from ministack.app import main as ministack_main

    _fix_mtls_context_race()
    _install_companion()

    sys.argv = ["ministack"]
    ministack_main()


if __name__ == "__main__":
    main()
