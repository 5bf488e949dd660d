"""Changing the contact points of record, each with its account-change notice (64.2010(f)).

Each change is one transaction: the old contact point's (or service number's) span closes,
the new one opens, and the notice to the contact of record as it was before the change is
written to the outbox. Bad input is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email

from cpniguard.domain.accounts import ContactKind
from cpniguard.domain.call_detail import e164_problem
from cpniguard.domain.contacts import PostalAddress, postal_address_problems
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.domain.notifications import AccountChange, NoticeChannel
from cpniguard.services.accounts import account_key
from cpniguard.services.notices import notify_account_change
from cpniguard.services.ports import Clock, MessageRenderer, OutboundMessage, UnitOfWork, UnitOfWorkFactory

MAX_EMAIL_CHARACTERS = 254
"""RFC 5321's limit on a forward path."""


@dataclass(frozen=True, slots=True)
class ContactChangeContext:
    """What every contact change needs: the store, the time, and the message templates."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    renderer: MessageRenderer


@dataclass(frozen=True, slots=True)
class ContactChange:
    """A contact change as made, and the notice it wrote (None: no contact of record to tell)."""

    account_number: str
    change: AccountChange
    changed_at: datetime
    notice: OutboundMessage | None


Write = Callable[[UnitOfWork, int, datetime], None]


def change_postal_address(
    context: ContactChangeContext, *, account_number: str, address: PostalAddress
) -> ContactChange:
    """Make `address` the account's postal address, telling the old contact of record.

    47 CFR 64.2010(f)(4): a change of address of record is notified at once to the old
    contact of record. The new address becomes of record after 30 days (64.2003(b)).
    """
    if problems := postal_address_problems(address):
        raise InvalidInputError("the postal address is not complete", problems)
    value = address.formatted()

    def write(uow: UnitOfWork, account_id: int, at: datetime) -> None:
        uow.contacts.replace_contact_point(account_id, ContactKind.POSTAL_ADDRESS, value, at=at)

    return _change(context, account_number, AccountChange.POSTAL_ADDRESS, write)


def change_email_address(context: ContactChangeContext, *, account_number: str, email: str) -> ContactChange:
    """Make `email` the account's email address, telling the old contact of record (64.2010(f))."""
    value = normalized_email(email)

    def write(uow: UnitOfWork, account_id: int, at: datetime) -> None:
        uow.contacts.replace_contact_point(account_id, ContactKind.EMAIL_ADDRESS, value, at=at)

    return _change(context, account_number, AccountChange.EMAIL_ADDRESS, write)


def change_telephone_number_of_record(
    context: ContactChangeContext, *, account_number: str, old_number: str, new_number: str
) -> ContactChange:
    """Move the service with `old_number` to `new_number`, telling the old contact of record.

    47 CFR 64.2003(q): the telephone number of record is the service's number; 64.2010(f):
    its change is notified to the contact of record before the change, never the new number.
    """
    problems = [
        FieldProblem(field, p) for field, n in _numbers(old_number, new_number) if (p := e164_problem(n))
    ]
    if not problems and old_number == new_number:
        problems.append(FieldProblem("new_number", "is the number the service already has"))
    if problems:
        raise InvalidInputError("the telephone number change is not valid", tuple(problems))

    def write(uow: UnitOfWork, account_id: int, at: datetime) -> None:
        if not uow.contacts.replace_service_number(account_id, old_number, new_number, at=at):
            problem = FieldProblem("old_number", "is not a telephone number of record of this account now")
            raise InvalidInputError("the telephone number change is not valid", (problem,))

    return _change(context, account_number, AccountChange.TELEPHONE_NUMBER_OF_RECORD, write)


def set_notice_preference(
    *, uow_factory: UnitOfWorkFactory, clock: Clock, account_number: str, channel: str
) -> NoticeChannel:
    """Record how the customer prefers account-change notices; the others remain fallbacks."""
    if channel not in frozenset(NoticeChannel):
        problem = FieldProblem(
            "channel", f"{channel[:40]!r} is not a channel; one of: {', '.join(NoticeChannel)}"
        )
        raise InvalidInputError("the notice preference is not valid", (problem,))
    with uow_factory() as uow:
        uow.contacts.set_notice_preference(
            account_key(uow, account_number), NoticeChannel(channel), at=clock.now()
        )
        uow.commit()
    return NoticeChannel(channel)


def normalized_email(email: str) -> str:
    """The address in normal form; InvalidInputError saying why when it is not an email address."""
    if len(email) > MAX_EMAIL_CHARACTERS:
        problem = FieldProblem("email", f"is {len(email)} characters long; at most {MAX_EMAIL_CHARACTERS}")
        raise InvalidInputError("the email address is not valid", (problem,))
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidInputError(
            "the email address is not valid", (FieldProblem("email", str(error)),)
        ) from None


def _numbers(old_number: str, new_number: str) -> tuple[tuple[str, str], ...]:
    return (("old_number", old_number), ("new_number", new_number))


def _change(
    context: ContactChangeContext, account_number: str, change: AccountChange, write: Write
) -> ContactChange:
    at = context.clock.now()
    with context.uow_factory() as uow:
        account_id = account_key(uow, account_number)
        write(uow, account_id, at)
        notice = notify_account_change(
            uow, account_id=account_id, change=change, at=at, renderer=context.renderer
        )
        uow.commit()
    return ContactChange(account_number, change, at, notice)
