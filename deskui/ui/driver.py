"""The terminal driver: Textual's Linux driver with an escape key that arrives when it is due.

A lone ESC byte may be the escape key or the start of an escape sequence (an arrow key, a mouse
report), so the input parser waits ``ESCDELAY`` (Textual's default 100 ms) for more before it
reports the key. Textual's ``LinuxDriver.run_input_thread`` checks that deadline only when its
``select(0.1)`` returns, so esc reached the app 100-200 ms after the key press (a median of 204 ms
in a pty, ``tests/bench/bench_search_keys.py``), against 46 ms for enter. ``DeskDriver`` runs the
same loop with one change: ``select`` waits no longer than the parser's pending deadline. And
deskui asks for 50 ms instead of 100 ms (neovim's ``ttimeoutlen``) unless ``ESCDELAY`` is set
(``deskui/ui/__init__.py``, before Textual reads it): a terminal writes a sequence in one piece,
so its bytes do not arrive that far apart.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder

from textual._loop import loop_last
from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

# Textual's own wait when no key is half-read: it also bounds how soon the loop sees exit_event.
IDLE_WAIT = 0.1


def input_wait(deadline: float | None, now: float) -> float:
    """How long ``select`` may wait for input: until the parser's deadline for a half-read
    sequence (a lone ESC) if one is pending, else the idle wait."""
    if deadline is None:
        return IDLE_WAIT
    return min(IDLE_WAIT, max(0.0, deadline - now))


class DeskDriver(LinuxDriver):
    # A copy of textual 8.2.8's LinuxDriver.run_input_thread (tests/test_driver.py holds the two
    # together): the one change is select's timeout, marked below.
    def run_input_thread(self) -> None:
        """Wait for input and dispatch events."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)

        fileno = self.fileno
        EVENT_READ = selectors.EVENT_READ

        parser = XTermParser(self._debug)
        feed = parser.feed
        tick = parser.tick

        utf8_decoder = getincrementaldecoder("utf-8")().decode
        decode = utf8_decoder
        read = os.read

        def process_selector_events(selector_events, final: bool = False) -> None:
            for last, (_selector_key, mask) in loop_last(selector_events):
                if mask & EVENT_READ:
                    unicode_data = decode(read(fileno, 1024 * 4), final=final and last)
                    if not unicode_data:
                        # This can occur if the stdin is piped
                        break
                    for event in feed(unicode_data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                # the change: wake at the parser's deadline, not up to 100 ms after it
                process_selector_events(selector.select(input_wait(parser._timeout_time, get_time())))
            selector.unregister(self.fileno)
            process_selector_events(selector.select(0.1), final=True)

        finally:
            selector.close()
            try:
                for event in feed(""):
                    pass
            except (EOFError, ParseError):
                pass
