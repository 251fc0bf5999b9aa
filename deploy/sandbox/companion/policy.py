"""Does a Lambda function's resource policy let AWS IoT invoke it for a given rule?

Standard library only. Written from the Lambda and IAM documentation, on its
own (a second implementation to test xprobe's policy reading against).

The rules engine invokes as the service principal `iot.amazonaws.com` with
request context aws:SourceArn = arn:aws:iot:<region>:<A>:rule/<rule> and
aws:SourceAccount = <A>. A statement applies when its principal, action,
resource and every condition match; an applicable Deny wins over any Allow;
no applicable Allow means denied.
"""
from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any, Optional

IOT_SERVICE = "iot.amazonaws.com"
INVOKE = "lambda:InvokeFunction"


@dataclass
class Decision:
    allowed: bool
    reason: str                       # one line, for logs and error details
    statement: Optional[str] = None   # Sid of the deciding statement


def _as_list(v) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _glob(pattern: str, value: str, case: bool = True) -> bool:
    """IAM wildcards: * any run, ? one character (no [] classes)."""
    p = pattern.replace("[", "[[]")
    if not case:
        return fnmatch.fnmatchcase(value.lower(), p.lower())
    return fnmatch.fnmatchcase(value, p)


def _principal_matches(principal: Any) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if IOT_SERVICE in _as_list(principal.get("Service")):
        return True
    return "*" in _as_list(principal.get("AWS"))


def _action_matches(actions: Any) -> bool:
    return any(_glob(a, INVOKE, case=False) for a in _as_list(actions) if isinstance(a, str))


def _resource_matches(resources: Any, function_arn: str) -> bool:
    """The statement's Resource covers the function as invoked (unqualified or `:qualifier`)."""
    for r in _as_list(resources):
        if isinstance(r, str) and (_glob(r, function_arn) or r == "*"):
            return True
    return False


# condition operator -> (compare(pattern, value), is an Arn operator)
def _arn_like(pattern: str, value: str) -> bool:
    # ArnLike compares the six colon-separated parts, each with wildcards.
    pp, vv = pattern.split(":", 5), value.split(":", 5)
    if len(pp) != 6 or len(vv) != 6:
        return False
    return all(_glob(p, v) for p, v in zip(pp, vv))


_OPERATORS = {
    "StringEquals": lambda p, v: p == v,
    "StringNotEquals": lambda p, v: p != v,
    "StringEqualsIgnoreCase": lambda p, v: p.lower() == v.lower(),
    "StringLike": lambda p, v: _glob(p, v),
    "StringNotLike": lambda p, v: not _glob(p, v),
    "ArnEquals": lambda p, v: p == v,
    "ArnLike": _arn_like,
    "ArnNotEquals": lambda p, v: p != v,
    "ArnNotLike": lambda p, v: not _arn_like(p, v),
}
_NEGATED = {"StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


def _conditions_match(conditions: Any, context: dict) -> tuple[bool, str]:
    """All condition blocks hold for the request context (keys compared case-insensitively)."""
    if not conditions:
        return True, ""
    if not isinstance(conditions, dict):
        return False, "unreadable Condition"
    ctx = {k.lower(): v for k, v in context.items()}
    for op, block in conditions.items():
        base = op[:-len("IfExists")] if op.endswith("IfExists") else op
        if_exists = base != op
        compare = _OPERATORS.get(base)
        if compare is None or not isinstance(block, dict):
            return False, f"condition operator {op} is not emulated (treated as not matching)"
        for key, patterns in block.items():
            value = ctx.get(key.lower())
            if value is None:
                if if_exists:
                    continue
                return False, f"{op} {key}: the rules engine sends no such key"
            pats = [p for p in _as_list(patterns) if isinstance(p, str)]
            if base in _NEGATED:
                ok = all(compare(p, value) for p in pats)
            else:
                ok = any(compare(p, value) for p in pats)
            if not ok:
                return False, f"{op} {key} {pats} does not match {value}"
    return True, ""


def iot_may_invoke(policy: Any, function_arn: str, rule_arn: str, source_account: str) -> Decision:
    """Evaluate a Lambda resource policy (dict or JSON text; None = no policy)."""
    if policy is None:
        return Decision(False, "the function has no resource-based policy")
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return Decision(False, "the function's resource-based policy is not JSON")
    context = {"aws:SourceArn": rule_arn, "aws:SourceAccount": source_account}
    allow: Optional[str] = None
    misses: list[str] = []
    for i, st in enumerate(_as_list(policy.get("Statement"))):
        if not isinstance(st, dict):
            continue
        sid = st.get("Sid") or f"#{i}"
        if not (_principal_matches(st.get("Principal")) and _action_matches(st.get("Action"))
                and _resource_matches(st.get("Resource"), function_arn)):
            continue
        ok, why = _conditions_match(st.get("Condition"), context)
        if not ok:
            misses.append(f"{sid}: {why}")
            continue
        if st.get("Effect") == "Deny":
            return Decision(False, f"statement {sid} denies it", sid)
        if st.get("Effect") == "Allow" and allow is None:
            allow = sid
    if allow is not None:
        return Decision(True, f"statement {allow} allows it", allow)
    if misses:
        return Decision(False, "no statement allows it (" + "; ".join(misses) + ")")
    return Decision(False, f"no statement allows {IOT_SERVICE} {INVOKE} on {function_arn}")
