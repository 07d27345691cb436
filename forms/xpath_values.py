"""XPath value conversions and comparisons, as XLSForm tools (ODK, Kobo) apply them.

An unanswered question is None and reads as the empty string. Roster fields read from
outside their roster are lists (XPath node-sets).
"""

from __future__ import annotations

import math
import re
from typing import Any

NAN = float("nan")
_NUMBER = re.compile(r"\s*-?(\d+(\.\d*)?|\.\d+)\s*\Z")


def to_bool(v: Any) -> bool:
    if v is True or v is False:
        return v
    if v is None:
        return False
    if isinstance(v, (int, float)):
        return v != 0 and not math.isnan(v)
    if isinstance(v, (list, tuple)):
        return len(v) > 0
    return v != ""


_NUM_CACHE: dict[str, int | float] = {}


def to_num(v: Any) -> int | float:
    cls = v.__class__
    if cls is int or cls is float:
        return v
    if cls is str:
        # Answers compared with numbers are mostly codes ("1", "01"): a small, repeating set.
        n = _NUM_CACHE.get(v)
        if n is not None:
            return n
        if _NUMBER.match(v):
            s = v.strip()
            n = float(s) if "." in s else int(s)
        else:
            n = NAN
        if len(_NUM_CACHE) < 4096:
            _NUM_CACHE[v] = n
        return n
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, (list, tuple)) and v:
        return to_num(v[0])
    return NAN


def to_str(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, (list, tuple)):
        return " ".join(to_str(x) for x in v)
    return str(v)


def is_numeric(v: Any) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)) or (
        isinstance(v, str) and _NUMBER.match(v) is not None
    )


def equals(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)):
        return any(equals(x, b) for x in a)
    if isinstance(b, (list, tuple)):
        return any(equals(a, x) for x in b)
    if isinstance(a, bool) or isinstance(b, bool):
        return to_bool(a) == to_bool(b)
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        return to_num(a) == to_num(b)
    return to_str(a) == to_str(b)


def compare(a: Any, b: Any, op: str) -> bool:
    """<, <=, >, >=: numerically when both sides are numbers, else as text (ISO dates)."""
    if a is None or b is None or a == "" or b == "":
        return False
    if a.__class__ is int and b.__class__ is int:  # ages, counts
        return a < b if op == "<" else a <= b if op == "<=" else a > b if op == ">" else a >= b
    if is_numeric(a) and is_numeric(b):
        x, y = to_num(a), to_num(b)
    elif isinstance(a, str) and isinstance(b, str):
        x, y = a, b
    else:
        x, y = to_num(a), to_num(b)
        if math.isnan(x) or math.isnan(y):
            return False
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def arith(a: Any, b: Any, op: str) -> int | float:
    x, y = to_num(a), to_num(b)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        if y == 0:
            return NAN if x == 0 or math.isnan(x) else math.copysign(math.inf, x)
        return x / y
    if y == 0 or math.isnan(x) or math.isnan(y):
        return NAN
    return math.fmod(x, y) if isinstance(x, float) or isinstance(y, float) else int(math.fmod(x, y))
