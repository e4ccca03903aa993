"""Only market/moderation/transitions.py assigns the status of a need or a provider profile.

Every status change must go through the posting transition table, which writes its ModerationEvent;
a second writer (a service that flips a public profile back to pending, an import that approves) is
a status change with no history. The scan reads every module of market/ and finds each write of a
`status`:
* `x.status = …` (also augmented and annotated) and `setattr(x, "status", …)`;
* `Need(status=…)` / `Provider(status=…)`;
* `update(Need | Provider).values(status=…)` and raw SQL `UPDATE needs|providers SET … status`.
An attribute write counts as a posting's unless `x` is known to be another model: a parameter or a
local annotated or constructed (`Model(…)`, `db.session.get(Model, …)`) as, say, an Order. Unknown
objects count, so a new writer cannot hide behind a vague name; orders, proposals and import batches
(their own state machines) are recognised by their types.

Test data outside market/ (tests/factories.py sets statuses directly to build fixtures fast) is not
scanned: it is the only other writer, and it writes no history because it makes no history.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MARKET = Path(__file__).resolve().parents[1] / "market"
ALLOWED = MARKET / "moderation" / "transitions.py"
POSTING_MODELS = {"Need", "Provider", "Posting"}
# Attribute names that hold a posting wherever they appear (item.provider, proposal.need, …).
POSTING_ATTRIBUTES = {"need", "provider", "posting", "profile"}
RAW_SQL = re.compile(r"update\s+(needs|providers)\s+set\b[^;]*\bstatus\b", re.IGNORECASE | re.DOTALL)


@dataclass
class Writer:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _names(annotation: ast.expr | None) -> set[str]:
    """Class names an annotation mentions (`Order`, `Need | Provider`, `list[Order]`, 'Order')."""
    if annotation is None:
        return set()
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            return _names(ast.parse(annotation.value, mode="eval").body)
        except SyntaxError:
            return set()
    return {n.id for n in ast.walk(annotation) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(annotation) if isinstance(n, ast.Attribute)
    }


def _constructed(value: ast.expr) -> set[str]:
    """The model a value is built or loaded as: `Order(...)`, `db.session.get(Order, id)`."""
    if not isinstance(value, ast.Call):
        return set()
    func = value.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if name in ("get", "get_one", "scalar", "merge") and value.args:
        return _names(value.args[0]) if isinstance(value.args[0], (ast.Name, ast.Attribute)) else set()
    return {name} if name[:1].isupper() else set()


@dataclass
class _Scope:
    types: dict[str, set[str]] = field(default_factory=dict)


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.scopes: list[_Scope] = [_Scope()]
        self.found: list[Writer] = []

    # -- scopes: what each name is known to be ---------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        scope = _Scope()
        arguments = node.args
        for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            scope.types[arg.arg] = _names(arg.annotation)
        self.scopes.append(scope)
        for statement in node.body:  # locals first, so a write before its name's assignment is typed too
            for inner in ast.walk(statement):
                if isinstance(inner, ast.Assign) and len(inner.targets) == 1:
                    target = inner.targets[0]
                    if isinstance(target, ast.Name) and (built := _constructed(inner.value)):
                        scope.types.setdefault(target.id, set()).update(built)
                elif isinstance(inner, ast.AnnAssign) and isinstance(inner.target, ast.Name):
                    scope.types.setdefault(inner.target.id, set()).update(_names(inner.annotation))
        self.generic_visit(node)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def _type_of(self, node: ast.expr) -> set[str] | None:
        """Known class names of an expression, or None when unknown."""
        if isinstance(node, ast.Name):
            for scope in reversed(self.scopes):
                if scope.types.get(node.id):
                    return scope.types[node.id]
            return None
        if isinstance(node, ast.Attribute) and node.attr in POSTING_ATTRIBUTES:
            return {"Posting"}
        return None

    def _is_posting(self, node: ast.expr) -> bool:
        known = self._type_of(node)
        return known is None or bool(known & POSTING_MODELS)

    def _flag(self, node: ast.AST, what: str) -> None:
        self.found.append(Writer(self.path, getattr(node, "lineno", 0), what))

    # -- writes ------------------------------------------------------------------------------------------

    def _check_target(self, target: ast.expr, node: ast.AST) -> None:
        if isinstance(target, ast.Attribute) and target.attr == "status" and self._is_posting(target.value):
            self._flag(node, f"assigns {ast.unparse(target)}")
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._check_target(element, node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._check_target(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._check_target(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._check_target(node.target, node)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        keywords = {k.arg for k in node.keywords}
        if name in ("Need", "Provider") and "status" in keywords:
            self._flag(node, f"constructs {name}(status=…)")
        if name == "setattr" and len(node.args) >= 2:
            attribute = node.args[1]
            if (
                isinstance(attribute, ast.Constant)
                and attribute.value == "status"
                and self._is_posting(node.args[0])
            ):
                self._flag(node, f"setattr({ast.unparse(node.args[0])}, 'status', …)")
        if name == "values" and isinstance(func, ast.Attribute) and _updates_posting(func.value):
            literal = [k for a in node.args if isinstance(a, ast.Dict) for k in a.keys]
            named = {k.value for k in literal if isinstance(k, ast.Constant)}
            if "status" in keywords | named or None in keywords:
                self._flag(node, "UPDATE of a posting's status in SQL")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and RAW_SQL.search(node.value):
            self._flag(node, "raw SQL UPDATE of a posting's status")


def _updates_posting(node: ast.expr) -> bool:
    """Whether a method chain starts with update(Need) / update(Provider) (or insert)."""
    while True:
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("update", "insert"):
                return bool(node.args) and bool(_names(node.args[0]) & POSTING_MODELS)
            node = func
        elif isinstance(node, ast.Attribute):
            node = node.value
        else:
            return False


def writers_in(source: str, path: str = "<source>") -> list[Writer]:
    scanner = _Scanner(path)
    scanner.visit(ast.parse(source))
    return scanner.found


def _modules() -> Iterator[Path]:
    yield from sorted(p for p in MARKET.rglob("*.py") if p != ALLOWED)


def test_only_the_transitions_module_assigns_a_postings_status() -> None:
    found = [
        w
        for path in _modules()
        for w in writers_in(path.read_text(encoding="utf-8"), str(path.relative_to(MARKET)))
    ]
    assert not found, "posting statuses change only in market/moderation/transitions.py:\n" + "\n".join(
        map(str, found)
    )


def test_the_transitions_module_is_where_they_are_assigned() -> None:
    """The allowed module really writes statuses (so the scan would see a writer if it moved)."""
    assert writers_in(ALLOWED.read_text(encoding="utf-8"))


# The scan itself: what it must find and what it must leave alone.

FLAGGED = {
    "attribute of a typed need": "def f(need: Need) -> None:\n    need.status = 'approved'\n",
    "attribute of a union": "def f(p: Need | Provider) -> None:\n    p.status = 'pending'\n",
    "attribute of an unknown object": "def f(thing) -> None:\n    thing.status = 'pending'\n",
    "item's provider": "def f(item: ServiceItem) -> None:\n    item.provider.status = 'pending'\n",
    "loaded need": "def f(i):\n    n = db.session.get(Need, i)\n    n.status = 'approved'\n",
    "constructor": "def f():\n    return Provider(name='x', status='approved')\n",
    "setattr": "def f(p: Provider):\n    setattr(p, 'status', 'approved')\n",
    "sql update": "def f():\n    db.session.execute(update(Need).where(Need.id == 1).values(status='x'))\n",
    "raw sql": "def f():\n    db.session.execute(text('UPDATE providers SET status = :s'))\n",
    "tuple target": "def f(need: Need):\n    need.status, need.review_note = 'approved', ''\n",
}
LEFT_ALONE = {
    "order": "def f(order: Order) -> None:\n    order.status = 'accepted'\n",
    "proposal": "def f(proposal: Proposal) -> None:\n    proposal.status = 'picked'\n",
    "batch": "def f(batch: ImportBatch) -> None:\n    batch.status = 'ready'\n",
    "new order": "def f():\n    o = Order(status='ordered')\n    o.status = 'ordered'\n",
    "order update": "def f():\n    update(Order).values(status='expired')\n",
    "reading": "def f(need: Need) -> bool:\n    return need.status == 'approved'\n",
}


def test_the_scan_finds_every_kind_of_writer() -> None:
    missed = [name for name, source in FLAGGED.items() if not writers_in(source)]
    assert not missed


def test_the_scan_leaves_other_state_machines_alone() -> None:
    flagged = {name: writers_in(source) for name, source in LEFT_ALONE.items()}
    assert not {name: found for name, found in flagged.items() if found}
