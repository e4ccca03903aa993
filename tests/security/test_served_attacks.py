"""The attacks of issue 12, replayed against a served copy: gunicorn with 2 workers, rate limits on.

Unit tests check each defence inside one process; these check what only a real server shows: a
brute-force budget shared by both workers, cookies as a browser would replay them after logout, and
the headers and answers that reach the wire. Each database engine gets its own server.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator

import pytest
import requests

from tests.faults.harness import (
    PASSWORD,
    Server,
    create_pg_database,
    csrf_of,
    drop_pg_database,
    postgres_available,
)

pytestmark = [pytest.mark.slow, pytest.mark.engine_independent]  # own servers, own databases

TIMEOUT = 20
NEED = {
    "title": "高寒地区锂电池低温启动方案",
    "description": "我司储能电站位于内蒙古，冬季零下三十度时电池无法启动，寻求低温自加热或保温方案。",
    "field_code": "energy",
    "province": "15",
    "cooperation_mode": "develop",
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Server, dict[str, object]]]:
    database = None
    if request.param == "postgresql":
        if not postgres_available():
            pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
        database = f"kechuang_attacks_{uuid.uuid4().hex[:10]}"
        create_pg_database(database)
    server = Server(f"postgresql://postgres@127.0.0.1:5432/{database}" if database else None, workers=2)
    # The defaults a deployment has, not the test suite's relaxed limits.
    for name in ("LOGIN_RATE_LIMIT", "API_TOKEN_RATE_LIMIT", "RATELIMIT_ENABLED"):
        server.env.pop(name, None)
    try:
        seeded = server.seed()
        server.start()
        yield server, seeded
    finally:
        server.stop()
        if database:
            drop_pg_database(database)


def _login_form(
    session: requests.Session, base: str, email: str, password: str, **extra: str
) -> requests.Response:
    csrf = csrf_of(session.get(base + "/auth/login", timeout=TIMEOUT).text)
    return session.post(
        base + "/auth/login" + extra.pop("query", ""),
        data={"csrf_token": csrf, "email": email, "password": password, **extra},
        timeout=TIMEOUT,
        allow_redirects=False,
    )


def test_logout_ends_the_session_and_the_remember_cookie(served: tuple[Server, dict[str, object]]) -> None:
    server, _seeded = served
    browser = requests.Session()
    assert _login_form(browser, server.base, "ent@example.com", PASSWORD, remember="y").status_code == 302
    old_session = browser.cookies.get("session")
    old_remember = browser.cookies.get("remember_token")
    assert old_session and old_remember
    assert browser.get(server.base + "/needs/mine", timeout=TIMEOUT, allow_redirects=False).status_code == 200
    csrf = csrf_of(browser.get(server.base + "/needs/mine", timeout=TIMEOUT).text)
    logout = browser.post(server.base + "/auth/logout", data={"csrf_token": csrf}, timeout=TIMEOUT)
    assert logout.status_code < 400
    assert "remember_token" not in browser.cookies

    for cookies in ({"session": old_session}, {"remember_token": old_remember}):
        replay = requests.get(
            server.base + "/needs/mine", cookies=cookies, timeout=TIMEOUT, allow_redirects=False
        )
        assert replay.status_code == 302 and "/auth/login" in replay.headers["Location"], cookies


def test_common_password_refused_at_registration(served: tuple[Server, dict[str, object]]) -> None:
    server, _seeded = served
    browser = requests.Session()
    csrf = csrf_of(browser.get(server.base + "/auth/register", timeout=TIMEOUT).text)
    email = f"new-{uuid.uuid4().hex[:6]}@example.com"
    response = browser.post(
        server.base + "/auth/register",
        data={
            "csrf_token": csrf,
            "role": "enterprise",
            "name": "王晓明",
            "email": email,
            "organisation": "晓明科技有限公司",
            "province": "32",
            "password": "password123",
            "confirm": "password123",
        },
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    assert response.status_code == 200 and "is-invalid" in response.text


def test_crlf_in_next_is_not_a_500(served: tuple[Server, dict[str, object]]) -> None:
    server, _seeded = served
    response = _login_form(
        requests.Session(), server.base, "ent@example.com", PASSWORD, query="?next=%2F%0D%0ASet-Cookie:%20x=1"
    )
    assert response.status_code == 302
    assert "\r" not in response.headers["Location"] and "x=1" not in response.headers.get("Set-Cookie", "")


def test_api_input_answers_4xx_and_wildcards_match_nothing(served: tuple[Server, dict[str, object]]) -> None:
    server, seeded = served
    auth = {"Authorization": f"Bearer {seeded['token']}"}
    bad = requests.post(
        server.base + "/api/v1/needs",
        json={**NEED, "description": NEED["description"] + "\u001b"},
        headers=auth,
        timeout=TIMEOUT,
    )
    assert bad.status_code == 422 and "description" in bad.json()["fields"]
    blank_city = requests.post(
        server.base + "/api/v1/needs",
        json={**NEED, "title": "城市为空格的需求", "city": " "},
        headers=auth,
        timeout=TIMEOUT,
    )
    assert blank_city.status_code == 201 and blank_city.json()["city"] is None
    for q in ("%", "_"):
        listed = requests.get(server.base + "/api/v1/needs", params={"q": q}, timeout=TIMEOUT)
        assert listed.status_code == 200 and listed.json()["total"] == 0, q
    assert requests.get(server.base + "/api/v1/needs", timeout=TIMEOUT).json()["total"] >= 1


def test_personal_pages_are_not_stored_by_caches(served: tuple[Server, dict[str, object]]) -> None:
    server, seeded = served
    browser = requests.Session()
    assert _login_form(browser, server.base, "ent@example.com", PASSWORD).status_code == 302
    page = browser.get(server.base + "/needs/mine", timeout=TIMEOUT)
    assert "no-store" in page.headers["Cache-Control"]
    api = requests.get(
        server.base + "/api/v1/me/needs",
        headers={"Authorization": f"Bearer {seeded['token']}"},
        timeout=TIMEOUT,
    )
    assert "no-store" in api.headers["Cache-Control"]


def test_twenty_identical_creates_make_one_need(served: tuple[Server, dict[str, object]]) -> None:
    server, seeded = served
    headers = {"Authorization": f"Bearer {seeded['token']}", "Idempotency-Key": uuid.uuid4().hex}
    body = {**NEED, "title": f"重复提交测试需求{uuid.uuid4().hex[:6]}"}
    ids: list[object] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def post() -> None:
        response = requests.post(server.base + "/api/v1/needs", json=body, headers=headers, timeout=TIMEOUT)
        with lock:
            statuses.append(response.status_code)
            if response.status_code == 201:
                ids.append(response.json()["id"])

    threads = [threading.Thread(target=post) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s in (201, 409) for s in statuses), statuses
    assert len(set(ids)) == 1, (ids, statuses)
    mine = requests.get(
        server.base + "/api/v1/me/needs", headers={"Authorization": headers["Authorization"]}, timeout=TIMEOUT
    ).json()
    assert [n["title"] for n in mine["items"]].count(body["title"]) == 1


# Spends this address's whole password budget: the module's other logins must come before it.
def test_one_password_budget_for_both_workers_and_both_doors(
    served: tuple[Server, dict[str, object]],
) -> None:
    server, _seeded = served
    attacker = requests.Session()
    answers: list[int] = []
    retry_after: list[str] = []
    for n in range(30):
        email = f"guess{n}-{uuid.uuid4().hex[:6]}@example.com"  # a new account each time: the address budget
        if n % 2:
            response = requests.post(
                server.base + "/api/v1/tokens",
                json={"email": email, "password": "Wrong-pass-2026", "name": "x"},
                timeout=TIMEOUT,
            )
        else:
            response = _login_form(attacker, server.base, email, "Wrong-pass-2026")
        answers.append(response.status_code)
        if response.status_code == 429:
            retry_after.append(response.headers.get("Retry-After", ""))
    checked = [s for s in answers if s != 429]
    assert len(checked) <= 10, answers  # LOGIN_RATE_LIMIT's default: 10 per minute per address
    assert answers[-1] == 429 and all(v.isdigit() and int(v) > 0 for v in retry_after), (answers, retry_after)


def test_no_server_error_was_logged(served: tuple[Server, dict[str, object]]) -> None:
    server, _seeded = served
    log = server.log.read_text(errors="replace")
    assert not re.search(r"Traceback|\" 500 ", log), log[-3000:]
