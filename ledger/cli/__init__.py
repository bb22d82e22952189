"""The `claims` command line. Each module adds one family of commands to the root group; only
``app`` maps errors to exit codes. Services are imported inside commands to keep start-up light."""

from ledger.cli.app import cli, main
from ledger.cli import (  # noqa: F401  (registers the commands)
    claims, db, extract, people, publish, reminders, report, restatements, review, seeds, transfer,
)

__all__ = ["cli", "main"]
