"""Option types shared by commands: dates are read strictly, with the domain's own errors."""

from __future__ import annotations

import click

from ledger.domain.claims import MAX_ID, valid_id

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


class IdType(click.ParamType):
    """A claim's id: ASCII digits within what an id column holds (ledger.domain.claims.MAX_ID), or
    a usage error here rather than an overflow in the database."""

    name = "ID"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            number = value
        elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():  # not "²" or "٣"
            number = int(value.strip())
        else:
            self.fail(f"{value!r} is not an id (a whole number such as 3)", param, ctx)
        if not valid_id(number):
            self.fail(f"{number} is not an id: ids run from 1 to {MAX_ID}", param, ctx)
        return number


ID = IdType()

# A count of rows (--limit N, --min-resolved N): a number past what a ledger can hold means the same
# as that many, and sent as it is it would overflow the database's integer.
class CountType(click.IntRange):
    def __init__(self):
        super().__init__(min=0)

    def convert(self, value, param, ctx):
        return min(super().convert(value, param, ctx), MAX_ID)


COUNT = CountType()


class PathType(click.Path):
    """``click.Path`` that refuses a NUL character in one line: no file name can hold one, and
    ``os.stat`` would raise ValueError instead of saying so."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and "\x00" in value:
            self.fail(f"{value!r} holds a NUL character, which no file name can", param, ctx)
        return super().convert(value, param, ctx)
