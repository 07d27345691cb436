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
MAX_RECORDS = 2000
# What a maximal batch can hold once decompressed: a laptop sends at most 500 households of about
# 3.5 KB; 16 MiB is 2000 of 8 KiB, or 500 of 32 KiB (60 members). A zip bomb stops here.
MAX_INFLATED = 16 * 1024 * 1024
# JSON objects in one batch: a household is itself, its household part and one per member.
MAX_OBJECTS = MAX_RECORDS * 64
MAX_REVISION = 2**31 - 1  # the database's INTEGER
OUTCOMES = ("accepted", "rejected", "conflict")
