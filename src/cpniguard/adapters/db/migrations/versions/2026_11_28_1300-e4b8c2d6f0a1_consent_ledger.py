"""The consent ledger, its projection, notice versions and batches, the mailbox, opt-out probes.

Why: issue 5 (47 CFR 64.2007-64.2009; DESIGN.md invariants 6 and 8).
- `consent_events` is the append-only ledger: a trigger refuses UPDATE on both engines.
  DELETE stays possible for `cpniguard consent purge`, which keeps every record for at
  least a year after it is superseded (64.2007(a)(3), 64.2008(a)(2)).
- `consent_states` becomes a projection of spans (valid_from, valid_until) per account,
  recipient class and named partner, so the gate and audience queries can ask "as of T"
  without deriving. Its primary key changes, so the table is dropped and created again:
  nothing wrote it before this release except tests, and `cpniguard consent check --repair`
  rebuilds it from the ledger.
- `consent_notice_versions`, `notice_batches` (resumable initial and biennial mailings),
  `mailbox_messages` (every email to the marketing mailbox, raw, before processing),
  `opt_out_probes` and `opt_out_failure_incidents` (64.2009(f)).

Revision ID: e4b8c2d6f0a1
Revises: d7a3c5e9b1f2
Create Date: 2026-11-28 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e4b8c2d6f0a1"
down_revision = "d7a3c5e9b1f2"
branch_labels = None
depends_on = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = "the consent ledger is append-only"
_RECIPIENT_CLASSES = (
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
_APPROVALS = ("none", "opt_out_deemed", "opt_in", "opted_out", "one_time_oral")
_POSTGRES_FUNCTION = f"""
CREATE FUNCTION consent_events_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY}: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "consent_notice_versions",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("waiting_period_days", sa.Integer(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_consent_notice_versions")),
    )
    op.create_table(
        "opt_out_failure_incidents",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("channels", sa.String(length=200), nullable=False),
        sa.Column("determined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("letter_due_on", sa.Date(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("remedy", sa.Text(), nullable=True),
        sa.Column("remedy_date", sa.Date(), nullable=True),
        sa.Column("state_commission_notice", sa.Text(), nullable=True),
        sa.Column("customer_notice", sa.Text(), nullable=True),
        sa.Column("letter_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opt_out_failure_incidents")),
    )
    op.create_table(
        "opt_out_probes",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "marketing_mailbox",
                "portal",
                "representative",
                "mailed_form",
                name="probe_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opt_out_probes")),
        sa.UniqueConstraint("nonce", name=op.f("uq_opt_out_probes_nonce")),
    )
    with op.batch_alter_table("opt_out_probes", schema=None) as batch_op:
        batch_op.create_index("ix_opt_out_probes_channel", ["channel", "sent_at"], unique=False)

    op.create_table(
        "notice_batches",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("notice_version", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cursor_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_version"],
            ["consent_notice_versions.version"],
            name=op.f("fk_notice_batches_notice_version_consent_notice_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_batches")),
    )
    op.create_table(
        "consent_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "notice_sent",
                "notice_bounced",
                "opted_out",
                "opted_in",
                "revoked",
                "one_time_consent",
                name="consent_event_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("notice_version", sa.String(length=64), nullable=True),
        sa.Column(
            "notice_medium",
            sa.Enum(
                "email",
                "mail",
                "oral",
                name="notice_medium",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("waiting_period_days", sa.Integer(), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "marketing_mailbox",
                "portal",
                "representative",
                "mailed_form",
                name="consent_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "proof",
            sa.Enum(
                "written",
                "electronic",
                "oral",
                name="consent_proof",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("recording_reference", sa.String(length=500), nullable=True),
        sa.Column("refers_to", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("interaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("reference", sa.String(length=128), nullable=True),
        sa.CheckConstraint(
            "waiting_period_days IS NULL OR waiting_period_days >= 30",
            name=op.f("ck_consent_events_waiting_period"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_consent_events_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_consent_events_interaction_id_interactions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["notice_version"],
            ["consent_notice_versions.version"],
            name=op.f("fk_consent_events_notice_version_consent_notice_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["refers_to"],
            ["consent_events.id"],
            name=op.f("fk_consent_events_refers_to_consent_events"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
        sa.UniqueConstraint("reference", name=op.f("uq_consent_events_reference")),
    )
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.create_index("ix_consent_events_account", ["account_id", "occurred_at"], unique=False)
        batch_op.create_index("ix_consent_events_interaction", ["interaction_id"], unique=False)
        batch_op.create_index("ix_consent_events_kind", ["kind", "account_id", "occurred_at"], unique=False)
        batch_op.create_index("ix_consent_events_recorded", ["kind", "recorded_at"], unique=False)

    op.create_table(
        "mailbox_messages",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("envelope_sender", sa.String(length=500), nullable=False),
        sa.Column("recipients", sa.String(length=2000), nullable=False),
        sa.Column("peer", sa.String(length=200), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "processed",
                "needs_review",
                "resolved",
                "dismissed",
                name="mailbox_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("review_reason", sa.String(length=500), nullable=True),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("consent_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_mailbox_messages_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["consent_event_id"],
            ["consent_events.id"],
            name=op.f("fk_mailbox_messages_consent_event_id_consent_events"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailbox_messages")),
    )
    with op.batch_alter_table("mailbox_messages", schema=None) as batch_op:
        batch_op.create_index("ix_mailbox_messages_due", ["status", "next_attempt_at"], unique=False)

    op.drop_table("consent_states")
    op.create_table(
        "consent_states",
        sa.Column("account_id", KEY, nullable=False),
        sa.Column(
            "recipient_class",
            sa.Enum(
                *_RECIPIENT_CLASSES,
                name="recipient_class",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("partner", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "approval",
            sa.Enum(*_APPROVALS, name="approval", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("basis_event_id", KEY, nullable=True),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until > valid_from", name=op.f("ck_consent_states_span_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_consent_states_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["basis_event_id"],
            ["consent_events.id"],
            name=op.f("fk_consent_states_basis_event_id_consent_events"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "recipient_class", "partner", "valid_from", name=op.f("pk_consent_states")
        ),
    )
    op.create_index(
        "ix_consent_states_eligibility",
        "consent_states",
        ["recipient_class", "partner", "account_id", "approval", "valid_from", "valid_until"],
    )
    # The mailbox finds the notice a bounce or a reply names by the Message-ID the worker stored.
    op.create_index("ix_outbox_messages_provider_reference", "outbox_messages", ["provider_reference"])
    _create_guard()


def _create_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        op.execute(
            "CREATE TRIGGER consent_events_append_only BEFORE UPDATE ON consent_events "
            "FOR EACH ROW EXECUTE FUNCTION consent_events_refuse_update()"
        )
        return
    op.execute(
        "CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}: UPDATE on consent_events refused'); END"
    )


def downgrade() -> None:
    """Back to the single-row projection; the ledger and its records are dropped."""
    events = op.get_bind().execute(sa.text("SELECT count(*) FROM consent_events")).scalar_one()
    if events:
        raise RuntimeError(f"refusing to drop a consent ledger of {events} events (47 CFR 64.2007(a)(3))")
    op.drop_index("ix_outbox_messages_provider_reference", "outbox_messages")
    op.drop_table("consent_states")
    op.create_table(
        "consent_states",
        sa.Column("account_id", KEY, nullable=False),
        sa.Column(
            "recipient_class",
            sa.Enum(
                *_RECIPIENT_CLASSES,
                name="recipient_class",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "approval",
            sa.Enum(*_APPROVALS, name="approval", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_consent_states_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("account_id", "recipient_class", name=op.f("pk_consent_states")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER consent_events_append_only ON consent_events")
        op.execute("DROP FUNCTION consent_events_refuse_update()")
    with op.batch_alter_table("mailbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_mailbox_messages_due")

    op.drop_table("mailbox_messages")
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_events_kind")
        batch_op.drop_index("ix_consent_events_interaction")
        batch_op.drop_index("ix_consent_events_account")

    op.drop_table("consent_events")
    op.drop_table("notice_batches")
    with op.batch_alter_table("opt_out_probes", schema=None) as batch_op:
        batch_op.drop_index("ix_opt_out_probes_channel")

    op.drop_table("opt_out_probes")
    op.drop_table("opt_out_failure_incidents")
    op.drop_table("consent_notice_versions")
