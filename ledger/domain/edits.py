"""What changing a claim after it was logged may do, and how the change is told: the fields
before and after, the reason, and what the dates then say about its status.

Pure: the caller reads the rows and says what day it is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.domain.text import about, block
from ledger.domain.vocab import ClaimStatus
from ledger.errors import InvalidInput

# A resolved claim was judged on these: changing one after the verdict is an edit of substance,
# which the claim's history and `claims show` name as such.
SUBSTANCE = ("text", "quote", "said", "deadline", "deadline_text")
# Bookkeeping that every change moves; a diff that showed it would bury what the user changed.
UNTOLD = ("version",)


def check_reason(reason: str | None, what: str) -> str:
    """Every change to a claim says why: the history is only worth reading if it does."""
    with about("reason"):
        checked = block(reason, "reason")
    if checked is None:
        raise InvalidInput(f"{what} needs --reason: say why, for the claim's history")
    return checked


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{field: {"from": old, "to": new}}`` for each field of two snapshots that differs."""
    return {
        key: {"from": before.get(key), "to": value}
        for key, value in sorted(after.items())
        if key not in UNTOLD and before.get(key) != value
    }


def substance_changed(changes: dict[str, Any]) -> bool:
    return any(key in changes for key in SUBSTANCE)


def status_on(status: str, deadline: date, today: date) -> str:
    """A claim's status as its dates say it on ``today``: an open claim whose deadline has passed
    is due at once, whether or not the scan has recorded it yet."""
    if status == ClaimStatus.OPEN and deadline < today:
        return ClaimStatus.DUE.value
    return status


def status_after_move(status: str, deadline: date, today: date) -> str:
    """The stored status once a claim's deadline is ``deadline``: a due claim whose deadline moved
    past today is open again. One moved into the past stays as stored until the scan flags it
    (and queues its reminders); status_on already shows it due."""
    if status == ClaimStatus.DUE and deadline >= today:
        return ClaimStatus.OPEN.value
    return status
