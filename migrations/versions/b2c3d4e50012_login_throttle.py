"""login throttle: password checks counted per address and account (market/auth/throttle.py)

Revision ID: b2c3d4e50012
Revises: a1c2e3f40012
Create Date: 2026-11-30 15:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2c3d4e50012'
down_revision = 'a1c2e3f40012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_attempts'))
    )
    with op.batch_alter_table('password_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_password_attempts_account_at', ['account', 'at'], unique=False)
        batch_op.create_index('ix_password_attempts_address_at', ['address', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_password_attempts_at'), ['at'], unique=False)


def downgrade():
    with op.batch_alter_table('password_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_attempts_at'))
        batch_op.drop_index('ix_password_attempts_address_at')
        batch_op.drop_index('ix_password_attempts_account_at')

    op.drop_table('password_attempts')
