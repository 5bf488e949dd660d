"""A campaign's audience in one set-based statement (47 CFR 64.2005(a), 64.2007(b); issue 7).

Every customer the criteria find is classified in SQL: selected under the total service approach,
selected on the approval in force at the plan's instant, or left out with a reason. Members are
written by one INSERT ... SELECT, never row by row from Python. Consent is read from the
projection (`consent_states`) as `adapters/db/consent.audience_query` reads it: for a named
partner, the partner's own spans decide whenever the account has any (they fold in the
class-wide decisions, so a customer who opted out of that one partner stays out, whatever the
class-wide span says), else the class-wide span. The query never reads `carrier_change_notices`
(47 U.S.C. 222(b)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Insert,
    Join,
    Row,
    Select,
    String,
    and_,
    case,
    func,
    insert,
    intersect,
    literal,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import (
    Account,
    CallDetailRecord,
    CampaignAudienceMember,
    ConsentState,
    Service,
)
from cpniguard.domain.accounts import AccountStatus, ServiceCategory
from cpniguard.domain.campaigns import ApprovalNeed, AudienceCriteria, AudiencePlan, ExclusionReason
from cpniguard.domain.disclosure_request import Approval
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.domain.purpose_checks import CATEGORIES_OF_SERVICE

ACCEPTED: Mapping[ApprovalNeed, frozenset[Approval]] = {
    ApprovalNeed.OPT_OUT: frozenset({Approval.OPT_OUT_DEEMED, Approval.OPT_IN}),
    ApprovalNeed.OPT_IN: frozenset({Approval.OPT_IN}),
}
"""The approvals each need takes (64.2007(b)): opt-out deemed or opt-in, or opt-in only."""

_ACCOUNTS = Account.__table__.c
_SERVICES = Service.__table__.c
_CALLS = CallDetailRecord.__table__.c
_STATES = ConsentState.__table__


def plan_problems(plan: AudiencePlan) -> list[FieldProblem]:
    """What keeps the store from executing `plan`: a need it cannot check, an empty category set."""
    problems = []
    if plan.need not in ACCEPTED:
        problems.append(FieldProblem("plan.need", "must be opt-out or opt-in approval when service does not"))
    if plan.total_service_categories is not None and not plan.total_service_categories:
        problems.append(
            FieldProblem("plan.total_service_categories", "must name at least one category, or be None")
        )
    if plan.as_of.tzinfo is None:
        problems.append(FieldProblem("plan.as_of", "must carry a UTC offset"))
    if plan.total_service_min_categories < 1:
        problems.append(FieldProblem("plan.total_service_min_categories", "must be at least 1"))
    return problems


def fill_audience(
    session: Session, audience_id: int, plan: AudiencePlan
) -> tuple[int, dict[ExclusionReason, int]]:
    """Store the members `plan` selects under `audience_id`; how many, and who was left out why.

    PostgreSQL runs the insert and the counts as one statement over one snapshot (the insert is a
    data-modifying CTE over the classified candidates). SQLite has no such CTE; its transaction
    holds the database's write lock from the insert on, so the counts that follow read the same rows.
    """
    if problems := plan_problems(plan):
        raise InvalidInputError("the audience plan cannot be executed", tuple(problems))
    outcomes = outcomes_query(plan)
    if _on_postgresql(session):
        _turn_jit_off(session)
        shared = outcomes.cte("classified")
        added = _members_insert(audience_id, shared).cte("added")
        return _tally(session.execute(_counts(shared).add_cte(added)))
    # A subquery, not a CTE: Python's sqlite3 reports no rowcount for a statement opening with WITH.
    classified = outcomes.subquery("classified")
    stored = session.execute(_members_insert(audience_id, classified)).rowcount  # type: ignore[attr-defined]
    selected, excluded = count_outcomes(session, plan)
    if selected != stored:
        raise RuntimeError(f"audience {audience_id}: {selected} counted as selected, {stored} stored")
    return selected, excluded


def count_outcomes(session: Session, plan: AudiencePlan) -> tuple[int, dict[ExclusionReason, int]]:
    """How many customers `plan` selects, and who it leaves out why, storing nothing.

    The counts `fill_audience` records, over the same classification; bench/audience.py times it
    as the audience's selection.
    """
    if problems := plan_problems(plan):
        raise InvalidInputError("the audience plan cannot be executed", tuple(problems))
    if _on_postgresql(session):
        _turn_jit_off(session)
    return _tally(session.execute(_counts(outcomes_query(plan).subquery("classified"))))


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _turn_jit_off(session: Session) -> None:
    """No JIT compilation for the rest of the transaction.

    The audience's plan costs enough to be compiled, and compiling it takes about 90 ms that its
    few expressions never win back (bench/audience.py: about 1.15 s against 1.3 s at 1,000,000).
    """
    session.execute(text("SET LOCAL jit = off"))


def _counts(classified: FromClause) -> Select[str | None, int]:
    return select(classified.c.reason, func.count()).group_by(classified.c.reason)


def _members_insert(audience_id: int, classified: FromClause) -> Insert:
    # In key order, each member lands at the end of the primary key's index instead of on a page
    # anywhere in it: about a second less for 770,000 members on PostgreSQL (bench/audience.py).
    chosen = (
        select(literal(audience_id), classified.c.account_id, classified.c.need, classified.c.approval)
        .where(classified.c.reason.is_(None))
        .order_by(classified.c.account_id)
    )
    columns = ["audience_id", "account_id", "need", "approval"]
    return insert(CampaignAudienceMember).from_select(columns, chosen)


def _tally(rows: Iterable[Row[str | None, int]]) -> tuple[int, dict[ExclusionReason, int]]:
    excluded = dict.fromkeys(ExclusionReason, 0)
    selected = 0
    for reason, count in rows:
        if reason is None:
            selected = int(count)
        else:
            excluded[ExclusionReason(reason)] = int(count)
    return selected, excluded


def outcomes_query(plan: AudiencePlan) -> Select[int, str, str | None, str | None]:
    """Every candidate's (account_id, need, approval, reason); reason NULL means selected."""
    joined, approval = _approval_in_force(plan)
    conditions = candidate_conditions(plan.criteria, plan.as_of)
    if plan.criteria.subscribes_to_none_of:
        joined, unsubscribed = _without_subscribers(joined, plan.criteria.subscribes_to_none_of, plan.as_of)
        conditions.append(unsubscribed)
    need: ColumnElement[str] = literal(str(plan.need), String)
    reason = _reason(approval, plan.need)
    if plan.total_service_categories is not None:
        subscribers = _subscribers_of_all(plan.total_service_categories, plan.as_of)
        joined = joined.outerjoin(subscribers, subscribers.c.account_id == _ACCOUNTS.id)
        total_service: ColumnElement[bool] = subscribers.c.account_id.is_not(None)
        if plan.total_service_min_categories > len(plan.total_service_categories):
            several = _subscribers_of_several(plan.total_service_min_categories, plan.as_of)
            joined = joined.outerjoin(several, several.c.account_id == _ACCOUNTS.id)
            total_service = and_(total_service, several.c.account_id.is_not(None))
        need = case((total_service, str(ApprovalNeed.TOTAL_SERVICE)), else_=need)
        approval = case((total_service, null()), else_=approval)
        reason = case((total_service, null()), else_=reason)
    columns = (need.label("need"), approval.label("approval"), reason.label("reason"))
    return select(_ACCOUNTS.id.label("account_id"), *columns).select_from(joined).where(*conditions)


def _approval_in_force(plan: AudiencePlan) -> tuple[Join, ColumnElement[str | None]]:
    """Accounts joined to the spans that decide their approval at `as_of`, and that approval."""
    if not plan.partner:
        own = _STATES.alias("own_span")
        in_force = and_(own.c.account_id == _ACCOUNTS.id, *_span_in_force(own, plan, ""))
        return Account.__table__.outerjoin(own, in_force), own.c.approval
    spans, class_wide = _partner_spans(plan), _STATES.alias("class_span")
    joined = Account.__table__.outerjoin(spans, spans.c.account_id == _ACCOUNTS.id).outerjoin(
        class_wide, and_(class_wide.c.account_id == _ACCOUNTS.id, *_span_in_force(class_wide, plan, ""))
    )
    return joined, case((spans.c.account_id.is_(None), class_wide.c.approval), else_=spans.c.approval)


def _reason(approval: ColumnElement[str | None], need: ApprovalNeed) -> ColumnElement[str | None]:
    """Why the approval in force leaves the customer out (64.2007(b)); NULL when it lets them in."""
    return case(
        (approval.in_(sorted(ACCEPTED[need])), null()),
        (approval == Approval.OPTED_OUT, str(ExclusionReason.OPTED_OUT)),
        (approval == Approval.OPT_OUT_DEEMED, str(ExclusionReason.OPT_IN_REQUIRED)),
        else_=str(ExclusionReason.NO_APPROVAL),
    )


def _span_in_force(span: FromClause, plan: AudiencePlan, partner: str) -> list[ColumnElement[bool]]:
    return [
        span.c.recipient_class == plan.recipient_class,
        span.c.partner == partner,
        span.c.valid_from <= plan.as_of,
        or_(span.c.valid_until.is_(None), span.c.valid_until > plan.as_of),
    ]


def _partner_spans(plan: AudiencePlan) -> FromClause:
    """One row per account holding any span of the named partner, with the approval in force or NULL."""
    in_force = and_(*_span_in_force(_STATES, plan, plan.partner))
    return (
        select(_STATES.c.account_id, func.max(case((in_force, _STATES.c.approval))).label("approval"))
        .where(_STATES.c.recipient_class == plan.recipient_class, _STATES.c.partner == plan.partner)
        .group_by(_STATES.c.account_id)
        .subquery("partner_spans")
    )


def candidate_conditions(criteria: AudienceCriteria, as_of: datetime) -> list[ColumnElement[bool]]:
    """Accounts active at `as_of` (customers, 64.2003(f)) matching `criteria`, bar subscribes_to_none_of.

    Each criterion on services or calls is a key list joined once, which PostgreSQL hashes or
    merges in account order (`ix_services_account`, `ix_call_detail_records_account_started`).
    """
    conditions = [
        _ACCOUNTS.status == AccountStatus.ACTIVE,
        _ACCOUNTS.opened_at <= as_of,
        or_(_ACCOUNTS.closed_at.is_(None), _ACCOUNTS.closed_at > as_of),
    ]
    if criteria.account_kinds:
        conditions.append(_ACCOUNTS.kind.in_(sorted(criteria.account_kinds)))
    if criteria.languages:
        conditions.append(_ACCOUNTS.language.in_(sorted(criteria.languages)))
    if criteria.subscribes_to_any:
        conditions.append(_ACCOUNTS.id.in_(_subscribers(criteria.subscribes_to_any, as_of)))
    if criteria.min_calls is not None and criteria.min_calls > 0:
        conditions.append(_made_calls(criteria, criteria.min_calls, as_of))
    return conditions


def _without_subscribers(
    joined: Join, categories: frozenset[ServiceCategory], as_of: datetime
) -> tuple[Join, ColumnElement[bool]]:
    """`joined` with the subscribers to any of `categories`, and the test that keeps the others.

    An outer join tested for NULL: PostgreSQL plans it as an anti-join, SQLite indexes the key list.
    """
    held = _subscribers(categories, as_of).group_by(_SERVICES.account_id).subquery("subscribers_of_none")
    return joined.outerjoin(held, held.c.account_id == _ACCOUNTS.id), held.c.account_id.is_(None)


def _subscribers(categories: frozenset[ServiceCategory], as_of: datetime) -> Select[int]:
    """Keys of accounts with a service in force at `as_of` in one of `categories` (with repeats)."""
    in_force = [_SERVICES.started_at <= as_of, or_(_SERVICES.ended_at.is_(None), _SERVICES.ended_at > as_of)]
    return select(_SERVICES.account_id).where(_SERVICES.category.in_(sorted(categories)), *in_force)


def _subscribers_of_all(categories: frozenset[ServiceCategory], as_of: datetime) -> FromClause:
    """Accounts with a service in force at `as_of` in every one of `categories` (64.2005(a)), once each.

    An INTERSECT of one key list per category: PostgreSQL hashes them, where a count of distinct
    categories per account would sort every service (bench: 1.2 s against 2.2 s at 1,000,000).
    """
    per_category = [_subscribers(frozenset({category}), as_of) for category in sorted(categories)]
    if len(per_category) == 1:
        # GROUP BY, not DISTINCT: PostgreSQL aggregates a GROUP BY in its parallel workers.
        return per_category[0].group_by(_SERVICES.account_id).subquery("total_service")
    return intersect(*per_category).subquery("total_service")


def _subscribers_of_several(minimum: int, as_of: datetime) -> FromClause:
    """Accounts taking at least `minimum` categories of service at `as_of` (64.2005(a)(1)), once each."""
    in_force = _subscribers(CATEGORIES_OF_SERVICE, as_of)
    return (
        in_force.group_by(_SERVICES.account_id)
        .having(func.count(_SERVICES.category.distinct()) >= minimum)
        .subquery("several_categories")
    )


def _made_calls(criteria: AudienceCriteria, minimum: int, as_of: datetime) -> ColumnElement[bool]:
    """Whether the account made at least `minimum` calls in the `calls_within_days` days before `as_of`.

    Asked per candidate as "is there a call after the first `minimum - 1`": each candidate reads at
    most `minimum` entries of `ix_call_detail_records_account_started`, so the cost follows the
    candidates, not the calls (a carrier keeps hundreds of calls an account a month; counting them
    all per account read every call of the window).
    """
    window = [_CALLS.account_id == _ACCOUNTS.id, _CALLS.started_at < as_of]
    if criteria.calls_within_days is not None:
        window.append(_CALLS.started_at >= as_of - timedelta(days=criteria.calls_within_days))
    return select(literal(1)).where(*window).offset(minimum - 1).limit(1).exists()
