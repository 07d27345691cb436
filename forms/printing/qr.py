"""The QR code of a pre-filled form: which household, which revision, and a hash of the
answers as printed, so a signed paper that comes back can be matched to the stored household
and any change since printing shows up.

Payload: compact JSON {"uuid": ..., "revision": n, "sha256": hex of the canonical JSON of the
answers}. Canonical JSON: the household and roster answers (members' `_id` included), keys
sorted, no spaces, UTF-8, text as stored (NFC).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import segno
from reportlab.pdfgen.canvas import Canvas

from forms import records
from forms.definition import Definition

# A fixed mask: choosing the best of eight costs about 6 ms per code, which is most of the
# time of a whole form; any mask decodes on paper printed at 300 dpi or more.
_MASK = 2


def content_hash(definition: Definition, record: dict[str, Any]) -> str:
    answers = records.answers_only(record, definition)
    canonical = json.dumps(answers, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def payload(definition: Definition, record: dict[str, Any], revision: int | None) -> str:
    return json.dumps({"uuid": record.get("uuid", ""), "revision": revision or 0,
                       "sha256": content_hash(definition, record)}, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Scanned:
    uuid: str
    revision: int
    sha256: str


def parse(text: str) -> Scanned:
    """The payload read back from a scanned QR code; ValueError if it is not one of ours."""
    try:
        data = json.loads(text)
        return Scanned(str(data["uuid"]), int(data["revision"]), str(data["sha256"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not a household form QR code: {text[:60]!r}") from exc


def matches(scanned: Scanned, definition: Definition, record: dict[str, Any], revision: int) -> bool:
    """True when the paper shows exactly the household as stored now."""
    return (scanned.uuid == record.get("uuid") and scanned.revision == revision
            and scanned.sha256 == content_hash(definition, record))


def modules(text: str) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(row) for row in segno.make_qr(text, error="m", mask=_MASK, boost_error=False).matrix)


def draw(c: Canvas, text: str, x: float, y_top: float, size: float) -> None:
    """The QR code of `text`, `size` points wide, its top-left corner at (x, y_top). Keep four
    modules of white around it: the scanner needs that quiet zone.

    Drawn as a one-bit inline image, one pixel per module, scaled without interpolation: sharp
    at any printer resolution, and much faster to write than hundreds of rectangles."""
    matrix = modules(text)
    n = len(matrix)
    data = bytearray()
    for row in matrix:
        bits = "".join("0" if dark else "1" for dark in row).ljust(-(-n // 8) * 8, "1")  # 0 = black
        data += int(bits, 2).to_bytes(len(bits) // 8, "big")
    c.addLiteral(f"q {size:.3f} 0 0 {size:.3f} {x:.3f} {y_top - size:.3f} cm\n"
                 f"BI /W {n} /H {n} /BPC 1 /CS /G /I false /F /AHx ID\n{data.hex()}>\nEI Q")
