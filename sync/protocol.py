"""The wire format shared by the sync client and the provincial server.

A batch is gzip-compressed JSON: {"batch_id", "created_at", "records": [record, ...]}, each
record {"uuid", "revision", "base_revision", "form_id", "form_version", "deleted",
"household", "members"}. The receipt is JSON: {"batch_id", "received_at", "records":
[{"uuid", "revision", "outcome": accepted|rejected|conflict, "server_revision",
"message": {"vi", "en"}, "findings": [...]}]}.
"""

from __future__ import annotations

API = "/api/v1"
MAX_BODY = 8 * 1024 * 1024  # compressed bytes in one request
MAX_INFLATED = 64 * 1024 * 1024  # bytes once decompressed: a zip bomb stops here
MAX_RECORDS = 2000
OUTCOMES = ("accepted", "rejected", "conflict")
