"""The facts the CPNI gate decides on: interactions, training, discipline, approvals.

Why: issue 3. The gate needs what the current interaction proved (64.2010(a)-(g)), whether
the employee's CPNI training is current (64.2009(b)) with the disciplinary process beside
it, and the customer's approval per recipient class (64.2007(b)), kept as a projection
that the consent ledger (issue 5) will maintain.

Revision ID: c3d9e1f7a2b4
Revises: a1c0e5d9f3b2
Create Date: 2026-11-28 11:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c3d9e1f7a2b4"
down_revision = "a1c0e5d9f3b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_states",
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "recipient_class",
            sa.Enum(
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
                name="recipient_class",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "approval",
            sa.Enum(
                "none",
                "opt_out_deemed",
                "opt_in",
                "opted_out",
                "one_time_oral",
                name="approval",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
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
    op.create_table(
        "disciplinary_actions",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("employee_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "warning",
                "retraining",
                "suspension",
                "termination",
                name="action",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_disciplinary_actions_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disciplinary_actions")),
    )
    with op.batch_alter_table("disciplinary_actions", schema=None) as batch_op:
        batch_op.create_index("ix_disciplinary_actions_employee", ["employee_id", "taken_at"], unique=False)

    op.create_table(
        "employee_trainings",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("employee_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.CheckConstraint(
            "expires_at > completed_at", name=op.f("ck_employee_trainings_expires_after_completion")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_employee_trainings_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee_trainings")),
    )
    with op.batch_alter_table("employee_trainings", schema=None) as batch_op:
        batch_op.create_index("ix_employee_trainings_employee", ["employee_id", "completed_at"], unique=False)

    op.create_table(
        "interactions",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "inbound_call",
                "outbound_call",
                "online",
                "store",
                "email",
                "postal_mail",
                "api",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("employee_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("caller_number", sa.String(length=16), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at", name=op.f("ck_interactions_span_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_interactions_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_interactions_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index("ix_interactions_account_started", ["account_id", "started_at"], unique=False)

    op.create_table(
        "interaction_authentications",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("interaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "password",
                "callback_to_number_of_record",
                "code_to_email_of_record",
                "letter_to_address_of_record",
                "photo_id",
                "business_contract",
                name="method",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reached_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_interaction_authentications_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_interaction_authentications_interaction_id_interactions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction_authentications")),
        sa.UniqueConstraint(
            "interaction_id", "method", name=op.f("uq_interaction_authentications_interaction_id_method")
        ),
    )


def downgrade() -> None:
    op.drop_table("interaction_authentications")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_account_started")

    op.drop_table("interactions")
    with op.batch_alter_table("employee_trainings", schema=None) as batch_op:
        batch_op.drop_index("ix_employee_trainings_employee")

    op.drop_table("employee_trainings")
    with op.batch_alter_table("disciplinary_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_disciplinary_actions_employee")

    op.drop_table("disciplinary_actions")
    op.drop_table("consent_states")
