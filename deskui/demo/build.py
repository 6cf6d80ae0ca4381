"""``generate``: the demo database, built under a temporary name and renamed into place.

A failed build never leaves half a data set, and two data sets are never mixed. The rows go in
chunk by chunk (``CHUNK`` tickets per transaction), each ticket triaged by deskui's own derive
step as it would be from any other program's rows, and the clocks that stopped in the history
written against the tier the triage chose.
"""

from __future__ import annotations

import multiprocessing
import marshal
import os
import queue
import random
import shutil
import sqlite3
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from deskui import sla
from deskui.demo.codes import Stamp
from deskui.demo.plan import plan_tickets
from deskui.demo.tables import AGENTS, CHUNK
from deskui.demo.tickets import Builder
from deskui.forking import can_fork, die_with
from deskui.gcpause import no_gc
from deskui.policy import Policy, default_policy
from deskui.store import demo_rows
from deskui.store.db import connect, is_url
from deskui.store.inbox import state_counts
from deskui.timeutil import to_db


class DemoExists(Exception):
    """The target file already exists and ``force`` was not given: the caller asks the user."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path}: already exists; use --force to replace it with demo data")


@dataclass
class DemoSummary:
    path: Path
    seed: int
    tickets: int
    open_tickets: int
    messages: int
    orders: int
    customers: int
    by_state: dict[str, int]  # sla.SlaState key -> open tickets in that state at `now`
    by_tier: dict[str, int]  # tier -> open tickets
    by_channel: dict[str, int]  # channel -> all tickets
    seconds: float

    def lines(self) -> list[str]:
        states = [f"{state.glyph} {state.label} {self.by_state[state.key]:,}" for state in sla.SlaState if self.by_state.get(state.key)]
        return [
            f"Demo data in {self.path} (seed {self.seed}), built in {self.seconds:.1f} s:",
            f"  {self.tickets:,} tickets ({self.open_tickets:,} open), {self.messages:,} messages, "
            f"{self.orders:,} orders, {self.customers:,} customers",
            "  channels: " + ", ".join(f"{name} {count:,}" for name, count in self.by_channel.items()),
            "  open by tier: " + ", ".join(f"{name} {count:,}" for name, count in self.by_tier.items()),
            "  open by SLA state: " + ", ".join(states),
        ]


def generate(
    path: Path,
    *,
    seed: int = 7,
    tickets: int = 2000,
    now: datetime,
    policy: Policy | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Build a demo database of ``tickets`` tickets at ``path`` as seen at ``now``.

    ``progress(done, total)`` is called now and then; ``total`` is ``2 * tickets`` (generating
    the rows, then triaging them). Raises DemoExists if ``path`` exists and ``force`` is false;
    with ``force`` the old file is replaced only once the new one is complete.
    """
    if tickets < 1:
        raise ValueError("tickets must be at least 1")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    policy = policy or default_policy()
    started = time.perf_counter()
    report = progress or (lambda done, total: None)
    if is_url(str(path)):  # a server's database is not replaced as a file is: it must hold no tickets
        return _generate_on_server(str(path), seed, tickets, now, policy, report, started)
    path = Path(path)
    if path.exists() and not force:
        raise DemoExists(path)
    building = path.with_name(path.name + ".building")
    _remove_database(building)
    try:
        conn = connect(building, create=True)
        try:
            if _writer_fits(tickets):
                conn.close()  # the writer process opens its own: a connection never crosses a fork
                _build_with_writer(building, random.Random(seed), tickets, now, policy, report)
                conn = connect(building)
            else:
                _build(conn, random.Random(seed), tickets, now, policy, report)
            demo_rows.write_meta(conn, {"dataset": "demo", "demo_seed": str(seed), "demo_tickets": str(tickets),
                                        "generated_at": to_db(now)})
            summary = _summarise(conn, path, seed, now, policy)
            demo_rows.use_wal(conn)
        finally:
            conn.close()
        _remove_database(path)
        os.replace(building, path)
    except BaseException:
        _remove_database(building)
        raise
    summary.seconds = time.perf_counter() - started
    return summary


def _generate_on_server(url: str, seed: int, tickets: int, now: datetime, policy: Policy, report, started: float):
    from deskui.store.db import StoreError, holds_tickets, shown_target

    conn = connect(url, create=True)
    try:
        if holds_tickets(conn):
            raise StoreError(f"{shown_target(url)}: already holds tickets; the demo writes into an empty database only")
        _build(conn, random.Random(seed), tickets, now, policy, report)
        demo_rows.write_meta(conn, {"dataset": "demo", "demo_seed": str(seed), "demo_tickets": str(tickets),
                                    "generated_at": to_db(now)})
        summary = _summarise(conn, shown_target(url), seed, now, policy)
    finally:
        conn.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _build(conn: sqlite3.Connection, rng: random.Random, count: int, now: datetime, policy: Policy,
           report: Callable[[int, int], None]) -> None:
    """Chunk by chunk (``_chunks``), one write of each chunk's rows; the indexes and triggers
    back at the end."""
    # The cyclic collector paused for the build: it rescanned the millions of row tuples held
    # until each chunk is written (none forms a cycle): 4,119 young and 12 full collections at
    # 100k (gc.callbacks, 2026-12-03).
    with no_gc():
        deferred = demo_rows.begin_bulk(conn, [agent[:2] for agent in AGENTS])
        for rows, clock_rows in _chunks(rng, count, now, policy, report):
            demo_rows.insert_rows(conn, rows, clock_rows)
        demo_rows.finish_bulk(conn, deferred)


def _chunks(rng: random.Random, count: int, now: datetime, policy: Policy, report: Callable[[int, int], None]):
    """Each chunk's rows, their triage in memory (``demo_rows.triage``: what ``refresh_tickets``
    would derive from them once written) and the stopped clocks against the tier it chose, as
    (rows, clock rows). Each ticket is written once, triaged: reading 300k messages back and
    rewriting every ticket with its twelve indexes in place was half the build."""
    for rows, clocks, stamp in _raw_chunks(rng, count, now, policy, report):
        yield _finished(rows, clocks, policy, now, stamp)


def _raw_chunks(rng: random.Random, count: int, now: datetime, policy: Policy, report: Callable[[int, int], None]):
    """Each chunk's rows as generated, with the clocks that stopped in its history (not yet
    triaged: ``_finished``) and the time formatter they share."""
    now_ts = int(now.timestamp())
    builder = Builder(rng, now_ts, policy)
    plans = plan_tickets(rng, count, now_ts, policy)
    for start in range(0, count, CHUNK):
        for plan in plans[start : start + CHUNK]:
            builder.ticket(plan)
        rows = builder.take_rows()
        clocks, builder.counts.clocks = builder.counts.clocks, []
        yield rows, clocks, builder.stamp
        done = min(start + CHUNK, count)
        report(2 * done, 2 * count)


def _finished(rows: dict[str, list[tuple]], clocks: list, policy: Policy, now: datetime, stamp: Stamp):
    """One chunk's rows scrubbed and triaged, and its clock rows (``_chunks``). Depends on the
    chunk alone, so either process of a build can do it."""
    demo_rows.scrub(rows)
    derived = demo_rows.triage(policy, now, rows)
    clock_rows = list(_clock_rows(clocks, {ticket_id: values["tier"] for ticket_id, values in derived.items()},
                                  policy, stamp))
    rows["tickets"] = demo_rows.triaged_tickets(rows["tickets"], derived, _response_outcomes(clock_rows))
    return rows, clock_rows


# -- the rows written by a second process -------------------------------------------------------
# SQLite's part of a build (the inserts, their commits, the indexes and ANALYZE at the end) was a
# third of its CPU at 100k (py-spy, 2026-12-03), and a thread cannot overlap it: sqlite3 gives
# the GIL back for every row's step and waits for it again, up to a switch interval (5 ms) a
# row. So a forked process writes each chunk while this one generates and triages the next:
# every row is still made here, in the same order, and only written there (tests/test_demo.py
# compares the two ways). Each chunk goes over as a marshal file beside the database (rows are
# tuples of str, int, float and None; marshal is 2-3x faster than pickle for them: 13 + 12 ms a
# chunk against 28 + 34 ms), its name through the queue: a multiprocessing.Queue pickling 4 MB
# chunks in its feeder thread met the same GIL convoy (64 KB pipe writes, each waiting for the
# busy main thread), 52 s instead of 38 s at 100k. Below WRITER_MIN_TICKETS the fork and the
# copying cost more than they save.
WRITER_MIN_TICKETS = 10_000
WRITER_QUEUE_CHUNKS = 3  # chunk files waiting for the writer at most (~4 MB each)
WRITER_POLL_SECONDS = 1.0


def _writer_fits(count: int) -> bool:
    return count >= WRITER_MIN_TICKETS and can_fork()


def _build_with_writer(path: Path, rng: random.Random, count: int, now: datetime, policy: Policy,
                       report: Callable[[int, int], None]) -> None:
    """``_build`` with the writes in a forked process. Its failure is raised here, an SQLite
    error as the sqlite3 error it was (a full disk reads as it does without the writer)."""
    mp = multiprocessing.get_context("fork")
    chunks, results = mp.Queue(maxsize=WRITER_QUEUE_CHUNKS), mp.Queue()
    folder = Path(tempfile.mkdtemp(prefix=path.name + ".chunks-", dir=path.parent))
    writer = mp.Process(target=_writer, args=(str(path), chunks, results, os.getpid(), policy, now), daemon=True)
    writer.start()
    try:
        with no_gc():
            for number, (rows, clocks, stamp) in enumerate(_raw_chunks(rng, count, now, policy, report)):
                # Every other chunk goes over as generated and the writer triages it (_finished):
                # generating and triaging here was the longer half of the build.
                if number % 2:
                    chunk = (False, rows, clocks)
                else:
                    chunk = (True, *_finished(rows, clocks, policy, now, stamp))
                file = folder / f"{number}.marshal"
                file.write_bytes(marshal.dumps(chunk))
                _send(chunks, str(file), writer, results)
        _send(chunks, None, writer, results)
        _raise_failure(_answer(results, writer))
        writer.join()
    finally:
        if writer.is_alive():
            writer.kill()
            writer.join()
        chunks.cancel_join_thread()  # a dead writer may leave names in the queue: do not wait on it
        shutil.rmtree(folder, ignore_errors=True)


def _send(chunks, name: str | None, writer, results) -> None:
    while True:
        try:
            chunks.put(name, timeout=WRITER_POLL_SECONDS)
            return
        except queue.Full:
            if not writer.is_alive():
                _raise_failure(_answer(results, writer))
                raise RuntimeError(f"the demo's writer process stopped (exit code {writer.exitcode})") from None


def _answer(results, writer) -> tuple[str, str, str] | None:
    """None once the writer finished, else its failure as (exception name, message, traceback)."""
    while True:
        try:
            return results.get(timeout=WRITER_POLL_SECONDS)
        except queue.Empty:
            if not writer.is_alive():
                try:
                    return results.get(timeout=WRITER_POLL_SECONDS)
                except queue.Empty:
                    raise RuntimeError(f"the demo's writer process stopped (exit code {writer.exitcode})") from None


def _raise_failure(failure: tuple[str, str, str] | None) -> None:
    if failure is None:
        return
    kind, message, trace = failure
    if kind in ("OperationalError", "DatabaseError", "IntegrityError"):
        raise getattr(sqlite3, kind)(message)
    raise RuntimeError(f"the demo's writer process failed:\n{trace}")


def _writer(path: str, chunks, results, parent: int, policy: Policy, now: datetime) -> None:
    """The writer process: its own connection to the file being built, every chunk written as
    ``_build`` writes it (the ones sent as generated triaged here first), then the indexes.
    Leaves when the generating process is gone."""
    die_with(parent)
    stamp = Stamp()
    try:
        conn = connect(Path(path))
        try:
            with no_gc():
                deferred = demo_rows.begin_bulk(conn, [agent[:2] for agent in AGENTS])
                while True:
                    try:
                        name = chunks.get(timeout=WRITER_POLL_SECONDS)
                    except queue.Empty:
                        if os.getppid() != parent:
                            os._exit(1)
                        continue
                    if name is None:
                        break
                    file = Path(name)
                    finished, rows, second = marshal.loads(file.read_bytes())
                    file.unlink()
                    if finished:
                        clock_rows = second
                    else:
                        rows, clock_rows = _finished(rows, second, policy, now, stamp)
                    demo_rows.insert_rows(conn, rows, clock_rows)
                demo_rows.finish_bulk(conn, deferred)
        finally:
            conn.close()
    except BaseException as error:  # reported to the generating process, which raises it
        results.put((type(error).__name__, str(error), traceback.format_exc()))
        return
    results.put(None)


def _response_outcomes(clock_rows: list[tuple]) -> dict[int, str]:
    """Each ticket's last stopped response clock's outcome (``sync_response_outcomes``: the
    latest stop, then the last written)."""
    latest: dict[int, tuple[str, str]] = {}
    for ticket_id, kind, _, _, _, stopped, outcome, _, _ in clock_rows:
        if kind in ("first_response", "next_response") and (ticket_id not in latest or stopped >= latest[ticket_id][0]):
            latest[ticket_id] = (stopped, outcome)
    return {ticket_id: outcome for ticket_id, (_, outcome) in latest.items()}


def _clock_rows(clocks: list, tiers: dict[int, str], policy: Policy, stamp: Stamp):
    """Outcomes of the clocks that stopped in the history (for FRT and breach reports), against
    the tier the triage chose."""
    for ticket_id, kind, started, stopped, agent, channel, pauses in clocks:
        tier = policy.tier(tiers[ticket_id])
        if kind == "marketplace":
            minutes = policy.marketplace_deadline(channel)
        elif kind == "resolution":
            minutes = tier.resolution_minutes
        else:
            minutes = tier.first_response_minutes if kind == "first_response" else tier.next_response_minutes
        if not minutes:
            continue
        due = _due(started, minutes, policy.calendar_for(tier, channel) if kind != "marketplace" else None, pauses)
        margin = round((due - stopped) / 60, 1)
        yield ticket_id, kind, tier.name, stamp(started), stamp(due), stamp(stopped), "met" if margin >= 0 else "missed", margin, agent


def _due(started: int, minutes: int, calendar, pauses: tuple) -> int:
    """``started`` plus ``minutes`` of the calendar's working time, skipping pauses; the
    marketplace's clock (``calendar`` None) and 24/7 calendars without pauses are plain sums."""
    if calendar is None or (calendar.always and not pauses):
        return started + minutes * 60
    utc = timezone.utc
    due = sla.add_working_time(
        datetime.fromtimestamp(started, utc), minutes, calendar,
        [(datetime.fromtimestamp(a, utc), datetime.fromtimestamp(b, utc)) for a, b in pauses],
    )
    return int(due.timestamp())


def _summarise(conn: sqlite3.Connection, path: Path, seed: int, now: datetime, policy: Policy) -> DemoSummary:
    # The same counts the inbox header shows, so the summary and the screen agree.
    states = state_counts(conn, policy, now).by_state
    return DemoSummary(
        path=path,
        seed=seed,
        **demo_rows.summary_counts(conn),
        by_state={state.key: states[state.key] for state in sla.SlaState if states.get(state.key)},
        seconds=0.0,
    )
