"""Finds every interface string marked for translation, so tests can list missing English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from market.config import ROOT

# _("…") / _('…') in Python and Jinja, N_("…") for text translated later (stored messages); the literal
# must be a single string without format calls.
_MARKED = re.compile(r"""(?<![\w.])(?:N_|_|gettext)\(\s*(?P<q>["'])(?P<text>(?:(?!(?P=q)).)+)(?P=q)""")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def marked_strings() -> set[str]:
    found: set[str] = set()
    for path in _sources():
        for match in _MARKED.finditer(path.read_text(encoding="utf-8")):
            text = match.group("text")
            if _CJK.search(text):
                found.add(text)
    from market.errors_web import HTTP_MESSAGES
    from market.templating import STATUS_LABELS

    found.update(HTTP_MESSAGES.values())
    found.update(label for label, _colour in STATUS_LABELS.values())
    found.add("请先登录。")
    return found


def _sources() -> Iterator[Path]:
    yield from (ROOT / "market").rglob("*.py")
    yield from (ROOT / "templates").rglob("*.html")


def missing_english() -> list[str]:
    from market.i18n import english

    table = english()
    return sorted(text for text in marked_strings() if not table.get(text))
