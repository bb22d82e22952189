"""The parser mode of `claims extract`: spaCy's sentences and PERSON names handed to the rules.

Optional: spaCy and a pipeline come with `pip install 'claims[extract]'` and
`python -m spacy download en_core_web_sm`; the pipeline is loaded by the name in the config's
[extract] model. Without either, extract runs in the rules mode and says so. Only `claims
extract` imports this module.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ledger.domain.extract import Analysis

DEFAULT_MODEL = "en_core_web_sm"
_BREAK = re.compile(r"\n\s*\n|\n")


# What extract reads from a parse: sentences and the subjects of verbs (the parser), PERSON names
# (the entity recogniser), and the shared token vectors both listen to. The tagger, the attribute
# ruler and the lemmatizer give parts of speech and lemmas, which nothing here reads; leaving them
# out roughly halves the time of a parse and changes none of the parser's or recogniser's output.
_USED = frozenset({"tok2vec", "parser", "senter", "ner"})


@lru_cache(maxsize=2)
def _pipeline(model: str) -> Any:
    """The pipeline, loaded once a process and reused by every parse."""
    import spacy
    from spacy.util import get_model_meta, get_package_path

    try:
        components = get_model_meta(get_package_path(model))["pipeline"]
    except (ImportError, OSError, KeyError, ValueError):  # not an installed package: spacy.load says why
        components = []
    return spacy.load(model, exclude=[name for name in components if name not in _USED])


def available(model: str = DEFAULT_MODEL) -> tuple[Any, str]:
    """The loaded pipeline and the mode line, or None and why the rules mode runs instead."""
    try:
        import spacy
    except ImportError:
        return None, "rules mode (spaCy is not installed: pip install 'claims[extract]')"
    try:
        nlp = _pipeline(model)
    except OSError:  # spaCy's "Can't find model"
        return None, f"rules mode (the spaCy pipeline {model!r} is not installed: python -m spacy download {model})"
    except (ImportError, ValueError) as exc:  # a pipeline built for another spaCy
        return None, f"rules mode (the spaCy pipeline {model!r} cannot be loaded: {str(exc).splitlines()[0][:120]})"
    return nlp, f"parser mode (spaCy {spacy.__version__}, pipeline {model} {nlp.meta.get('version', '')})".rstrip()


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A parser's sentence cut again at line breaks: a headline or a label is its own line."""
    pieces, begin = [], start
    for brk in _BREAK.finditer(text, start, end):
        pieces.append((begin, brk.start()))
        begin = brk.end()
    pieces.append((begin, end))
    trimmed = []
    for s, e in pieces:
        chunk = text[s:e]
        lead, tail = len(chunk) - len(chunk.lstrip()), len(chunk.rstrip())
        if tail > lead:
            trimmed.append((s + lead, s + tail))
    return trimmed


def _whole_name(text: str, start: int) -> int:
    """Where a name begins that the parser took in part: "Ming-Chi Kuo" read as "Chi Kuo"."""
    found = re.search(r"[A-Z][\w'’]*-$", text[max(0, start - 30): start])
    return start - len(found[0]) if found else start


def _subject(subject: Any, ents: Any) -> tuple[int, int]:
    """The words of a subject that name someone: a PERSON inside it, else the head with its
    compound and flat parts ("Tesla CEO Elon Musk" is the head Musk with its compounds)."""
    for ent in ents:  # the subject's own head, not a word before it ("a senior Federal Reserve official")
        if ent.label_ in ("PERSON", "ORG") and ent.start <= subject.i < ent.end:
            return ent.start_char, ent.end_char
    parts = [t for t in subject.subtree if t is subject or (t.dep_ in ("compound", "flat") and t.head is subject)]
    return parts[0].idx, parts[-1].idx + len(parts[-1].text)


def parse(nlp: Any, text: str) -> Analysis:
    from ledger.domain.extract.people import SAY_VERBS

    verbs = frozenset(SAY_VERBS)
    doc = nlp(text)  # once: sentences, names and subjects all come from this one parse
    ents = doc.ents  # built anew on each access, so read once
    sentences = [piece for sent in doc.sents for piece in _lines(text, sent.start_char, sent.end_char)]
    persons = [(_whole_name(text, ent.start_char), ent.end_char) for ent in ents if ent.label_ == "PERSON"]
    subjects = []
    for token in doc:
        if token.lower_ in verbs:  # a reporting verb is one that has a subject: no tagger needed
            for child in token.children:
                if child.dep_ in ("nsubj", "nsubjpass"):
                    subjects.append((token.idx, token.idx + len(token.text), *_subject(child, ents)))
    return Analysis("parser", sentences, persons, subjects)


def analyse(text: str, model: str = DEFAULT_MODEL) -> tuple[Analysis | None, str]:
    nlp, mode = available(model)
    return (parse(nlp, text) if nlp is not None else None), mode
