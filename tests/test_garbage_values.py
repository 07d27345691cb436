"""Any value in any question, as a misread paper form or another tool's file may hold: the
record is refused for its shape (RecordError) or saved as a draft with findings; the engine
never fails and nothing saved is lost."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.definition import Definition
from forms.engine import Engine
from forms.records import RecordError, normalize
from forms.registry import FormRegistry
from forms.store import Store
from tests import factories as fx

REGISTRY = FormRegistry()
DEFINITION: Definition = REGISTRY.current()
HOUSEHOLD_QUESTIONS = [f.id for f in DEFINITION.answer_fields(None)]
MEMBER_QUESTIONS = [f.id for f in DEFINITION.answer_fields("members")]

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30) | st.sampled_from(["", " ", "0", "01", "1985", "31/02/1990", "2026-13-45", "Đặng",
                                              "e\u0301", "\x00", "NaN", "1e999", "038075000001"]),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=4,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hh=st.dictionaries(st.sampled_from(HOUSEHOLD_QUESTIONS), values, max_size=5),
       member=st.dictionaries(st.sampled_from(MEMBER_QUESTIONS), values, max_size=8),
       row=st.integers(0, 4))
def test_any_values_are_refused_or_reported_never_a_crash(hh: dict, member: dict, row: int) -> None:
    rec = fx.household()
    rec["household"].update(hh)
    rec["members"][row].update(member)
    try:
        clean = normalize(DEFINITION, rec)
    except RecordError as exc:
        assert exc.problems
        return
    ev = Engine(DEFINITION).evaluate(clean, today="2026-11-23")
    for f in ev.findings:
        assert f.text("vi") and f.text("en")


def test_garbage_saved_as_draft_survives(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite", REGISTRY)
    rec = fx.household()
    rec["members"][0].update(birth_date="31/02/1990", relation="99", citizen_id="12ab", labour_status="9")
    rec["household"]["interview_date"] = "hôm qua"
    saved = store.save(rec, actor="lan")
    assert saved.household.status == "draft" and saved.household.error_count >= 4
    back = store.get(saved.household.uuid).record
    assert back["members"][0]["relation"] == "99" and back["household"]["interview_date"] == "hôm qua"
    assert back["members"][0]["birth_date"] == "31/02/1990"  # kept as written, reported as an error
    assert any(f.ref.field == "birth_date" and f.rule == "type" for f in saved.evaluation.errors)
    store.close()
