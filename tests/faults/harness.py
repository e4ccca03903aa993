"""Real gunicorn servers on throwaway databases, and a TCP proxy that can cut the database off."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "Passw0rd-faults"


def bound_socket() -> socket.socket:
    """A loopback socket on a port of the kernel's choosing, for a server to be handed (fd://): a port
    chosen and let go stays free for another test's server until this one takes it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def postgres_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return True
    except OSError:
        return False


def create_pg_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop_pg_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


SEED = r"""
import json, sys
from market import create_app
from market.auth import services as auth
from market.auth.models import Organisation, OrgKind, Role
from market.db import db, commit
from market.needs.models import Need
from datetime import date, timedelta
from market.cli import upgrade_database

rows = int(sys.argv[1])
app = create_app()
with app.app_context():
    upgrade_database()  # what `market init-db` does, without a second interpreter importing the app
    org = Organisation(name="故障注入测试有限公司", kind=OrgKind.ENTERPRISE.value, province="32")
    ent = auth.create_user(email="ent@example.com", name="企业用户", password=sys.argv[2],
                           role=Role.ENTERPRISE, organisation=org)
    admin = auth.create_user(email="admin@example.com", name="管理员", password=sys.argv[2], role=Role.ADMIN)
    db.session.flush()
    token, _record = auth.create_api_token(ent, "faults")
    need = Need(organisation_id=org.id, author_id=ent.id, title="冬季低温下电动物流车续航下降",
                description="我司电动物流车在零下二十度续航下降约百分之四十，希望找到电池热管理方案。",
                field_code="ev", province="32", cooperation_mode="develop",
                deadline=date.today() + timedelta(days=60), status="approved")
    db.session.add(need)
    from market.providers.models import Provider
    db.session.add(Provider(kind="expert", name="低温电池专家", affiliation="某大学", province="32",
                            expertise="动力电池低温加热与热管理", status="approved"))
    commit()
    out = {"token": token, "need_id": need.id, "batch_id": None}
    if rows:
        from market.imports import batches
        from tests.imports.helpers import csv_bytes, need_row
        data = csv_bytes("needs", [need_row(需求标题=f"故障注入批次需求{i:05d}") for i in range(rows)])
        batch = batches.create_batch(admin, "needs", "faults.csv", data, publish=True)
        commit()
        while batch.status == "validating":
            batches.validate_step(batch, admin)
            commit()
            db.session.refresh(batch)
        assert batch.status == "ready", batch.status
        out["batch_id"] = batch.id
    print("SEED " + json.dumps(out))
"""


class Server:
    """gunicorn on a free port with its own instance folder and database."""

    def __init__(self, database_url: str | None = None, workers: int = 1, timeout: int = 30) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="kechuang-faults-"))
        self.listener = bound_socket()  # gunicorn gets it (fd://)
        self.port = int(self.listener.getsockname()[1])
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.timeout = timeout
        self.index_dir = self.tmp / "index"
        self.env = {
            **os.environ,
            "KECHUANG_INSTANCE": str(self.tmp / "instance"),
            "DATABASE_URL": database_url or f"sqlite:///{self.tmp / 'faults.db'}",
            "INDEX_DIR": str(self.index_dir),
            "INDEX_SYNC": "0",
            "SECRET_KEY": "faults-secret",
            "LOGIN_RATE_LIMIT": "10000 per minute",
            "API_TOKEN_RATE_LIMIT": "10000 per minute",
            "RATELIMIT_ENABLED": "0",
            "HF_HUB_OFFLINE": "1",
            "GUNICORN_TIMEOUT": str(timeout),
            "PYTHONPATH": str(ROOT),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = self.tmp / "gunicorn.log"
        # Closed before the server stops: a kept-alive connection holds a worker's graceful exit about
        # 2 s (measured: 2.8 s against 0.8 s per stop).
        self.sessions: list[requests.Session] = []

    def cli(self, *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "market"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )

    def seed(self, import_rows: int = 0) -> dict[str, object]:
        done = subprocess.run(
            [sys.executable, "-c", SEED, str(import_rows), PASSWORD],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        line = next(x for x in done.stdout.splitlines() if x.startswith("SEED "))
        return json.loads(line[5:])  # type: ignore[no-any-return]

    def start(self) -> None:
        out = self.log.open("wb")
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"fd://{self.listener.fileno()}",
                "--workers",
                str(self.workers),
                "--config",
                "python:market.gunicorn_conf",
                "market.wsgi:app",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=(self.listener.fileno(),),
        )
        # gunicorn holds the port now; a copy left open here would queue connections after it died.
        self.listener.close()
        self.wait_up(30)

    def wait_up(self, seconds: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not up after {seconds}s:\n{self.log.read_text()[-3000:]}")

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def login(self, email: str) -> requests.Session:
        session = requests.Session()
        self.sessions.append(session)
        page = session.get(self.base + "/auth/login", timeout=10).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token, page[:500]
        response = session.post(
            self.base + "/auth/login",
            data={"csrf_token": token.group(1), "email": email, "password": PASSWORD},
            timeout=10,
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:500]
        return session

    def stop(self) -> None:
        for session in self.sessions:
            session.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if keep := os.environ.get("FAULTS_KEEP_LOG"):
            shutil.copy(self.log, f"{keep}-{self.port}.log")
        self.listener.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


class Proxy:
    """Forwards 127.0.0.1:<port> to the PostgreSQL server; can cut every connection and refuse new ones."""

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.target = target
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.refusing = False
        self.closed = False
        self.listener = bound_socket()
        self.port = int(self.listener.getsockname()[1])
        self.listener.listen(64)
        self.listener.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _addr = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.refusing:
                # An RST at once, as a stopped server's closed port would answer.
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> int:
        """Kill every proxied connection (a database restart) and refuse new ones until resume()."""
        self.refusing = True
        with self.lock:
            victims, self.sockets = self.sockets, []
        for s in victims:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        return len(victims) // 2

    def resume(self) -> None:
        self.refusing = False

    def close(self) -> None:
        self.closed = True
        self.cut()
        self.listener.close()
