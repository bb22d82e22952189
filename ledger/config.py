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
    config = Config(file, data)
    reminder_settings(config)  # a bad channel or schedule is reported now, not at 3 a.m.
    return config


def identity(explicit: str | None, config: Config) -> str:
    """Who is acting: the name given, else ``user.name`` from the config, else the OS user."""
    for candidate in (explicit, config.user_name):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return "unknown"


# [reminders], [channels.NAME] and [scheduler]: see docs/reminders.md -------------------------------

CHANNEL_TYPES = ("smtp", "webhook", "log")
SECURITY = ("starttls", "tls", "none")


@dataclass(frozen=True)
class Channel:
    name: str
    type: str
    options: dict[str, Any]


@dataclass(frozen=True)
class ReminderSettings:
    every_days: int = 7
    recipients: tuple[str, ...] = ()  # "Name <address>" or a bare address or name
    channels: tuple[Channel, ...] = (Channel("log", "log", {}),)  # until a channel is configured
    scan_minutes: int = 60
    deliver_seconds: int = 60
    lease_seconds: int = 600  # a worker that took longer than this to send is presumed dead
    retry_base_seconds: int = 60
    retry_max_seconds: int = 6 * 3600


def reminder_settings(config: Config) -> ReminderSettings:
    """The reminder settings, checked whole: any mistake is one ConfigError naming the key."""
    where = config.where
    rem, sched = config.section("reminders"), config.section("scheduler")
    _known(where, "reminders", rem, {"every_days", "recipients", "channels"})
    _known(where, "scheduler", sched, {"scan_minutes", "deliver_seconds", "lease_seconds", "retry_base_seconds", "retry_max_seconds"})
    recipients = rem.get("recipients", [])
    if not isinstance(recipients, list) or not all(isinstance(r, str) and r.strip() for r in recipients):
        raise ConfigError(f"{where}: reminders.recipients must be a list of names or addresses")
    configured = {name: _channel(where, name, value) for name, value in config.section("channels").items()}
    if not configured:  # nothing set up yet: reminders still show, in the scheduler's output
        configured = {"log": Channel("log", "log", {})}
    chosen = rem.get("channels", list(configured))
    if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
        raise ConfigError(f"{where}: reminders.channels must be a list of channel names")
    for name in chosen:
        if name not in configured:
            raise ConfigError(f"{where}: reminders.channels names {name!r}, but there is no [channels.{name}]")
    channels = tuple(configured[n] for n in chosen)
    for ch in channels:
        if ch.type == "smtp" and not ch.options.get("to") and not any("@" in r for r in recipients):
            raise ConfigError(
                f"{where}: [channels.{ch.name}] needs `to` addresses, or reminders.recipients with an address, "
                "for claims that have no reviewer assigned"
            )
    return ReminderSettings(
        every_days=_positive(where, "reminders.every_days", rem.get("every_days", 7)),
        recipients=tuple(r.strip() for r in recipients),
        channels=channels,
        **{k: _positive(where, f"scheduler.{k}", sched[k]) for k in sched},
    )


def _channel(where: str, name: str, value: Any) -> Channel:
    key = f"[channels.{name}]"
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {key} must be a table")
    kind = value.get("type")
    if kind not in CHANNEL_TYPES:
        raise ConfigError(f"{where}: {key} has unknown type {kind!r}; use one of {', '.join(CHANNEL_TYPES)}")
    options = {k: v for k, v in value.items() if k != "type"}
    if kind == "smtp":
        _known(where, key[1:-1], options, {"host", "port", "security", "user", "password_env", "from", "to", "timeout"})
        if not isinstance(options.get("host"), str) or not options["host"].strip():
            raise ConfigError(f"{where}: {key} needs host = \"smtp.example.org\"")
        security = options.setdefault("security", "starttls")
        if security not in SECURITY:
            raise ConfigError(f"{where}: {key} security must be one of {', '.join(SECURITY)}, not {security!r}")
        port = options.setdefault("port", {"starttls": 587, "tls": 465, "none": 25}[security])
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise ConfigError(f"{where}: {key} port must be a number from 1 to 65535, not {port!r}")
        if not isinstance(options.get("from"), str) or "@" not in options["from"]:
            raise ConfigError(f"{where}: {key} needs from = \"claims@example.org\"")
        to = options.setdefault("to", [])
        if isinstance(to, str):
            options["to"] = to = [to]
        if not isinstance(to, list) or not all(isinstance(a, str) and "@" in a for a in to):
            raise ConfigError(f"{where}: {key} to must be a list of email addresses")
        if options.get("user") is not None and not isinstance(options.get("password_env"), str):
            raise ConfigError(f"{where}: {key} has a user but no password_env naming the variable with its password")
    elif kind == "webhook":
        _known(where, key[1:-1], options, {"url", "timeout"})
        url = options.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(f"{where}: {key} needs url = \"https://...\" (the incoming webhook's address)")
    else:
        _known(where, key[1:-1], options, set())
    timeout = options.get("timeout", 20)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise ConfigError(f"{where}: {key} timeout must be a positive number of seconds")
    return Channel(name, kind, options)


def _known(where: str, section: str, values: dict[str, Any], keys: set[str]) -> None:
    unknown = sorted(set(values) - keys)
    if unknown:
        known = f"; known: {', '.join(sorted(keys))}" if keys else ""
        raise ConfigError(f"{where}: unknown key {section}.{unknown[0]}{known}")


def _positive(where: str, key: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{where}: {key} must be a whole number of at least 1, not {value!r}")
    return value
