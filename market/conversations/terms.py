"""Checked values the conversation services take besides the acting user (built by the forms)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Upload:
    """A file sent with a message: its name as given and (at most one byte more than allowed of) its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class ContactTerms:
    phone: str = ""
    wechat: str = ""
    share_email: bool = False
    share_phone: bool = False
    share_wechat: bool = False
