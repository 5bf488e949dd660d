"""Properties of the whole gate (DESIGN.md invariants 1-3; 47 U.S.C. 222(c)(1); 47 CFR 64.2010(b)).

Deny by default, call detail only behind the 64.2010(b) safeguards, determinism, well-formed
reasons, and the rule set chosen by the decision's time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.unit.disclosure_builders import DECIDED_AT, RULES_2007, decided, facts, request, rule_ids

from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.actors import OUTSIDE_ACTORS, ROLE_PURPOSES
from cpniguard.domain.classification import DataClass
from cpniguard.domain.decisions import Alternative, Outcome, Reason, allow, combine, refuse
from cpniguard.domain.disclosure import (
    CHECKS,
    FIELD_VOCABULARIES,
    KNOWN_VALUES,
    RULE_SETS,
    RuleSet,
    decide,
    rule_set_in_force,
)
from cpniguard.domain.disclosure_request import (
    ActorKind,
    Approval,
    AuthenticationMethod,
    Channel,
    Destination,
    DisclosureFacts,
    DisclosureRequest,
    Purpose,
    RecipientClass,
)
from cpniguard.domain.employees import Role, TrainingStatus
from cpniguard.domain.purpose_reasons import ONLY_FOR_THIS_CALL
from cpniguard.domain.purposes import PURPOSE_RULES
from cpniguard.domain.subscriber_list import ListingStatus

FIRST_RULES_AT = datetime(2007, 12, 8, tzinfo=UTC)
INSTANTS_IN_FORCE = st.datetimes(
    min_value=datetime(2007, 12, 8),  # noqa: DTZ001  (hypothesis bounds are naive; the zone is added)
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
INSTANTS_BEFORE_ANY_RULES = st.datetimes(
    max_value=datetime(2007, 12, 7, 23, 59, 59, 999999),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def optional(values: type[Any]) -> st.SearchStrategy[Any]:
    return st.none() | st.sampled_from(values)


FITTING_ACTORS = [
    *((ActorKind.EMPLOYEE, role) for role in Role if role is not Role.INTEGRATION),
    (ActorKind.INTEGRATION, Role.INTEGRATION),
    *((kind, None) for kind in (ActorKind.CUSTOMER, ActorKind.OTHER_CARRIER, ActorKind.GOVERNMENT)),
]
"""Kinds with the roles that fit them, so that permits are drawn often enough to test."""
ACTORS = st.sampled_from(FITTING_ACTORS) | st.tuples(st.sampled_from(ActorKind), optional(Role))


@st.composite
def requests(draw: st.DrawFn) -> DisclosureRequest:
    kind, role = draw(ACTORS)
    return DisclosureRequest(
        actor_kind=kind,
        actor_role=role,
        data_category=draw(st.sampled_from(DataClass)),
        purpose=draw(st.sampled_from(Purpose)),
        channel=draw(st.sampled_from(Channel)),
        recipient=draw(st.sampled_from(RecipientClass)),
        destination=draw(optional(Destination)),
        offering_category=draw(optional(ServiceCategory)),
    )


@st.composite
def plausible_requests(draw: st.DrawFn) -> DisclosureRequest:
    """A request whose actor may ask its purpose, for a recipient and data that purpose names."""
    kind, role = draw(st.sampled_from(FITTING_ACTORS))
    outside = OUTSIDE_ACTORS.get(kind)
    purposes = outside[0] if outside else ROLE_PURPOSES[role] if role else frozenset()
    purpose = draw(st.sampled_from(sorted(purposes or Purpose)))
    rule = PURPOSE_RULES[purpose]
    recipients = {outside[1]} & rule.recipients if outside else rule.recipients
    return replace(
        draw(requests()),
        actor_kind=kind,
        actor_role=role,
        purpose=purpose,
        recipient=draw(st.sampled_from(sorted(recipients or rule.recipients))),
        data_category=draw(st.sampled_from(sorted(rule.categories))),
    )


REQUESTS = requests() | plausible_requests()


def facts_at(instants: st.SearchStrategy[datetime]) -> st.SearchStrategy[DisclosureFacts]:
    return st.builds(
        DisclosureFacts,
        decided_at=instants,
        authentication=st.frozensets(st.sampled_from(AuthenticationMethod)),
        call_detail_stated_unaided=st.booleans(),
        approvals=st.dictionaries(st.sampled_from(RecipientClass), st.sampled_from(Approval)),
        subscribed_categories=st.frozensets(st.sampled_from(ServiceCategory)),
        actor_training=st.just(TrainingStatus.CURRENT) | st.sampled_from(TrainingStatus),
        is_business_account=st.booleans(),
        has_dedicated_representative=st.booleans(),
        has_cpni_contract=st.booleans(),
        listing_status=st.sampled_from(ListingStatus),
        legal_process_reference=st.none() | st.text(max_size=20),
        has_written_designation=st.booleans(),
    )


FACTS = facts_at(INSTANTS_IN_FORCE)
UNKNOWN_VALUES = st.text(max_size=80) | st.integers() | st.just(object())


# ------------------------------------------------------------------ deny by default


@given(asked=REQUESTS, known=FACTS, field=st.sampled_from(sorted(FIELD_VOCABULARIES)), data=st.data())
def test_an_unknown_value_in_any_field_is_always_denied_with_a_reason_naming_the_field(
    asked: DisclosureRequest, known: DisclosureFacts, field: str, data: st.DataObject
) -> None:
    unknown: Any = data.draw(UNKNOWN_VALUES.filter(lambda value: value not in KNOWN_VALUES[field]))

    decision = decide(replace(asked, **{field: unknown}), known)

    assert decision.outcome is Outcome.DENY
    assert rule_ids(decision) == (f"deny-by-default.{field}",)
    assert field.replace("_", " ") in decision.reasons[0].explanation
    assert decision.rule_set == RULES_2007


def test_unknown_values_in_several_fields_are_each_named_and_absent_optional_fields_are_not() -> None:
    decision = decided(replace(request(), purpose="gossip", channel="carrier_pigeon"))  # type: ignore[arg-type]

    assert decision.outcome is Outcome.DENY
    assert rule_ids(decision) == ("deny-by-default.purpose", "deny-by-default.channel")


# ------------------------------------------------------------------ 64.2010(b) call detail


@given(asked=REQUESTS, known=FACTS)
def test_no_inbound_call_yields_call_detail_without_password_stated_detail_or_business_exemption(
    asked: DisclosureRequest, known: DisclosureFacts
) -> None:
    to_caller = replace(
        asked,
        channel=Channel.INBOUND_CALL,
        recipient=RecipientClass.CUSTOMER,
        data_category=DataClass.CALL_DETAIL,
    )
    safeguarded = (
        AuthenticationMethod.PASSWORD in known.authentication
        or known.call_detail_stated_unaided
        or (AuthenticationMethod.BUSINESS_CONTRACT in known.authentication and known.has_business_exemption)
    )

    decision = decide(to_caller, known)

    assert safeguarded or decision.outcome is Outcome.DENY


@given(known=FACTS)
def test_a_caller_who_only_stated_the_call_detail_hears_only_that_call(known: DisclosureFacts) -> None:
    stated_only = replace(
        known,
        authentication=known.authentication
        - {AuthenticationMethod.PASSWORD, AuthenticationMethod.BUSINESS_CONTRACT},
        call_detail_stated_unaided=True,
        actor_training=TrainingStatus.CURRENT,
    )

    decision = decide(request(data=DataClass.CALL_DETAIL, channel=Channel.INBOUND_CALL), stated_only)

    assert decision.outcome is Outcome.PERMIT
    assert [condition.code for condition in decision.conditions] == ["only_the_stated_call_detail"]


# ------------------------------------------------------------------ shape of every decision


@given(asked=REQUESTS, known=FACTS)
def test_a_decision_is_deterministic(asked: DisclosureRequest, known: DisclosureFacts) -> None:
    again = replace(known, approvals=dict(reversed(list(known.approvals.items()))))

    assert decide(asked, known) == decide(replace(asked), again)


@given(asked=REQUESTS, known=FACTS)
def test_every_reason_has_a_rule_id_a_citation_and_a_sentence(
    asked: DisclosureRequest, known: DisclosureFacts
) -> None:
    decision = decide(asked, known)

    assert decision.reasons
    for reason in decision.reasons:
        assert reason.rule_id.strip()
        assert reason.citation.startswith("47 ")
        assert reason.explanation[0].isupper()
        assert reason.explanation.endswith(".")


@given(asked=REQUESTS, known=FACTS)
def test_a_permit_offers_no_alternatives_and_a_deny_carries_no_conditions(
    asked: DisclosureRequest, known: DisclosureFacts
) -> None:
    decision = decide(asked, known)

    assert decision.is_permitted is (decision.outcome is Outcome.PERMIT)
    if decision.is_permitted:
        assert decision.alternatives == ()
    else:
        assert decision.conditions == ()
    assert decision.rule_set == RULES_2007


# ------------------------------------------------------------------ rule set by effective date

LATER_RULE = Reason("test.later-rule", "47 CFR 64.2099", "A later rule refuses everything.")
LATER = RuleSet(
    "cpni-2030", datetime(2030, 1, 1, tzinfo=UTC), (*CHECKS, lambda _asked, _known: refuse(LATER_RULE))
)


@given(asked=REQUESTS, known=facts_at(INSTANTS_BEFORE_ANY_RULES))
def test_a_time_before_every_rule_set_is_denied(asked: DisclosureRequest, known: DisclosureFacts) -> None:
    decision = decide(asked, known)

    assert decision.outcome is Outcome.DENY
    assert rule_ids(decision) == ("deny-by-default.no-rule-set",)
    assert decision.rule_set == "none"


def test_a_later_rule_set_applies_from_its_effective_date() -> None:
    asked = request(recipient=RecipientClass.CARRIER)
    just_before = facts(decided_at=LATER.effective_from - timedelta(microseconds=1))
    from_then = facts(decided_at=LATER.effective_from)

    before, after = (
        decide(asked, just_before, (*RULE_SETS, LATER)),
        decide(asked, from_then, (*RULE_SETS, LATER)),
    )

    assert (before.outcome, before.rule_set) == (Outcome.PERMIT, RULES_2007)
    assert (after.outcome, after.rule_set, rule_ids(after)) == (
        Outcome.DENY,
        "cpni-2030",
        ("test.later-rule",),
    )


def test_the_rule_set_in_force_is_the_latest_that_has_started() -> None:
    rule_sets = (*RULE_SETS, LATER)

    assert rule_set_in_force(FIRST_RULES_AT, rule_sets) is RULE_SETS[0]
    assert rule_set_in_force(FIRST_RULES_AT - timedelta(microseconds=1), rule_sets) is None
    assert rule_set_in_force(datetime(2031, 6, 1, tzinfo=UTC), rule_sets) is LATER
    assert decided(request(), facts(decided_at=DECIDED_AT)).rule_set == RULES_2007


# ------------------------------------------------------------------ combining the checks

ASK = Alternative("ask_for_approval", "Ask the customer for approval.")
FIRST = Reason("test.first", "47 CFR 64.2007(b)", "The first check refuses.")
SECOND = Reason("test.second", "47 CFR 64.2010(b)", "The second check refuses.")


def test_a_deny_carries_every_refusing_reason_once_and_no_allowing_reason() -> None:
    verdicts = (allow(LATER_RULE, ONLY_FOR_THIS_CALL), refuse(FIRST, ASK), refuse(SECOND, ASK))

    decision = combine(verdicts, RULES_2007)

    assert (decision.outcome, rule_ids(decision)) == (Outcome.DENY, ("test.first", "test.second"))
    assert (decision.conditions, decision.alternatives) == ((), (ASK,))


def test_a_permit_carries_every_reason_and_condition_in_check_order() -> None:
    decision = combine((allow(FIRST), allow(SECOND, ONLY_FOR_THIS_CALL)), RULES_2007)

    assert (decision.outcome, rule_ids(decision)) == (Outcome.PERMIT, ("test.first", "test.second"))
    assert decision.conditions == (ONLY_FOR_THIS_CALL,)
