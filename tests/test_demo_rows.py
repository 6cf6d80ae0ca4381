"""The demo package's seams: its texts as data files, a light ``__init__``, and the triage it
does in memory (``deskui/store/demo_rows.py``) giving exactly what ``refresh_tickets`` gives."""

import string
import subprocess
import sys

import pytest

from deskui.demo.texts import LANGUAGES, _read, texts
from deskui.demo import generate
from deskui.store import connect
from deskui.store.tickets import refresh_tickets, sync_response_outcomes
from tests.conftest import NOW


pytestmark = pytest.mark.backends


def _rows(target, table):
    conn = connect(target)
    try:
        return [tuple(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY id")]
    finally:
        conn.close()


def test_triage_in_memory_is_what_refresh_derives(db_factory):
    with db_factory() as target:
        generate(target, seed=5, tickets=400, now=NOW)
        built = _rows(target, "tickets")
        conn = connect(target)
        conn.execute("UPDATE tickets SET needs_triage = 1, tier = NULL, tier_rank = NULL, category = NULL, evidence = NULL, "
                     "due_at = NULL, sla_due_at = NULL, response_outcome = NULL, first_response_at = NULL")
        conn.commit()
        assert refresh_tickets(conn, connect_policy(), NOW) == 400
        sync_response_outcomes(conn)
        conn.close()
        assert _rows(target, "tickets") == built


def connect_policy():
    from deskui.policy import default_policy

    return default_policy()


def test_every_language_file_has_what_the_english_one_has():
    english = _read("en")
    for lang in LANGUAGES:
        found = _read(lang)
        assert set(found) == set(english), lang
        for key in ("buyer", "subjects", "replies"):
            assert set(found[key]) == set(english[key]), (lang, key)
            assert all(found[key].values()), (lang, key)
    loaded = texts()
    assert loaded.subjects["atoz_threat"] is loaded.subjects["not_received"]
    assert set(loaded.feedback) == {1, 2, 3, 4, 5}


def test_placeholders_are_ones_the_generator_fills():
    known = {"order", "item", "carrier", "tracking", "days", "hours", "subject", "user"}
    loaded = texts()
    templates = [t for topic in (loaded.buyer, loaded.subjects, loaded.replies) for by_lang in topic.values()
                 for lines in by_lang.values() for t in lines]
    templates += [t for lines in loaded.follow_ups.values() for t in lines] + list(loaded.notes)
    templates += list(loaded.subject_frames.values())
    for template in templates:
        names = {field for _, field, _, _ in string.Formatter().parse(template) if field}
        assert names <= known, template


def test_importing_the_package_builds_nothing():
    code = ("import sys, deskui.demo; loaded = [m for m in sys.modules if m.startswith('deskui.demo.')]; "
            "print(loaded); assert not loaded; from deskui.demo import generate, demo_alert_rules, PRODUCTS")
    subprocess.run([sys.executable, "-c", code], check=True)
