#!/usr/bin/env bash
# Install labour-survey (system packages, a virtual environment in .venv) and start it.
# Arguments go to labour-survey: `bash installer/start.sh households list`.
set -euo pipefail
cd "$(dirname "$0")/.."
source installer/bootstrap.sh
ensure_system_packages
ensure_venv
.venv/bin/python -m pip install -q -e .
exec .venv/bin/labour-survey "$@"
