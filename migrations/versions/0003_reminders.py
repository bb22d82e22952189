"""Reminders: reviewer assignments, each lapsed claim's reminder schedule, and the delivery outbox.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_reviewers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.String(200), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_reviewers")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], ondelete="CASCADE", name=op.f("fk_claim_reviewers_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(["reviewer_id"], ["reviewers.id"], name=op.f("fk_claim_reviewers_reviewer_id_reviewers")),
        sa.UniqueConstraint("claim_id", "reviewer_id", name=op.f("uq_claim_reviewers_claim_id_reviewer_id")),
    )
    op.create_index(op.f("ix_claim_reviewers_reviewer_id"), "claim_reviewers", ["reviewer_id"])
    op.create_table(
        "reminder_schedule",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("flagged_on", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("next_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_reminder_schedule")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], ondelete="CASCADE", name=op.f("fk_reminder_schedule_claim_id_claims")
        ),
    )
    op.create_index("ix_reminder_schedule_next_on", "reminder_schedule", ["next_on"])
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], ondelete="CASCADE", name=op.f("fk_reminders_claim_id_claims")
        ),
        sa.UniqueConstraint(
            "claim_id", "recipient", "channel", "number", name=op.f("uq_reminders_claim_id_recipient_channel_number")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed', 'cancelled')", name=op.f("ck_reminders_status")
        ),
    )
    op.create_index("ix_reminders_status_next_attempt_at", "reminders", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_reminders_status_next_attempt_at", table_name="reminders")
    op.drop_table("reminders")
    op.drop_index("ix_reminder_schedule_next_on", table_name="reminder_schedule")
    op.drop_table("reminder_schedule")
    op.drop_index(op.f("ix_claim_reviewers_reviewer_id"), table_name="claim_reviewers")
    op.drop_table("claim_reviewers")
