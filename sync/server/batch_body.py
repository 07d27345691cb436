"""A batch's bytes to its JSON document, without letting one request take the server's memory.

An upload is at most MAX_BODY bytes on the wire, but gzip turns 61 KB into 60 MiB, and 60 MiB
of "{}," becomes 20 million Python dicts (1.7 GiB). So: inflate only up to what a maximal batch
can hold (MAX_INFLATED), count the objects while parsing and stop past what MAX_RECORDS
households can contain, and refuse numbers longer than any answer or revision could be and
nesting deeper than Python parses. Every refusal says why in both languages, never a 500.
Callers run `decode` off the event loop: inflating and parsing take a while.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from forms.i18n import Message, message
from sync.protocol import MAX_INFLATED, MAX_OBJECTS
from sync.server.errors import ServerError

MAX_DIGITS = 30  # a revision, a count or an answer: far under; 2**70 has 22 digits, and is refused later


class BodyError(ServerError):
    """The body is not a readable batch; `status` and `code` are the HTTP answer's."""

    def __init__(self, status: int, code: str, reason: Message):
        super().__init__(message("server_bad_batch", reason=reason))
        self.status, self.code, self.reason = status, code, reason


def _bad(code: str, reason: Message, status: int = 400) -> BodyError:
    return BodyError(status, code, reason)


def inflate(body: bytes, encoding: str) -> bytes:
    """The body decompressed, refused (413) as soon as it grows past MAX_INFLATED."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding != "gzip":
        raise _bad("bad_encoding", message("server_reason_encoding", encoding=repr(encoding)))
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(body, MAX_INFLATED)
    except zlib.error:
        raise _bad("bad_encoding", message("server_reason_not_gzip")) from None
    if inflater.unconsumed_tail:
        raise BodyError(413, "too_large", message("hardening_inflates_too_much", mib=MAX_INFLATED // 2**20))
    if not inflater.eof:
        raise _bad("bad_encoding", message("server_reason_gzip_short"))
    return out


class _TooMany(Exception):
    pass


class _TooLong(Exception):
    pass


def parse(text: bytes) -> Any:
    """The JSON document, refused (4xx) rather than built when it could not be a batch."""
    objects = 0

    def counted(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal objects
        objects += 1
        if objects > MAX_OBJECTS:
            raise _TooMany
        return dict(pairs)

    def number(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_DIGITS:
            raise _TooLong
        return int(digits)

    try:
        return json.loads(text, object_pairs_hook=counted, parse_int=number)
    except _TooMany:
        raise BodyError(422, "invalid_batch", message("hardening_too_many_objects", n=MAX_OBJECTS)) from None
    except _TooLong:
        raise _bad("bad_json", message("hardening_number_too_long", n=MAX_DIGITS), 422) from None
    except RecursionError:
        raise _bad("bad_json", message("hardening_too_deep"), 422) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad("bad_json", message("server_reason_not_json", detail=exc)) from None
    except ValueError as exc:  # what else the decoder refuses (a float's digits past Python's limit)
        raise _bad("bad_json", message("server_reason_not_json", detail=exc)) from None


def decode(body: bytes, encoding: str) -> Any:
    return parse(inflate(body, encoding))
