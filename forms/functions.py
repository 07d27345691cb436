"""The XLSForm function library (the part a household questionnaire uses), plus two
documented extensions: age-at() and in-list().

Every function is total: bad input gives an empty or NaN result, never an exception, so a
typo on a paper form cannot stop the engine.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from typing import Any, Protocol

from forms.xpath_values import NAN, to_bool, to_num, to_str


class Context(Protocol):
    today: str

    def code_set(self, name: str) -> frozenset[str]: ...


def parse_partial_date(value: Any) -> tuple[int, int | None, int | None] | None:
    """'1985' -> (1985, None, None); '1985-03-07' -> (1985, 3, 7); anything else -> None."""
    s = to_str(value).strip()
    if len(s) == 4 and s.isdigit():
        return int(s), None, None
    try:
        d = dt.date.fromisoformat(s)
    except ValueError:
        return None
    if len(s) != 10:
        return None
    return d.year, d.month, d.day


def age_at(birth: Any, when: Any) -> int | None:
    """Completed years at `when`; with a year-only birth date, the difference of years."""
    b, w = parse_partial_date(birth), parse_partial_date(when)
    if b is None or w is None:
        return None
    years = w[0] - b[0]
    if b[1] is not None and w[1] is not None and (w[1], w[2] or 0) < (b[1], b[2] or 0):
        years -= 1
    return years


def _items(args: tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for a in args:
        if isinstance(a, (list, tuple)):
            out.extend(a)
        else:
            out.append(a)
    return [x for x in out if x is not None and x != ""]


def _selected_values(v: Any) -> list[str]:
    if isinstance(v, (list, tuple)):
        return [to_str(x) for x in v]
    return to_str(v).split()


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _regex_match(_c: Context, s: Any, pattern: Any) -> bool:
    rx = _regex(to_str(pattern))
    return bool(rx and rx.search(to_str(s)))


def _substr(_c: Context, s: Any, start: Any, end: Any = None) -> str:
    text = to_str(s)
    a = to_num(start)
    if math.isnan(a):
        return ""
    if end is None:
        return text[int(a):]
    b = to_num(end)
    return "" if math.isnan(b) else text[int(a):int(b)]


def _int(_c: Context, v: Any) -> int | float:
    n = to_num(v)
    return n if isinstance(n, int) or math.isnan(n) or math.isinf(n) else int(n)


def _round(_c: Context, v: Any, digits: Any = 0) -> int | float:
    n, d = to_num(v), to_num(digits)
    if math.isnan(n) or math.isnan(d):
        return NAN
    # XPath rounds half up, Python's round() rounds half to even.
    factor = 10 ** int(d)
    r = math.floor(n * factor + 0.5) / factor
    return int(r) if int(d) <= 0 else r


def _format_date(_c: Context, value: Any, fmt: Any) -> str:
    p = parse_partial_date(value)
    if p is None:
        return ""
    y, m, d = p
    parts = {
        "%Y": f"{y:04d}", "%y": f"{y % 100:02d}",
        "%m": f"{m:02d}" if m else "", "%n": str(m) if m else "",
        "%d": f"{d:02d}" if d else "", "%e": str(d) if d else "",
    }
    return re.sub(r"%[Yymnde]", lambda mt: parts.get(mt.group(0), mt.group(0)), to_str(fmt))


def _date(_c: Context, v: Any) -> str:
    p = parse_partial_date(v)
    if p is None or p[1] is None:
        return ""
    return f"{p[0]:04d}-{p[1]:02d}-{p[2]:02d}"


def _min_max(pick: Callable[[list[Any]], Any]) -> Callable[..., Any]:
    def fn(_c: Context, *args: Any) -> Any:
        nums = [n for n in (to_num(x) for x in _items(args)) if not math.isnan(n)]
        return pick(nums) if nums else None
    return fn


def _sum(_c: Context, v: Any) -> int | float:
    return sum(n for n in (to_num(x) for x in _items((v,))) if not math.isnan(n))


# name -> (function taking the context first, fewest arguments, most arguments or None)
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    "selected": (lambda _c, v, code: to_str(code) in _selected_values(v), 2, 2),
    "count-selected": (lambda _c, v: len(_selected_values(v)), 1, 1),
    "count": (lambda _c, v: len(v) if isinstance(v, (list, tuple)) else int(v is not None), 1, 1),
    "sum": (_sum, 1, 1),
    "max": (_min_max(max), 1, None),
    "min": (_min_max(min), 1, None),
    "not": (lambda _c, v: not to_bool(v), 1, 1),
    "true": (lambda _c: True, 0, 0),
    "false": (lambda _c: False, 0, 0),
    "boolean": (lambda _c, v: to_bool(v), 1, 1),
    "string": (lambda _c, v: to_str(v), 1, 1),
    "number": (lambda _c, v: to_num(v), 1, 1),
    "int": (_int, 1, 1),
    "round": (_round, 1, 2),
    "abs": (lambda _c, v: abs(to_num(v)), 1, 1),
    "string-length": (lambda _c, v: len(to_str(v)), 1, 1),
    "substr": (_substr, 2, 3),
    "concat": (lambda _c, *a: "".join(to_str(x) for x in a), 0, None),
    "join": (lambda _c, sep, v: to_str(sep).join(to_str(x) for x in _items((v,))), 2, 2),
    "contains": (lambda _c, s, t: to_str(t) in to_str(s), 2, 2),
    "starts-with": (lambda _c, s, t: to_str(s).startswith(to_str(t)), 2, 2),
    "ends-with": (lambda _c, s, t: to_str(s).endswith(to_str(t)), 2, 2),
    "normalize-space": (lambda _c, s: " ".join(to_str(s).split()), 1, 1),
    "regex": (_regex_match, 2, 2),
    "coalesce": (lambda _c, a, b: a if a not in (None, "") else b, 2, 2),
    "today": (lambda c: c.today, 0, 0),
    "date": (_date, 1, 1),
    "format-date": (_format_date, 2, 2),
    # Extensions of this program (documented in the README):
    "age-at": (lambda _c, b, w: age_at(b, w), 2, 2),
    "in-list": (lambda c, name, code: to_str(code) in c.code_set(to_str(name)), 2, 2),
}

# if() is evaluated lazily by the compiler; listed here for arity checks.
SPECIAL_FORMS: dict[str, tuple[int, int]] = {"if": (3, 3)}
