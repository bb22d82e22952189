"""`claims scheduler run` as a real process: it stops cleanly on SIGTERM, loses nothing to kill -9,
keeps running while the mail server is down, and two of them on one ledger send each reminder once."""

from __future__ import annotations

import configparser
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ledger.domain.claims import ClaimDraft
from ledger.services import journal
from ledger.services.claims import new_claim
from ledger.store.engine import open_ledger
from ledger.store.models import JournalEntry, Reviewer
from ledger.store.models.reminders import ClaimReviewer, Reminder
from ledger.store.types import utcnow
from loopback import Mailbox, Webhook, free_port, wait_for

SAID = date(2020, 1, 1)


def seed(db_url: str, claims: int, reviewers: int) -> list[int]:
    """``claims`` lapsed claims, dealt round-robin to ``reviewers`` reviewers (none: the defaults)."""
    ledger = open_ledger(db_url)
    with ledger.write() as s:
        people = []
        for r in range(reviewers):
            person = Reviewer(name=f"Reviewer {r:02d}", name_key=f"reviewer {r:02d}")
            s.add(person)
            journal.record(s, actor="test", action="reviewer.added", row=person)
            people.append(person)
        ids = []
        for i in range(claims):
            draft = ClaimDraft(text=f"prediction {i}", speaker="Elon Musk", deadline=f"2021-{i % 12 + 1:02d}-15", said=SAID, new_speaker=i == 0)
            claim = new_claim(s, draft, "test", SAID)
            s.flush()
            ids.append(claim.id)
            if people:
                link = ClaimReviewer(claim_id=claim.id, reviewer_id=people[i % len(people)].id, assigned_by="test")
                s.add(link)
                journal.record(s, actor="test", action="claim.assigned", row=link)
    ledger.dispose()
    return ids


def write_config(tmp_path: Path, body: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def webhook_config(tmp_path, hook, scheduler: str = "") -> str:
    return write_config(tmp_path, f'[channels.chat]\ntype = "webhook"\nurl = "{hook.url}"\n\n[scheduler]\ndeliver_seconds = 1\n{scheduler}')


class Scheduler:
    """A `claims scheduler run` process, its output kept in files so it never blocks on a pipe."""

    def __init__(self, tmp_path: Path, db_url: str, cfg: str, *extra: str, name: str = "scheduler"):
        self.out = open(tmp_path / f"{name}.out", "w+")
        self.err = open(tmp_path / f"{name}.err", "w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ledger", "--db", db_url, "--config", cfg, "scheduler", "run", *extra],
            stdout=self.out, stderr=self.err, text=True,
        )

    def log(self) -> str:
        self.err.seek(0)
        return self.err.read()

    def stop(self, sig=signal.SIGTERM, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.out.close()
        self.err.close()


def reminders(db_url: str) -> list[tuple]:
    ledger = open_ledger(db_url)
    with ledger.read() as s:
        rows = s.execute(select(Reminder.claim_id, Reminder.recipient, Reminder.status, Reminder.attempts, Reminder.claimed_by).order_by(Reminder.id)).all()
    ledger.dispose()
    return rows


def count_flagged(db_url: str) -> int:
    ledger = open_ledger(db_url)
    with ledger.read() as s:
        n = s.scalar(select(func.count()).where(JournalEntry.action == "claim.flagged"))
    ledger.dispose()
    return n


def wait_for_leases_to_lapse(db_url: str, lease_seconds: int) -> None:
    """Wait until every lease is older than ``lease_seconds`` by the ledger's clock (whole seconds)."""
    ledger = open_ledger(db_url)
    with ledger.read() as s:
        taken = s.scalar(select(func.max(Reminder.claimed_at)))
    ledger.dispose()
    assert taken is not None  # someone holds a lease
    wait_for(lambda: utcnow() - timedelta(seconds=lease_seconds) > taken, timeout=60)


def deliveries(run: "Scheduler") -> int:
    """How many delivery jobs the scheduler has finished, from its log."""
    return len(re.findall(r'Job "deliver reminders.*executed successfully', run.log()))


def delivered(posts: list[dict]) -> Counter:
    return Counter((post["recipient"], claim["id"]) for post in posts for claim in post["claims"])


def test_sigterm_finishes_the_digest_in_flight_and_stops(db_url, tmp_path):
    ids = seed(db_url, 4, reviewers=2)
    with Webhook(delay=1.5) as hook:
        cfg = webhook_config(tmp_path, hook)
        with Scheduler(tmp_path, db_url, cfg) as run:
            wait_for(lambda: hook.received)  # the first digest is on the wire
            assert run.stop() == 0, run.log()
            log = run.log()
        assert "SIGTERM: finishing the digest in flight" in log and "scheduler stopped" in log
        assert [p["recipient"] for p in hook.accepted] == ["Reviewer 00"]  # it finished, and started no other
        rows = reminders(db_url)
        assert sorted(r[2] for r in rows) == ["pending", "pending", "sent", "sent"]
        assert all(r[4] is None for r in rows)  # no lease left behind
        with Scheduler(tmp_path, db_url, cfg, "--once", name="again") as again:
            assert again.proc.wait(120) == 0, again.log()
    assert delivered(hook.accepted) == Counter({(f"Reviewer {i % 2:02d}", claim): 1 for i, claim in enumerate(ids)})


def test_kill_9_between_flagging_and_delivery_loses_nothing_and_repeats_nothing(db_url, tmp_path):
    ids = seed(db_url, 6, reviewers=2)
    with Webhook() as hook:
        hook.hang.set()  # the chat server stalls: the scheduler is stuck before any digest is accepted
        cfg = webhook_config(tmp_path, hook, "lease_seconds = 2\n")
        with Scheduler(tmp_path, db_url, cfg) as run:
            wait_for(lambda: hook.hung)
            assert count_flagged(db_url) == 6 and len(reminders(db_url)) == 6  # flagged and queued, not delivered
            run.proc.kill()  # SIGKILL: no clean-up of any kind
            run.proc.wait(10)
        assert hook.accepted == []
        assert all(r[2] == "pending" for r in reminders(db_url))
        hook.hang.clear()
        wait_for_leases_to_lapse(db_url, lease_seconds=2)  # the dead worker's lease runs out
        with Scheduler(tmp_path, db_url, cfg, "--once", name="restart") as again:
            assert again.proc.wait(120) == 0, again.log()
    assert delivered(hook.accepted) == Counter({(f"Reviewer {i % 2:02d}", claim): 1 for i, claim in enumerate(ids)})
    assert count_flagged(db_url) == 6  # the restart's scan flagged nothing again
    assert all(r[2] == "sent" for r in reminders(db_url))


def test_the_scheduler_keeps_running_while_the_mail_server_is_down(db_url, tmp_path):
    seed(db_url, 3, reviewers=0)
    port = free_port()
    cfg = write_config(tmp_path, f"""
[channels.email]
type = "smtp"
host = "127.0.0.1"
port = {port}
security = "none"
from = "claims@example.org"
to = ["desk@example.org"]

[scheduler]
deliver_seconds = 1
retry_base_seconds = 1
retry_max_seconds = 1
""")
    with Scheduler(tmp_path, db_url, cfg) as run:
        seen = wait_for(lambda: (rows := reminders(db_url)) and all(r[2] == "failed" and r[3] >= 2 for r in rows) and rows, timeout=60)
        assert run.proc.poll() is None  # still running, retrying
        with Mailbox(port) as mailbox:
            wait_for(lambda: all(r[2] == "sent" for r in reminders(db_url)), timeout=60)
            assert run.stop() == 0
        log = run.log()
    assert "delivery to desk@example.org on email failed (attempt 1 of 12), will retry at " in log and f": SMTP 127.0.0.1:{port}, email to desk@example.org: " in log, (seen, port)
    assert [rcpt for rcpt, _ in mailbox.messages] == [["desk@example.org"]], (log, [m.get_content() for _, m in mailbox.messages])
    body = mailbox.messages[0][1].get_content()
    assert all(f"claims resolve {claim} --outcome" in body for claim in (1, 2, 3))


@pytest.mark.parametrize("backend", ["sqlite"])  # the log's lines do not depend on the backend
def test_a_servers_hostile_answer_is_one_escaped_line_in_the_log(db_url, tmp_path):
    seed(db_url, 1, reviewers=1)
    with Webhook(refuse=(503, "Busy\x1b]0;owned\x07\x1b[2J\r2026-01-01 00:00:00 INFO all sent")) as hook:
        cfg = webhook_config(tmp_path, hook)
        with Scheduler(tmp_path, db_url, cfg, "--once", name="once") as run:
            run.proc.wait(120)
            log = run.log()
    assert hook.received, log  # it was asked, and refused
    assert "\x1b" not in log and "\x07" not in log and "\r" not in log, log  # nothing raw reaches the terminal
    (line,) = [line for line in log.splitlines() if "webhook" in line]
    assert "answered 503 Busy\\x1b]0;owned\\x07\\x1b[2J 2026-01-01 00:00:00 INFO all sent" in line, line  # CR: a space
    records = [line for line in log.splitlines() if not line.startswith("claims: error: ")]  # the exit's reason
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ", line) for line in records), log


@pytest.mark.parametrize("backend", ["sqlite"])  # a busy SQLite file is how a scan finds the ledger locked
def test_once_fails_when_its_scan_failed_on_a_locked_ledger(cli, db_url, monkeypatch):
    seed(db_url, 2, reviewers=0)
    monkeypatch.setattr("ledger.store.engine.BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another writer, e.g. a long import, holds the ledger

    released = []

    class ReleaseOnceTheScanFailed(logging.Handler):  # so delivery, which runs next, finds it free
        def emit(self, record):
            if record.getMessage().startswith("scan failed") and not released:
                holder.execute("ROLLBACK")
                released.append(record.getMessage())

    release = ReleaseOnceTheScanFailed()
    logging.getLogger("ledger.jobs.scheduler").addHandler(release)
    try:
        run = cli("scheduler", "run", "--once")
    finally:
        logging.getLogger("ledger.jobs.scheduler").removeHandler(release)
        holder.close()
    assert len(released) == 1  # the scan did meet the lock
    assert run.status == 6, run.err
    assert run.err.splitlines()[-1] == f"claims: error: the scan for lapsed claims failed: database error on {db_url}: database is locked"
    assert count_flagged(db_url) == 0
    assert cli("scheduler", "run", "--once").status == 0  # the next run catches up
    assert count_flagged(db_url) == 2


def test_two_schedulers_send_each_reminder_exactly_once(db_url, tmp_path):
    ids = seed(db_url, 300, reviewers=30)
    with Webhook(delay=0.1) as hook:  # 30 digests take 3 s: long enough for both to be at it
        cfg = webhook_config(tmp_path, hook)
        with Scheduler(tmp_path, db_url, cfg, name="a") as a, Scheduler(tmp_path, db_url, cfg, name="b") as b:
            wait_for(lambda: (rows := reminders(db_url)) and len(rows) == 300 and all(r[2] == "sent" for r in rows), timeout=60)
            # A window for any duplicate to show up at the server: each runs one more whole delivery.
            done = [deliveries(run) for run in (a, b)]
            wait_for(lambda: all(deliveries(run) > n for run, n in zip((a, b), done)), timeout=60)
            assert a.stop() == 0, a.log()
            assert b.stop() == 0, b.log()
            sent_by = [sum(map(int, re.findall(r"delivery: sent (\d+)", run.log()))) for run in (a, b)]
        posts = list(hook.accepted)
    assert sum(sent_by) == 300 and min(sent_by) > 0, sent_by  # both took a share
    counts = delivered(posts)
    assert counts == Counter({(f"Reviewer {i % 30:02d}", claim): 1 for i, claim in enumerate(ids)})
    assert count_flagged(db_url) == 300


def test_deployment_examples_run_the_scheduler():
    jobs = files("ledger.jobs")
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.read_string(jobs.joinpath("claims-scheduler.service").read_text())
    assert unit["Service"]["ExecStart"].endswith("scheduler run")
    assert unit["Service"]["KillSignal"] == "SIGTERM"
    timer = configparser.ConfigParser(interpolation=None)
    timer.read_string(jobs.joinpath("claims-scheduler.timer").read_text())
    assert timer["Timer"]["OnCalendar"]
    cron = [line for line in jobs.joinpath("claims.cron").read_text().splitlines() if line and not line.startswith("#")]
    assert len(cron) == 1
    *when, command = cron[0].split(None, 5)
    assert len(when) == 5 and command.startswith("claims ") and command.endswith("scheduler run --once")


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch):
    monkeypatch.delenv("CLAIMS_DEBUG", raising=False)
    monkeypatch.setenv("PYTHONUNBUFFERED", "1")
    os.environ.pop("CLAIMS_DB", None)
