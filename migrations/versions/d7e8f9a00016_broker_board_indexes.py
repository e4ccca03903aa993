"""broker board at scale: indexes for one state's newest rows and a person's latest follow-up

The board's columns and the paginated lists (/broker/list/...) read one state's rows newest first;
the overdue follow-ups read each order's latest note. Measured with benchmarks/broker_pages.py
(5,000 needs and 20,000 orders in one region; docs/performance.md).

Revision ID: d7e8f9a00016
Revises: b3c4d5e60016
Create Date: 2026-11-30 19:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd7e8f9a00016'
down_revision = 'b3c4d5e60016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_orders_status_changed', 'orders', ['status', 'status_changed_at'], unique=False)
    op.create_index('ix_needs_status_updated', 'needs', ['status', 'updated_at'], unique=False)
    op.create_index('ix_follow_ups_kind_order', 'follow_ups', ['kind', 'order_id'], unique=False)


def downgrade():
    op.drop_index('ix_follow_ups_kind_order', table_name='follow_ups')
    op.drop_index('ix_needs_status_updated', table_name='needs')
    op.drop_index('ix_orders_status_changed', table_name='orders')
