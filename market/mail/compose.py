"""An outbox row put into words: subject, plain text and HTML, in the recipient's language (User.locale).

Links are absolute, from SITE_URL: the page the message is about, the one-click unsubscribe link of
its kind (also in the List-Unsubscribe header, RFC 2369 / RFC 8058) and the preferences page.
The MIME message is built with the standard library (`email.message.EmailMessage`, multipart/alternative).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template, url_for

from market import messages
from market.db import db
from market.i18n import LANGUAGES, N_, translate
from market.mail import preferences
from market.mail.models import DIGEST_KIND, EmailOutbox

SUBJECT_MAX = 200


@dataclass(frozen=True)
class Item:
    """One notice inside a mail: its text and the absolute link of its page ("" when it has none)."""

    text: str
    link: str


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str  # the plain-text part
    html: str = ""  # the HTML part ("" for rows from before message keys)
    lang: str = "zh"
    link: str = ""  # the page the mail is about (absolute)
    unsubscribe: str = ""  # the one-click unsubscribe URL ("" for account mail)
    items: tuple[Item, ...] = field(default=())


def recipient_language(user: Any) -> str:
    """The language a person reads mail in: the one they last chose on the site (Chinese by default)."""
    locale = getattr(user, "locale", None)
    return locale if locale in LANGUAGES else "zh"


def site_url() -> str:
    return str(current_app.config.get("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")


@contextmanager
def _on_site() -> Iterator[None]:
    """url_for as seen from SITE_URL (its path prefix included), inside a request or not."""
    with current_app.test_request_context("/", base_url=site_url() + "/"):
        yield


def absolute(path: str) -> str:
    """A path from url_for (already carrying SITE_URL's prefix) as an address on the public site."""
    if not path or "://" in path:
        return path
    parts = urlsplit(site_url())
    return f"{parts.scheme}://{parts.netloc}{path}"


def _t(lang: str) -> Any:
    return lambda text, **values: translate(text, lang, **values)


REDACTED = "redacted"
SECRET_PARAMS = frozenset({"token"})


def render(row: EmailOutbox, *, redact: bool = False) -> Mail:
    """The mail of an outbox row, in its recipient's language; a row from before message keys as stored.

    `redact` hides one-time secrets (a password-reset or verification link's token) for anyone but the
    recipient: an admin previewing the outbox must not be able to take over the account."""
    if row.kind == DIGEST_KIND:
        return _render_digest(row)
    if not row.message_key:
        return Mail(row.to, row.subject, row.body)
    lang = recipient_language(row.user)
    params = row.message_params
    if redact and params:
        params = {name: REDACTED if name in SECRET_PARAMS else value for name, value in params.items()}
    with _on_site():
        item = _item(row.message_key, params, lang)
        unsubscribe, prefs = _footer_links(row.user_id, row.kind)
        subject = translate(N_("【科创对接】{text}"), lang, text=item.text)[:SUBJECT_MAX]
        name = row.user.name if row.user else ""
        html = render_template(
            "mail/message.html",
            _=_t(lang),
            lang=lang,
            name=name,
            item=item,
            kind_label=translate(preferences.KIND_LABELS.get(row.kind, ""), lang),
            unsubscribe=unsubscribe,
            preferences_url=prefs,
            subject=subject,
        )
    lines = [translate(N_("{name}，您好："), lang, name=name), "", item.text]
    if item.link:
        lines += ["", translate(N_("查看详情：{link}"), lang, link=item.link)]
    lines += _text_footer(lang, row.kind, unsubscribe, prefs)
    return Mail(row.to, subject, "\n".join(lines) + "\n", html, lang, item.link, unsubscribe, (item,))


def _item(key: str, params: dict[str, Any] | None, lang: str) -> Item:
    return Item(messages.render(key, params, lang), absolute(messages.link(key, params)))


def _footer_links(user_id: int | None, kind: str) -> tuple[str, str]:
    """(unsubscribe URL, preferences URL); account mail has neither: it cannot be switched off."""
    if user_id is None or kind not in (*preferences.CHOOSABLE, preferences.DIGEST_ALL):
        return "", ""
    token = preferences.unsubscribe_token(user_id, kind)
    return absolute(url_for("mail.unsubscribe", token=token)), absolute(url_for("mail.preferences"))


def _text_footer(lang: str, kind: str, unsubscribe: str, prefs: str) -> list[str]:
    if not unsubscribe:
        return []
    label = translate(preferences.KIND_LABELS.get(kind, ""), lang)
    return [
        "",
        "-- ",
        translate(N_("不想再收到“{kind}”邮件：{link}"), lang, kind=label, link=unsubscribe),
        translate(N_("邮件通知设置：{link}"), lang, link=prefs),
    ]


def digest_items(row: EmailOutbox) -> list[EmailOutbox]:
    return list(
        db.session.scalars(
            db.select(EmailOutbox).where(EmailOutbox.digest_id == row.id).order_by(EmailOutbox.id)
        )
    )


def _render_digest(row: EmailOutbox) -> Mail:
    lang = recipient_language(row.user)
    carried = digest_items(row)
    day = row.digest_day or date.today()
    with _on_site():
        items = tuple(
            _item(each.message_key, each.message_params, lang) for each in carried if each.message_key
        )
        unsubscribe, prefs = _footer_links(row.user_id, preferences.DIGEST_ALL)
        subject = translate(N_("【科创对接】每日汇总：{count} 条新动态"), lang, count=len(items))
        name = row.user.name if row.user else ""
        html = render_template(
            "mail/digest.html",
            _=_t(lang),
            lang=lang,
            name=name,
            day=day.isoformat(),
            items=items,
            unsubscribe=unsubscribe,
            preferences_url=prefs,
            subject=subject,
        )
    lines = [
        translate(N_("{name}，您好："), lang, name=name),
        "",
        translate(N_("{day} 的新动态（{count} 条）："), lang, day=day.isoformat(), count=len(items)),
    ]
    for number, item in enumerate(items, start=1):
        lines += ["", f"{number}. {item.text}"]
        if item.link:
            lines.append(f"   {item.link}")
    lines += _text_footer(lang, preferences.DIGEST_ALL, unsubscribe, prefs)
    return Mail(row.to, subject, "\n".join(lines) + "\n", html, lang, "", unsubscribe, items)


def as_email(mail: Mail, row_id: int) -> EmailMessage:
    """The MIME message: plain text plus HTML (multipart/alternative), with the unsubscribe headers."""
    message = EmailMessage()
    message["From"] = str(current_app.config.get("MAIL_FROM") or "noreply@localhost")
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(usegmt=True)
    domain = urlsplit(site_url()).hostname or "localhost"
    message["Message-ID"] = make_msgid(idstring=f"outbox{row_id}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    if mail.unsubscribe:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.body)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    message["Content-Language"] = "zh-CN" if mail.lang == "zh" else "en"  # after set_content, which clears it
    return message
