"""Reference data: technical fields, sub-fields and regions (codes used by every filter and form)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from market.api import serialize
from market.api.params import text
from market.api.spec import Param, operation, page_of
from market.db import db
from market.reference.models import Field, Region, SubField

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
    "/subfields",
    "GET",
    summary="Sub-fields (细分领域) of the technical fields, deactivated ones included (active: false)",
    tag="reference",
    auth="public",
    query=(Param("field", "Only the sub-fields of this field code"),),
    response=page_of("SubField"),
)
def list_subfields() -> JSON:
    query = (
        select(SubField)
        .join(Field, Field.code == SubField.field_code)
        .order_by(Field.position, Field.code, SubField.position, SubField.code)
    )
    if field := text("field", 40):
        query = query.where(SubField.field_code == field)
    return serialize.whole_list(db.session.scalars(query), serialize.subfield_item)


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
