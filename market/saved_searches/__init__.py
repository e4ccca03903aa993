"""Saved searches (保存的搜索) and their daily alerts; docs/search.md, Saved searches and alerts."""
