"""Changing contact points of record over HTTP; each change notifies the old contact (64.2010(f))."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from cpniguard.bootstrap import Container
from cpniguard.domain.contacts import MAX_CITY_CHARACTERS, MAX_LINE_CHARACTERS, PostalAddress
from cpniguard.domain.notifications import AccountChange, NoticeChannel
from cpniguard.services.contacts import (
    MAX_EMAIL_CHARACTERS,
    ContactChange,
    ContactChangeContext,
    change_email_address,
    change_postal_address,
    change_telephone_number_of_record,
    set_notice_preference,
)
from cpniguard.web.api.disclosure_schemas import E164_PATTERN, AccountNumberPath, one_of
from cpniguard.web.deps import ContactChangerDep, ContainerDep
from cpniguard.web.problems import problem_responses

router = APIRouter(tags=["contacts"])
RESPONSES = problem_responses(403, 404, 422)


class PostalAddressIn(BaseModel):
    """A complete US postal address."""

    model_config = ConfigDict(extra="forbid")

    line1: str = Field(max_length=MAX_LINE_CHARACTERS, description="Number and street.")
    line2: str | None = Field(default=None, max_length=MAX_LINE_CHARACTERS, description="Apartment, suite...")
    city: str = Field(max_length=MAX_CITY_CHARACTERS)
    state: str = Field(max_length=2, description="Two-letter USPS state or territory code.")
    postal_code: str = Field(max_length=10, description="ZIP code: 12345 or 12345-6789.")


class EmailAddressIn(BaseModel):
    """A new email address."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=MAX_EMAIL_CHARACTERS)


class TelephoneNumberIn(BaseModel):
    """A service's number of record moving to another number, both in E.164."""

    model_config = ConfigDict(extra="forbid")

    old_number: str = Field(pattern=E164_PATTERN, description="The number the service has now.")
    new_number: str = Field(pattern=E164_PATTERN, description="The number it will have.")


class NoticePreferenceIn(BaseModel):
    """How the customer prefers account-change notices."""

    model_config = ConfigDict(extra="forbid")

    channel: str = Field(min_length=1, max_length=32, description=one_of(NoticeChannel))


class NoticePreferenceOut(BaseModel):
    """The preference as recorded; the other channels remain fallbacks."""

    account_number: str
    channel: NoticeChannel


class NoticeOut(BaseModel):
    """The notice written to the outbox (its recipient is the contact of record before the change)."""

    channel: NoticeChannel
    idempotency_key: str


class ContactChangeOut(BaseModel):
    """A contact change as made, and its notice; null when the account had no contact of record."""

    account_number: str
    change: AccountChange
    changed_at: datetime
    notice: NoticeOut | None

    @classmethod
    def of(cls, made: ContactChange) -> Self:
        """The body for `made`."""
        notice = made.notice
        return cls(
            account_number=made.account_number,
            change=made.change,
            changed_at=made.changed_at,
            notice=None
            if notice is None
            else NoticeOut(channel=notice.channel, idempotency_key=notice.idempotency_key),
        )


def _context(container: Container) -> ContactChangeContext:
    return ContactChangeContext(container.unit_of_work, container.clock, container.renderer)


@router.put("/accounts/{account_number}/postal-address", responses=RESPONSES)
def put_postal_address(
    container: ContainerDep,
    _changer: ContactChangerDep,
    account_number: AccountNumberPath,
    body: PostalAddressIn,
) -> ContactChangeOut:
    """Change the postal address; the notice goes to the old contact of record (47 CFR 64.2010(f))."""
    address = PostalAddress(body.line1, body.city, body.state, body.postal_code, body.line2)
    made = change_postal_address(_context(container), account_number=account_number, address=address)
    return ContactChangeOut.of(made)


@router.put("/accounts/{account_number}/email-address", responses=RESPONSES)
def put_email_address(
    container: ContainerDep,
    _changer: ContactChangerDep,
    account_number: AccountNumberPath,
    body: EmailAddressIn,
) -> ContactChangeOut:
    """Change the email address; the notice goes to the old contact of record (47 CFR 64.2010(f))."""
    made = change_email_address(_context(container), account_number=account_number, email=body.email)
    return ContactChangeOut.of(made)


@router.put("/accounts/{account_number}/telephone-number-of-record", responses=RESPONSES)
def put_telephone_number(
    container: ContainerDep,
    _changer: ContactChangerDep,
    account_number: AccountNumberPath,
    body: TelephoneNumberIn,
) -> ContactChangeOut:
    """Move a service to a new number; the notice goes to the old contact of record (64.2010(f))."""
    made = change_telephone_number_of_record(
        _context(container),
        account_number=account_number,
        old_number=body.old_number,
        new_number=body.new_number,
    )
    return ContactChangeOut.of(made)


@router.put("/accounts/{account_number}/notice-preference", responses=RESPONSES)
def put_notice_preference(
    container: ContainerDep,
    _changer: ContactChangerDep,
    account_number: AccountNumberPath,
    body: NoticePreferenceIn,
) -> NoticePreferenceOut:
    """Set the channel account-change notices try first (64.2010(f)); the others stay as fallbacks."""
    channel = set_notice_preference(
        uow_factory=container.unit_of_work,
        clock=container.clock,
        account_number=account_number,
        channel=body.channel,
    )
    return NoticePreferenceOut(account_number=account_number, channel=channel)
