#!/usr/bin/env bash
# Install what the tests need (system packages, .venv with the test extras) and run every test.
# Extra arguments go to pytest: `bash tests/run.sh -k store`.
set -euo pipefail
cd "$(dirname "$0")/.."
source installer/bootstrap.sh
source tests/postgres.sh
# PostgreSQL for the server tests, PyInstaller's objdump and Python's shared library for the bundle
# test, Chromium and its driver for the review pages' browser test, 7-Zip to open the encrypted exports.
ensure_system_packages postgresql binutils libpython3-dev chromium chromium-driver p7zip-full xvfb xdotool
ensure_venv
.venv/bin/python -m pip install -q -e ".[test]"
start_test_postgres
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
# Two workers, each test file kept on one (its session fixtures, servers and X display with it).
.venv/bin/python -m pytest -q -n 2 --dist loadfile "$@"
