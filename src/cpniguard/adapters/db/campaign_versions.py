"""Each version of a campaign's draft, kept as it was saved (47 CFR 64.2009(c)).

The register must say what CPNI a campaign used and what it offered; a campaign edited after an
approval, or after its audience went out, would otherwise keep only its latest draft. Every
create and edit adds a row to `campaign_versions` (append-only), holding the draft as a JSON
document; the campaign's own row holds the current draft in columns, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import CampaignVersionRecord
from cpniguard.domain.accounts import AccountKind, Language, ServiceCategory
from cpniguard.domain.campaigns import (
    AudienceCriteria,
    CampaignChannel,
    CampaignDraft,
    CampaignSponsor,
    CampaignVersion,
    Offer,
    OfferCategory,
)

_VERSIONS = CampaignVersionRecord.__table__.c


def add_version(session: Session, saved: CampaignVersion) -> None:
    """Record a version of a campaign's draft as saved."""
    values = {
        "campaign_id": saved.campaign_id,
        "version": saved.version,
        "draft": draft_document(saved.draft),
        "saved_at": saved.saved_at,
        "saved_by": saved.saved_by,
    }
    session.execute(insert(CampaignVersionRecord).values(**values))


def versions(session: Session, campaign_id: int) -> list[CampaignVersion]:
    """Every version of the campaign as saved, oldest first."""
    query = (
        select(_VERSIONS.version, _VERSIONS.draft, _VERSIONS.saved_at, _VERSIONS.saved_by)
        .where(_VERSIONS.campaign_id == campaign_id)
        .order_by(_VERSIONS.version)
    )
    return [
        CampaignVersion(campaign_id, row.version, draft_from_document(row.draft), row.saved_at, row.saved_by)
        for row in session.execute(query)
    ]


def draft_document(draft: CampaignDraft) -> dict[str, Any]:
    """`draft` as one JSON document: `draft_values` with its days as ISO 8601 text."""
    values = draft_values(draft)
    return {
        **values,
        "sponsor": str(draft.sponsor),
        "channel": str(draft.channel),
        "starts_on": draft.starts_on.isoformat(),
        "ends_on": draft.ends_on.isoformat(),
    }


def draft_from_document(document: Mapping[str, Any]) -> CampaignDraft:
    """The draft `draft_document` stored."""
    days = {name: date.fromisoformat(document[name]) for name in ("starts_on", "ends_on")}
    return draft_from_values({**document, **days})


def draft_values(draft: CampaignDraft) -> dict[str, Any]:
    """The campaign columns holding `draft` (JSON for the offers, CPNI fields and criteria)."""
    return {
        "name": draft.name,
        "description": draft.description,
        "sponsor": draft.sponsor,
        "sponsor_name": draft.sponsor_name,
        "channel": draft.channel,
        "offers": [{"product": o.product, "category": str(o.category)} for o in draft.offers],
        "cpni_fields": list(draft.cpni_fields),
        "criteria": criteria_document(draft.criteria),
        "starts_on": draft.starts_on,
        "ends_on": draft.ends_on,
    }


def criteria_document(criteria: AudienceCriteria) -> dict[str, Any]:
    """The criteria as JSON: each set a sorted list, so equal criteria are stored alike."""
    return {
        "account_kinds": sorted(str(k) for k in criteria.account_kinds),
        "languages": sorted(str(lang) for lang in criteria.languages),
        "subscribes_to_any": sorted(str(c) for c in criteria.subscribes_to_any),
        "subscribes_to_none_of": sorted(str(c) for c in criteria.subscribes_to_none_of),
        "min_calls": criteria.min_calls,
        "calls_within_days": criteria.calls_within_days,
    }


def criteria_from_document(document: Mapping[str, Any]) -> AudienceCriteria:
    """The criteria `criteria_document` stored."""
    return AudienceCriteria(
        account_kinds=frozenset(AccountKind(k) for k in document["account_kinds"]),
        languages=frozenset(Language(lang) for lang in document["languages"]),
        subscribes_to_any=frozenset(ServiceCategory(c) for c in document["subscribes_to_any"]),
        subscribes_to_none_of=frozenset(ServiceCategory(c) for c in document["subscribes_to_none_of"]),
        min_calls=document["min_calls"],
        calls_within_days=document["calls_within_days"],
    )


def draft_from_values(values: Mapping[str, Any]) -> CampaignDraft:
    """The draft in `draft_values`' shape (the campaign's columns, or a version's document)."""
    return CampaignDraft(
        name=values["name"],
        description=values["description"],
        sponsor=CampaignSponsor(values["sponsor"]),
        channel=CampaignChannel(values["channel"]),
        offers=tuple(Offer(o["product"], OfferCategory(o["category"])) for o in values["offers"]),
        cpni_fields=tuple(values["cpni_fields"]),
        criteria=criteria_from_document(values["criteria"]),
        starts_on=values["starts_on"],
        ends_on=values["ends_on"],
        sponsor_name=values["sponsor_name"],
    )
