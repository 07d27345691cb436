"""A real provincial server process on 127.0.0.1 with an OS-chosen port."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    db_url: str
    workdir: Path
    proc: subprocess.Popen[str] | None = None
    url: str = ""
    env: dict[str, str] = field(default_factory=dict)  # extra environment for the server process
    serve_args: list[str] = field(default_factory=list)  # extra options of `serve`, e.g. --workers 2

    def admin(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sync.server.cli", "--db", self.db_url, *args],
                              capture_output=True, text=True, timeout=60, cwd=ROOT, env={**_env(), **(env or {})},
                              stdin=subprocess.DEVNULL)

    def add_officer(self, username: str, communes: str = "14797,14758") -> str:
        r = self.admin("officers", "add", username, "--name", f"Cán bộ {username}", "--communes", communes)
        assert r.returncode == 0, r.stderr
        return re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", r.stdout).group(0)  # type: ignore[union-attr]

    def start(self, port: int = 0, *, cert: str | None = None, key: str | None = None, ca: str | None = None) -> None:
        tls = ["--cert", cert, "--key", key] if cert and key else []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sync.server.cli", "--db", self.db_url, "serve", "--port", str(port), *tls, *self.serve_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env={**_env(), **self.env})
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        match = re.search(r"(https?://127\.0\.0\.1:\d+)", line)
        assert match, f"server did not start: {line!r} {self.proc.stderr.read() if self.proc.stderr else ''}"
        self.url = match.group(1)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=2, verify=ca or True).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.05)
        raise AssertionError("server never answered /health")

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


PG_ADMIN_URL = os.environ.get("LABOUR_SURVEY_TEST_PG", "")


@contextlib.contextmanager
def server_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty server database URL: a SQLite file, or a new PostgreSQL database
    (dropped afterwards) on the cluster tests/run.sh starts ($LABOUR_SURVEY_TEST_PG)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'server' / 'province.sqlite'}"
        return
    if not PG_ADMIN_URL:
        pytest.skip("PostgreSQL tests need $LABOUR_SURVEY_TEST_PG (tests/run.sh starts a PostgreSQL and sets it)")
    from sqlalchemy import create_engine, text

    name = f"ls_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """The real server process, once on SQLite (its default) and once on PostgreSQL."""
    with server_database(request.param, tmp_path) as url:
        s = Server(url, tmp_path)
        s.start()
        yield s
        s.stop()


def start_https_server(tmp_path: Path, db_name: str = "province.sqlite") -> tuple[Server, Path]:
    """A started server over HTTPS with a certificate of the province's own authority (a test
    CA), and that CA's file, as a province hands it to its laptops. The caller stops it."""
    import trustme

    ca = trustme.CA(organization_name="Sở LĐTBXH Thanh Hoá (test)")
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = tmp_path / "server.pem", tmp_path / "server.key", tmp_path / "province-ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_file), append=True)
    cert.private_key_pem.write_to_path(str(key_file))
    ca.cert_pem.write_to_path(str(ca_file))
    s = Server(f"sqlite:///{tmp_path / 'server' / db_name}", tmp_path)
    s.start(cert=str(cert_file), key=str(key_file), ca=str(ca_file))
    return s, ca_file

