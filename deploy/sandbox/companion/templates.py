"""AWS IoT substitution templates (`${...}`), as the rules engine renders an S3 key.

Standard library only: render_key.py runs it with a plain `python3`, and the
rules companion (hook.py, inside ministack) renders S3 keys and bucket names
with it. Written from the AWS IoT documentation (iot-substitution-templates,
iot-sql-functions), independently of xprobe's renderer, so the two can be
compared.

Inside `${...}` this supports:
  topic()            the whole topic (Basic Ingest prefix `$aws/rules/<rule>/` removed)
  topic(n)           the n-th level, 1-based; out of range renders ""
  clientid()         the MQTT client id, "n/a" when the message did not come over MQTT
  timestamp()        epoch milliseconds of the message
  newuuid()          a random UUID (a fresh one per occurrence)
  traceid()          the message's trace id
  principal()        who published
  a.b[0].c           a field path into the JSON payload ("a-b" or `a-b` quote a name)
  'text', 42, true   literals
A value that is missing (Undefined) renders as "". Strings render as their
text, other JSON values as compact JSON. Any other function is not emulated:
it is reported as unknown (see Context.unknown_functions).
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

BASIC_INGEST_PREFIX = "$aws/rules/"

UNDEFINED = object()


class TemplateError(ValueError):
    """The template is not well formed (AWS rejects such a rule at create time)."""


class Unknown(Exception):
    """The expression's value cannot be known offline (newuuid(), traceid(), no timestamp...)."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


def split_basic_ingest(topic: str) -> tuple[Optional[str], str]:
    """`$aws/rules/<rule>/<rest>` -> (rule, rest); any other topic -> (None, topic)."""
    if not topic.startswith(BASIC_INGEST_PREFIX):
        return None, topic
    rule, _, rest = topic[len(BASIC_INGEST_PREFIX):].partition("/")
    return rule, rest


@dataclass
class Context:
    """What a template can see of one message. None = not known (offline rendering)."""
    topic: str                          # as topic() sees it (no Basic Ingest prefix)
    payload: Any = UNDEFINED            # the decoded JSON payload; UNDEFINED if not JSON
    client_id: Optional[str] = None     # None/"" = not MQTT -> "n/a"
    timestamp_ms: Optional[int] = None
    trace_id: Optional[str] = None
    principal: Optional[str] = None
    newuuid: Optional[Callable[[], str]] = None   # None = unknown (offline); e.g. lambda: str(uuid.uuid4())
    unknown_functions: list = field(default_factory=list)

    @staticmethod
    def live(topic: str, payload: Any, client_id: Optional[str], timestamp_ms: int,
             trace_id: Optional[str], principal: Optional[str]) -> "Context":
        return Context(topic=topic, payload=payload, client_id=client_id, timestamp_ms=timestamp_ms,
                       trace_id=trace_id, principal=principal, newuuid=lambda: str(uuid.uuid4()))


def decode_payload(raw: bytes | str) -> Any:
    """The JSON value of a payload, or UNDEFINED when it is not JSON (fields are then Undefined)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw
        return json.loads(text)
    except (UnicodeDecodeError, ValueError):
        return UNDEFINED


# ------------------------------------------------------------------ scanning

def segments(template: str) -> list[tuple[str, str]]:
    """Split into [("lit", text) | ("expr", inner)], honouring quotes inside `${...}`."""
    out: list[tuple[str, str]] = []
    i, lit = 0, []
    n = len(template)
    while i < n:
        if template.startswith("${", i):
            j = i + 2
            quote = None
            while j < n:
                ch = template[j]
                if quote:
                    if ch == quote:
                        quote = None
                elif ch in "'\"`":
                    quote = ch
                elif ch == "}":
                    break
                j += 1
            if j >= n:
                raise TemplateError(f"unterminated ${{ at offset {i}")
            if lit:
                out.append(("lit", "".join(lit)))
                lit = []
            inner = template[i + 2:j].strip()
            if not inner:
                raise TemplateError(f"empty ${{}} at offset {i}")
            out.append(("expr", inner))
            i = j + 1
        else:
            lit.append(template[i])
            i += 1
    if lit:
        out.append(("lit", "".join(lit)))
    return out


_FUNC_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)$", re.S)
_NUM_RE = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")
_PATH_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<ident>[A-Za-z_$][A-Za-z0-9_$]*)
      | "(?P<dq>[^"]*)"
      | `(?P<bq>[^`]*)`
    )\s*""", re.X)
_INDEX_RE = re.compile(r"\s*\[\s*(-?\d+)\s*\]\s*")


def _literal(expr: str):
    if len(expr) >= 2 and expr[0] == expr[-1] == "'":
        return expr[1:-1]
    if _NUM_RE.match(expr):
        return json.loads(expr)
    if expr in ("true", "false"):
        return expr == "true"
    return UNDEFINED


def _field_path(expr: str) -> Optional[list]:
    """`a.b[0]."c-d"` -> ["a", "b", 0, "c-d"]; None if expr is not a path."""
    steps: list = []
    pos, n = 0, len(expr)
    expect_name = True
    while pos < n:
        if expect_name:
            m = _PATH_TOKEN_RE.match(expr, pos)
            if not m or m.end() == pos:
                return None
            name = next(g for g in (m.group("ident"), m.group("dq"), m.group("bq")) if g is not None)
            steps.append(name)
            pos = m.end()
            expect_name = False
            continue
        m = _INDEX_RE.match(expr, pos)
        if m:
            steps.append(int(m.group(1)))
            pos = m.end()
            continue
        if expr[pos] == ".":
            pos += 1
            expect_name = True
            continue
        return None
    return steps if steps and not expect_name else None


def _walk(value, steps: list):
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return UNDEFINED
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return UNDEFINED
            value = value[step]
    return value


def evaluate(expr: str, ctx: Context):
    """The value of one `${expr}`; raises Unknown when it cannot be known."""
    expr = expr.strip()
    lit = _literal(expr)
    if lit is not UNDEFINED:
        return lit
    m = _FUNC_RE.match(expr)
    if m:
        name, args = m.group(1).lower(), m.group(2).strip()
        if name == "topic":
            levels = ctx.topic.split("/")
            if not args:
                return ctx.topic
            arg = evaluate(args, ctx)
            if isinstance(arg, bool) or not isinstance(arg, (int, float)) or int(arg) != arg:
                return UNDEFINED
            idx = int(arg)
            return levels[idx - 1] if 1 <= idx <= len(levels) else UNDEFINED
        if args and name in ("clientid", "timestamp", "newuuid", "traceid", "principal"):
            raise TemplateError(f"{name}() takes no arguments: ${{{expr}}}")
        if name == "clientid":
            return ctx.client_id or "n/a"
        if name == "timestamp":
            if ctx.timestamp_ms is None:
                raise Unknown("timestamp()")
            return int(ctx.timestamp_ms)
        if name == "newuuid":
            if ctx.newuuid is None:
                raise Unknown("newuuid()")
            return ctx.newuuid()
        if name == "traceid":
            if ctx.trace_id is None:
                raise Unknown("traceid()")
            return ctx.trace_id
        if name == "principal":
            if ctx.principal is None:
                raise Unknown("principal()")
            return ctx.principal
        ctx.unknown_functions.append(name)
        raise Unknown(f"{name}()")
    steps = _field_path(expr)
    if steps is None:
        ctx.unknown_functions.append(expr)
        raise Unknown(expr)
    if ctx.payload is UNDEFINED:
        return UNDEFINED
    return _walk(ctx.payload, steps)


def to_text(value) -> str:
    if value is UNDEFINED:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass
class Rendered:
    exact: bool
    text: str          # the whole rendering when exact, else the known prefix
    unknown: list      # what stopped it (e.g. ["timestamp()"])


def render(template: str, ctx: Context) -> Rendered:
    """Render; stops at the first part that cannot be known, keeping the prefix before it."""
    out = []
    for kind, body in segments(template):
        if kind == "lit":
            out.append(body)
            continue
        try:
            out.append(to_text(evaluate(body, ctx)))
        except Unknown as u:
            return Rendered(False, "".join(out), [u.what])
    return Rendered(True, "".join(out), [])


def render_live(template: str, ctx: Context) -> str:
    """Render for delivery: anything not emulated renders as "" (as an Undefined would)."""
    out = []
    for kind, body in segments(template):
        if kind == "lit":
            out.append(body)
            continue
        try:
            out.append(to_text(evaluate(body, ctx)))
        except Unknown:
            out.append("")
    return "".join(out)
