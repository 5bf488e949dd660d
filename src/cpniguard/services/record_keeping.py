"""Access-log entries for steps staff take on the carrier's own records (breaches, campaigns, calendar).

Such a step reads no customer's CPNI, yet the record it changes is what the carrier shows the
FCC (64.2009(c), (d); 64.2011(d)), so who changed it and when goes into the same tamper-evident
log as every disclosure decision.
"""

from __future__ import annotations

from datetime import datetime

from cpniguard.domain.audit import AccessLogEntry, AuditEvent, LoggedReason
from cpniguard.services.disclosure import Asker

RULE_SET = "cpni-2007"


def record_step_entry(  # noqa: PLR0913  (keyword-only parts of one entry)
    event: AuditEvent, *, record: str, what: str, reason: LoggedReason, at: datetime, asker: Asker
) -> AccessLogEntry:
    """The entry of `asker` doing `what` to a `record` (e.g. "breach_record") at `at`, for `reason`."""
    return AccessLogEntry(
        event=event,
        occurred_at=at,
        actor_kind=asker.kind,
        actor_id=asker.label,
        actor_role=asker.role,
        account_id=None,
        data_category=record,
        purpose=record,
        channel="",
        recipient="carrier",
        destination=None,
        interaction_id=None,
        authentication=(),
        outcome=what,
        reasons=(reason,),
        conditions=(),
        rule_set=RULE_SET,
    )
