"""The access log: hash-chained entries, signed checkpoints, and the one-row chain head.

Why: issue 3, DESIGN.md invariant 2 (47 CFR 64.2009(c)). Every decision about CPNI is
appended to `access_log` in the same transaction as the read. Each entry stores its
canonical payload with the previous entry's hash and its own, so verification reads few
columns; `account_id` is indexed with the sequence for a customer's own listing, and has
no foreign key (an unknown account is logged too). `access_log_head` is created with its
one row: appenders lock it to take the next sequence numbers, which serializes them on
both engines, and it carries the signed length of the chain. Triggers refuse UPDATE and
DELETE on the entries and checkpoints (and deleting the head), so that no code path, and
no careless statement, can rewrite the log; tampering on purpose still shows in
`cpniguard audit verify`. Downgrading drops the log: it is refused for that reason unless
the log is empty.

Revision ID: a1c0e5d9f3b2
Revises: 5b7e1d24ecb3
Create Date: 2026-11-28 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a1c0e5d9f3b2"
down_revision = "5b7e1d24ecb3"
branch_labels = None
depends_on = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = "the access log is append-only"
_SQLITE_GUARDS = (
    ("access_log_no_update", "UPDATE", "access_log"),
    ("access_log_no_delete", "DELETE", "access_log"),
    ("access_log_checkpoints_no_update", "UPDATE", "access_log_checkpoints"),
    ("access_log_checkpoints_no_delete", "DELETE", "access_log_checkpoints"),
    ("access_log_head_no_delete", "DELETE", "access_log_head"),
)
_POSTGRES_GUARDS = (
    ("access_log_append_only", "UPDATE OR DELETE", "access_log"),
    ("access_log_checkpoints_append_only", "UPDATE OR DELETE", "access_log_checkpoints"),
    ("access_log_head_kept", "DELETE", "access_log_head"),
)
_POSTGRES_FUNCTION = f"""
CREATE FUNCTION access_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY}: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("sequence", KEY, autoincrement=False, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("account_id", KEY, nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("previous_hash", sa.LargeBinary(), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_access_log")),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index("ix_access_log_account_sequence", ["account_id", "sequence"], unique=False)

    op.create_table(
        "access_log_checkpoints",
        sa.Column("sequence", KEY, autoincrement=False, nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_access_log_checkpoints")),
    )
    head = op.create_table(
        "access_log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_sequence", KEY, nullable=False),
        sa.Column("last_hash", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=True),
        sa.Column("key_id", sa.String(length=32), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_access_log_head_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log_head")),
    )
    # The start of the chain: nothing appended, so nothing signed yet (GENESIS_HASH).
    op.bulk_insert(head, [{"id": 1, "last_sequence": 0, "last_hash": bytes(32)}])
    _create_guards()


def _create_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        for name, events, table in _POSTGRES_GUARDS:
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {events} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {name}_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change()"
            )
        return
    for name, event, table in _SQLITE_GUARDS:
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}: {event} on {table} refused'); END"
        )


def downgrade() -> None:
    entries = op.get_bind().execute(sa.text("SELECT count(*) FROM access_log")).scalar_one()
    if entries:
        raise RuntimeError(f"refusing to drop an access log of {entries} entries (47 CFR 64.2009(c))")
    op.drop_table("access_log_head")
    op.drop_table("access_log_checkpoints")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index("ix_access_log_account_sequence")

    op.drop_table("access_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION access_log_refuse_change()")
