#!/usr/bin/env bash
# One command from a bare machine: install everything, then run the static checks and the whole
# test suite on SQLite and again on the PostgreSQL server (TEST_POSTGRES_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --dev
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
# The suite starts about twenty Python processes (test workers, gunicorn servers, CLI runs), each
# importing the app and the tests: with bytecode caching switched off in the environment, each
# compiles them from source again (a worker's collection took 14.5 s instead of 6.2 s).
unset PYTHONDONTWRITEBYTECODE
pg_url=${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/kechuang_test}

echo "==> ruff"
.venv/bin/ruff check market indexer tests benchmarks
.venv/bin/ruff format --check market indexer tests benchmarks

echo "==> import-linter (layering contracts in pyproject.toml, docs/architecture.md)"
.venv/bin/lint-imports --no-cache

# mypy (from a fresh clone it has no cache: about 8 s of CPU; it skips torch and transformers,
# pyproject.toml), bandit and pip-audit (waits for the network) run in
# the background, at low priority, while pytest runs: they take the CPU time the test workers leave
# idle instead of holding up the test runs. Their output is printed, and their failure fails this
# script, at the end.
checks=$(mktemp -d)
declare -A check_pids
# Interrupted (Ctrl-C, a failed step): stop the background checks too.
trap 'jobs -p | xargs -r kill 2>/dev/null || true' EXIT
background() {
  local name=$1
  shift
  nice -n 15 "$@" >"$checks/$name.log" 2>&1 &
  check_pids[$name]=$!
}
background mypy .venv/bin/mypy --ignore-missing-imports --follow-imports=silent indexer market/permissions.py \
  market/orders/transitions.py market/matching/services.py market/moderation/services.py \
  market/moderation/transitions.py market/postings.py market/scope.py market/config.py market/messages.py \
  market/auth/sessions.py market/auth/passwords.py market/security/events.py
background bandit .venv/bin/bandit -q -r market indexer -ll
# Report only: the vulnerability service is often unreachable from here.
background pip-audit bash -c '.venv/bin/pip-audit -l --progress-spinner off 2>&1 | grep -v "could not be audited" | tail -20 || true'

failed=()
# The static checks' verdicts: printed and collected at the end, also when a pytest run fails.
report_checks() {
  local name
  for name in mypy bandit pip-audit; do
    echo "==> $name (ran in the background)"
    if wait "${check_pids[$name]}"; then
      cat "$checks/$name.log"
    else
      cat "$checks/$name.log"
      failed+=("$name")
    fi
  done
  rm -rf "$checks"
  if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}" >&2
    exit 1
  fi
}

# One worker per core (pytest-xdist): each worker has its own database and index (tests/conftest.py).
# --dist worksteal: a worker that runs out of tests takes half of the other's queue, so a few long
# tests near the end do not leave one core idle (docs/testing.md).
echo "==> pytest on SQLite"
if ! .venv/bin/pytest -q -p no:cacheprovider -n auto --dist worksteal "$@"; then
  failed+=("pytest on SQLite")
  report_checks
fi

echo "==> pytest on PostgreSQL ($pg_url)"
if ! .venv/bin/python -c "import psycopg,sys; psycopg.connect(sys.argv[1].replace('/kechuang_test','/postgres'), connect_timeout=5).close()" "$pg_url"; then
  echo "PostgreSQL is not reachable at $pg_url: start it (see README) or set TEST_POSTGRES_URL" >&2
  failed+=("PostgreSQL unreachable")
  report_checks
fi
# Browser and encoder-heavy tests do not depend on the database engine; they ran above. Schemathesis
# sends its coverage phase (boundary values: huge and negative ids, empty and overlong text, NUL
# bytes, wrong types: what differs between engines) in full here, but 8 instead of 25 random examples
# per operation: those search the validation layer, which is the same on both engines.
if ! SCHEMATHESIS_MAX_EXAMPLES=8 TEST_DATABASE_URL="$pg_url" .venv/bin/pytest -q -p no:cacheprovider -n auto --dist worksteal \
  -m "not browser and not engine_independent" "$@"; then
  failed+=("pytest on PostgreSQL")
fi
report_checks
