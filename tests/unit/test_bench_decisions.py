"""The gate's policy, its Cedar expression and its Casbin expression must not drift apart (issue 3).

bench/decisions.py times the three; these tests run its agreement check on a small sample
so that a change to one expression without the others fails the suite.
"""

from __future__ import annotations

import itertools
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from casbin_gate import MODEL_PATH, POLICY_PATH, CasbinGate  # noqa: E402
from cedar_gate import POLICY_TEXT, CedarGate  # noqa: E402
from cpniguard.domain.accounts import ServiceCategory  # noqa: E402
from cpniguard.domain.classification import DataClass  # noqa: E402
from cpniguard.domain.disclosure import decide  # noqa: E402
from cpniguard.domain.disclosure_request import (  # noqa: E402
    ActorKind,
    Approval,
    Channel,
    DisclosureFacts,
    DisclosureRequest,
    Purpose,
    RecipientClass,
)
from cpniguard.domain.employees import Role, TrainingStatus  # noqa: E402
from cpniguard.domain.subscriber_list import ListingStatus  # noqa: E402
from decision_pairs import uncovered_values, varied_pairs  # noqa: E402
from decisions import disagreements  # noqa: E402

SAMPLE = varied_pairs(300, seed=2026)
DRIFT_SAMPLE = varied_pairs(3000, seed=2026)
"""Large enough to hold store requests whatever the vocabularies' sizes (a new data class shifts the draw)."""
STORE_NEEDS_PHOTO_ID = '(context.channel == "store" && context.authentication.contains("photo_id"))'


@pytest.fixture(scope="module")
def cedar() -> CedarGate:
    return CedarGate.load()


@pytest.fixture(scope="module")
def casbin() -> CasbinGate:
    return CasbinGate.load()


def test_cpniguard_cedar_and_casbin_agree_on_every_sampled_request(
    cedar: CedarGate, casbin: CasbinGate
) -> None:
    outcomes = {decide(*pair).is_permitted for pair in SAMPLE}

    assert outcomes == {True, False}
    assert disagreements(SAMPLE, cedar, casbin) == []


def test_a_cedar_policy_that_drifts_from_the_gate_is_reported(casbin: CasbinGate) -> None:
    drifted = CedarGate.load(POLICY_TEXT.replace(STORE_NEEDS_PHOTO_ID, 'context.channel == "store"'))

    found = disagreements(DRIFT_SAMPLE, drifted, casbin)

    assert found
    assert {(item.cpniguard, item.cedar, item.casbin) for item in found} == {(False, True, False)}
    assert all(item.pair[0].channel == "store" for item in found)


def test_a_casbin_policy_that_drifts_from_the_gate_is_reported(cedar: CedarGate, tmp_path: Path) -> None:
    lines = POLICY_PATH.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if 'r.ctx.channel == "store"' not in line]
    assert len(kept) == len(lines) - 1
    policy = tmp_path / "drifted.csv"
    policy.write_text("\n".join(kept), encoding="utf-8")

    found = disagreements(DRIFT_SAMPLE, cedar, CasbinGate.load(MODEL_PATH, policy))

    assert found
    assert {(item.cpniguard, item.cedar, item.casbin) for item in found} == {(False, False, True)}


def test_cedar_policies_that_do_not_match_the_schema_are_refused() -> None:
    misspelt = POLICY_TEXT.replace("context.has_written_designation", "context.has_written_designatoin")

    with pytest.raises(ValueError, match="do not match the schema"):
        CedarGate.load(misspelt)


def test_the_generator_draws_every_value_of_every_field_and_some_outside_them() -> None:
    assert uncovered_values(varied_pairs(2000, seed=2026)) == {}


ASKERS = {
    Purpose.DIRECTORY_LISTING: (ActorKind.INTEGRATION, Role.INTEGRATION),
    Purpose.CUSTOMER_DESIGNATED: (ActorKind.EMPLOYEE, Role.COMPLIANCE_OFFICER),
}
"""Who asks for the purposes a supervisor may not ask for; a supervisor asks for the others."""
MARKETING = {
    Purpose.MARKETING_WITHIN_SUBSCRIBED,
    Purpose.MARKETING_COMMUNICATIONS_RELATED,
    Purpose.MARKETING_BY_PARTNERS,
    Purpose.AFFILIATE_SHARING,
}
"""The purposes on which a non-communications affiliate may have CPNI, with opt-in (64.2007(b))."""


def _affiliate_pairs() -> list[tuple[DisclosureRequest, DisclosureFacts]]:
    """Both classes of affiliate, on every purpose, approval, channel and number of categories."""
    asked = [(purpose, DataClass.CPNI) for purpose in Purpose]
    asked.append((Purpose.DIRECTORY_LISTING, DataClass.SUBSCRIBER_LIST))
    pairs = []
    for recipient, (purpose, data), approval, subscribed, channel in itertools.product(
        (RecipientClass.AFFILIATE, RecipientClass.NON_COMMUNICATIONS_AFFILIATE),
        asked,
        Approval,
        (frozenset({ServiceCategory.LOCAL}), frozenset({ServiceCategory.LOCAL, ServiceCategory.WIRELESS})),
        (Channel.EMAIL, Channel.INBOUND_CALL),
    ):
        kind, role = ASKERS.get(purpose, (ActorKind.EMPLOYEE, Role.SUPERVISOR))
        request = DisclosureRequest(
            kind, role, data, purpose, channel, recipient, None, ServiceCategory.LOCAL
        )
        facts = DisclosureFacts(
            decided_at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
            approvals={recipient: approval},
            subscribed_categories=subscribed,
            actor_training=TrainingStatus.CURRENT,
            listing_status=ListingStatus.LISTED,
            has_written_designation=True,
        )
        pairs.append((request, facts))
    return pairs


def test_the_engines_agree_on_both_classes_of_affiliate_for_every_purpose(
    cedar: CedarGate, casbin: CasbinGate
) -> None:
    pairs = _affiliate_pairs()
    non_communications = [
        pair for pair in pairs if pair[0].recipient is RecipientClass.NON_COMMUNICATIONS_AFFILIATE
    ]
    permitted = [pair for pair in non_communications if decide(*pair).is_permitted]
    approvals_for_marketing = {
        pair[1].approval_of(pair[0].recipient) for pair in permitted if pair[0].purpose in MARKETING
    }

    assert disagreements(pairs, cedar, casbin) == []
    assert {pair[0].purpose for pair in permitted} == MARKETING | {
        Purpose.DIRECTORY_LISTING,
        Purpose.CUSTOMER_DESIGNATED,
    }
    assert approvals_for_marketing == {Approval.OPT_IN}
