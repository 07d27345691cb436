"""Realistic households for tests: Thanh Hóa (38), Phường Hạc Thành (14797), Sơn La (14)."""

from __future__ import annotations

import copy
import functools
import random
import uuid as uuidlib
from typing import Any

INTERVIEW_DATE = "2026-10-15"


def citizen_id(birth_year: int, sex: str, province: str = "038", serial: int = 1234) -> str:
    """A 12-digit citizen ID that agrees with the birth year and sex (sex "1" male, "2" female)."""
    century = (birth_year // 100 - 19) * 2 + (0 if sex == "1" else 1)
    return f"{province}{century}{birth_year % 100:02d}{serial:06d}"


def member(name: str, relation: str, birth: str, sex: str, **answers: Any) -> dict[str, Any]:
    row = {"full_name": name, "relation": relation, "birth_date": birth, "sex": sex,
           "ethnicity": "01", "residence": "1"}
    row.update(answers)
    return row


def employed(**extra: Any) -> dict[str, Any]:
    d = {"general_education": "4", "qualification": "1", "labour_status": "1", "abroad_status": "3", "employment_status": "4",
         "job": "Công nhân may", "social_insurance": "1", "contract": "2", "workplace_name": "Công ty May Thanh Hóa",
         "workplace_type": "3", "economic_sector": "C", "workplace_address": "Phường Hạc Thành, Thanh Hóa",
         "job_wanted": "0", "training_wanted": "0"}
    d.update(extra)
    return d


def unemployed(**extra: Any) -> dict[str, Any]:
    d = {"general_education": "4", "qualification": "1", "labour_status": "2", "abroad_status": "3", "unemployment_type": "2",
         "previous_job": "Phụ hồ", "unemployment_duration": "2", "job_wanted": "2", "destination_country": "JP",
         "abroad_needs": ["1"], "language_test": "0", "training_wanted": "1", "training_field_wanted": "Điều dưỡng"}
    d.update(extra)
    return d


def inactive(reason: str = "3", **extra: Any) -> dict[str, Any]:
    d = {"general_education": "2", "qualification": "1", "labour_status": "3", "abroad_status": "3", "inactive_reason": reason,
         "job_wanted": "0", "training_wanted": "0"}
    d.update(extra)
    return d


def household(**overrides: Any) -> dict[str, Any]:
    """A complete, valid 5-member household of the current questionnaire (version 2): every labour
    branch, a daughter working in Taiwan under contract, a son who wants to go to Japan, and one
    child under 15."""
    rec = {
        "household": {
            "province_code": "38", "commune_code": "14797", "village": "Tổ dân phố Đông Sơn",
            "household_code": "HT-0001", "address": "12 Lê Lợi", "area": "1", "poverty_class": "3",
            "phone": "0912345678", "interview_date": INTERVIEW_DATE, "officer": "Nguyễn Thị Lan",
        },
        "members": [
            member("Đặng Văn Hùng", "1", "1975-04-12", "1", citizen_id=citizen_id(1975, "1", serial=1),
                   **employed()),
            member("Lê Thị Hoà", "2", "1978", "2", citizen_id=citizen_id(1978, "2", serial=2),
                   **inactive("3")),
            member("Đặng Minh Đức", "3", "2001-09-30", "1", citizen_id=citizen_id(2001, "1", serial=3),
                   **unemployed()),
            member("Đặng Thị Ngọc Ánh", "3", "2004-02-01", "2", citizen_id=citizen_id(2004, "2", serial=4),
                   **employed(workplace_type="11", workplace_country="TW", economic_sector="C",
                              workplace_address=None, job="Công nhân điện tử", workplace_name="Foxconn",
                              abroad_status="1", departure_month=8, departure_year=2024, contract_months=36,
                              abroad_sector="3", abroad_channel="1", policy_loan="2")),
            member("Đặng Gia Bảo", "3", "2014-06-01", "1"),
        ],
    }
    rec["members"][3] = {k: v for k, v in rec["members"][3].items() if v is not None}
    for key, value in overrides.items():
        rec["household"][key] = value
    return rec


@functools.cache
def _v1_questions() -> frozenset[str]:
    from forms.registry import FormRegistry  # here: factories stay importable without the forms

    return frozenset(FormRegistry().get("labour_supply", "1").by_id)


def household_v1(**overrides: Any) -> dict[str, Any]:
    """household() as questionnaire version 1 recorded it: only the questions version 1 asks
    (no labour-export module)."""
    rec = household(**overrides)
    rec["members"] = [{k: v for k, v in m.items() if k in _v1_questions()} for m in rec["members"]]
    return {**rec, "form_id": "labour_supply", "form_version": "1"}


VILLAGES = ["Tổ dân phố Đông Sơn", "Tổ dân phố Hạc Thành", "Thôn Yên Trường", "Bản Mường Khoa", "Thôn Đồng Tâm"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lò", "Hà"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Ngọc", "Thanh", "Hữu", "Xuân"]
GIVEN = ["Hùng", "Lan", "Đức", "Ánh", "Bảo", "Hoà", "Tuấn", "Hương", "Dũng", "Thảo", "Quý", "Yến", "Sơn", "Nga"]


def generated(n: int, seed: int = 1, members: int | None = None) -> list[dict[str, Any]]:
    """n varied, mostly valid households with distinct codes and citizen IDs."""
    rnd = random.Random(seed)
    base = household()
    out = []
    for i in range(n):
        rec = copy.deepcopy(base)
        rec["uuid"] = str(uuidlib.UUID(int=rnd.getrandbits(128), version=4))
        hh = rec["household"]
        hh["household_code"] = f"HT-{i + 1:06d}"
        hh["village"] = rnd.choice(VILLAGES)
        surname = rnd.choice(SURNAMES)
        size = members or rnd.randint(1, 8)
        rows = []
        for j in range(size):
            template = copy.deepcopy(base["members"][min(j, 4) if j < 5 else rnd.choice([2, 3])])
            if j >= 5:
                template["relation"] = rnd.choice(["6", "7", "8"])
            name = f"{surname} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
            template["full_name"] = name
            year = int(template["birth_date"][:4])
            template.pop("citizen_id", None)
            if year <= 2008:
                template["citizen_id"] = citizen_id(year, template["sex"], serial=(i * 10 + j) % 1_000_000)
            rows.append(template)
        rec["members"] = rows
        out.append(rec)
    return out
