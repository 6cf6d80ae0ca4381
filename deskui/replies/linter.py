"""Marketplace compliance linter for replies: fast enough to run on every keystroke.

``lint(text, channel)`` returns :class:`Warning` s, each naming its rule, why it matters (quoting the
marketplace rule), where it is in the text, and a severity: ``block`` (the reply cannot be sent as
is) or ``warn`` (sending needs an explicit confirmation). Rules apply per channel; a lead turns
them on/off, changes severities and length limits in ``[lint.<channel>]`` TOML tables
(:func:`parse_lint_rules`). ``check_attachments(channel, files)`` checks the files going with a
reply against the channel's limits. The rules, their sources and their known blind spots are in
docs/replies.md.

The rules live in deskui/replies/rules/, one module each; this module is the stable import path.
"""

from __future__ import annotations

from deskui.replies.rules import (
    ALL_RULES,
    BLOCK,
    MARKET_NAMES,
    RULES,
    WARN,
    ChannelRules,
    LintRules,
    Warning,
    check_attachments,
    default_rules,
    lint,
    lint_rules_from_toml,
    parse_lint_rules,
)

__all__ = [
    "ALL_RULES",
    "BLOCK",
    "MARKET_NAMES",
    "RULES",
    "WARN",
    "ChannelRules",
    "LintRules",
    "Warning",
    "check_attachments",
    "default_rules",
    "lint",
    "lint_rules_from_toml",
    "parse_lint_rules",
]
