#!/usr/bin/env bash
# One command from a bare machine: install everything, then run the static checks and the whole
# test suite on SQLite and again on the PostgreSQL server (TEST_POSTGRES_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --dev
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
pg_url=${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/kechuang_test}

echo "==> ruff"
.venv/bin/ruff check market indexer tests benchmarks
.venv/bin/ruff format --check market indexer tests benchmarks

echo "==> import-linter (layering contracts in pyproject.toml, docs/architecture.md)"
.venv/bin/lint-imports --no-cache

echo "==> mypy (indexer and the business-rule modules)"
.venv/bin/mypy --ignore-missing-imports --follow-imports=silent indexer market/permissions.py \
  market/orders/transitions.py market/matching/services.py market/moderation/services.py \
  market/moderation/transitions.py market/postings.py market/scope.py market/config.py market/messages.py \
  market/auth/sessions.py market/auth/passwords.py market/security/events.py

echo "==> bandit (medium and high severity)"
.venv/bin/bandit -q -r market indexer -ll

echo "==> pip-audit (report only: the vulnerability service is often unreachable from here)"
.venv/bin/pip-audit -l --progress-spinner off 2>&1 | grep -v "could not be audited" | tail -20 || true

# One worker per core (pytest-xdist): each worker has its own database and index (tests/conftest.py).
echo "==> pytest on SQLite"
.venv/bin/pytest -q -p no:cacheprovider -n auto "$@"

echo "==> pytest on PostgreSQL ($pg_url)"
if ! .venv/bin/python -c "import psycopg,sys; psycopg.connect(sys.argv[1].replace('/kechuang_test','/postgres'), connect_timeout=5).close()" "$pg_url"; then
  echo "PostgreSQL is not reachable at $pg_url: start it (see README) or set TEST_POSTGRES_URL" >&2
  exit 1
fi
# Browser and encoder-heavy tests do not depend on the database engine; they ran above.
TEST_DATABASE_URL="$pg_url" .venv/bin/pytest -q -p no:cacheprovider -n auto -m "not browser and not engine_independent" "$@"
