"""Chinese-first interface text with an English switch.

Source strings are Chinese; `translations/en.json` maps each to English. A missing English
string falls back to Chinese (a test lists any such gaps).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import g, has_request_context, request, session

LANGUAGES = ("zh", "en")
_EN_PATH = Path(__file__).parent / "translations" / "en.json"


@lru_cache(maxsize=1)
def english() -> dict[str, str]:
    return json.loads(_EN_PATH.read_text(encoding="utf-8"))


def current_language() -> str:
    if not has_request_context():
        return "zh"
    if "lang" not in g:
        g.lang = _choose_language()
    return str(g.lang)


def _choose_language() -> str:
    asked = request.args.get("lang") or request.headers.get("X-Language")
    if asked in LANGUAGES:
        return asked
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return "zh"


def gettext(text: str, **values: object) -> str:
    return translate(text, current_language(), **values)


def translate(text: str, lang: str, /, **values: object) -> str:
    """`text` in a language named by the caller: stored messages are rendered for their reader (the
    recipient of a mail, say), who need not be the person making the current request."""
    translated = english().get(text, text) if lang == "en" else text
    return translated.format(**values) if values else translated


def N_(text: str) -> str:
    """Marks source text for the catalogue without translating it now; it is translated when read."""
    return text
