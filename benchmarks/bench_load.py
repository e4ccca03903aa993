"""Load benchmark: wrk (a real load generator) on loopback against a running gunicorn.

Start the app first (e.g. `bash scripts/run.sh`, or `market serve --workers N`), then:

    .venv/bin/python benchmarks/bench_load.py --base http://127.0.0.1:8000 --connections 50 --seconds 20

It logs in as the demo enterprise to reach the match page and the order inbox, finds a public need
and provider through the API, and runs wrk once per page. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import subprocess
import urllib.parse
import urllib.request

DEMO_LOGIN = ("enterprise@demo.kechuang.cn", "Demo-pass-2026")


def _session_cookie(base: str) -> tuple[str, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/auth/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    form = {"email": DEMO_LOGIN[0], "password": DEMO_LOGIN[1], "csrf_token": token.group(1) if token else ""}
    opener.open(f"{base}/auth/login", urllib.parse.urlencode(form).encode())
    mine = opener.open(f"{base}/needs/mine?status=approved").read().decode()
    need = re.search(r'href="/needs/(\d+)"', mine)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, need.group(1) if need else "1"


def _first_id(base: str, resource: str) -> str:
    with urllib.request.urlopen(f"{base}/api/v1/{resource}?per_page=1") as response:
        return str(json.load(response)["items"][0]["id"])


def _wrk(url: str, connections: int, seconds: int, cookie: str = "") -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
        "errors": float(len(re.findall(r"Non-2xx|Socket errors", output))),
    }


def _ms(value: str) -> float:
    number = float(re.match(r"[\d.]+", value).group(0))  # type: ignore[union-attr]
    if value.endswith("us"):
        return number / 1000
    if value.endswith("ms"):
        return number
    return number * 1000  # seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    cookie, own_need = _session_cookie(args.base)
    need, provider = _first_id(args.base, "needs"), _first_id(args.base, "providers")
    pages = [
        ("home", "/", ""),
        ("needs list", "/needs/?field=ev", ""),
        ("providers list", "/providers/?kind=expert", ""),
        ("need detail", f"/needs/{need}", ""),
        ("provider detail", f"/providers/{provider}", ""),
        ("API needs list", "/api/v1/needs?per_page=20", ""),
        ("match page (logged in)", f"/needs/{own_need}/matches", cookie),
        ("order inbox (logged in)", "/orders/", cookie),
    ]
    print(
        f"| page | requests/s | p50 ms | p99 ms | non-2xx/socket errors |  ({args.connections} connections)"
    )
    print("|---|---|---|---|---|")
    for name, path, page_cookie in pages:
        result = _wrk(args.base + path, args.connections, args.seconds, page_cookie)
        print(
            f"| {name} | {result['rps']:.0f} | {result['p50']:.0f} | {result['p99']:.0f} | "
            f"{'yes' if result['errors'] else 'no'} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
