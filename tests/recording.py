"""The time the ledger records a change at, set by a test: a verdict "recorded on D" without
waiting for D. ``claims report --as-of D`` counts only the verdicts recorded by the end of D."""

from __future__ import annotations

from datetime import datetime

import pytest

# Every module that stamps a review, an import, an edit or a journal entry with the current time.
_CLOCKS = ("ledger.services.review", "ledger.services.journal", "ledger.services.transfer.bulk",
           "ledger.services.edits")
LONG_AGO = "2000-01-01T00:00:00+00:00"


def record_at(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """From now on, the ledger records changes as made at ``when`` (ISO, with its UTC offset)."""
    moment = datetime.fromisoformat(when)
    for module in _CLOCKS:
        monkeypatch.setattr(f"{module}.utcnow", lambda: moment)


@pytest.fixture
def reviewed_long_ago(monkeypatch):
    """Verdicts recorded on 2000-01-01, so that a report as of any later date sees all of them."""
    record_at(monkeypatch, LONG_AGO)
