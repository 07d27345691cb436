"""XLSForm expressions (`${labour_status} = 1 and ${age} >= 15`): parsed with lark, checked,
and compiled to Python closures so that re-evaluating a household is cheap."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from forms.functions import FUNCTIONS, SPECIAL_FORMS
from forms.xpath_values import arith, compare, equals, to_bool, to_num

Compiled = Callable[[Any], Any]
# Given a field id, returns Python source reading that field's value from the context `c`.
Resolver = Callable[[str], str]

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr | or_expr "or" and_expr -> or_
?and_expr: eq_expr | and_expr "and" eq_expr -> and_
?eq_expr: rel_expr | eq_expr EQ_OP rel_expr -> binop
?rel_expr: add_expr | rel_expr REL_OP add_expr -> binop
?add_expr: mul_expr | add_expr ADD_OP mul_expr -> binop
?mul_expr: unary | mul_expr MUL_OP unary -> binop
?unary: primary | "-" unary -> neg
?primary: NUMBER -> number
        | STRING -> string
        | "${" NAME "}" -> ref
        | "." -> dot
        | FUNC "(" [or_expr ("," or_expr)*] ")" -> call
        | "(" or_expr ")"
EQ_OP: "!=" | "="
REL_OP: "<=" | ">=" | "<" | ">"
ADD_OP: "+" | "-"
MUL_OP: "*" | "div" | "mod"
FUNC: /[a-zA-Z_][a-zA-Z0-9_:-]*(?=\()/
NAME: /[A-Za-z_][A-Za-z0-9_]*/
NUMBER: /\d+(\.\d*)?|\.\d+/
STRING: /'[^']*'|"[^"]*"/
%ignore /\s+/
"""


class ExpressionError(ValueError):
    """An expression that cannot be parsed or refers to something that does not exist."""


@functools.cache
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", maybe_placeholders=True)


@functools.lru_cache(maxsize=4096)
def parse(source: str) -> Tree:
    try:
        return _parser().parse(source)
    except UnexpectedInput as exc:
        col = getattr(exc, "column", "?")
        raise ExpressionError(
            f"syntax error at column {col} of {source!r}:\n{exc.get_context(source).rstrip()}"
        ) from None


def references(source: str) -> set[str]:
    """Every ${field} an expression reads."""
    return {str(t.children[0]) for t in parse(source).iter_subtrees() if t.data == "ref"}


def uses_dot(source: str) -> bool:
    return any(t.data == "dot" for t in parse(source).iter_subtrees())


def compile_expression(source: str, resolve: Resolver) -> Compiled:
    """A function computing the expression for a context (see forms.engine.Context).

    The expression is translated to one Python expression and compiled, so evaluating it
    costs one call plus the XPath helpers it needs, not one call per syntax node."""
    code = to_python(parse(source), resolve)
    # Safe: the code is generated from a parsed tree of a small grammar, names come from the
    # definition's fields, and the namespace has no builtins.
    return eval(f"lambda c: {code}", _NAMESPACE)


def to_python(node: Tree | Token, resolve: Resolver) -> str:
    """Python source for a parsed expression. `resolve` gives the source reading a field."""
    if isinstance(node, Token):
        raise ExpressionError(f"unexpected token {node!r}")
    kind = node.data
    if kind == "number":
        text = str(node.children[0])
        return repr(float(text) if "." in text else int(text))
    if kind == "string":
        return repr(str(node.children[0])[1:-1])
    if kind == "ref":
        return resolve(str(node.children[0]))
    if kind == "dot":
        return "c.dot"
    if kind == "neg":
        return f"(-_num({to_python(node.children[0], resolve)}))"
    if kind in ("or_", "and_"):
        a, b = (_as_bool(ch, resolve) for ch in node.children)
        return f"({a} {'or' if kind == 'or_' else 'and'} {b})"
    if kind == "binop":
        left, op_token, right = node.children
        op = str(op_token)
        a, b = to_python(left, resolve), to_python(right, resolve)
        if op == "=" and isinstance(right, Tree) and right.data == "number":
            return f"_eq_number({a}, {b})"  # the common `${x} = 1`
        if op == "=":
            return f"_equals({a}, {b})"
        if op == "!=":
            return f"(not _equals({a}, {b}))"
        if op in _COMPARISONS:
            return f"{_COMPARISONS[op]}({a}, {b})"
        return f"_arith({a}, {b}, {op!r})"
    if kind == "call":
        return _call_to_python(node, resolve)
    raise ExpressionError(f"unsupported expression part {kind!r}")


def _call_to_python(node: Tree, resolve: Resolver) -> str:
    name = str(node.children[0])
    args = [to_python(ch, resolve) for ch in node.children[1:] if ch is not None]
    if name in SPECIAL_FORMS:
        lo, hi = SPECIAL_FORMS[name]
        _check_arity(name, len(args), lo, hi)
        _, then, other = args
        return f"({then} if {_as_bool(node.children[1], resolve)} else {other})"
    if name not in FUNCTIONS:
        raise ExpressionError(f"unknown function {name}()")
    _, lo, hi = FUNCTIONS[name]
    _check_arity(name, len(args), lo, hi)
    return f"_fn[{name!r}](c{''.join(', ' + a for a in args)})"


_BOOLEAN_CALLS = {"not", "true", "false", "boolean", "selected", "regex", "contains", "starts-with", "ends-with",
                  "in-list"}


def _as_bool(node: Tree | Token, resolve: Resolver) -> str:
    """Source for the truth value of a sub-expression; no conversion where it is already one."""
    code = to_python(node, resolve)
    if isinstance(node, Tree) and (
        node.data in ("or_", "and_")
        or (node.data == "binop" and str(node.children[1]) in ("=", "!=", "<", "<=", ">", ">="))
        or (node.data == "call" and str(node.children[0]) in _BOOLEAN_CALLS)
    ):
        return code
    return f"_bool({code})"


def _eq_number(v: Any, n: int | float) -> bool:
    if v is None:
        return False
    if v.__class__ is str:
        return to_num(v) == n
    if isinstance(v, (list, tuple, bool)):
        return equals(v, n)
    return to_num(v) == n


_COMPARISONS = {"<": "_lt", "<=": "_le", ">": "_gt", ">=": "_ge"}
_NAMESPACE: dict[str, Any] = {
    "__builtins__": {},
    "_bool": to_bool, "_num": to_num, "_equals": equals, "_eq_number": _eq_number, "_arith": arith,
    "_lt": lambda a, b: compare(a, b, "<"), "_le": lambda a, b: compare(a, b, "<="),
    "_gt": lambda a, b: compare(a, b, ">"), "_ge": lambda a, b: compare(a, b, ">="),
    "_fn": {name: fn for name, (fn, _, _) in FUNCTIONS.items()},
}


def _check_arity(name: str, n: int, lo: int, hi: int | None) -> None:
    if n < lo or (hi is not None and n > hi):
        want = str(lo) if lo == hi else f"{lo} to {hi}" if hi is not None else f"at least {lo}"
        raise ExpressionError(f"{name}() takes {want} argument(s), given {n}")
