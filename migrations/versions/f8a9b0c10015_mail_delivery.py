"""mail delivery: outbox states, retries, claims and digests; per-kind mail preferences

email_outbox gains what the mailer (market/mail/sender.py) needs: the kind of mail (orders, answers,
postings, recommended, account, digest), its state (queued, sent, dead, digest, digested, cancelled),
how many attempts failed and when the next one is due, the claim a worker holds on it (token and
time), the last error, and for a daily digest its day and the rows it carries. Rows sent before keep
state sent; unsent rows are queued.

mail_preferences holds what each person chose per kind (immediate, digest, off); no row: the default.

Revision ID: f8a9b0c10015
Revises: e6f7a8b90015
Create Date: 2026-11-30 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f8a9b0c10015'
down_revision = 'e6f7a8b90015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False, server_default='orders'))
        batch_op.add_column(sa.Column('state', sa.String(length=12), nullable=False, server_default='queued'))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('digest_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('digest_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_email_outbox_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_outbox_digest_id'), ['digest_id'], unique=False)
        batch_op.create_unique_constraint('uq_email_outbox_user_id_digest_day', ['user_id', 'digest_day'])
        batch_op.create_foreign_key(
            batch_op.f('fk_email_outbox_digest_id_email_outbox'), 'email_outbox', ['digest_id'], ['id'],
            ondelete='SET NULL',
        )
    op.execute("UPDATE email_outbox SET state = 'sent' WHERE sent_at IS NOT NULL")
    op.create_table(
        'mail_preferences',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('mode', sa.String(length=10), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mail_preferences_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_mail_preferences')),
    )


def downgrade():
    op.drop_table('mail_preferences')
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_email_outbox_digest_id_email_outbox'), type_='foreignkey')
        batch_op.drop_constraint('uq_email_outbox_user_id_digest_day', type_='unique')
        batch_op.drop_index(batch_op.f('ix_email_outbox_digest_id'))
        batch_op.drop_index('ix_email_outbox_due')
        batch_op.drop_column('digest_id')
        batch_op.drop_column('digest_day')
        batch_op.drop_column('last_error')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claim_token')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('state')
        batch_op.drop_column('kind')
