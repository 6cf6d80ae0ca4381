"""Every linter rule, imported once in the order :data:`RULES` lists them (and config errors name them)."""

from __future__ import annotations

from deskui.replies.rules import (  # noqa: F401 - each module registers its rule
    external_link,
    email_address,
    phone_number,
    reviews,
    claim_withdrawal,
    marketing,
    opt_out,
    emoji,
    important_subject,
    too_long,
    thanks_only,
    attachment,
)
from deskui.replies.rules.registry import REGISTRY

# rule id -> what it catches (for docs, config errors and `deskui` help)
RULES: dict[str, str] = {rule.id: rule.description for rule in REGISTRY.values()}
ALL_RULES = frozenset(RULES)
# The rules that scan a reply's text, in the order they run (links first: e-mail and phone
# findings inside a flagged link are dropped).
TEXT_RULES = tuple(rule for rule in REGISTRY.values() if rule.scan is not None)
