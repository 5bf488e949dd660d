"""request_from_values: text from HTTP and the CLI becomes a request, or every bad field is named.

Deny by default starts at the edge (DESIGN.md invariant 3; 47 U.S.C. 222(c)(1)).
"""

from __future__ import annotations

import pytest

from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.classification import DataClass
from cpniguard.domain.disclosure import request_from_values
from cpniguard.domain.disclosure_request import (
    ActorKind,
    Channel,
    Destination,
    DisclosureRequest,
    Purpose,
    RecipientClass,
)
from cpniguard.domain.employees import Role

REQUIRED = ("actor_kind", "data_category", "purpose", "channel", "recipient")
VALID: dict[str, str | None] = {
    "actor_kind": "employee",
    "actor_role": "representative",
    "data_category": "call_detail",
    "purpose": "billing_and_collection",
    "channel": "inbound_call",
    "recipient": "customer",
    "destination": "postal_address_of_record",
    "offering_category": "wireless",
}


def test_known_values_become_a_request_of_enum_members() -> None:
    built, problems = request_from_values(VALID)

    assert problems == []
    assert built == DisclosureRequest(
        actor_kind=ActorKind.EMPLOYEE,
        actor_role=Role.REPRESENTATIVE,
        data_category=DataClass.CALL_DETAIL,
        purpose=Purpose.BILLING,
        channel=Channel.INBOUND_CALL,
        recipient=RecipientClass.CUSTOMER,
        destination=Destination.POSTAL_ADDRESS_OF_RECORD,
        offering_category=ServiceCategory.WIRELESS,
    )
    assert built.data_category is DataClass.CALL_DETAIL
    assert built.recipient is RecipientClass.CUSTOMER


@pytest.mark.parametrize("field", ["actor_role", "destination", "offering_category"])
def test_optional_fields_may_be_left_out(field: str) -> None:
    built, problems = request_from_values({**VALID, field: None})

    assert problems == []
    assert built is not None
    assert getattr(built, field) is None


@pytest.mark.parametrize("field", REQUIRED)
def test_a_missing_required_field_is_named_with_its_allowed_values(field: str) -> None:
    values = {name: value for name, value in VALID.items() if name != field}

    built, problems = request_from_values(values)

    assert built is None
    assert [problem.location for problem in problems] == [field]
    assert problems[0].message.startswith(f"{field} is required; one of: ")


@pytest.mark.parametrize("field", [*REQUIRED, "actor_role", "destination", "offering_category"])
def test_an_unknown_value_is_named_with_its_allowed_values(field: str) -> None:
    built, problems = request_from_values({**VALID, field: "gossip"})

    assert built is None
    assert [problem.location for problem in problems] == [field]
    assert problems[0].message.startswith(f"'gossip' is not a known {field}; one of: ")


def test_every_bad_field_is_named_at_once() -> None:
    values = {**VALID, "purpose": "gossip", "channel": ""}
    del values["recipient"]

    built, problems = request_from_values(values)

    assert built is None
    assert [problem.location for problem in problems] == ["purpose", "channel", "recipient"]


def test_the_allowed_values_are_listed_for_the_caller_to_choose_from() -> None:
    _, problems = request_from_values({**VALID, "channel": "fax"})

    assert problems[0].message == (
        "'fax' is not a known channel; one of: "
        "inbound_call, outbound_call, online, store, email, postal_mail, api"
    )


def test_a_long_unknown_value_is_cut_short_in_the_message() -> None:
    _, problems = request_from_values({**VALID, "purpose": "x" * 500})

    assert f"'{'x' * 60}' is not a known purpose" in problems[0].message
    assert "x" * 61 not in problems[0].message
