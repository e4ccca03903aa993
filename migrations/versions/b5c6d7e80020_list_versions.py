"""list versions: the stamp that keeps the no-query lists' facet counts cached until a posting changes

One row per family of public lists ("needs"; "providers", which the services list follows too), its
token replaced in the transaction of every change to what the lists show (market/search/list_cache.py;
issue 16).

Revision ID: b5c6d7e80020
Revises: a4b5c6d70019
Create Date: 2026-12-01 02:20:00.000000

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5c6d7e80020"
down_revision = "a4b5c6d70019"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "list_versions",
        sa.Column("family", sa.String(length=20), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("family", name=op.f("pk_list_versions")),
    )
    op.bulk_insert(table, [{"family": f, "token": secrets.token_hex(16)} for f in ("needs", "providers")])


def downgrade():
    op.drop_table("list_versions")
