from deskui.policy.loader import PolicyError, Problem, default_policy, default_policy_text, load_policy, parse_policy
from deskui.policy.model import ALWAYS, CHANNELS, Calendar, Policy, Rule, Tier

__all__ = [
    "ALWAYS",
    "CHANNELS",
    "Calendar",
    "Policy",
    "PolicyError",
    "Problem",
    "Rule",
    "Tier",
    "default_policy",
    "default_policy_text",
    "load_policy",
    "parse_policy",
]
