"""Replies: reply templates with order placeholders, and the marketplace compliance linter.

Pure core: standard library only, no Textual/Rich. See docs/replies.md.
"""

from deskui.replies.linter import (
    RULES,
    ChannelRules,
    LintRules,
    Warning,
    default_rules,
    lint,
    lint_rules_from_toml,
    parse_lint_rules,
)
from deskui.replies.templates import (
    BUILTIN_DIR,
    PLACEHOLDERS,
    Template,
    TemplateSet,
    fill,
    guess_language,
    load_templates,
    placeholders_in,
    suggest,
    unfilled,
)

__all__ = [
    "BUILTIN_DIR",
    "PLACEHOLDERS",
    "RULES",
    "ChannelRules",
    "LintRules",
    "Template",
    "TemplateSet",
    "Warning",
    "default_rules",
    "fill",
    "guess_language",
    "lint",
    "lint_rules_from_toml",
    "load_templates",
    "parse_lint_rules",
    "placeholders_in",
    "suggest",
    "unfilled",
]
