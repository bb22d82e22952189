"""python -m ledger: the same as the `claims` command."""

from ledger.cli import main

main()
