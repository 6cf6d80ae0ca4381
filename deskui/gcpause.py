"""``no_gc``: the cyclic garbage collector paused around bulk work (standard library only).

A bulk step makes and drops hundreds of thousands of row tuples, none of them in a cycle; the
collector would rescan them again and again as they pile up (the check-up: a fifth of its run;
``deskui demo`` at 100k: 2.1 s of 28 s CPU, 2026-12-03). Reference counting still frees them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the collector for the block; restored afterwards, whatever happens."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
