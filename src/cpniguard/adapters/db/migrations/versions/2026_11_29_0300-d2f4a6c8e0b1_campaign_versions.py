"""Campaign versions: every version of a campaign's draft, kept as it was saved.

Why: issue 7 (47 CFR 64.2009(c)). The register must say what CPNI each campaign used and what it
offered. An edit used to overwrite the campaign's row, so a campaign approved and sent out, then
edited, kept only the later draft: what the approved version used and offered was lost.
- `campaign_versions` (campaign_id, version) holds each version's draft as one JSON document
  (name, description, sponsor, channel, offers with their categories, CPNI fields, criteria,
  days as ISO 8601), who saved it and when. Append-only: a trigger refuses UPDATE on both
  engines; only the purge of a whole campaign past its year deletes.
- Existing campaigns get their current version, saved by whoever created or last edited it
  (from `campaign_reviews`), at that step's time; the drafts of earlier versions were never kept.

Revision ID: d2f4a6c8e0b1
Revises: c7e9a1b3d5f8
Create Date: 2026-11-29 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d2f4a6c8e0b1"
down_revision = "c7e9a1b3d5f8"
branch_labels = None
depends_on = None

TABLE = "campaign_versions"


def upgrade() -> None:
    op.create_table(
        "campaign_versions",
        sa.Column("campaign_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_versions_campaign_id_campaigns"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "version", name=op.f("pk_campaign_versions")),
    )
    op.execute(_current_versions(op.get_bind().dialect.name == "postgresql"))
    _refuse_updates()


_CAMPAIGNS = sa.table(
    "campaigns",
    *(sa.column(name) for name in ("id", "version", "author", "updated_at", "name", "description")),
    *(sa.column(name) for name in ("sponsor", "sponsor_name", "channel", "offers", "cpni_fields")),
    *(sa.column(name) for name in ("criteria", "starts_on", "ends_on")),
)
_REVIEWS = sa.table("campaign_reviews", *(sa.column(n) for n in ("id", "campaign_id", "version", "action")))
_VERSIONS = sa.table(
    TABLE, *(sa.column(n) for n in ("campaign_id", "version", "draft", "saved_at", "saved_by"))
)


def _current_versions(postgresql: bool) -> sa.Insert:
    """Each campaign's current draft as its version, copied by the database as stored.

    Instants keep each engine's own form; the JSON columns nest as JSON (PostgreSQL's json,
    SQLite's text through json()); days are YYYY-MM-DD.
    """
    c = _CAMPAIGNS.c
    nested = (lambda value: value) if postgresql else sa.func.json
    day = (lambda value: sa.func.to_char(value, "YYYY-MM-DD")) if postgresql else (lambda value: value)
    fields = {
        "name": c.name,
        "description": c.description,
        "sponsor": c.sponsor,
        "sponsor_name": c.sponsor_name,
        "channel": c.channel,
        "offers": nested(c.offers),
        "cpni_fields": nested(c.cpni_fields),
        "criteria": nested(c.criteria),
        "starts_on": day(c.starts_on),
        "ends_on": day(c.ends_on),
    }
    pairs = [part for name, value in fields.items() for part in (sa.literal(name), value)]
    draft = (sa.func.json_build_object if postgresql else sa.func.json_object)(*pairs)
    saved = sa.select(c.id, c.version, draft, _saved("at", c.updated_at), _saved("actor", c.author))
    return sa.insert(_VERSIONS).from_select(
        ["campaign_id", "version", "draft", "saved_at", "saved_by"], saved
    )


def _saved(column: str, otherwise: sa.ColumnClause[object]) -> sa.ColumnElement[object]:
    """The `column` of the step that saved the campaign's current version, else `otherwise`."""
    c, r = _CAMPAIGNS.c, _REVIEWS.c
    step = (
        sa.select(sa.column(column))
        .select_from(_REVIEWS)
        .where(r.campaign_id == c.id, r.version == c.version, r.action.in_(["created", "edited"]))
        .order_by(r.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return sa.func.coalesce(step, otherwise)


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
    """Drop the versions; refused while any campaign has a version before its current one (64.2009(c))."""
    earlier = op.get_bind().execute(sa.text(EARLIER_VERSIONS)).scalar_one()
    if earlier:
        raise RuntimeError(f"refusing to drop {earlier} earlier campaign versions (47 CFR 64.2009(c))")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {TABLE}_append_only ON {TABLE}")
        op.execute(f"DROP FUNCTION {TABLE}_refuse_update()")
    op.drop_table(TABLE)


EARLIER_VERSIONS = (
    "SELECT count(*) FROM campaign_versions v JOIN campaigns c ON c.id = v.campaign_id "
    "WHERE v.version < c.version"
)
