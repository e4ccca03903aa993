"""Shared limits are named once: the largest row id is market.ids.MAX_ID, written nowhere else."""

from __future__ import annotations

import ast
from pathlib import Path

from market.config import ROOT
from market.ids import MAX_ID

HOME = ROOT / "market" / "ids.py"


def _id_limits(path: Path) -> list[int]:
    """Lines of `path` that spell the id limit itself: 2**31 (minus one or not) or its digits."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        power = (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Pow)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.right, ast.Constant)
            and (node.left.value, node.right.value) == (2, 31)
        )
        digits = isinstance(node, ast.Constant) and node.value in (MAX_ID, MAX_ID + 1)
        if power or digits:
            lines.append(node.lineno)
    return lines


def test_the_id_limit_is_written_only_in_market_ids() -> None:
    spelled = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "market").rglob("*.py"))
        if path != HOME and (lines := _id_limits(path))
    }
    assert spelled == {}, "import MAX_ID from market.ids instead"
    assert _id_limits(HOME), "the scan no longer recognises how market/ids.py writes the limit"
