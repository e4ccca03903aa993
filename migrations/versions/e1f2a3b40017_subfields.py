"""two-level fields: sub-fields (细分领域) under each field, on needs and providers

Creates `subfields` and seeds it under the fields the database already holds (a fresh database
gets its fields, and then its sub-fields, from `seed_reference_data` right after the upgrade);
adds the nullable `needs.subfield_code` and the `provider_subfields` link. Existing postings keep
their field and simply have no sub-field until someone picks one.

Revision ID: e1f2a3b40017
Revises: c9d0e1f20017
Create Date: 2026-11-30 21:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e1f2a3b40017'
down_revision = 'c9d0e1f20017'  # linearised after the capacity migration (both branched from d7e8f9a00016)
branch_labels = None
depends_on = None


def upgrade():
    subfields = op.create_table(
        'subfields',
        sa.Column('code', sa.String(length=60), nullable=False),
        sa.Column('field_code', sa.String(length=40), nullable=False),
        sa.Column('name_zh', sa.String(length=60), nullable=False),
        sa.Column('name_en', sa.String(length=80), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['field_code'], ['fields.code'], name=op.f('fk_subfields_field_code_fields')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_subfields')),
        sa.UniqueConstraint('field_code', 'name_zh', name=op.f('uq_subfields_field_name')),
    )
    op.create_index(op.f('ix_subfields_field_code'), 'subfields', ['field_code'], unique=False)
    _seed(subfields)
    with op.batch_alter_table('needs') as batch_op:
        batch_op.add_column(sa.Column('subfield_code', sa.String(length=60), nullable=True))
        batch_op.create_index(batch_op.f('ix_needs_subfield_code'), ['subfield_code'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_needs_subfield_code_subfields'), 'subfields', ['subfield_code'], ['code']
        )
    op.create_table(
        'provider_subfields',
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('subfield_code', sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ['provider_id'],
            ['providers.id'],
            name=op.f('fk_provider_subfields_provider_id_providers'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['subfield_code'], ['subfields.code'], name=op.f('fk_provider_subfields_subfield_code_subfields')
        ),
        sa.PrimaryKeyConstraint('provider_id', 'subfield_code', name=op.f('pk_provider_subfields')),
    )
    op.create_index(
        op.f('ix_provider_subfields_subfield_code'), 'provider_subfields', ['subfield_code'], unique=False
    )


def _seed(subfields: sa.Table) -> None:
    # The seed list as of this revision (market.taxonomy.SUBFIELDS); later additions come from
    # seed_reference_data, which inserts only what is missing.
    from market.taxonomy import SUBFIELDS

    existing = {row[0] for row in op.get_bind().execute(sa.text('SELECT code FROM fields'))}
    rows = [
        {
            'code': t.code,
            'field_code': f,
            'name_zh': t.zh,
            'name_en': t.en,
            'position': i,
            'active': True,
        }
        for f, terms in SUBFIELDS.items()
        if f in existing
        for i, t in enumerate(terms)
    ]
    if rows:
        op.bulk_insert(subfields, rows)


def downgrade():
    op.drop_index(op.f('ix_provider_subfields_subfield_code'), table_name='provider_subfields')
    op.drop_table('provider_subfields')
    with op.batch_alter_table('needs') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_needs_subfield_code_subfields'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_needs_subfield_code'))
        batch_op.drop_column('subfield_code')
    op.drop_index(op.f('ix_subfields_field_code'), table_name='subfields')
    op.drop_table('subfields')
