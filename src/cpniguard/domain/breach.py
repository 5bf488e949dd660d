"""Breaches of CPNI: which version of 47 CFR 64.2011 governs one, and the facts its clocks run on.

Two regimes (RULES.md section 0): the legacy 64.2011, in force today, and the text as amended
by FCC 23-111, whose effective date the FCC has yet to announce. The regime follows the day of
the reasonable determination of the breach (RULES 1.20), which also starts every clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from cpniguard.domain.business_days import eastern_date
from cpniguard.domain.errors import FieldProblem

MAX_INITIAL_HOLD_DAYS = 30
"""64.2011(b)(3) legacy and (a)(2) as amended: an agency's first direction holds notice up to 30 days."""


class BreachRegime(StrEnum):
    """The version of 47 CFR 64.2011 a breach is handled under."""

    LEGACY = "legacy"
    FCC_2023 = "2023"


def regime_for(determined_at: datetime, amendments_effective_on: date | None) -> BreachRegime:
    """The regime for a breach determined at `determined_at`.

    RULES.md section 0: the FCC 23-111 amendments to 47 CFR 64.2011 await an effective date
    (None: not in effect, the legacy rule applies); a breach determined on or after that day,
    in Washington, DC, follows the amended rule.
    """
    if amendments_effective_on is not None and eastern_date(determined_at) >= amendments_effective_on:
        return BreachRegime.FCC_2023
    return BreachRegime.LEGACY


@dataclass(frozen=True, slots=True)
class HoldExtension:
    """An agency's written extension of a hold to `ends_on` (47 CFR 64.2011(b)(3); (a)(2) as amended)."""

    written_reference: str
    ends_on: date


@dataclass(frozen=True, slots=True)
class Hold:
    """An agency's written direction not to tell customers or the public, from `starts_on` to `ends_on`.

    47 CFR 64.2011(b)(3) (legacy: law enforcement) and 64.2011(a)(2) as amended by FCC 23-111
    (the FCC too): an initial period of up to 30 days, extendable in writing, ended early by a
    written release. `ends_on` is the last day of the initial period.
    """

    agency: str
    written_reference: str
    starts_on: date
    ends_on: date
    extensions: tuple[HoldExtension, ...] = ()
    released_on: date | None = None

    def last_day_in_force(self) -> date | None:
        """The last day the hold forbids notice; None when it was released before it took effect."""
        last = self.extensions[-1].ends_on if self.extensions else self.ends_on
        if self.released_on is not None:
            last = min(last, self.released_on - timedelta(days=1))
        return last if last >= self.starts_on else None


@dataclass(frozen=True, slots=True)
class BreachFacts:
    """What the carrier knows about a breach, as far as its notice deadlines go.

    `determined_at` is the reasonable determination that a breach happened (RULES 1.20), when
    the clocks start; `harm_reasonably_likely` is presumed (the 2023 rule excuses customer notice
    only when the carrier reasonably determines no harm is likely); `urgent_need_consulted`
    records the legacy 64.2011(b)(2) exception, stated in the agency notice after consulting it;
    `agency_notified_at` is when the notice went through the central reporting facility, once sent.
    """

    determined_at: datetime
    discovered_at: datetime
    customers_affected: int
    harm_reasonably_likely: bool = True
    only_encrypted_data_and_key_safe: bool = False
    urgent_need_consulted: bool = False
    holds: tuple[Hold, ...] = ()
    agency_notified_at: datetime | None = None


def breach_facts_problems(facts: BreachFacts) -> list[FieldProblem]:
    """Everything wrong with `facts`, each said where; empty when the deadlines can be computed.

    47 CFR 64.2011: the determination cannot precede the discovery, times must name an instant,
    and every hold must be a written direction of at most 30 days, extended and released in writing.
    """
    problems = _time_problems(facts)
    if isinstance(facts.customers_affected, bool) or not isinstance(facts.customers_affected, int):
        problems.append(FieldProblem("customers_affected", "must be a whole number of customers"))
    elif facts.customers_affected < 0:
        problems.append(
            FieldProblem("customers_affected", f"must not be negative, not {facts.customers_affected}")
        )
    for index, hold in enumerate(facts.holds):
        problems.extend(_hold_problems(hold, f"holds[{index}]"))
    return problems


def _time_problems(facts: BreachFacts) -> list[FieldProblem]:
    moments = [("determined_at", facts.determined_at), ("discovered_at", facts.discovered_at)]
    if facts.agency_notified_at is not None:
        moments.append(("agency_notified_at", facts.agency_notified_at))
    naive = [
        FieldProblem(name, f"{moment.isoformat()} has no UTC offset: it names no single instant")
        for name, moment in moments
        if moment.utcoffset() is None
    ]
    if naive or facts.discovered_at <= facts.determined_at:
        return naive
    return [
        FieldProblem(
            "determined_at",
            f"the determination at {facts.determined_at.isoformat()} is before the discovery at "
            f"{facts.discovered_at.isoformat()}: a breach is determined only once it is discovered",
        )
    ]


def _hold_problems(hold: Hold, where: str) -> list[FieldProblem]:
    problems = [FieldProblem(f"{where}.agency", "name the agency")] if not hold.agency.strip() else []
    if not hold.written_reference.strip():
        problems.append(FieldProblem(f"{where}.written_reference", "a hold must be directed in writing"))
    initial_days = (hold.ends_on - hold.starts_on).days
    if initial_days < 0:
        problems.append(
            FieldProblem(f"{where}.ends_on", f"{hold.ends_on} is before the start {hold.starts_on}")
        )
    elif initial_days > MAX_INITIAL_HOLD_DAYS:
        problems.append(
            FieldProblem(
                f"{where}.ends_on",
                f"the initial hold runs {initial_days} days; at most {MAX_INITIAL_HOLD_DAYS}, "
                "then extend it in writing",
            )
        )
    problems.extend(_extension_problems(hold, where))
    if hold.released_on is not None and hold.released_on < hold.starts_on:
        problems.append(
            FieldProblem(f"{where}.released_on", f"{hold.released_on} is before the start {hold.starts_on}")
        )
    return problems


def _extension_problems(hold: Hold, where: str) -> list[FieldProblem]:
    problems, previous_end = [], hold.ends_on
    for index, extension in enumerate(hold.extensions):
        place = f"{where}.extensions[{index}]"
        if not extension.written_reference.strip():
            problems.append(FieldProblem(f"{place}.written_reference", "an extension must be in writing"))
        if extension.ends_on <= previous_end:
            problems.append(
                FieldProblem(
                    f"{place}.ends_on", f"{extension.ends_on} does not extend the hold past {previous_end}"
                )
            )
        previous_end = max(previous_end, extension.ends_on)
    return problems


@dataclass(frozen=True, slots=True)
class Deadline:
    """One notice duty of a breach: when it is due or first allowed, to whom, why, and under which rule.

    `due_on` is the last day to act and `not_before` the first day allowed (None: no such limit);
    dates are Washington, DC dates. `held_until` is the last day a written hold forbids notice.
    """

    name: str
    due_on: date | None
    not_before: date | None
    required: bool
    recipients: tuple[str, ...]
    explanation: str
    citation: str
    held_until: date | None = None
