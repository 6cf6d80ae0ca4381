"""The template picker on a ticket: filter as you type, the filled preview, and what picking does
to text already in the reply box (replace / insert at the cursor / cancel, the draft saved)."""

from datetime import timedelta

import pytest
from textual.widgets import Input, OptionList, TextArea

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.replies.templates import BUILTIN_DIR, load_templates, rank
from deskui.store import connect, write
from deskui.store.tickets import refresh_tickets
from deskui.timeutil import to_db
from deskui.ui.app import DeskApp
from deskui.ui.screens.template_picker import TemplateChoiceScreen, TemplatePickerScreen
from deskui.ui.screens.ticket import TicketScreen
from tests.conftest import NOW
from tests.helpers import pilot_wait_for, settle
from tests.inbox_data import build

pytestmark = pytest.mark.backends

WIDE_NAME = "王小明 🎉 Wáng"

HOSTILE_TEMPLATE = """title: Zebra [bold red]test[/] template
category: damaged
---
Hello {customer_name}, [bold red]not bold[/] [link=http://evil.example]click[/link]
Your return window ends {return_deadline}.
{agent_name}
"""


def add_wide_ticket(path) -> int:
    """A buyer with a CJK and emoji name, an order with a wide item title, a damaged parcel."""
    conn = connect(path)
    with write(conn):
        conn.execute("INSERT INTO customers (id, channel, external_id, name, email, country) VALUES "
                     "(4, 'amazon', 'A4', ?, 'wang@marketplace.amazon.com', 'CN')", (WIDE_NAME,))
        conn.execute("INSERT INTO orders (id, channel, order_number, marketplace, customer_id, purchased_at, status, "
                     "fulfillment, shipped_at, delivered_at, carrier, tracking_number, currency, total) VALUES "
                     "(4, 'amazon', '171-4444444-4444444', 'amazon.com', 4, ?, 'Delivered', 'FBA', ?, ?, 'UPS', "
                     "'1Z4444', 'USD', 42.0)",
                     (to_db(NOW - timedelta(days=5)), to_db(NOW - timedelta(days=4)), to_db(NOW - timedelta(days=1))))
        conn.execute("INSERT INTO order_items (order_id, sku, asin, title, quantity, price) VALUES "
                     "(4, 'TEA-SET', 'B0TEA00001', '茶具套装 Tea set 🍵', 1, 42.0)")
        ticket_id = conn.execute(
            "INSERT INTO tickets (channel, subject, created_at, customer_id, order_number) VALUES "
            "('amazon', 'Damaged tea set 😢 茶具坏了', ?, 4, '171-4444444-4444444')",
            (to_db(NOW - timedelta(minutes=20)),)).lastrowid
        conn.execute("INSERT INTO messages (ticket_id, direction, author, body, sent_at) VALUES "
                     "(?, 'in', 'buyer', 'My tea set arrived damaged, the box was crushed. 茶具坏了', ?)",
                     (ticket_id, to_db(NOW - timedelta(minutes=20))))
    refresh_tickets(conn, default_policy(), NOW)
    conn.close()
    return ticket_id


@pytest.fixture
def desk(db_target):
    path = db_target
    ids = build(path, NOW)
    ids["wide"] = add_wide_ticket(path)
    return path, ids


@pytest.fixture
def lead_templates(tmp_path):
    folder = tmp_path / "templates" / "en"
    folder.mkdir(parents=True)
    (folder / "zebra.txt").write_text(HOSTILE_TEMPLATE, encoding="utf-8")
    return load_templates(BUILTIN_DIR, tmp_path / "templates")


def app_for(path, templates=None):
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    if templates is not None:
        app.templates = templates  # a cached_property: the lead's folder without touching ~/.config
    return app


async def open_picker(pilot, ticket_id, *, from_box: str | None = None):
    pilot.app.push_screen(TicketScreen(ticket_id))
    await settle(pilot)
    if from_box is not None:
        await pilot.press("r", *from_box, "ctrl+t")
    else:
        await pilot.press("t")
    return await pilot_wait_for(pilot, lambda: isinstance(pilot.app.screen, TemplatePickerScreen) and pilot.app.screen,
                                what="the template picker")


async def type_filter(pilot, picker, text):
    picker.query_one(Input).value = text
    await pilot_wait_for(pilot, lambda: picker.query_one(Input).value == text)
    await settle(pilot)


def shown(picker) -> list[str]:
    return [f"{m.template.language}/{m.template.key}" for m in picker.matches]


def preview(picker) -> str:
    return str(picker.query_one("#picker-preview").render())


def draft_of(path, ticket_id):
    row = connect(path).execute("SELECT body FROM drafts WHERE ticket_id = ? AND agent = 'ana'", (ticket_id,)).fetchone()
    return row[0] if row else None


async def test_empty_filter_keeps_the_ticket_ranking_and_typing_narrows_it(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await open_picker(pilot, ids["imminent"])
        context = app.screen_stack[-2].context
        suggested, rest = rank(app.templates.templates, context.ticket["category"], context.ticket["channel"], "en")
        assert shown(picker) == [f"{t.language}/{t.key}" for t in suggested]
        assert picker.query_one(OptionList).option_count == len(suggested)
        await type_filter(pilot, picker, "refund")
        narrowed = shown(picker)
        assert 0 < len(narrowed) < len(suggested) + len(rest)
        # a title starting with the word first, then the ticket's ranking; text-only hits after
        assert narrowed[0].startswith("en/")
        titles = [m.template.title.lower() for m in picker.matches]
        assert "refund" in titles[0]
        first_body_only = next(i for i, m in enumerate(picker.matches) if m.in_body)
        assert all("refund" in t or m.template.key == "refund" for t, m in zip(titles[:first_body_only], picker.matches))
        # other languages' templates come after this language's title hits, before its text hits
        assert shown(picker).index("de/refund") > shown(picker).index("en/refund")
        assert shown(picker).index("de/refund") < first_body_only
        await pilot.press("down", "down", "up")
        assert picker.query_one(OptionList).highlighted == 1
        assert app.focused is picker.query_one(Input)  # up/down move in the list, the focus stays
        assert picker.selected() is picker.matches[1].template
        await pilot.press("tab")
        assert app.focused is picker.query_one(Input)  # nothing else takes the focus from the filter
        await type_filter(pilot, picker, "refund photo")  # every word must be found
        assert shown(picker) == ["en/damaged"]


async def test_filter_is_accent_and_case_insensitive(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await open_picker(pilot, ids["breached"])  # the buyer writes French
        await type_filter(pilot, picker, "RECLAMATION a a z")
        assert shown(picker)[0] == "fr/atoz_claim"
        await type_filter(pilot, picker, "endommage")
        assert "fr/damaged" in shown(picker)


async def test_no_match_says_so_and_enter_picks_nothing(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await open_picker(pilot, ids["imminent"])
        await type_filter(pilot, picker, "qqxyzzy")
        assert shown(picker) == []
        none = picker.query_one("#picker-none")
        assert none.display and "no template matches" in str(none.render())
        assert preview(picker) == ""
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is picker
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.editor.text == ""


async def test_preview_is_filled_for_this_ticket_with_the_agent_name(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await open_picker(pilot, ids["wide"])
        await type_filter(pilot, picker, "damaged replacement")
        assert shown(picker)[0] == "en/damaged"
        text = preview(picker)
        assert "Hello 王小明," in text and "171-4444444-4444444" in text and "茶具套装 Tea set 🍵" in text
        assert "Ana" in text and "{agent_name}" not in text
        assert "✓ every placeholder filled" in text
        # the item's title brings an emoji into the filled text: the linter says so before it goes in
        assert "⚠ Amazon's buyer-seller messaging rules forbid emojis" in text and "“🍵”" in text
        await type_filter(pilot, picker, "acknowledgement")
        assert "✓ no compliance warnings" in preview(picker)


async def test_unfilled_placeholder_is_flagged_and_markup_shown_literally(desk, lead_templates):
    path, ids = desk
    app = app_for(path, lead_templates)
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await open_picker(pilot, ids["breached"])  # shipped, never delivered: no return deadline
        await type_filter(pilot, picker, "zebra")
        assert shown(picker) == ["en/zebra"]
        text = preview(picker)
        assert "⛔ fill in: {return_deadline}" in text
        assert "[bold red]not bold[/] [link=http://evil.example]click[/link]" in text
        assert "Zebra [bold red]test[/] template" in text
        rendered = picker.query_one("#picker-preview").render()
        placeholder = text.index("ends {return_deadline}") + len("ends ")
        styles = [span for span in rendered.spans if span.start <= placeholder < span.end]
        assert styles, "the placeholder left unfilled is highlighted"
        label = str(picker.query_one(OptionList).get_option_at_index(0).prompt)
        assert "[bold red]test[/]" in label


async def test_a_hostile_buyer_name_reaches_the_preview_as_text(desk, lead_templates):
    path, ids = desk
    app = app_for(path, lead_templates)
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await open_picker(pilot, ids["hostile"])
        await type_filter(pilot, picker, "zebra")
        text = preview(picker)
        assert "\x1b" not in text and "[31m" not in text  # the escape sequence goes whole
        assert "Hello [bold red]Evil[/] Name," in text


async def test_enter_puts_the_template_in_an_empty_box_and_saves_the_draft(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await open_picker(pilot, ids["breached"])
        chosen = picker.selected()
        filled = picker.fill(chosen)[0]
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TicketScreen) and screen.mode == "reply"
        assert screen.editor.text == filled and "Claire" in filled
        assert draft_of(path, ids["breached"]) == filled


@pytest.mark.parametrize("key", ["r", "i", "escape"])
async def test_a_box_with_text_asks_replace_insert_or_cancel(desk, key):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await open_picker(pilot, ids["imminent"], from_box="Dear Jo, ")
        filled = picker.fill(picker.selected())[0]
        await pilot.press("enter")
        choice = await pilot_wait_for(pilot, lambda: isinstance(app.screen, TemplateChoiceScreen) and app.screen,
                                      what="the replace / insert question")
        assert "line 1, column 10" in str(choice.query_one("Static").render())
        await pilot.press(key)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TicketScreen)
        expected = {"r": filled, "i": "Dear Jo, " + filled, "escape": "Dear Jo, "}[key]
        assert screen.editor.text == expected
        await pilot_wait_for(pilot, lambda: draft_of(path, ids["imminent"]) == expected, what="the draft saved")
        assert app.focused is screen.editor


async def test_a_saved_draft_is_not_replaced_without_asking(desk):
    """Text left in the box (esc keeps the draft) comes back before the template: the question is asked."""
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(TicketScreen(ids["imminent"]))
        await settle(pilot)
        await pilot.press("r", *"Half an answer", "escape")
        await settle(pilot)
        assert app.screen.mode is None and draft_of(path, ids["imminent"]) == "Half an answer"
        await pilot.press("t")
        await pilot_wait_for(pilot, lambda: isinstance(app.screen, TemplatePickerScreen))
        await pilot.press("enter")
        await pilot_wait_for(pilot, lambda: isinstance(app.screen, TemplateChoiceScreen))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.editor.text == "Half an answer"
        assert draft_of(path, ids["imminent"]) == "Half an answer"


async def test_a_note_being_written_is_not_thrown_away(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(TicketScreen(ids["imminent"]))
        await settle(pilot)
        await pilot.press("n", *"carrier called", "ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.editor.text == "carrier called"
        assert any("save the note" in str(n.message) for n in app._notifications)


@pytest.mark.parametrize("key", ["i", "escape"])
async def test_a_macro_asks_too_before_its_template_touches_the_text(desk, key):
    import tomllib

    from deskui.macros import parse_macros
    from tests.test_macros import CONFIG

    path, ids = desk
    app = app_for(path)
    app.macros = parse_macros(tomllib.loads(CONFIG), CONFIG, "config.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(TicketScreen(ids["breached"]))
        await settle(pilot)
        await pilot.press("r", *"Bonjour Claire, ", "escape")  # the draft is saved, the box hidden
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("enter")  # "Damaged: replacement sent"
        await pilot_wait_for(pilot, lambda: isinstance(app.screen, TemplateChoiceScreen), what="the question")
        await pilot.press(key)
        await settle(pilot)
        screen = app.screen
        assert screen.editor.text.startswith("Bonjour Claire, ")
        if key == "i":
            assert len(screen.editor.text) > 100 and screen._macro is not None  # its actions wait for the send
            assert "once sent" in str(screen.query_one("#composer-title").render())
        else:
            assert screen.editor.text == "Bonjour Claire, " and screen._macro is None
        await pilot_wait_for(pilot, lambda: draft_of(path, ids["breached"]) == screen.editor.text, what="the draft saved")


@pytest.mark.parametrize("size, wide", [((80, 24), False), ((200, 50), True)], ids=["80x24", "200x50"])
async def test_the_preview_goes_under_the_list_or_beside_it(desk, size, wide):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=size) as pilot:
        picker = await open_picker(pilot, ids["wide"])
        listing = picker.query_one("#picker-list").region
        box = picker.query_one("#picker-preview-box").region
        assert listing.height >= 5 and box.height >= 8
        if wide:
            assert box.x >= listing.right and box.y == listing.y
        else:
            assert box.y >= listing.bottom and box.width >= 70
        assert picker.query_one("#picker-keys").region.bottom <= size[1]


# -- the look --------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_picker_snapshot_with_a_wide_buyer_name(snap_compare, tmp_path, size):
    path = tmp_path / "desk.db"
    build(path, NOW)
    ticket_id = add_wide_ticket(path)

    async def run_before(pilot):
        pilot.app.push_screen(TicketScreen(ticket_id))
        await settle(pilot)
        await pilot.press("t")
        picker = await pilot_wait_for(pilot, lambda: isinstance(pilot.app.screen, TemplatePickerScreen) and pilot.app.screen)
        picker.query_one(Input).cursor_blink = False
        await pilot.press(*"damag")
        await settle(pilot)

    assert snap_compare(app_for(path), terminal_size=size, run_before=run_before)
