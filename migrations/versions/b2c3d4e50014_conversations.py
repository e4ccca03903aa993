"""conversations: a thread per proposal and per order, messages, files, read markers, moderation log;
users' phone, WeChat and what they share after 接单

Existing orders and proposals get their thread here; new ones get it when they are created
(market/conversations/models.py).

Revision ID: b2c3d4e50014
Revises: a1b2c3d40014
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2c3d4e50014'
down_revision = 'a1b2c3d40014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=30), server_default='', nullable=False))
        batch_op.add_column(sa.Column('wechat', sa.String(length=60), server_default='', nullable=False))
        for name in ('share_email', 'share_phone', 'share_wechat'):
            batch_op.add_column(sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('province', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('last_message_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(order_id IS NULL) <> (proposal_id IS NULL)', name=op.f('ck_threads_one_engagement')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_threads_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_threads_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_threads_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['province'], ['regions.code'], name=op.f('fk_threads_province_regions')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_threads_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_threads')),
    sa.UniqueConstraint('order_id', name=op.f('uq_threads_order_id')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_threads_proposal_id'))
    )
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_threads_last_message_at'), ['last_message_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_threads_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_threads_province'), ['province'], unique=False)
        batch_op.create_index(batch_op.f('ix_threads_provider_id'), ['provider_id'], unique=False)

    op.create_table('thread_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_thread_messages_author_id_users')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_thread_messages_hidden_by_id_users')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_messages_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thread_messages'))
    )
    with op.batch_alter_table('thread_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_messages_thread_id'), ['thread_id'], unique=False)

    op.create_table('thread_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['thread_messages.id'], name=op.f('fk_thread_files_message_id_thread_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thread_files'))
    )
    with op.batch_alter_table('thread_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_files_message_id'), ['message_id'], unique=True)

    op.create_table('thread_reads',
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_message_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_reads_thread_id_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_thread_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('thread_id', 'user_id', name=op.f('pk_thread_reads'))
    )

    op.create_table('thread_message_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_thread_message_events_actor_id_users')),
    sa.ForeignKeyConstraint(['message_id'], ['thread_messages.id'], name=op.f('fk_thread_message_events_message_id_thread_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thread_message_events'))
    )
    with op.batch_alter_table('thread_message_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_message_events_message_id'), ['message_id'], unique=False)

    # Every engagement that exists already gets its (empty) thread.
    op.execute(
        "INSERT INTO threads (order_id, organisation_id, provider_id, province, title, created_at, updated_at)"
        " SELECT id, organisation_id, provider_id, province, title, created_at, created_at FROM orders"
    )
    op.execute(
        "INSERT INTO threads (proposal_id, organisation_id, provider_id, province, title, created_at, updated_at)"
        " SELECT p.id, n.organisation_id, p.provider_id, n.province, n.title, p.created_at, p.created_at"
        " FROM proposals p JOIN needs n ON n.id = p.need_id"
    )


def downgrade():
    op.drop_table('thread_message_events')
    op.drop_table('thread_reads')
    op.drop_table('thread_files')
    op.drop_table('thread_messages')
    op.drop_table('threads')
    with op.batch_alter_table('users', schema=None) as batch_op:
        for name in ('share_wechat', 'share_phone', 'share_email', 'wechat', 'phone'):
            batch_op.drop_column(name)
