"""claims: a predictive-claim tracker and resolution ledger.

Layers point one way: ``domain`` (pure) <- ``store`` (SQLAlchemy, Alembic) <- ``services``
(one transaction per use case) <- ``cli``, ``jobs`` and ``render``.
"""

import os as _os

__version__ = "0.1.0"

# A checkout keeps migrations/, jobs/ and seeds/ beside this package; the wheel installs them as
# ledger.migrations, ledger.jobs and ledger.seeds. Let a checkout find them the same way, so
# `python -m ledger` run from the repository behaves as the installed command does.
_checkout = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if not _os.path.isdir(_os.path.join(__path__[0], "migrations")) and _os.path.isfile(
    _os.path.join(_checkout, "migrations", "env.py")
):
    __path__.append(_checkout)
