"""services list at scale: a covering index for the no-query list's facet counts

The public services list without a query counts its category and region facets in one grouped pass
over the active services of approved providers (market/search/list_facets.py). It read every
service's table row (200,000 rows with their descriptions at 100,000 providers: 380-435 ms on
SQLite); with (active, provider_id, category) in one index it reads the index and the providers'
keys (165-185 ms). The page query keeps walking service_items by id (issue 16).

Revision ID: e9f0a1b20023
Revises: d8e9f0a10022
Create Date: 2026-12-02 15:50:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "e9f0a1b20023"
down_revision = "d8e9f0a10022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_service_items_active_provider_category",
        "service_items",
        ["active", "provider_id", "category"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_service_items_active_provider_category", table_name="service_items")
