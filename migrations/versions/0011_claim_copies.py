"""One speaker may hold two copies of a claim: the natural key (speaker, date said, text) becomes
a plain index instead of a unique constraint.

A speaker merge brings together claims logged under two names, and the same words logged under
both are the commonest reason to merge. The merge moves both copies and names them, so the user
withdraws one; `claims add`, `import`, `edit` and `extract --accept` still refuse a second copy,
looking the key up under the journal lock (ledger.services.journal) instead of relying on the
constraint.

Downgrading puts the constraint back. A ledger holding two copies cannot have it, and a downgrade
never deletes a claim: it names the copies and stops, changing nothing, until one is edited.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from ledger.errors import InvalidInput

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

KEY = ["speaker_id", "said", "text_sha256"]


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint("uq_claims_natural_key", type_="unique")
    op.create_index("ix_claims_natural_key", "claims", KEY)


def downgrade() -> None:
    copies = op.get_bind().execute(sa.text(
        "SELECT MIN(id), MAX(id) FROM claims GROUP BY speaker_id, said, text_sha256 HAVING COUNT(*) > 1 ORDER BY 1 LIMIT 5"
    )).all()
    if copies:
        pairs = ", ".join(f"#{a} and #{b}" for a, b in copies)
        raise InvalidInput(
            f"claims {pairs} are copies of one claim (same speaker, date said and text), which revision 0010 cannot "
            "hold; edit the text of one (`claims edit`) and go back again"
        )
    op.drop_index("ix_claims_natural_key", table_name="claims")
    with op.batch_alter_table("claims") as batch:
        batch.create_unique_constraint("uq_claims_natural_key", KEY)
