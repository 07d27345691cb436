"""Reading back the PDFs the tests print: text, word boxes, fonts, page images, QR codes;
and households that push the layout (15 members, long names, every optional field)."""

from __future__ import annotations

import copy
import io
import unicodedata
from dataclasses import dataclass
from typing import Any

import pdfplumber
import pypdfium2
import zxingcpp
from pypdf import PdfReader

from forms.printing import layout as L
from tests import factories

LONG_NAME = "Nguyễn Thị Thanh Huyền Trang Phương Linh"
LONG_ADDRESS = ("Số nhà 127, ngõ 35, đường Nguyễn Trãi, khu phố Đông Hương, Tổ dân phố Đông Sơn, "
                "Phường Hạc Thành, Tỉnh Thanh Hóa (cạnh nhà văn hoá, đối diện trường mầm non Hoa Hồng)")


def stress_household() -> dict[str, Any]:
    """15 members, long Vietnamese names and addresses, every optional question answered,
    some answers with warnings (a citizen ID whose birth year differs, a poor-household mark
    in a household that is not poor)."""
    rec = factories.household(address=LONG_ADDRESS, village="Tổ dân phố Đông Sơn Thượng Hạ Khu Tái Định Cư Số Hai")
    rec["uuid"] = "0b6d4c1e-7d6f-4f7a-9c3e-5a1b2c3d4e5f"
    base = rec["members"]
    members = []
    for i in range(15):
        m = copy.deepcopy(base[min(i, 3)] if i < 4 else base[2 + i % 2])
        m["full_name"] = LONG_NAME if i % 3 == 0 else f"{factories.SURNAMES[i % 14]} Thị Thanh Huyền Trang {i + 1}"
        if i >= 5:
            m["relation"] = "7"
            m["birth_date"] = f"{1990 + i}-0{1 + i % 9}-1{i % 9}"
            m["citizen_id"] = factories.citizen_id(1990 + i, m["sex"], serial=100 + i)
        m["social_insurance_no"] = f"38{i:08d}"
        m["residence"] = "2"
        m["residence_other"] = LONG_ADDRESS
        m["priority_groups"] = ["1", "2", "5", "6"]
        if m.get("labour_status") == "1":
            m.update(job_code="8", workplace_name="Công ty Trách nhiệm Hữu hạn Một thành viên May mặc Xuất khẩu Hạc Thành",
                     qualification="7", training_field="Kỹ thuật điều khiển và tự động hoá công nghiệp")
            if m.get("workplace_type") != "11":
                m["workplace_address"] = LONG_ADDRESS
        if m.get("labour_status") == "2":
            m.update(qualification="5", training_field="Điện dân dụng và công nghiệp",
                     training_field_wanted="Điều dưỡng viên chăm sóc người cao tuổi tại Nhật Bản")
        members.append(m)
    members[1]["citizen_id"] = factories.citizen_id(1980, "2", serial=2)  # born 1978: a warning
    rec["members"] = members
    return rec


@dataclass
class Pdf:
    data: bytes

    def text(self) -> str:
        if "_text" not in self.__dict__:
            with pdfplumber.open(io.BytesIO(self.data)) as pdf:
                self.__dict__["_text"] = "\n".join(page.extract_text() or "" for page in pdf.pages)
        return self.__dict__["_text"]

    def pages(self) -> int:
        return len(PdfReader(io.BytesIO(self.data)).pages)

    def image(self, page: int = 0, dpi: int = 200) -> Any:
        doc = pypdfium2.PdfDocument(self.data)
        try:
            return doc[page].render(scale=dpi / 72).to_pil()
        finally:
            doc.close()

    def qr_texts(self, page: int = 0) -> list[str]:
        return [b.text for b in zxingcpp.read_barcodes(self.image(page)) if b.format == zxingcpp.BarcodeFormat.QRCode]

    def fonts(self) -> dict[str, Any]:
        """Every font in the resources of the pages and of the forms drawn on them."""
        found: dict[str, Any] = {}

        def walk(resources: Any) -> None:
            if resources is None:
                return
            resources = resources.get_object()
            for ref in (resources.get("/Font") or {}).values():
                font = ref.get_object()
                found[str(font.get("/BaseFont"))] = font
            for ref in (resources.get("/XObject") or {}).values():
                xobject = ref.get_object()
                if xobject.get("/Subtype") == "/Form":
                    walk(xobject.get("/Resources"))

        for page in PdfReader(io.BytesIO(self.data)).pages:
            walk(page.get("/Resources"))
        return found

    def font_problems(self) -> list[str]:
        """Fonts that are not embedded TrueType subsets of DejaVu Sans."""
        problems = []
        fonts = self.fonts()
        for name, font in fonts.items():
            descriptor = font.get("/FontDescriptor")
            if descriptor is None or "/FontFile2" not in descriptor.get_object():
                problems.append(f"{name}: not embedded")
            elif "DejaVu" not in name:
                problems.append(f"{name}: not DejaVu")
        return problems or ([] if fonts else ["no font at all"])

    def layout_problems(self, tolerance: float = 0.6, pages: slice = slice(None)) -> list[str]:
        """Text outside the printable area, words overlapping each other, and text crossed by
        a line or a box edge (text running out of its cell)."""
        problems: list[str] = []
        with pdfplumber.open(io.BytesIO(self.data)) as pdf:
            for number, page in list(enumerate(pdf.pages, 1))[pages]:
                words = page.extract_words(keep_blank_chars=False, use_text_flow=False, extra_attrs=["size"])
                problems += _outside(number, words, float(page.width), float(page.height))
                problems += _overlaps(number, [ch for ch in page.chars if ch["text"].strip()], tolerance)
                problems += _crossed(number, page.chars, page.edges, tolerance)
        return problems


def _outside(number: int, words: list[dict[str, Any]], w: float, h: float) -> list[str]:
    m = L.MARGIN - 1
    return [f"page {number}: {wd['text']!r} outside the margins at ({wd['x0']:.0f}, {wd['top']:.0f})"
            for wd in words if wd["x0"] < m or wd["x1"] > w - m or wd["top"] < m or wd["bottom"] > h - m + 1]


def _overlaps(number: int, words: list[dict[str, Any]], tol: float) -> list[str]:
    """Characters drawn over each other (words would hide it: pdfplumber merges them)."""
    out = []
    ordered = sorted(words, key=lambda wd: wd["top"])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b["top"] >= a["bottom"] - tol:
                break
            dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if dx > tol and dy > tol:
                out.append(f"page {number}: {a['text']!r} overlaps {b['text']!r} at ({a['x0']:.0f}, {a['top']:.0f})")
    return out


def _crossed(number: int, chars: list[dict[str, Any]], edges: list[dict[str, Any]], tol: float) -> list[str]:
    out = []
    band = 20.0
    rows: dict[int, list[dict[str, Any]]] = {}
    for ch in chars:
        if ch["text"].strip():
            for k in range(int(ch["top"] // band), int(ch["bottom"] // band) + 1):
                rows.setdefault(k, []).append(ch)
    for e in edges:
        if e.get("object_type") == "curve_edge":
            continue
        vertical = abs(e["x0"] - e["x1"]) < 0.1
        near = {id(ch): ch for k in range(int(e["top"] // band), int(e["bottom"] // band) + 1) for ch in rows.get(k, ())}
        for ch in near.values():
            if vertical:
                hit = (ch["top"] + tol < e["bottom"] and ch["bottom"] - tol > e["top"]
                       and ch["x0"] + tol < e["x0"] < ch["x1"] - tol)
            else:
                hit = (ch["x0"] + tol < e["x1"] and ch["x1"] - tol > e["x0"]
                       and ch["top"] + tol < e["top"] < ch["bottom"] - tol)
            if hit:
                out.append(f"page {number}: {ch['text']!r} at ({ch['x0']:.0f}, {ch['top']:.0f}) crossed by an edge")
                break
    return out


def nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)
