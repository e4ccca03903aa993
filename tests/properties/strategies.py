"""Hypothesis strategies for hostile form input, and helpers to snapshot the database around a request."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import func, inspect, select
from werkzeug.datastructures import MultiDict

from market import taxonomy
from market.db import db

ROOT = Path(__file__).resolve().parents[2]
APP_DIRS = (str(ROOT / "market"), str(ROOT / "indexer"))

# Values that broke or nearly broke real web apps: NUL, unicode digits int() refuses although
# str.isdigit() says yes ("²"), full-width and Arabic-Indic digits, impossible dates, markup.
NASTY = (
    "",
    " ",
    "\x00",
    "ab\x00cd",
    "\t\r\n",
    "\u3000",
    "null",
    "None",
    "-1",
    "0",
    "2147483648",
    "99999999999999999999",
    "1e9",
    "NaN",
    "-inf",
    "0x1F",
    "1_000",
    "１２",
    "²",
    "٣",
    "𝟙",
    "1999-02-30",
    "2030-13-01",
    "0000-00-00",
    "9999-12-31",
    "20300101",
    "2030年1月1日",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "😀",
    "\u202e\ufeff",
    "ev",
    "32",
    "3201",
    "develop",
    "y",
    "on",
)

MALFORMED_DATES = (
    "1999-02-30",
    "2030-02-29",
    "2030-13-01",
    "0000-00-00",
    "2030-1-1",
    "20300101",
    "31/12/2030",
)

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
space = st.sampled_from(["", " ", "  ", "\t", "\u3000", "\n"])


def chinese(min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(alphabet=cjk, min_size=min_size, max_size=max_size)


def padded(core: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Text with whitespace around it, as people paste it."""
    return st.builds(lambda a, text, b: a + text + b, space, core, space)


huge = st.builds(
    lambda unit, n: (unit * n)[:20000],
    st.sampled_from(["字", "a", " ", "\x00", "😀", "长文本 "]),
    st.integers(min_value=100, max_value=20000),
)
numbers_as_text = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
dates_as_text = st.one_of(st.dates().map(date.isoformat), st.sampled_from(MALFORMED_DATES))
anything = st.one_of(
    st.text(max_size=40),
    chinese(),
    st.sampled_from(NASTY),
    numbers_as_text,
    dates_as_text,
    huge,
)


def valid_date_text(low: date, high: date) -> st.SearchStrategy[str]:
    return st.dates(min_value=low, max_value=high).map(date.isoformat)


def codes(terms: Iterable[taxonomy.Term]) -> list[str]:
    return [t.code for t in terms]


FIELD_CODES = codes(taxonomy.FIELDS)
PROVINCES = codes(taxonomy.PROVINCES)
CITIES = [c.code for cities in taxonomy.CITIES.values() for c in cities]


def mostly(
    valid: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any] = anything
) -> st.SearchStrategy[Any]:
    """Valid three times in four (a plain one_of would flatten `anything` and pick it six times in seven)."""
    return st.sampled_from([True, True, True, False]).flatmap(lambda ok: valid if ok else hostile)


EXTRA_NAMES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["id", "status", "organisation_id", "author_id", "provider_id", "user_id", "role", "version"]
    ),
)
# Fragments slipped into an otherwise valid value.
TAINTS = st.sampled_from(["\x00", "\x01", "²", "\u3000", "😀", "\u202e", "<b>", "\r\n", "'", "%", "\\"])
# How one field of an otherwise valid form goes wrong.
MUTATIONS = st.one_of(
    st.just(("drop", "")),
    st.tuples(st.just("set"), anything),
    st.tuples(st.just("set"), padded(st.text(min_size=1, max_size=4))),
    st.tuples(st.just("repeat"), anything),
    st.tuples(st.just("taint"), TAINTS),
)


class Form(MultiDict[str, str]):
    """Form data that prints readably in a falsifying example (long values shortened)."""

    def __repr__(self) -> str:
        def short(value: str) -> str:
            return repr(value) if len(value) <= 80 else f"{value[:40]!r} + <{len(value) - 40} more chars>"

        pairs = ", ".join(f"({key!r}, {short(value)})" for key, value in self.items(multi=True))
        return f"Form([{pairs}])"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def form(fields: Mapping[str, st.SearchStrategy[str]]) -> st.SearchStrategy[MultiDict[str, str]]:
    """Form data: a valid form with a few fields dropped, replaced, padded or repeated, plus extra
    fields; or a form of arbitrary values throughout."""
    names = list(fields)
    valid = st.fixed_dictionaries(dict(fields))
    # Few changes most of the time, so accepted requests are common enough to check what is stored.
    changes = st.sampled_from([0, 0, 0, 1, 1, 2, 4]).flatmap(
        lambda n: st.lists(st.tuples(st.sampled_from(names), MUTATIONS), min_size=n, max_size=n)
    )
    extras = st.sampled_from([0, 0, 0, 1, 3]).flatmap(
        lambda n: st.lists(
            st.tuples(st.one_of(EXTRA_NAMES, st.sampled_from(names)), anything), min_size=n, max_size=n
        )
    )

    def build(
        values: dict[str, str], edits: list[tuple[str, tuple[str, str]]], more: list[tuple[str, str]]
    ) -> MultiDict[str, str]:
        items: dict[str, list[str]] = {name: [value] for name, value in values.items()}
        for name, (how, value) in edits:
            if how == "drop":
                items[name] = []
            elif how == "set":
                items[name] = [value]
            elif how == "taint":
                old = items[name][0] if items[name] else ""
                middle = len(old) // 2
                items[name] = [old[:middle] + value + old[middle:], *items[name][1:]]
            else:
                items[name] = [*items[name], value]
        data = Form()
        for name, values_ in items.items():
            for value in values_:
                data.add(name, value)
        for name, value in more:
            data.add(name, value)
        return data

    hostile = st.builds(
        lambda pairs: Form(pairs),
        st.lists(
            st.tuples(st.one_of(st.sampled_from(names), EXTRA_NAMES), anything), max_size=len(names) + 2
        ),
    )
    return mostly(st.builds(build, valid, changes, extras), hostile)


# ---- reading the database around a request ----------------------------------------------------------


def counts(app: Flask, *models: type) -> dict[str, int]:
    with app.app_context():
        return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def row(app: Flask, model: type, object_id: int) -> dict[str, Any] | None:
    """Every column of one row, as stored."""
    with app.app_context():
        obj = db.session.get(model, object_id)
        if obj is None:
            return None
        return {c.key: getattr(obj, c.key) for c in inspect(model).column_attrs}


def newest(app: Flask, model: type, **where: Any) -> dict[str, Any] | None:
    with app.app_context():
        query = select(model).filter_by(**where).order_by(model.id.desc()).limit(1)
        obj = db.session.scalar(query)
        return None if obj is None else {c.key: getattr(obj, c.key) for c in inspect(model).column_attrs}


def first(data: MultiDict[str, str], name: str) -> str | None:
    return data.get(name)


def shows_error(page: str) -> bool:
    """A visible error: a field message, or a danger/warning alert."""
    return "invalid-feedback" in page or "alert-danger" in page or "alert-warning" in page


def shows_input(page: str, value: str | None) -> bool:
    """The user's input is still in the re-rendered form (escaped as HTML)."""
    # Forms that strip text before validating show it stripped, which still keeps what was typed.
    return value is None or str(escape(value)) in page or str(escape(value.strip())) in page


# ---- what a 500 was --------------------------------------------------------------------------------------


class ServerErrors(logging.Handler):
    """Keeps the exception behind the last 500 (market.errors_web logs it), so a failing example says
    which line of the application raised, not just "500"."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        if not record.exc_info or record.exc_info[1] is None:
            return
        error = record.exc_info[1]
        ours = [f for f in traceback.extract_tb(record.exc_info[2]) if f.filename.startswith(APP_DIRS)]
        where = ""
        if ours:
            frame = ours[-1]
            where = f" at {Path(frame.filename).relative_to(ROOT)}:{frame.lineno} in {frame.name}()"
        cause = error.orig if getattr(error, "orig", None) is not None else error  # the driver's own words
        message = (str(cause).splitlines() or [""])[0][:160]
        self.last = f"{type(cause).__name__}: {message}{where}"


SERVER_ERRORS = ServerErrors()


@contextmanager
def recording_server_errors() -> Iterator[ServerErrors]:
    # Alembic's fileConfig (run by the app fixture) disables loggers that existed before it; turn this
    # one back on for the test, into our handler only.
    logger = logging.getLogger("market.errors_web")
    saved = logger.disabled, logger.propagate
    logger.disabled, logger.propagate = False, False
    logger.addHandler(SERVER_ERRORS)
    SERVER_ERRORS.last = ""
    try:
        yield SERVER_ERRORS
    finally:
        logger.removeHandler(SERVER_ERRORS)
        logger.disabled, logger.propagate = saved


def assert_no_server_error(response: Any) -> None:
    if response.status_code >= 500:
        request = f"{response.request.method} {response.request.path}"
        raise AssertionError(f"{response.status_code} from {request}: {SERVER_ERRORS.last}")
