"""The campaign-versions migration keeps each existing campaign's current draft (64.2009(c)).

Real SQLite, and PostgreSQL with CPNIGUARD_TEST_DATABASE_URL: a database at the revision before,
holding campaigns written as that schema wrote them, is upgraded to head.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session
from tests.integration import test_migrations

from cpniguard.adapters.db import migrate
from cpniguard.adapters.db.campaign_versions import draft_values
from cpniguard.adapters.db.campaigns import SqlCampaignStore
from cpniguard.adapters.db.tables import CampaignRecord, CampaignReviewRecord
from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.campaigns import (
    AudienceCriteria,
    Campaign,
    CampaignChannel,
    CampaignDraft,
    CampaignSponsor,
    CampaignStatus,
    CampaignVersion,
    Offer,
    OfferCategory,
    ReviewAction,
)

empty_database_url, empty_engine = test_migrations.empty_database_url, test_migrations.empty_engine
"""The migration tests' fixtures: an empty database on the engine under test, and its engine."""
BEFORE = "c7e9a1b3d5f8"
CREATED = datetime(2026, 10, 1, 14, 0, tzinfo=UTC)
EDITED = datetime(2026, 10, 2, 9, 30, tzinfo=UTC)
UPDATED = datetime(2026, 10, 2, 14, 30, tzinfo=UTC)
"""The campaign row's last change: apart from the steps, so that where a version's time comes from shows."""
DRAFT = CampaignDraft(
    name="Partner alarms",
    description="Home alarms from Acme Alarm to customers who take local service",
    sponsor=CampaignSponsor.THIRD_PARTY,
    channel=CampaignChannel.POSTAL_MAIL,
    offers=(Offer("Home alarm", OfferCategory.NON_COMMUNICATIONS),),
    cpni_fields=("services.category", "call_detail_records.started_at"),
    criteria=AudienceCriteria(subscribes_to_any=frozenset({ServiceCategory.LOCAL}), min_calls=2),
    starts_on=date(2026, 12, 1),
    ends_on=date(2027, 1, 31),
    sponsor_name="Acme Alarm",
)


def campaign_as_before(
    engine: Engine, version: int, steps: list[tuple[ReviewAction, str, datetime, int]]
) -> int:
    """A campaign at `version` with its review `steps`, written as the schema before wrote them."""
    with engine.begin() as connection:
        values = {
            **draft_values(DRAFT),
            "status": CampaignStatus.DRAFT,
            "version": version,
            "author": "ana.analyst",
            "created_at": CREATED,
            "updated_at": UPDATED,
        }
        campaign_id = int(
            connection.execute(
                insert(CampaignRecord).values(**values).returning(CampaignRecord.id)
            ).scalar_one()
        )
        for action, actor, at, step_version in steps:
            step = {
                "campaign_id": campaign_id,
                "action": action,
                "actor": actor,
                "actor_role": "marketing_analyst",
            }
            connection.execute(
                insert(CampaignReviewRecord).values(**step, at=at, version=step_version, note="")
            )
    return campaign_id


def test_each_campaign_gets_its_current_draft_as_saved_by_its_last_edit_or_by_its_author(empty_engine):
    migrate.upgrade(empty_engine, BEFORE)
    edited = campaign_as_before(
        empty_engine,
        2,
        [(ReviewAction.CREATED, "ana.analyst", CREATED, 1), (ReviewAction.EDITED, "bob.analyst", EDITED, 2)],
    )
    without_steps = campaign_as_before(empty_engine, 1, [])

    migrate.upgrade(empty_engine)

    assert migrate.schema_drift(empty_engine) == []
    with Session(empty_engine) as session:
        store = SqlCampaignStore(session)
        assert store.versions(edited) == [CampaignVersion(edited, 2, DRAFT, EDITED, "bob.analyst")]
        assert store.versions(without_steps) == [
            CampaignVersion(without_steps, 1, DRAFT, UPDATED, "ana.analyst")
        ]


def test_the_downgrade_refuses_to_drop_a_version_before_the_current_one(empty_engine):
    migrate.upgrade(empty_engine, BEFORE)
    campaign_id = campaign_as_before(empty_engine, 1, [(ReviewAction.CREATED, "ana.analyst", CREATED, 1)])
    migrate.upgrade(empty_engine)
    test_migrations.downgrade(empty_engine, BEFORE)  # only current versions: nothing is lost
    migrate.upgrade(empty_engine)
    with Session(empty_engine) as session:
        store = SqlCampaignStore(session)
        current = store.get(campaign_id)
        assert current is not None
        edited = Campaign(campaign_id, DRAFT, CampaignStatus.DRAFT, 2, current.author, CREATED, EDITED)
        store.update(edited, by="bob.analyst")
        session.commit()

    with pytest.raises(RuntimeError, match="refusing to drop 1 earlier campaign versions"):
        test_migrations.downgrade(empty_engine, BEFORE)
