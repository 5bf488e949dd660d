"""Contact changes refuse bad input before anything is written (issue 4, bad input)."""

from __future__ import annotations

import pytest

from cpniguard.domain.contacts import PostalAddress, postal_address_problems
from cpniguard.domain.errors import InvalidInputError
from cpniguard.services.contacts import MAX_EMAIL_CHARACTERS, normalized_email

COMPLETE = PostalAddress("12 Elm St", "Springfield", "il", "62701-1234", line2="Apt 3")


def test_a_complete_address_has_no_problem_and_is_stored_on_one_line() -> None:
    assert postal_address_problems(COMPLETE) == ()
    assert COMPLETE.formatted() == "12 Elm St, Apt 3, Springfield, IL 62701-1234"


@pytest.mark.parametrize(
    ("address", "location"),
    [
        (PostalAddress("", "Springfield", "IL", "62701"), "line1"),
        (PostalAddress("12 Elm St", " ", "IL", "62701"), "city"),
        (PostalAddress("12 Elm St", "Springfield", "Illinois", "62701"), "state"),
        (PostalAddress("12 Elm St", "Springfield", "IL", "627"), "postal_code"),
        (PostalAddress("12 Elm St", "Springfield", "IL", "62701", line2="x" * 101), "line2"),
        (PostalAddress("12 Elm St\nEvil: header", "Springfield", "IL", "62701"), "line1"),
    ],
)
def test_an_incomplete_or_malformed_address_names_the_part(address: PostalAddress, location: str) -> None:
    assert location in [problem.location for problem in postal_address_problems(address)]


def test_an_email_is_normalized() -> None:
    assert normalized_email("Holder@Example.COM") == "Holder@example.com"


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "x" * (MAX_EMAIL_CHARACTERS + 1) + "@example.com"])
def test_a_bad_email_is_refused_with_the_reason(email: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        normalized_email(email)
    assert [problem.location for problem in refused.value.problems] == ["email"]
