"""A child process for test_search_migration: opens a schema 4 profile, which migrates it, and
stops for good once the old search index is dropped and before the new one takes its name, so
that the test can kill it there. `python -m tests.search_migrator DB [KEY_HEX]`."""

from __future__ import annotations

import sys
import time
from typing import Any

from sqlite_utils import Database

from forms.store import Store

_execute = Database.execute


def _stop_before_the_rename(self: Database, sql: str, *args: Any, **kwargs: Any) -> Any:
    if sql.startswith("ALTER TABLE household_search_v5 RENAME"):
        print("dropped", flush=True)
        time.sleep(600)
    return _execute(self, sql, *args, **kwargs)


def main() -> None:
    Database.execute = _stop_before_the_rename  # type: ignore[method-assign]
    key = bytes.fromhex(sys.argv[2]) if len(sys.argv) > 2 else None
    Store(sys.argv[1], key=key)
    print("migrated without stopping", flush=True)  # the test fails on this line


if __name__ == "__main__":
    main()
