"""`claims scheduler run`: the scan and delivery jobs on an APScheduler 3.x schedule.

The schedule is defined here in code with stable job ids and kept in memory; all state lives in
the ledger's tables, so nothing is lost when the process stops and a restart simply carries on.
SIGTERM or SIGINT lets the digest being sent finish, then stops.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

from ledger.config import ReminderSettings
from ledger.errors import DeliveryError, LedgerError
from ledger.jobs import deliver, scan
from ledger.services.channels import Sender
from ledger.services.reminders import worker_id
from ledger.store.engine import Ledger

log = logging.getLogger("ledger.jobs.scheduler")

SCAN_JOB = "claims-scan"
DELIVER_JOB = "claims-deliver"


class Scheduler:
    def __init__(
        self, ledger: Ledger, settings: ReminderSettings, senders: dict[str, Sender], today: Callable[[], date] = date.today
    ):
        # ``today`` is read at every run: a scheduler that runs for weeks moves on with the calendar.
        self.ledger, self.settings, self.senders, self.today = ledger, settings, senders, today
        self.worker = worker_id()
        self.stop = threading.Event()
        self.failed = self.parked = 0  # reminders, over this process's deliveries
        self.scan_error: LedgerError | None = None  # the last scan's, for run_once's exit status
        self.delivery_error: LedgerError | None = None  # the last delivery's, likewise
        self._scheduler = None

    # The jobs ---------------------------------------------------------------------------------
    def scan(self) -> None:
        try:
            report = scan.run(self.ledger, self.settings, self.today())
        except LedgerError as exc:  # e.g. the database is down: say so, try again next time
            log.error("scan failed: %s", exc)
            self.scan_error = exc
            return
        self.scan_error = None
        if report.reminders and self._scheduler is not None and not self.stop.is_set():
            self._scheduler.modify_job(DELIVER_JOB, next_run_time=datetime.now(timezone.utc))

    def deliver(self) -> None:
        try:
            report = deliver.run(self.ledger, self.settings, self.senders, worker=self.worker, stop=self.stop, today=self.today())
        except LedgerError as exc:
            log.error("delivery failed: %s", exc)
            self.delivery_error = exc
            return
        self.delivery_error = None
        self.failed += report.failed
        self.parked += report.parked

    # Running ----------------------------------------------------------------------------------
    def run_once(self) -> None:
        """Each job once, in order: for cron and systemd timers, so any job that failed fails the run."""
        with _signals(self._stop_requested):
            self.scan()
            if not self.stop.is_set():
                self.deliver()
        kept = f", {self.parked} of them parked after {self.settings.max_attempts} tries" if self.parked else "; they are kept and retried"
        problems = [
            *([f"the scan for lapsed claims failed: {self.scan_error}"] if self.scan_error else []),
            *([f"delivery failed: {self.delivery_error}"] if self.delivery_error else []),
            *([f"{self.failed} reminder(s) could not be delivered{kept} (see `claims reminders list --failed`)"] if self.failed else []),
        ]
        if problems:  # a job's own error keeps its exit status: 6 for a locked or unreachable ledger
            error = self.scan_error or self.delivery_error
            raise (type(error) if error else DeliveryError)("; ".join(problems))

    def run_forever(self) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.blocking import BlockingScheduler

        executor = ThreadPoolExecutor(max_workers=2)
        self._scheduler = BlockingScheduler(
            executors={"default": executor},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=timezone.utc,
        )
        now = datetime.now(timezone.utc)
        # Scan at start (catching up on any downtime), then on its interval; delivery follows.
        self._scheduler.add_job(
            self.scan, "interval", minutes=self.settings.scan_minutes, id=SCAN_JOB, name="flag lapsed claims",
            next_run_time=now,
        )
        self._scheduler.add_job(
            self.deliver, "interval", seconds=self.settings.deliver_seconds, id=DELIVER_JOB,
            name="deliver reminders", next_run_time=now + timedelta(seconds=1),
        )
        log.info(
            "scheduler %s: scan every %d min, deliver every %d s, channels: %s",
            self.worker, self.settings.scan_minutes, self.settings.deliver_seconds,
            ", ".join(c.name for c in self.settings.channels),
        )
        with _signals(self._stop_requested):
            self._scheduler.start()
        executor.shutdown(wait=True)  # the job in flight finishes before we return
        log.info("scheduler stopped")

    def _stop_requested(self, signum, _frame) -> None:
        log.info("%s: finishing the digest in flight, then stopping", signal.Signals(signum).name)
        self.stop.set()
        if self._scheduler is not None and self._scheduler.running:
            # Not from the handler itself: the signal may interrupt the main thread inside the
            # executor's submit, which holds the lock that shutdown takes (a deadlock).
            threading.Thread(target=self._scheduler.shutdown, kwargs={"wait": False}, daemon=True).start()


class _signals:
    """Route SIGTERM and SIGINT to ``handler`` while inside, then put the old handlers back."""

    def __init__(self, handler):
        self.handler, self.saved = handler, {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self.saved[sig] = signal.signal(sig, self.handler)
        return self

    def __exit__(self, *exc):
        for sig, previous in self.saved.items():
            signal.signal(sig, previous)
