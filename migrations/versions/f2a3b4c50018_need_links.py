"""need links: a broker's record that two needs are the same problem (duplicate) or related

Revision ID: f2a3b4c50018
Revises: e1f2a3b40017
Create Date: 2026-11-30 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2a3b4c50018'
down_revision = 'e1f2a3b40017'  # the head when written (after d7e8f9a00016's two branches were linearised)
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'need_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=False),
        sa.Column('other_need_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('need_id < other_need_id', name=op.f('ck_need_links_ordered')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name='fk_need_links_created_by_id_users'),
        sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name='fk_need_links_need_id_needs', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['other_need_id'], ['needs.id'], name='fk_need_links_other_need_id_needs', ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name='pk_need_links'),
        sa.UniqueConstraint('need_id', 'other_need_id', name='uq_need_links_pair'),
    )
    with op.batch_alter_table('need_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_links_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_need_links_other_need_id'), ['other_need_id'], unique=False)


def downgrade():
    with op.batch_alter_table('need_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_links_other_need_id'))
        batch_op.drop_index(batch_op.f('ix_need_links_need_id'))
    op.drop_table('need_links')
