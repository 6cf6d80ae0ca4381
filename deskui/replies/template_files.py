"""Template files: ``<dir>/<language>/<key>.txt``, a header, a line ``---`` and a body. Loading
reports every broken file as FILE:LINE and skips it; the format is in docs/replies.md."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from deskui.policy import CHANNELS, Problem
from deskui.replies.placeholders import PLACEHOLDERS, _BRACES, _NAME, placeholders_in
from deskui.triage.lexicon import CATEGORIES

HEADER_KEYS = ("title", "category", "channels", "auto_ack")
_GENERIC_CATEGORY = {"", "none", "any", "all", "-", "general"}
_YES = {"yes", "true", "on", "1", "y", "oui", "ja", "si", "sì"}
_NO = {"no", "false", "off", "0", "n", "non", "nein"}

_HEADER_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_\-]*)\s*:\s*(.*?)\s*$")
_LANGUAGE_DIR = re.compile(r"[a-z]{2}\Z")


@dataclass(frozen=True)
class Template:
    key: str
    language: str
    title: str
    category: str | None
    channels: frozenset[str]  # empty = every channel
    auto_ack: bool
    body: str
    path: Path

    @property
    def placeholders(self) -> list[str]:
        return placeholders_in(self.body)

    def fits_channel(self, channel: str) -> bool:
        return not self.channels or channel in self.channels


@dataclass
class TemplateSet:
    templates: list[Template] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def get(self, language: str, key: str) -> Template | None:
        for template in self.templates:
            if template.language == language and template.key == key:
                return template
        return None


# -- loading -------------------------------------------------------------------------------
def load_templates(*dirs: Path | str) -> TemplateSet:
    """Load every ``<dir>/<language>/<key>.txt``; a later dir overrides an earlier one by
    (language, key). A broken file is reported (FILE:LINE) and skipped, so the template it would
    have overridden stays; every other file still loads. A missing dir is fine (no lead overrides).
    """
    found: dict[tuple[str, str], Template] = {}
    problems: list[Problem] = []
    for raw in dirs:
        directory = Path(raw).expanduser()
        if not directory.exists():
            continue
        if not directory.is_dir():
            problems.append(Problem(str(directory), 0, "file", "is not a directory of templates"))
            continue
        for entry in sorted(directory.iterdir()):
            if entry.name.startswith(".") or entry.name.lower().startswith("readme"):
                continue
            if entry.is_file():
                if entry.suffix == ".txt":
                    problems.append(Problem(str(entry), 0, "file",
                                            "templates live in a language folder, e.g. en/" + entry.name))
                continue
            if not _LANGUAGE_DIR.match(entry.name):
                problems.append(Problem(str(entry), 0, "file",
                                        "folder names are two-letter language codes (en, fr, de, es, it...)"))
                continue
            for path in sorted(entry.glob("*.txt")):
                if path.name.startswith(".") or not path.is_file():
                    continue
                template, file_problems = _read(path, entry.name)
                problems.extend(file_problems)
                if template is not None:
                    found[(template.language, template.key)] = template
    templates = sorted(found.values(), key=lambda t: (t.language, t.key))
    return TemplateSet(templates, problems)


def _read(path: Path, language: str) -> tuple[Template | None, list[Problem]]:
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(str(path), 1, "file", f"not UTF-8 text ({error.reason} at byte {error.start})")]
    except OSError as error:
        return None, [Problem(str(path), 0, "file", f"cannot read it: {error.strerror or error}")]
    return parse_template(source, path, language)


def parse_template(source: str, path: Path | str, language: str) -> tuple[Template | None, list[Problem]]:
    """Parse one template file's text; returns (template or None, problems)."""
    path = Path(path)
    file = str(path)
    if source.startswith("\ufeff"):
        source = source[1:]
    lines = source.splitlines()
    try:
        separator = next(i for i, line in enumerate(lines) if line.strip() == "---")
    except StopIteration:
        return None, [Problem(file, 1, "header",
                              "no '---' line: write the header (title: ..., category: ...), a line '---', then the body")]

    header, problems = _read_header(lines[:separator], file)
    title = header.get("title", ("", 0))[0] or path.stem.replace("_", " ").capitalize()
    category = _header_category(header, file, problems)
    channels = _header_channels(header, file, problems)
    auto_ack = _header_auto_ack(header, file, problems)
    body = _read_body(lines, separator, file, problems)
    if problems:
        return None, problems
    return Template(path.stem, language, title, category, channels, auto_ack, body, path), []


def _read_header(lines: list[str], file: str) -> tuple[dict[str, tuple[str, int]], list[Problem]]:
    """The header's ``key: value`` lines as key -> (value, line number), and their problems."""
    problems: list[Problem] = []
    header: dict[str, tuple[str, int]] = {}
    for index, raw in enumerate(lines):
        line = raw.strip()
        number = index + 1
        if not line or line.startswith("#"):
            continue
        match = _HEADER_LINE.match(line)
        if not match:
            problems.append(Problem(file, number, "header", f"expected 'key: value', got {line[:60]!r}"))
            continue
        key, value = match.group(1).lower(), match.group(2)
        if "#" in value:
            value = value.split("#", 1)[0].strip()
        if key not in HEADER_KEYS:
            hint = difflib.get_close_matches(key, HEADER_KEYS, n=1)
            problems.append(Problem(file, number, key, "unknown header key" + (f" (did you mean {hint[0]!r}?)" if hint
                                                                                else f"; use {', '.join(HEADER_KEYS)}")))
            continue
        if key in header:
            problems.append(Problem(file, number, key, f"given twice (first on line {header[key][1]})"))
            continue
        header[key] = (value, number)
    return header, problems


def _header_category(header: dict[str, tuple[str, int]], file: str, problems: list[Problem]) -> str | None:
    if "category" not in header:
        return None
    value, number = header["category"]
    value = value.lower()
    if value in _GENERIC_CATEGORY:
        return None
    if value in CATEGORIES:
        return value
    hint = difflib.get_close_matches(value, CATEGORIES, n=1)
    problems.append(Problem(file, number, "category", f"unknown category {value!r}" + (
        f" (did you mean {hint[0]!r}?)" if hint else f"; use one of {', '.join(CATEGORIES)} or leave it out")))
    return None


def _header_channels(header: dict[str, tuple[str, int]], file: str, problems: list[Problem]) -> frozenset[str]:
    if "channels" not in header:
        return frozenset()
    value, number = header["channels"]
    names = [name for name in re.split(r"[,\s]+", value.lower()) if name]
    unknown = [name for name in names if name not in CHANNELS]
    if unknown:
        problems.append(Problem(file, number, "channels",
                                f"unknown channel {unknown[0]!r}; use {', '.join(CHANNELS)} (or leave it out for all)"))
    return frozenset(name for name in names if name in CHANNELS)


def _header_auto_ack(header: dict[str, tuple[str, int]], file: str, problems: list[Problem]) -> bool:
    if "auto_ack" not in header:
        return False
    value, number = header["auto_ack"]
    if value.lower() in _YES:
        return True
    if value.lower() not in _NO:
        problems.append(Problem(file, number, "auto_ack", f"{value!r} is not yes or no"))
    return False


def _read_body(lines: list[str], separator: int, file: str, problems: list[Problem]) -> str:
    """The text after ``---`` without its leading blank lines; its problems are added to ``problems``."""
    body_lines = lines[separator + 1:]
    first = 0
    while first < len(body_lines) and not body_lines[first].strip():
        first += 1
    body = "\n".join(line.rstrip() for line in body_lines[first:]).rstrip()
    body_start = separator + 2 + first  # file line number of the body's first line
    if not body:
        problems.append(Problem(file, separator + 1, "body", "the template has no text after '---'"))
    problems.extend(_check_body(body, file, body_start))
    return body


def _check_body(body: str, file: str, first_line: int) -> list[Problem]:
    problems: list[Problem] = []
    for match in _BRACES.finditer(body):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        line = first_line + body.count("\n", 0, match.start())
        if token == "{":
            rest = body[match.start():body.find("\n", match.start()) if "\n" in body[match.start():] else len(body)]
            problems.append(Problem(file, line, "placeholder",
                                    f"unclosed '{{' in {rest[:30]!r}: close it with '}}', or write '{{{{' for a literal brace"))
        elif token == "}":
            problems.append(Problem(file, line, "placeholder", "'}' without a matching '{' (write '}}' for a literal brace)"))
        else:
            name = match.group(1)
            if not _NAME.match(name):
                problems.append(Problem(file, line, "placeholder",
                                        f"{token!r} is not a placeholder: names are lowercase letters, digits and '_' "
                                        "(write '{{' and '}}' for literal braces)"))
            elif name not in PLACEHOLDERS:
                hint = difflib.get_close_matches(name, PLACEHOLDERS, n=1)
                problems.append(Problem(file, line, "placeholder", f"unknown placeholder {{{name}}}" + (
                    f" (did you mean {{{hint[0]}}}?)" if hint else "; see docs/replies.md for the list")))
    return problems
