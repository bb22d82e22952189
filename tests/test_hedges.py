"""Hedge words read as ICD 203 probabilities, and the documented table kept in step."""

from pathlib import Path

import pytest

from ledger.domain.hedges import HEDGES, hedge_probability

DOCS = Path(__file__).resolve().parent.parent / "docs" / "hedges.md"


def category_of(text):
    hedge = hedge_probability(text)
    return hedge and hedge.category


def test_table_is_the_icd_203_scale_with_midpoints():
    rows = [(h.category, h.low, h.high) for h in HEDGES]
    assert rows == [
        ("almost no chance", 0.01, 0.05),
        ("very unlikely", 0.05, 0.20),
        ("unlikely", 0.20, 0.45),
        ("roughly even chance", 0.45, 0.55),
        ("likely", 0.55, 0.80),
        ("very likely", 0.80, 0.95),
        ("almost certain", 0.95, 0.99),
    ]
    for h in HEDGES:
        assert h.probability == pytest.approx((h.low + h.high) / 2)
    assert [h.probability for h in HEDGES] == [0.03, 0.125, 0.325, 0.50, 0.675, 0.875, 0.97]


@pytest.mark.parametrize(
    "text, category",
    [
        ("The company is likely to achieve profitability", "likely"),
        ("very likely", "very likely"),  # the longer phrase wins
        ("It is unlikely to pass", "unlikely"),  # "unlikely" is not "likely"
        ("It is not likely to pass", "unlikely"),
        ("highly unlikely", "very unlikely"),
        ("Highly Unlikely", "very unlikely"),
        ("almost certainly", "almost certain"),
        ("a remote chance", "almost no chance"),
        ("roughly even odds", "roughly even chance"),
        ("it's a toss-up", "roughly even chance"),
        ("It's 50-50", "roughly even chance"),
        ("probably not", "unlikely"),
        ("probable", "likely"),
        ("highly probable", "very likely"),
        ("I doubt it", "very unlikely"),
        ("I have no doubt", "almost certain"),
        ("I'm confident it passes", "likely"),
        ("I\u2019m very confident", "very likely"),
        ("I am very confident", "very likely"),
        ("I'm 100% sure", "almost certain"),
        ("It will definitely not happen", "almost no chance"),
        ("Bitcoin won't reach 100k", "almost no chance"),
        ("I don't think it is likely", "unlikely"),
    ],
)
def test_phrases_inside_longer_text(text, category):
    assert category_of(text) == category


def test_result_carries_probability_range_and_matched_phrase():
    hedge = hedge_probability("Analysts say it is very likely to happen")
    assert (hedge.category, hedge.probability, hedge.low, hedge.high, hedge.matched) == (
        "very likely", 0.875, 0.80, 0.95, "very likely"
    )


def test_estimative_words_beat_modals_and_opinion_verbs():
    assert category_of("I think it will probably rain") == "likely"
    assert category_of("X will almost certainly fall") == "almost certain"
    assert category_of("It could very likely pass") == "very likely"


def test_modals_and_opinion_verbs_count_when_nothing_else_is_said():
    assert category_of("Inflation will hit 5%") == "almost certain"
    assert category_of("Prices might fall") == "roughly even chance"
    assert category_of("It could happen") == "roughly even chance"
    assert category_of("Rates should fall") == "likely"
    assert category_of("I think it will happen") == "likely"


def test_may_the_month_is_not_a_hedge():
    assert category_of("by May 2025") is None
    assert category_of("in May it will ship") == "almost certain"
    assert category_of("prices may fall") == "roughly even chance"


def test_a_negated_phrase_the_table_does_not_cover_is_not_guessed():
    assert hedge_probability("it is not certain") is None
    assert hedge_probability("I am not confident") is None


def test_words_that_only_look_like_hedges_do_not_match():
    assert hedge_probability("as soon as possible") is None
    assert hedge_probability("remote work") is None
    assert hedge_probability("the likelihood of rain") is None
    assert hedge_probability("") is None


def test_every_phrase_is_documented():
    text = DOCS.read_text(encoding="utf-8").lower()
    for row in HEDGES:
        assert row.category in text
        for phrase in row.phrases + row.fallbacks:
            assert phrase.lower() in text, phrase
