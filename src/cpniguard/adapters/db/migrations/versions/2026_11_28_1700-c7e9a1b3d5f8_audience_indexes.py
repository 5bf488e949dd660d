"""Audience indexes: services by category, and the account columns every audience reads.

Why: issue 7 (47 CFR 64.2005(a); bench/audience.py).
- `ix_services_category` (category, account_id, started_at, ended_at): the total service
  approach and the audience criteria ask which accounts take a category at an instant.
  `ix_services_account` (account_id first) answers that only by reading every service; this one
  reads just that category's range, already in account order, from the index alone. At 1,000,000
  customers on PostgreSQL the carrier audience's wireless subscribers (400,000 of 1,560,000
  services) are read in about 115 ms instead of 175 ms in each parallel worker that hashes them.
- `ix_accounts_audience` on accounts (id) INCLUDE (status, kind, language, opened_at, closed_at),
  PostgreSQL only: an audience whose criteria name a key list (subscribers of a category) checks
  each listed account's status, kind and dates from the index alone instead of its heap page
  (partner audience: about 1.0-1.1 s instead of 1.3-1.4 s, alternating on the same data). SQLite
  has no INCLUDE and reads its rows by key anyway.

Revision ID: c7e9a1b3d5f8
Revises: b3d5f7a9c1e4
Create Date: 2026-11-28 17:00:00
"""

from alembic import op

revision = "c7e9a1b3d5f8"
down_revision = "b3d5f7a9c1e4"
branch_labels = None
depends_on = None

AUDIENCE_COLUMNS = ["status", "kind", "language", "opened_at", "closed_at"]


def upgrade() -> None:
    op.create_index("ix_services_category", "services", ["category", "account_id", "started_at", "ended_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_accounts_audience", "accounts", ["id"], postgresql_include=AUDIENCE_COLUMNS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_accounts_audience", table_name="accounts")
    op.drop_index("ix_services_category", table_name="services")
