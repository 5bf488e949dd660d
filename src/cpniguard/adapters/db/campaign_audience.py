"""A campaign's audience in one set-based statement (47 CFR 64.2005(a), 64.2007(b); issue 7).

Every customer the criteria find is classified in SQL: selected under the total service approach,
selected on the approval in force at the plan's instant, or left out with a reason. Members are
written by one INSERT ... SELECT, never row by row from Python; counting without storing runs the
same classification in slices of account keys, one UNION ALL that PostgreSQL's parallel workers
share. Consent is read from the projection (`consent_states`) as
`adapters/db/consent.audience_query` reads it: for a named partner, the partner's own spans
decide whenever the account has any (they fold in the class-wide decisions, so a customer who
opted out of that one partner stays out, whatever the class-wide span says), else the class-wide
span. The query never reads `carrier_change_notices` (47 U.S.C. 222(b)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
    union_all,
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

ACCOUNTS_PER_SLICE = 40_000
"""How many account keys one slice of a PostgreSQL audience count spans at least (`count_outcomes`).

Each slice is a branch of one UNION ALL that a parallel worker takes whole, reading only its own
keys of accounts, spans and services in index order. On bench/audience.py's 1,000,000 customers
and 2 cores (25 slices), the carrier's audience counted in about 0.7 of its unsliced time
(1.16 s against 1.65 s, best of 7 alternating); the partner's, whose calls criterion is asked
above the slices by one process, in 0.72 to 0.9 of it from one run to the next.
"""
MOST_SLICES = 32
"""No more slices than this, however wide the keys: each is one more branch to plan (a partner's
audience over 250 slices took 0.3 s to plan), and PostgreSQL takes 65,535 parameters at most."""

_ACCOUNTS = Account.__table__.c
_SERVICES = Service.__table__.c
_CALLS = CallDetailRecord.__table__.c
_STATES = ConsentState.__table__


@dataclass(frozen=True)
class KeySlice:
    """The account keys from `low` (included) to `high` (excluded); None leaves that side open."""

    low: int | None = None
    high: int | None = None

    def bounds(self, account_key: ColumnElement[int]) -> list[ColumnElement[bool]]:
        """Conditions keeping `account_key` in the slice; none for every account."""
        kept = [] if self.low is None else [account_key >= self.low]
        return kept if self.high is None else [*kept, account_key < self.high]


EVERY_ACCOUNT = KeySlice()


def key_slices(lowest: int | None, highest: int | None, size: int, most: int = MOST_SLICES) -> list[KeySlice]:
    """Consecutive slices of `size` keys between the keys in use, open at both ends.

    Wider slices when more than `most` would be needed. Open ends, so that an account added
    between reading the bounds and counting still falls in a slice. No accounts, or fewer keys
    than `size`: one slice of every account.
    """
    if size < 1:
        raise ValueError(f"a slice must span at least one account key, not {size}")
    if most < 1:
        raise ValueError(f"there must be at least one slice, not {most}")
    if lowest is None or highest is None or highest - lowest < size:
        return [EVERY_ACCOUNT]
    size = max(size, -(-(highest + 1 - lowest) // most))
    cuts = list(range(lowest + size, highest + 1, size))
    return [KeySlice(low, high) for low, high in zip([None, *cuts], [*cuts, None], strict=True)]


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


def count_outcomes(
    session: Session, plan: AudiencePlan, accounts_per_slice: int | None = None
) -> tuple[int, dict[ExclusionReason, int]]:
    """How many customers `plan` selects, and who it leaves out why, storing nothing.

    The counts `fill_audience` records, over the same classification; bench/audience.py times it
    as the audience's selection. The classification runs in slices of `accounts_per_slice` account
    keys (at least; MOST_SLICES at most), one UNION ALL branch each. None means the engine's
    default: ACCOUNTS_PER_SLICE on PostgreSQL, whose parallel workers share the slices out, and
    one slice of every account on SQLite, which has no workers to share them.
    """
    if problems := plan_problems(plan):
        raise InvalidInputError("the audience plan cannot be executed", tuple(problems))
    postgresql = _on_postgresql(session)
    if postgresql:
        _turn_jit_off(session)
    if accounts_per_slice is None:
        accounts_per_slice = ACCOUNTS_PER_SLICE if postgresql else None
    slices = [EVERY_ACCOUNT] if accounts_per_slice is None else _slices(session, accounts_per_slice)
    branches = [_classification(plan, keys).subquery(f"slice_{n}") for n, keys in enumerate(slices)]
    sliced = union_all(*(select(branch.c.account_id, branch.c.reason) for branch in branches))
    minimum = _min_calls(plan.criteria)
    if minimum is None:
        return _tally(session.execute(_counts(sliced.subquery("classified"))))
    # OFFSET 0 keeps PostgreSQL from pushing the calls test down into each slice: a correlated
    # subquery is parallel-restricted, and inside the slices it kept the workers from taking
    # them (the partner's audience took three times as long as unsliced). Above the slices, the
    # leader asks it of the candidates the workers send up.
    candidates = sliced.offset(0).subquery("candidates")
    called = select(candidates.c.reason).where(_made_calls(plan, minimum, candidates.c.account_id))
    return _tally(session.execute(_counts(called.subquery("classified"))))


def _slices(session: Session, size: int) -> list[KeySlice]:
    """Slices of `size` keys between the lowest and highest account keys in use now."""
    lowest, highest = session.execute(select(func.min(_ACCOUNTS.id), func.max(_ACCOUNTS.id))).one()
    return key_slices(lowest, highest, size)


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
    return _with_calls_made(plan, _classification(plan, EVERY_ACCOUNT).subquery("candidates"))


def selected_in(session: Session, plan: AudiencePlan, keys: KeySlice) -> set[int]:
    """The account keys in `keys` that `plan` selects: the classification of `fill_audience`, read back.

    An export asks it of each page of an audience's members, as of the export, so that a member
    whose approval or criteria no longer hold is withheld (64.2007(a)(2), 64.2009(a)).
    """
    if problems := plan_problems(plan):
        raise InvalidInputError("the audience plan cannot be executed", tuple(problems))
    outcomes = _with_calls_made(plan, _classification(plan, keys).subquery("candidates")).subquery("outcomes")
    chosen = select(outcomes.c.account_id).where(outcomes.c.reason.is_(None))
    return set(session.scalars(chosen))


def _with_calls_made(plan: AudiencePlan, candidates: FromClause) -> Select[int, str, str | None, str | None]:
    """The `candidates` who made the calls the criteria ask for, if they ask (all of them if not)."""
    c = candidates.c
    outcomes = select(c.account_id, c.need, c.approval, c.reason)
    minimum = _min_calls(plan.criteria)
    return outcomes if minimum is None else outcomes.where(_made_calls(plan, minimum, c.account_id))


def _min_calls(criteria: AudienceCriteria) -> int | None:
    """The least number of calls the criteria ask of a candidate; None when they ask none."""
    return criteria.min_calls if criteria.min_calls is not None and criteria.min_calls > 0 else None


def _classification(plan: AudiencePlan, keys: KeySlice) -> Select[int, str, str | None, str | None]:
    """Every candidate in `keys` by every criterion but the calls one, classified as outcomes_query.

    The slice bounds every input (accounts, spans, services), not just accounts: PostgreSQL
    derives no range on one side of a join from a range on the other.
    """
    joined, approval = _approval_in_force(plan, keys)
    conditions = _candidate_conditions(plan.criteria, plan.as_of, keys)
    if plan.criteria.subscribes_to_none_of:
        joined, unsubscribed = _without_subscribers(
            joined, plan.criteria.subscribes_to_none_of, plan.as_of, keys
        )
        conditions.append(unsubscribed)
    need: ColumnElement[str] = literal(str(plan.need), String)
    reason = _reason(approval, plan.need)
    if plan.total_service_categories is not None:
        subscribers = _subscribers_of_all(plan.total_service_categories, plan.as_of, keys)
        joined = joined.outerjoin(subscribers, subscribers.c.account_id == _ACCOUNTS.id)
        total_service: ColumnElement[bool] = subscribers.c.account_id.is_not(None)
        if plan.total_service_min_categories > len(plan.total_service_categories):
            several = _subscribers_of_several(plan.total_service_min_categories, plan.as_of, keys)
            joined = joined.outerjoin(several, several.c.account_id == _ACCOUNTS.id)
            total_service = and_(total_service, several.c.account_id.is_not(None))
        need = case((total_service, str(ApprovalNeed.TOTAL_SERVICE)), else_=need)
        approval = case((total_service, null()), else_=approval)
        reason = case((total_service, null()), else_=reason)
    columns = (need.label("need"), approval.label("approval"), reason.label("reason"))
    return select(_ACCOUNTS.id.label("account_id"), *columns).select_from(joined).where(*conditions)


def _approval_in_force(plan: AudiencePlan, keys: KeySlice) -> tuple[Join, ColumnElement[str | None]]:
    """Accounts joined to the spans that decide their approval at `as_of`, and that approval."""
    if not plan.partner:
        own = _STATES.alias("own_span")
        in_force = and_(
            own.c.account_id == _ACCOUNTS.id, *_span_in_force(own, plan, ""), *keys.bounds(own.c.account_id)
        )
        return Account.__table__.outerjoin(own, in_force), own.c.approval
    spans, class_wide = _partner_spans(plan, keys), _STATES.alias("class_span")
    class_wide_in_force = [*_span_in_force(class_wide, plan, ""), *keys.bounds(class_wide.c.account_id)]
    joined = Account.__table__.outerjoin(spans, spans.c.account_id == _ACCOUNTS.id).outerjoin(
        class_wide, and_(class_wide.c.account_id == _ACCOUNTS.id, *class_wide_in_force)
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


def _partner_spans(plan: AudiencePlan, keys: KeySlice) -> FromClause:
    """One row per account holding any span of the named partner, with the approval in force or NULL."""
    in_force = and_(*_span_in_force(_STATES, plan, plan.partner))
    partners = [_STATES.c.recipient_class == plan.recipient_class, _STATES.c.partner == plan.partner]
    return (
        select(_STATES.c.account_id, func.max(case((in_force, _STATES.c.approval))).label("approval"))
        .where(*partners, *keys.bounds(_STATES.c.account_id))
        .group_by(_STATES.c.account_id)
        .subquery("partner_spans")
    )


def _candidate_conditions(
    criteria: AudienceCriteria, as_of: datetime, keys: KeySlice
) -> list[ColumnElement[bool]]:
    """Accounts in `keys`, active at `as_of` (64.2003(f)), of the criteria's kinds, languages, services.

    subscribes_to_none_of (an anti-join) and min_calls (asked of the candidates left) are applied
    by the callers. Each criterion on services is a key list joined once, which PostgreSQL hashes
    or merges in account order (`ix_services_category`).
    """
    conditions = [
        _ACCOUNTS.status == AccountStatus.ACTIVE,
        _ACCOUNTS.opened_at <= as_of,
        or_(_ACCOUNTS.closed_at.is_(None), _ACCOUNTS.closed_at > as_of),
        *keys.bounds(_ACCOUNTS.id),
    ]
    if criteria.account_kinds:
        conditions.append(_ACCOUNTS.kind.in_(sorted(criteria.account_kinds)))
    if criteria.languages:
        conditions.append(_ACCOUNTS.language.in_(sorted(criteria.languages)))
    if criteria.subscribes_to_any:
        conditions.append(_ACCOUNTS.id.in_(_subscribers(criteria.subscribes_to_any, as_of, keys)))
    return conditions


def _without_subscribers(
    joined: Join, categories: frozenset[ServiceCategory], as_of: datetime, keys: KeySlice
) -> tuple[Join, ColumnElement[bool]]:
    """`joined` with the subscribers to any of `categories`, and the test that keeps the others.

    An outer join tested for NULL: PostgreSQL plans it as an anti-join, SQLite indexes the key list.
    """
    held = (
        _subscribers(categories, as_of, keys).group_by(_SERVICES.account_id).subquery("subscribers_of_none")
    )
    return joined.outerjoin(held, held.c.account_id == _ACCOUNTS.id), held.c.account_id.is_(None)


def _subscribers(categories: frozenset[ServiceCategory], as_of: datetime, keys: KeySlice) -> Select[int]:
    """Keys in `keys` of accounts with a service in force at `as_of` in one of `categories` (with repeats)."""
    in_force = [_SERVICES.started_at <= as_of, or_(_SERVICES.ended_at.is_(None), _SERVICES.ended_at > as_of)]
    held = [_SERVICES.category.in_(sorted(categories)), *keys.bounds(_SERVICES.account_id)]
    return select(_SERVICES.account_id).where(*held, *in_force)


def _subscribers_of_all(
    categories: frozenset[ServiceCategory], as_of: datetime, keys: KeySlice
) -> FromClause:
    """Accounts with a service in force at `as_of` in every one of `categories` (64.2005(a)), once each.

    An INTERSECT of one key list per category: PostgreSQL hashes them, where a count of distinct
    categories per account would sort every service (bench: 1.2 s against 2.2 s at 1,000,000).
    """
    per_category = [_subscribers(frozenset({category}), as_of, keys) for category in sorted(categories)]
    if len(per_category) == 1:
        # GROUP BY, not DISTINCT: PostgreSQL aggregates a GROUP BY in its parallel workers.
        return per_category[0].group_by(_SERVICES.account_id).subquery("total_service")
    return intersect(*per_category).subquery("total_service")


def _subscribers_of_several(minimum: int, as_of: datetime, keys: KeySlice) -> FromClause:
    """Accounts taking at least `minimum` categories of service at `as_of` (64.2005(a)(1)), once each."""
    in_force = _subscribers(CATEGORIES_OF_SERVICE, as_of, keys)
    return (
        in_force.group_by(_SERVICES.account_id)
        .having(func.count(_SERVICES.category.distinct()) >= minimum)
        .subquery("several_categories")
    )


def _made_calls(plan: AudiencePlan, minimum: int, account_key: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether `account_key` made at least `minimum` calls in the `calls_within_days` days to `as_of`.

    Asked per candidate as "is there a call after the first `minimum - 1`": each candidate reads at
    most `minimum` entries of `ix_call_detail_records_account_started`, so the cost follows the
    candidates, not the calls (a carrier keeps hundreds of calls an account a month; counting them
    all per account read every call of the window).
    """
    window = [_CALLS.account_id == account_key, _CALLS.started_at < plan.as_of]
    if plan.criteria.calls_within_days is not None:
        window.append(_CALLS.started_at >= plan.as_of - timedelta(days=plan.criteria.calls_within_days))
    return select(literal(1)).where(*window).offset(minimum - 1).limit(1).exists()
