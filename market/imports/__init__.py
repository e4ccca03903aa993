"""Bulk import and export of needs and providers (CSV / .xlsx), for brokers and admins. See docs/import.md."""
