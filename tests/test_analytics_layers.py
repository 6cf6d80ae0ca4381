"""Data flows one way: analytics computes over what the store reads, and the store never calls
back up into analytics (issue 17)."""

import ast
from pathlib import Path

import deskui
from deskui.analytics.board import CAUTION_MINUTES, FRT_MARKS, frt_mark
from deskui.analytics.metrics import RULE_MINUTES, WARNING_MINUTES

PACKAGE = Path(deskui.__file__).parent


def _imported_modules(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, node.lineno))
            if node.module == "deskui":
                found += [(f"deskui.{alias.name}", node.lineno) for alias in node.names]
    return found


def test_the_store_never_imports_analytics():
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line}: imports {module}"
                 for path in sorted((PACKAGE / "store").rglob("*.py"))
                 for module, line in _imported_modules(path) if module.startswith("deskui.analytics")]
    assert not offenders, "\n".join(offenders)


def test_analytics_and_the_outbox_run_no_sql_of_their_own():
    """Every statement they need is a function of a store module (deskui/store/metrics.py,
    health.py, alerts.py, outbox.py)."""
    offenders = []
    for path in [*sorted((PACKAGE / "analytics").rglob("*.py")), PACKAGE / "outbox.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("execute", "executemany", "executescript"):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: .{node.attr}")
    assert not offenders, "\n".join(offenders)


def test_the_first_response_marks_are_the_seeds():
    assert (CAUTION_MINUTES, WARNING_MINUTES, RULE_MINUTES) == (8 * 60, 12 * 60, 24 * 60)
    assert list(FRT_MARKS.values()) == sorted(FRT_MARKS.values())
    assert [frt_mark(m) for m in (0, 479.9, 480, 719.9, 720, 1439.9, 1440, 5000)] == [
        "ok", "ok", "caution", "caution", "warning", "warning", "rule", "rule"]
