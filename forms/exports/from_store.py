"""What the laptop exports: households of the local store, in the order a statistician reads
them, with the questionnaire versions they were taken with. (The export itself takes plain
records, so the server can feed it from its own database.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from forms.definition import Definition
from forms.store import Store


def store_selection(store: Store, statuses: Sequence[str] | None = None,
                    progress: Callable[[int, int], None] | None = None) -> tuple[list[Definition], Iterator[dict[str, Any]], int]:
    """(definitions, records, count) of the households with one of `statuses` (all if None),
    sorted by province, commune, village and household code. Records are read one at a time."""
    wanted = [h for h in store.list(limit=2**62) if not statuses or h.status in statuses]
    wanted.sort(key=lambda h: (h.province_code or "", h.commune_code or "", h.village or "", h.household_code or "", h.uuid))
    versions = sorted({(h.form_id, h.form_version) for h in wanted})
    definitions = [store.forms.get(f, v) for f, v in versions] or [store.forms.current()]

    def records() -> Iterator[dict[str, Any]]:
        for i, h in enumerate(wanted):
            if progress is not None:
                progress(i, len(wanted))
            yield store.get(h.uuid).export()

    return definitions, records(), len(wanted)
