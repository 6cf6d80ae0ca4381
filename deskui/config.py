"""The user's config file: ``$XDG_CONFIG_HOME/deskui/config.toml`` (``~/.config/deskui/...``).

```toml
agent = "ana"
timezone = "Europe/Paris"
theme = "deskui-high-contrast"

[keys]              # binding id = "keys", e.g. to move with ctrl+n / ctrl+p like Emacs
"list.down" = "j,down,ctrl+n"
"inbox.claim" = "A"
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


def config_path() -> Path:
    if os.environ.get("DESKUI_CONFIG"):
        return Path(os.environ["DESKUI_CONFIG"])
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "deskui" / "config.toml"


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it: {error}") from None
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ConfigError(f"{path}: [keys]: each entry must be binding-id = \"key[,key...]\"")
    timezone = data.get("timezone")
    if timezone is not None:
        try:
            zone(timezone)
        except ValueError:
            raise ConfigError(f"{path}: timezone: unknown time zone {timezone!r}") from None
    return Config(agent=data.get("agent"), timezone=timezone, theme=data.get("theme"), keys=dict(keys))


def default_agent() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "agent"
