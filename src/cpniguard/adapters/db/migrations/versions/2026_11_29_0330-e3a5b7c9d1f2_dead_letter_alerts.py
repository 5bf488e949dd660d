"""Dead-letter alerts: which dead messages the compliance officer has been sent a digest about.

Why: a message the outbox gives up on may be a duty not met (a 64.2010(f) account-change notice,
a 64.2008 CPNI notice, a 64.2011 breach notice), and until now only the worker's log said so.
The worker now emails the compliance officer a digest of the dead letters no digest has listed;
`dead_letter_alerts` holds one row per message listed, with the digest's outbox key, so that each
is listed once however many workers sweep. Existing dead letters are listed by the first digest.

Revision ID: e3a5b7c9d1f2
Revises: d2f4a6c8e0b1
Create Date: 2026-11-29 03:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e3a5b7c9d1f2"
down_revision = "d2f4a6c8e0b1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dead_letter_alerts",
        sa.Column(
            "message_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("digest_key", sa.String(length=128), nullable=False),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_dead_letter_alerts_message_id_outbox_messages"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_dead_letter_alerts")),
    )


def downgrade() -> None:
    op.drop_table("dead_letter_alerts")
