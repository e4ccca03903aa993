"""stored messages as a key and JSON parameters, rendered in the reader's language

New rows of notifications, system follow-ups, audit reasons, admin events, moderation notes and queued
mail carry message_key + message_params (see market/messages.py). Existing rows are not converted:
their text cannot be parsed back into parameters reliably, so they keep showing the text they have.

Revision ID: f7a8b9c00013
Revises: e5f6a7b80012
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7a8b9c00013'
down_revision = 'e5f6a7b80012'
branch_labels = None
depends_on = None

# table -> (key column, params column)
MESSAGE_COLUMNS = {
    'notifications': ('message_key', 'message_params'),
    'follow_ups': ('message_key', 'message_params'),
    'email_outbox': ('message_key', 'message_params'),
    'admin_events': ('message_key', 'message_params'),
    'moderation_events': ('message_key', 'message_params'),
    'order_audit_log': ('reason_key', 'reason_params'),
}


def upgrade():
    for table, (key, params) in MESSAGE_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(key, sa.String(length=60), nullable=True))
            batch_op.add_column(sa.Column(params, sa.JSON(), nullable=True))
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_email_outbox_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_email_outbox_user_id_users'), 'users', ['user_id'], ['id'], ondelete='CASCADE'
        )


def downgrade():
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_email_outbox_user_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_email_outbox_user_id'))
        batch_op.drop_column('user_id')
    for table, (key, params) in MESSAGE_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(params)
            batch_op.drop_column(key)
