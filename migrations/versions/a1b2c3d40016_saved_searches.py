"""saved searches and their alerts

saved_searches: a person's named search of one list (needs, providers, services: query, filters,
sort) or their followed 推荐需求 (kind recommended), and when it last alerted them.
saved_search_alerts: the postings each search has already alerted its owner to (once each).

Revision ID: a1b2c3d40016
Revises: f8a9b0c10015
Create Date: 2026-11-30 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1b2c3d40016'
down_revision = 'f8a9b0c10015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'saved_searches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('query', sa.Text(), nullable=False),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('sort', sa.String(length=20), nullable=False),
        sa.Column('last_alerted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_searches_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_searches')),
    )
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_searches_user_id'), ['user_id'], unique=False)
    op.create_table(
        'saved_search_alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('search_id', sa.Integer(), nullable=False),
        sa.Column('posting_id', sa.Integer(), nullable=False),
        sa.Column('alerted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['search_id'], ['saved_searches.id'], name=op.f('fk_saved_search_alerts_search_id_saved_searches'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_search_alerts')),
        sa.UniqueConstraint('search_id', 'posting_id', name=op.f('uq_saved_search_alerts_search_id')),
    )
    with op.batch_alter_table('saved_search_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_search_alerts_search_id'), ['search_id'], unique=False)


def downgrade():
    with op.batch_alter_table('saved_search_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_search_alerts_search_id'))
    op.drop_table('saved_search_alerts')
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_searches_user_id'))
    op.drop_table('saved_searches')
