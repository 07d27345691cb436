#!/usr/bin/env bash
# Install labour-survey (system packages, a virtual environment in .venv) and start it.
# Arguments go to labour-survey: `bash installer/start.sh households list`.
set -euo pipefail
cd "$(dirname "$0")/.."
source installer/bootstrap.sh
# Install once, and again only when pyproject.toml (dependencies, commands) changes: the code is
# installed editable, and later starts need no network (a laptop in a village has none).
stamp=.venv/.labour-survey-installed
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -x .venv/bin/labour-survey ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  ensure_system_packages
  ensure_venv
  .venv/bin/python -m pip install -q -e .
  echo "$wanted" > "$stamp"
fi
exec .venv/bin/labour-survey "$@"
