"""Finds every interface string marked for translation (pybabel's own extraction, as babel.cfg
configures it), so tests can list missing English."""

from __future__ import annotations

import re
from functools import lru_cache

from babel.messages.extract import extract_from_dir

from market.config import ROOT

KEYWORDS = {"_": None, "N_": None, "gettext": None, "lazy_gettext": None}
METHODS = [("market/**.py", "python"), ("templates/**.html", "jinja2")]  # as babel.cfg
_CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def marked_strings() -> frozenset[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        text = message[0] if isinstance(message, tuple) else message
        if _CJK.search(text):
            found.add(text)
    return frozenset(found)


def missing_english() -> list[str]:
    from market.i18n import english

    table = english()
    return sorted(text for text in marked_strings() if not table.get(text))
