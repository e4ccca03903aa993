"""What every template can use: translation, labels for codes, permission checks."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from markupsafe import Markup, escape

from market import idempotency, messages, permissions, postings, taxonomy
from market.i18n import N_, current_language, gettext
from market.reference import services as reference

STATUS_COLOURS = {
    "draft": "secondary",
    "pending": "warning",
    "approved": "success",
    "returned": "danger",
    "withdrawn": "secondary",
    "solved": "info",
    "closed": "dark",
}
STATUS_LABELS = {status: (postings.LABELS[status], colour) for status, colour in STATUS_COLOURS.items()}


def status_badge(status: str) -> Markup:
    text, colour = STATUS_LABELS.get(status, (status, "secondary"))
    return Markup('<span class="badge text-bg-{}">{}</span>').format(colour, gettext(text))


def term(vocabulary: str, code: str | None) -> str:
    terms = getattr(taxonomy, vocabulary.upper())
    return taxonomy.label(terms, code, current_language())


def budget(low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return gettext("面议")
    if low is not None and high is not None:
        return gettext("{low}–{high} 万元", low=low, high=high)
    if low is not None:
        return gettext("{low} 万元以上", low=low)
    return gettext("{high} 万元以内", high=high)


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def list_sep() -> str:
    return "、" if current_language() == "zh" else ", "


def nl2br(text: str) -> Markup:
    return Markup("<br>").join(escape(line) for line in (text or "").splitlines())


# The navigation bar's English is shorter than the pages' own headings, so that every role's links fit
# one line on a 1366 px laptop. Each Chinese label maps to a navigation-only message whose English the
# catalogue holds (its Chinese is never shown: in Chinese the label itself is).
NAV_SHORT = {
    N_("技术需求"): N_("导航栏：技术需求"),
    N_("专家与机构"): N_("导航栏：专家与机构"),
    N_("服务清单"): N_("导航栏：服务清单"),
    N_("推荐需求"): N_("导航栏：推荐需求"),
    N_("导入导出"): N_("导航栏：导入导出"),
    N_("系统管理"): N_("导航栏：系统管理"),
}


def nav_label(text: str) -> str:
    """A navigation link's label in the reader's language, short in English (NAV_SHORT)."""
    if current_language() == "en" and text in NAV_SHORT:
        return gettext(NAV_SHORT[text])
    return gettext(text)


def page_url(page: int) -> str:
    args: dict[str, Any] = request.args.to_dict()
    args["page"] = page
    from flask import url_for

    return url_for(request.endpoint or "main.index", **(request.view_args or {}), **args)


def register(app: Flask) -> None:
    app.jinja_env.filters["nl2br"] = nl2br

    # Globals (not a context processor) so macros imported from other templates see them too.
    app.jinja_env.globals.update(
        {
            "_": gettext,
            "perm": permissions,
            "field_name": lambda code: reference.field_name(code, current_language()),
            "subfield_name": lambda code: reference.subfield_name(code, current_language()),
            "region_name": lambda code: reference.region_name(code, current_language()),
            "term": term,
            "status_badge": status_badge,
            "budget": budget,
            "page_url": page_url,
            "nav_label": nav_label,
            "list_sep": list_sep,
            "file_size": file_size,
            "once_field": idempotency.once_field,  # the one-time key of create forms
            # Stored messages and codes in the reader's language (market.messages).
            "message": messages.shown,
            "message_link": messages.shown_link,
            "code_label": messages.code_label,
        }
    )

    @app.context_processor
    def _language() -> dict[str, Any]:
        return {"lang": current_language()}


def compile_templates(app: Flask) -> int:
    """Compile every page template now (0.2 s for all of them): a server calls this before its
    first request, so a fresh worker's first pages do not compile while others wait on the GIL."""
    names = app.jinja_env.list_templates(extensions=["html"])
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)
