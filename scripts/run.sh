#!/usr/bin/env bash
# One command from a bare machine: install, create the database, load demo data, index it,
# and serve at http://127.0.0.1:8000 under gunicorn.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export FLASK_APP=market
.venv/bin/market init-db
.venv/bin/market load-demo --if-empty
.venv/bin/market reindex --if-stale
echo "==> serving 科创对接 at http://${BIND:-127.0.0.1:8000}  (demo logins: docs/demo.md)"
exec .venv/bin/market serve --bind "${BIND:-127.0.0.1:8000}" --workers "${WORKERS:-2}"
