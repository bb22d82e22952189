"""The delivery job: send the outbox's due reminders, one digest per recipient and channel.

Failures stay in the outbox with their error and are retried with backoff by a later run, up to
``max_attempts``, then parked; each is logged with its recipient and reason. A run never stops the
scheduler.
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
    today: date,
) -> DeliveryReport:
    report = deliver(ledger, settings, senders, worker=worker, stop=stop, today=today)
    if report.digests or report.failed or report.cancelled:
        log.info(
            "delivery: sent %d reminder(s) in %d digest(s), %d failed (%d of them parked), %d cancelled",
            report.sent, report.digests, report.failed, report.parked, report.cancelled,
        )
    for f in report.failures:  # each says who missed their reminder and why, so it can be fixed
        if f.retry_at is None:
            log.error(
                "delivery to %s on %s failed %d times, parked (no more retries; see `claims reminders list --failed`): %s",
                f.recipient, f.channel, f.attempts, f.error,
            )
        else:
            log.warning(
                "delivery to %s on %s failed (attempt %d of %d), will retry at %s: %s",
                f.recipient, f.channel, f.attempts, settings.max_attempts, f.retry_at.isoformat(timespec="seconds"), f.error,
            )
    return report
