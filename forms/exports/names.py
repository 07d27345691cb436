"""Variable names that SPSS, Stata, Excel and CSV readers all accept, the same in every file.

One name per variable in every format, so a statistician's syntax works on the SAV and the
DTA alike: ASCII letters, digits and `_`, starting with a letter (SPSS refuses a leading `_`,
Stata allows it), at most 32 characters (Stata's limit; SPSS allows 64), unique without regard
to case (SPSS ignores case), and none of either program's reserved words.
"""

from __future__ import annotations

import re

MAX_LENGTH = 32
# pyreadstat names a Stata value label set after its variable plus a counter ("sex0",
# "ethnicity12"), and Stata refuses label names over 32 characters: leave room for 4 digits.
MAX_LABELLED_LENGTH = 28

SPSS_RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}
STATA_RESERVED = {"_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n", "_pi",
                  "_pred", "_rc", "_skip", "strl", "using", "with"}
_STR_N = re.compile(r"^str\d+$", re.IGNORECASE)


def is_valid(name: str, labelled: bool = False) -> bool:
    limit = MAX_LABELLED_LENGTH if labelled else MAX_LENGTH
    return (bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name)) and len(name) <= limit
            and name.lower() not in SPSS_RESERVED | STATA_RESERVED and not _STR_N.match(name))


class NameAllocator:
    """Gives each wanted name a valid one, unique across one file, stable for the same input."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def allocate(self, wanted: str, labelled: bool = False) -> str:
        limit = MAX_LABELLED_LENGTH if labelled else MAX_LENGTH
        base = re.sub(r"[^A-Za-z0-9_]", "_", wanted)
        if not base or not base[0].isalpha():
            base = "v" + base
        if base.lower() in SPSS_RESERVED | STATA_RESERVED or _STR_N.match(base):
            base += "_"
        name = base[:limit]
        n = 1
        while name.lower() in self.taken:
            n += 1
            suffix = f"_{n}"
            name = base[:limit - len(suffix)] + suffix
        self.taken.add(name.lower())
        return name
