"""The command palette's providers (ctrl+p), registered on the app (``DeskApp.COMMANDS``).

- ``TicketCommands``: a ticket by ``#id``, order number, the buyer's name or e-mail, or words of
  its subject (``deskui.store.find``), opened on enter. The store is read on a thread of the
  palette's own, batch by batch; a search the agent typed past is interrupted.
- ``MacroCommands``: the config's ``[[macros]]``; on a ticket one runs as ``m`` runs it, on the
  inbox on the highlighted ticket (the hit names it), elsewhere the hit says where macros work.
- ``ViewCommands``: the saved views of keys 1-9, applied on the inbox.
- ``ColumnCommands``: the inbox's column chooser (``C`` there) from any other screen.

Every name, subject, e-mail and config string is shown as ``Content`` built from plain text,
never parsed as markup (``Matcher.highlight`` parses its candidate as markup: not used here).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from deskui.store import StoreError
from deskui.store.find import FoundTicket, Interrupted, interruptible, order_numbers_for, search
from deskui.text import filter_key, filter_key_map, filter_span, one_line
from deskui.views import views_by_key

# A hit's score orders it among every provider's, and Textual's fuzzy scores grow with the typed
# text (a substring at a word start scores about 3 x (length + 1), the whole name about 8 x the
# length). An exact id or order number outranks any fuzzy match ("6" is ticket #6 before view 6);
# the other hits score as a substring match would, by kind; within a kind the store's order
# (open, newest first) holds.
EXACT = ("id", "order")
SUBSTRING_FACTOR = {"order-prefix": 1.0, "customer": 0.99, "subject": 0.98}
STEP = 0.0001


def ticket_score(kind: str, text: str, position: int) -> float:
    if kind in EXACT:
        return 8.0 * len(text) + 10.0 - position * STEP
    return 3.0 * (len(text) + 1) * SUBSTRING_FACTOR[kind] - position * STEP

def folded_matcher(provider: Provider, query: str) -> Matcher:
    """The provider's fuzzy matcher for ``query`` folded as every typed filter of the app is
    (``deskui.text.filter_key``: accents, case, "ß" as "ss"); candidates go through
    ``folded_score`` and ``plain_highlight``, which fold them the same way."""
    return provider.matcher(filter_key(query))


def folded_score(matcher: Matcher, text: str) -> float:
    return matcher.match(filter_key(text))


def plain_highlight(matcher: Matcher, text: str) -> Content:
    """``text`` as plain Content with the fuzzy-matched characters styled (what
    ``Matcher.highlight`` does, without reading ``text`` as markup). The match runs on the folded
    text (``folded_matcher``); its offsets are mapped back to ``text``."""
    content = Content(text)
    key, where = filter_key_map(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, key)
    if score:
        for offset in offsets:
            if offset < len(key) and not key[offset].isspace():
                start, end = filter_span(where, offset, offset + 1)
                content = content.stylize(matcher.match_style or "bold", start, end)
    return content


def _substring_highlight(content: Content, text: str, wanted: str, style) -> Content:
    """``wanted`` styled where it first occurs in ``text`` (case-insensitively)."""
    at = text.casefold().find(wanted.casefold()) if wanted else -1
    if at >= 0 and len(text.casefold()) == len(text):  # casefold keeps offsets (not for ß and the like)
        content = content.stylize(style, at, at + len(wanted))
    return content


class TicketCommands(Provider):
    """Tickets by id, order number, customer name or e-mail, or subject; enter opens one."""

    async def startup(self) -> None:
        # One thread owns the search connection: searches run there one after another, so a
        # stale one interrupted frees it for the next at once.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="palette-find")
        self._conn: sqlite3.Connection | None = None
        self._failed = False

    async def shutdown(self) -> None:
        executor = getattr(self, "_executor", None)
        if executor is None:
            return
        if self._conn is not None:
            executor.submit(self._conn.close)
        executor.shutdown(wait=False)

    async def _in_thread(self, function: Callable, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, partial(function, *args))

    def _open_search(self, text: str) -> Iterator[list[FoundTicket]]:
        if self._conn is None:
            self._conn = self.app.store.worker_connection()
        return search(self._conn, text)

    def _next_batch(self, batches: Iterator[list[FoundTicket]], cancelled: threading.Event) -> list[FoundTicket] | None:
        """One read of the search (in the search thread); None at its end or once cancelled."""
        if cancelled.is_set():
            return None
        try:
            with interruptible(self._conn, cancelled.is_set):
                return next(batches, None)
        except Interrupted:
            return None

    async def search(self, query: str) -> Hits:
        text = one_line(query, limit=200)
        if not text.lstrip("#").strip():
            return
        cancelled = threading.Event()
        position = 0
        try:
            batches = await self._in_thread(self._open_search, text)
            while (batch := await self._in_thread(self._next_batch, batches, cancelled)) is not None:
                for found in batch:
                    yield self._hit(found, text, position)
                    position += 1
        except (sqlite3.Error, StoreError) as error:
            if not self._failed:  # once per palette: the next key would say the same
                self._failed = True
                self.app.notify(f"Searching tickets failed: {one_line(str(error), limit=160)}",
                                title="Problem", severity="error", markup=False)
        finally:
            cancelled.set()  # typed past, palette closed, or done: no further read

    def _hit(self, found: FoundTicket, text: str, position: int) -> Hit:
        kind = found.kind
        if kind == "order" and found.order_number not in order_numbers_for(text):
            kind = "order-prefix"
        prompt = ticket_prompt(found, text.lstrip("#") if kind != "id" else "", self.match_style or "bold",
                               width=max(30, self.app.size.width - 12))
        return Hit(ticket_score(kind, text, position), prompt, partial(open_ticket, self.app, found.id),
                   text=f"#{found.id} {one_line(found.subject, limit=80)}")


def ticket_prompt(found: FoundTicket, wanted: str, match_style, *, width: int) -> Content:
    """Two lines: ``#id subject``, then order, buyer, channel, status and assignee, dim; the text
    that matched styled; each line cut to ``width`` cells with an ellipsis."""
    subject = one_line(found.subject, limit=200) or "(no subject)"
    head = Content.assemble((f"#{found.id}", "bold"), "  ")
    first = head + _substring_highlight(Content(subject), subject, wanted if found.kind == "subject" else "", match_style)
    details: list[Content] = []
    if found.order_number:
        number = one_line(found.order_number, limit=40)
        details.append(_substring_highlight(Content(f"order {number}"), f"order {number}",
                                            wanted if found.kind == "order" else "", match_style))
    buyer = one_line(found.customer_name, limit=60)
    if found.kind == "customer" and found.customer_email and wanted.casefold() not in buyer.casefold():
        buyer = f"{buyer} <{one_line(found.customer_email, limit=60)}>".strip()
    if buyer:
        details.append(_substring_highlight(Content(buyer), buyer, wanted if found.kind == "customer" else "", match_style))
    details.append(Content(f"{found.channel} · {found.status}" + (f" · {one_line(found.assignee, limit=30)}" if found.assignee else "")))
    second = Content(" · ").join(details).stylize_before("dim")
    return Content("\n").join([first.truncate(width, ellipsis=True), second.truncate(width, ellipsis=True)])


def open_ticket(app, ticket_id: int) -> None:
    """The ticket screen of ``ticket_id`` (on top of where the agent is; esc comes back)."""
    from deskui.ui.screens.ticket import TicketScreen

    if isinstance(app.screen, TicketScreen) and app.screen.ticket_id == ticket_id:
        return
    app.push_screen(TicketScreen(ticket_id))


class MacroCommands(Provider):
    """The config's macros: on a ticket, run as ``m`` runs them; on the inbox, on the highlighted
    ticket; elsewhere the hit says where they work."""

    def _commands(self) -> list[tuple[str, Callable, str]]:
        from deskui.ui.screens.inbox import InboxScreen
        from deskui.ui.screens.ticket import TicketScreen

        screen = self.screen
        commands = []
        for macro in self.app.macros:
            name = f"Macro: {one_line(macro.name, limit=60)}"
            help_text = one_line(macro.describe(), limit=120)
            if isinstance(screen, TicketScreen):
                run = partial(screen.run_macro, macro)
            elif isinstance(screen, InboxScreen) and screen.ticket_list.highlighted_id is not None:
                ticket_id = screen.ticket_list.highlighted_id
                name += f" — on #{ticket_id}"
                run = partial(run_macro_on, self.app, ticket_id, macro)
            else:
                help_text = "macros run on a ticket: open one (enter on the inbox), then ctrl+p or m"
                run = partial(self.app.notify, "Macros run on a ticket: open one first (enter on the inbox, "
                              "or find it here by #id, order, name or subject).", markup=False)
            commands.append((name, run, help_text))
        return commands

    async def discover(self) -> Hits:
        for name, run, help_text in self._commands():
            yield DiscoveryHit(Content(name), run, text=name, help=_plain_help(help_text))

    async def search(self, query: str) -> Hits:
        matcher = folded_matcher(self, query)
        for name, run, help_text in self._commands():
            if (score := folded_score(matcher, name)) > 0:
                yield Hit(score, plain_highlight(matcher, name), run, text=name, help=_plain_help(help_text))


async def run_macro_on(app, ticket_id: int, macro) -> None:
    """Open ``ticket_id`` and run ``macro`` there, once the screen has read the ticket."""
    from deskui.ui.screens.ticket import TicketScreen

    screen = TicketScreen(ticket_id)
    await app.push_screen(screen)
    screen.run_macro(macro)


class ViewCommands(Provider):
    """The saved views (built-in and ``[[views]]``) on keys 1-9, applied on the inbox."""

    def _commands(self) -> list[tuple[str, Callable, str]]:
        return [(f"View {key}: {one_line(view.name, limit=60)}", partial(show_view, self.app, key),
                 f"key {key} on the inbox") for key, view in views_by_key(self.app.views).items()]

    async def discover(self) -> Hits:
        for name, run, help_text in self._commands():
            yield DiscoveryHit(Content(name), run, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = folded_matcher(self, query)
        for name, run, help_text in self._commands():
            if (score := folded_score(matcher, name)) > 0:
                yield Hit(score, plain_highlight(matcher, name), run, text=name, help=help_text)


async def show_view(app, key: int) -> None:
    """The inbox with view ``key``: back down to the inbox under this screen, or a new one."""
    from deskui.ui.screens.inbox import InboxScreen

    if any(isinstance(screen, InboxScreen) for screen in app.screen_stack):
        while not isinstance(app.screen, InboxScreen):
            await app.pop_screen()
    else:
        await app.push_screen(InboxScreen())
    app.screen.action_view(key)


class ColumnCommands(Provider):
    """"Inbox columns": back down to the inbox and open its column chooser. On the inbox itself the
    palette already lists its binding ("Columns", key C, from the app's system commands): this
    provider stays quiet there rather than list it twice."""

    NAME = "Inbox columns: show, hide, reorder"

    def _wanted(self) -> bool:
        from deskui.ui.screens.inbox import InboxScreen

        return not isinstance(self.screen, InboxScreen)

    async def discover(self) -> Hits:
        if self._wanted():
            yield DiscoveryHit(Content(self.NAME), partial(show_columns, self.app), text=self.NAME, help="key C on the inbox")

    async def search(self, query: str) -> Hits:
        matcher = folded_matcher(self, query)
        if self._wanted() and (score := folded_score(matcher, self.NAME)) > 0:
            yield Hit(score, plain_highlight(matcher, self.NAME), partial(show_columns, self.app), text=self.NAME,
                      help="key C on the inbox")


async def show_columns(app) -> None:
    """The inbox (the one under this screen, or a new one) with its column chooser open."""
    from deskui.ui.screens.inbox import InboxScreen

    if any(isinstance(screen, InboxScreen) for screen in app.screen_stack):
        while not isinstance(app.screen, InboxScreen):
            await app.pop_screen()
    else:
        await app.push_screen(InboxScreen())
    app.screen.action_columns()


def _plain_help(text: str) -> str:
    """Help text as markup that reads as ``text`` (the palette parses help as markup)."""
    from textual.markup import escape

    return escape(text)


PALETTE_PROVIDERS = (TicketCommands, MacroCommands, ViewCommands, ColumnCommands)
