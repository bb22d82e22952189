"""Option types shared by commands: dates are read strictly, with the domain's own errors."""

from __future__ import annotations

import click

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (keys in the README).")


class DateType(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):
        from datetime import date

        if isinstance(value, date):
            return value
        from ledger.domain.dates import parse_date

        return parse_date(value)  # InvalidDate is a LedgerError: one line, exit 2


DATE = DateType()
