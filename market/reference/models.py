"""Reference data admins maintain: technical fields, their sub-fields and regions."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from market.db import db

# Names of fields and regions: the columns and the admin's taxonomy checks (market.admin.taxonomy).
NAME_ZH_MAX = 60
NAME_EN_MAX = 80
SUBFIELD_CODE_MAX = 60


class Field(db.Model):
    __tablename__ = "fields"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(NAME_ZH_MAX))
    name_en: Mapped[str] = mapped_column(String(NAME_EN_MAX))
    position: Mapped[int] = mapped_column(default=0)

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


class SubField(db.Model):
    """A sub-field (细分领域) of one field. Deactivated ones stay on the postings that hold them but are
    no longer offered in forms and filters; codes are unique across fields (imports may give a code alone)."""

    __tablename__ = "subfields"
    __table_args__ = (UniqueConstraint("field_code", "name_zh", name="uq_subfields_field_name"),)

    code: Mapped[str] = mapped_column(String(SUBFIELD_CODE_MAX), primary_key=True)
    field_code: Mapped[str] = mapped_column(ForeignKey("fields.code"), index=True)
    name_zh: Mapped[str] = mapped_column(String(NAME_ZH_MAX))
    name_en: Mapped[str] = mapped_column(String(NAME_EN_MAX))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


class Region(db.Model):
    """A province (two-digit code, no parent) or a city (four digits, parent = province)."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    name_zh: Mapped[str] = mapped_column(String(NAME_ZH_MAX))
    name_en: Mapped[str] = mapped_column(String(NAME_EN_MAX))

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en
