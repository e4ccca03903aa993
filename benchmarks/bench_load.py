"""Load benchmark: wrk (a real load generator) on loopback against a running gunicorn.

Start the app first (e.g. `BIND=127.0.0.1:8020 bash scripts/run.sh`), install wrk
(`apt-get install wrk`), then:

    .venv/bin/python benchmarks/bench_load.py --base http://127.0.0.1:8020 --users 50 --think 1000-3000
    .venv/bin/python benchmarks/bench_load.py --base http://127.0.0.1:8020 --users 50 --think 0
    .venv/bin/python benchmarks/bench_load.py --base http://127.0.0.1:8020 --burst 50   # right after a start

Each page gets its own wrk run: `--users` open connections, each one a user who waits a random
`--think` milliseconds (uniform) after every answer before the next request. `--think 0` sends the
next request at once: a saturation test of capacity, not of people. It logs in as the demo
enterprise for the match page, the order inbox and two order actions — a follow-up on one of its
orders and 点单 of a service — which WRITE rows to the target database: point it at a throwaway
instance (a second run finds every service already ordered, and 点单 answers 4xx). As the demo
admin it opens the match page of every public need, then each again with a filter, so no request
is answered from a cached ranking; as provider001 its recommended needs. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

DEMO_ENTERPRISE, DEMO_ADMIN = "enterprise@demo.kechuang.cn", "admin@demo.kechuang.cn"
DEMO_PROVIDER = "provider001@demo.kechuang.cn"
DEMO_PASSWORD = "Demo-pass-2026"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')

# wrk calls delay() before each request of a connection: the user's think time.
LUA = """
math.randomseed(os.time() + tonumber(tostring({{}}):sub(8), 16))
wrk.method = {method}
wrk.body = {body}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = {cookie}
local paths = {paths}
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local n = 0
function request()
  -- the two wrk threads take alternate paths, so no path is used twice before all were used once
  local i = (n * 2 + (id or 0)) % #paths + 1
  n = n + 1
  return wrk.format(nil, paths[i])
end
function delay()
  if {think_max} == 0 then return 0 end
  return math.random({think_min}, {think_max})
end
"""


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    logged_in: bool = False  # as the demo enterprise (or as `user`)
    form: dict[str, str] | None = None  # POST body (the csrf token is added)
    rotate: tuple[str, ...] = ()  # paths taken in turn instead of `path` (one 点单 per service)
    user: str = ""  # "admin" or "provider": logged in as that demo account instead


@dataclass(frozen=True)
class Session:
    cookie: str  # the demo enterprise
    others: dict[str, str]  # "admin" (may open every need's matches), "provider"
    csrf: str
    own_need: str
    own_order: str


def _opener(base: str, email: str) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    """A logged-in browser session of the demo account `email`."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/auth/login").read().decode()
    token = CSRF.search(page)
    form = {"email": email, "password": DEMO_PASSWORD, "csrf_token": token.group(1) if token else ""}
    opener.open(f"{base}/auth/login", urllib.parse.urlencode(form).encode())
    return opener, jar


def _cookie(jar: http.cookiejar.CookieJar) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _login(base: str) -> Session:
    opener, jar = _opener(base, DEMO_ENTERPRISE)
    mine = opener.open(f"{base}/needs/mine?status=approved").read().decode()
    need = re.search(r'href="/needs/(\d+)"', mine)
    # An order of our own for the follow-up action: 点单 the first service not yet ordered.
    for service in _service_ids(base):
        form_page = opener.open(f"{base}/orders/new/service/{service}").read().decode()
        csrf = CSRF.search(form_page).group(1)  # type: ignore[union-attr]
        ordered = opener.open(
            f"{base}/orders/new/service/{service}",
            urllib.parse.urlencode({"csrf_token": csrf, "message": "负载测试前的准备订单"}).encode(),
        )
        order = re.search(r"/orders/(\d+)", ordered.geturl())
        if order:
            break
    else:
        raise SystemExit("could not place the preparatory order: every service refused")
    return Session(
        _cookie(jar),
        {
            "admin": _cookie(_opener(base, DEMO_ADMIN)[1]),
            "provider": _cookie(_opener(base, DEMO_PROVIDER)[1]),
        },
        csrf,
        need.group(1) if need else "1",
        order.group(1),
    )


def _all_ids(base: str, resource: str, pages: int = 100) -> list[str]:
    """Ids of every public item of an API list endpoint (`needs`, `services`)."""
    ids: list[str] = []
    for page in range(1, pages + 1):
        with urllib.request.urlopen(f"{base}/api/v1/{resource}?per_page=100&page={page}") as response:
            items = json.load(response)["items"]
        ids += [str(item["id"]) for item in items]
        if len(items) < 100:
            break
    return ids


def _service_ids(base: str) -> list[str]:
    return _all_ids(base, "services", pages=10)


def _uncached_match_paths(base: str) -> tuple[str, ...]:
    """Every public need's match page, then each again with a filter: no two requests share a
    cached ranking, and none reuses another's."""
    needs = _all_ids(base, "needs")
    variants = ("", "?kind=expert", "?kind=society", "?kind=team", "?kind=institution", "?available=1")
    return tuple(f"/needs/{need}/matches{variant}" for variant in variants for need in needs)


def _first_id(base: str, resource: str) -> str:
    with urllib.request.urlopen(f"{base}/api/v1/{resource}?per_page=1") as response:
        return str(json.load(response)["items"][0]["id"])


def _cookie_for(page: Page, session: Session) -> str:
    if page.user:
        return session.others[page.user]
    return session.cookie if page.logged_in else ""


def _lua(page: Page, session: Session, think: tuple[int, int]) -> str:
    body = ""
    if page.form is not None:
        body = urllib.parse.urlencode({**page.form, "csrf_token": session.csrf})
    return LUA.format(
        method=json.dumps("POST" if page.form is not None else "GET"),
        body=json.dumps(body) if body else "nil",
        cookie=json.dumps(_cookie_for(page, session)),
        paths="{" + ", ".join(json.dumps(path) for path in page.rotate or (page.path,)) + "}",
        think_min=think[0],
        think_max=think[1],
    )


def _wrk(url: str, users: int, seconds: int, script: str) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    command = ["wrk", "-t2", f"-c{users}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    output = subprocess.run(
        [*command, "-s", lua.name, url], capture_output=True, text=True, check=True
    ).stdout
    Path(lua.name).unlink()
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    return {
        "requests": float(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
        "errors": float(non_2xx.group(1)) if non_2xx else 0.0,
        "socket": 1.0 if socket_errors else 0.0,
    }


def _ms(value: str) -> float:
    number = float(re.match(r"[\d.]+", value).group(0))  # type: ignore[union-attr]
    if value.endswith("us"):
        return number / 1000
    if value.endswith("ms"):
        return number
    return number * 1000  # seconds


def _think(value: str) -> tuple[int, int]:
    low, _, high = value.partition("-")
    return int(low), int(high or low)


def pages(base: str, session: Session) -> list[Page]:
    need, provider = _first_id(base, "needs"), _first_id(base, "providers")
    services = tuple(f"/orders/new/service/{service}" for service in _service_ids(base))
    return [
        Page("home", "/"),
        Page("needs list", "/needs/?field=ev"),
        Page("providers list", "/providers/?kind=expert"),
        Page("need detail", f"/needs/{need}"),
        Page("provider detail", f"/providers/{provider}"),
        Page("API needs list", "/api/v1/needs?per_page=20"),
        Page("match page (logged in)", f"/needs/{session.own_need}/matches", True),
        Page(
            "match pages, a different need or filter each time (admin, uncached)",
            "",
            rotate=_uncached_match_paths(base),
            user="admin",
        ),
        Page("recommended needs (provider, logged in)", "/me/recommended", user="provider"),
        Page("order inbox (logged in)", "/orders/", True),
        Page("order detail (logged in)", f"/orders/{session.own_order}", True),
        Page(
            "POST follow-up on an order",
            f"/orders/{session.own_order}/follow-ups",
            True,
            {"body": "负载测试跟进：已电话沟通，下周现场评估。"},
        ),
        Page(
            "POST 点单 (each user orders services in turn)",
            services[0],
            True,
            {"message": "负载测试点单：希望了解服务周期和报价。"},
            services,
        ),
    ]


def _burst(base: str, session: Session, n: int) -> None:
    """n users open the enterprise's match page at the same instant (as after a restart or a deploy)."""
    url = f"{base}/needs/{session.own_need}/matches"
    start = threading.Barrier(n)

    def one() -> float:
        request = urllib.request.Request(url, headers={"Cookie": session.cookie})
        start.wait()
        began = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
        return (time.perf_counter() - began) * 1000

    with ThreadPoolExecutor(n) as pool:
        times = sorted(pool.map(lambda _: one(), range(n)))
    median, p90 = times[n // 2], times[min(n - 1, n * 9 // 10)]
    print(f"{n} simultaneous match pages: min {times[0]:.0f} ms, median {median:.0f} ms, ", end="")
    print(f"p90 {p90:.0f} ms, max {times[-1]:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--users", "--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--think", default="1000-3000", help="think time per user in ms: MIN-MAX, or 0")
    parser.add_argument("--only", default="", help="run only pages whose name contains this")
    parser.add_argument("--burst", type=int, default=0, help="instead: N match pages at the same instant")
    args = parser.parse_args()
    think = _think(args.think)
    session = _login(args.base)
    if args.burst:
        _burst(args.base, session, args.burst)
        return
    print(f"{args.users} users, think time {args.think} ms, {args.seconds} s per page\n")
    print("| page | requests | requests/s | p50 ms | p99 ms | 4xx/5xx | socket errors |")
    print("|---|---|---|---|---|---|---|")
    for page in pages(args.base, session):
        if args.only and args.only not in page.name:
            continue
        result = _wrk(args.base + page.path, args.users, args.seconds, _lua(page, session, think))
        print(
            f"| {page.name} | {result['requests']:.0f} | {result['rps']:.0f} | {result['p50']:.0f} | "
            f"{result['p99']:.0f} | {result['errors']:.0f} | {'yes' if result['socket'] else 'no'} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
