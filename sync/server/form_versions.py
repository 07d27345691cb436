"""Questionnaire versions the province publishes: checked, stored, and handed to laptops."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, insert, select

from forms import codelists
from forms.definition import Definition, DefinitionError, definition_from_text
from forms.i18n import Message, message
from forms.registry import FormRegistry
from sync.server import feed
from sync.server.accounts import now
from sync.server.db import code_lists, form_versions, reading
from sync.server.errors import ServerError


class PublishError(ServerError):
    pass


def parse(text: str, name: str = "definition.yaml") -> Definition:
    """Load a definition from its YAML text with the same checks as a file on disk."""
    try:
        return definition_from_text(text, name)
    except DefinitionError as exc:
        raise PublishError(str(exc)) from None


def publish(engine: Engine, forms: FormRegistry, path: Path) -> Definition:
    """Publish a questionnaire version (a YAML definition, or an XLSForm workbook a province
    edited in Excel): every laptop gets it at its next sync."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from forms.xlsform.raw import dump_yaml
        from forms.xlsform.reader import WorkbookError, read_workbook

        try:
            imported = read_workbook(path)
        except WorkbookError as exc:
            raise PublishError(Message(exc.text("vi"), exc.text("en"))) from None
        text = dump_yaml(imported.raw, header=f"# Imported from {path.name}\n")
    else:
        text = path.read_text(encoding="utf-8")
    definition = parse(text, path.name)
    key = (definition.form_id, definition.version)
    try:
        shipped = forms.get(*key)
    except KeyError:
        shipped = None
    with engine.begin() as conn:
        stored = conn.execute(select(form_versions.c.definition).where(
            form_versions.c.form_id == key[0], form_versions.c.version == key[1])).scalar()
        if stored is not None or shipped is not None:
            same = stored == text if stored is not None else _shipped_text(shipped) == text
            if not same:
                raise PublishError(message("admin_form_exists", form_id=key[0], version=key[1]))
            if stored is not None:
                return definition  # published before: nothing to do
        conn.execute(insert(form_versions).values(form_id=key[0], version=key[1], definition=text, published_at=now()))
        feed.publish(conn, "form", {"form_id": key[0], "version": key[1], "definition": text})
    forms.add(definition)
    return definition


def _shipped_text(definition: Definition | None) -> str | None:
    try:
        return Path(definition.source).read_text(encoding="utf-8") if definition else None
    except OSError:
        return None


def publish_code_list(engine: Engine, name: str, path: Path, *, version: str, source: str = "") -> bool:
    """Publish a national code list under a new name; False if published before, the same."""
    text = path.read_text(encoding="utf-8-sig")
    load_code_lists(engine)
    try:
        added = codelists.publish(name, version, text, source)
    except codelists.CodeListError as exc:
        raise PublishError(str(exc)) from None
    if not added:
        return False
    with engine.begin() as conn:
        conn.execute(insert(code_lists).values(name=name, version=version, source=source, csv=text, published_at=now()))
        feed.publish(conn, "code_list", {"name": name, "version": version, "source": source, "csv": text})
    return True


def load_code_lists(engine: Engine) -> None:
    """Make the code lists published to this server known to this process."""
    with reading(engine) as conn:
        rows = conn.execute(select(code_lists)).fetchall()
    for row in rows:
        codelists.publish(row.name, row.version, row.csv, row.source)


class ServerForms(FormRegistry):
    """The shipped versions plus those published to this server's database (by another
    process, perhaps: the administrator's command), looked up when first needed."""

    def __init__(self, engine: Engine):
        load_code_lists(engine)
        super().__init__()
        self.db_engine = engine

    def get(self, form_id: str, version: str) -> Definition:
        try:
            return super().get(form_id, version)
        except KeyError:
            with reading(self.db_engine) as conn:
                text = conn.execute(select(form_versions.c.definition).where(
                    form_versions.c.form_id == form_id, form_versions.c.version == version)).scalar()
            if text is None:
                raise
            load_code_lists(self.db_engine)  # a new version may use a list published since we started
            definition = parse(text, f"{form_id}-{version}.yaml")
            self.add(definition)
            return definition
