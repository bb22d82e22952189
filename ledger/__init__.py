"""claims: a predictive-claim tracker and resolution ledger.

Layers point one way: ``domain`` (pure) <- ``store`` (SQLAlchemy, Alembic) <- ``services``
(one transaction per use case) <- ``cli``, ``jobs`` and ``render``.
"""

__version__ = "0.1.0"
