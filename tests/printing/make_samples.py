"""Sample pages of the printed forms and the report, as PNG, for docs/printing/.

    .venv/bin/python -m tests.printing.make_samples [docs/printing]

Needs pdftoppm (Debian: poppler-utils). The data are made up: the households of
tests/factories, varied so that the report has something to count.
"""

from __future__ import annotations

import copy
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from forms.printing import household_form, report
from forms.progress import TaskState
from forms.registry import FormRegistry
from forms.store import Store
from tests import factories

DPI = 90


def varied(n: int, seed: int = 7) -> list[dict]:
    """Households with every labour status, education level and some destinations abroad."""
    rnd = random.Random(seed)
    out = []
    for rec in factories.generated(n, seed=seed):
        rec["household"]["interview_date"] = f"2026-10-{rnd.randint(1, 15):02d}"
        rec["household"]["officer"] = rnd.choice(["Nguyễn Thị Lan", "Lò Văn Sáng"])
        rec["household"]["poverty_class"] = rnd.choice("1233333")
        for m in rec["members"]:
            if "labour_status" not in m:
                continue
            kind = rnd.choice([factories.employed, factories.employed, factories.unemployed, factories.inactive])
            keep = {k: m[k] for k in ("full_name", "relation", "sex", "ethnicity", "residence", "citizen_id") if k in m}
            m.clear()
            m.update(keep, **kind())
            year = rnd.randint(1950, 2008)
            m["birth_date"] = f"{year}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}"
            m["citizen_id"] = factories.citizen_id(year, m["sex"], serial=rnd.randint(0, 999_999))
            m["general_education"] = rnd.choice("1234")
            m["qualification"] = rnd.choice("11112345678")
            if m["qualification"] >= "4":
                m["training_field"] = rnd.choice(["Điện dân dụng", "Kế toán", "May công nghiệp", "Điều dưỡng"])
            else:
                m.pop("training_field", None)
            m["training_wanted"] = rnd.choice("00001123")
            if m["training_wanted"] != "0":
                m["training_field_wanted"] = rnd.choice(["Hàn", "Điều dưỡng", "Tiếng Nhật", "Lái xe"])
            else:
                m.pop("training_field_wanted", None)
            m["job_wanted"] = rnd.choice("00012233")
            if m["job_wanted"] in "23":
                m["destination_country"] = rnd.choice(["JP", "JP", "JP", "KR", "KR", "TW", "TW", "TW", "DE", "AU"])
                m["abroad_needs"] = sorted(rnd.sample("1234", rnd.randint(1, 2)))
                m["language_test"] = rnd.choice("0012")
            else:
                for key in ("destination_country", "abroad_needs", "language_test"):
                    m.pop(key, None)
            abroad(rnd, m)
        out.append(rec)
    return out


def abroad(rnd: random.Random, m: dict) -> None:
    """Some employed members of working age abroad under contract, some back home."""
    age = 2026 - int(m["birth_date"][:4])
    if m["labour_status"] == "1" and 20 <= age <= 40 and rnd.random() < 0.4:
        m.update(abroad_status="1", workplace_type="11", workplace_country=rnd.choice(["TW", "TW", "JP", "JP", "KR", "DE"]),
                 departure_month=rnd.randint(1, 9), departure_year=rnd.choice([2023, 2024, 2025, 2026]),
                 contract_months=rnd.choice([24, 36, 36, 60]), abroad_sector=rnd.choice("1234567"),
                 abroad_channel=rnd.choice("1112"), policy_loan=rnd.choice("12"), job_wanted="0")
        for key in ("workplace_address", "destination_country", "abroad_needs", "language_test"):
            m.pop(key, None)
        if m["policy_loan"] == "1":
            m["policy_loan_amount"] = rnd.choice([50, 64, 100, 120])
    elif age >= 25 and rnd.random() < 0.1:
        m.update(abroad_status="2", return_year=rnd.randint(2015, 2025), go_again=rnd.choice("12"))


def with_warnings() -> dict:
    rec = copy.deepcopy(factories.household())
    rec["uuid"] = "6f1c2d3e-1234-4abc-9def-0123456789ab"
    rec["members"][1]["citizen_id"] = factories.citizen_id(1980, "2", serial=2)  # born 1978
    rec["members"][0]["priority_groups"] = ["2"]  # poor household? it is classed "other"
    rec["members"][0]["social_insurance_no"] = "3812345678"
    return rec


def png(pdf: Path, page: int, target: Path) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(target.with_suffix(""))], check=True)


def main(folder: str = "docs/printing") -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    definition = FormRegistry().current()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        blank = tmp_path / "blank.pdf"
        blank.write_bytes(household_form.render(definition, None, lang="vi"))
        png(blank, 1, out / "blank-page1.png")
        png(blank, 2, out / "blank-page2.png")
        filled = tmp_path / "prefilled.pdf"
        filled.write_bytes(household_form.render(definition, with_warnings(), revision=3, status="draft", lang="vi"))
        png(filled, 1, out / "prefilled-page1.png")
        png(filled, 2, out / "prefilled-page2.png")
        pages = subprocess.run(["pdfinfo", str(filled)], capture_output=True, text=True, check=True).stdout
        last = int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")))
        png(filled, last, out / "prefilled-last-page.png")
        store = Store(tmp_path / "x.sqlite")
        with store.transaction():
            for rec in varied(120):
                store.save_within(rec, actor="lan", action="import", status="complete")
        pdf = tmp_path / "report.pdf"
        report.write_report(TaskState(), store, pdf, lang="vi", officer="Nguyễn Thị Lan")
        png(pdf, 1, out / "report-page1.png")
        png(pdf, 2, out / "report-page2.png")
        store.close()
    for path in sorted(out.glob("*.png")):
        print(path)


if __name__ == "__main__":
    main(*sys.argv[1:])
