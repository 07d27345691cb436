"""Households whose personal data is easy to look for: names and citizen IDs found nowhere else
(not in the code lists, not in the questionnaire)."""

from __future__ import annotations

import copy
from typing import Any

from tests import factories as fx

NAMES = ["Khổng Thị Xuyến", "Lường Văn Quỳnh", "Triệu Thị Nhung", "Ông Văn Khoát"]
_ADULTS = [(1975, "2"), (1978, "1"), (2001, "2"), (2004, "1")]  # birth year and sex of the factory's adults


def citizen_ids(i: int) -> list[str]:
    return [fx.citizen_id(year, sex, serial=987600 + 10 * i + j) for j, (year, sex) in enumerate(_ADULTS)]


CITIZEN_IDS = citizen_ids(0)
ADDRESS = "Ngõ 77 Triệu Quốc Đạt"
SECRETS = [*NAMES, *CITIZEN_IDS, ADDRESS]


def secret_household(i: int = 0) -> dict[str, Any]:
    """A valid household (it can be marked complete) whose four adults carry NAMES and CITIZEN_IDS."""
    rec = fx.household(household_code=f"HT-SEC-{i}", address=ADDRESS)
    rec["uuid"] = f"5ec0e7{i:02d}-0000-4000-8000-000000000000"
    for j, (name, cid, (_year, sex)) in enumerate(zip(NAMES, citizen_ids(i), _ADULTS, strict=True)):
        rec["members"][j]["full_name"] = name if i == 0 else f"{name} {i}"
        rec["members"][j]["citizen_id"] = cid
        rec["members"][j]["sex"] = sex
    rec["members"][0]["relation"], rec["members"][1]["relation"] = "1", "2"
    return copy.deepcopy(rec)
