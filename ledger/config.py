"""The TOML config file: who the user is, review rules, reminder channels.

Read from ``--config PATH`` or ``$XDG_CONFIG_HOME/claims/config.toml``; a missing default file is an
empty config, a missing explicit one is an error. Each area validates its own section, so a bad
value is reported at start-up in one line rather than when it is first used.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.errors import ConfigError

KNOWN_SECTIONS = {"user", "review", "reminders", "channels", "scheduler", "database"}


def default_path() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config_home) / "claims" / "config.toml"


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.where}: [{name}] must be a table")
        return value

    @property
    def where(self) -> str:
        return str(self.path) if self.path else "config"

    @property
    def user_name(self) -> str | None:
        name = self.section("user").get("name")
        if name is not None and not isinstance(name, str):
            raise ConfigError(f"{self.where}: user.name must be a string")
        return name

    @property
    def database(self) -> str | None:
        return self.section("database").get("url")


def load(path: str | os.PathLike | None = None) -> Config:
    explicit = path is not None
    file = Path(path) if explicit else default_path()
    if not file.exists():
        if explicit:
            raise ConfigError(f"config file not found: {file}")
        return Config()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config {file}: {exc.strerror}") from None
    unknown = sorted(set(data) - KNOWN_SECTIONS)
    if unknown:
        raise ConfigError(f"{file}: unknown section [{unknown[0]}]; known: {', '.join(sorted(KNOWN_SECTIONS))}")
    return Config(file, data)


def identity(explicit: str | None, config: Config) -> str:
    """Who is acting: the name given, else ``user.name`` from the config, else the OS user."""
    for candidate in (explicit, config.user_name):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return "unknown"
