"""`claims calendar`: unresolved deadlines as iCalendar, read back with the icalendar library."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
from sqlalchemy import update

from ledger.store.engine import open_ledger
from ledger.store.models import Claim

LONG_QUOTE = (
    "I think we are quite close to achieving full autonomy \u2014 \u00e9l\u00e8ve; unicode, commas, "
    "semicolons; and a line\nbreak, to see folding and escaping survive a calendar app"
)


def events(ics: str) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(ics)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_one_all_day_event_per_unresolved_claim_with_an_alarm(musk, db_url, tmp_path):
    added = {}
    for name, deadline, quote in [("level5", "2024-12-31", LONG_QUOTE), ("mars", "2029-12-31", None), ("done", "2025-06-30", None)]:
        r = musk("add", name, "--speaker", "Musk", "--deadline", deadline, "--source", "https://example.org/waic-2023", *(["--quote", quote] if quote else []), "--json")
        assert r.status == 0, r.err
        added[name] = r.json["id"]
    ledger = open_ledger(db_url)
    with ledger.write() as s:
        s.execute(update(Claim).where(Claim.id == added["done"]).values(status="resolved", outcome="false", version=Claim.version + 1))
    ledger.dispose()

    out = tmp_path / "deadlines.ics"
    result = musk("calendar", "--out", out)
    assert result.status == 0 and "Wrote 2 deadline(s)" in result.err
    raw = out.read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded as RFC 5545 asks
    found = events(raw.decode("utf-8"))
    assert len(found) == 2  # the resolved claim has no event

    level5 = next(e for e in found.values() if "level5" in str(e["SUMMARY"]))
    assert level5.decoded("DTSTART") == date(2024, 12, 31)  # a date: an all-day event
    assert level5.decoded("DTEND") == date(2024, 12, 31) + timedelta(days=1)
    assert str(level5["SUMMARY"]) == "Deadline: Elon Musk: level5"
    description = str(level5["DESCRIPTION"])
    assert LONG_QUOTE in description and "https://example.org/waic-2023" in description
    assert f"claims resolve {added['level5']} --outcome" in description
    assert "DTSTAMP" in level5
    alarms = level5.walk("VALARM")
    assert len(alarms) == 1 and str(alarms[0]["ACTION"]) == "DISPLAY" and alarms[0].decoded("TRIGGER") == -timedelta(days=1)

    uids = sorted(found)
    assert all(uid.startswith("claim-") and "@ledger-" in uid for uid in uids)
    assert {uid.split("@")[0] for uid in uids} == {f"claim-{added['level5']}", f"claim-{added['mars']}"}
    again = events(musk("calendar").out)  # stdout, and a second export: the same UIDs, so an import updates
    assert sorted(again) == uids


def test_the_uid_names_the_ledger_so_two_ledgers_do_not_collide(musk, tmp_path):
    assert musk("add", "x", "--speaker", "Musk", "--said", "2020-01-01", "--deadline", "2021-01-01").status == 0
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert musk("speaker", "add", "Someone Else", db=other).status == 0
    assert musk("add", "x", "--speaker", "Someone Else", "--said", "2020-01-01", "--deadline", "2021-01-01", db=other).status == 0
    first, second = set(events(musk("calendar").out)), set(events(musk("calendar", db=other).out))
    assert len(first) == len(second) == 1 and first != second


def test_an_empty_ledger_is_an_empty_calendar(cli):
    cal = icalendar.Calendar.from_ical(cli("calendar").out)
    assert cal.walk("VEVENT") == [] and str(cal["VERSION"]) == "2.0"


def test_an_unwritable_out_file_is_one_line(musk, tmp_path):
    result = musk("calendar", "--out", tmp_path / "no" / "such" / "dir" / "x.ics")
    assert result.status == 2 and len(result.err.strip().splitlines()) == 1 and "cannot write" in result.err
