"""Capacity-aware dispatch: providers' limits and time away, their load and answer record, conflicts,
and dispatch suggestions that spread work (docs/broker.md, "Capacity-aware dispatch")."""
