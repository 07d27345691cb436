"""Regenerate the country-level code lists in this folder (``*.csv`` and ``catalog.yaml``).

The running program reads only the generated CSV files and ``catalog.yaml``; it never imports the
packages below. They are development-only inputs, pinned so that a run is reproducible:

    pip install vietnam-provinces==2025.10.1 pycountry==26.2.16 babel==2.18.0
    python resources/code_lists/generate.py            # writes next to this script
    python resources/code_lists/generate.py --output-dir /tmp/lists   # or elsewhere

The script refuses to run with other versions of the inputs (pass ``--allow-other-versions`` to
override, then review the diff and update the versions recorded in ``catalog.yaml``).

Lists and where they come from:

* ``provinces_2025``, ``communes_2025``: the package ``vietnam-provinces`` (units after 1 July 2025).
* ``citizen_id_provinces``: the 63 pre-2025 province codes, written below as literal data
  (``vietnam-provinces`` 2025.10.1 has no pre-2025 data set).
* ``ethnic_groups_gso``, ``vsic_2018_sections``, ``vsic_2025_sections``: literal data below.
* ``countries_iso3166``: codes and English names from ``pycountry``; Vietnamese names from the
  Unicode CLDR data shipped in ``babel`` (pycountry's own Vietnamese catalog is kept only as a
  fallback: most of its names are dated phonetic renderings such as "Ăng-ouí-la" or "Căm Bốt"),
  with the explicit overrides in ``COUNTRY_VI_OVERRIDES``.

Output format: UTF-8 without BOM, ``\\n`` line endings, NFC text, written with :mod:`csv`, header
``code,label_vi,label_en`` (plus ``parent`` where a list has one), rows sorted by code.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

PINNED_VERSIONS: dict[str, str] = {
    "vietnam-provinces": "2025.10.1",
    "pycountry": "26.2.16",
    "babel": "2.18.0",
}

HEADER = ("code", "label_vi", "label_en")
HEADER_WITH_PARENT = ("code", "label_vi", "label_en", "parent")


@dataclass(frozen=True)
class CodeList:
    """One generated list: its rows and its catalog entry."""

    name: str
    rows: list[tuple[str, ...]]
    has_parent: bool
    version: str
    source: str
    licence: str
    notes: str


# --------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------

_ASCII_REPLACEMENTS = str.maketrans({"Đ": "D", "đ": "d", "’": "'", "‘": "'", "–": "-", "—": "-"})


def clean(text: str) -> str:
    """NFC-normalise and collapse runs of whitespace (the source data has a few double spaces)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def fold_ascii(text: str) -> str:
    """Strip Vietnamese diacritics: "Thanh Hóa" -> "Thanh Hoa", "Đắk Lắk" -> "Dak Lak"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_ASCII_REPLACEMENTS))
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if not folded.isascii():
        raise ValueError(f"cannot fold {text!r} to ASCII: {folded!r}")
    return folded


# --------------------------------------------------------------------------------------------
# Administrative units after 1 July 2025 (vietnam-provinces)
# --------------------------------------------------------------------------------------------

EXPECTED_PROVINCES = 34
EXPECTED_COMMUNES = 3321

_COMMUNE_TYPE_EN = {"xã": "Commune", "phường": "Ward", "đặc khu": "Special Zone"}
_COMMUNE_PREFIX_VI = {"xã": "Xã ", "phường": "Phường ", "đặc khu": "Đặc khu "}


def _load_divisions() -> tuple[list[dict[str, Any]], str]:
    import vietnam_provinces  # development-only input

    data = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    return data, vietnam_provinces.__data_version__


def build_admin_units() -> tuple[CodeList, CodeList]:
    divisions, data_version = _load_divisions()
    package = f"vietnam-provinces {PINNED_VERSIONS['vietnam-provinces']} (PyPI), data retrieved {data_version}"
    provinces: list[tuple[str, ...]] = []
    communes: list[tuple[str, ...]] = []
    whitespace_fixed = 0
    for province in divisions:
        code = f"{int(province['code']):02d}"
        name = clean(province["name"])
        kind = province["division_type"]
        if kind == "tỉnh":
            bare = name.removeprefix("Tỉnh ")
            label_vi, label_en = f"Tỉnh {bare}", f"{fold_ascii(bare)} Province"
        elif kind == "thành phố trung ương":
            bare = name.removeprefix("Thành phố ")
            label_vi, label_en = f"Thành phố {bare}", f"{fold_ascii(bare)} City"
        else:
            raise ValueError(f"unexpected province type {kind!r} for {name}")
        provinces.append((code, label_vi, label_en))
        for ward in province["wards"]:
            ward_name = clean(ward["name"])
            whitespace_fixed += ward_name != unicodedata.normalize("NFC", ward["name"])
            ward_kind = ward["division_type"]
            prefix = _COMMUNE_PREFIX_VI[ward_kind]
            if not ward_name.startswith(prefix):
                raise ValueError(f"commune {ward['code']} {ward_name!r} lacks the prefix {prefix!r}")
            bare = fold_ascii(ward_name.removeprefix(prefix))
            type_en = _COMMUNE_TYPE_EN[ward_kind]
            # "Phường 1 Bảo Lộc" -> "Ward 1 Bao Loc"; "Phường Hạc Thành" -> "Hac Thanh Ward"
            ward_en = f"{type_en} {bare}" if bare[:1].isdigit() else f"{bare} {type_en}"
            communes.append((f"{int(ward['code']):05d}", ward_name, ward_en, code))

    assert len(provinces) == EXPECTED_PROVINCES, len(provinces)
    assert len(communes) == EXPECTED_COMMUNES, len(communes)
    assert len({row[0] for row in communes}) == EXPECTED_COMMUNES, "commune codes are not unique"
    per_province = Counter(row[3] for row in communes)
    assert per_province["38"] == 166, per_province["38"]
    assert ("14797", "Phường Hạc Thành", "Hac Thanh Ward", "38") in communes

    legal = "Decision 19/2025/QĐ-TTg (list and codes of administrative units, in force 1 July 2025)"
    licence = (
        "Codes and names are the official administrative unit list (an official legal document); "
        "extracted with vietnam-provinces, whose code is GPL-3.0-or-later per its upstream repository "
        "(the 2025.10.1 wheel declares no licence). Only the facts (codes, names) are copied."
    )
    province_list = CodeList(
        name="provinces_2025",
        rows=provinces,
        has_parent=False,
        version="2025-07-01",
        source=f"{package}; {legal}",
        licence=licence,
        notes=(
            "34 provinces and centrally-run cities after the 1 July 2025 mergers; code = the package's "
            "integer code zero-padded to 2 digits. label_vi adds 'Tỉnh ' where the package gives the bare "
            "name; label_en is an ASCII rendering ('Thanh Hoa Province', 'Ha Noi City'), not an official "
            "English name. vietnam-provinces 2025.10.1 was built from the GSO draft list and later fixes; "
            "newer upstream releases switch to the final NSO list, so diff before upgrading."
        ),
    )
    commune_list = CodeList(
        name="communes_2025",
        rows=communes,
        has_parent=True,
        version="2025-07-01",
        source=f"{package}; {legal}",
        licence=licence,
        notes=(
            f"{len(communes)} communes (xã), wards (phường) and special zones (đặc khu); code = the package's "
            "integer code zero-padded to 5 digits, unique nationwide; parent = 2-digit province code. "
            f"Whitespace normalised in {whitespace_fixed} names (double spaces in the source); other text "
            "kept as the package has it (e.g. 'Xã Chân Mây – Lăng Cô', 'Xã Ea M’Droh'). label_en is an "
            "ASCII rendering with the unit type ('Hac Thanh Ward', 'Ward 1 Bao Loc')."
        ),
    )
    return province_list, commune_list


# --------------------------------------------------------------------------------------------
# Pre-2025 province codes used in digits 1-3 of the 12-digit citizen ID
# --------------------------------------------------------------------------------------------

# (old 2-digit GSO province code, Vietnamese name, English/ASCII name); the 63 provinces of
# 1 August 2008 (Hà Tây merged into Hà Nội) to 30 June 2025.
CITIZEN_ID_PROVINCES: tuple[tuple[str, str, str], ...] = (
    ("01", "Hà Nội", "Ha Noi"),
    ("02", "Hà Giang", "Ha Giang"),
    ("04", "Cao Bằng", "Cao Bang"),
    ("06", "Bắc Kạn", "Bac Kan"),
    ("08", "Tuyên Quang", "Tuyen Quang"),
    ("10", "Lào Cai", "Lao Cai"),
    ("11", "Điện Biên", "Dien Bien"),
    ("12", "Lai Châu", "Lai Chau"),
    ("14", "Sơn La", "Son La"),
    ("15", "Yên Bái", "Yen Bai"),
    ("17", "Hòa Bình", "Hoa Binh"),
    ("19", "Thái Nguyên", "Thai Nguyen"),
    ("20", "Lạng Sơn", "Lang Son"),
    ("22", "Quảng Ninh", "Quang Ninh"),
    ("24", "Bắc Giang", "Bac Giang"),
    ("25", "Phú Thọ", "Phu Tho"),
    ("26", "Vĩnh Phúc", "Vinh Phuc"),
    ("27", "Bắc Ninh", "Bac Ninh"),
    ("30", "Hải Dương", "Hai Duong"),
    ("31", "Hải Phòng", "Hai Phong"),
    ("33", "Hưng Yên", "Hung Yen"),
    ("34", "Thái Bình", "Thai Binh"),
    ("35", "Hà Nam", "Ha Nam"),
    ("36", "Nam Định", "Nam Dinh"),
    ("37", "Ninh Bình", "Ninh Binh"),
    ("38", "Thanh Hóa", "Thanh Hoa"),
    ("40", "Nghệ An", "Nghe An"),
    ("42", "Hà Tĩnh", "Ha Tinh"),
    ("44", "Quảng Bình", "Quang Binh"),
    ("45", "Quảng Trị", "Quang Tri"),
    ("46", "Thừa Thiên Huế", "Thua Thien Hue"),
    ("48", "Đà Nẵng", "Da Nang"),
    ("49", "Quảng Nam", "Quang Nam"),
    ("51", "Quảng Ngãi", "Quang Ngai"),
    ("52", "Bình Định", "Binh Dinh"),
    ("54", "Phú Yên", "Phu Yen"),
    ("56", "Khánh Hòa", "Khanh Hoa"),
    ("58", "Ninh Thuận", "Ninh Thuan"),
    ("60", "Bình Thuận", "Binh Thuan"),
    ("62", "Kon Tum", "Kon Tum"),
    ("64", "Gia Lai", "Gia Lai"),
    ("66", "Đắk Lắk", "Dak Lak"),
    ("67", "Đắk Nông", "Dak Nong"),
    ("68", "Lâm Đồng", "Lam Dong"),
    ("70", "Bình Phước", "Binh Phuoc"),
    ("72", "Tây Ninh", "Tay Ninh"),
    ("74", "Bình Dương", "Binh Duong"),
    ("75", "Đồng Nai", "Dong Nai"),
    ("77", "Bà Rịa - Vũng Tàu", "Ba Ria - Vung Tau"),
    ("79", "Thành phố Hồ Chí Minh", "Ho Chi Minh City"),
    ("80", "Long An", "Long An"),
    ("82", "Tiền Giang", "Tien Giang"),
    ("83", "Bến Tre", "Ben Tre"),
    ("84", "Trà Vinh", "Tra Vinh"),
    ("86", "Vĩnh Long", "Vinh Long"),
    ("87", "Đồng Tháp", "Dong Thap"),
    ("89", "An Giang", "An Giang"),
    ("91", "Kiên Giang", "Kien Giang"),
    ("92", "Cần Thơ", "Can Tho"),
    ("93", "Hậu Giang", "Hau Giang"),
    ("94", "Sóc Trăng", "Soc Trang"),
    ("95", "Bạc Liêu", "Bac Lieu"),
    ("96", "Cà Mau", "Ca Mau"),
)


def build_citizen_id_provinces() -> CodeList:
    rows = [(f"0{code}", clean(vi), en) for code, vi, en in CITIZEN_ID_PROVINCES]
    assert len(rows) == 63, len(rows)
    for _code, vi, en in rows:
        assert fold_ascii(vi).removeprefix("Thanh pho ") in en, (vi, en)
    return CodeList(
        name="citizen_id_provinces",
        rows=rows,
        has_parent=False,
        version="2008-08-01",
        source=(
            "Hand-written in generate.py: the 63 pre-2025 GSO province codes (as valid from 1 August 2008 "
            "to 30 June 2025) with a leading 0, as used in digits 1-3 of the 12-digit personal "
            "identification number (set by Ministry of Public Security circulars, e.g. Circular 59/2021/TT-BCA "
            "Art. 7, earlier 07/2016/TT-BCA). vietnam-provinces 2025.10.1 has no pre-2025 data set."
        ),
        licence="Official codes (facts from official documents); no copyright claimed.",
        notes=(
            "Codes of the province where the birth was registered; they do not change with the 2025 mergers, "
            "so this list is frozen. Labels are short names (no 'Tỉnh'/'Thành phố' prefix except Thành phố "
            "Hồ Chí Minh); label_en is ASCII. The circular numbers are cited from memory, not re-checked."
        ),
    )


# --------------------------------------------------------------------------------------------
# Ethnic groups (GSO list of the 54 groups, plus 55 = foreigner)
# --------------------------------------------------------------------------------------------

ETHNIC_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("01", "Kinh", "Kinh"),
    ("02", "Tày", "Tay"),
    ("03", "Thái", "Thai"),
    ("04", "Hoa", "Hoa (Chinese)"),
    ("05", "Khơ-me", "Khmer"),
    ("06", "Mường", "Muong"),
    ("07", "Nùng", "Nung"),
    ("08", "HMông", "Hmong"),
    ("09", "Dao", "Dao"),
    ("10", "Gia-rai", "Gia Rai (Jarai)"),
    ("11", "Ngái", "Ngai"),
    ("12", "Ê-đê", "E De (Rhade)"),
    ("13", "Ba-na", "Ba Na (Bahnar)"),
    ("14", "Xơ-Đăng", "Xo Dang (Sedang)"),
    ("15", "Sán Chay", "San Chay"),
    ("16", "Cơ-ho", "Co Ho (Koho)"),
    ("17", "Chăm", "Cham"),
    ("18", "Sán Dìu", "San Diu"),
    ("19", "Hrê", "Hre"),
    ("20", "Mnông", "Mnong"),
    ("21", "Ra-glai", "Ra Glai"),
    ("22", "Xtiêng", "Xtieng (Stieng)"),
    ("23", "Bru-Vân Kiều", "Bru-Van Kieu"),
    ("24", "Thổ", "Tho"),
    ("25", "Giáy", "Giay"),
    ("26", "Cơ-tu", "Co Tu (Katu)"),
    ("27", "Gié-Triêng", "Gie-Trieng"),
    ("28", "Mạ", "Ma"),
    ("29", "Khơ-mú", "Kho Mu (Khmu)"),
    ("30", "Co", "Co"),
    ("31", "Tà-ôi", "Ta Oi"),
    ("32", "Chơ-ro", "Cho Ro"),
    ("33", "Kháng", "Khang"),
    ("34", "Xinh-mun", "Xinh Mun"),
    ("35", "Hà Nhì", "Ha Nhi"),
    ("36", "Chu-ru", "Chu Ru"),
    ("37", "Lào", "Lao"),
    ("38", "La Chí", "La Chi"),
    ("39", "La Ha", "La Ha"),
    ("40", "Phù Lá", "Phu La"),
    ("41", "La Hủ", "La Hu"),
    ("42", "Lự", "Lu"),
    ("43", "Lô Lô", "Lo Lo"),
    ("44", "Chứt", "Chut"),
    ("45", "Mảng", "Mang"),
    ("46", "Pà Thẻn", "Pa Then"),
    ("47", "Co Lao", "Co Lao"),
    ("48", "Cống", "Cong"),
    ("49", "Bố Y", "Bo Y"),
    ("50", "Si La", "Si La"),
    ("51", "Pu Péo", "Pu Peo"),
    ("52", "Brâu", "Brau"),
    ("53", "Ơ Đu", "O Du"),
    ("54", "Rơ-măm", "Ro Mam"),
    ("55", "Người nước ngoài", "Foreigner"),
)


def build_ethnic_groups() -> CodeList:
    rows = [(code, clean(vi), en) for code, vi, en in ETHNIC_GROUPS]
    assert len(rows) == 55, len(rows)
    assert [row[0] for row in rows] == [f"{n:02d}" for n in range(1, 56)]
    return CodeList(
        name="ethnic_groups_gso",
        rows=rows,
        has_parent=False,
        version="1979-03-02",
        source=(
            "Hand-written in generate.py: GSO list of Vietnam's 54 ethnic groups (Decision 121-TCTK/PPCĐ of "
            "2 March 1979), in the code order GSO uses in censuses and surveys (01 Kinh ... 54 Rơ-măm), plus "
            "55 = foreigner. Order cross-checked against several independent published code tables."
        ),
        licence="Official classification (facts from an official document); no copyright claimed.",
        notes=(
            "Spellings follow the questionnaire specification; other tables write some names differently "
            "(Ba na, Tà Ôi/Ta-ôi, La Chi, Cơ Lao, Chu ru, Rơ măm, Hmông) with the same codes. label_en is an "
            "ASCII rendering, with a common English exonym in brackets for some groups (Hoa (Chinese), "
            "Khmer, Gia Rai (Jarai), ...); these English labels are ours, not GSO's."
        ),
    )


# --------------------------------------------------------------------------------------------
# VSIC sections
# --------------------------------------------------------------------------------------------

VSIC_2018_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("A", "Nông nghiệp, lâm nghiệp và thủy sản", "Agriculture, forestry and fishing"),
    ("B", "Khai khoáng", "Mining and quarrying"),
    ("C", "Công nghiệp chế biến, chế tạo", "Manufacturing"),
    (
        "D",
        "Sản xuất và phân phối điện, khí đốt, nước nóng, hơi nước và điều hoà không khí",
        "Electricity, gas, steam and air conditioning supply",
    ),
    (
        "E",
        "Cung cấp nước; hoạt động quản lý và xử lý rác thải, nước thải",
        "Water supply; sewerage, waste management and remediation activities",
    ),
    ("F", "Xây dựng", "Construction"),
    (
        "G",
        "Bán buôn và bán lẻ; sửa chữa ô tô, mô tô, xe máy và xe có động cơ khác",
        "Wholesale and retail trade; repair of motor vehicles and motorcycles",
    ),
    ("H", "Vận tải kho bãi", "Transportation and storage"),
    ("I", "Dịch vụ lưu trú và ăn uống", "Accommodation and food service activities"),
    ("J", "Thông tin và truyền thông", "Information and communication"),
    ("K", "Hoạt động tài chính, ngân hàng và bảo hiểm", "Financial and insurance activities"),
    ("L", "Hoạt động kinh doanh bất động sản", "Real estate activities"),
    ("M", "Hoạt động chuyên môn, khoa học và công nghệ", "Professional, scientific and technical activities"),
    ("N", "Hoạt động hành chính và dịch vụ hỗ trợ", "Administrative and support service activities"),
    (
        "O",
        "Hoạt động của Đảng Cộng sản, tổ chức chính trị - xã hội, quản lý Nhà nước, an ninh quốc phòng; "
        "bảo đảm xã hội bắt buộc",
        "Public administration and defence; compulsory social security",
    ),
    ("P", "Giáo dục và đào tạo", "Education"),
    ("Q", "Y tế và hoạt động trợ giúp xã hội", "Human health and social work activities"),
    ("R", "Nghệ thuật, vui chơi và giải trí", "Arts, entertainment and recreation"),
    ("S", "Hoạt động dịch vụ khác", "Other service activities"),
    (
        "T",
        "Hoạt động làm thuê các công việc trong các hộ gia đình, sản xuất sản phẩm vật chất và dịch vụ tự "
        "tiêu dùng của hộ gia đình",
        "Activities of households as employers; undifferentiated goods- and services-producing activities "
        "of households for own use",
    ),
    ("U", "Hoạt động của các tổ chức và cơ quan quốc tế", "Activities of extraterritorial organizations and bodies"),
)

VSIC_2025_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("A", "Nông nghiệp, lâm nghiệp và thủy sản", "Agriculture, forestry and fishing"),
    ("B", "Khai khoáng", "Mining and quarrying"),
    ("C", "Công nghiệp chế biến, chế tạo", "Manufacturing"),
    (
        "D",
        "Sản xuất và phân phối điện, khí đốt, nước nóng, hơi nước và điều hoà không khí",
        "Electricity, gas, steam and air conditioning supply",
    ),
    (
        "E",
        "Cung cấp nước; hoạt động quản lý và xử lý rác thải, nước thải",
        "Water supply; sewerage, waste management and remediation activities",
    ),
    ("F", "Xây dựng", "Construction"),
    ("G", "Bán buôn và bán lẻ", "Wholesale and retail trade"),
    ("H", "Vận tải, kho bãi", "Transportation and storage"),
    ("I", "Dịch vụ lưu trú và ăn uống", "Accommodation and food service activities"),
    (
        "J",
        "Hoạt động xuất bản, phát sóng, sản xuất và phân phối nội dung",
        "Publishing, broadcasting, and content production and distribution activities",
    ),
    (
        "K",
        "Hoạt động viễn thông; lập trình máy tính, tư vấn, cơ sở hạ tầng máy tính và các dịch vụ thông tin khác",
        "Telecommunications, computer programming, consulting, computing infrastructure, and other "
        "information service activities",
    ),
    ("L", "Hoạt động tài chính, ngân hàng và bảo hiểm", "Financial and insurance activities"),
    ("M", "Hoạt động kinh doanh bất động sản", "Real estate activities"),
    ("N", "Hoạt động chuyên môn, khoa học và công nghệ", "Professional, scientific and technical activities"),
    ("O", "Hoạt động hành chính và dịch vụ hỗ trợ", "Administrative and support service activities"),
    (
        "P",
        "Hoạt động của Đảng Cộng sản, tổ chức chính trị - xã hội, quản lý Nhà nước, an ninh quốc phòng; "
        "bảo đảm xã hội bắt buộc",
        "Public administration and defence; compulsory social security",
    ),
    ("Q", "Giáo dục và đào tạo", "Education"),
    ("R", "Y tế và hoạt động trợ giúp xã hội", "Human health and social work activities"),
    ("S", "Nghệ thuật, thể thao và giải trí", "Arts, sports and recreation"),
    ("T", "Hoạt động dịch vụ khác", "Other service activities"),
    (
        "U",
        "Hoạt động làm thuê các công việc trong các hộ gia đình, sản xuất sản phẩm vật chất và dịch vụ tự "
        "tiêu dùng của hộ gia đình",
        "Activities of households as employers; undifferentiated goods- and services-producing activities "
        "of households for own use",
    ),
    ("V", "Hoạt động của các tổ chức và cơ quan quốc tế", "Activities of extraterritorial organizations and bodies"),
)


VSCO_2020_MAJOR_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("0", "Lực lượng quân đội", "Armed forces occupations"),
    ("1", "Nhà lãnh đạo trong các ngành, các cấp và các đơn vị", "Managers"),
    ("2", "Nhà chuyên môn bậc cao", "Professionals"),
    ("3", "Nhà chuyên môn bậc trung", "Technicians and associate professionals"),
    ("4", "Nhân viên trợ lý văn phòng", "Clerical support workers"),
    ("5", "Nhân viên dịch vụ và bán hàng", "Service and sales workers"),
    ("6", "Lao động có kỹ năng trong nông nghiệp, lâm nghiệp và thủy sản",
     "Skilled agricultural, forestry and fishery workers"),
    ("7", "Lao động thủ công và các nghề nghiệp có liên quan khác", "Craft and related trades workers"),
    ("8", "Thợ lắp ráp và vận hành máy móc, thiết bị", "Plant and machine operators and assemblers"),
    ("9", "Lao động giản đơn", "Elementary occupations"),
)


def build_vsco() -> CodeList:
    rows = [(code, clean(vi), en) for code, vi, en in VSCO_2020_MAJOR_GROUPS]
    assert [row[0] for row in rows] == list("0123456789")
    return CodeList(
        name="vsco_2020_major_groups",
        rows=rows,
        has_parent=False,
        version="2021-01-15",
        source=(
            "Hand-written in generate.py: Vietnam Standard Classification of Occupations (VSCO 2020), level-1 "
            "major groups, Decision 34/2020/QĐ-TTg of 26 November 2020; English titles from ISCO-08."
        ),
        licence="Official classification (facts from an official document); English titles are the ILO ISCO-08 titles.",
        notes="10 major groups 0-9, used to code the current job optionally. Version = the date it took effect.",
    )


def build_vsic() -> tuple[CodeList, CodeList]:
    rows_2018 = [(code, clean(vi), en) for code, vi, en in VSIC_2018_SECTIONS]
    rows_2025 = [(code, clean(vi), en) for code, vi, en in VSIC_2025_SECTIONS]
    assert [row[0] for row in rows_2018] == list("ABCDEFGHIJKLMNOPQRSTU")
    assert [row[0] for row in rows_2025] == list("ABCDEFGHIJKLMNOPQRSTUV")
    official = "Official classification (facts from an official document); English titles are the UN ISIC titles."
    vsic_2018 = CodeList(
        name="vsic_2018_sections",
        rows=rows_2018,
        has_parent=False,
        version="2018-08-20",
        source=(
            "Hand-written in generate.py: VSIC 2018 level-1 sections, Decision 27/2018/QĐ-TTg of 6 July 2018 "
            "(in force 20 August 2018); English titles from ISIC Rev.4 sections."
        ),
        licence=official,
        notes=(
            "21 sections A-U. Vietnamese titles as in the decision's appendix (written there in capitals; "
            "sentence case here). Replaced by VSIC 2025 from 15 November 2025; keep for records taken before."
        ),
    )
    vsic_2025 = CodeList(
        name="vsic_2025_sections",
        rows=rows_2025,
        has_parent=False,
        version="2025-11-15",
        source=(
            "Hand-written in generate.py: VSIC 2025 level-1 sections, Decision 36/2025/QĐ-TTg of 29 September "
            "2025 (in force 15 November 2025, aligned with ISIC Rev.5); English titles from ISIC Rev.5 sections."
        ),
        licence=official,
        notes=(
            "22 sections A-V. The Vietnamese titles were not checked against the decision's text: they "
            "follow secondary code tables in public repositories, which agree with each other except that one "
            "gives G with the 2018 wording; G 'Bán buôn và bán lẻ' is used because ISIC Rev.5 moved "
            "motor-vehicle repair out of G. Verify against the appendix of Decision 36/2025/QĐ-TTg before "
            "relying on the wording; codes A-V are certain. English titles are the official ISIC Rev.5 ones, "
            "not translations."
        ),
    )
    return vsic_2018, vsic_2025


# --------------------------------------------------------------------------------------------
# Countries (ISO 3166-1 alpha-2)
# --------------------------------------------------------------------------------------------

# Vietnamese labels that override CLDR. The first five are the common labour-export destinations the
# questionnaire names (pinned even where CLDR agrees); the rest replace CLDR's abbreviations ("St."),
# ampersands and long official forms with the names Vietnamese readers expect.
COUNTRY_VI_OVERRIDES: dict[str, str] = {
    "TW": "Đài Loan",
    "JP": "Nhật Bản",
    "KR": "Hàn Quốc",
    "DE": "Đức",
    "AU": "Úc",
    "HK": "Hồng Kông",
    "MO": "Ma Cao",
    "MM": "Myanmar",
    "CD": "Cộng hòa Dân chủ Congo",
    "CG": "Cộng hòa Congo",
    "PS": "Palestine",
    "VA": "Vatican",
    "BL": "Saint Barthélemy",
    "KN": "Saint Kitts và Nevis",
    "LC": "Saint Lucia",
    "MF": "Saint Martin (thuộc Pháp)",
    "SH": "Saint Helena, Ascension và Tristan da Cunha",
    "VC": "Saint Vincent và Grenadines",
    "GS": "Nam Georgia và Quần đảo Nam Sandwich",
    "TF": "Lãnh thổ phía Nam thuộc Pháp",
}

# English labels: pycountry's common_name, else its name, except these inverted or official forms.
COUNTRY_EN_OVERRIDES: dict[str, str] = {
    "BN": "Brunei",
    "CD": "Democratic Republic of the Congo",
    "FM": "Micronesia",
    "PS": "Palestine",
    "RU": "Russia",
    "VA": "Vatican City",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
}

EXPECTED_COUNTRIES = 249


def build_countries() -> tuple[CodeList, dict[str, int]]:
    import pycountry  # development-only input
    from babel import Locale  # development-only input
    from babel.core import get_cldr_version

    catalog = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["vi"])
    cldr_vi = Locale("vi").territories
    stats: Counter[str] = Counter()
    rows: list[tuple[str, ...]] = []
    for country in pycountry.countries:
        code = country.alpha_2
        label_en = COUNTRY_EN_OVERRIDES.get(code) or getattr(country, "common_name", None) or country.name
        pycountry_vi = catalog.gettext(country.name)
        if pycountry_vi == country.name:
            stats["pycountry_vi_missing"] += 1
        if code in COUNTRY_VI_OVERRIDES:
            label_vi, origin = COUNTRY_VI_OVERRIDES[code], "override"
        elif code in cldr_vi:
            label_vi, origin = cldr_vi[code], "cldr"
        elif pycountry_vi != country.name:
            label_vi, origin = pycountry_vi, "pycountry"
        else:
            label_vi, origin = label_en, "english_fallback"
        stats[origin] += 1
        rows.append((code, clean(label_vi), clean(label_en)))
    rows.sort()
    assert len(rows) == EXPECTED_COUNTRIES, len(rows)
    unknown = (set(COUNTRY_VI_OVERRIDES) | set(COUNTRY_EN_OVERRIDES)) - {row[0] for row in rows}
    assert not unknown, f"overrides for unknown codes: {sorted(unknown)}"
    for code, label_vi, _ in rows:
        assert "&" not in label_vi and not label_vi.startswith("St. "), (code, label_vi)
    cldr = get_cldr_version()
    countries = CodeList(
        name="countries_iso3166",
        rows=rows,
        has_parent=False,
        version=f"pycountry-{PINNED_VERSIONS['pycountry']}+cldr-{cldr}",
        source=(
            f"Codes and English names: pycountry {PINNED_VERSIONS['pycountry']} (PyPI; ISO 3166-1 data from "
            f"Debian iso-codes). Vietnamese names: Unicode CLDR {cldr} via babel {PINNED_VERSIONS['babel']} "
            f"(PyPI), with {len(COUNTRY_VI_OVERRIDES)} explicit overrides listed in generate.py "
            "(COUNTRY_VI_OVERRIDES)."
        ),
        licence=(
            "ISO 3166-1 codes are facts; pycountry is LGPL-2.1-only; CLDR data is under the Unicode License "
            "v3 (permissive, attribution); babel code is BSD-3-Clause."
        ),
        notes=(
            f"All {len(rows)} ISO 3166-1 alpha-2 entries, VN included. label_vi sources: "
            f"{stats['override']} overrides, {stats['cldr']} CLDR, {stats['pycountry']} pycountry, "
            f"{stats['english_fallback']} English fallback. pycountry's own Vietnamese catalog was not used: "
            f"it lacks {stats['pycountry_vi_missing']} names and most others are dated phonetic forms "
            "('Ăng-ouí-la', 'Căm Bốt', 'Nhật', 'Cộng hoà Nam Hàn', 'Đài Loan, Tỉnh Trung Quốc'). "
            "Vietnamese official documents write 'Đài Loan (Trung Quốc)', 'Hồng Kông (Trung Quốc)', "
            "'Ma Cao (Trung Quốc)'; the short forms are used here."
        ),
    )
    return countries, dict(stats)


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _yaml_str(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar; keep non-ASCII readable.
    return json.dumps(value, ensure_ascii=False)


def write_catalog(path: Path, lists: Sequence[CodeList]) -> None:
    lines = [
        "# One entry per code list; `name` is what questionnaire definitions refer to.",
        "# Generated by generate.py in this folder: edit that script, not this file.",
        "lists:",
    ]
    for code_list in lists:
        lines += [
            f"  - name: {code_list.name}",
            f"    file: {code_list.name}.csv",
            f"    version: {_yaml_str(code_list.version)}",
            f"    source: {_yaml_str(code_list.source)}",
            f"    licence: {_yaml_str(code_list.licence)}",
            f"    notes: {_yaml_str(code_list.notes)}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def validate(code_list: CodeList) -> None:
    width = 4 if code_list.has_parent else 3
    codes = [row[0] for row in code_list.rows]
    assert codes == sorted(codes), f"{code_list.name}: rows not sorted by code"
    assert len(set(codes)) == len(codes), f"{code_list.name}: duplicate codes"
    for row in code_list.rows:
        assert len(row) == width, (code_list.name, row)
        for cell in row:
            assert cell and cell == cell.strip(), (code_list.name, row)
            assert unicodedata.normalize("NFC", cell) == cell, (code_list.name, row)
        assert row[2].isascii() or code_list.name == "countries_iso3166", (code_list.name, row)


def check_versions(allow_other: bool) -> None:
    wrong = {}
    for package, pinned in PINNED_VERSIONS.items():
        installed = metadata.version(package)
        if installed != pinned:
            wrong[package] = installed
    if wrong and not allow_other:
        details = ", ".join(f"{name} {found} (pinned {PINNED_VERSIONS[name]})" for name, found in wrong.items())
        raise SystemExit(f"input versions differ from the pinned ones: {details}; see --allow-other-versions")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--allow-other-versions", action="store_true", help="run with unpinned input versions")
    args = parser.parse_args(argv)
    check_versions(args.allow_other_versions)

    provinces, communes = build_admin_units()
    vsic_2018, vsic_2025 = build_vsic()
    countries, country_stats = build_countries()
    lists = [
        provinces,
        communes,
        build_citizen_id_provinces(),
        build_ethnic_groups(),
        vsic_2018,
        vsic_2025,
        build_vsco(),
        countries,
    ]
    for code_list in lists:
        code_list.rows.sort()
        validate(code_list)

    out: Path = args.output_dir
    out.mkdir(parents=True, exist_ok=True)
    for code_list in lists:
        header = HEADER_WITH_PARENT if code_list.has_parent else HEADER
        write_csv(out / f"{code_list.name}.csv", header, code_list.rows)
        print(f"{code_list.name}: {len(code_list.rows)} rows")
    write_catalog(out / "catalog.yaml", lists)
    print(f"countries label_vi sources: {country_stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
