"""From an article's text to candidate claims: who predicted what, by when, and how sure.

Pure and rules-based by default: `sentences` cuts the text, `quotes` finds the words in quotation
marks, `people` says who spoke, and `candidates` keeps the sentences that predict something with a
speaker, reading the deadline with `ledger.domain.deadline_spans` and the hedge with
`ledger.domain.hedges`. A parser (spaCy, outside the domain) can hand in better sentences and
person names through `Analysis`; the rules stay the same. docs/extract.md describes the whole.
"""

from ledger.domain.extract.candidates import Analysis, Candidate, extract

__all__ = ["Analysis", "Candidate", "extract"]
