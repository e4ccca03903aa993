"""Reference data: technical fields and regions (codes used by every filter and form)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from market.api import serialize
from market.api.params import text
from market.api.spec import Param, operation, page_of
from market.db import db
from market.reference.models import Field, Region

JSON = dict[str, Any]


@operation(
    "/fields",
    "GET",
    summary="Technical fields (技术领域)",
    tag="reference",
    auth="public",
    response=page_of("Field"),
)
def list_fields() -> JSON:
    fields = db.session.scalars(select(Field).order_by(Field.position, Field.code))
    return serialize.whole_list(fields, serialize.field_item)


@operation(
    "/regions",
    "GET",
    summary="Provinces and cities",
    tag="reference",
    auth="public",
    query=(Param("parent", "Only the cities of this province code"),),
    response=page_of("Region"),
)
def list_regions() -> JSON:
    query = select(Region).order_by(Region.code)
    if parent := text("parent", 12):
        query = query.where(Region.parent_code == parent)
    return serialize.whole_list(db.session.scalars(query), serialize.region_item)
