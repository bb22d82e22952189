"""The one error hierarchy. Every module raises these; only the CLI turns them into exit codes.

Each class carries the exit status a user sees, so the mapping lives here and nowhere else.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2  # bad arguments or input values
    NOT_FOUND = 3
    CONFLICT = 4  # duplicates, lost races, already resolved
    TAMPERED = 5  # the journal or the rows disagree with what was recorded
    STORAGE = 6  # database unreachable, unwritable, or its schema out of date
    CONFIG = 7  # the config file is wrong


class LedgerError(Exception):
    """Base of every error a user may see: one line, no traceback."""

    exit_status = ExitStatus.ERROR

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # always one line
        return " ".join(self.message.split("\n"))


class InvalidInput(LedgerError):
    """A value the user gave cannot be used (a date, a probability, an empty text...)."""

    exit_status = ExitStatus.USAGE


class InvalidDate(InvalidInput):
    pass


class InvalidDeadline(InvalidInput):
    pass


class DeadlinePassed(InvalidDeadline):
    """A deadline the grammar reads, but one that ended before the day it was said."""


class NotFound(LedgerError):
    exit_status = ExitStatus.NOT_FOUND


class Conflict(LedgerError):
    exit_status = ExitStatus.CONFLICT


class Tampered(LedgerError):
    exit_status = ExitStatus.TAMPERED


class StorageError(LedgerError):
    exit_status = ExitStatus.STORAGE


class SchemaOutOfDate(StorageError):
    pass


class ConfigError(LedgerError):
    exit_status = ExitStatus.CONFIG


class DeliveryError(LedgerError):
    """A reminder could not be delivered; kept with its error and retried."""
