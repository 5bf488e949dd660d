from datetime import timedelta

import pytest
from tests.conftest import TEST_NOW
from tests.e2e.conftest import bearer
from tests.factories import add_account, add_contact_point, add_service, add_service_number

from cpniguard.domain.accounts import ContactKind
from cpniguard.domain.employees import Role


@pytest.fixture
def account(container):
    with container.unit_of_work() as uow:
        key, number = add_account(uow.session)
        line = add_service(uow.session, key, telephone_number=None)
        add_service_number(
            uow.session,
            key,
            line,
            "+12125550100",
            associated_at=TEST_NOW - timedelta(days=400),
            dissociated_at=TEST_NOW - timedelta(days=2),
        )
        add_service_number(uow.session, key, line, "+12125550177", associated_at=TEST_NOW - timedelta(days=2))
        add_contact_point(
            uow.session,
            key,
            ContactKind.CONTACT_TELEPHONE,
            "+13125550199",
            associated_at=TEST_NOW - timedelta(days=900),
        )
        add_contact_point(
            uow.session,
            key,
            ContactKind.EMAIL_ADDRESS,
            "old@example.test",
            associated_at=TEST_NOW - timedelta(days=300),
            dissociated_at=TEST_NOW - timedelta(days=5),
        )
        add_contact_point(
            uow.session,
            key,
            ContactKind.EMAIL_ADDRESS,
            "new@example.test",
            associated_at=TEST_NOW - timedelta(days=5),
        )
        add_contact_point(
            uow.session,
            key,
            ContactKind.POSTAL_ADDRESS,
            "1 Main St\nSpringfield, IL 62701",
            associated_at=TEST_NOW - timedelta(days=30),
        )
        uow.commit()
    return number


def url(number):
    return f"/api/v1/accounts/{number}/contact-points"


def test_64_2003_b_a_representative_sees_which_addresses_are_of_record_now(api, as_representative, account):
    response = api.get(url(account), headers=as_representative)
    assert response.status_code == 200, response.text
    body = response.json()
    points = {p["value"]: p for p in body["contact_points"]}
    assert set(points) == {"new@example.test", "1 Main St\nSpringfield, IL 62701", "+13125550199"}
    assert points["+13125550199"]["of_record_from"] is None
    assert points["new@example.test"]["is_of_record"] is False
    assert points["new@example.test"]["of_record_from"].startswith("2026-11-27T15:00:00")
    assert points["1 Main St\nSpringfield, IL 62701"]["is_of_record"] is True


def test_64_2003_b_as_of_an_earlier_instant_the_old_email_was_of_record(api, as_representative, account):
    earlier = (TEST_NOW - timedelta(days=6)).isoformat()
    response = api.get(url(account), params={"as_of": earlier}, headers=as_representative)
    assert response.status_code == 200, response.text
    points = {p["value"]: p["is_of_record"] for p in response.json()["contact_points"]}
    assert points == {
        "old@example.test": True,
        "1 Main St\nSpringfield, IL 62701": False,
        "+13125550199": False,
    }


def test_64_2003_q_the_telephone_number_of_record_is_the_service_number_of_the_time(
    api, as_representative, account
):
    now = api.get(url(account), headers=as_representative).json()
    before = api.get(
        url(account), params={"as_of": (TEST_NOW - timedelta(days=3)).isoformat()}, headers=as_representative
    ).json()
    assert [n["telephone_number"] for n in now["telephone_numbers_of_record"]] == ["+12125550177"]
    assert [n["telephone_number"] for n in before["telephone_numbers_of_record"]] == ["+12125550100"]
    assert "+13125550199" not in str(now["telephone_numbers_of_record"]), (
        "a contact number is never of record"
    )


def test_an_unknown_account_is_a_404_problem(api, as_representative):
    response = api.get(url("NO-SUCH"), headers=as_representative)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "no account NO-SUCH" in response.json()["detail"]


@pytest.mark.parametrize("as_of", ["2026-11-02T15:00:00", "yesterday", "2026-13-45T00:00:00Z"])
def test_an_as_of_without_offset_or_not_a_date_is_a_field_level_422(api, as_representative, account, as_of):
    response = api.get(url(account), params={"as_of": as_of}, headers=as_representative)
    assert response.status_code == 422
    assert [e["location"] for e in response.json()["errors"]] == ["query.as_of"]


def test_an_overlong_account_number_is_a_field_level_422(api, as_representative):
    response = api.get(url("9" * 33), headers=as_representative)
    assert response.status_code == 422
    assert [e["location"] for e in response.json()["errors"]] == ["path.account_number"]


@pytest.mark.parametrize("role", [Role.MARKETING_ANALYST, Role.INTEGRATION])
def test_marketing_and_integrations_may_not_read_contact_points(api, tokens, account, role):
    response = api.get(url(account), headers=bearer(tokens[role]))
    assert response.status_code == 403


def test_an_account_number_with_a_nul_character_is_a_field_level_422(api, as_representative):
    response = api.get(url("A%00B"), headers=as_representative)
    assert response.status_code == 422
    assert [e["location"] for e in response.json()["errors"]] == ["path.account_number"]
