"""Reminders: a ``parked`` status for a reminder that failed ``scheduler.max_attempts`` times and
is no longer retried.

Downgrading turns parked reminders back into failed ones (kept with their error and attempts),
which the older code retries.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BEFORE = "status IN ('pending', 'sent', 'failed', 'cancelled')"
AFTER = "status IN ('pending', 'sent', 'failed', 'parked', 'cancelled')"


def _status_check(allowed: str) -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_constraint(op.f("ck_reminders_status"), type_="check")
        batch.create_check_constraint("status", allowed)


def upgrade() -> None:
    _status_check(AFTER)


def downgrade() -> None:
    op.execute(sa.text("UPDATE reminders SET status = 'failed' WHERE status = 'parked'"))
    _status_check(BEFORE)
