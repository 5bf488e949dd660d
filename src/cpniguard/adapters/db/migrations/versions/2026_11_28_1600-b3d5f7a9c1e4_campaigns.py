"""Marketing campaigns: the register, its supervisory review, audiences and third-party disclosures.

Why: issue 7 (47 CFR 64.2009(c), (d); 64.2005, 64.2007; 47 U.S.C. 222(b)).
- `campaigns` is the register of 64.2009(c): description, sponsor, offers with their
  categories, the specific CPNI used, audience criteria and dates, with the review status.
- `campaign_reviews` records every step (created, edited, submitted, approved, returned,
  rejected) with who and when: the supervisory review's record of 64.2009(d). Append-only:
  a trigger refuses UPDATE on both engines.
- `campaign_audiences` and `campaign_audience_members`: who an approved campaign selected, as
  of when, on what ground, and how many were left out by reason.
- `third_party_disclosures` is the 64.2009(c) log of CPNI given to third parties; append-only.
- `carrier_change_notices` holds other carriers' port-out and carrier-change requests, in a
  data class of their own so that no campaign can use them (222(b)).
All are kept at least 1 year; only the purge of a whole campaign past that deletes.

Two choices made for audiences of a million customers (bench/audience.py):
- `campaign_audience_members` has no foreign keys. Checked row by row they cost about 18 µs a
  member on PostgreSQL (a key-share lock on the account and on the audience for every row): 12 of
  the 15 seconds of storing a 665,000-member audience. Integrity holds by construction: members
  are written only by `campaign_audience.fill_audience`, one INSERT ... SELECT whose account keys
  come from `accounts` in that same statement, under the audience row inserted just before in the
  same transaction; nothing deletes accounts, and the purge of a campaign deletes its members
  before its audiences. The primary key (audience_id, account_id) still keeps one row per member.
- `ix_services_account` (account_id, category, started_at, ended_at) on `services`: the audience's
  criteria and the total service approach ask which categories an account takes at an instant.
  Without it each of those questions reads the whole table (and PostgreSQL then hashes or sorts
  the keys it found); with it both engines read the index alone, in account order.

Revision ID: b3d5f7a9c1e4
Revises: a9c1e3f5b7d2
Create Date: 2026-11-28 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b3d5f7a9c1e4"
down_revision = "a9c1e3f5b7d2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=10000), nullable=False),
        sa.Column(
            "sponsor",
            sa.Enum(
                "carrier",
                "affiliate",
                "non_communications_affiliate",
                "agent",
                "joint_venture_partner",
                "independent_contractor",
                "third_party",
                name="campaign_sponsor",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("sponsor_name", sa.String(length=200), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "postal_mail",
                "outbound_call",
                "sms",
                "online",
                "in_store",
                name="campaign_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("offers", sa.JSON(), nullable=False),
        sa.Column("cpni_fields", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "approved",
                "returned",
                "rejected",
                name="campaign_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "campaign_audiences",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("campaign_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("campaign_version", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("built_by", sa.String(length=200), nullable=False),
        sa.Column("selected", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_audiences_campaign_id_campaigns"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_audiences")),
    )
    with op.batch_alter_table("campaign_audiences", schema=None) as batch_op:
        batch_op.create_index("ix_campaign_audiences_campaign", ["campaign_id", "id"], unique=False)

    op.create_table(
        "campaign_reviews",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("campaign_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "created",
                "edited",
                "submitted",
                "approved",
                "returned",
                "rejected",
                name="review_action",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_reviews_campaign_id_campaigns"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_reviews")),
    )
    with op.batch_alter_table("campaign_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_campaign_reviews_at", ["at"], unique=False)
        batch_op.create_index("ix_campaign_reviews_campaign", ["campaign_id", "id"], unique=False)

    op.create_table(
        "carrier_change_notices",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_carrier", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_carrier_change_notices_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_change_notices")),
    )
    op.create_table(
        "campaign_audience_members",
        sa.Column("audience_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "need",
            sa.Enum(
                "total_service_approach",
                "opt_out_or_opt_in",
                "opt_in",
                name="approval_need",
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
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("audience_id", "account_id", name=op.f("pk_campaign_audience_members")),
    )
    op.create_table(
        "third_party_disclosures",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("campaign_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("audience_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
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
        sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disclosed_by", sa.String(length=200), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("cpni_fields", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audience_id"],
            ["campaign_audiences.id"],
            name=op.f("fk_third_party_disclosures_audience_id_campaign_audiences"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_third_party_disclosures_campaign_id_campaigns"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_third_party_disclosures")),
    )
    with op.batch_alter_table("third_party_disclosures", schema=None) as batch_op:
        batch_op.create_index("ix_third_party_disclosures_at", ["disclosed_at"], unique=False)

    op.create_index("ix_services_account", "services", ["account_id", "category", "started_at", "ended_at"])
    for table in APPEND_ONLY_TABLES:
        _refuse_updates(table)


APPEND_ONLY_TABLES = ("campaign_reviews", "third_party_disclosures")


def _refuse_updates(table: str) -> None:
    message = f"{table} is append-only"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {table}_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{message}: % on % refused', TG_OP, TG_TABLE_NAME "
            "USING ERRCODE = 'restrict_violation'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse_update()"
        )
        return
    op.execute(
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}: UPDATE on {table} refused'); END"
    )


def downgrade() -> None:
    """Drop the campaign register; refused while it holds any campaign (64.2009(c): kept 1 year)."""
    campaigns = op.get_bind().execute(sa.text("SELECT count(*) FROM campaigns")).scalar_one()
    if campaigns:
        raise RuntimeError(f"refusing to drop the register of {campaigns} campaigns (47 CFR 64.2009(c))")
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP FUNCTION {table}_refuse_update()")
    op.drop_index("ix_services_account", table_name="services")
    with op.batch_alter_table("third_party_disclosures", schema=None) as batch_op:
        batch_op.drop_index("ix_third_party_disclosures_at")

    op.drop_table("third_party_disclosures")
    op.drop_table("campaign_audience_members")
    op.drop_table("carrier_change_notices")
    with op.batch_alter_table("campaign_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_reviews_campaign")
        batch_op.drop_index("ix_campaign_reviews_at")

    op.drop_table("campaign_reviews")
    with op.batch_alter_table("campaign_audiences", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_audiences_campaign")

    op.drop_table("campaign_audiences")
    op.drop_table("campaigns")
