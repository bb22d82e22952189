"""The calendar against hostile stored text: a calendar app sees one event per claim, none forged."""

from __future__ import annotations

import icalendar

import hostile


def test_hostile_text_and_urls_give_exactly_one_event_per_claim(cli, db_url, tmp_path):
    ids = hostile.fill(cli, db_url, tmp_path)
    raw = cli("calendar").out

    events = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert len(events) == len(ids)
    assert sorted(str(e["UID"]).split("@")[0] for e in events) == sorted(f"claim-{i}" for i in ids)
    assert not any("ATTENDEE" in e for e in events) and "forged" not in {str(e["UID"]) for e in events}

    lines = raw.encode("utf-8").split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    assert not any(ch in raw.replace("\r\n", "") for ch in "\r\n")  # no bare CR or LF anywhere
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in raw.replace("\r\n", ""))
    by_uid = {str(e["UID"]).split("@")[0]: e for e in events}
    for claim_id, text in zip(ids, hostile.TEXTS):
        event = by_uid[f"claim-{claim_id}"]
        summary = str(event["SUMMARY"])
        # The text reads back as written, less its control characters (a line break stays one).
        visible = "".join(ch for ch in text.replace("\r\n", "\n").replace("\r", "\n") if ch == "\n" or ord(ch) >= 0x20 and not 0x7F <= ord(ch) <= 0x9F)
        assert summary.endswith(visible.replace("\t", " ")) or summary.endswith(visible.replace("\t", " ").replace("\u202e", ""))
        if "URL" in event:  # only http(s), percent-encoded: one line, no space or quote
            url = str(event["URL"])
            assert url.startswith("https://") and not any(ch in url for ch in " \r\n\"<>")
