"""The text of a reminder digest, without a database."""

from datetime import date

from ledger.domain.reminders import digest_subject, digest_text, due_claim

AS_OF = date(2025, 3, 10)


def claim(claim_id, days, quote=None, source=None, reminder=None):
    view = due_claim(claim_id, "Elon Musk", "Robotaxis in Austin", quote, date.fromordinal(AS_OF.toordinal() - days),
                     "by June", "due", source, AS_OF)
    if reminder:
        view["reminder"] = reminder
    return view


def test_a_due_claim_says_how_late_it_is_and_how_to_close_it():
    view = claim(7, 3)
    assert view["days_overdue"] == 3 and view["deadline"] == "2025-03-07"
    assert view["resolve"] == "claims resolve 7 --outcome true|false|partial|ambiguous --evidence URL"


def test_one_claim_is_spoken_of_in_the_singular():
    text = digest_text([claim(7, 1, quote="Next year", source="https://example.org/a", reminder=2)], AS_OF, 7)
    assert digest_subject(1) == "claims: 1 lapsed prediction awaiting a verdict"
    assert text.splitlines() == [
        "1 claim has passed its deadline and awaits your verdict (as of 2025-03-10).",
        "",
        "#7 Elon Musk: Robotaxis in Austin",
        "  \u201cNext year\u201d",
        "  Deadline 2025-03-09 (by June), 1 day overdue, reminder 2",
        "  Source: https://example.org/a",
        "  Close it: claims resolve 7 --outcome true|false|partial|ambiguous --evidence URL",
        "",
        "You will be reminded again every 7 days until each claim is resolved.",
    ]


def test_several_claims_in_the_plural_without_quote_or_source():
    text = digest_text([claim(1, 2), claim(2, 0)], AS_OF, 3)
    assert digest_subject(2) == "claims: 2 lapsed predictions awaiting a verdict"
    assert text.startswith("2 claims have passed their deadline and await your verdict (as of 2025-03-10).\n")
    assert "2 days overdue\n" in text and "0 days overdue\n" in text
    assert "Source:" not in text and "\u201c" not in text
    assert text.endswith("every 3 days until each claim is resolved.")


def test_an_empty_preview_says_nothing_awaits():
    assert digest_text([], AS_OF, 7) == "No lapsed claim awaits a verdict (as of 2025-03-10)."
    assert digest_subject(0) == "claims: 0 lapsed predictions awaiting a verdict"
