"""The reply linter's rules: one module per rule, registered in one registry (registry.py).

``base`` holds what every rule shares (severities, :class:`Warning`, the folded text),
``catalog`` imports every rule in order, ``settings`` the per-channel rules and their
``[lint.<channel>]`` tables, ``engine`` runs them (``lint``), ``attachment`` checks the files going
with a reply against the channel's limits (``check_attachments``). docs/replies.md lists the rules,
their sources and their blind spots.
"""

from deskui.replies.rules.attachment import LIMITS as ATTACHMENT_LIMITS
from deskui.replies.rules.attachment import AttachmentLimits, check_attachments
from deskui.replies.rules.base import BLOCK, MARKET_NAMES, WARN, Warning, fold
from deskui.replies.rules.catalog import ALL_RULES, RULES
from deskui.replies.rules.engine import lint
from deskui.replies.rules.registry import KINDS, REGISTRY, Rule, register
from deskui.replies.rules.settings import ChannelRules, LintRules, default_rules, lint_rules_from_toml, parse_lint_rules

__all__ = [
    "ALL_RULES",
    "ATTACHMENT_LIMITS",
    "AttachmentLimits",
    "BLOCK",
    "ChannelRules",
    "KINDS",
    "LintRules",
    "MARKET_NAMES",
    "REGISTRY",
    "RULES",
    "Rule",
    "WARN",
    "Warning",
    "check_attachments",
    "default_rules",
    "fold",
    "lint",
    "lint_rules_from_toml",
    "parse_lint_rules",
    "register",
]
