"""schema.org ClaimReview for a resolved claim: what fact-check aggregators and search engines read.

The rating scale (docs/publish.md says the same for users):

| outcome     | ratingValue | alternateName      |
|-------------|-------------|--------------------|
| true        | 3           | true               |
| partial     | 2           | partly true        |
| false       | 1           | false              |
| ambiguous   | -1          | cannot be judged   |

``bestRating`` is 3 and ``worstRating`` 1; an ambiguous outcome is off the scale (-1), as it
rates nothing. A claim with no verdict gets no ClaimReview.
"""

from __future__ import annotations

from typing import Any, Final

BEST_RATING: Final = 3
WORST_RATING: Final = 1
RATINGS: Final = {
    "true": (3, "true"),
    "partial": (2, "partly true"),
    "false": (1, "false"),
    "ambiguous": (-1, "cannot be judged"),
}


def claim_review(
    *, claim: str, speaker: str, said: str, source_url: str | None, outcome: str, resolved_on: str, publisher: str,
    url: str,
) -> dict[str, Any]:
    """The ClaimReview of a claim judged ``outcome`` on ``resolved_on`` (ISO dates), published by
    ``publisher`` at ``url``."""
    value, words = RATINGS[outcome]
    item: dict[str, Any] = {"@type": "Claim", "author": {"@type": "Person", "name": speaker}, "datePublished": said}
    if source_url:
        item["appearance"] = {"@type": "CreativeWork", "url": source_url}
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": claim,
        "itemReviewed": item,
        "reviewRating": {
            "@type": "Rating", "ratingValue": value, "bestRating": BEST_RATING, "worstRating": WORST_RATING,
            "alternateName": words,
        },
        "author": {"@type": "Organization", "name": publisher},
        "datePublished": resolved_on,
        "url": url,
    }
