"""provider capacity settings; invitations get their own origin

provider_capacity: a provider's limit of engagements at once and its time away (market/capacity),
one row per provider, none = no limit.

orders.origin 'invited' (邀请): an enterprise inviting a provider to its need was stored as 'ordered'
(点单) and so labelled 点单 in 来源, state and notification. Existing invitations (origin 'ordered'
on a need, from no service and no answer) become 'invited'.

Revision ID: c9d0e1f20017
Revises: d7e8f9a00016
Create Date: 2026-11-30 21:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c9d0e1f20017"
down_revision = "d7e8f9a00016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "provider_capacity",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("max_concurrent", sa.Integer(), nullable=True),
        sa.Column("away_from", sa.Date(), nullable=True),
        sa.Column("away_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "max_concurrent IS NULL OR max_concurrent BETWEEN 1 AND 999",
            name=op.f("ck_provider_capacity_max_concurrent_range"),
        ),
        sa.ForeignKeyConstraint(["provider_id"], ["providers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("provider_id"),
    )
    op.execute(
        "UPDATE orders SET origin = 'invited' WHERE origin = 'ordered' AND need_id IS NOT NULL "
        "AND service_id IS NULL AND proposal_id IS NULL"
    )


def downgrade():
    op.execute("UPDATE orders SET origin = 'ordered' WHERE origin = 'invited'")
    op.drop_table("provider_capacity")
