"""Typing and replies under faults: a kill mid-typing, a second connection holding the write lock
while a reply is sent, a full disk, a read-only or damaged database. Real processes, real
SIGKILL, a real second connection, a real small tmpfs.

The typing, draft and send tests run on both backends (``desk``: a file or a URL; on PostgreSQL
the second connection's ``BEGIN IMMEDIATE`` holds the writers' advisory lock). The faults of
SQLite's own file (a full or read-only mount, a damaged file, a path) use ``sqlite_desk`` or a
tmpfs: there is no file of a PostgreSQL database for them to break."""

import fcntl
import os
import select
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import textwrap
import threading
import time
from pathlib import Path

import pytest

from deskui.store import connect
from deskui.store.db import is_readonly, is_url, shown_target, write
from deskui.store.tickets import add_reply
from deskui.store.workspace import load_draft, save_draft
from deskui.ui.busy import READ_ONLY, write_problem
from tests.conftest import NOW
from tests.inbox_data import build
from tests.test_ui_ticket import ROOT, app_for, open_ticket, settle, type_reply

TIMEOUT = 60.0  # generous: the machine may be loaded; a test waits for a condition, never a sleep


pytestmark = pytest.mark.backends


@pytest.fixture
def desk(db_path):
    """The hand-made inbox in this test's database: an SQLite file, or a PostgreSQL URL."""
    return db_path, build(db_path, NOW)


@pytest.fixture
def sqlite_desk(tmp_path):
    """The same inbox in an SQLite file, for the tests that damage or drop parts of the file."""
    path = tmp_path / "desk.db"
    return path, build(path, NOW)


def keys(text: str) -> list[str]:
    return ["space" if char == " " else char for char in text]


async def wait_for(pilot, condition, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await pilot.pause(0.05)


async def send_confirmed(pilot) -> None:
    """ctrl+s, and yes to the "send anyway?" question when the ticket raises one."""
    await pilot.press("ctrl+s")
    await settle(pilot)
    if pilot.app.screen.__class__.__name__ == "ConfirmScreen":
        await pilot.press("y")
        await settle(pilot)


def counts(path, ticket_id) -> tuple[int, int]:
    conn = connect(path)
    try:
        messages = conn.execute("SELECT count(*) FROM messages WHERE ticket_id = ? AND direction = 'out'", (ticket_id,)).fetchone()[0]
        outbox = conn.execute("SELECT count(*) FROM outbox WHERE ticket_id = ?", (ticket_id,)).fetchone()[0]
    finally:
        conn.close()
    return messages, outbox


# -- typing without a pause, then kill -9 --------------------------------------------------------
TYPIST = textwrap.dedent(
    """
    import sys, time
    import asyncio
    from deskui.clock import FixedClock
    from deskui.policy import default_policy
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.ticket import TicketScreen
    from tests.conftest import NOW

    async def main():
        app = DeskApp(sys.argv[1], policy=default_policy(), clock=FixedClock(NOW), agent="ana")
        async with app.run_test(size=(120, 40)) as pilot:
            app.push_screen(TicketScreen(int(sys.argv[2])))
            await pilot.pause()
            await pilot.press("r")
            await pilot.pause()
            typed = 0
            for word in range(100_000):  # never pauses: only the kill stops it
                for char in f"w{word} ":
                    await pilot.press("space" if char == " " else char)
                    typed += 1
                    print(typed, time.monotonic(), flush=True)

    asyncio.run(main())
    """
)


def typed_text(count: int) -> str:
    text = "".join(f"w{word} " for word in range(count))
    return text[:count]


def test_continuous_typing_is_saved_while_it_goes_on(desk):
    """A debounce saved nothing until a pause; the draft must hold what was typed up to shortly
    before the kill although the typing never paused."""
    path, ids = desk
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", TYPIST, str(path), str(ids["at_risk"])],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    progress: list[tuple[int, float]] = []  # (characters typed, the typist's own clock)
    try:
        deadline = time.monotonic() + TIMEOUT
        while not progress or progress[-1][1] - progress[0][1] < 4.0:  # 4 s of typing, by its clock
            assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read() if proc.poll() is not None else "slow"
            count, at = proc.stdout.readline().split()
            progress.append((int(count), float(at)))
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    draft = load_draft(connect(path), ids["at_risk"], "ana")
    last_at = progress[-1][1]
    # Everything typed 1.5 s before the last key the typist reported (the promise is 0.8 s; the
    # rest is slack for a loaded machine): a condition on the text, measured by the typist's clock.
    due = max(count for count, at in progress if at <= last_at - 1.5)
    assert typed_text(progress[-1][0]).startswith(draft), "the draft is not what was typed"
    assert len(draft) >= due, f"{len(draft)} characters saved of {due} typed 1.5 s before the kill"


async def test_leaving_the_box_saves_the_draft_at_once(desk, monkeypatch):
    from deskui.ui.screens import ticket_reply as ticket_screen  # the reply box reads the draft timing

    path, ids = desk
    monkeypatch.setattr(ticket_screen, "DRAFT_SAVE_WITHIN", 3600.0)  # only leaving can have saved it
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_ticket(pilot, ids["at_risk"])
        await pilot.press("r", *keys("half an answer"))
        await pilot.press("tab")  # focus leaves the box
        await settle(pilot)
        assert load_draft(screen.conn, ids["at_risk"], "ana") == "half an answer"
        await pilot.press("r", *keys(" and more"))
        await pilot.press("t")  # typed into the box: a letter is text here, not the templates key
        screen.editor.blur()
        await settle(pilot)
        assert load_draft(screen.conn, ids["at_risk"], "ana") == "half an answer and moret"


# -- sending while another connection holds the write lock -------------------------------------
def other_writer(path):
    """A second connection of deskui's own to the database: its ``BEGIN IMMEDIATE`` takes the
    file's write lock on SQLite, the writers' advisory lock on PostgreSQL."""
    return connect(path)


def hold_write_lock(path, release: threading.Event, holding: threading.Event) -> None:
    other = other_writer(path)
    other.execute("BEGIN IMMEDIATE")
    holding.set()
    release.wait(TIMEOUT)
    other.execute("COMMIT")
    other.close()


async def test_send_waits_for_a_held_lock_and_sends_once(desk):
    path, ids = desk
    ticket = ids["imminent"]
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_ticket(pilot, ticket)
        await type_reply(pilot, "Hello Claire, a replacement ships today.")
        release, holding = threading.Event(), threading.Event()
        holder = threading.Thread(target=hold_write_lock, args=(path, release, holding))
        holder.start()
        holding.wait(TIMEOUT)
        threading.Timer(1.0, release.set).start()  # within the app's 10 s busy timeout: it waits
        await pilot.press("ctrl+s")
        await settle(pilot)
        holder.join(TIMEOUT)
        assert screen.editor.text == ""
        await pilot.press("r")
        await pilot.press("ctrl+s")  # the box is empty: nothing is sent again
        await settle(pilot)
    assert counts(path, ticket) == (1, 1)
    assert load_draft(connect(path), ticket, "ana") == ""


async def test_send_that_times_out_keeps_the_text_and_sends_once_later(desk, monkeypatch):
    path, ids = desk
    ticket = ids["imminent"]
    monkeypatch.setenv("DESKUI_BUSY_TIMEOUT_MS", "300")
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_ticket(pilot, ticket)
        await type_reply(pilot, "Hello Claire, a replacement ships today.")
        other = other_writer(path)
        other.execute("BEGIN IMMEDIATE")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("busy" in str(n.message).lower() for n in app._notifications)
        assert screen.editor.text == "Hello Claire, a replacement ships today."
        assert counts(path, ticket) == (0, 0)
        other.execute("COMMIT")
        other.close()
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert counts(path, ticket) == (1, 1)
    assert load_draft(connect(path), ticket, "ana") == ""


def hold_after_reply(conn, act) -> None:
    """The connection calls the trace as each statement of the app's connection starts (SQLite's
    own, or the PostgreSQL adapter's with the store's text): at the first
    transaction after the reply's outbox row, ``act`` runs (another connection takes the write
    lock, or the process is killed), the worst moment there is."""
    seen = {"outbox": False, "done": False}

    def trace(statement: str) -> None:
        if statement.startswith("INSERT INTO outbox"):
            seen["outbox"] = True
        elif seen["outbox"] and not seen["done"] and statement.startswith("BEGIN"):
            seen["done"] = True
            act()

    conn.set_trace_callback(trace)


async def test_a_lock_taken_right_after_the_reply_commits_does_not_send_it_twice(desk, monkeypatch):
    """The reply and its draft's deletion were two commits: a lock taken between them left the
    sent text in the box, and ctrl+s sent it again."""
    path, ids = desk
    ticket = ids["imminent"]
    monkeypatch.setenv("DESKUI_BUSY_TIMEOUT_MS", "300")
    app = app_for(path)
    other = other_writer(path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_ticket(pilot, ticket)
        await type_reply(pilot, "Hello Claire, a replacement ships today.")
        hold_after_reply(screen.conn, lambda: other.execute("BEGIN IMMEDIATE"))
        await send_confirmed(pilot)
        assert other.in_transaction, "the lock was never taken: the test did not test anything"
        other.execute("COMMIT")
        screen.conn.set_trace_callback(None)
        await send_confirmed(pilot)
        await send_confirmed(pilot)
    assert counts(path, ticket) == (1, 1)
    assert load_draft(connect(path), ticket, "ana") == ""


KILLED_AFTER_REPLY = textwrap.dedent(
    """
    import os, signal, sys, asyncio
    from deskui.clock import FixedClock
    from deskui.policy import default_policy
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.ticket import TicketScreen
    from tests.conftest import NOW
    from tests.test_faults_typing import hold_after_reply, send_confirmed

    async def main():
        app = DeskApp(sys.argv[1], policy=default_policy(), clock=FixedClock(NOW), agent="ana")
        async with app.run_test(size=(120, 40)) as pilot:
            screen = TicketScreen(int(sys.argv[2]))
            app.push_screen(screen)
            await pilot.pause()
            await pilot.press("r")
            screen.editor.load_text("Hello Claire, a replacement ships today.")
            await pilot.pause(1.5)  # the draft is saved
            hold_after_reply(screen.conn, lambda: os.kill(os.getpid(), signal.SIGKILL))
            await send_confirmed(pilot)

    asyncio.run(main())
    """
)


def test_a_kill_right_after_the_reply_commits_brings_no_draft_back(desk):
    path, ids = desk
    ticket = ids["imminent"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", KILLED_AFTER_REPLY, str(path), str(ticket)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=TIMEOUT)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert counts(path, ticket) == (1, 1)
    assert load_draft(connect(path), ticket, "ana") == ""


# -- the store: one transaction, a key against repeats --------------------------------------------
@pytest.mark.parametrize("name,auto_ack", [("imminent", False), ("imminent", True), ("paused", False), ("breached", False)])
def test_a_draft_never_survives_its_own_send(desk, clock, policy, name, auto_ack):
    path, ids = desk
    conn = connect(path)
    ticket = ids[name]
    save_draft(conn, clock, ticket, "ana", "Bonjour Claire,")
    save_draft(conn, clock, ticket, "ben", "Ben's own draft")
    add_reply(conn, policy, clock, ticket, "ana", "Bonjour Claire,", auto_ack=auto_ack, draft_of="ana", send_key="k1")
    assert load_draft(conn, ticket, "ana") == ""
    assert load_draft(conn, ticket, "ben") == "Ben's own draft"
    assert counts(path, ticket) == (1, 1)


def refuse_outbox_rows(conn) -> None:
    """A real failure half-way through the send's transaction: the outbox refuses the row, as a
    constraint would (SQLite: a temporary trigger; PostgreSQL: a trigger raising an integrity error)."""
    if getattr(conn, "backend", "sqlite") == "postgresql":
        conn.raw.execute("CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                         "RAISE EXCEPTION 'outbox refused' USING ERRCODE = 'integrity_constraint_violation'; END $$")
        conn.raw.execute("CREATE TRIGGER refuse BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_outbox()")
    else:
        conn.execute("CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END")


def test_a_failed_send_sends_nothing_and_keeps_the_draft(desk, clock, policy):
    path, ids = desk
    conn = connect(path)
    ticket = ids["imminent"]
    save_draft(conn, clock, ticket, "ana", "Bonjour Claire,")
    events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    refuse_outbox_rows(conn)
    with pytest.raises(sqlite3.IntegrityError):
        add_reply(conn, policy, clock, ticket, "ana", "Bonjour Claire,", draft_of="ana", send_key="k1")
    assert counts(path, ticket) == (0, 0)
    assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == events
    assert load_draft(conn, ticket, "ana") == "Bonjour Claire,"


def test_a_send_blocked_by_another_writer_keeps_the_draft(desk, clock, policy):
    path, ids = desk
    conn = connect(path)
    conn.execute("PRAGMA busy_timeout = 200")
    ticket = ids["imminent"]
    save_draft(conn, clock, ticket, "ana", "Bonjour Claire,")
    other = other_writer(path)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError):
        add_reply(conn, policy, clock, ticket, "ana", "Bonjour Claire,", draft_of="ana", send_key="k1")
    other.execute("COMMIT")
    assert load_draft(conn, ticket, "ana") == "Bonjour Claire,"
    add_reply(conn, policy, clock, ticket, "ana", "Bonjour Claire,", draft_of="ana", send_key="k1")
    assert load_draft(conn, ticket, "ana") == ""
    assert counts(path, ticket) == (1, 1)


def test_the_same_send_key_sends_once(desk, clock, policy):
    path, ids = desk
    conn = connect(path)
    ticket = ids["imminent"]
    first = add_reply(conn, policy, clock, ticket, "ana", "Bonjour", draft_of="ana", send_key="k1")
    save_draft(conn, clock, ticket, "ana", "Bonjour")  # as a stale screen would, before pressing send again
    assert add_reply(conn, policy, clock, ticket, "ana", "Bonjour", draft_of="ana", send_key="k1") == first
    assert load_draft(conn, ticket, "ana") == ""
    assert counts(path, ticket) == (1, 1)
    assert add_reply(conn, policy, clock, ticket, "ana", "Bonjour", send_key="k2") != first
    assert counts(path, ticket) == (2, 2)


# -- a full disk ----------------------------------------------------------------------------------
@pytest.fixture
def tmpfs(tmp_path):
    """A real 8 MB tmpfs (needs root and a kernel that lets us mount): skipped, even under CI,
    where mounting is not allowed."""
    where = tmp_path / "mnt"
    where.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(where)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip() or 'mount failed'} (needs root with mount allowed)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> Path:
    """Fill the file system to the last byte, for real."""
    filler = folder / "filler"
    handle = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (1 << 20, 4096, 1):
            try:
                while True:
                    os.write(handle, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(handle)
    return filler


async def test_full_disk_keeps_the_text_says_so_and_saves_when_there_is_room(tmpfs):
    path = tmpfs / "desk.db"
    ids = build(path, NOW)
    ticket = ids["at_risk"]
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_ticket(pilot, ticket)
        await pilot.press("r")
        filler = fill(tmpfs)
        await pilot.press(*keys("Hello Claire the refund is on its way"))
        await wait_for(pilot, lambda: "disk is full" in str(screen.draft_state.render()), "the disk-full line")
        assert screen.draft_state.display
        await send_confirmed(pilot)  # sending cannot work either: said, and the text stays
        assert any("disk is full" in str(n.message) for n in app._notifications)
        assert screen.editor.text == "Hello Claire the refund is on its way"
        filler.unlink()
        await wait_for(pilot, lambda: load_draft(screen.conn, ticket, "ana") == "Hello Claire the refund is on its way",
                       "the draft written once there is room")
        await wait_for(pilot, lambda: not screen.draft_state.display, "the line gone")
        await send_confirmed(pilot)
    assert counts(path, ticket) == (1, 1)


# -- read-only and damaged databases ---------------------------------------------------------------
def remount_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True, capture_output=True)


def test_a_read_only_mount_opens_read_only(tmpfs):
    path = tmpfs / "desk.db"
    ids = build(path, NOW)
    remount_read_only(tmpfs)
    conn = connect(path)
    assert is_readonly(conn)
    assert conn.execute("SELECT subject FROM tickets WHERE id = ?", (ids["at_risk"],)).fetchone()[0]
    with pytest.raises(sqlite3.OperationalError) as error:
        with write(conn):
            conn.execute("DELETE FROM drafts")
    assert write_problem(error.value) == READ_ONLY


def test_a_read_only_file_in_a_writable_folder_opens_read_only(tmp_path):
    path = tmp_path / "desk.db"
    ids = build(path, NOW)
    bound = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True, text=True)
    if bound.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {bound.stderr.strip()} (needs root with mount allowed)")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True, capture_output=True)
        conn = connect(path)
        assert is_readonly(conn)
        assert conn.execute("SELECT count(*) FROM tickets WHERE id = ?", (ids["at_risk"],)).fetchone()[0] == 1
        with pytest.raises(sqlite3.OperationalError):
            save_draft(conn, __import__("deskui.clock", fromlist=["FixedClock"]).FixedClock(NOW), ids["at_risk"], "ana", "x")
        conn.close()
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


async def test_a_read_only_database_opens_tickets_and_refuses_writes_in_one_line(tmpfs):
    path = tmpfs / "desk.db"
    ids = build(path, NOW)
    remount_read_only(tmpfs)
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert any("read-only" in str(n.message) for n in app._notifications)
        screen = await open_ticket(pilot, ids["imminent"])
        await type_reply(pilot, "Hello Claire, a replacement ships today.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any(str(n.message) == READ_ONLY for n in app._notifications)
        assert screen.editor.text == "Hello Claire, a replacement ships today."
        await pilot.press("escape", "escape", "escape", "escape")  # leaving twice past the unsaved warning
        await settle(pilot)
        assert app.screen.__class__.__name__ == "InboxScreen"


def run_in_terminal(args: list[str], steps: list[tuple[bytes, bytes]] = (), python_args: bool = False) -> tuple[int, str]:
    """``deskui ARGS`` (or ``python ARGS``) in a real pseudo-terminal; each step types its keys
    once its text was shown."""
    steps = list(steps)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 110, 0, 0))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    command = [sys.executable, *args] if python_args else [sys.executable, "-m", "deskui", *args]
    proc = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave,
                            env=env, cwd=ROOT, start_new_session=True)
    os.close(slave)
    output = b""
    deadline = time.monotonic() + TIMEOUT
    try:
        while True:
            assert time.monotonic() < deadline, f"deskui {args} did not finish: {output[-500:]!r}"
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the process closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
                if steps and steps[0][0] in output:
                    os.write(master, steps.pop(0)[1])
                    output = b""  # the next step waits for text drawn after these keys
            elif proc.poll() is not None:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        os.close(master)
    return proc.returncode, output.decode("utf-8", errors="replace")


def damage_the_tickets_table(path: Path) -> None:
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'tickets'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)


def test_a_database_damaged_inside_ends_the_app_with_one_line_and_non_zero(sqlite_desk):
    path, _ = sqlite_desk
    damage_the_tickets_table(path)
    code, output = run_in_terminal(["inbox", str(path)])
    assert code != 0
    assert "Traceback" not in output
    assert f"deskui: {path}: damaged" in output


@pytest.mark.parametrize("damage", ["cut", "empty", "garbage"])
def test_a_damaged_file_is_one_line_naming_it(sqlite_desk, damage):
    path, _ = sqlite_desk
    data = path.read_bytes()
    path.write_bytes({"cut": data[: len(data) // 3], "empty": b"", "garbage": os.urandom(5000)}[damage])
    result = subprocess.run([sys.executable, "-m", "deskui", "inbox", str(path)], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, timeout=TIMEOUT)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0], result.stderr
    assert result.stdout == ""


def test_a_read_only_database_in_a_terminal_opens_a_ticket_and_quits_cleanly(tmpfs):
    path = tmpfs / "desk.db"
    build(path, NOW)
    remount_read_only(tmpfs)
    # enter opens the highlighted ticket (its opening wrote an event and crashed), ctrl+q quits
    code, output = run_in_terminal(["inbox", str(path)], [(b"read-only", b"\r"), (b"Templates", b"\x11")])
    assert "Traceback" not in output
    assert code == 0, output[-2000:]


def drop_table(target, table: str) -> None:
    """Another program (sqlite3, psql) drops one of deskui's tables."""
    if is_url(str(target)):
        import psycopg

        with psycopg.connect(str(target), autocommit=True) as raw:
            raw.execute(f"DROP TABLE {table}")
        return
    raw = sqlite3.connect(target)
    raw.execute(f"DROP TABLE {table}")
    raw.close()


def test_a_table_dropped_by_another_program_ends_the_app_with_one_line(desk):
    path, _ = desk
    drop_table(path, "drafts")  # read when a ticket opens
    code, output = run_in_terminal(["inbox", str(path)], [(b"Search", b"\r")])
    assert code != 0
    assert "Traceback" not in output
    missing = 'relation "drafts" does not exist' if is_url(str(path)) else "no such table: drafts"
    assert f"deskui: {shown_target(path)}: its tables were changed by another program ({missing})" in output


CRASHING = textwrap.dedent(
    """
    import sys
    from deskui.cli import main
    from deskui.ui.screens.inbox import InboxScreen

    def planted_bug(self):
        raise RuntimeError("a bug planted by the test")

    InboxScreen.on_mount = planted_bug
    sys.exit(main(["inbox", sys.argv[1]]))
    """
)


def test_every_crash_exits_non_zero(desk):
    path, _ = desk
    code, output = run_in_terminal(["-c", CRASHING, str(path)], python_args=True)
    assert "a bug planted by the test" in output
    assert code != 0


def test_a_full_disk_in_the_middle_of_a_write_rolls_back_and_leaves_no_transaction_open(tmpfs):
    path = tmpfs / "desk.db"
    build(path, NOW)
    conn = connect(path)
    filler = fill(tmpfs)
    with pytest.raises(sqlite3.OperationalError, match="full"):  # not "cannot rollback": the real cause
        with write(conn):
            conn.execute("INSERT INTO tags (ticket_id, tag) VALUES (1, 'kept?')")
            conn.execute("UPDATE messages SET body = body || ?", ("x" * 100_000,))
    assert not conn.in_transaction
    filler.unlink()
    with write(conn):
        conn.execute("INSERT INTO tags (ticket_id, tag) VALUES (1, 'after')")
    assert [r[0] for r in conn.execute("SELECT tag FROM tags WHERE ticket_id = 1 AND tag IN ('kept?', 'after')")] == ["after"]


def test_a_path_with_uri_characters_opens(tmp_path):
    folder = tmp_path / "shop #1 ?50% off"
    folder.mkdir()
    path = folder / "desk?.db"
    connect(path, create=True).close()
    conn = connect(path)
    assert not is_readonly(conn)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert (folder / "desk?.db").exists() and len(list(folder.iterdir())) >= 1
