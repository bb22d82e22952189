"""`claims chain`, `claims link` and `claims unlink`: the same promise, said again."""

from __future__ import annotations

import click

from ledger.cli.app import App, cli, pass_app
from ledger.cli.options import ID, json_option


@cli.command()
@click.argument("claim_id", type=ID, metavar="ID")
@json_option
@pass_app
def chain(app: App, claim_id: int, as_json: bool) -> None:
    """A promise and its restatements, first to latest: each date said and deadline, and the slip."""
    from ledger.domain.restatements import years
    from ledger.render.table import table
    from ledger.services.restatements import chain as chain_of

    view = chain_of(app.ledger, claim_id)
    if as_json:
        return app.json(view)
    rows = [
        [f"#{c['id']}", c["said"], c["deadline"], c["deadline_text"],
         "" if c["moved_days"] is None else f"{c['moved_days']:+d} days", c["outcome"] or "", c["text"]]
        for c in view["claims"]
    ]
    app.emit(table(["CLAIM", "SAID", "DEADLINE", "AS SAID", "MOVED", "OUTCOME", "TEXT"], rows, color=app.color, max_width=40) + "\n")
    said = len(view["claims"])
    app.echo(f"Said {said} time{'s' if said != 1 else ''}; the deadline moved later {view['moved_later']} "
             f"time{'s' if view['moved_later'] != 1 else ''}: {years(view['slip_days'])} from the first deadline to the latest.")
    if view["delivered"]:
        app.echo(f"Delivered {view['delivered']}: {years(view['slip_to_delivery_days'])} after the first deadline.")
    else:
        app.echo("Not delivered (no claim of the chain came true).")


@cli.command()
@click.argument("claim_id", type=ID, metavar="ID")
@click.option("--restates", "earlier", type=ID, required=True, metavar="EARLIER", help="The earlier claim it restates.")
@click.option("--reason", required=True, help="Why: kept with the link in the journal.")
@json_option
@pass_app
def link(app: App, claim_id: int, earlier: int, reason: str, as_json: bool) -> None:
    """Record after the fact that claim ID restates an EARLIER one by the same speaker."""
    from ledger.services.restatements import link as link_claims

    done = link_claims(app.ledger, claim_id, earlier, reason=reason, actor=app.actor())
    if as_json:
        return app.json(done)
    replaced = f" (was #{done['previous']})" if done["previous"] else ""
    app.echo(f"Claim #{claim_id} now restates #{earlier}{replaced}.")


@cli.command()
@click.argument("claim_id", type=ID, metavar="ID")
@click.option("--reason", required=True, help="Why: kept with the change in the journal.")
@json_option
@pass_app
def unlink(app: App, claim_id: int, reason: str, as_json: bool) -> None:
    """Record that claim ID restates no earlier claim after all."""
    from ledger.services.restatements import unlink as unlink_claim

    done = unlink_claim(app.ledger, claim_id, reason=reason, actor=app.actor())
    if as_json:
        return app.json(done)
    app.echo(f"Claim #{claim_id} no longer restates #{done['previous']}.")
