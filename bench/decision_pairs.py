"""Varied disclosure requests and facts for bench/decisions.py, from a seeded generator.

Every field is drawn from its whole vocabulary, plus a few values outside it (deny by
default must hold in every expression of the policy). Random requests are mostly denied
for the first reason checked, so the generator keeps every candidate cpniguard permits and
a sample of the others, and follows each kept pair with a copy that differs in one field:
near misses, where two expressions of a policy are most likely to part ways. cpniguard
only chooses which pairs to keep; the agreement check compares all three engines on every
pair.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.classification import DataClass
from cpniguard.domain.disclosure import RULE_SETS, decide
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
from cpniguard.domain.subscriber_list import ListingStatus

Pair = tuple[DisclosureRequest, DisclosureFacts]
Value = StrEnum | str | None
"""A member of a vocabulary, a stray str outside it, or None."""
Draw = Callable[[random.Random], Any]
"""Draws one field's value (Any: a field may get a str its type does not allow, on purpose)."""

UNKNOWN_SHARE = 0.02
"""How often a field takes a value outside its vocabulary."""
PLAIN_TEXT_SHARE = 0.02
"""How often a request field holds plain text that spells a known value, as a caller might send."""
DENY_KEEP_SHARE = 0.045
"""Share of denied candidates kept; with every permit kept, about a third of the originals are permits."""


@dataclass(frozen=True)
class Vocabulary:
    """The values a field may take, and some it may not."""

    values: tuple[StrEnum, ...]
    unknown: tuple[str, ...]

    def pick(
        self, rng: random.Random, *, none: float = 0.0, favoured: Sequence[StrEnum] = (), favour: float = 0.0
    ) -> Value:
        """A value; with share `none` None, with share `favour` one of `favoured`; rarely an unknown one."""
        roll = rng.random()
        if roll < UNKNOWN_SHARE:
            return rng.choice(self.unknown)
        if roll < UNKNOWN_SHARE + none:
            return None
        if roll < UNKNOWN_SHARE + none + favour:
            return rng.choice(favoured)
        return rng.choice(self.values)

    def subset(self, rng: random.Random, share: float) -> frozenset[Value]:
        """Each value with probability `share`, and rarely an unknown one."""
        chosen: set[Value] = {value for value in self.values if rng.random() < share}
        if rng.random() < UNKNOWN_SHARE:
            chosen.add(rng.choice(self.unknown))
        return frozenset(chosen)


def vocabulary(values: type[StrEnum], *unknown: str) -> Vocabulary:
    """The members of `values`, and the `unknown` strays."""
    return Vocabulary(tuple(values), unknown)


# Some strays are names the Cedar and Casbin expressions use for groups ("service_purposes",
# "cpni_data") or types (the kind "role" against Cedar's `Role`): they must not pass as known values.
KINDS = vocabulary(ActorKind, "data_broker", "role")
ROLES = vocabulary(Role, "janitor")
DATA = vocabulary(DataClass, "genome", "cpni_data")
PURPOSES = vocabulary(Purpose, "sell_to_data_brokers", "service_purposes")
CHANNELS = vocabulary(Channel, "fax")
RECIPIENTS = vocabulary(RecipientClass, "data_broker")
DESTINATIONS = vocabulary(Destination, "neighbours_address")
CATEGORIES = vocabulary(ServiceCategory, "satellite")
TRAINING = vocabulary(TrainingStatus, "suspended")
APPROVALS = vocabulary(Approval, "maybe")
METHODS = vocabulary(AuthenticationMethod, "retina_scan")
LISTINGS = vocabulary(ListingStatus, "ex_directory")

KNOWN_TEXT = frozenset(
    str(value)
    for values in (KINDS, ROLES, DATA, PURPOSES, CHANNELS, RECIPIENTS, DESTINATIONS, CATEGORIES)
    for value in values.values
)
CPNI_DATA = (DataClass.CALL_DETAIL, DataClass.CPNI, DataClass.ACCOUNT_INFORMATION)
OWN_RECIPIENTS: Mapping[Value, RecipientClass] = {
    ActorKind.CUSTOMER: RecipientClass.CUSTOMER,
    ActorKind.OTHER_CARRIER: RecipientClass.OTHER_CARRIER,
    ActorKind.GOVERNMENT: RecipientClass.GOVERNMENT,
}
RULES_IN_FORCE_FROM = RULE_SETS[0].effective_from
DECISION_TIMES = (
    datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
    RULES_IN_FORCE_FROM,
    RULES_IN_FORCE_FROM - timedelta(seconds=1),
    datetime(2001, 6, 1, 9, 30, tzinfo=UTC),
)
DECISION_TIME_WEIGHTS = (94, 2, 2, 2)
"""Mostly now; sometimes exactly when the 2007 rules took effect, a second before, or long before."""
LEGAL_PROCESS_REFERENCES = (None, None, "", "SUBPOENA-2026-0042")


def _role(rng: random.Random, kind: Value = None) -> Value:
    """Any role; mostly one the requester's kind carries."""
    if kind is ActorKind.EMPLOYEE:
        return ROLES.pick(rng, none=0.05)
    if kind is ActorKind.INTEGRATION:
        return ROLES.pick(rng, favoured=(Role.INTEGRATION,), favour=0.85)
    return ROLES.pick(rng, none=0.7)


def _recipient(rng: random.Random, kind: Value = None) -> Value:
    """Any recipient; for a requester outside the carrier, mostly itself."""
    own = OWN_RECIPIENTS.get(kind)
    if own is None:
        return RECIPIENTS.pick(rng)
    return RECIPIENTS.pick(rng, favoured=(own,), favour=0.7)


def _approvals(rng: random.Random) -> dict[Value, Value]:
    """An approval on record for about half the recipient classes (and a stray one)."""
    recipients = (*RECIPIENTS.values, *RECIPIENTS.unknown)
    return {recipient: APPROVALS.pick(rng) for recipient in recipients if rng.random() < 0.5}


REQUEST_FIELDS: Mapping[str, Draw] = {
    "actor_kind": lambda rng: KINDS.pick(rng, favoured=(ActorKind.EMPLOYEE,), favour=0.4),
    "actor_role": _role,
    "data_category": lambda rng: DATA.pick(rng, favoured=CPNI_DATA, favour=0.5),
    "purpose": PURPOSES.pick,
    "channel": CHANNELS.pick,
    "recipient": _recipient,
    "destination": lambda rng: DESTINATIONS.pick(rng, none=0.3),
    "offering_category": lambda rng: CATEGORIES.pick(rng, none=0.3),
}
"""How each request field is drawn on its own (a near miss redraws one this way)."""

FACT_FIELDS: Mapping[str, Draw] = {
    "decided_at": lambda rng: rng.choices(DECISION_TIMES, DECISION_TIME_WEIGHTS)[0],
    "authentication": lambda rng: METHODS.subset(rng, 0.25),
    "call_detail_stated_unaided": lambda rng: rng.random() < 0.3,
    "approvals": _approvals,
    "subscribed_categories": lambda rng: CATEGORIES.subset(rng, 0.35),
    "actor_training": lambda rng: TRAINING.pick(rng, favoured=(TrainingStatus.CURRENT,), favour=0.6),
    "is_business_account": lambda rng: rng.random() < 0.5,
    "has_dedicated_representative": lambda rng: rng.random() < 0.6,
    "has_cpni_contract": lambda rng: rng.random() < 0.6,
    "listing_status": LISTINGS.pick,
    "legal_process_reference": lambda rng: rng.choice(LEGAL_PROCESS_REFERENCES),
    "has_written_designation": lambda rng: rng.random() < 0.5,
}
"""How each fact is drawn."""


def _sometimes_text(rng: random.Random, value: Value) -> Value:
    """`value`, or now and then the plain text of that member."""
    if isinstance(value, StrEnum) and rng.random() < PLAIN_TEXT_SHARE:
        return value.value
    return value


def random_pair(rng: random.Random) -> Pair:
    """One request and its facts; the role and recipient are drawn for the requester's kind."""
    fields = {name: draw(rng) for name, draw in REQUEST_FIELDS.items()}
    fields["actor_role"] = _role(rng, fields["actor_kind"])
    fields["recipient"] = _recipient(rng, fields["actor_kind"])
    texts: dict[str, Any] = {name: _sometimes_text(rng, value) for name, value in fields.items()}
    request = DisclosureRequest(**texts)
    facts = DisclosureFacts(**{name: draw(rng) for name, draw in FACT_FIELDS.items()})
    return request, facts


def near_miss(rng: random.Random, pair: Pair) -> Pair:
    """`pair` with one field, of the request or of the facts, drawn again."""
    request, facts = pair
    name = rng.choice((*REQUEST_FIELDS, *FACT_FIELDS))
    if name in REQUEST_FIELDS:
        value: Any = _sometimes_text(rng, REQUEST_FIELDS[name](rng))
        return dataclasses.replace(request, **{name: value}), facts
    return request, dataclasses.replace(facts, **{name: FACT_FIELDS[name](rng)})


def varied_pairs(count: int, seed: int) -> list[Pair]:
    """`count` pairs: random ones (every permit, a sample of denies), each followed by a near miss."""
    rng = random.Random(seed)
    pairs: list[Pair] = []
    while len(pairs) < count:
        pair = random_pair(rng)
        if decide(*pair).is_permitted or rng.random() < DENY_KEEP_SHARE:
            pairs.append(pair)
            pairs.append(near_miss(rng, pair))
    return pairs[:count]


Look = Callable[[Pair], Iterable[object]]
BOTH = frozenset({True, False})


def _holds_plain_text(pair: Pair) -> tuple[bool]:
    """Whether a request field holds plain text (a str, not a member) that spells a known value."""
    request = pair[0]
    values = (getattr(request, name) for name in REQUEST_FIELDS)
    return (any(type(value) is str and value in KNOWN_TEXT for value in values),)


def _expected(values: Vocabulary, *others: object) -> frozenset[object]:
    return frozenset({*values.values, *values.unknown, *others})


COVERAGE: Mapping[str, tuple[Look, frozenset[object]]] = {
    "actor_kind": (lambda pair: (pair[0].actor_kind,), _expected(KINDS)),
    "actor_role": (lambda pair: (pair[0].actor_role,), _expected(ROLES, None)),
    "data_category": (lambda pair: (pair[0].data_category,), _expected(DATA)),
    "purpose": (lambda pair: (pair[0].purpose,), _expected(PURPOSES)),
    "channel": (lambda pair: (pair[0].channel,), _expected(CHANNELS)),
    "recipient": (lambda pair: (pair[0].recipient,), _expected(RECIPIENTS)),
    "destination": (lambda pair: (pair[0].destination,), _expected(DESTINATIONS, None)),
    "offering_category": (lambda pair: (pair[0].offering_category,), _expected(CATEGORIES, None)),
    "decided_at": (lambda pair: (pair[1].decided_at,), frozenset(DECISION_TIMES)),
    "authentication": (lambda pair: pair[1].authentication, _expected(METHODS)),
    "call_detail_stated_unaided": (lambda pair: (pair[1].call_detail_stated_unaided,), BOTH),
    "approvals (recipients)": (lambda pair: pair[1].approvals.keys(), _expected(RECIPIENTS)),
    "approvals (values)": (lambda pair: pair[1].approvals.values(), _expected(APPROVALS)),
    "subscribed_categories": (lambda pair: pair[1].subscribed_categories, _expected(CATEGORIES)),
    "actor_training": (lambda pair: (pair[1].actor_training,), _expected(TRAINING)),
    "is_business_account": (lambda pair: (pair[1].is_business_account,), BOTH),
    "has_dedicated_representative": (lambda pair: (pair[1].has_dedicated_representative,), BOTH),
    "has_cpni_contract": (lambda pair: (pair[1].has_cpni_contract,), BOTH),
    "listing_status": (lambda pair: (pair[1].listing_status,), _expected(LISTINGS)),
    "legal_process_reference": (
        lambda pair: (pair[1].legal_process_reference,),
        frozenset(LEGAL_PROCESS_REFERENCES),
    ),
    "has_written_designation": (lambda pair: (pair[1].has_written_designation,), BOTH),
    "request fields in plain text": (_holds_plain_text, BOTH),
}
"""For each field: the values a pair holds there, and every value the generator can draw."""


def uncovered_values(pairs: Iterable[Pair]) -> dict[str, list[str]]:
    """The values the generator can draw that no pair holds, by field; empty when all appear."""
    seen: dict[str, set[object]] = {name: set() for name in COVERAGE}
    for pair in pairs:
        for name, (look, _) in COVERAGE.items():
            seen[name].update(look(pair))
    return {
        name: sorted(map(str, expected - seen[name]))
        for name, (_, expected) in COVERAGE.items()
        if expected - seen[name]
    }
