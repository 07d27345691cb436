"""A loaded Definition back to the plain structure of a definition YAML file, and that
structure written as YAML that `load_definition` reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from forms.definition import Definition, Field
from forms.i18n import Message


def texts(m: Message) -> dict[str, str]:
    return {"vi": m.vi, "en": m.en}


def definition_to_raw(d: Definition) -> dict[str, Any]:
    raw: dict[str, Any] = {"form_id": d.form_id, "version": d.version, "title": texts(d.title)}
    if d.legal_basis:
        raw["legal_basis"] = d.legal_basis
    national = {name: cl.source for name, cl in d.lists.items() if cl.source != "form"}
    if national:
        raw["code_lists"] = national
    choices: dict[str, Any] = {}
    for name, cl in d.lists.items():
        if cl.source != "form":
            continue
        items = [{"code": c.code, **texts(c.label)} for c in cl.items]
        choices[name] = {"provisional": True, "items": items} if cl.provisional else items
    if choices:
        raw["choices"] = choices
    if d.summary:
        raw["summary"] = dict(d.summary)
    raw["fields"] = [field_to_raw(f) for f in d.fields]
    return raw


def field_to_raw(f: Field) -> dict[str, Any]:
    raw: dict[str, Any] = {"id": f.id, "type": f.type}
    if f.list_name:
        raw["list"] = f.list_name
    if f.filter_by:
        raw["filter_by"] = f.filter_by
    if f.required:
        raw["required"] = True
    elif f.required_expr:
        raw["required"] = f.required_expr
    for key in ("relevant", "calculation", "prefill"):
        if getattr(f, key):
            raw[key] = getattr(f, key)
    if f.search:
        raw["search"] = True
    if f.common:
        raw["common"] = list(f.common)
    if f.min_rows:
        raw["min_rows"] = f.min_rows
    for key in ("label", "row_label", "hint"):
        m = getattr(f, key)
        if m is not None:
            raw[key] = texts(m)
    if f.constraints:
        raw["constraints"] = [{"expr": c.expr, "severity": c.severity, "message": texts(c.message)} for c in f.constraints]
    if f.unique:
        raw["unique"] = [{"scope": u.scope, **({"within": list(u.within)} if u.within else {}), "severity": u.severity,
                          "message": texts(u.message)} for u in f.unique]
    if f.type in ("group", "roster"):
        raw["fields"] = [field_to_raw(c) for c in f.children]
    return raw


class _Flow(dict):
    """A mapping written on one line: {code: '1', vi: Nam, en: Male}."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Flow, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True))


def _compact(node: Any) -> Any:
    if isinstance(node, dict):
        if node and set(node) <= {"code", "vi", "en"}:
            return _Flow(node)
        return {k: _compact(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_compact(x) for x in node]
    return node


def dump_yaml(raw: dict[str, Any], header: str = "") -> str:
    """YAML in the style of the shipped definition: texts and code list items on one line."""
    body = yaml.dump(_compact(raw), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120,
                     default_flow_style=False)
    return header + body


def write_yaml(raw: dict[str, Any], path: Path, header: str = "") -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(dump_yaml(raw, header), encoding="utf-8")
    tmp.replace(path)
