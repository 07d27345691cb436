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
# Given a field id, returns a closure reading that field's value from an evaluation context.
Resolver = Callable[[str], Compiled]

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
    """A closure computing the expression for a context (see forms.engine.Context)."""
    return _compile(parse(source), resolve)


def _compile(node: Tree | Token, resolve: Resolver) -> Compiled:
    if isinstance(node, Token):  # a bare parenthesised literal never reaches here
        raise ExpressionError(f"unexpected token {node!r}")
    kind = node.data
    if kind == "number":
        text = str(node.children[0])
        value: Any = float(text) if "." in text else int(text)
        return lambda _c: value
    if kind == "string":
        s = str(node.children[0])[1:-1]
        return lambda _c: s
    if kind == "ref":
        return resolve(str(node.children[0]))
    if kind == "dot":
        return lambda c: c.dot
    if kind == "neg":
        inner = _compile(node.children[0], resolve)
        return lambda c: -to_num(inner(c))
    if kind in ("or_", "and_"):
        a, b = (_compile(ch, resolve) for ch in node.children)
        if kind == "or_":
            return lambda c: to_bool(a(c)) or to_bool(b(c))
        return lambda c: to_bool(a(c)) and to_bool(b(c))
    if kind == "binop":
        return _compile_binop(node, resolve)
    if kind == "call":
        return _compile_call(node, resolve)
    raise ExpressionError(f"unsupported expression part {kind!r}")


def _compile_binop(node: Tree, resolve: Resolver) -> Compiled:
    left, op_token, right = node.children
    op = str(op_token)
    a, b = _compile(left, resolve), _compile(right, resolve)
    if op == "=":
        # The common case `${x} = 1`: compare numbers without the general machinery.
        if isinstance(right, Tree) and right.data == "number":
            n = to_num(str(right.children[0]))
            return lambda c: (v := a(c)) is not None and (
                to_num(v) == n if not isinstance(v, (list, tuple, bool)) else equals(v, n)
            )
        return lambda c: equals(a(c), b(c))
    if op == "!=":
        return lambda c: not equals(a(c), b(c))
    if op in ("<", "<=", ">", ">="):
        return lambda c: compare(a(c), b(c), op)
    return lambda c: arith(a(c), b(c), op)


def _compile_call(node: Tree, resolve: Resolver) -> Compiled:
    name = str(node.children[0])
    arg_nodes = [ch for ch in node.children[1:] if ch is not None]
    args = [_compile(ch, resolve) for ch in arg_nodes]
    if name in SPECIAL_FORMS:
        lo, hi = SPECIAL_FORMS[name]
        _check_arity(name, len(args), lo, hi)
        cond, then, other = args
        return lambda c: then(c) if to_bool(cond(c)) else other(c)
    if name not in FUNCTIONS:
        raise ExpressionError(f"unknown function {name}()")
    fn, lo, hi = FUNCTIONS[name]
    _check_arity(name, len(args), lo, hi)
    if len(args) == 1:
        (x,) = args
        return lambda c: fn(c, x(c))
    if len(args) == 2:
        x, y = args
        return lambda c: fn(c, x(c), y(c))
    return lambda c: fn(c, *(f(c) for f in args))


def _check_arity(name: str, n: int, lo: int, hi: int | None) -> None:
    if n < lo or (hi is not None and n > hi):
        want = str(lo) if lo == hi else f"{lo} to {hi}" if hi is not None else f"at least {lo}"
        raise ExpressionError(f"{name}() takes {want} argument(s), given {n}")
