"""The user's config file: ``$XDG_CONFIG_HOME/deskui/config.toml`` (``~/.config/deskui/...``).

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
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from deskui.timeutil import zone


class ConfigError(Exception):
    pass


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


def config_path() -> Path:
    if os.environ.get("DESKUI_CONFIG"):
        return Path(os.environ["DESKUI_CONFIG"])
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "deskui" / "config.toml"


def load_config(path: Path | None = None, *, tiers=None) -> Config:
    """Read the config file; ``tiers`` (the policy's tier names) lets alert rules be checked."""
    from deskui.analytics.alerts import parse_alert_rules

    path = path or config_path()
    if not path.exists():
        return Config()
    try:
        source = path.read_text(encoding="utf-8")
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file (not UTF-8); write the config as TOML text, or move it away") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror or error}); fix its permissions, or move it away") from None
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ConfigError(f"{path}: [keys]: each entry must be binding-id = \"key[,key...]\"")
    timezone = data.get("timezone")
    if timezone is not None:
        try:
            if not isinstance(timezone, str):
                raise ValueError("not a string")
            zone(timezone)
        except ValueError:
            raise ConfigError(f"{path}: timezone: unknown time zone {timezone!r}; use an IANA name such as "
                              "\"Europe/Paris\", or \"UTC\"") from None
    try:
        alerts = parse_alert_rules(data, str(path), tiers=tiers)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    from deskui.views import ViewError, parse_views

    try:
        views = parse_views(data, source, str(path))
    except ViewError as error:
        raise ConfigError(str(error.problems[0]) if len(error.problems) == 1 else str(error)) from None
    from deskui.macros import MacroError, parse_macros

    try:
        macros = parse_macros(data, source, str(path))
    except MacroError as error:
        raise ConfigError(str(error.problems[0]) if len(error.problems) == 1 else str(error)) from None
    config = Config(agent=data.get("agent"), timezone=timezone, theme=data.get("theme"), keys=dict(keys),
                    alerts=alerts, lint=data.get("lint", {}), source=source, views=views, macros=macros)
    config.extra_lexicons = _triage_section(data, path)
    return config


def _triage_section(data: dict, path: Path) -> list[Path]:
    """``[triage] extra_lexicons``: the files, resolved against the config file's folder.

    Each file is checked here too, so a broken one stops start-up with its FILE:LINE: field
    problems instead of surfacing later in a worker.
    """
    section = data.get("triage", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [triage]: must be a table with extra_lexicons = [\"file.toml\", ...]")
    unknown = sorted(set(section) - {"extra_lexicons"})
    if unknown:
        raise ConfigError(f"{path}: triage.{unknown[0]}: unknown key (expected extra_lexicons)")
    files = section.get("extra_lexicons", [])
    if not isinstance(files, list) or not all(isinstance(item, str) and item.strip() for item in files):
        raise ConfigError(f"{path}: triage.extra_lexicons: must be a list of file names, e.g. [\"lexicons/pl.toml\"]")
    resolved = [path.parent / Path(item).expanduser() for item in files]
    from deskui.triage.lexicon import check_lexicon_files

    problems = check_lexicon_files(resolved)
    if problems:
        raise ConfigError("\n".join(str(problem) for problem in problems))
    return resolved


def triage_extra_lexicons(path: Path | None = None) -> list[Path]:
    """The seller's extra lexicon files from the config (none when there is no config file)."""
    path = path or config_path()
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as error:
        from deskui.policy.loader import PolicyError, Problem

        raise PolicyError([Problem(str(path), 1, "toml", f"cannot read the config: {error}")]) from None
    section = data.get("triage", {})
    files = section.get("extra_lexicons", []) if isinstance(section, dict) else []
    if not isinstance(files, list) or not all(isinstance(item, str) and item.strip() for item in files):
        from deskui.policy.loader import PolicyError, Problem

        raise PolicyError([Problem(str(path), 1, "triage.extra_lexicons", "must be a list of file names")])
    return [path.parent / Path(item).expanduser() for item in files]


def default_agent() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "agent"
