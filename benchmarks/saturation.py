"""Saturation with no think time against gunicorn: errors per page, on SQLite or PostgreSQL (issue 19, 4).

    .venv/bin/python benchmarks/saturation.py                                     # SQLite, temp instance
    .venv/bin/python benchmarks/saturation.py --database postgresql://postgres@127.0.0.1:5432/kechuang_bench_saturation
    .venv/bin/python benchmarks/saturation.py --users 128 --seconds 30 --workers 2 --before

It builds a throwaway instance (a small demo: `--providers`, `--needs`; indexed), starts gunicorn
(`--workers`, 64 threads each, the deployment's defaults otherwise), and `--users` client threads then
send requests back to back, without pause, for `--seconds`. Each thread logs in as a demo account,
then loops over a mix that reads and writes: a fresh login (GET the form, POST it: a session row,
a security event, the password-check budget), the home page, the needs and providers lists, a need
detail, the account's own needs, the API needs list and an API write (`PATCH /api/v1/me`).

Printed per page: requests, 2xx/3xx, 4xx, 500, 503 (with Retry-After), other failures (5xx,
connection errors, timeouts), p50 and p99 in ms, and for the server: tracebacks and "database is
locked" lines in its log. The target is 0 x 500. `--before` serves the app as it ran before issue 19
(SQLite in the rollback journal with the driver's 5 s busy timeout, password hashing unbounded; the
503 handler, the connection pool and the rest of the code stay as they are now) for a comparison.
The client threads share the machine with the server: on 2 cores the numbers are capacity under that
load, not a server's best. `uptime` is printed before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PASSWORD = "Demo-pass-2026"  # market/demo/load.py
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
REQUEST_TIMEOUT = 60


@dataclass
class Tally:
    times: list[float] = field(default_factory=list)
    ok: int = 0
    client_errors: int = 0
    server_500: int = 0
    busy_503: int = 0
    busy_without_retry_after: int = 0
    other_failures: int = 0

    def add(self, status: int | None, seconds: float, retry_after: str | None) -> None:
        self.times.append(seconds)
        if status is None or (status >= 500 and status not in (500, 503)):
            self.other_failures += 1
        elif status == 500:
            self.server_500 += 1
        elif status == 503:
            self.busy_503 += 1
            self.busy_without_retry_after += retry_after is None
        elif status >= 400:
            self.client_errors += 1
        else:
            self.ok += 1


class Results:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.pages: dict[str, Tally] = defaultdict(Tally)

    def add(self, page: str, status: int | None, seconds: float, retry_after: str | None = None) -> None:
        with self._lock:
            self.pages[page].add(status, seconds, retry_after)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _market(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "market"), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"market {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _environment(args: argparse.Namespace, instance: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "KECHUANG_INSTANCE": str(instance),
        "SECRET_KEY": "saturation-benchmark",
        "HF_HUB_OFFLINE": "1",
        "GUNICORN_THREADS": str(args.threads),
        "LOG_LEVEL": "WARNING",
        # Every client here comes from 127.0.0.1; real users come from many addresses.
        "LOGIN_RATE_LIMIT": "1000000 per minute",
        "LOGIN_ACCOUNT_LIMIT": "1000000 per minute",
        "API_TOKEN_RATE_LIMIT": "1000000 per minute",
    }
    if args.database:
        env["DATABASE_URL"] = args.database.replace("postgresql://", "postgresql+psycopg://", 1)
    return env


def _prepare(args: argparse.Namespace, instance: Path) -> dict[str, str]:
    env = _environment(args, instance)
    if args.database:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        url = make_url(env["DATABASE_URL"])
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
    started = time.perf_counter()
    _market(env, "init-db")
    _market(env, "load-demo", "--providers", str(args.providers), "--needs", str(args.needs))
    if args.reindex:
        _market(env, "reindex")
    print(f"instance ready in {time.perf_counter() - started:.0f} s", flush=True)
    return env


def legacy_app():  # type: ignore[no-untyped-def]
    """The app as it ran before issue 19: rollback journal, 5 s busy timeout (pysqlite's default)."""
    import market
    from market.db import db

    def rollback_journal(app):  # type: ignore[no-untyped-def]
        with app.app_context():
            engine = db.engine
            if engine.dialect.name == "sqlite":
                with engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA journal_mode=DELETE")
                engine.dispose()

    market.configure_sqlite = rollback_journal  # type: ignore[attr-defined]
    return market.create_app()


def _serve(env: dict[str, str], workers: int, port: int, log: Path, before: bool) -> subprocess.Popen[bytes]:
    if before:
        env = {**env, "PASSWORD_HASH_CONCURRENCY": "1000"}
    command = [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--config",
        "python:market.gunicorn_conf",
        "benchmarks.saturation:legacy_app()" if before else "market.wsgi:app",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code in (200, 503):
                return server
        except requests.RequestException:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer; see {log}")


def _login(session: requests.Session, base: str, email: str, results: Results | None) -> bool:
    form = session.get(f"{base}/auth/login", timeout=REQUEST_TIMEOUT)
    token = CSRF.search(form.text)
    started = time.perf_counter()
    response = session.post(
        f"{base}/auth/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1) if token else ""},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT,
    )
    if results is not None:
        results.add("POST login", response.status_code, time.perf_counter() - started, _retry(response))
    return response.status_code == 302


def _retry(response: requests.Response) -> str | None:
    return response.headers.get("Retry-After")


def _api_token(base: str) -> str:
    response = requests.post(
        f"{base}/api/v1/tokens",
        json={"email": "enterprise@demo.kechuang.cn", "password": PASSWORD, "name": "saturation"},
        timeout=REQUEST_TIMEOUT,
    )
    response.raise_for_status()
    return str(response.json()["token"])


def _need_ids(base: str, token: str) -> list[int]:
    response = requests.get(f"{base}/api/v1/needs", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    return [item["id"] for item in response.json().get("items", [])] or [1]


def _user(base: str, number: int, token: str, needs: list[int], stop: float, results: Results) -> None:
    # Demo accounts: enterprise@ and enterprise02@.. (market/demo/load.py), spread over the threads.
    emails = ["enterprise@demo.kechuang.cn", *(f"enterprise{i:02d}@demo.kechuang.cn" for i in range(2, 9))]
    email = emails[number % len(emails)]
    session = requests.Session()
    api = {"Authorization": f"Bearer {token}"}
    with contextlib.suppress(requests.RequestException):
        _login(session, base, email, results)
    mix = [
        ("home", "GET", "/", None),
        ("needs list", "GET", "/needs/", None),
        ("need detail", "GET", "/needs/{need}", None),
        ("providers list", "GET", "/providers/", None),
        ("my needs", "GET", "/needs/mine", None),
        ("API needs list", "GET", "/api/v1/needs", api),
        ("API PATCH /me (write)", "PATCH", "/api/v1/me", api),
        ("login", "LOGIN", "", None),
    ]
    step = number
    while time.monotonic() < stop:
        name, method, path, headers = mix[step % len(mix)]
        step += 1
        started = time.perf_counter()
        try:
            if method == "LOGIN":
                _login(requests.Session(), base, email, results)
                continue
            url = base + path.format(need=needs[step % len(needs)])
            if method == "PATCH":
                response = session.patch(
                    url, json={"name": f"压测联系人{step % 97}"}, headers=headers, timeout=REQUEST_TIMEOUT
                )
            else:
                response = session.get(url, headers=headers, allow_redirects=False, timeout=REQUEST_TIMEOUT)
            results.add(name, response.status_code, time.perf_counter() - started, _retry(response))
        except requests.RequestException:
            results.add(name if method != "LOGIN" else "POST login", None, time.perf_counter() - started)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def _report(results: Results, log_text: str, seconds: float) -> int:
    print("\n| page | requests | req/s | 2xx/3xx | 4xx | 500 | 503 | other failures | p50 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    total_500 = 0
    for name, tally in sorted(results.pages.items()):
        total_500 += tally.server_500
        bare = tally.busy_without_retry_after
        print(
            f"| {name} | {len(tally.times)} | {len(tally.times) / seconds:.0f} | {tally.ok} | "
            f"{tally.client_errors} | {tally.server_500} | {tally.busy_503}"
            f"{f' ({bare} without Retry-After)' if bare else ''}"
            f" | {tally.other_failures} | {statistics.median(tally.times) * 1000:.0f} | "
            f"{_percentile(tally.times, 0.99):.0f} |"
        )
    print(
        f"\nserver log: {log_text.count('Traceback')} tracebacks, "
        f"{log_text.count('database is locked')} 'database is locked', "
        f"{log_text.count('answered 503')} database-busy 503s logged"
    )
    return total_500


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="", help="PostgreSQL URL (dropped and created); default SQLite")
    parser.add_argument("--users", type=int, default=128, help="client threads, no think time")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=64, help="GUNICORN_THREADS")
    parser.add_argument("--providers", type=int, default=40)
    parser.add_argument("--needs", type=int, default=20)
    parser.add_argument("--no-reindex", dest="reindex", action="store_false")
    parser.add_argument("--before", action="store_true", help="serve the app as before issue 19")
    parser.add_argument("--instance", default="", help="reuse this folder (kept), prepared if empty")
    args = parser.parse_args()
    instance = Path(args.instance or tempfile.mkdtemp(prefix="kechuang-saturation-"))
    try:
        ready = args.instance and (instance / "ready").exists()
        env = _environment(args, instance) if ready else _prepare(args, instance)
        (instance / "ready").touch()
        port = _free_port()
        log = instance / f"gunicorn-{time.strftime('%H%M%S')}{'-before' if args.before else ''}.log"
        server = _serve(env, args.workers, port, log, args.before)
        base = f"http://127.0.0.1:{port}"
        try:
            token = _api_token(base)
            needs = _need_ids(base, token)
            print(f"before: {_uptime()}", flush=True)
            results = Results()
            stop = time.monotonic() + args.seconds
            threads = [
                threading.Thread(target=_user, args=(base, n, token, needs, stop, results))
                for n in range(args.users)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            print(f"after:  {_uptime()}")
            label = "PostgreSQL" if args.database else "SQLite"
            label += " (before issue 19)" if args.before else ""
            print(
                f"{label}, {args.workers} workers x {args.threads} threads, "
                f"{args.users} users without think time, {elapsed:.0f} s"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        failures = _report(results, log.read_text(errors="replace"), elapsed)
        print(f"server log: {log}" if args.instance else "")
        sys.exit(1 if failures else 0)
    finally:
        if not args.instance:
            shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
