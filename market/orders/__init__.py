"""Ordering and follow-up (点单 · 派单 · 接单 · 答题 · 签约 · 评单).

`transitions` owns the order state machine; `services` and `proposals` are the only writers and the
only code that decides; `forms` checks input for the pages (`views`, `views_start`) and for the JSON
API (`market/api/orders.py`), which are thin callers. See docs/orders.md.
"""
