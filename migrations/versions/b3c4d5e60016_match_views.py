"""match page views (one row per need, viewer and day); organisation claim invitations

organisation_claims: a broker mails a contact of an organisation without accounts a single-use link
(only its SHA-256 stored, expiring after 7 days) to register as a member (market/broker/claims.py).

The broker funnel's 匹配 step counts from these rows (besides match feedback, answers and
invitations); market/match_log/services.py writes at most one row per need, viewer and UTC day.

Revision ID: b3c4d5e60016
Revises: a1b2c3d40016
Create Date: 2026-11-30 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3c4d5e60016'
down_revision = 'a1b2c3d40016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'match_views',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=False),
        sa.Column('viewer_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['need_id'], ['needs.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['viewer_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('need_id', 'viewer_id', 'day', name='uq_match_views_need_viewer_day'),
    )
    with op.batch_alter_table('match_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_views_need_id'), ['need_id'], unique=False)


    op.create_table(
        'organisation_claims',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('used_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invited_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['used_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('organisation_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_claims_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('organisation_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_claims_organisation_id'))
    op.drop_table('organisation_claims')
    with op.batch_alter_table('match_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_views_need_id'))
    op.drop_table('match_views')
