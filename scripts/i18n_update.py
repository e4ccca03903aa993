"""Merge newly marked interface text into the English catalogue, and list what still lacks English.

After marking Chinese text with _(), N_() or lazy_gettext(), run `.venv/bin/python scripts/i18n_update.py`,
then fill the empty msgstr lines it names in market/translations/en/LC_MESSAGES/messages.po (any .po
editor works). Entries are only ever added: text translated through a variable is never extracted,
and dropping its entry would show it in Chinese to English readers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from market.i18n_catalog import marked_strings  # noqa: E402  (after the path is set)

PO = ROOT / "market" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def main() -> int:
    with PO.open("rb") as f:
        catalogue = read_po(f, locale="en")
    for text in sorted(marked_strings()):
        if text not in catalogue:
            catalogue.add(text, "")
    with PO.open("wb") as f:
        write_po(f, catalogue, width=0, sort_output=True)
    missing = sorted(str(m.id) for m in catalogue if m.id and not m.string)
    for text in missing:
        print(f"no English yet: {text}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
