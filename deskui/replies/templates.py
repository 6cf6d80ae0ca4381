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

This module chooses templates for a ticket (``suggest``); reading the files lives in
``template_files``, placeholders and ``fill`` in ``placeholders``, ``guess_language`` in
``language``. Their public names are re-exported here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from deskui.replies.language import LANGUAGES, guess_language
from deskui.replies.placeholders import (  # noqa: F401  (re-exported)
    PLACEHOLDERS, RETURN_DAYS, fill, format_date, format_money, placeholders_in, unfilled,
)
from deskui.replies.template_files import Template, TemplateSet, load_templates, parse_template  # noqa: F401

__all__ = [
    "BUILTIN_DIR",
    "LANGUAGES",
    "PLACEHOLDERS",
    "RELATED_CATEGORIES",
    "RETURN_DAYS",
    "Template",
    "TemplateSet",
    "fill",
    "guess_language",
    "load_templates",
    "placeholders_in",
    "suggest",
    "unfilled",
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
    if any(t.language == language for t in ranked):
        ranked = [t for t in ranked if t.language == language or (category and t.category == category)]
    return ranked
