"""Bulk reply: placeholders filled and the linter run per ticket, the blocked ones listed before
anything is sent, the passing ones queued in one transaction, a ticket replied to meanwhile skipped."""

import io

import pytest
from rich.console import Console

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.replies.bulk import plan_bulk_reply
from deskui.store import connect, write
from deskui.store.bulk_replies import reply_targets, send_bulk_replies
from deskui.store.tickets import add_reply, refresh_tickets
from deskui.ui.app import DeskApp
from deskui.ui.screens.bulk_reply import BulkReplyScreen
from deskui.ui.screens.dialogs import PromptScreen
from deskui.ui.screens.template_picker import TYPED, TemplatePickerScreen
from deskui.ui.widgets.ticket_list import TicketList
from tests.conftest import NOW
from tests.helpers import add_ticket, ago
from tests.helpers import pilot_wait_for, settle

pytestmark = pytest.mark.backends

LINKED = "Hello {customer_first_name}, your order {order_id} is on its way: track it at www.myshop.example/track"
CUSTOMERS = [("amazon", "Claire Dubois", "171-5550123-1234567"), ("shopify", "山田 太郎 🎌", "#1042"),
             ("shopify", "Josh Miller", "#1043")]


def build(path, now=NOW):
    """Three tickets: an Amazon one (no external links there) and two on the seller's own store."""
    conn = connect(path, create=True)
    ids = []
    for number, (channel, name, order) in enumerate(CUSTOMERS):
        with write(conn):
            customer = conn.execute("INSERT INTO customers (channel, external_id, name, email) VALUES (?, ?, ?, ?)",
                                    (channel, f"c{number}", name, f"buyer{number}@example.com")).lastrowid
        ids.append(add_ticket(conn, channel=channel, subject=f"Where is my order {order}?", body="Where is my parcel?",
                              sent_at=ago(now, minutes=30 + number), order_number=order, customer_id=customer))
    refresh_tickets(conn, default_policy(), now)
    conn.close()
    return ids


def out_messages(conn, ticket_id):
    return conn.execute("SELECT count(*) FROM messages m JOIN outbox o ON o.message_id = m.id "
                        "WHERE m.ticket_id = ? AND m.direction = 'out'", (ticket_id,)).fetchone()[0]


def test_the_plan_fills_each_ticket_and_blocks_the_amazon_link(db_target):
    ids = build(db_target)
    conn = connect(db_target)
    plan = plan_bulk_reply(LINKED, reply_targets(conn, ids), agent="ana")
    assert [reply.ticket_id for reply in plan.passing] == ids[1:]
    [blocked] = plan.blocked
    assert blocked.ticket_id == ids[0] and blocked.customer == "Claire Dubois"
    assert "external links" in blocked.blocks[0]
    filled = {reply.ticket_id: reply.text for reply in plan.replies}
    assert filled[ids[1]].startswith("Hello 山田, your order #1042 is on its way")
    assert filled[ids[2]].startswith("Hello Josh, your order #1043")
    assert plan.summary() == "2 of 3 pass, 1 blocked"


def test_an_unfilled_placeholder_blocks_and_an_empty_text_blocks_all(db_target):
    ids = build(db_target)
    conn = connect(db_target)
    targets = reply_targets(conn, ids)
    plan = plan_bulk_reply("Your parcel goes with {carrier}.", targets, agent="ana")
    assert not plan.passing and all(reply.blocks == ("no value for {carrier}",) for reply in plan.replies)
    assert [reply.blocks for reply in plan_bulk_reply("  ", targets, agent="ana").replies] == [("the reply is empty",)] * 3


def test_sending_queues_the_passing_ones_in_one_transaction_and_skips_one_replied_meanwhile(db_target):
    path = db_target
    ids = build(path)
    conn, other = connect(path), connect(path)
    policy, clock = default_policy(), FixedClock(NOW)
    targets = reply_targets(conn, ids)
    plan = plan_bulk_reply("Hello {customer_first_name}, a replacement is on its way.", targets, agent="ana")
    add_reply(other, policy, clock, ids[2], "ben", "I sent a new one today.")  # after the plan was read
    statements = []
    conn.set_trace_callback(statements.append)
    by_id = {target.ticket_id: target for target in targets}
    sent = send_bulk_replies(conn, policy, clock, "ana", "k1", [(by_id[r.ticket_id], r.text) for r in plan.passing])
    conn.set_trace_callback(None)
    assert sum(1 for sql in statements if sql.startswith("BEGIN")) == 1
    assert sent.sent == ids[:2] and sent.skipped == {ids[2]: "replied meanwhile by ben"}
    assert [out_messages(conn, ticket_id) for ticket_id in ids] == [1, 1, 1]  # ben's own on the third
    row = conn.execute("SELECT to_address, subject, body FROM outbox WHERE ticket_id = ?", (ids[1],)).fetchone()
    assert tuple(row) == ("buyer1@example.com", "Re: Where is my order #1042?", "Hello 山田, a replacement is on its way.")
    assert conn.execute("SELECT first_response_at FROM tickets WHERE id = ?", (ids[0],)).fetchone()[0] is not None


# -- the screen ---------------------------------------------------------------------


def make_app(path):
    return DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")


async def open_picker(pilot, ids) -> TemplatePickerScreen:
    """Mark the tickets and press R: the template picker."""
    await settle(pilot)
    pilot.app.screen.query_one(TicketList).set_marks(set(ids))
    await pilot.press("R")
    return await pilot_wait_for(pilot, lambda: isinstance(pilot.app.screen, TemplatePickerScreen) and pilot.app.screen,
                                what="the template picker")


async def open_plan(pilot, ids, text=LINKED):
    """Mark the three tickets, R, type the reply: the plan screen."""
    picker = await open_picker(pilot, ids)
    for _ in range(len(picker.matches)):
        await pilot.press("down")  # past the templates: "Type a reply instead…" is last
    assert picker.choice() == TYPED
    await pilot.press("enter")
    await pilot_wait_for(pilot, lambda: isinstance(pilot.app.screen, PromptScreen), what="the reply prompt")
    pilot.app.screen.query_one("Input").value = text
    await pilot.press("enter")
    for _ in range(50):
        if isinstance(pilot.app.screen, BulkReplyScreen):
            break
        await pilot.pause()
    assert isinstance(pilot.app.screen, BulkReplyScreen)


def plain(renderable, width=140):
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def test_pilot_bulk_reply_lists_the_blocked_ticket_then_sends_to_the_two_others(db_target):
    path = db_target
    ids = build(path)
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_plan(pilot, ids)
        screen = app.screen
        assert "2 pass" in screen.summary_shown.plain and "1 blocked" in screen.summary_shown.plain
        text = plain(screen.rows_shown)
        assert f"#{ids[0]}" in text and "Claire Dubois" in text and "external links" in text
        assert f"#{ids[1]}" not in text  # passing without a warning: counted, not listed
        conn = connect(path)
        assert [out_messages(conn, ticket_id) for ticket_id in ids] == [0, 0, 0]  # nothing sent yet
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "2 replies queued" in screen.summary_shown.plain
        assert [out_messages(conn, ticket_id) for ticket_id in ids] == [0, 1, 1]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, BulkReplyScreen)
        assert not app.screen.query_one(TicketList).marked


async def test_pilot_cancel_sends_nothing(db_target):
    path = db_target
    ids = build(path)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(pilot, ids)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, BulkReplyScreen)
    conn = connect(path)
    assert [out_messages(conn, ticket_id) for ticket_id in ids] == [0, 0, 0]


async def test_pilot_bulk_reply_picks_a_template_by_filter_with_a_preview_for_the_first_ticket(db_target):
    """R opens the filtering picker (not a plain list): typing filters, the preview is the template
    filled and linted for the first marked ticket, enter goes on to the plan, filled per ticket."""
    path = db_target
    ids = build(path)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        picker = await open_picker(pilot, ids)
        everything = len(picker.matches)
        await pilot.press(*"where is")
        await pilot_wait_for(pilot, lambda: 0 < len(picker.matches) < everything, what="the list filtered")
        chosen = picker.selected()
        assert chosen is not None and chosen.key == "where_is_my_order" and chosen.language == "en"
        preview = str(picker.query_one("#picker-preview").render())
        assert "Claire" in preview and "171-5550123-1234567" in preview  # the first marked ticket's own values
        await pilot.press("enter")
        plan_screen = await pilot_wait_for(pilot, lambda: isinstance(app.screen, BulkReplyScreen) and app.screen,
                                           what="the plan")
        assert plan_screen.plan.source == chosen.body
        texts = {reply.ticket_id: reply.text for reply in plan_screen.plan.replies}
        assert "Claire" in texts[ids[0]] and "Josh" in texts[ids[2]]  # filled per ticket, as before
        conn = connect(path)
        assert [out_messages(conn, ticket_id) for ticket_id in ids] == [0, 0, 0]  # nothing sent before ctrl+s


async def test_pilot_bulk_reply_typed_when_no_template_matches(db_target):
    """A filter that matches no template leaves the typed reply highlighted: enter asks for it."""
    path = db_target
    ids = build(path)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        picker = await open_picker(pilot, ids)
        await pilot.press(*"qqqzz")
        await pilot_wait_for(pilot, lambda: not picker.matches, what="no template left")
        assert picker.choice() == TYPED
        await pilot.press("enter")
        await pilot_wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), what="the reply prompt")
        app.screen.query_one("Input").value = "Hello {customer_first_name}, it left today."
        await pilot.press("enter")
        plan_screen = await pilot_wait_for(pilot, lambda: isinstance(app.screen, BulkReplyScreen) and app.screen)
        assert [reply.text.split(",")[0] for reply in plan_screen.plan.replies] == ["Hello Claire", "Hello 山田", "Hello Josh"]


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_bulk_reply_plan_snapshot(snap_compare, tmp_path, size):
    path = tmp_path / "desk.db"
    ids = build(path)
    # the CJK name among the blocked rows: its ticket is Amazon too, so the link blocks it
    conn = connect(path)
    with write(conn):
        conn.execute("UPDATE tickets SET channel = 'amazon' WHERE id = ?", (ids[1],))
    refresh_tickets(conn, default_policy(), NOW, [ids[1]])
    conn.close()

    async def run_before(pilot):
        await open_plan(pilot, ids)
        await pilot.pause()

    assert snap_compare(make_app(path), terminal_size=size, run_before=run_before)
