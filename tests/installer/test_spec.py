"""What installer/labour-survey.spec leaves out of each bundle is really unused there: a quick
check of the project's imports (top-level and inside functions, as PyInstaller sees them), so
that a new import breaks this test at once rather than the program on an officer's laptop."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "installer" / "labour-survey.spec"
OWN = ("forms", "desktop", "sync", "resources")


def spec_list(name: str) -> list[str]:
    """A list of names assigned in the spec (kept there, read here)."""
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not in {SPEC}")


def module_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports(path: Path, module: str) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def reachable(start: list[str]) -> tuple[set[str], dict[str, str]]:
    """The project's modules imported from `start`, and every outside package imported on the
    way (with one module that imports it)."""
    seen: set[str] = set()
    outside: dict[str, str] = {}
    todo = list(start)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = module_file(module)
        if path is None:
            continue
        for name in imports(path, module):
            if name.split(".")[0] in OWN:
                if module_file(name):
                    todo.append(name)
            else:
                outside.setdefault(name.split(".")[0], module)
    return seen, outside


def modules_under(folder: str) -> list[str]:
    return [".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            for p in sorted((ROOT / folder).rglob("*.py"))]


def test_the_officers_program_needs_no_server_package() -> None:
    start = [m for m in modules_under("desktop") + modules_under("forms") + modules_under("sync")
             if not m.startswith("sync.server")]
    _modules, outside = reachable(start)
    left_out = set(spec_list("SERVER_ONLY")) | set(spec_list("EXCLUDE_ALWAYS"))
    assert {name: by for name, by in outside.items() if name in left_out} == {}


def test_the_server_needs_no_desktop_package() -> None:
    modules, outside = reachable(["sync.server.cli", *modules_under("sync/server")])
    left_out = set(spec_list("DESKTOP_ONLY")) | set(spec_list("EXCLUDE_ALWAYS"))
    assert {name: by for name, by in outside.items() if name in left_out} == {}
    assert "forms.definition" in modules  # the walk does follow the project's imports


def test_the_qt_modules_used_are_not_left_out() -> None:
    used = {".".join(name.split(".")[:2]) for path in (ROOT / "desktop").rglob("*.py")
            for name in imports(path, "desktop.x") if name.startswith("PySide6.")}
    assert {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"} <= used
    assert used.isdisjoint("PySide6." + m for m in spec_list("QT_UNUSED_MODULES"))
