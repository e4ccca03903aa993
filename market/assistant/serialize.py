"""The assistant's answer as JSON, for the form's script and the API alike."""

from __future__ import annotations

from typing import Any

from flask import url_for

from market.assistant.services import Assistance, PastNeed
from market.i18n import current_language
from market.i18n import gettext as _
from market.providers.models import Provider
from market.reference.services import field_name

JSON = dict[str, Any]


def assistance(result: Assistance) -> JSON:
    lang = current_language()
    return {
        "field": _field(result.suggested_field.code, result.suggested_field.share, lang)
        if result.suggested_field
        else None,
        "fields": [_field(share.code, share.share, lang) for share in result.fields[:3]],
        "providers": {"count": result.providers, "top": [_provider(p) for p in result.top_providers]},
        "terms": list(result.terms),
        "checklist": [
            {"key": item.key, "label": _(item.label), "hint": _(item.hint), "done": item.done}
            for item in result.checklist
        ],
        "similar": [past_need(past) for past in result.similar],
        "notice": result.notice,
    }


def _field(code: str, share: float, lang: str) -> JSON:
    return {"code": code, "name": field_name(code, lang), "share": round(share, 3)}


def _provider(provider: Provider) -> JSON:
    return {
        "id": provider.id,
        "name": provider.name,
        "url": url_for("providers.detail", provider_id=provider.id),
    }


def past_need(past: PastNeed) -> JSON:
    return {
        "id": past.need.id,
        "title": past.need.title,
        "url": url_for("needs.detail", need_id=past.need.id) if past.visible else None,
        "similarity": round(past.similarity, 3),
        "solved": past.solved,
        "solvers": [_provider(p) for p in past.solvers],
    }
