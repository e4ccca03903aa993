"""Writing validated records: needs (with their enterprises) and providers with achievements and services.

Everything is added to the current session and flushed; the caller commits once, so an import
writes all of its rows or none. The search index is not updated row by row (see `detach_index_changes`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from market import scope
from market.auth.models import Organisation, OrgKind, User
from market.auth.services import PROVIDER_ORG_KIND
from market.db import db
from market.moderation import services as moderation
from market.needs.models import Need
from market.providers.models import Achievement, Provider, ServiceItem
from market.reference.models import Field, SubField

Progress = Callable[[int], None]
_CHUNK = 500


@dataclass(frozen=True)
class Validated:
    """A valid record ready to write: its type, values and, for achievements and services, its provider."""

    ordinal: int
    record: str
    values: dict[str, Any]
    parent: int | None = None


@dataclass
class WriteResult:
    needs: int = 0
    providers: int = 0
    achievements: int = 0
    services: int = 0
    organisations: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _review(actor: User, postings: Iterable[Need | Provider], publish: bool) -> None:
    """Flushed new postings go through the life cycle as the importing broker: pending review, or
    approved at once when the import publishes (each step a moderation event, like a review by hand)."""
    for posting in postings:
        moderation.imported(actor, posting, publish)


def write_needs(
    actor: User, records: Iterable[Validated], publish: bool, progress: Progress | None = None
) -> WriteResult:
    rows = [r.values for r in records]
    result = WriteResult()
    orgs = _enterprises(actor, rows, result)
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        needs = []
        for values in chunk:
            fields = {k: v for k, v in values.items() if k != "organisation"}
            fields["deadline"] = date.fromisoformat(fields["deadline"]) if fields["deadline"] else None
            needs.append(Need(organisation_id=orgs[values["organisation"]].id, author_id=actor.id, **fields))
        db.session.add_all(needs)
        db.session.flush()
        _review(actor, needs, publish)
        db.session.flush()
        result.needs += len(chunk)
        if progress:
            progress(len(chunk))
    return result


def matching_enterprises(actor: User, names: Iterable[str]) -> dict[str, Organisation]:
    """The enterprises an import by `actor` attaches needs to, by exact name (the oldest if several).

    Only organisations registered in the actor's provinces count (every province for an admin): a
    broker naming an enterprise of another region would otherwise publish needs as that enterprise,
    and they would show in its 我的需求. Such a name gets a new organisation instead.
    """
    wanted = sorted(set(names))
    found: dict[str, Organisation] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = (
            select(Organisation)
            .where(
                Organisation.kind == OrgKind.ENTERPRISE.value,
                Organisation.name.in_(wanted[start : start + _CHUNK]),
            )
            .order_by(Organisation.id.desc())
        )
        found.update(
            {org.name: org for org in db.session.scalars(scope.within(query, Organisation.province, actor))}
        )
    return found


def _enterprises(actor: User, rows: list[dict[str, Any]], result: WriteResult) -> dict[str, Organisation]:
    """Existing enterprises the actor may attach to (see `matching_enterprises`), new ones for the rest."""
    found = matching_enterprises(actor, (values["organisation"] for values in rows))
    for values in rows:
        name = values["organisation"]
        if name not in found:
            found[name] = Organisation(
                name=name, kind=OrgKind.ENTERPRISE.value, province=values["province"], city=values["city"]
            )
            db.session.add(found[name])
            result.organisations += 1
    db.session.flush()
    return found


def write_providers(
    actor: User, records: Iterable[Validated], publish: bool, progress: Progress | None = None
) -> WriteResult:
    # Imported profiles have no owner account; brokers keep them (docs/import.md).
    fields = {f.code: f for f in db.session.scalars(select(Field))}
    subfields = {s.code: s for s in db.session.scalars(select(SubField))}
    result = WriteResult()
    providers: dict[int, Provider] = {}
    unreviewed: list[Provider] = []
    pending = 0
    for record in records:
        if record.record == "provider":
            providers[record.ordinal] = _provider(record.values, (fields, subfields), result)
            unreviewed.append(providers[record.ordinal])
        elif record.record == "achievement" and record.parent is not None:
            providers[record.parent].achievements.append(Achievement(**record.values))
            result.achievements += 1
        elif record.record == "service" and record.parent is not None:
            providers[record.parent].services.append(ServiceItem(**record.values))
            result.services += 1
        pending += 1
        if pending == _CHUNK:
            _review_flushed(actor, unreviewed, publish)
            if progress:
                progress(pending)
            pending = 0
    _review_flushed(actor, unreviewed, publish)
    if progress and pending:
        progress(pending)
    return result


def _review_flushed(actor: User, unreviewed: list[Provider], publish: bool) -> None:
    db.session.flush()  # ids for the moderation events
    _review(actor, unreviewed, publish)
    unreviewed.clear()
    db.session.flush()


def _provider(
    values: dict[str, Any], taxonomy: tuple[dict[str, Field], dict[str, SubField]], result: WriteResult
) -> Provider:
    fields, subfields = taxonomy
    values = dict(values)
    codes = values.pop("field_codes")
    subfield_codes = values.pop("subfield_codes", [])
    provider = Provider(**values)
    provider.fields = [fields[code] for code in codes]
    provider.subfields = [subfields[code] for code in subfield_codes]
    if provider.kind != "expert":
        provider.organisation = Organisation(
            name=provider.name,
            kind=PROVIDER_ORG_KIND[provider.kind].value,
            province=provider.province,
            city=provider.city,
        )
        result.organisations += 1
    db.session.add(provider)
    result.providers += 1
    return provider


WRITERS = {"needs": write_needs, "providers": write_providers}
