"""The `claims` command line. Each module adds one family of commands to the root group, and is
imported when one of its commands runs (app.FAMILIES); only ``app`` maps errors to exit codes.
Services are imported inside commands to keep start-up light."""

from ledger.cli.app import cli, main

__all__ = ["cli", "main"]
