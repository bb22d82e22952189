"""The TOML config file: who the user is, the ledger, review rules, reminder channels.

Read from ``--config PATH`` or ``$XDG_CONFIG_HOME/claims/config.toml``; a missing default file is an
empty config, a missing explicit one is an error. The whole file is checked when it is loaded, by
every command: an unknown section or key (with the closest known one), a value of the wrong type
or out of range is one ConfigError line naming the file, the key and what it expects. A typo
must never silently fall back to a default (``quorom = 2`` would leave one vote enough).
"""

from __future__ import annotations

import difflib
import getpass
import math
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.domain.emails import MAX_LENGTH, mailbox
from ledger.domain.urls import web_address
from ledger.domain.vocab import ChannelType, values
from ledger.errors import ConfigError, InvalidInput

KEYS = {
    "user": {"name"},
    "database": {"url"},
    "review": {"quorum", "independent"},
    "reminders": {"every_days", "recipients", "channels"},
    "scheduler": {"scan_minutes", "deliver_seconds", "lease_seconds", "retry_base_seconds", "retry_max_seconds", "max_attempts"},
    "channels": None,  # one table per channel, each checked by its type
    "extract": {"model", "timeout", "max_redirects"},
    "publish": {"publisher", "base_url", "title"},
}
CHANNEL_TYPES = values(ChannelType)
CHANNEL_KEYS = {
    "smtp": {"type", "host", "port", "security", "user", "password_env", "from", "to", "timeout"},
    "webhook": {"type", "url", "timeout"},
    "log": {"type"},
}
SECURITY = ("starttls", "tls", "none")
DAY = 86400


def default_path(environ: Mapping[str, str] = os.environ) -> Path:
    config_home = environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
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
        return self.section("user").get("name")

    @property
    def database(self) -> str | None:
        return self.section("database").get("url")


def load(path: str | os.PathLike | None = None, environ: Mapping[str, str] = os.environ) -> Config:
    explicit = path is not None
    file = Path(path) if explicit else default_path(environ)
    if not file.exists():
        if explicit:
            raise ConfigError(f"config file not found: {file}")
        return Config()
    import tomllib  # only when there is a file to read: every command loads the config at start

    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config {file}: {exc.strerror}") from None
    return check(Config(file, data))


def check(config: Config) -> Config:
    """Every section and key of ``config`` checked now, not when (or if) a command reads it."""
    for key in sorted(set(config.data) - set(KEYS)):
        if isinstance(config.data[key], dict):
            raise ConfigError(f"{config.where}: unknown section [{_shown(key)}]{_hint(key, KEYS, '[', ']')}; known: {', '.join(sorted(KEYS))}")
        home = next((f" (did you mean [{s}] {key}?)" for s, keys in KEYS.items() if keys and key in keys), "")
        raise ConfigError(f"{config.where}: unknown key {_shown(key)} outside any section{home}")
    for name, keys in KEYS.items():
        if keys is not None:
            _known(config.where, name, config.section(name), keys)
    _text(config, "user", "name", "a name")
    _text(config, "database", "url", "a file path or database URL")
    review_settings(config)
    reminder_settings(config)
    extract_settings(config)
    publish_settings(config)
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


def extract_settings(config: Config) -> dict[str, Any]:
    """[extract]: the spaCy pipeline to load by name, and how URLs are fetched (docs/extract.md)."""
    section = config.section("extract")
    model = section.get("model", "en_core_web_sm")
    if not isinstance(model, str) or not re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", model):
        raise _expected(config.where, "extract.model", "a spaCy pipeline's package name, e.g. \"en_core_web_sm\"", model)
    return {
        "model": model,
        "timeout": _whole(config.where, "extract.timeout", section.get("timeout", 10), 1, 300),
        "max_redirects": _whole(config.where, "extract.max_redirects", section.get("max_redirects", 5), 0, 20),
    }


def publish_settings(config: Config) -> dict[str, Any]:
    """[publish]: who publishes the site, its title and base URL (docs/publish.md); each a string."""
    section = config.section("publish")
    out: dict[str, Any] = {}
    for key in ("publisher", "base_url", "title"):
        value = section.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise _expected(config.where, f"publish.{key}", "a text", value)
        out[key] = value
    return out


def review_settings(config: Config) -> dict[str, Any]:
    """[review]: ``quorum`` distinct reviewers must agree; ``independent``: one of them not the logger."""
    section = config.section("review")
    independent = section.get("independent", False)
    if not isinstance(independent, bool):
        raise _expected(config.where, "review.independent", "true or false", independent)
    return {"quorum": _whole(config.where, "review.quorum", section.get("quorum", 1), 1, 100), "independent": independent}


# [reminders], [channels.NAME] and [scheduler]: see docs/reminders.md -------------------------------

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
    max_attempts: int = 12  # then a reminder is parked: by default after retries over about 20 hours


# The upper bounds keep every date and retry time the scheduler computes representable.
_SCHEDULER_RANGES = {
    "scan_minutes": 7 * 24 * 60, "deliver_seconds": DAY, "lease_seconds": DAY,
    "retry_base_seconds": DAY, "retry_max_seconds": 7 * DAY, "max_attempts": 1000,
}


def reminder_settings(config: Config) -> ReminderSettings:
    """The reminder settings, checked whole: any mistake is one ConfigError naming the key."""
    where = config.where
    rem, sched = config.section("reminders"), config.section("scheduler")
    _known(where, "reminders", rem, KEYS["reminders"])
    _known(where, "scheduler", sched, KEYS["scheduler"])
    recipients = _list(where, "reminders.recipients", rem.get("recipients", []), "a list of names or email addresses", _recipient)
    configured = {name: _channel(where, name, value) for name, value in config.section("channels").items()}
    if not configured:  # nothing set up yet: reminders still show, in the scheduler's output
        configured = {"log": Channel("log", "log", {})}
    chosen = _list(where, "reminders.channels", rem.get("channels", list(configured)), "a list of channel names", _name)
    for name in chosen:
        if name not in configured:
            raise ConfigError(f"{where}: reminders.channels names {name!r}, but there is no [channels.{name}]{_hint(name, configured, '[channels.', ']')}")
    channels = tuple(configured[n] for n in chosen)
    for ch in channels:
        if ch.type == "smtp" and not ch.options["to"] and not any("@" in r for r in recipients):
            raise ConfigError(
                f"{where}: [channels.{ch.name}] needs `to` addresses, or reminders.recipients with an address, "
                "for claims that have no reviewer assigned"
            )
    timing = {k: _whole(where, f"scheduler.{k}", sched[k], 1, _SCHEDULER_RANGES[k]) for k in sched}
    settings = ReminderSettings(
        every_days=_whole(where, "reminders.every_days", rem.get("every_days", 7), 1, 365),
        recipients=tuple(recipients), channels=channels, **timing,
    )
    if settings.retry_base_seconds > settings.retry_max_seconds:
        raise _expected(where, "scheduler.retry_base_seconds", f"at most retry_max_seconds ({settings.retry_max_seconds})", settings.retry_base_seconds)
    return settings


def _channel(where: str, name: str, value: Any) -> Channel:
    key = f"channels.{_shown(name)}"
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", name):  # stored on every reminder it carries
        raise ConfigError(f"{where}: [{key}]: a channel name is 1 to 100 letters, digits, - or _")
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a table")
    kind = value.get("type")
    if kind not in CHANNEL_TYPES:
        raise ConfigError(f"{where}: [{key}] has unknown type {kind!r}; use one of {', '.join(CHANNEL_TYPES)}")
    _known(where, key, value, CHANNEL_KEYS[kind])
    options = {k: v for k, v in value.items() if k != "type"}
    if kind == "smtp":
        if not isinstance(options.get("host"), str) or not options["host"].strip():
            raise ConfigError(f"{where}: [{key}] needs host = \"smtp.example.org\"")
        host = _host(where, f"{key}.host", options["host"])
        security = options.setdefault("security", "starttls")
        if security not in SECURITY:
            raise ConfigError(f"{where}: [{key}] security must be one of {', '.join(SECURITY)}, not {security!r}")
        options["port"] = _whole(where, f"{key}.port", options.get("port", {"starttls": 587, "tls": 465, "none": 25}[security]), 1, 65535)
        if "from" not in options:
            raise ConfigError(f"{where}: [{key}] needs from = \"claims@example.org\"")
        _address(where, f"{key}.from", options["from"])
        to = options.setdefault("to", [])
        options["to"] = _list(where, f"{key}.to", [to] if isinstance(to, str) else to, "a list of email addresses", _address)
        user = options.get("user")
        if user is not None:
            _header_text(where, f"{key}.user", user, "a login name")
            if "password_env" not in options:
                raise ConfigError(f"{where}: [{key}] has a user but no password_env naming the variable with its password")
        if "password_env" in options:
            variable = options["password_env"]
            if not isinstance(variable, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
                raise _expected(where, f"{key}.password_env", "the name of an environment variable, like CLAIMS_SMTP_PASSWORD", variable)
            if user is None:
                raise ConfigError(f"{where}: [{key}] has a password_env but no user to log in as")
            if security == "none" and not _loopback(host):
                raise ConfigError(
                    f"{where}: [{key}] would send its password unencrypted to {host} (security = \"none\"); "
                    "use security = \"starttls\" or \"tls\" (only a loopback host may go without)"
                )
    elif kind == "webhook":
        if "url" not in options:
            raise ConfigError(f"{where}: [{key}] needs url = \"https://...\" (the incoming webhook's address)")
        _checked(where, f"{key}.url", options["url"], "a web address like \"https://chat.example.org/hooks/...\"", web_address)
    if kind != "log":
        timeout = options.setdefault("timeout", 20)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not (math.isfinite(timeout) and 0 < timeout <= 600):
            raise _expected(where, f"{key}.timeout", "a number of seconds above 0 and at most 600", timeout)
    return Channel(name, kind, options)


# Checks -------------------------------------------------------------------------------------------

def _expected(where: str, key: str, expected: str, value: Any) -> ConfigError:
    shown = repr(value)
    return ConfigError(f"{where}: {key} must be {expected}, not {shown if len(shown) <= 80 else shown[:77] + '...'}")


def _known(where: str, section: str, values: dict[str, Any], keys: set[str]) -> None:
    for key in sorted(set(values) - keys):
        hint = _hint(key, keys, f"{section}.")
        raise ConfigError(f"{where}: unknown key {section}.{_shown(key)}{hint}; known: {', '.join(sorted(keys))}")


def _hint(key: str, known, before: str = "", after: str = "") -> str:
    """' (did you mean review.quorum?)' for the known name closest to a misspelt one, if any is close."""
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.5)
    return f" (did you mean {before}{close[0]}{after}?)" if close else ""


def _shown(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else repr(key)


def _whole(where: str, key: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _expected(where, key, f"a whole number from {low} to {high}", value)
    return value


def _checked(where: str, key: str, value: Any, expected: str, rule) -> Any:
    if not isinstance(value, str):
        raise _expected(where, key, expected, value)
    try:
        return rule(value)
    except InvalidInput:
        raise _expected(where, key, expected, value) from None


def _address(where: str, key: str, value: Any) -> str:
    _checked(where, key, value, "an email address like \"Claims <claims@example.org>\" on one line", mailbox)
    return value.strip()


def _recipient(where: str, key: str, value: Any) -> str:
    if isinstance(value, str) and ("@" in value or "<" in value):
        return _address(where, key, value)
    name = _header_text(where, key, value, "a name or an email address")
    if len(name) > MAX_LENGTH:  # what the outbox stores for a recipient
        raise _expected(where, key, f"a name of at most {MAX_LENGTH} characters", value)
    return name


def _name(where: str, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _expected(where, key, "a channel name", value)
    return value


def _header_text(where: str, key: str, value: Any, expected: str) -> str:
    if not isinstance(value, str) or not value.strip() or any(unicodedata.category(c)[0] == "C" for c in value):
        raise _expected(where, key, f"{expected} on one line", value)
    return value.strip()


def _host(where: str, key: str, value: str) -> str:
    if any(c.isspace() or unicodedata.category(c)[0] == "C" for c in value) or "/" in value:
        raise _expected(where, key, "a host name like smtp.example.org", value)
    return value


def _list(where: str, key: str, value: Any, expected: str, each) -> list:
    if not isinstance(value, list):
        raise _expected(where, key, expected, value)
    return [each(where, key, item) for item in value]


def _text(config: Config, section: str, key: str, expected: str) -> str | None:
    value = config.section(section).get(key)
    return None if value is None else _header_text(config.where, f"{section}.{key}", value, expected)


def _loopback(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost":
        return True
    import ipaddress  # here, not at start-up: only a channel's host is checked with it

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
