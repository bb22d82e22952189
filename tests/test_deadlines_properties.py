"""Properties of the deadline grammar over many reference dates and composed expressions:
a reading never ends before the date said, and nothing but InvalidDeadline ever escapes."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.deadlines import normalise
from ledger.errors import InvalidDeadline

SETTINGS = settings(max_examples=300, deadline=None)
SAID = st.dates(date(1900, 1, 1), date(2100, 12, 31))

WORDS = {1: "one", 2: "two", 3: "three", 6: "six", 12: "twelve", 18: "eighteen", 21: "twenty-one"}
NUMBER = st.sampled_from(sorted(WORDS)).flatmap(lambda n: st.sampled_from([str(n), WORDS[n]]))
UNIT = st.sampled_from(["day", "week", "month", "quarter", "year", "decade"])
DURATION = st.one_of(
    st.tuples(st.sampled_from(["within", "in", "over the next", "in the next", "", "in about", "by"]), NUMBER, UNIT)
    .map(lambda t: f"{t[0]} {t[1]} {t[2]}s"),
    st.sampled_from(["within a year", "in a month", "a year and a half", "half a year", "two to three years",
                     "in the next decade", "a couple of years", "in two years' time", "two years from now"]),
)
# Periods that cannot have ended on the day said, whatever that day is.
NAMED = st.sampled_from(
    ["March", "June", "December", "Q1", "Q3", "the third quarter", "H1", "the second half", "summer", "winter",
     "this fall", "next spring", "Christmas", "New Year", "New Year's Eve", "this year", "next year",
     "the year after next", "this quarter", "next quarter", "this month", "next month", "next week",
     "this decade", "next decade", "the end of the year", "year-end", "the end of the month",
     "the end of next year", "early next year", "mid next year", "late next year", "the first half of next year",
     "later this year", "this time next year", "tomorrow", "next fiscal year"]
)


@st.composite
def future_years(draw, said):
    year = said.year + draw(st.integers(0, 30))
    return draw(st.sampled_from([
        f"{year}", f"the year {year}", f"the end of {year}", f"Q2 {year + 1}", f"H2 {year}", f"summer {year + 1}",
        f"March {year + 1}", f"fiscal {year}", f"the {year // 10 * 10 + 10}s", f"late {year}",
        f"31 December {year}", f"{year}-12-31", f"early {year + 1}",
    ]))


@st.composite
def expressions(draw, said):
    signal = draw(st.sampled_from(["", "by", "in", "within", "during", "no later than", "until", "sometime in"]))
    period = draw(st.one_of(NAMED, future_years(said)))
    text = draw(st.one_of(DURATION, st.just(f"{signal} {period}".strip())))
    if draw(st.booleans()):
        text = text.upper() if draw(st.booleans()) else f'  "{text.title()}."  '
    return text


@SETTINGS
@given(st.data(), SAID)
def test_every_reading_lies_between_the_date_said_and_its_deadline(data, said):
    expression = data.draw(expressions(said))
    result = normalise(expression, said)
    assert not result.vague
    assert said <= result.earliest <= result.deadline
    if result.strict_deadline is not None:
        assert said <= result.strict_deadline < result.deadline


@SETTINGS
@given(SAID, st.sampled_from(["before", "prior to"]), st.integers(1, 30))
def test_before_a_year_ends_the_day_before_it(said, signal, ahead):
    result = normalise(f"{signal} {said.year + ahead}", said)
    assert result.deadline == date(said.year + ahead - 1, 12, 31)
    assert result.timex == f"{said.year + ahead}|BEFORE"


VOCABULARY = ("by before in within the end of next this last year month quarter half week decade early mid late "
              "2025 2 two a few years months q3 h1 march christmas new year's eve - , . at latest 31 2024-03-31 / "
              "0 99999 fiscal fy summer winter after of first second 1.5 and or to soon one day").split()


@SETTINGS
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(VOCABULARY), max_size=7).map(" ".join)), SAID)  # longer is refused before the grammar (test_rules)
def test_arbitrary_text_raises_nothing_but_invalid_deadline(text, said):
    try:
        result = normalise(text, said)
    except InvalidDeadline as refused:
        assert "\n" not in str(refused)
        return
    assert result.expression == text
    assert result.vague or said <= result.earliest <= result.deadline
