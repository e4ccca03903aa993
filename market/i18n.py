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
    translated = english().get(text, text) if current_language() == "en" else text
    return translated.format(**values) if values else translated


def lazy_choice_label(zh: str, en: str) -> str:
    return en if current_language() == "en" else zh
