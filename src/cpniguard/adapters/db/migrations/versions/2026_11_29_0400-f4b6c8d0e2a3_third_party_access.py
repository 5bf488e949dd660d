"""Third-party access: every time the gate lets a customer's CPNI go outside the carrier.

Why: 47 CFR 64.2009(c) (RULES 5.3) asks for a record of every instance where CPNI was disclosed
or provided to third parties, or third parties were given access, kept at least one year. The
campaign register logged campaign exports only; a partner's, a contractor's, another carrier's
or an agency's access through the gate was in the access log alone, unreadable as such a record.
- `third_party_access` holds one row per permitted gate decision to a recipient outside the
  carrier (domain/third_party_access.py): whose CPNI, which, to whom and where, for what purpose
  (its legal basis), when and asked by whom, and the decision's access-log sequence. It is
  written in the transaction of that entry. Append-only: a trigger refuses UPDATE on both
  engines. Decisions made before this migration are in the access log only.

Revision ID: f4b6c8d0e2a3
Revises: e3a5b7c9d1f2
Create Date: 2026-11-29 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f4b6c8d0e2a3"
down_revision = "e3a5b7c9d1f2"
branch_labels = None
depends_on = None

TABLE = "third_party_access"
RECIPIENT_CLASSES = (
    "customer",
    "carrier",
    "affiliate",
    "non_communications_affiliate",
    "agent",
    "joint_venture_partner",
    "independent_contractor",
    "third_party",
    "other_carrier",
    "government",
)


def upgrade() -> None:
    key = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    recipient_class = sa.Enum(
        *RECIPIENT_CLASSES, name="recipient_class", native_enum=False, create_constraint=True, length=32
    )
    op.create_table(
        TABLE,
        sa.Column("id", key, autoincrement=True, nullable=False),
        sa.Column("access_log_sequence", key, nullable=False),
        sa.Column("account_id", key, nullable=False),
        sa.Column("recipient_class", recipient_class, nullable=False),
        sa.Column("destination", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("data_category", sa.String(length=64), nullable=False),
        sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disclosed_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_third_party_access_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_third_party_access")),
        sa.UniqueConstraint("access_log_sequence", name=op.f("uq_third_party_access_access_log_sequence")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index("ix_third_party_access_at", ["disclosed_at"], unique=False)
    _refuse_updates()


def _refuse_updates() -> None:
    message = f"{TABLE} is append-only"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {TABLE}_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{message}: % on % refused', TG_OP, TG_TABLE_NAME "
            "USING ERRCODE = 'restrict_violation'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse_update()"
        )
        return
    op.execute(
        f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{message}: UPDATE on {TABLE} refused'); END"
    )


def downgrade() -> None:
    """Drop the log; refused while it holds any record (64.2009(c): kept at least a year)."""
    held = op.get_bind().execute(sa.text("SELECT count(*) FROM third_party_access")).scalar_one()
    if held:
        raise RuntimeError(f"refusing to drop {held} records of third-party access (47 CFR 64.2009(c))")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {TABLE}_append_only ON {TABLE}")
        op.execute(f"DROP FUNCTION {TABLE}_refuse_update()")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index("ix_third_party_access_at")
    op.drop_table(TABLE)
