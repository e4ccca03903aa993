"""The import flow shared by the web pages and the CLI: parse → validate (in steps) → commit all or nothing.

Web uploads are kept as `ImportBatch` + `ImportRow` rows, so validation can proceed in chunks from
any gunicorn worker (each step is claimed with a compare-and-set on `processed_rows`), and the
commit is one transaction claimed with a compare-and-set on `status`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, insert, select, update

from market import permissions, scope
from market.auth.models import Organisation, User
from market.db import db, utcnow
from market.errors import Conflict, NotFound
from market.i18n import gettext as _
from market.imports.columns import header_of
from market.imports.index import detach_index_changes
from market.imports.models import BatchStatus, ImportBatch, ImportRow
from market.imports.reading import read_table
from market.imports.validate import Record, Validator, records_from_rows, row_error_text
from market.imports.writing import WRITERS, Validated, WriteResult, matching_enterprises
from market.reference import services as reference
from market.security import events as security
from market.text import printable

STEP = 500  # rows validated per step
STALE_AFTER = timedelta(days=2)
Progress = Callable[[int], None]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return row_error_text(self.row, self.column, self.message)


def can_import(user: object) -> bool:
    """Brokers (in their provinces, checked per row) and admins."""
    return permissions.can_review(user)


# --- in memory (CLI, tests, benchmarks) ----------------------------------------------------------


def validate_records(
    kind: str, actor: User, records: list[Record], progress: Progress | None = None
) -> tuple[list[Validated], list[RowError]]:
    validator = Validator(kind, actor)
    valid: list[Validated] = []
    errors: list[RowError] = []
    for record in records:
        outcome = validator.validate(record)
        if outcome.values is not None:
            valid.append(Validated(record.ordinal, record.record, outcome.values, record.parent))
        errors.extend(RowError(record.row_number, column, message) for column, message in outcome.errors)
        if progress:
            progress(1)
    return valid, errors


def write(
    kind: str, actor: User, valid: list[Validated], publish: bool, progress: Progress | None = None
) -> WriteResult:
    _recheck(kind, actor, valid)
    result = WRITERS[kind](actor, valid, publish, progress)
    detach_index_changes()
    security.record(
        security.IMPORT_COMMITTED, user=actor, kind=kind, publish=publish, written=result.as_dict()
    )
    return result


def _recheck(kind: str, actor: User, valid: list[Validated]) -> None:
    """Between validation and commit an admin may have removed a field or a broker lost a region."""
    fields = {code for code, _zh, _en in reference.field_choices()}
    regions = set(reference.region_names())
    for item in valid:
        if item.record not in ("need", "provider"):
            continue
        values = item.values
        codes = values.get("field_codes") or [values.get("field_code")]
        if any(c not in fields for c in codes) or any(
            p not in regions for p in (values["province"], values.get("city")) if p
        ):
            raise Conflict(_("分类数据（领域或地区）在校验后有变化，请重新上传文件。"))
        if not scope.covers(actor, values["province"]):
            raise Conflict(_("你负责的地区在校验后有变化，请重新上传文件。"))


# --- stored batches (web) ------------------------------------------------------------------------


def create_batch(actor: User, kind: str, filename: str, data: bytes, publish: bool) -> ImportBatch:
    _purge_stale()
    table = read_table(data, kind, filename)
    records = records_from_rows(kind, table.rows)
    batch = ImportBatch(
        kind=kind,
        actor_id=actor.id,
        filename=printable(filename)[:200],  # shown on the batch pages; may come from any client
        file_format=table.file_format,
        publish=publish,
        total_rows=len(records),
        summary={"ignored_headers": table.ignored_headers, "columns": [c.key for c in table.columns]},
    )
    db.session.add(batch)
    db.session.flush()
    db.session.execute(
        insert(ImportRow),
        [
            {
                "batch_id": batch.id,
                "ordinal": r.ordinal,
                "row_number": r.row_number,
                "record": r.record,
                "raw": r.raw | ({"_parent": r.parent} if r.parent is not None else {}),
            }
            for r in records
        ],
    )
    security.record(security.IMPORT_DRY_RUN, user=actor, kind=kind, file=batch.filename, rows=len(records))
    return batch


def _purge_stale() -> None:
    old = select(ImportBatch.id).where(ImportBatch.created_at < utcnow() - STALE_AFTER)
    db.session.execute(delete(ImportRow).where(ImportRow.batch_id.in_(old)))
    db.session.execute(
        delete(ImportBatch).where(ImportBatch.id.in_(old), ImportBatch.status != BatchStatus.COMMITTED.value)
    )


def get_batch(actor: User, batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or (batch.actor_id != actor.id and not permissions.is_admin(actor)):
        raise NotFound(_("导入批次不存在。"))
    return batch


def validate_step(batch: ImportBatch, actor: User, size: int = STEP) -> None:
    """Validate the next chunk. A step another request already claimed is skipped, never done twice."""
    start = batch.processed_rows
    if batch.status != BatchStatus.VALIDATING or start >= batch.total_rows:
        return
    end = min(start + size, batch.total_rows)
    claimed = db.session.execute(
        update(ImportBatch)
        .where(
            ImportBatch.id == batch.id,
            ImportBatch.processed_rows == start,
            ImportBatch.status == BatchStatus.VALIDATING.value,
        )
        .values(processed_rows=end)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(batch)
    if not claimed:
        return
    validator = Validator(batch.kind, actor)
    rows = db.session.scalars(
        select(ImportRow).where(
            ImportRow.batch_id == batch.id, ImportRow.ordinal >= start, ImportRow.ordinal < end
        )
    )
    failed = 0
    for row in rows:
        raw = dict(row.raw)
        parent = raw.pop("_parent", None)
        outcome = validator.validate(Record(row.ordinal, row.row_number, row.record, raw, parent))
        row.values, row.errors = outcome.values, [list(e) for e in outcome.errors] or None
        failed += bool(outcome.errors)
    batch.error_count += failed
    if end == batch.total_rows:
        batch.status = (BatchStatus.INVALID if batch.error_count else BatchStatus.READY).value
    db.session.flush()


def commit_batch(batch: ImportBatch, actor: User) -> WriteResult:
    claimed = db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status == BatchStatus.READY.value)
        .values(status=BatchStatus.COMMITTING.value)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise Conflict(_("该批次已导入或未通过校验，不能再次导入。"))
    rows = db.session.scalars(
        select(ImportRow).where(ImportRow.batch_id == batch.id).order_by(ImportRow.ordinal)
    )
    valid = [Validated(r.ordinal, r.record, r.values or {}, r.raw.get("_parent")) for r in rows]
    result = write(batch.kind, actor, valid, batch.publish)
    db.session.execute(delete(ImportRow).where(ImportRow.batch_id == batch.id))
    db.session.refresh(batch)
    batch.status = BatchStatus.COMMITTED.value
    batch.committed_at = utcnow()
    batch.summary = {**batch.summary, "written": result.as_dict()}
    db.session.flush()
    return result


def batch_errors(batch: ImportBatch, limit: int = 200) -> list[RowError]:
    query = (
        select(ImportRow)
        .where(ImportRow.batch_id == batch.id, ImportRow.errors.is_not(None))
        .order_by(ImportRow.ordinal)
        .limit(limit)
    )
    return [
        RowError(r.row_number, column, message)
        for r in db.session.scalars(query)
        for column, message in r.errors or []
    ]


def batch_preview(batch: ImportBatch, limit: int = 10) -> list[ImportRow]:
    query = select(ImportRow).where(ImportRow.batch_id == batch.id).order_by(ImportRow.ordinal).limit(limit)
    return list(db.session.scalars(query))


def preview_organisations(
    batch: ImportBatch, actor: User, rows: list[ImportRow]
) -> dict[int, Organisation | None]:
    """For a needs batch: per previewed row (by ordinal) the existing enterprise a commit by `actor`
    attaches it to, or None where a new organisation is created; the same rule the commit applies."""
    if batch.kind != "needs":
        return {}
    names = {row.ordinal: str(row.raw.get("organisation") or "").strip() for row in rows}
    found = matching_enterprises(actor, (name for name in names.values() if name))
    return {ordinal: found.get(name) for ordinal, name in names.items() if name}


def record_counts(batch: ImportBatch) -> dict[str, int]:
    query = (
        select(ImportRow.record, func.count())
        .where(ImportRow.batch_id == batch.id)
        .group_by(ImportRow.record)
    )
    return {record: count for record, count in db.session.execute(query).all()}


def headers(kind: str, keys: list[str]) -> list[str]:
    return [header_of(kind, key) for key in keys]
