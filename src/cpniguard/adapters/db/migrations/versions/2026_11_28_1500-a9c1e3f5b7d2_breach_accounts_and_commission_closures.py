"""The accounts a breach affected, and the days the FCC's offices were closed.

Why: issue 6, breach response (47 CFR 64.2011; RULES.md 7.7, 8.6, 10.4).
- `breach_affected_accounts` records which accounts a breach involved: the 64.2011(d) record,
  and the list the customer notice goes to. Rows go only with their breach, by the purge past
  the 2-year floor.
- `commission_closures` is the administrator's list of days the Commission's offices were
  closed beyond the federal holidays (47 CFR 1.4(e)(1)): executive-order days off, emergencies,
  shutdowns. The business-day calendar adds them to the holidays.

Revision ID: a9c1e3f5b7d2
Revises: f2a6d8c0b4e3
Create Date: 2026-11-28 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a9c1e3f5b7d2"
down_revision = "f2a6d8c0b4e3"
branch_labels = None
depends_on = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "breach_affected_accounts",
        sa.Column("breach_id", KEY, nullable=False),
        sa.Column("account_id", KEY, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_breach_affected_accounts_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["breach_id"],
            ["breaches.id"],
            name=op.f("fk_breach_affected_accounts_breach_id_breaches"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("breach_id", "account_id", name=op.f("pk_breach_affected_accounts")),
    )
    op.create_table(
        "commission_closures",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_commission_closures")),
    )


def downgrade() -> None:
    """Drop both; refused while a breach lists affected accounts (64.2011(d): kept 2 years)."""
    affected = op.get_bind().execute(sa.text("SELECT count(*) FROM breach_affected_accounts")).scalar_one()
    if affected:
        raise RuntimeError(f"refusing to drop {affected} affected-account records (47 CFR 64.2011(d))")
    op.drop_table("commission_closures")
    op.drop_table("breach_affected_accounts")
