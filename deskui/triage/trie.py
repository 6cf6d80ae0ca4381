"""Terms -> one regular expression over the fold, shaped as a character trie.

The regex engine walks shared prefixes once instead of trying thousands of alternatives. Units
are canonical characters (see :mod:`deskui.triage.normalize`), each allowed the spellings that
``normalize`` would have merged, except runs of "s": ``normalize`` expands "ß" to "ss", so a
run of k canonical s's matches any mix of "s" and "ß" weighing k (and, at the open end of a
prefix term, one that ends inside a "ß").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["trie_pattern"]

_WHOLE, _PREFIX = "w", "p"
_END = ""  # trie key holding the set of end kinds at a node
_SRun = tuple  # ("s", length, open_end)


def _units(canonical: str, prefix: bool) -> list[str | _SRun]:
    units: list[str | _SRun] = []
    i, n = 0, len(canonical)
    while i < n:
        if canonical[i] == "s":
            j = i
            while j < n and canonical[j] == "s":
                j += 1
            units.append(("s", j - i, prefix and j == n))
            i = j
        else:
            units.append(canonical[i])
            i += 1
    return units


def _s_spellings(weight: int) -> set[str]:
    if weight <= 0:
        return {""}
    found = {"s" + rest for rest in _s_spellings(weight - 1)}
    if weight >= 2:
        found |= {"ß" + rest for rest in _s_spellings(weight - 2)}
    return found


def _unit_pattern(unit: str | _SRun) -> str:
    if isinstance(unit, tuple):
        _, weight, open_end = unit
        if weight > 6:  # absurd terms only: approximate, the canonical lookup filters
            return f"[sß]{{{(weight + 1) // 2},{weight}}}"
        spellings = _s_spellings(weight)
        if open_end:
            spellings |= {rest + "ß" for rest in _s_spellings(weight - 1)}
        if len(spellings) == 1:
            return spellings.pop()
        return "(?:" + "|".join(sorted(spellings, key=lambda text: (-len(text), text))) + ")"
    if unit in "aou":
        return unit + "e*+"  # "a" also stands for "ae", "aee" (normalize deletes those e's)
    if unit == " ":
        return "  *+"  # one space stands for a run of spaces
    return re.escape(unit)


def trie_pattern(terms: Iterable[tuple[str, bool]], spaced: bool = True) -> str:
    """One regex for all ``terms`` (canonical, prefix), as a trie.

    ``spaced``: the caller puts a space before the pattern (word start) and a whole term ends
    at ``\b``. Not spaced (languages written without spaces): only a Latin letter or digit at
    either end of a term needs a non-Latin neighbour there.
    """
    root: dict = {}
    for canonical, prefix in terms:
        node = root
        for unit in _units(canonical, prefix):
            node = node.setdefault(unit, {})
        node.setdefault(_END, set()).add(_PREFIX if prefix else _WHOLE)
    if not root:
        return "(?!)"
    if spaced:
        return _emit(root)
    alternatives = []
    for unit, child in sorted(root.items(), key=lambda item: str(item[0])):
        branch = _unit_pattern(unit) + _emit(child, spaced=False, last=unit)
        alternatives.append((_LATIN_BEFORE + branch) if _is_latin(unit) else branch)
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


_LATIN_BEFORE = "(?<![0-9a-zß])"
_LATIN_AFTER = "(?![0-9a-zß])"


def _is_latin(unit: str | _SRun) -> bool:
    return isinstance(unit, tuple) or ("0" <= unit <= "9") or ("a" <= unit <= "z")


def _emit(node: dict, spaced: bool = True, last: str | _SRun = " ") -> str:
    alternatives = [
        _unit_pattern(unit) + _emit(child, spaced, unit)
        for unit, child in sorted(node.items(), key=lambda item: str(item[0]))
        if unit != _END
    ]
    ends = node.get(_END)
    if ends:
        # Last, so that longer terms are tried first. A prefix end needs nothing after it.
        if _PREFIX in ends:
            alternatives.append("")
        elif spaced:
            alternatives.append(r"\b")
        else:
            alternatives.append(_LATIN_AFTER if _is_latin(last) else "")
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"
