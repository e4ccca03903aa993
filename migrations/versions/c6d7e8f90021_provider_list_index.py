"""providers list at scale: an index for the public list's 最新 order

The public providers list (approved, newest approval first: market/providers/services.py
`public_providers_query`) read in this index's order instead of sorting every approved provider:
at 100,000 providers 63 ms -> 4 ms a page (issue 16).

Revision ID: c6d7e8f90021
Revises: b5c6d7e80020
Create Date: 2026-12-01 02:45:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c6d7e8f90021"
down_revision = "b5c6d7e80020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_providers_status_approved_at_id", "providers", ["status", "approved_at", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_providers_status_approved_at_id", table_name="providers")
