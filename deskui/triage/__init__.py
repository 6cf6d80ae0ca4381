"""Triage: text normalisation and multilingual keyword matching with evidence.

The matcher is pure standard-library Python (no UI imports); see :mod:`.normalize`,
:mod:`.lexicon` and :mod:`.matcher` for the rules.
"""

from deskui.triage.lexicon import CATEGORIES, LEXICON
from deskui.triage.matcher import Evidence, Matcher, default_matcher
from deskui.triage.normalize import normalize

__all__ = [
    "CATEGORIES",
    "LEXICON",
    "Evidence",
    "Matcher",
    "default_matcher",
    "normalize",
]
