"""Files attached to a reply: the channel's limit, kept with the draft, moved onto the reply when it
is sent, the attach screen (ctrl+f in the reply box). Sending them by SMTP is in test_connect_mail.py."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, TextArea

from deskui.clock import FixedClock
from deskui.connect.limits import MB, check_reply_attachments
from deskui.connect.reply_files import RefusedFile, ReplyFiles, complete_path
from deskui.policy import default_policy
from deskui.store import connect
from deskui.store.attachments import draft_files, files_of_message, for_ticket
from deskui.store.tickets import add_reply
from deskui.store.workspace import load_draft, save_draft
from deskui.ui.app import DeskApp
from deskui.ui.screens.attach import AttachScreen
from deskui.ui.screens.ticket import TicketScreen
from tests.conftest import NOW
from tests.inbox_data import build
from tests.helpers import settle

pytestmark = pytest.mark.backends


def test_the_limit_names_the_file_and_amazon_is_stricter():
    assert check_reply_attachments("shopify", [("invoice.pdf", "application/pdf", 2 * MB)]) == []
    assert check_reply_attachments("shopify", [("video.mp4", "video/mp4", 30 * MB)]) == [
        "video.mp4: 30 MB is over the 18 MB allowed for e-mail (mail servers refuse bigger messages); send a smaller file"]
    assert check_reply_attachments("amazon", [("a.pdf", "application/pdf", 6 * MB), ("b.jpg", "image/jpeg", 4.5 * MB)]) == [
        "b.jpg: with it the reply's files come to 10.5 MB, over the 10 MB allowed for Amazon's buyer messages; leave a file out"]
    assert check_reply_attachments("ebay", [("a.pdf", "application/pdf", 6 * MB), ("b.jpg", "image/jpeg", 4.5 * MB)]) == []
    # hostile names stay one plain line
    [line] = check_reply_attachments("amazon", [("\x1b[31mred\nname.pdf", "application/pdf", 11 * MB)])
    assert "\x1b" not in line and "\n" not in line and line.startswith("red name.pdf: 11 MB")


@pytest.fixture
def desk(db_target):
    path = db_target
    return path, build(path, NOW)


def files_for(path, ticket, channel="amazon", agent="ana"):
    return ReplyFiles(connect(path), FixedClock(NOW), ticket, agent, channel)


def test_files_stay_with_the_draft_and_go_with_the_reply_that_sends_it(desk, tmp_path):
    path, ids = desk
    (tmp_path / "invoice.pdf").write_bytes(b"%PDF-1.4 invoice")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff" + b"j" * 3000)
    files = files_for(path, ids["imminent"])
    files.add("invoice.pdf", cwd=tmp_path)
    files.add(str(tmp_path / "photo.jpg"))
    other = files_for(path, ids["imminent"], agent="ben")
    other.add("invoice.pdf", cwd=tmp_path)  # ben's own draft: not sent with ana's reply
    assert [(f.name, f.content_type, f.size) for f in files.files()] == [
        ("invoice.pdf", "application/pdf", 16), ("photo.jpg", "image/jpeg", 3003)]
    conn = connect(path)
    message = add_reply(conn, default_policy(), FixedClock(NOW), ids["imminent"], "ana", "Your invoice and a photo.",
                        draft_of="ana")
    assert files_of_message(conn, message) == [("invoice.pdf", "application/pdf", b"%PDF-1.4 invoice"),
                                                ("photo.jpg", "image/jpeg", b"\xff\xd8\xff" + b"j" * 3000)]
    assert draft_files(conn, ids["imminent"], "ana") == []
    assert [f.name for f in draft_files(conn, ids["imminent"], "ben")] == ["invoice.pdf"]
    assert [a.name for a in for_ticket(conn, ids["imminent"]) if a.message_id == message] == ["invoice.pdf", "photo.jpg"]
    # the next reply carries nothing unless files are attached again
    second = add_reply(conn, default_policy(), FixedClock(NOW), ids["imminent"], "ana", "Anything else?", draft_of="ana")
    assert files_of_message(conn, second) == []


def test_a_30_mb_file_or_one_over_the_channel_limit_is_refused_and_nothing_is_lost(desk, tmp_path):
    path, ids = desk
    big = tmp_path / "unboxing video.mp4"
    with open(big, "wb") as handle:
        handle.truncate(30 * MB)  # sparse: 30 MB to stat, never read
    (tmp_path / "manual.pdf").write_bytes(b"m" * (6 * MB))
    (tmp_path / "label.pdf").write_bytes(b"l" * (5 * MB))
    conn = connect(path)
    save_draft(conn, FixedClock(NOW), ids["imminent"], "ana", "Here is the manual.")
    files = files_for(path, ids["imminent"])
    files.add("manual.pdf", cwd=tmp_path)
    with pytest.raises(RefusedFile) as refused:
        files.add("unboxing video.mp4", cwd=tmp_path)
    assert str(refused.value) == ("unboxing video.mp4: 30 MB is over the 10 MB allowed for Amazon's buyer messages; "
                                  "send a smaller file")
    with pytest.raises(RefusedFile, match=r"^label.pdf: with it the reply's files come to 11 MB, over the 10 MB"):
        files.add("label.pdf", cwd=tmp_path)
    for given, reason in (("nope.pdf", "nope.pdf: no such file"), (".", ". is a folder: attach the files in it one by one"),
                          ("manual.pdf", "manual.pdf is attached already"), ("/dev/null", "/dev/null is not a regular file")):
        with pytest.raises(RefusedFile) as refused:
            files.add(given, cwd=tmp_path)
        assert str(refused.value) == reason
    assert [f.name for f in files.files()] == ["manual.pdf"]
    assert load_draft(conn, ids["imminent"], "ana") == "Here is the manual."
    # on Shopify the label fits (18 MB), the video still does not
    shopify = files_for(path, ids["at_risk"], channel="shopify")
    shopify.add("manual.pdf", cwd=tmp_path)
    shopify.add("label.pdf", cwd=tmp_path)
    with pytest.raises(RefusedFile, match="30 MB is over the 18 MB allowed for e-mail"):
        shopify.add("unboxing video.mp4", cwd=tmp_path)


def test_paths_complete_from_the_current_folder(tmp_path):
    (tmp_path / "invoice-1001.pdf").write_bytes(b"x")
    (tmp_path / "invoice-1002.pdf").write_bytes(b"x")
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "box.jpg").write_bytes(b"x")
    (tmp_path / ".hidden").write_bytes(b"x")
    assert complete_path("inv", tmp_path) == ["invoice-1001.pdf", "invoice-1002.pdf"]
    assert complete_path("", tmp_path) == ["invoice-1001.pdf", "invoice-1002.pdf", "photos/"]
    assert complete_path("photos/", tmp_path) == ["photos/box.jpg"]
    assert complete_path(".h", tmp_path) == [".hidden"]
    assert complete_path(f"{tmp_path}/ph", tmp_path) == [f"{tmp_path}/photos/"]
    assert complete_path("missing/x", tmp_path) == []


async def test_ctrl_f_in_the_reply_box_attaches_completes_refuses_and_removes(desk, tmp_path, monkeypatch):
    path, ids = desk
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "invoice-1001.pdf").write_bytes(b"%PDF-1.4 " + b"i" * 2000)
    with open(folder / "huge.mov", "wb") as handle:
        handle.truncate(30 * MB)
    (folder / "photo.png").write_bytes(b"\x89PNG" + b"p" * 500)
    monkeypatch.chdir(folder)  # the path box completes from the current folder
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=(140, 40)) as pilot:
        app.push_screen(TicketScreen(ids["imminent"]))
        await settle(pilot)
        ticket = app.screen
        await pilot.press("r")
        ticket.query_one(TextArea).load_text("Hello Jo, the invoice is attached.")
        await pilot.press("ctrl+f")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AttachScreen)
        assert "huge.mov  invoice-1001.pdf  photo.png" in str(dialog.query_one("#attach-matches").render())
        await pilot.press("i", "n", "v")
        await settle(pilot)
        assert dialog.query_one(Input)._suggestion == "invoice-1001.pdf"
        await pilot.press("right", "enter")  # → takes the completion
        await settle(pilot)
        dialog.query_one(Input).value = "huge.mov"
        await pilot.press("enter")
        await settle(pilot)
        reason = str(dialog.query_one("#attach-reason").render())
        assert reason == "Not attached: huge.mov: 30 MB is over the 10 MB allowed for Amazon's buyer messages; send a smaller file"
        assert dialog.query_one(Input).value == "huge.mov"  # kept, to be corrected
        dialog.query_one(Input).value = "photo.png"
        await pilot.press("enter")
        await settle(pilot)
        assert str(dialog.query_one("#attach-reason").render()) == "" and dialog.query_one(Input).value == ""
        listing = dialog.query_one(OptionList)
        assert listing.option_count == 2
        await pilot.press("tab")
        assert dialog.focused is listing
        listing.highlighted = 1
        await pilot.press("delete")  # photo.png off the reply
        await settle(pilot)
        assert listing.option_count == 1
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is ticket and ticket.query_one(TextArea).text == "Hello Jo, the invoice is attached."
        await pilot.press("ctrl+s")
        await settle(pilot)
        thread = str(ticket.query_one("#messages").render())
        assert "⎘ invoice-1001.pdf" in thread and "photo.png" not in thread
    conn = connect(path)
    message = conn.execute("SELECT message_id FROM outbox WHERE ticket_id = ? ORDER BY id DESC", (ids["imminent"],)).fetchone()[0]
    assert [(name, kind, len(data)) for name, kind, data in files_of_message(conn, message)] == [
        ("invoice-1001.pdf", "application/pdf", 2009)]
    assert draft_files(conn, ids["imminent"], "ana") == []


async def test_ctrl_f_outside_the_reply_box_says_to_open_it(desk):
    path, ids = desk
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=(140, 40)) as pilot:
        app.push_screen(TicketScreen(ids["imminent"]))
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert any("Open the reply box (r) first" in str(n.message) for n in app._notifications)
