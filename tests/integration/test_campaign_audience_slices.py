"""An audience counted in slices of account keys counts what its build stores (issue 7).

count_outcomes cuts the classification into UNION ALL branches over key ranges on PostgreSQL, so
that parallel workers can share them. Whatever the slice size, the counts must be the build's,
on both engines; a customer on a slice's edge must be counted once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.conftest import is_postgres
from tests.integration import test_campaign_audience as world
from tests.integration.test_campaign_audience import (
    ACME,
    AS_OF,
    BUILT,
    THIRD_PARTY,
    S,
    a_plan,
    add_calls,
    customer,
    span,
)

from cpniguard.adapters.db import campaign_audience
from cpniguard.adapters.db.campaign_audience import ACCOUNTS_PER_SLICE, count_outcomes
from cpniguard.adapters.db.tables import Account, CampaignAudienceMember
from cpniguard.domain.accounts import AccountKind, Language, ServiceCategory
from cpniguard.domain.campaigns import ApprovalNeed, AudienceCriteria, ExclusionReason
from cpniguard.domain.consent_events import ConsentScope
from cpniguard.domain.disclosure_request import Approval, RecipientClass
from cpniguard.domain.errors import InvalidInputError

session, store, campaign, statements = world.session, world.store, world.campaign, world.statements
"""The audience tests' fixtures: a session in a savepoint, its campaign store, an approved campaign,
and the SQL statements the session sends."""
AFFILIATE = ConsentScope(RecipientClass.AFFILIATE)
WITH_CALLS = AudienceCriteria(
    account_kinds=frozenset({AccountKind.RESIDENTIAL}),
    subscribes_to_any=frozenset({S.WIRELESS}),
    subscribes_to_none_of=frozenset({S.INTERNATIONAL}),
    min_calls=2,
    calls_within_days=30,
)
PLANS = {
    "carrier, total service for wireless": a_plan(total_service=frozenset({S.WIRELESS})),
    "carrier, opt-out only": a_plan(),
    "partner opt-in with calls": a_plan(
        RecipientClass.THIRD_PARTY, ACME.partner, ApprovalNeed.OPT_IN, criteria=WITH_CALLS
    ),
    "third parties opt-in": a_plan(RecipientClass.THIRD_PARTY, need=ApprovalNeed.OPT_IN),
    "affiliate, two categories": replace(
        a_plan(RecipientClass.AFFILIATE, total_service=frozenset({S.LOCAL})), total_service_min_categories=2
    ),
    "carrier, total service for local and wireless, in French": a_plan(
        total_service=frozenset({S.LOCAL, S.WIRELESS}),
        criteria=AudienceCriteria(languages=frozenset({Language.FR})),
    ),
}


@pytest.fixture
def customers(session) -> list[int]:
    """Twenty-four customers cycling through spans, services, kinds and calls."""
    spans = [
        (span(Approval.OPT_OUT_DEEMED), span(Approval.OPT_OUT_DEEMED, THIRD_PARTY)),
        (span(Approval.OPT_IN), span(Approval.OPT_IN, THIRD_PARTY)),
        (span(Approval.OPTED_OUT), span(Approval.OPT_IN, ACME)),
        (span(Approval.OPT_IN, THIRD_PARTY), span(Approval.OPTED_OUT, ACME)),
        (span(Approval.OPT_OUT_DEEMED, AFFILIATE),),
        (),
    ]
    services: list[tuple[ServiceCategory, ...]] = [
        (S.WIRELESS,),
        (S.LOCAL, S.WIRELESS),
        (S.WIRELESS, S.INTERNATIONAL),
        (S.LOCAL,),
    ]
    made = []
    for n in range(24):
        kind = AccountKind.BUSINESS if n % 5 == 4 else AccountKind.RESIDENTIAL
        language = Language.FR if n % 3 == 0 else Language.EN
        made.append(customer(session, *spans[n % 6], services=services[n % 4], kind=kind, language=language))
        calls = [AS_OF - timedelta(days=d) for d in (1, 12, 45)[: n // 4 % 4]]
        if calls:
            add_calls(session, made[-1], *calls)
    return made


@pytest.mark.parametrize("name", PLANS)
@pytest.mark.parametrize("accounts_per_slice", [1, 2, 5, 7, ACCOUNTS_PER_SLICE])
def test_counts_in_slices_are_the_builds_counts(
    session, store, campaign, customers, name, accounts_per_slice
):
    plan = PLANS[name]
    build = store.build_audience(campaign, plan, built_at=BUILT, built_by="analyst-3")
    stored = session.scalar(
        select(func.count()).where(CampaignAudienceMember.audience_id == build.audience_id)
    )

    selected, excluded = count_outcomes(session, plan, accounts_per_slice)

    assert (selected, excluded) == (build.selected, dict(build.excluded))
    assert selected == stored
    assert (selected, excluded) == count_outcomes(session, plan)


@pytest.mark.parametrize("name", PLANS)
def test_what_is_still_selected_in_a_range_of_keys_is_the_builds_members_in_it(
    session, store, campaign, customers, name
):
    plan = PLANS[name]
    build = store.build_audience(campaign, plan, built_at=BUILT, built_by="analyst-3")
    members = set(
        session.scalars(
            select(CampaignAudienceMember.account_id).where(
                CampaignAudienceMember.audience_id == build.audience_id
            )
        )
    )
    ranges = [(customers[i], customers[j]) for i, j in ((0, 23), (0, 0), (3, 9), (10, 10), (7, 22))]

    for first, last in ranges:
        still = store.still_selected(plan, first_account_id=first, last_account_id=last)
        assert still == {key for key in members if first <= key <= last}, (first, last)
    assert members  # every plan selects someone here


def test_the_example_world_reaches_every_outcome(session, customers):
    """The slice test above means something only if its plans select and leave out people."""
    outcomes = [count_outcomes(session, plan, 3) for plan in PLANS.values()]
    with_calls = PLANS["partner opt-in with calls"]
    without_calls = count_outcomes(session, replace(with_calls, criteria=replace(WITH_CALLS, min_calls=None)))

    assert all(selected for selected, _ in outcomes)
    assert {reason for _, excluded in outcomes for reason, n in excluded.items() if n} == set(ExclusionReason)
    assert candidates(count_outcomes(session, with_calls, 3)) < candidates(without_calls)


def candidates(outcome: tuple[int, dict[ExclusionReason, int]]) -> int:
    selected, excluded = outcome
    return selected + sum(excluded.values())


def test_an_account_added_after_the_keys_were_read_still_falls_in_a_slice(session, customers, monkeypatch):
    plan = PLANS["carrier, opt-out only"]
    before = count_outcomes(session, plan, 2)
    highest = session.scalar(select(func.max(Account.id)))
    read_before = campaign_audience.key_slices(min(customers), highest, 2)
    monkeypatch.setattr(campaign_audience, "_slices", lambda _session, _size: read_before)

    added = customer(session, span(Approval.OPT_IN))

    assert added > highest
    assert count_outcomes(session, plan, 2)[0] == before[0] + 1


@pytest.mark.skipif(not is_postgres(), reason="slices are PostgreSQL's default; SQLite counts in one")
def test_on_postgresql_one_statement_counts_the_slices_and_asks_the_calls_above_them(
    session, customers, statements, monkeypatch
):
    monkeypatch.setattr(campaign_audience, "ACCOUNTS_PER_SLICE", 5)
    slices = len(campaign_audience.key_slices(min(customers), max(customers), 5))
    statements.clear()

    count_outcomes(session, PLANS["partner opt-in with calls"])
    count_outcomes(session, PLANS["carrier, opt-out only"])

    partner, carrier = [s for s in statements if "slice_0" in s]
    assert slices > 1
    assert partner.count("UNION ALL") == carrier.count("UNION ALL") == slices - 1
    sliced, above = partner.split("OFFSET", 1)
    assert "call_detail_records" not in sliced
    assert "call_detail_records" in above
    assert "OFFSET" not in carrier


def test_a_count_is_refused_for_a_plan_it_cannot_execute_or_a_slice_of_no_keys(session, customers):
    with pytest.raises(InvalidInputError) as refused:
        count_outcomes(session, a_plan(total_service=frozenset()))
    assert [p.location for p in refused.value.problems] == ["plan.total_service_categories"]

    with pytest.raises(ValueError, match="at least one account key"):
        count_outcomes(session, a_plan(), 0)
