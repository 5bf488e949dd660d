"""The breach documents for the agencies: the agency report and the annual summary (47 CFR 64.2011).

Both are read from the stored timelines, never written: generating a document records nothing.
The regime follows each breach's reasonable determination (RULES section 0).
"""

from __future__ import annotations

from datetime import date

from cpniguard.domain.breach import BreachRegime, Deadline, regime_for
from cpniguard.domain.breach_deadlines import timeline_deadlines
from cpniguard.domain.breach_report import AgencyReport, agency_report, latest_event
from cpniguard.domain.breach_summary import AnnualSummary, annual_summary, summary_due_on
from cpniguard.domain.breach_timeline import Breach, BreachEvent, BreachEventKind
from cpniguard.domain.business_days import BusinessCalendar, eastern_date
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.errors import NotFoundError
from cpniguard.services.ports import UnitOfWork, UnitOfWorkFactory

LISTING_PAGE = 100
"""Breaches read per page while gathering a year's summary."""

SummaryItem = tuple[Breach, list[BreachEvent], list[Deadline]]


def agency_report_for(
    *,
    uow_factory: UnitOfWorkFactory,
    breach_id: int,
    carrier: CarrierContact,
    amendments_effective_on: date | None,
) -> AgencyReport:
    """The agency report of the breach from its stored timeline (47 CFR 64.2011(a)(1) as amended).

    The regime follows the recorded determination and the FCC 23-111 effective date; before the
    determination is recorded the report says so in `missing` and is made under the legacy rule,
    in force until the amendments take effect (RULES 0.1). NotFoundError for an unknown breach.
    """
    with uow_factory() as uow:
        breach = uow.breaches.get(breach_id)
        if breach is None:
            raise NotFoundError(f"no breach {breach_id}")
        events = uow.breaches.events(breach_id)
        affected = uow.breaches.affected_count(breach_id)
    determined = latest_event(events, BreachEventKind.DETERMINED)
    regime = (
        BreachRegime.LEGACY
        if determined is None
        else regime_for(determined.occurred_at, amendments_effective_on)
    )
    return agency_report(breach, events, carrier=carrier, regime=regime, affected_accounts=affected)


def annual_summary_for(  # noqa: PLR0913  (keyword-only wiring of one use case)
    *,
    uow_factory: UnitOfWorkFactory,
    year: int,
    carrier: CarrierContact,
    calendar: BusinessCalendar,
    amendments_effective_on: date | None,
    annual_summary_due: tuple[int, int],
) -> AnnualSummary:
    """The summary of `year`'s small breaches, open or closed (47 CFR 64.2011(a)(3) as amended).

    Every breach determined in `year` (Washington, DC date) has its deadlines computed from its
    stored timeline; those routed to the annual summary are in it. It is due on `annual_summary_due`
    (month, day) of the next year (RULES 8.4; unconfirmed, 12.2). A year with none is an empty
    summary. InvalidInputError for a year out of range or a due day that is no date of every year.
    """
    due_on = summary_due_on(year, annual_summary_due)
    with uow_factory() as uow:
        timelines = _timelines_determined_in(uow, year)
    items = [
        (breach, events, _deadlines(events, calendar, amendments_effective_on, annual_summary_due))
        for breach, events in timelines
    ]
    return annual_summary(year, items, carrier=carrier, due_on=due_on)


def _timelines_determined_in(uow: UnitOfWork, year: int) -> list[tuple[Breach, list[BreachEvent]]]:
    # A breach's determination is a timeline event, not a column: each timeline is read, a page
    # of breaches at a time (a carrier has tens of breaches a year, not millions).
    found: list[tuple[Breach, list[BreachEvent]]] = []
    after_id = 0
    while page := uow.breaches.listing(after_id=after_id, limit=LISTING_PAGE):
        for breach in page:
            events = uow.breaches.events(breach.id)
            determined = latest_event(events, BreachEventKind.DETERMINED)
            if determined is not None and eastern_date(determined.occurred_at).year == year:
                found.append((breach, events))
        after_id = page[-1].id
    return found


def _deadlines(
    events: list[BreachEvent],
    calendar: BusinessCalendar,
    amendments_effective_on: date | None,
    annual_summary_due: tuple[int, int],
) -> list[Deadline]:
    found = timeline_deadlines(
        events,
        calendar=calendar,
        amendments_effective_on=amendments_effective_on,
        annual_summary_due=annual_summary_due,
    )
    # Determined but not yet discovered: no deadline can be computed.
    return [] if found is None else list(found.deadlines)
