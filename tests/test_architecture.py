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


# Modules outside deskui/store/ allowed to hold SQL: none since 2026-12-02 (every statement lives in
# a store module named for its subject, which the PostgreSQL backend needs). Never add one.
SQL_OUTSIDE_STORE_ALLOWED: tuple[str, ...] = ()
SQL_CALLS = ("execute", "executemany", "executescript")


def _sql_calls(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS:
            yield node.func.attr, node.lineno


def test_sql_lives_in_the_store():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "store" or any(relative.match(pattern) for pattern in SQL_OUTSIDE_STORE_ALLOWED):
            continue
        for call, line in _sql_calls(path):
            offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}: .{call}( outside deskui/store/")
    assert not offenders, "\n".join(offenders)


def test_the_ui_is_not_on_the_sql_allow_list():
    for pattern in SQL_OUTSIDE_STORE_ALLOWED:
        assert not Path(pattern).match("ui/*") and not pattern.startswith("ui"), pattern


def test_the_checks_see_a_raw_update_and_an_upward_import(tmp_path):
    # The checks are only as good as their finders: the ticket screen's old raw UPDATE and the
    # app's old lazy import of the demo must both be caught.
    sample = tmp_path / "sample.py"
    sample.write_text('def f(conn):\n    from deskui import demo\n    conn.execute("UPDATE tickets SET assignee = NULL")\n',
                      encoding="utf-8")
    assert list(_sql_calls(sample)) == [("execute", 3)]
    assert ("deskui.demo", 2) in list(_module_imports(sample))


# Imports that run upward, by the package doing the importing: (importer, imported prefix).
UPWARD = (
    ("store", "deskui.analytics"),
    ("store", "deskui.ui"),
    # the store reaches triage only through deskui/derive.py, the one pure deriving step
    ("store", "deskui.triage"),
    ("store", "deskui.ingest"),
    ("store", "deskui.connect"),
    ("ui", "deskui.demo"),
)
# Upward imports still on main: this list only shrinks.
UPWARD_ALLOWED: set[tuple[str, str]] = set()


def _module_imports(path: Path):
    """Every module the file imports, lazy imports inside functions included; ``from deskui
    import demo`` counts as ``deskui.demo``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, node.lineno
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno


def test_no_import_runs_upward():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        for module, line in _module_imports(path):
            for importer, imported in UPWARD:
                if relative.parts[0] == importer and (module == imported or module.startswith(imported + ".")):
                    if (relative.as_posix(), imported) not in UPWARD_ALLOWED:
                        offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {importer} imports {module}")
            # nothing but the entry points imports the command line
            if (module == "deskui.cli" or module.startswith("deskui.cli.")) and relative.as_posix() not in ("cli.py", "__main__.py"):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}: imports {module}")
    assert not offenders, "\n".join(offenders)


def test_every_screen_stylesheet_is_read_by_the_app_and_no_screen_reads_its_own():
    """One way to style a screen: its ``screens/NAME.tcss`` listed in ``DeskApp.CSS_PATH`` (read
    at start), never a screen's own ``CSS_PATH`` (read when it first opens)."""
    from deskui.ui.app import DeskApp

    screens = PACKAGE / "ui" / "screens"
    listed = {Path(path).resolve() for path in DeskApp.CSS_PATH}
    assert {path.resolve() for path in screens.glob("*.tcss")} <= listed
    own = [f"{path.name}:{node.lineno}" for path in screens.glob("*.py")
           for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
           if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "CSS_PATH" for target in node.targets)]
    assert own == []


def test_launching_the_inbox_leaves_what_its_first_frame_does_not_need_unimported():
    """What the inbox's first paint does not use stays out of the launch (docs/performance.md,
    launch): dateutil's parser and zones, importlib.resources, the demo generator, analytics and
    textual-serve are imported when first needed. A fresh interpreter, as a user starts one."""
    import subprocess
    import sys

    late = ["dateutil.parser", "dateutil.tz", "importlib.resources", "deskui.demo.tickets", "deskui.analytics.health",
            "textual_serve"]
    code = ("import sys, deskui.cli, deskui.ui.app, deskui.ui.screens.inbox; from deskui.policy import default_policy; "
            f"default_policy(); print([name for name in {late!r} if name in sys.modules])")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(deskui.__file__).parents[1]).stdout.strip()
    assert loaded == "[]"
