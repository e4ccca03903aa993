"""Text every input path refuses, forms and API alike, and the one clean-up every export applies.

Refused everywhere: NUL and lone surrogates (no database can store them) and control characters
(C0 except TAB, LF and CR; DEL; C1). Control characters are invisible on the page, turn terminals
and log viewers (ESC sequences), and spreadsheet writers refuse them: one ESC in a stored need made
every xlsx export of its region fail. Single-line fields refuse CR and LF as well.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement

from market.i18n import gettext as _

# Lengths several features share; forms use them, and the API schemas are read from the forms.
REASON_MAX = 1000  # why something was declined, cancelled, returned or rejected
MESSAGE_MAX = 2000  # a message or note written along with an order, a dispatch, a reminder or a review

# C0 controls except TAB (09), LF (0A) and CR (0D); DEL (7F); the C1 controls (80-9F).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS = re.compile(r"[\r\n]")


def unstorable(value: str) -> bool:
    """NUL bytes and lone surrogates cannot be stored (PostgreSQL refuses NUL; UTF-8 refuses surrogates)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def text_problem(value: str, *, multiline: bool = True) -> str | None:
    """Why `value` is refused, as the message for its field; None when it may be stored.

    The message names the character and its position because the character itself is invisible.
    """
    if unstorable(value):
        return _("不能包含 NUL 等无法保存的字符。")
    found = CONTROL_CHARACTERS.search(value)
    if found is not None:
        code = f"U+{ord(found.group()):04X}"
        return _(
            "不能包含不可见的控制字符 {code}（第 {position} 个字符），请删除后再提交。",
            code=code,
            position=found.start() + 1,
        )
    if not multiline and LINE_BREAKS.search(value):
        return _("此项只能填写一行，不能换行。")
    return None


def too_long(limit: int) -> str:
    """The message for text over `limit` characters (the limit is never written into the text)."""
    return _("最多 {n} 字。", n=limit)


def printable(value: str) -> str:
    """Text for a spreadsheet or CSV: control characters stored before they were refused are removed."""
    return CONTROL_CHARACTERS.sub("", value)


def contains_text(column: Any, words: str) -> ColumnElement[bool]:
    """Case-insensitive "column contains words" for search boxes: % and _ typed by a user are
    themselves, not LIKE wildcards (`q=%` used to list everything). SQLAlchemy's autoescape escapes
    them and its escape character "/" the same way on SQLite and PostgreSQL."""
    return column.icontains(words, autoescape=True)  # type: ignore[no-any-return]
