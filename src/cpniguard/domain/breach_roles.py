"""Who may read and keep the breach record, and the Commission's closure days (64.2009(a), 64.2011).

The record names affected customers and the circumstances of a breach: compliance staff keep
it; supervisors and auditors read it. Closure days move every business-day deadline, so only a
compliance officer or an administrator records them.
"""

from __future__ import annotations

from cpniguard.domain.employees import Role

BREACH_READERS = frozenset({Role.COMPLIANCE_OFFICER, Role.SUPERVISOR, Role.AUDITOR})
BREACH_KEEPERS = frozenset({Role.COMPLIANCE_OFFICER})
CALENDAR_KEEPERS = frozenset({Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR})


def can_read_breaches(role: Role) -> bool:
    """Whether `role` may read breach records, deadlines and documents (64.2011(d))."""
    return role in BREACH_READERS


def can_keep_breaches(role: Role) -> bool:
    """Whether `role` may open, record, notify, close, reopen and purge breaches (64.2011)."""
    return role in BREACH_KEEPERS


def can_keep_calendar(role: Role) -> bool:
    """Whether `role` may add or remove days the Commission was closed (47 CFR 1.4(e)(1))."""
    return role in CALENDAR_KEEPERS
