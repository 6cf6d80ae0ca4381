"""The core never imports Textual: screens ask the core, never the other way round."""

import ast
from pathlib import Path

import deskui

PACKAGE = Path(deskui.__file__).parent
UI_ONLY = {"ui"}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, node.lineno


def core_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in UI_ONLY:
            continue
        yield path


def test_core_modules_never_import_textual_or_rich():
    offenders = []
    for path in core_files():
        for module, line in _imports(path):
            top = module.split(".")[0]
            # cli.py may start the UI, but only lazily inside a function (checked below)
            if top in ("textual", "rich") or (module.startswith("deskui.ui") and path.name != "cli.py"):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}: imports {module}")
    assert not offenders, "\n".join(offenders)


def test_cli_imports_the_ui_only_lazily():
    tree = ast.parse((PACKAGE / "cli.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            assert not any(n.startswith(("deskui.ui", "textual")) for n in names), "cli.py must import the UI inside a function"


def test_nothing_but_the_clock_reads_the_wall_clock():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "clock.py":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("datetime.now(", "datetime.utcnow(", "date.today("):
            if needle in text:
                offenders.append(f"{path.relative_to(PACKAGE.parent)} calls {needle}")
    assert not offenders, "\n".join(offenders)
