"""answers on every need: evidence, hiding, the answers' audit log, providers blocked by an enterprise

Proposals (科技答题) are no longer limited to open calls. An answer cites achievements of its provider
(proposal_achievements), may be hidden by a broker (hidden_at, hidden_by_id, hidden_reason), and every
step on it is recorded (proposal_events). An enterprise may block a provider from its needs
(provider_blocks). Existing proposals keep their rows and states.

Revision ID: a1b2c3d40014
Revises: f7a8b9c00013
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1b2c3d40014'
down_revision = 'f7a8b9c00013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hidden_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hidden_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key(
            batch_op.f('fk_proposals_hidden_by_id_users'), 'users', ['hidden_by_id'], ['id']
        )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.alter_column('hidden_reason', server_default=None)

    op.create_table('proposal_achievements',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('achievement_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['achievement_id'], ['achievements.id'], name=op.f('fk_proposal_achievements_achievement_id_achievements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_achievements_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'achievement_id', name=op.f('pk_proposal_achievements'))
    )
    op.create_table('proposal_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=False),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_proposal_events_actor_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_events_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_events'))
    )
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_events_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('provider_blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_provider_blocks_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_provider_blocks_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_provider_blocks_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_blocks')),
    sa.UniqueConstraint('organisation_id', 'provider_id', name='uq_provider_blocks_organisation_provider')
    )
    with op.batch_alter_table('provider_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_blocks_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_blocks_provider_id'), ['provider_id'], unique=False)


def downgrade():
    with op.batch_alter_table('provider_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_blocks_provider_id'))
        batch_op.drop_index(batch_op.f('ix_provider_blocks_organisation_id'))
    op.drop_table('provider_blocks')
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_events_proposal_id'))
    op.drop_table('proposal_events')
    op.drop_table('proposal_achievements')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_proposals_hidden_by_id_users'), type_='foreignkey')
        batch_op.drop_column('hidden_reason')
        batch_op.drop_column('hidden_by_id')
        batch_op.drop_column('hidden_at')
