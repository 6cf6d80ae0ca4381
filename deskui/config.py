"""The user's config file: ``$DESKUI_CONFIG``, else ``config.toml`` in the platform's config folder
(``$XDG_CONFIG_HOME/deskui/``, ``~/.config/deskui/`` on Linux; see :func:`config_path`).

```toml
agent = "ana"
timezone = "Europe/Paris"
theme = "deskui-high-contrast"

[keys]              # binding id = "keys", e.g. to move with ctrl+n / ctrl+p like Emacs
"list.down" = "j,down,ctrl+n"
"inbox.claim" = "A"

[[alerts]]          # evaluated by the inbox and the board every minute, and by `deskui alerts`
name = "FRT above 8 h"
metric = "frt_hours"
op = ">"
threshold = 8
window = "24h"

[lint.amazon]       # the reply linter, per channel (docs/replies.md)
disable = ["phone_number"]

[triage]            # a seller's own terms or languages, one TOML file each (docs/triage.md)
extra_lexicons = ["lexicons/pl-extra.toml"]   # relative to this file's folder
```
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path

from deskui.configfile import ConfigFileError, Document, Reader
from deskui.timeutil import zone


class ConfigError(ConfigFileError):
    """Every problem of the config file, one ``FILE:LINE: field: what is wrong`` a line."""


@dataclass
class Config:
    agent: str | None = None
    timezone: str | None = None
    theme: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    alerts: list = field(default_factory=list)  # AlertRule list from [[alerts]]
    lint: dict = field(default_factory=dict)  # the raw [lint.<channel>] tables
    views: list = field(default_factory=list)  # View list from [[views]] (deskui.views)
    macros: list = field(default_factory=list)  # Macro list from [[macros]] (deskui.macros)
    source: str = ""
    extra_lexicons: list[Path] = field(default_factory=list)  # [triage] extra_lexicons, resolved
    document: Document | None = field(default=None, compare=False, repr=False)  # the file as read ([lint], mail)


def config_path() -> Path:
    """``$DESKUI_CONFIG``, else ``config.toml`` in the platform's config folder:
    ``$XDG_CONFIG_HOME/deskui/`` (``~/.config/deskui/``) on Linux, ``~/Library/Application
    Support/deskui/`` on macOS, ``%LOCALAPPDATA%\\deskui\\`` on Windows."""
    if os.environ.get("DESKUI_CONFIG"):
        return Path(os.environ["DESKUI_CONFIG"])
    import platformdirs  # here: only a run without $DESKUI_CONFIG needs it

    return platformdirs.user_config_path("deskui", appauthor=False) / "config.toml"


def load_config(path: Path | None = None, *, tiers=None) -> Config:
    """Read the config file once and every section it holds; ``tiers`` (the policy's tier names)
    lets alert rules be checked. Raises ConfigError listing every problem of every section."""
    from deskui.analytics.alert_rules import parse_alert_rules
    from deskui.macros import parse_macros
    from deskui.views import parse_views

    path = path or config_path()
    if not path.exists():
        return Config()
    try:
        document = Document.read(path, what="the config")
    except ConfigFileError as error:
        raise ConfigError(error.problems) from None
    reader = Reader(document)
    keys = _keys(reader)
    timezone = _timezone(reader)
    problems = reader.problems
    sections = {}
    for name, parse in (("alerts", lambda: parse_alert_rules(document, tiers=tiers)),
                        ("views", lambda: parse_views(document)), ("macros", lambda: parse_macros(document))):
        try:
            sections[name] = parse()
        except ConfigFileError as error:
            problems += error.problems
    if problems:
        raise ConfigError(problems)
    data = document.data
    config = Config(agent=data.get("agent"), timezone=timezone, theme=data.get("theme"), keys=keys,
                    lint=data.get("lint", {}), source=document.source, document=document, **sections)
    config.extra_lexicons = _triage_section(document)
    return config


def _keys(reader: Reader) -> dict[str, str]:
    keys = reader.document.get("keys", {})
    wrong = "each entry must be binding-id = \"key[,key...]\""
    if not isinstance(keys, dict):
        reader.problem(("keys",), wrong)
        return {}
    for binding, value in keys.items():
        if not isinstance(value, str):
            reader.problem(("keys", binding), wrong)
    return {binding: value for binding, value in keys.items() if isinstance(value, str)}


def _timezone(reader: Reader) -> str | None:
    timezone = reader.document.get("timezone")
    if timezone is not None:
        try:
            if not isinstance(timezone, str):
                raise ValueError("not a string")
            zone(timezone)
        except ValueError:
            reader.problem(("timezone",), f"unknown time zone {timezone!r}; use an IANA name such as "
                                          "\"Europe/Paris\", or \"UTC\"")
            return None
    return timezone


def _lexicon_files(reader: Reader) -> list[Path]:
    """``[triage] extra_lexicons``, resolved against the config file's folder."""
    section = reader.document.get("triage", {})
    if not isinstance(section, dict):
        reader.problem(("triage",), "must be a table with extra_lexicons = [\"file.toml\", ...]")
        return []
    reader.unknown(section, ("triage",), {"extra_lexicons"}, "unknown key (expected extra_lexicons)")
    files = reader.strings(section, ("triage",), "extra_lexicons", [], allow_empty=True,
                           wrong="must be a list of file names, e.g. [\"lexicons/pl.toml\"]")
    folder = Path(reader.file).parent
    return [folder / Path(item).expanduser() for item in files]


def _triage_section(document: Document) -> list[Path]:
    """The extra lexicon files. Each file is checked here too, so a broken one stops start-up with
    its FILE:LINE: field problems instead of surfacing later in a worker."""
    reader = Reader(document)
    resolved = _lexicon_files(reader)
    reader.raise_problems(ConfigError)
    from deskui.triage.lexicon import check_lexicon_files

    problems = check_lexicon_files(resolved)
    if problems:
        raise ConfigError(problems)
    return resolved


def triage_extra_lexicons(path: Path | None = None) -> list[Path]:
    """The seller's extra lexicon files from the config (none when there is no config file)."""
    from deskui.policy.loader import PolicyError

    path = path or config_path()
    if not path.exists():
        return []
    try:
        reader = Reader(Document.read(path, what="the config"))
    except ConfigFileError as error:
        raise PolicyError(error.problems) from None
    files = _lexicon_files(reader)
    reader.raise_problems(PolicyError)
    return files


def default_agent() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "agent"
