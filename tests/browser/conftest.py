"""Real-browser fixtures: the test app on a live localhost server, driven by Debian's Chromium.

The server is the session's `app` (see tests/conftest.py) behind werkzeug's threaded server, so the
pages, their static files and the Content-Security-Policy are exactly what a user's browser gets.
Each test gets a fresh browser context (cookies, language zh-CN) and fails if any page it visited
logged a console error, threw a script error or answered 5xx, or if the app logged an error.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Playwright, Response, sync_playwright
from sqlalchemy import func, select
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="session", autouse=True)
def _require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")


class _QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output; errors still reach the app's logger."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class ServerErrors(logging.Handler):
    """Collects what the app logs at ERROR (e.g. a 500's traceback) while a browser test runs."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The test app served on a free localhost port for the whole session; yields its base URL."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture(scope="session")
def server_errors(live_server: str) -> Iterator[ServerErrors]:
    handler = ServerErrors()
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logger = logging.getLogger("market")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@pytest.fixture
def site(app: Flask, live_server: str) -> str:
    """The base URL, for a test that starts from empty tables (checked: the autouse cleaner ran)."""
    from market.auth.models import User
    from market.db import db

    with app.app_context():
        users = db.session.scalar(select(func.count()).select_from(User))
    assert users == 0, "the database was not cleaned after the previous test"
    return live_server


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # The system Chromium, never a downloaded one (no `playwright install`).
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


class PageWatch:
    """What went wrong in the browser while a test ran, each problem with the page it happened on."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error on {page.url}: {error}"))
        page.on("response", self._response)
        page.on("dialog", self._dialog)

    def _console(self, message: ConsoleMessage) -> None:
        # CSP violations (an inline script or style) and failed resource loads are console errors too.
        if message.type == "error":
            self.problems.append(
                f"console error on {message.page.url if message.page else '?'}: {message.text}"
            )

    def _response(self, response: Response) -> None:
        if response.status >= 500:
            self.problems.append(f"HTTP {response.status} for {response.request.method} {response.url}")

    def _dialog(self, dialog: Dialog) -> None:
        # data-confirm forms ask window.confirm(); a user clicks OK (Playwright would dismiss by default).
        self.dialogs.append(dialog.message)
        dialog.accept()


class OpenPage(Protocol):
    def __call__(self, viewport: dict[str, int] | None = None) -> Page: ...


@pytest.fixture
def watches(server_errors: ServerErrors) -> Iterator[dict[int, PageWatch]]:
    """Pages a test opened (by id) and their watches; afterwards every page must have stayed error-free."""
    opened: dict[int, PageWatch] = {}
    logged_before = len(server_errors.records)
    yield opened
    problems = [problem for watch in opened.values() for problem in watch.problems]
    problems += [f"app logged: {record}" for record in server_errors.records[logged_before:]]
    for watch in opened.values():
        watch.page.context.close()
    if problems:
        pytest.fail("browser problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def open_page(browser: Browser, site: str, watches: dict[int, PageWatch]) -> OpenPage:
    """Opens another watched page in its own fresh context (another user, or another screen size)."""

    def _open(viewport: dict[str, int] | None = None) -> Page:
        context = browser.new_context(
            base_url=site,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport=viewport or VIEWPORT,  # type: ignore[arg-type]
        )
        context.set_default_timeout(10_000)
        opened = context.new_page()
        watches[id(opened)] = PageWatch(opened)
        return opened

    return _open


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    """A fresh zh-CN browser context at 1280x800 whose console and responses are watched."""
    return open_page()


@pytest.fixture
def dialogs(page: Page, watches: dict[int, PageWatch]) -> list[str]:
    """The messages of the confirm() dialogs the page showed (each one accepted)."""
    return watches[id(page)].dialogs
