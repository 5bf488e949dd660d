"""The accounts a breach affected: the record of who was involved, and whom to notify (64.2011(d)).

Staff add them in batches (a list from the investigation); each batch is all or nothing: an
account number the carrier does not hold refuses the whole batch, naming every such number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.services.breach import BreachContext, breach_record, lock_open_breach, log_breach_step
from cpniguard.services.disclosure import Asker

MAX_ACCOUNTS_PER_BATCH = 10_000
MAX_ACCOUNT_NUMBER_LENGTH = 32
MAX_UNKNOWN_NAMED = 20
"""How many unknown account numbers one refusal lists; the count says how many there were."""


@dataclass(frozen=True, slots=True)
class AffectedAccounts:
    """What adding a batch did: how many accounts were new, and how many the breach now lists."""

    added: int
    total: int


def add_affected_accounts(
    context: BreachContext, *, breach_id: int, account_numbers: Sequence[str], asker: Asker
) -> AffectedAccounts:
    """Record these accounts as affected by the breach (64.2011(d)); ones already listed count once.

    Refused, writing nothing, for an empty or oversized batch, a malformed number, an account the
    carrier does not hold, or a closed breach.
    """
    _check_batch(account_numbers)
    now = context.clock.now()
    with context.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        breach = lock_open_breach(uow, breach_id)
        keys = _account_keys(uow.accounts.keys_of(account_numbers), account_numbers)
        added = uow.breaches.add_affected(breach_id, keys, now, asker.label)
        total = uow.breaches.affected_count(breach_id)
        log_breach_step(uow, breach, f"accounts_added:{added}", now, asker)
        uow.commit()
    return AffectedAccounts(added, total)


def _check_batch(account_numbers: Sequence[str]) -> None:
    if not account_numbers or len(account_numbers) > MAX_ACCOUNTS_PER_BATCH:
        problem = FieldProblem(
            "account_numbers",
            f"give 1 to {MAX_ACCOUNTS_PER_BATCH} account numbers, not {len(account_numbers)}",
        )
        raise InvalidInputError("the affected accounts cannot be recorded", (problem,))
    problems = [
        FieldProblem(f"account_numbers[{index}]", "must be an account number of 1 to 32 visible characters")
        for index, number in enumerate(account_numbers)
        if not isinstance(number, str)
        or not 0 < len(number) <= MAX_ACCOUNT_NUMBER_LENGTH
        or not number.isprintable()
        or number != number.strip()
    ]
    if problems:
        raise InvalidInputError(
            "the affected accounts cannot be recorded", tuple(problems[:MAX_UNKNOWN_NAMED])
        )


def _account_keys(found: dict[str, int], account_numbers: Sequence[str]) -> list[int]:
    unknown = [number for number in dict.fromkeys(account_numbers) if number not in found]
    if unknown:
        named = ", ".join(repr(number) for number in unknown[:MAX_UNKNOWN_NAMED])
        more = f" and {len(unknown) - MAX_UNKNOWN_NAMED} more" if len(unknown) > MAX_UNKNOWN_NAMED else ""
        problem = FieldProblem(
            "account_numbers", f"{len(unknown)} are not accounts of the carrier: {named}{more}"
        )
        raise InvalidInputError("the affected accounts cannot be recorded", (problem,))
    return list(found.values())


def affected_account_count(context: BreachContext, *, breach_id: int) -> int:
    """How many accounts the breach lists as affected; NotFoundError for an unknown breach."""
    breach_record(uow_factory=context.uow_factory, breach_id=breach_id)
    with context.uow_factory() as uow:
        return uow.breaches.affected_count(breach_id)
