"""Ordering and follow-up (点单 · 派单 · 接单 · 答题 · 签约 · 评单).

`transitions` owns the order state machine; `services` and `proposals` are the only writers;
`views` (pages) and `api` (JSON) are thin callers. See docs/orders.md.
"""
