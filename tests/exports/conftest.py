from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from forms.exchange import import_jsonl
from forms.store import Store
from tests import factories as fx


def survey_households() -> list[dict[str, Any]]:
    """The sample household (every labour branch, a year-alone birth date, a child) with a Tày
    member in two priority groups, plus 20 generated households."""
    first = fx.household()
    first["uuid"] = "0f5b1c2e-1111-4a3b-9c4d-000000000001"
    hoa = first["members"][1]
    hoa["ethnicity"] = "02"
    hoa["priority_groups"] = ["1", "4"]
    return [first, *fx.generated(20, seed=3)]


@pytest.fixture
def filled_store(store: Store) -> Store:
    lines = [json.dumps(r, ensure_ascii=False) for r in survey_households()]
    report = import_jsonl(store, lines, actor="lan")
    assert report.added == 21 and not report.bad
    return store


def store_records(store: Store) -> list[dict[str, Any]]:
    return [store.get(h.uuid).export() for h in store.list(limit=10_000)]


@pytest.fixture
def records(filled_store: Store) -> list[dict[str, Any]]:
    return store_records(filled_store)


def rows_by(data: dict[str, list[Any]], key: str, value: Any) -> list[int]:
    return [i for i, v in enumerate(data[key]) if v == value]


def out_dir(tmp_path: Path, name: str = "out") -> Path:
    return tmp_path / name
