"""Restatements: a claim that restates an earlier one ("the same promise, moved again"), the chain
they form, and how far the deadline slipped along it. No storage here: the services hand over the
claims and write what these rules allow.

The rules for a link (``claims add --restates``, ``claims link``, import alike):

- both claims are the same speaker's;
- the restated claim was said earlier: before this one, or on the same day and logged first;
- a link never makes a cycle (a claim cannot end up restating itself through others).

A chain is every claim linked to another by restating, from its first claim (which restates
nothing) down; its claims are listed in the order said. Its *slip* is the time from the first
claim's deadline to the latest claim's, and to the delivery, if one of the claims came true.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypedDict

from ledger.domain.text import about, one_line
from ledger.errors import InvalidInput

DAYS_PER_YEAR = 365.2425


@dataclass(frozen=True)
class Linkable:
    """What the rules read of a claim."""

    id: int
    speaker_id: int
    said: date
    restates: int | None = None


def check_link(claim: Linkable, earlier: Linkable, restated_by: Mapping[int, int | None]) -> None:
    """Refuse, in one line, a link from ``claim`` to ``earlier`` that breaks a rule above.

    ``restated_by`` gives the restated claim of each claim in ``earlier``'s chain upwards (its
    ``restates``), to find a cycle."""
    if claim.id == earlier.id:
        raise InvalidInput(f"claim #{claim.id} cannot restate itself")
    if claim.speaker_id != earlier.speaker_id:
        raise InvalidInput(f"claim #{claim.id} and claim #{earlier.id} are different speakers' claims; "
                           "a restatement is the same speaker saying it again")
    seen, at = set(), earlier.restates
    while at is not None and at not in seen:
        if at == claim.id:
            raise InvalidInput(f"linking claim #{claim.id} to #{earlier.id} would make a cycle: "
                               f"#{earlier.id} already restates #{claim.id}, directly or through others")
        seen.add(at)
        at = restated_by.get(at)
    if (earlier.said, earlier.id) > (claim.said, claim.id):
        raise InvalidInput(f"claim #{earlier.id} (said {earlier.said}) is later than claim #{claim.id} "
                           f"(said {claim.said}); a claim restates an earlier one")


def check_still_earlier(claim: Linkable, restated_by: Iterable[Linkable]) -> None:
    """Refuse a new date said for ``claim`` that would put it after a claim restating it."""
    for later in restated_by:
        if (claim.said, claim.id) > (later.said, later.id):
            raise InvalidInput(f"claim #{later.id} (said {later.said}) restates claim #{claim.id}, which said on "
                               f"{claim.said} would come after it; a claim restates an earlier one")


def check_reason(reason: str | None, what: str) -> str:
    """A link or unlink after the fact needs a reason, on one line, kept with the change."""
    with about("reason"):
        checked = one_line(reason, "reason")
    if checked is None:
        raise InvalidInput(f"{what} needs a reason: add --reason saying why")
    return checked


def check_new_restatement(speaker_id: int, said: date, earlier: Linkable) -> None:
    """The rules for a claim being added with ``--restates``: it has no id yet and cannot be in a cycle."""
    if speaker_id != earlier.speaker_id:
        raise InvalidInput(f"claim #{earlier.id} is another speaker's; a restatement is the same speaker saying it again")
    if earlier.said > said:
        raise InvalidInput(f"claim #{earlier.id} was said {earlier.said}, after this one ({said}); "
                           "a claim restates an earlier one")


def check_restated_said(said: date, restated_said: date) -> None:
    """An imported row's restated claim (named by its date said and text) was said no later."""
    if restated_said > said:
        raise InvalidInput(f"restates_said: the restated claim was said {restated_said}, after this one ({said}); "
                           "a claim restates an earlier one")


# --- chains ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainClaim:
    """A claim in a chain, with the verdict it has."""

    id: int
    said: date
    deadline: date
    deadline_text: str
    restates: int | None
    outcome: str | None
    occurred: date | None
    text: str = ""


class ChainLink(TypedDict):
    id: int
    said: str
    deadline_text: str
    deadline: str
    restates: int | None
    outcome: str | None
    occurred: str | None
    moved_days: int | None  # this deadline minus the one it restates; None for the first claim
    text: str


class ChainView(TypedDict):
    """`claims chain ID --json` (keys in docs/report.md)."""

    first: int
    latest: int
    claims: list[ChainLink]
    restatements: int
    moved_later: int
    slip_days: int  # latest deadline minus the first deadline
    delivered: str | None  # the date a claim of the chain came true, if one did
    slip_to_delivery_days: int | None  # that date minus the first deadline


def order(claims: Iterable[ChainClaim]) -> list[ChainClaim]:
    return sorted(claims, key=lambda c: (c.said, c.id))


def chains(claims: Iterable[ChainClaim]) -> list[list[ChainClaim]]:
    """The claims grouped into chains (each in the order said); a claim restating one that is not
    among ``claims`` starts its own. Chains are listed by their first claim."""
    by_id = {c.id: c for c in claims}

    def root(c: ChainClaim) -> int:
        seen = set()
        while c.restates is not None and c.restates in by_id and c.id not in seen:
            seen.add(c.id)
            c = by_id[c.restates]
        return c.id

    groups: dict[int, list[ChainClaim]] = {}
    for c in by_id.values():
        groups.setdefault(root(c), []).append(c)
    return sorted((order(g) for g in groups.values()), key=lambda g: (g[0].said, g[0].id))


def _delivery(chain: Sequence[ChainClaim]) -> date | None:
    delivered = [c.occurred or c.deadline for c in chain if c.outcome in ("true", "partial")]
    return max(delivered) if delivered else None


def chain_view(chain: Sequence[ChainClaim]) -> ChainView:
    by_id = {c.id: c for c in chain}
    first, latest = chain[0], chain[-1]
    links: list[ChainLink] = []
    for c in chain:
        before = by_id.get(c.restates) if c.restates is not None else None
        links.append({
            "id": c.id, "said": c.said.isoformat(), "deadline_text": c.deadline_text, "deadline": c.deadline.isoformat(),
            "restates": c.restates, "outcome": c.outcome, "occurred": c.occurred.isoformat() if c.occurred else None,
            "moved_days": (c.deadline - before.deadline).days if before else None, "text": c.text,
        })
    delivered = _delivery(chain)
    return {
        "first": first.id,
        "latest": latest.id,
        "claims": links,
        "restatements": len(chain) - 1,
        "moved_later": sum(1 for link in links if (link["moved_days"] or 0) > 0),
        "slip_days": (latest.deadline - first.deadline).days,
        "delivered": delivered.isoformat() if delivered else None,
        "slip_to_delivery_days": (delivered - first.deadline).days if delivered else None,
    }


class RestatementSummary(TypedDict):
    """A speaker's restatements in the report."""

    chains: int  # chains of two claims or more
    restatements: int
    moved_later: int  # restatements whose deadline is later than the claim restated
    total_slip_days: int  # summed over chains: latest deadline minus first
    median_slip_days: float | None
    longest: ChainView | None  # the chain with the most restatements (then the most slip)


def summary(claims: Iterable[ChainClaim]) -> RestatementSummary:
    linked = [chain_view(c) for c in chains(claims) if len(c) > 1]
    slips = [v["slip_days"] for v in linked]
    longest = max(linked, key=lambda v: (v["restatements"], v["slip_days"]), default=None)
    return {
        "chains": len(linked),
        "restatements": sum(v["restatements"] for v in linked),
        "moved_later": sum(v["moved_later"] for v in linked),
        "total_slip_days": sum(slips),
        "median_slip_days": statistics.median(slips) if slips else None,
        "longest": longest,
    }


def years(days: float) -> str:
    """Days as people say them: '8.3 years', '45 days'."""
    return f"{days / DAYS_PER_YEAR:.1f} years" if abs(days) >= DAYS_PER_YEAR else f"{days:g} days"


def summary_text(s: RestatementSummary) -> str:
    """'2 chains, 9 restatements; the deadline moved later 8 times, 8.3 years in all (median 4.1 years)'."""
    if not s["chains"]:
        return "no restatements"
    median = s["median_slip_days"]
    return (f"{s['chains']} chain{'s' if s['chains'] != 1 else ''}, {s['restatements']} restatement"
            f"{'s' if s['restatements'] != 1 else ''}; the deadline moved later {s['moved_later']} "
            f"time{'s' if s['moved_later'] != 1 else ''}, {years(s['total_slip_days'])} in all"
            + (f" (median {years(median)} a chain)" if median is not None and s["chains"] > 1 else ""))
