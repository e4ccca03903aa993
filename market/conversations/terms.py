"""Checked values the conversation services take besides the acting user (built by the forms)."""

from __future__ import annotations

from dataclasses import dataclass

from market.attachments.files import Upload

__all__ = ["ContactTerms", "Upload"]


@dataclass(frozen=True)
class ContactTerms:
    phone: str = ""
    wechat: str = ""
    share_email: bool = False
    share_phone: bool = False
    share_wechat: bool = False
