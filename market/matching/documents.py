"""What the index sees of a need or a provider. Confidential details never enter the index."""

from __future__ import annotations

from indexer.documents import Document, Passage
from market import taxonomy
from market.needs.models import Need
from market.providers.models import Provider
from market.reference.services import field_name


def need_document(need: Need) -> Document:
    text = "\n".join(part for part in (need.description, need.public_summary) if part)
    return Document(
        id=str(need.id),
        title=need.title,
        text=text,
        filters={
            "field": need.field_code,
            "subfield": (need.subfield_code,) if need.subfield_code else (),
            "province": need.province,
            "mode": need.cooperation_mode,
            "open_call": "yes" if need.is_open_call else "no",
        },
    )


def provider_document(provider: Provider) -> Document:
    fields = "、".join(field_name(code) for code in provider.field_codes)
    text = "\n".join(part for part in (provider.expertise, provider.affiliation, fields) if part)
    passages = [
        Passage(
            key=f"achievement:{a.id}",
            label=a.title,
            text=f"{a.title}。{a.description}" if a.description else a.title,
        )
        for a in provider.achievements
    ]
    passages += [
        Passage(
            key=f"service:{s.id}",
            label=s.title,
            text=f"{s.title}（{taxonomy.label(taxonomy.SERVICE_CATEGORIES, s.category)}）。{s.description}",
        )
        for s in provider.services
        if s.active
    ]
    return Document(
        id=str(provider.id),
        title=f"{provider.name} {provider.title}".strip(),
        text=text,
        passages=tuple(passages),
        filters={
            "field": tuple(provider.field_codes),
            "subfield": tuple(provider.subfield_codes),
            "province": provider.province,
            "kind": provider.kind,
            "available": "yes" if provider.available else "no",
        },
    )


def need_query_text(need: Need) -> str:
    """A need looking for providers asks with its title and public text (never the confidential part)."""
    document = need_document(need)
    return f"{document.title}\n{document.text}"


def provider_query_text(provider: Provider) -> str:
    """A provider looking for needs asks with its expertise and what it has delivered."""
    achievements = "；".join(a.title for a in provider.achievements[:8])
    services = "；".join(s.title for s in provider.services if s.active)
    text = "\n".join(part for part in (provider.expertise, achievements, services) if part)
    return text or provider.name
