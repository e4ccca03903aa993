"""Suggestions as you type for the search boxes (docs/search.md, "Suggestions")."""
