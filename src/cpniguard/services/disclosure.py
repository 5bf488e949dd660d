"""The gate: every use or disclosure of CPNI is decided, logged, and only then read.

DESIGN.md invariants 1-3; 47 CFR 64.2009(a) (approval checked before every use, fail
closed). One transaction holds the decision's access-log entry and the read it permits,
so there is no read without its entry and no entry for a read that did not happen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Generic, NoReturn, TypeVar

from cpniguard.domain.accounts import ContactKind, addresses_of_record, telephone_numbers_of_record
from cpniguard.domain.audit import AccessLogEntry, AuditEvent, LoggedReason
from cpniguard.domain.call_detail import CallDetail
from cpniguard.domain.channels import ONLY_STATED_CALL
from cpniguard.domain.classification import DataClass
from cpniguard.domain.consent import with_one_time_consent
from cpniguard.domain.decisions import Decision, Reason
from cpniguard.domain.disclosure import (
    RULE_SETS,
    Permit,
    decide,
    deny,
    request_from_values,
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
    RecipientClass,
)
from cpniguard.domain.employees import Role, TrainingStatus, training_status
from cpniguard.domain.errors import DomainError, FieldProblem, InvalidInputError, NotFoundError
from cpniguard.services.ports import Clock, InvoiceSummary, SubscribedService, UnitOfWork, UnitOfWorkFactory
from cpniguard.services.third_party_access import record_if_third_party

CONTACT_CHANNELS = frozenset({Channel.INBOUND_CALL, Channel.OUTBOUND_CALL, Channel.ONLINE, Channel.STORE})
"""Channels on which the customer is in contact: the interaction says who they proved to be."""
LOGGED_VALUE_CHARS = 64
"""Values are logged as asked, cut to this length (unknown ones included)."""

UNKNOWN_ACCOUNT = Reason(
    "deny-by-default.account",
    "47 U.S.C. 222(c)(1)",
    "No customer has this account number, so nothing may be disclosed.",
)
BAD_INTERACTION = Reason(
    "64.2010(a).interaction",
    "47 CFR 64.2010(a)",
    "The interaction is missing, ended, on another channel or for another account, so the caller's "
    "authentication cannot be known.",
)


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asks, as the entry point authenticated them."""

    kind: ActorKind
    role: Role
    label: str
    employee_id: int | None = None


@dataclass(frozen=True, slots=True)
class DisclosureAsk:
    """A request as the entry point received it: text values, checked here."""

    account_number: str
    values: Mapping[str, str | None]
    """data_category, purpose, channel, recipient, destination, offering_category."""
    interaction_id: int | None = None
    legal_process_reference: str | None = None
    written_request_reference: str | None = None
    stated_call_number: str | None = None
    """A number the customer named unaided, for the call detail they described (64.2010(b))."""


@dataclass(frozen=True, slots=True)
class GateAnswer:
    """A logged decision; `permit` is set only when it permits."""

    decision: Decision
    access_log_sequence: int
    permit: Permit | None = None


@dataclass(frozen=True, slots=True)
class _Asked:
    """What was decided on, for the log."""

    asker: Asker
    ask: DisclosureAsk
    account_id: int | None
    at: datetime
    authentication: tuple[str, ...] = field(default=())


class DisclosureDeniedError(DomainError):
    """The gate denied the read; the deny is logged."""

    def __init__(self, answer: GateAnswer) -> None:
        super().__init__("; ".join(reason.explanation for reason in answer.decision.reasons))
        self.answer = answer


class InvalidAskError(InvalidInputError):
    """The request named unknown values or a missing interaction; the deny is logged."""

    def __init__(self, problems: list[FieldProblem], answer: GateAnswer) -> None:
        super().__init__("the disclosure request is not valid", tuple(problems))
        self.answer = answer


class UnknownAccountError(NotFoundError):
    """No account has the number asked about; the deny is logged."""

    def __init__(self, account_number: str, answer: GateAnswer) -> None:
        super().__init__(f"no account {account_number}")
        self.answer = answer


def _cut(value: str | None) -> str | None:
    return None if value is None else value[:LOGGED_VALUE_CHARS]


def _entry(asked: _Asked, decision: Decision) -> AccessLogEntry:
    values = asked.ask.values
    permitted = decision.is_permitted
    return AccessLogEntry(
        event=AuditEvent.DISCLOSURE_PERMITTED if permitted else AuditEvent.DISCLOSURE_DENIED,
        occurred_at=asked.at,
        actor_kind=asked.asker.kind,
        actor_id=asked.asker.label,
        actor_role=asked.asker.role,
        account_id=asked.account_id,
        data_category=_cut(values.get("data_category")) or "",
        purpose=_cut(values.get("purpose")) or "",
        channel=_cut(values.get("channel")) or "",
        recipient=_cut(values.get("recipient")) or "",
        destination=_cut(values.get("destination")),
        interaction_id=asked.ask.interaction_id,
        authentication=asked.authentication,
        outcome=decision.outcome,
        reasons=tuple(LoggedReason(r.rule_id, r.citation, r.explanation) for r in decision.reasons),
        conditions=tuple(condition.code for condition in decision.conditions),
        rule_set=decision.rule_set,
    )


def _log(uow: UnitOfWork, asked: _Asked, decision: Decision) -> GateAnswer:
    entry = _entry(asked, decision)
    (sequence,) = uow.access_log.append([entry])
    if decision.is_permitted and asked.account_id is not None:
        record_if_third_party(uow, entry, asked.account_id, sequence)
    return GateAnswer(decision, sequence)


def _deny_now(reasons: tuple[Reason, ...], at: datetime) -> Decision:
    rule_set = rule_set_in_force(at, RULE_SETS)
    return deny(reasons, rule_set.version if rule_set else "none")


def _destination(uow: UnitOfWork, account_id: int, asked: str | None, at: datetime) -> str | None:
    """Keep a destination "of record" only when the account has one of that kind at `at` (64.2003(b), (q))."""
    if asked == Destination.TELEPHONE_NUMBER_OF_RECORD:
        has_one = bool(telephone_numbers_of_record(uow.accounts.service_numbers(account_id), at))
    elif asked in {Destination.POSTAL_ADDRESS_OF_RECORD, Destination.EMAIL_ADDRESS_OF_RECORD}:
        kind = (
            ContactKind.POSTAL_ADDRESS
            if asked == Destination.POSTAL_ADDRESS_OF_RECORD
            else ContactKind.EMAIL_ADDRESS
        )
        has_one = bool(addresses_of_record(uow.accounts.contact_points(account_id), kind, at))
    else:
        return asked
    return asked if has_one else Destination.NOT_OF_RECORD


def _training(uow: UnitOfWork, asker: Asker, at: datetime) -> TrainingStatus:
    if asker.kind is not ActorKind.EMPLOYEE:
        return TrainingStatus.NOT_REQUIRED
    if asker.employee_id is None:
        return TrainingStatus.MISSING
    return training_status(uow.training.trainings(asker.employee_id), at)


def _authentication(
    uow: UnitOfWork, ask: DisclosureAsk, request: DisclosureRequest, account_id: int, at: datetime
) -> tuple[frozenset[str], list[FieldProblem]]:
    """What the interaction proved, or the problem with the interaction (64.2010(a))."""
    if ask.interaction_id is None:
        if request.channel in CONTACT_CHANNELS:
            return frozenset(), [FieldProblem("interaction_id", f"required on the {request.channel} channel")]
        return frozenset(), []
    interaction = uow.interactions.get(ask.interaction_id)
    if interaction is None or interaction.account_id != account_id:
        return frozenset(), [FieldProblem("interaction_id", "no such interaction on this account")]
    if interaction.channel is not request.channel or not interaction.is_open_at(at):
        return frozenset(), [FieldProblem("interaction_id", "the interaction is ended or on another channel")]
    return interaction.authentication_at(at), []


def _problem_reasons(problems: list[FieldProblem]) -> tuple[Reason, ...]:
    return tuple(
        Reason(f"deny-by-default.{problem.location}", "47 U.S.C. 222(c)(1)", problem.message)
        for problem in problems
    )


def _refuse_invalid(
    uow: UnitOfWork, asked: _Asked, problems: list[FieldProblem], reasons: tuple[Reason, ...]
) -> NoReturn:
    answer = _log(uow, asked, _deny_now(reasons, asked.at))
    raise InvalidAskError(problems, answer)


def _facts(uow: UnitOfWork, asked: _Asked, account_id: int, methods: frozenset[str]) -> DisclosureFacts:
    ask, at = asked.ask, asked.at
    profile = uow.cpni.disclosure_profile(account_id, at=at)
    return DisclosureFacts(
        decided_at=at,
        authentication=frozenset(AuthenticationMethod(method) for method in methods),
        call_detail_stated_unaided=ask.stated_call_number is not None,
        approvals=_approvals(uow, ask, profile.approvals),
        subscribed_categories=profile.subscribed_categories,
        actor_training=_training(uow, asked.asker, at),
        is_business_account=profile.is_business_account,
        has_dedicated_representative=profile.has_dedicated_representative,
        has_cpni_contract=profile.has_cpni_contract,
        listing_status=profile.listing_status,
        legal_process_reference=ask.legal_process_reference,
        has_written_designation=bool(ask.written_request_reference),
    )


def _approvals(
    uow: UnitOfWork, ask: DisclosureAsk, standing: Mapping[RecipientClass, Approval]
) -> Mapping[RecipientClass, Approval]:
    """Standing approvals, plus oral consent given on this very call (64.2008(f)); it ends with the call."""
    if ask.interaction_id is None:
        return standing
    return with_one_time_consent(standing, uow.consent.one_time_consent(ask.interaction_id))


def decide_in(uow: UnitOfWork, *, asker: Asker, ask: DisclosureAsk, at: datetime) -> GateAnswer:
    """Decide and log one request inside `uow` (47 CFR 64.2009(a); DESIGN.md invariants 2-3).

    Raises (after logging the deny in `uow`) UnknownAccountError or InvalidAskError; the
    caller commits before raising on, so that the deny stays in the log.
    """
    uow.access_log.prepare_to_append()
    account_id = uow.accounts.key_of(ask.account_number)
    if account_id is None:
        answer = _log(uow, _Asked(asker, ask, None, at), _deny_now((UNKNOWN_ACCOUNT,), at))
        raise UnknownAccountError(ask.account_number, answer)
    if ask.values.get("destination") is not None:
        # Logged and decided as resolved: "of record" only if the account has one now.
        resolved = _destination(uow, account_id, ask.values["destination"], at)
        ask = replace(ask, values={**ask.values, "destination": resolved})
    request, problems = request_from_values(
        {**ask.values, "actor_kind": asker.kind, "actor_role": asker.role}
    )
    if request is None:
        _refuse_invalid(uow, _Asked(asker, ask, account_id, at), problems, _problem_reasons(problems))
    methods, interaction_problems = _authentication(uow, ask, request, account_id, at)
    asked = _Asked(asker, ask, account_id, at, tuple(sorted(methods)))
    if interaction_problems:
        _refuse_invalid(uow, asked, interaction_problems, (BAD_INTERACTION,))
    decision = decide(request, _facts(uow, asked, account_id, methods))
    answer = _log(uow, asked, decision)
    if not decision.is_permitted:
        return answer
    stated = ask.stated_call_number if ONLY_STATED_CALL in decision.conditions else None
    permit = Permit(account_id, request.data_category, request.purpose, answer.access_log_sequence, stated)
    return GateAnswer(decision, answer.access_log_sequence, permit)


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Disclosed(Generic[T]):
    """What the gate let through, with the decision that let it."""

    answer: GateAnswer
    data: T


def _decide_or_log_refusal(uow: UnitOfWork, asker: Asker, ask: DisclosureAsk, at: datetime) -> GateAnswer:
    """Decide; when the ask itself is refused, keep its logged deny by committing before raising."""
    try:
        return decide_in(uow, asker=asker, ask=ask, at=at)
    except (InvalidAskError, UnknownAccountError):
        uow.commit()
        raise


def decide_disclosure(
    *, uow_factory: UnitOfWorkFactory, clock: Clock, asker: Asker, ask: DisclosureAsk
) -> GateAnswer:
    """Decide and log a request without reading any data (POST /api/v1/decisions)."""
    with uow_factory() as uow:
        answer = _decide_or_log_refusal(uow, asker, ask, clock.now())
        uow.commit()
    return answer


def _read(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    asker: Asker,
    ask: DisclosureAsk,
    reader: Callable[[UnitOfWork, GateAnswer, Permit], T],
) -> Disclosed[T]:
    """Decide, log, and read in one transaction; a deny is logged and raised."""
    with uow_factory() as uow:
        answer = _decide_or_log_refusal(uow, asker, ask, clock.now())
        if answer.permit is None:
            uow.commit()
            raise DisclosureDeniedError(answer)
        data = reader(uow, answer, answer.permit)
        uow.commit()
    return Disclosed(answer, data)


def _with_category(ask: DisclosureAsk, category: DataClass) -> DisclosureAsk:
    return replace(ask, values={**ask.values, "data_category": category})


@dataclass(frozen=True, slots=True)
class CallDetailWindow:
    """Which calls to read: start <= started_at < end, at most `limit`."""

    start: datetime
    end: datetime
    limit: int


def read_call_detail(
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    asker: Asker,
    ask: DisclosureAsk,
    window: CallDetailWindow,
) -> Disclosed[list[CallDetail]]:
    """Call detail for one account, through the gate (47 CFR 64.2010(b), 64.2003(d)).

    When the permit rests on call detail the customer stated unaided, only the calls to
    or from the number the customer named are returned (64.2010(b), RULES.md 11.6).
    """

    def reader(uow: UnitOfWork, _answer: GateAnswer, permit: Permit) -> list[CallDetail]:
        return uow.cpni.call_detail(permit, start=window.start, end=window.end, limit=window.limit)

    return _read(uow_factory, clock, asker, _with_category(ask, DataClass.CALL_DETAIL), reader)


def read_invoices(
    *, uow_factory: UnitOfWorkFactory, clock: Clock, asker: Asker, ask: DisclosureAsk, limit: int
) -> Disclosed[list[InvoiceSummary]]:
    """Bills for one account, through the gate (222(h)(1)(B))."""
    return _read(
        uow_factory,
        clock,
        asker,
        _with_category(ask, DataClass.CPNI),
        lambda uow, _answer, permit: uow.cpni.invoices(permit, limit=limit),
    )


def read_services(
    *, uow_factory: UnitOfWorkFactory, clock: Clock, asker: Asker, ask: DisclosureAsk
) -> Disclosed[list[SubscribedService]]:
    """Services for one account, through the gate (222(h)(1)(A))."""
    return _read(
        uow_factory,
        clock,
        asker,
        _with_category(ask, DataClass.CPNI),
        lambda uow, _answer, permit: uow.cpni.services(permit),
    )
