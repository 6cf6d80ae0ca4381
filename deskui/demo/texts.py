"""The demo's texts, read once from the TOML files next to this module.

``texts/<lang>.toml`` holds what buyers write and agents answer in one language (en, fr, de, es,
it); ``texts/marketplace.toml`` what is not a buyer's language (Amazon's notices, carrier scans,
internal notes, feedback, subject frames). A translator edits one file; the generator sees the
tables it always had: ``buyer[scenario][lang]``, ``subjects[scenario][lang]``,
``replies[kind][lang]`` and ``greetings[lang]`` and so on. Lists become tuples, in file order: the
seeded generator picks by position, so the order is part of every demo database.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

LANGUAGES = ("en", "fr", "de", "es", "it")
# Keys of each language file: one list per language, or a table of lists per scenario or kind.
_PER_LANGUAGE = ("greetings", "closings", "quote", "follow_ups", "thanks", "auto_acks")
_PER_TOPIC = ("buyer", "subjects", "replies")


@dataclass(frozen=True)
class Texts:
    greetings: dict[str, tuple[str, ...]]
    closings: dict[str, tuple[str, ...]]
    quote: dict[str, tuple[str, ...]]  # (left, right) around an item's name
    follow_ups: dict[str, tuple[str, ...]]
    thanks: dict[str, tuple[str, ...]]
    auto_acks: dict[str, tuple[str, ...]]
    buyer: dict[str, dict[str, tuple[str, ...]]]  # scenario -> lang -> templates
    subjects: dict[str, dict[str, tuple[str, ...]]]  # scenario -> lang -> templates
    replies: dict[str, dict[str, tuple[str, ...]]]  # reply kind -> lang -> templates
    notices: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]]  # scenario -> (subjects, bodies, sender)
    notes: tuple[str, ...]
    feedback: dict[int, tuple[str, ...]]  # star rating -> texts
    tracking: dict[str, tuple[str, ...]]  # tracking status -> scan descriptions
    subject_frames: dict[str, str]  # channel -> how it frames a buyer's subject


def _read(name: str) -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("texts", f"{name}.toml").read_text(encoding="utf-8"))


@functools.cache
def texts() -> Texts:
    """All the texts; the files are read on the first call only."""
    files = {lang: _read(lang) for lang in LANGUAGES}
    per_language = {key: {lang: tuple(files[lang][key]) for lang in LANGUAGES} for key in _PER_LANGUAGE}
    # Topics in the order of the English file (the order the generator's tables always had).
    per_topic = {
        key: {topic: {lang: tuple(files[lang][key][topic]) for lang in LANGUAGES} for topic in files["en"][key]}
        for key in _PER_TOPIC
    }
    # A buyer threatening an A-to-z claim writes the subject of a parcel that never came.
    per_topic["subjects"]["atoz_threat"] = per_topic["subjects"]["not_received"]
    market = _read("marketplace")
    return Texts(
        **per_language,
        **per_topic,
        notices={name: (tuple(notice["subjects"]), tuple(notice["bodies"]), notice["sender"])
                 for name, notice in market["notices"].items()},
        notes=tuple(market["notes"]),
        feedback={int(stars): tuple(lines) for stars, lines in market["feedback"].items()},
        tracking={status: tuple(lines) for status, lines in market["tracking"].items()},
        subject_frames=dict(market["subject_frames"]),
    )
