"""The breach record: breaches and their append-only timelines.

Why: issue 6, breach response (47 CFR 64.2011; RULES.md 7.7, 8.2, 8.8, 11.14-11.17).
- `breaches` holds each breach the carrier found, under its own reference, with when it was
  closed: the record is kept at least 2 years after that (64.2011(d)), a floor the service
  enforces before `purge` deletes a whole breach.
- `breach_events` is the timeline: discovery, determination, the 64.2011(a)(1) fields, written
  holds, agency and customer notices. It is append-only: a trigger refuses UPDATE on both
  engines, so a correction is a later event and the first account stays on record. DELETE stays
  possible for the purge of a breach past its retention.

Revision ID: f2a6d8c0b4e3
Revises: e4b8c2d6f0a1
Create Date: 2026-11-28 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f2a6d8c0b4e3"
down_revision = "e4b8c2d6f0a1"
branch_labels = None
depends_on = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = "a breach timeline is append-only"
_KINDS = (
    "discovered",
    "determined",
    "described",
    "method_of_compromise",
    "date_range",
    "data_types",
    "customers_affected",
    "financial_loss_estimated",
    "intent",
    "encryption",
    "harm_assessment",
    "hold_started",
    "hold_extended",
    "hold_released",
    "agency_notified",
    "customers_notified",
    "status_changed",
)
_POSTGRES_FUNCTION = f"""
CREATE FUNCTION breach_events_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY}: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "breaches",
        sa.Column("id", KEY, autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breaches")),
        sa.UniqueConstraint("reference", name=op.f("uq_breaches_reference")),
    )
    op.create_table(
        "breach_events",
        sa.Column("id", KEY, autoincrement=True, nullable=False),
        sa.Column("breach_id", KEY, nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*_KINDS, name="breach_event_kind", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["breach_id"],
            ["breaches.id"],
            name=op.f("fk_breach_events_breach_id_breaches"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_events")),
    )
    with op.batch_alter_table("breach_events", schema=None) as batch_op:
        batch_op.create_index("ix_breach_events_breach", ["breach_id", "id"], unique=False)
    _create_guard()


def _create_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        op.execute(
            "CREATE TRIGGER breach_events_append_only BEFORE UPDATE ON breach_events "
            "FOR EACH ROW EXECUTE FUNCTION breach_events_refuse_update()"
        )
        return
    op.execute(
        "CREATE TRIGGER breach_events_no_update BEFORE UPDATE ON breach_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}: UPDATE on breach_events refused'); END"
    )


def downgrade() -> None:
    """Drop the breach record; refused while any breach is recorded (64.2011(d): kept 2 years)."""
    breaches = op.get_bind().execute(sa.text("SELECT count(*) FROM breaches")).scalar_one()
    if breaches:
        raise RuntimeError(f"refusing to drop the record of {breaches} breaches (47 CFR 64.2011(d))")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER breach_events_append_only ON breach_events")
        op.execute("DROP FUNCTION breach_events_refuse_update()")
    with op.batch_alter_table("breach_events", schema=None) as batch_op:
        batch_op.drop_index("ix_breach_events_breach")
    op.drop_table("breach_events")
    op.drop_table("breaches")
