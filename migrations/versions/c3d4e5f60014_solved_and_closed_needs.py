"""solved and closed needs: when and how a need left the market, and why

A need that was solved (through a deal on this platform, or elsewhere) or closed (no longer needed)
records when, how, which order's deal solved it, and the reason its owner or broker gave. Reopening
clears them again; the moderation events keep the history.

solved_order_id has no foreign key: orders already refer to needs, and on SQLite a key the other way
can only be added by rebuilding the needs table, which the rows referring to it forbid. The service
links only a signed order of the need itself, and orders are never deleted.

Revision ID: c3d4e5f60014
Revises: b2c3d4e50014
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d4e5f60014'
down_revision = 'b2c3d4e50014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('needs', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('solved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('solved_how', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('solved_order_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('outcome_reason', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_column('outcome_reason')
        batch_op.drop_column('solved_order_id')
        batch_op.drop_column('solved_how')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('solved_at')
