"""The delivery job: send the outbox's due reminders, one digest per recipient and channel.

Failures stay in the outbox with their error and are retried with backoff by a later run; a run
never stops the scheduler.
"""

from __future__ import annotations

import logging
import threading
from datetime import date

from ledger.config import ReminderSettings
from ledger.services.channels import Sender
from ledger.services.reminders import DeliveryReport, deliver
from ledger.store.engine import Ledger

log = logging.getLogger("ledger.jobs.deliver")


def run(
    ledger: Ledger,
    settings: ReminderSettings,
    senders: dict[str, Sender],
    *,
    worker: str | None = None,
    stop: threading.Event | None = None,
    today: date | None = None,
) -> DeliveryReport:
    report = deliver(ledger, settings, senders, worker=worker, stop=stop, today=today)
    if report.digests or report.failed or report.cancelled:
        log.info(
            "delivery: sent %d reminder(s) in %d digest(s), %d failed, %d cancelled (claim resolved)",
            report.sent, report.digests, report.failed, report.cancelled,
        )
    for error in dict.fromkeys(report.errors):
        log.warning("delivery failed, will retry: %s", error)
    return report
