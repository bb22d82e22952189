"""The scan job: flag claims whose deadline lapsed and queue the reminders they owe.

It reads only the ledger's own tables, so the first scan after any downtime catches up on
everything that lapsed meanwhile; running it twice, or on two machines, flags and queues nothing twice.
"""

from __future__ import annotations

import logging
from datetime import date

from ledger.config import ReminderSettings
from ledger.services.reminders import ScanReport, scan
from ledger.store.engine import Ledger

log = logging.getLogger("ledger.jobs.scan")


def run(ledger: Ledger, settings: ReminderSettings, as_of: date) -> ScanReport:
    report = scan(ledger, settings, as_of)
    log.info(
        "scan as of %s: flagged %d lapsed claim(s), queued %d reminder(s)",
        report.as_of, len(report.flagged), report.reminders,
    )
    return report
