"""Alerts of saved searches: new public postings among a saved search's first results.

Run by `market searches alert`.

For each saved search whose owner has not been alerted yet today (UTC), the search is run again as its
owner would see it: the list's ranked search (market.search.services.search, the same query, filters
and sort) or, for a followed 推荐需求, the needs recommended to the owner's provider profile
(market.matching.services.needs_for_provider). A posting among the first `SAVED_SEARCH_ALERT_TOP`
results is alerted when

* it became public after the search was saved (a need or a provider profile approved since; a
  service item created since, on a public profile),
* it is not the owner's own (their organisation's needs, their own provider profile and its services),
* this search has not alerted it before (`saved_search_alerts` keeps each one).

Those found make one notice (in the app, and mail of kind RECOMMENDED, which follows the owner's
choice: immediate, daily digest or off) and set `last_alerted_at`: a search alerts at most once a
day, and running the job again the same day does nothing more. A search with nothing new is not
stamped, so a posting approved later that day is alerted by a later run. Only public postings are
results (the search and the matching keep only what the database says is approved), so a need
withdrawn before the job ran is never alerted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from flask import current_app
from sqlalchemy import select

from market import messages
from market.auth.models import User
from market.db import db, utcnow
from market.matching.services import INDEX_ERRORS, needs_for_provider
from market.needs.models import Need
from market.orders.notify import notify_user
from market.providers import services as providers
from market.providers.models import Provider, ServiceItem
from market.saved_searches import services
from market.saved_searches.models import SavedSearch, SavedSearchAlert
from market.search import services as search

log = logging.getLogger(__name__)
NOTICE_SEARCH = "recommend.saved_search"
NOTICE_FOLLOWED = "recommend.followed"


@dataclass
class Run:
    searches: int = 0  # looked at
    alerted: int = 0  # searches that told their owner
    postings: int = 0  # postings named in those alerts
    skipped_today: int = 0  # already alerted today
    failed: int = 0  # the index could not answer (tried again by the next run)


def top() -> int:
    return int(current_app.config.get("SAVED_SEARCH_ALERT_TOP", 20))


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC times; PostgreSQL aware ones."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def run(now: datetime | None = None) -> Run:
    """Alert every saved search that has something new and has not alerted today. Flushes only; the
    caller commits (the CLI command)."""
    now = now or utcnow()
    summary = Run()
    ids = list(db.session.scalars(select(SavedSearch.id).order_by(SavedSearch.id)))
    for search_id in ids:
        summary.searches += 1
        saved = db.session.scalar(select(SavedSearch).where(SavedSearch.id == search_id).with_for_update())
        if saved is None:
            continue
        last = _aware(saved.last_alerted_at)
        if last is not None and last >= _day_start(now.date()):
            summary.skipped_today += 1
            continue
        try:
            found = alert_one(saved, now)
        except INDEX_ERRORS as error:
            log.warning("saved search %s not checked: %s", saved.id, error)
            summary.failed += 1
            continue
        if found:
            summary.alerted += 1
            summary.postings += found
    db.session.flush()
    return summary


def alert_one(saved: SavedSearch, now: datetime) -> int:
    """Tell the owner about the search's new postings (if any); returns how many were named."""
    owner = db.session.get(User, saved.user_id)
    if owner is None or not owner.active:
        return 0
    fresh = new_postings(saved, owner)
    if not fresh:
        return 0
    for posting_id, _title in fresh:
        db.session.add(SavedSearchAlert(search_id=saved.id, posting_id=posting_id, alerted_at=now))
    saved.last_alerted_at = now
    first_title = fresh[0][1]
    if saved.kind == services.RECOMMENDED:
        message = messages.build(NOTICE_FOLLOWED, count=len(fresh), title=first_title)
        notify_user(owner, None, NOTICE_FOLLOWED, message)
    else:
        message = messages.build(
            NOTICE_SEARCH, name=saved.name, count=len(fresh), title=first_title, search_id=saved.id
        )
        notify_user(owner, None, NOTICE_SEARCH, message)
    db.session.flush()
    return len(fresh)


def new_postings(saved: SavedSearch, owner: User) -> list[tuple[int, str]]:
    """(id, title) of the postings among the search's first results this search would alert now, in
    the search's order."""
    since = _aware(saved.created_at)
    assert since is not None
    done = set(
        db.session.scalars(select(SavedSearchAlert.posting_id).where(SavedSearchAlert.search_id == saved.id))
    )
    fresh: list[tuple[int, str]] = []
    for obj in _top_results(saved, owner):
        if obj.id in done or _own(owner, obj) or not _new_since(obj, since):
            continue
        fresh.append((obj.id, obj.name if isinstance(obj, Provider) else obj.title))
    return fresh


def _top_results(saved: SavedSearch, owner: User) -> list[Any]:
    if saved.kind == services.RECOMMENDED:
        provider = providers.provider_of(owner)
        if provider is None:
            return []
        return [match.need for match in needs_for_provider(owner, provider, k=top())]
    result = search.search(saved.kind, services.request_of(saved, per_page=top()), with_help=False)
    return [row.obj for row in result.page.items]


def _own(owner: User, obj: Any) -> bool:
    """The owner's own posting: their organisation's need, their provider profile or its services."""
    if isinstance(obj, Need):
        return obj.author_id == owner.id or (
            owner.organisation_id is not None and obj.organisation_id == owner.organisation_id
        )
    provider = obj.provider if isinstance(obj, ServiceItem) else obj
    return provider.user_id == owner.id or (
        owner.organisation_id is not None and provider.organisation_id == owner.organisation_id
    )


def _new_since(obj: Any, since: datetime) -> bool:
    """Public since the search was saved: approved since (needs, profiles); created since (services)."""
    moment = _aware(obj.created_at if isinstance(obj, ServiceItem) else obj.approved_at)
    return moment is not None and moment > since
