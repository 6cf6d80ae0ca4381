"""Reply templates: plain files a lead can edit, with placeholders filled from the order context.

A template is one UTF-8 file, ``<dir>/<language>/<key>.txt``::

    title: Damaged item: replacement or refund
    category: damaged
    channels: amazon, shopify        # optional; omitted = every channel
    auto_ack: no                     # optional; "yes" marks an automatic acknowledgement
    ---
    Hello {customer_first_name},
    ...

Placeholders are ``{name}`` with a name from :data:`PLACEHOLDERS`; ``{{`` and ``}}`` write a literal
brace. The format, the placeholders and where each value comes from are documented in
docs/replies.md.

This module chooses templates for a ticket (``suggest``, ``rank``) and filters them as an agent
types (``match_templates``); reading the files lives in
``template_files``, placeholders and ``fill`` in ``placeholders``, ``guess_language`` in
``language``. Their public names are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from deskui.replies.language import LANGUAGES, guess_language
from deskui.replies.placeholders import (  # noqa: F401  (re-exported)
    PLACEHOLDERS, RETURN_DAYS, fill, format_date, format_money, placeholders_in, unfilled,
)
from deskui.replies.placeholders import _LEFT
from deskui.replies.template_files import Template, TemplateSet, load_templates, parse_template  # noqa: F401
from deskui.text import filter_key, filter_key_map, filter_span

__all__ = [
    "BUILTIN_DIR",
    "LANGUAGES",
    "PLACEHOLDERS",
    "RELATED_CATEGORIES",
    "RETURN_DAYS",
    "Template",
    "TemplateMatch",
    "TemplateSet",
    "fill",
    "guess_language",
    "load_templates",
    "match_templates",
    "placeholders_in",
    "rank",
    "suggest",
    "unfilled",
    "unfilled_spans",
]

BUILTIN_DIR = Path(__file__).parent / "templates"

# Categories whose templates also fit a ticket of the key's category (after exact matches).
RELATED_CATEGORIES: dict[str, tuple[str, ...]] = {
    "atoz_claim": ("chargeback", "not_received", "damaged"),
    "chargeback": ("atoz_claim",),
    "damaged": ("defective", "wrong_item", "missing_item"),
    "missing_item": ("not_received", "damaged"),
    "wrong_item": ("exchange", "return", "damaged"),
    "defective": ("damaged", "exchange", "return"),
    "not_received": ("tracking", "missing_item"),
    "tracking": ("not_received",),
    "return": ("refund", "exchange"),
    "refund": ("return", "cancellation"),
    "exchange": ("return", "wrong_item"),
    "cancellation": ("refund",),
    "invoice": (),
    "feedback": (),
    "product_question": (),
}


# -- choosing ------------------------------------------------------------------------------
def suggest(templates: Iterable[Template], category: str | None, channel: str, language: str) -> list[Template]:
    """Templates for a ticket, best first.

    Templates restricted to other channels are left out. Templates in the buyer's ``language``
    come first (ranked: same category, related category, generic, auto-acknowledgement, others);
    then templates of the same category in other languages. When nothing exists in ``language``,
    English and then every other language are offered, ranked the same way.
    """
    return rank(templates, category, channel, language)[0]


def rank(templates: Iterable[Template], category: str | None, channel: str,
         language: str) -> tuple[list[Template], list[Template]]:
    """(``suggest``'s list, every other template that fits the channel, ranked the same way).
    The picker shows the first when its filter is empty and searches both when the agent types:
    the template in another language is one word away, after the suggested ones."""
    usable = [t for t in templates if t.fits_channel(channel)]
    related = RELATED_CATEGORIES.get(category or "", ())

    def category_rank(template: Template) -> tuple[int, int]:
        if category and template.category == category:
            return (0, 0)
        if template.category in related:
            return (1, related.index(template.category))  # in the order RELATED_CATEGORIES lists them
        if template.auto_ack:
            return (3, 0)
        if template.category is None:
            return (2, 0)
        return (4, 0)

    def key(template: Template) -> tuple:
        if template.language == language:
            language_rank = 0
        elif template.language == "en":
            language_rank = 1
        else:
            language_rank = 2
        return (language_rank, category_rank(template), 0 if template.channels else 1, template.language, template.key)

    ranked = sorted(usable, key=key)
    if not any(t.language == language for t in ranked):
        return ranked, []
    suggested = [t for t in ranked if t.language == language or (category and t.category == category)]
    chosen = set(map(id, suggested))
    return suggested, [t for t in ranked if id(t) not in chosen]


# -- filtering as the agent types --------------------------------------------------------------
@dataclass(frozen=True)
class TemplateMatch:
    """One template the filter kept: ``title_spans`` are (start, end) of the query's words in its
    title (for highlighting); ``in_body`` says a word was found only in the text."""

    template: Template
    title_spans: tuple[tuple[int, int], ...] = ()
    in_body: bool = False


# A word of the query scores where it is found: starting a word of the key or title (0), inside
# them or naming the language or category (1), in the text only (2). The lowest total comes first;
# equal totals keep the ticket's ranking.
_AT_WORD_START, _IN_NAME, _IN_BODY = 0, 1, 2


@lru_cache(maxsize=4096)
def _folded(template: Template) -> tuple[str, tuple[str, list[int]], str, str]:
    """(key, (title, where), language + category, body) as ``deskui.text.filter_key`` folds them
    (case folded, accents dropped, punctuation as spaces; "ß" is "ss"); ``where`` maps offsets in
    the folded title back to the title, for the highlight."""
    return (filter_key(template.key), filter_key_map(template.title),
            filter_key(f"{template.language} {template.category or ''}"), filter_key(template.body))


def _starts_word(text: str, word: str) -> int:
    """Offset where ``word`` starts a word of ``text`` (after a space or at the start), else -1."""
    start = text.find(word)
    while start > 0 and text[start - 1] != " ":
        start = text.find(word, start + 1)
    return start


def match_templates(query: str, suggested: Sequence[Template], rest: Sequence[Template] = ()) -> list[TemplateMatch]:
    """The templates a filter keeps, best first.

    Every word of ``query`` must be found (as ``deskui.text.filter_key`` folds both: "reclamation"
    finds "Réclamation", "strasse" finds "Straße") in the template's key, title, language, category or text. With an empty query
    the answer is ``suggested`` in its order; otherwise ``suggested`` then ``rest`` are searched and
    ordered by where the words were found, the ticket's ranking breaking ties. A template of
    ``rest`` is found by its key, title, language or category only and comes one step later,
    unless a word of the query is its language code. A word that is a language code ("fr")
    finds the templates in that language, or starting a word of a title or key ("de" finds
    "Defective"), never a piece of a word elsewhere."""
    words = filter_key(query).split()
    if not words:
        return [TemplateMatch(t) for t in suggested]
    candidates = [*suggested, *rest]
    languages = {t.language for t in candidates}
    scored: list[tuple[int, int, TemplateMatch]] = []
    for index, template in enumerate(candidates):
        key, (title, where), tags, body = _folded(template)
        # the templates not suggested (other languages) come after the suggested ones found as
        # well and are searched by name only, unless the query names their language ("fr damaged"):
        # a word in the text of five translations is noise
        elsewhere = index >= len(suggested) and template.language not in words
        total = 1 if elsewhere else 0
        spans, body_only = [], False
        for word in words:
            at = _starts_word(title, word)
            if word == template.language:
                score = _AT_WORD_START
            elif at >= 0 or _starts_word(key, word) >= 0:
                score = _AT_WORD_START
            elif word in languages:  # "fr" names a language: not the "fr" of "from" in an English text
                break
            elif word in title or word in key or _starts_word(tags, word) >= 0:
                score, at = _IN_NAME, title.find(word)
            elif not elsewhere and word in body:
                score, body_only = _IN_BODY, True
            else:
                break
            if at >= 0:
                spans.append(filter_span(where, at, at + len(word)))
            total += score
        else:
            scored.append((total, index, TemplateMatch(template, tuple(sorted(spans)), body_only)))
    scored.sort(key=lambda entry: entry[:2])
    return [match for _, _, match in scored]


def unfilled_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of each placeholder still in a filled text (what ``unfilled`` finds), to
    highlight it."""
    return [(m.start(), m.end(), m.group(1)) for m in _LEFT.finditer(text)]
