"""The server's tables (SQLAlchemy Core): SQLite by default, PostgreSQL for a real province."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import platformdirs
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)

metadata = MetaData()

officers = Table(
    "officers", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), unique=True, nullable=False),
    Column("name", String(200), nullable=False),
    Column("communes", Text, nullable=False),  # JSON list of 5-digit commune codes
    Column("role", String(20), nullable=False, default="officer"),  # officer (a laptop) or supervisor (reviews)
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(40), nullable=False),
)
enrollments = Table(
    "enrollments", metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("officer_id", ForeignKey("officers.id"), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("used_at", String(40)),
)
devices = Table(
    "devices", metadata,
    Column("id", Integer, primary_key=True),
    Column("officer_id", ForeignKey("officers.id"), nullable=False),
    Column("token_hash", String(64), unique=True, nullable=False),  # never the token itself
    Column("name", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)
households = Table(
    "households", metadata,
    Column("uuid", String(36), primary_key=True),
    Column("province_code", String(2)),
    Column("commune_code", String(5), index=True),
    Column("household_code", String(100)),
    Column("server_revision", Integer, nullable=False),
    Column("client_revision", Integer, nullable=False),
    Column("device_id", ForeignKey("devices.id")),
    Column("form_id", String(100), nullable=False),
    Column("form_version", String(100), nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("data", Text),
    Column("warning_count", Integer, nullable=False, default=0),
    Column("updated_at", String(40), nullable=False),
    # Review by the province: None (not looked at), returned, resubmitted, approved.
    Column("review_state", String(20)),
    Column("review_round", Integer, nullable=False, default=0),
)
batches = Table(
    "batches", metadata,
    Column("batch_id", String(36), primary_key=True),
    Column("device_id", ForeignKey("devices.id"), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("record_count", Integer, nullable=False),
    Column("receipt", Text, nullable=False),
)
reviews = Table(
    "reviews", metadata,  # every round of returning and resubmitting, for the household's history
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, index=True),
    Column("round", Integer, nullable=False),
    Column("action", String(20), nullable=False),  # returned, resubmitted, approved
    Column("comment", Text),  # JSON {"household": text, "fields": {field ref: text}}
    Column("by", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    Column("server_revision", Integer, nullable=False),
)
form_versions = Table(
    "form_versions", metadata,  # questionnaire versions published by the province
    Column("form_id", String(100), primary_key=True),
    Column("version", String(100), primary_key=True),
    Column("definition", Text, nullable=False),  # the YAML file, as published
    Column("published_at", String(40), nullable=False),
)
code_lists = Table(
    "code_lists", metadata,  # national code lists published by the province (never changed once published)
    Column("name", String(100), primary_key=True),
    Column("version", String(100), nullable=False),
    Column("source", Text, nullable=False, default=""),
    Column("csv", Text, nullable=False),
    Column("published_at", String(40), nullable=False),
)
assignments = Table(
    "assignments", metadata,  # households to visit, with what is known of them already
    Column("uuid", String(36), primary_key=True),
    Column("commune_code", String(5), nullable=False, index=True),
    Column("household_code", String(100)),
    Column("form_id", String(100), nullable=False),
    Column("form_version", String(100), nullable=False),
    Column("data", Text, nullable=False),  # JSON {"household": {...}, "members": [...]}
    Column("created_at", String(40), nullable=False),
)
audit_log = Table(
    "audit_log", metadata,  # who read or changed what: append-only, written by sync.server.audit
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False, index=True),
    Column("actor", String(200), nullable=False),  # officer/device, supervisor, or admin@host for the command line
    Column("action", String(40), nullable=False),
    Column("target", String(200)),  # a household UUID, an officer, a file...
    Column("detail", Text),  # JSON, never answers or names
    Column("address", String(64)),  # the client's IP address, for requests
)
supervisor_passwords = Table(
    "supervisor_passwords", metadata,  # a supervisor's password for the review pages (sync.server.supervisors)
    Column("officer_id", ForeignKey("officers.id"), primary_key=True),
    Column("password_hash", String(300), nullable=False),  # scrypt, with its salt and cost
    Column("set_at", String(40), nullable=False),
)
web_sessions = Table(
    "web_sessions", metadata,  # signed-in browsers of the review pages
    Column("token_hash", String(64), primary_key=True),  # never the cookie itself
    Column("officer_id", ForeignKey("officers.id"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),  # what every form of this session must carry back
    Column("created_at", String(40), nullable=False),
    Column("last_seen_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("address", String(64)),
)
recovery_keys = Table(
    "recovery_keys", metadata,  # the province's recovery PUBLIC keys (sync.server.recovery); never a private key
    Column("fingerprint", String(64), primary_key=True),  # forms.store.keys.fingerprint of the key
    Column("public_pem", Text, nullable=False),
    Column("origin", String(20), nullable=False),  # created (here, its private key written to a file) or imported
    Column("created_at", String(40), nullable=False),
    # Retired: no longer handed to laptops. Profiles already wrapped for it keep that wrap, so
    # its private key file still recovers them: it is kept, not deleted.
    Column("retired_at", String(40)),
)
# What laptops download, in the order it happened. A laptop keeps the last seq it applied and
# asks for what came after. Writers serialise on this table (see feed.publish), so a reader
# never sees seq n+1 before seq n is committed.
feed = Table(
    "feed", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("commune_code", String(5), index=True),  # None: for every laptop
    Column("kind", String(20), nullable=False),  # form, assignment, returned
    Column("uuid", String(36)),
    Column("payload", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)


@contextlib.contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reading only: on SQLite it never waits for a batch being written."""
    with engine.connect() as conn:
        yield conn.execution_options(read_only=True)


def default_url() -> str:
    env = os.environ.get("LABOUR_SURVEY_SERVER_DB")
    if env:
        return env
    folder = platformdirs.user_data_path("labour-survey-server", appauthor=False)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'server.sqlite'}"


def connect(url: str) -> Engine:
    """An engine with the tables created; SQLite in WAL mode with full synchronous commits."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
            dbapi_conn.execute("PRAGMA journal_mode = WAL")
            dbapi_conn.execute("PRAGMA synchronous = FULL")
            dbapi_conn.execute("PRAGMA foreign_keys = ON")

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # type: ignore[no-untyped-def]
            # Writers take the write lock at the start: a read-then-write transaction that
            # upgrades later fails at once under contention instead of waiting its turn.
            # Readers (see `reading`) take none, and WAL lets them read beside a writer.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("read_only") else "BEGIN IMMEDIATE")
    else:
        engine = create_engine(url, pool_pre_ping=True)
    metadata.create_all(engine)
    return engine
