"""Blank and pre-filled household forms: what they say, that nothing overflows, the fonts,
the QR code."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from forms.definition import Definition, build_definition, load_definition
from forms.engine import Engine
from forms.printing import household_form, qr
from forms.store import Store
from tests import factories
from tests.printing.pdf import LONG_NAME, Pdf, nfc, stress_household


@pytest.fixture(scope="module")
def stress(current: Definition) -> tuple[dict, Pdf]:
    rec = stress_household()
    return rec, Pdf(household_form.render(current, rec, revision=4, lang="vi"))


@pytest.fixture(scope="module")
def blank(current: Definition) -> Pdf:
    return Pdf(household_form.render(current, None, lang="vi"))


def test_blank_form_has_every_question_its_options_and_code_notes(blank: Pdf, current: Definition) -> None:
    text = blank.text()
    assert nfc(text)
    for heading in ("PHIẾU THU THẬP THÔNG TIN VỀ CUNG LAO ĐỘNG", "A. Thông tin chung về hộ", "B. Danh sách thành viên hộ",
                    "D. Tình trạng hoạt động kinh tế", "H. Nhu cầu việc làm và học nghề", "Người thu thập thông tin",
                    "Chủ hộ (hoặc người trả lời thay)", "Phiếu phiên bản 2"):
        assert heading in text
    # no internal names on paper (issue 14): the program's and the definition's ids stay off it
    assert "labour_supply" not in text and "labour-survey" not in text
    for number in range(1, 43):  # every question numbered
        assert f"{number}." in text
    # a short list: its options with tick boxes; a national list: a note, not 3,321 communes
    assert "Có việc làm" in text and "Không tham gia hoạt động kinh tế" in text
    assert "Trên đại học" in text and "Làm việc ở nước ngoài" in text
    # national lists named as the officer's code book names them, never by the program's list names
    flowing = " ".join(text.split())  # the notes wrap at any word
    assert "xã, phường, đặc khu (từ 01/7/2025) (3321 mã)" in flowing and "Phường Hạc Thành" not in text
    assert "TW Đài Loan" in text and "JP Nhật Bản" in text and "quốc gia và vùng lãnh thổ (ISO 3166) (249 mã)" in flowing
    assert "dân tộc Việt Nam (Tổng cục Thống kê) (55 mã)" in flowing
    assert not any(name in text for name in ("communes_2025", "countries_iso3166", "ethnic_groups_gso", "vsic_"))
    assert "Chỉ hỏi khi câu 24 = 1" in text  # skip rules in words
    assert "Chỉ hỏi khi Tuổi ≥ 15" in text


def test_blank_form_is_clean_and_embeds_its_fonts(blank: Pdf) -> None:
    assert blank.layout_problems() == []
    assert blank.font_problems() == []


def test_prefilled_form_prints_the_stored_values_with_diacritics(current: Definition) -> None:
    rec = factories.household()
    rec["uuid"] = "2f1c2d3e-1234-4abc-9def-0123456789ab"
    text = Pdf(household_form.render(current, rec, revision=1, lang="vi")).text()
    assert nfc(text)
    for value in ("Đặng Văn Hùng", "Lê Thị Hoà", "Đặng Thị Ngọc Ánh", "Tổ dân phố Đông Sơn", "Nguyễn Thị Lan",
                  "14797 Phường Hạc Thành", "38 Tỉnh Thanh Hóa", "Công ty May Thanh Hóa", "Điều dưỡng", "TW Đài Loan",
                  "HT-0001", "Tốt nghiệp THPT", "Phụ hồ"):
        assert value in text, value
    assert "Không hỏi (câu 24 = 2 không đúng)" in text  # an employed member skips unemployment
    assert "Thành viên 5:" in text and "Tuổi 12" in text  # under 15: no labour module
    assert "Cần kiểm tra" not in text  # a valid household has nothing to check
    assert "labour_supply" not in text and "lần sửa" not in text  # the revision is in the QR code, not in words


def test_english_form(current: Definition) -> None:
    text = Pdf(household_form.render(current, factories.household(), lang="en")).text()
    assert "HOUSEHOLD LABOUR SUPPLY" in text and "QUESTIONNAIRE" in text  # the title wraps beside the QR code
    assert "Labour force status" in text and "Employed" in text and "Head of household (or the respondent)" in text


def test_long_names_fifteen_members_every_optional_answer_nothing_overflows(stress: tuple[dict, Pdf]) -> None:
    _rec, pdf = stress
    assert pdf.layout_problems() == []
    assert pdf.font_problems() == []
    text = pdf.text()
    assert "Thành viên 15" in text and text.count("Thành viên 1") >= 1
    assert "Nguyễn Thị Thanh Huyền" in text and "Trang Phương Linh" in text
    assert "Kỹ thuật điều khiển và tự động hoá công nghiệp" in text
    assert "Công ty Trách nhiệm Hữu hạn Một thành viên May mặc" in text
    assert LONG_NAME in text  # in a member's title bar, on one line


def test_prefilled_form_marks_answers_with_warnings_and_lists_them(stress: tuple[dict, Pdf]) -> None:
    _, pdf = stress
    text = pdf.text()
    assert "Cần kiểm tra với hộ" in text
    assert "Năm sinh theo số định danh khác năm sinh đã ghi." in text
    assert "Số định danh trùng với một thành viên khác của hộ." in text  # an error too
    marker = next(line.split()[0] for line in text.splitlines() if "Năm sinh theo số định danh" in line)
    assert marker.startswith("⚠")
    assert text.count(marker) >= 2  # beside the answer, and in the list


def test_layout_check_finds_overflow_and_overlap() -> None:
    """The checks above can fail: text across a cell line, words on top of each other."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    from forms.printing import fonts
    from forms.printing.fonts import REGULAR

    fonts.register()
    buf = io.BytesIO()
    c = Canvas(buf, initialFontName=REGULAR)
    c.setFont(REGULAR, 9)
    c.line(100, 700, 100, 760)
    c.drawString(80, 720, "Nguyễn Thị Thanh")  # crossed by the line
    c.drawString(300, 500, "Hùng")
    c.drawString(302, 501, "Lan")  # on top of Hùng
    c.drawString(560, 400, "tràn ra lề")  # beyond the right margin
    c.save()
    problems = " ".join(Pdf(buf.getvalue()).layout_problems())
    assert "crossed" in problems and "overlaps" in problems and "outside" in problems


def test_qr_code_decodes_to_the_stored_household(tmp_path, current: Definition) -> None:
    store = Store(tmp_path / "x.sqlite")
    saved = store.save(factories.household(), actor="lan")
    saved = store.save({**saved.household.record, "household": {**saved.household.record["household"],
                                                                 "phone": "0987654321"}}, actor="lan")
    h = store.get(saved.household.uuid)
    pdf = Pdf(household_form.render(store.definition_of(h), h.record, revision=h.revision))
    texts = pdf.qr_texts()
    assert len(texts) == 1
    scanned = qr.parse(texts[0])
    assert scanned.uuid == h.uuid and scanned.revision == h.revision == 2
    assert qr.matches(scanned, current, h.record, h.revision)
    changed = copy.deepcopy(h.record)
    changed["members"][0]["full_name"] = "Đặng Văn Hưng"
    assert not qr.matches(scanned, current, changed, h.revision)  # the paper no longer shows what is stored
    assert "HT-0001" in pdf.text()  # the household code as text too
    store.close()


def test_qr_payload_is_compact_and_canonical(current: Definition) -> None:
    rec = factories.household()
    rec["uuid"] = "2f1c2d3e-1234-4abc-9def-0123456789ab"
    text = qr.payload(current, rec, 7)
    assert " " not in text and len(text) < 150
    reordered = {"members": rec["members"], "household": dict(reversed(list(rec["household"].items()))), "uuid": rec["uuid"]}
    assert qr.payload(current, reordered, 7) == text  # key order does not change the hash
    with pytest.raises(ValueError):
        qr.parse("https://example.org")


def test_qr_decodes_for_many_payloads() -> None:
    """The fixed mask decodes whatever the content (drawn straight to an image, no PDF)."""
    import zxingcpp
    from PIL import Image

    for i in range(25):
        text = f'{{"uuid":"{i:08d}-1234-4abc-9def-0123456789ab","revision":{i * 37},"sha256":"{i:064x}"}}'
        matrix = qr.modules(text)
        n = len(matrix)
        img = Image.new("L", (n + 8, n + 8), 255)
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    img.putpixel((c + 4, r + 4), 0)
        img = img.resize(((n + 8) * 4, (n + 8) * 4), Image.NEAREST)
        found = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
        assert [b.text for b in found] == [text]


def test_a_province_edit_changes_the_printed_form(tmp_path, current: Definition) -> None:
    """Add a question and a code to the definition: the blank form shows both."""
    import yaml

    raw = yaml.safe_load(Path(current.source).read_text(encoding="utf-8"))
    raw["version"] = "1-th"
    raw["choices"]["inactive_reason"].append({"code": "6", "vi": "Chăm sóc người ốm trong gia đình", "en": "Caring for the sick"})
    needs = next(f for f in raw["fields"][1]["fields"] if f["id"] == "labour")["fields"][-1]
    needs["fields"].append({"id": "digital_skills", "type": "select_one", "list": "area",
                            "label": {"vi": "Kỹ năng số cơ bản (tỉnh bổ sung)", "en": "Basic digital skills"}})
    edited = build_definition(raw, "thanh-hoa.yaml")
    text = Pdf(household_form.render(edited, None, members=1, lang="vi")).text()
    assert "Kỹ năng số cơ bản" in text and "6 Chăm sóc người ốm" in text
    assert "43." in text and "phiên bản 1-th" in text
    assert "Kỹ năng số" not in Pdf(household_form.render(current, None, members=1, lang="vi")).text()


def test_draft_with_bad_values_still_prints(current: Definition) -> None:
    """A draft may hold anything: a date that is not one, a code not in the list, a 13-digit ID."""
    rec = factories.household()
    m = rec["members"][0]
    m.update(birth_date="31/02/1975", citizen_id="0380750000011", ethnicity="99", job_wanted="0",
             destination_country="JP")  # an answer left in a question that does not apply
    ev = Engine(current).evaluate(rec)
    pdf = Pdf(household_form.render(current, rec, ev, lang="vi"))
    text = pdf.text()
    assert "31/02/1975" in text and "0380750000011" in text and "99" in text
    assert "Còn câu trả lời “JP Nhật Bản”" in text
    assert "sẽ bị xoá khi đánh dấu hoàn thành" in text
    assert pdf.layout_problems() == []


def test_an_old_definition_version_prints_with_its_own_labels(tmp_path) -> None:
    definition = load_definition()
    assert household_form.build(definition, None).pages


def test_a_code_not_in_the_list_is_printed_as_written(current: Definition) -> None:
    from forms.engine import FieldRef
    from forms.printing.questions import QuestionRow, Sheet, number_questions

    sheet = Sheet(current, "vi", number_questions(current), prefilled=True)
    f = current.by_id["labour_status"]
    bad = QuestionRow(sheet, f, FieldRef(f.id, "members", 0), "7")
    good = QuestionRow(sheet, f, FieldRef(f.id, "members", 0), "1")
    assert bad.value_lines == ("7",) and good.value_lines == ()
    assert bad.answer_h > good.answer_h  # room for it under the options
