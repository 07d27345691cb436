"""The officer's local store (SQLite through sqlite-utils)."""

from forms.store.errors import (
    ConflictError,
    NeedsConfirmation,
    NewerDatabaseError,
    NotCompletable,
    NotFound,
    StoreError,
)
from forms.store.store import STATUSES, Household, Saved, Store

__all__ = [
    "STATUSES", "ConflictError", "Household", "NeedsConfirmation", "NewerDatabaseError", "NotCompletable",
    "NotFound", "Saved", "Store", "StoreError",
]
