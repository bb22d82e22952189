"""The deadline finder: phrases picked out of whole sentences, and never one the grammar refuses."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.deadline_spans import find_deadlines
from ledger.domain.deadlines import normalise
from test_deadlines import SAID, _documented_examples


def _texts(sentence: str, said: date = SAID) -> list[str]:
    return [s.text for s in find_deadlines(sentence, said)]


def test_the_seed_sentence_gives_its_deadline():
    sentence = ('Regarding autonomous driving, Musk stated that Tesla is likely to achieve "full self-driving in '
                'what you call [level] 4 or 5 later this year," implying that drivers can be hands-free.')
    (found,) = find_deadlines(sentence, date(2023, 7, 6))
    assert sentence[found.start:found.end] == found.text == "later this year"
    assert found.deadline.deadline == date(2023, 12, 31)


@pytest.mark.parametrize("example", _documented_examples())
def test_every_documented_example_is_found_in_a_sentence(example):
    # A bare count of time ("two to three years") is a deadline in running text only after a signal.
    bare = normalise(example, SAID).timex.startswith("P") and example.split()[0] not in ("in", "within", "over")
    phrase = f"within {example}" if bare and not example.endswith("from now") else example
    sentence = f"The chief executive said the company would deliver it {phrase}, analysts noted."
    assert phrase in _texts(sentence)


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Prices may fall in May or June.", ["in May or June"]),
        ("It will ship by the end of next year, hopefully, and profits follow by Easter 2024.",
         ["by the end of next year, hopefully", "by Easter 2024"]),
        ("We will get there any day now, or in a matter of weeks.", ["in a matter of weeks", "any day now"]),
        ("Deliveries start in the second half of next year, or early 2025 at the latest.",
         ["in the second half of next year, or early 2025 at the latest"]),
        ("It took three months of work, he said.", []),  # no signal: a count, not a deadline
        ("Congress will pass it before the Oct. 1 deadline.", ["before the Oct. 1 deadline"]),
        ("A short-term measure will pass in the short term.", ["in the short term"]),
        ("It should be done in three months, six at most, he said.", ["in three months, six at most"]),
        ("We expect share gains in the second half of calendar 2024.", ["in the second half of calendar 2024"]),
        ("For the fiscal fourth quarter, we expect revenue of $10 billion.", ["the fiscal fourth quarter"]),
        ("He said profit for 2024 would fall.", ["for 2024"]),  # the year a forecast covers
        ("The shortage will last well into 2024.", ["well into 2024"]),
        ("The Senate will vote before Memorial Day.", ["before Memorial Day"]),
        ("Arsenal will win the league next season.", ["next season"]),
        ("The reactor turns on in 2024, and it puts power on the grid soon afterwards.", ["in 2024"]),
    ],
)
def test_phrases_in_running_text(sentence, expected):
    assert _texts(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    ["It was a year of growth.", "Car of the year.", "Sales fell last year and in 2020.",
     "Shares may fall.", "Two years ago he said so.", "Today he spoke about tomorrow's cars.",
     "He will stay for two years.", "Margins will widen for the quarter.", "Gross margin in the quarter was 39%.",
     "Tickets for the season opener sold out."],
)
def test_no_deadline_where_running_text_means_none(sentence):
    assert _texts(sentence) == []


def test_longest_first_and_never_overlapping():
    found = find_deadlines("By mid-2025, or by the end of 2026 at the latest, and soon.", SAID)
    assert [f.text for f in found] == ["By mid-2025, or by the end of 2026 at the latest", "soon"]


_WORDS = st.sampled_from(
    "by in within before the end of next this last year years month months week Q3 2025 2024 2019 H1 "
    "early mid late later March May may June Easter Thanksgiving Christmas or and at most latest a two "
    "three six soon any day now matter weeks for sure hopefully , - he said will ship cars \" . 31 "
    "fiscal FY2026 decade 2030s half second quarter spring fall couple few from time calendar season "
    "Memorial Labor Day into well on soon afterwards".split()
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=25), st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)))
def test_the_finder_never_returns_a_span_the_parser_refuses(words, said):
    sentence = " ".join(words)
    spans = find_deadlines(sentence, said)
    for span in spans:
        assert sentence[span.start:span.end] == span.text
        assert normalise(span.text, said) == span.deadline  # raises if the parser refuses it
    assert [s.end - s.start for s in spans] == sorted((s.end - s.start for s in spans), reverse=True)
    ordered = sorted(spans, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:]))
