"""需求凝练: the need assistant (suggestions while a need is written or reviewed) and near-duplicate needs."""
