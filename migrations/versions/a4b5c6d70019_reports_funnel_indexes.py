"""reports funnel at scale: covering indexes for a need's orders and an order's audit entries

The funnel on /broker/reports takes, per need, the first order, invitation and audit entry into
accepted / signed / delivered in one grouped query (market/broker/funnel.py `_order_times`); these
indexes let it read orders by need and audit entries by order without touching the table rows.
Measured with benchmarks/broker_pages.py --only reports (5,000 needs and 20,000 orders in one
region; docs/performance.md).

Revision ID: a4b5c6d70019
Revises: f2a3b4c50018
Create Date: 2026-11-30 22:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "a4b5c6d70019"
down_revision = "f2a3b4c50018"  # the head when written (the brief named d7e8f9a00016)
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_orders_need_funnel", "orders", ["need_id", "created_at", "origin", "provider_id"], unique=False
    )
    op.create_index(
        "ix_order_audit_log_order_status",
        "order_audit_log",
        ["order_id", "to_status", "created_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_order_audit_log_order_status", table_name="order_audit_log")
    op.drop_index("ix_orders_need_funnel", table_name="orders")
