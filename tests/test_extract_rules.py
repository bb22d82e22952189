"""Extraction in the rules mode: the seed article, each attribution form, what is left out, and
offsets that point at the words in the text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ledger.domain.extract import extract
from ledger.domain.extract.sentences import split_sentences

SEED = Path(__file__).parent.parent / "seeds" / "waic-2023-musk-article.txt"
DAY = date(2024, 5, 15)  # a Wednesday


def _one(text: str, published: date = DAY, **kwargs):
    found = extract(text, published, **kwargs)
    assert len(found) == 1, [(c.speaker.name, c.deadline and c.deadline.text) for c in found]
    return found[0]


def test_the_seed_article_gives_musks_claim_and_nothing_else():
    text = SEED.read_text(encoding="utf-8")
    c = _one(text, date(2023, 7, 6))
    assert c.speaker.name == "Elon Musk" and c.speaker.as_written == "Musk"
    assert c.quote == "full self-driving in what you call [level] 4 or 5 later this year"
    assert text[c.quote_start:c.quote_end] == c.quote
    assert c.deadline.text == "later this year" and c.deadline.deadline.deadline == date(2023, 12, 31)
    assert text[c.deadline_start:c.deadline_start + len(c.deadline.text)] == "later this year"
    assert c.hedge == "is likely to" and c.hedge_category == "likely" and c.probability == 0.675
    assert c.said == date(2023, 7, 6)
    assert text[c.sentence_start:c.sentence_end] == c.sentence
    assert c.text.startswith("Tesla is likely to achieve full self-driving")


def test_a_known_speaker_is_named_as_the_ledger_names_them():
    text = SEED.read_text(encoding="utf-8")
    c = _one(text, date(2023, 7, 6), known={"Elon Musk": "Elon Musk", "Technoking": "Elon Musk"})
    assert (c.speaker.known, c.as_dict()["speaker_status"]) == ("Elon Musk", "known")
    alias = _one('"We will ship it by 2026," Technoking said.', known={"Technoking": "Elon Musk"})
    assert (alias.speaker.name, alias.speaker.known) == ("Elon Musk", "Elon Musk")


def test_a_name_the_user_gives_wins():
    c = _one('"We will ship it by 2026," Musk said.', overrides={"Musk": "Elon R. Musk"})
    assert c.speaker.name == "Elon R. Musk" and c.speaker.known is None


@pytest.mark.parametrize(
    "text, speaker, deadline",
    [
        ('"We will ship it by 2026," Mary Barra said.', "Mary Barra", "by 2026"),
        ('"We will ship it by 2026," said Mary Barra, the chief executive.', "Mary Barra", "by 2026"),
        ("GM Chief Executive Mary Barra said the company would ship it by 2026.", "Mary Barra", "by 2026"),
        ("Mary Barra, chief executive of GM, said the company would ship it by 2026.", "Mary Barra", "by 2026"),
        ("The company will ship it by 2026, Mary Barra told Reuters.", "Mary Barra", "by 2026"),
        ("The company will ship it by 2026, according to Mary Barra.", "Mary Barra", "by 2026"),
        ("Tesla CEO Elon Musk expects robotaxis next year.", "Elon Musk", "next year"),
        ("Mary Barra runs GM. She said GM would ship it by 2026.", "Mary Barra", "by 2026"),
        ("Mary Barra runs GM. Barra said GM would ship it by 2026.", "Mary Barra", "by 2026"),
        ('Mary Barra spoke. "It is hard," she said, "but we will ship it by 2026."', "Mary Barra", "by 2026"),
        ('Mary Barra said: "We are ready. We will ship it by 2026."', "Mary Barra", "by 2026"),
        ('GM chief Mary Barra spoke on Monday. "We are ready," Barra said. "We will ship it by 2026."',
         "Mary Barra", "by 2026"),
        ("MARY BARRA: We will ship it by 2026.", "Mary Barra", "by 2026"),
        ("'We will ship it by 2026,' Mary Barra said. 'It's ready.'", "Mary Barra", "by 2026"),  # British quotes
        ("Mary Barra spoke. 'We will ship it by 2026,' the chief executive told the board.", "Mary Barra", "by 2026"),
        ("GM on Thursday forecast that it would ship it by 2026.", "GM", "by 2026"),
        ("House Speaker Mike Johnson spoke. Johnson said a bill would pass by 2026.", "Mike Johnson", "by 2026"),
        ("GM will ship it by 2026, Mary Barra said on Friday, as the company laid out its plans.", "Mary Barra",
         "by 2026"),
        ('"We are ready," Mary Barra said, adding that GM expected to ship it by 2026.', "Mary Barra", "by 2026"),
        ("GM grew. Renault, the plant's main customer, said it expected to ship it by 2026.", "Renault", "by 2026"),
    ],
)
def test_attribution_forms(text, speaker, deadline):
    c = _one(text)
    assert (c.speaker.name, c.deadline.text) == (speaker, deadline)


@pytest.mark.parametrize(
    "text",
    [
        "Sales rose 5 percent last year, Mary Barra said.",  # the past
        "In 2020, GM shipped its first truck, Mary Barra said.",
        '"Will we ship it by 2026?" Mary Barra asked.',  # a question
        "Will GM ship it by 2026, Mary Barra was asked?",
        "Rain is expected later this week.",  # nobody's forecast
        "Analysts expect GM to ship it by 2026.",
        "Mary Barra declined to say whether GM would ship it by 2026.",
        "Two years ago, Mary Barra said GM would ship trucks.",
        '"This line was promised to the South Side for fifty years," Mary Barra said.',  # a passive: what was promised
        "The bridge had been pledged to voters, Mary Barra said.",
    ],
)
def test_no_candidate(text):
    assert extract(text, DAY) == []


def test_a_british_quote_has_its_offsets():
    text = "'We will ship it by 2026,' Mary Barra said. 'It's ready.'"
    c = _one(text)
    assert c.quote == "We will ship it by 2026" and text[c.quote_start:c.quote_end] == c.quote


def test_said_on_a_weekday_and_in_an_earlier_year():
    monday = _one("Mary Barra said on Monday that GM would ship it by 2026.")
    assert monday.said == date(2024, 5, 13)
    earlier = _one("In 2019, Mary Barra said GM would ship it next year.")
    assert earlier.said.year == 2019 and earlier.deadline.deadline.deadline == date(2020, 12, 31)


def test_a_prediction_with_no_time_frame_is_marked_so():
    c = _one("Mary Barra predicted that GM would overtake Tesla.")
    assert c.deadline is None and c.as_dict()["dated"] is False
    assert "no deadline" in c.reasons[0]
    promise = _one("Mary Barra promised that GM would overtake Tesla.")  # the active verb still forecasts
    assert promise.deadline is None and promise.speaker.name == "Mary Barra"


def test_reasons_explain_the_score():
    c = _one('"We will ship it by 2026," Mary Barra said.')
    assert any("deadline 'by 2026'" in r for r in c.reasons) and any("future wording" in r for r in c.reasons)
    assert c.score > 5


def test_sentences_keep_abbreviations_and_initials():
    text = "Mr. J. K. Smith of the U.S. Treasury spoke. He left.\n\nA new paragraph"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Mr. J. K. Smith of the U.S. Treasury spoke.", "He left.", "A new paragraph"]
