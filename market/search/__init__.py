"""Search on the public lists: the hybrid index behind /needs/, /providers/, /services/ (docs/search.md)."""
