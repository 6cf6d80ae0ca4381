"""Triage: text normalisation and multilingual keyword matching with evidence.

The matcher is pure standard-library Python (no UI imports); see :mod:`.normalize`,
:mod:`.lexicon` (the languages, one TOML file each under ``lexicons/``) and :mod:`.matcher`.
"""

from deskui.triage.lexicon import CATEGORIES, active_lexicon
from deskui.triage.matcher import Evidence, Matcher, default_matcher
from deskui.triage.normalize import normalize

__all__ = [
    "CATEGORIES",
    "LEXICON",
    "Evidence",
    "Matcher",
    "default_matcher",
    "normalize",
    "reload_lexicon",
]


def __getattr__(name: str):
    """``LEXICON`` is read from the lexicon files on first use (see ``lexicon.__getattr__``)."""
    if name == "LEXICON":
        from deskui.triage import lexicon

        return lexicon.LEXICON
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def reload_lexicon() -> None:
    """Forget the lexicon read at first use, so the next match re-reads the config's extra files."""
    from deskui.triage import classify

    active_lexicon.cache_clear()
    default_matcher.cache_clear()
    classify._matcher_for.cache_clear()
