"""Chinese-first interface text with an English switch.

Source strings are Chinese, marked with `_()` (translated now), `N_()` (stored, translated when read)
or `lazy_gettext()` (module-level labels, translated each time they are shown). pybabel extracts them
(babel.cfg, `bash scripts/i18n-update.sh`) into the gettext catalogue
`translations/en/LC_MESSAGES/messages.po`, which holds the English. A missing English string falls
back to Chinese (a test lists any such gaps). Placeholders are `{name}` (str.format), not `%(name)s`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from flask import g, has_request_context, request, session
from flask_babel import LazyString

LANGUAGES = ("zh", "en")
CATALOGUES = Path(__file__).parent / "translations"


@lru_cache(maxsize=1)
def english() -> dict[str, str]:
    """The English catalogue, read once per process from the .po file itself: nothing to compile
    at install time, so a checkout, the wheel and the container read the same file."""
    with (CATALOGUES / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="en")
    return {str(m.id): str(m.string) for m in catalogue if m.id and m.string and not m.fuzzy}


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


def lazy_gettext(text: str, **values: object) -> LazyString:
    """For labels defined at import time: translated into the reader's language each time it is shown."""
    return LazyString(gettext, text, **values)


def N_(text: str) -> str:
    """Marks source text for the catalogue without translating it now; it is translated when read."""
    return text
