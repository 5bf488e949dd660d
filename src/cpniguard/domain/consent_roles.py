"""Who may read and record consent, and through which channel (47 CFR 64.2009(a), 64.2007(a)).

A representative records what the customer says on a call or a mailed form they hold; the
portal's backend (an integration) records what the customer did online; compliance staff
and supervisors may enter any channel, e.g. when they resolve the mailbox's review queue.
Nobody records a decision as coming through a channel it did not come through.
"""

from __future__ import annotations

from collections.abc import Mapping

from cpniguard.domain.consent_events import ConsentSource
from cpniguard.domain.employees import Role

CONSENT_READERS = frozenset(
    {
        Role.REPRESENTATIVE,
        Role.MARKETING_ANALYST,
        Role.SUPERVISOR,
        Role.COMPLIANCE_OFFICER,
        Role.AUDITOR,
        Role.INTEGRATION,
    }
)
"""64.2009(a): a customer's approval status is shown before any use of CPNI."""

_EVERY_SOURCE = frozenset(ConsentSource)
CONSENT_SOURCES_BY_ROLE: Mapping[Role, frozenset[ConsentSource]] = {
    Role.REPRESENTATIVE: frozenset({ConsentSource.REPRESENTATIVE, ConsentSource.MAILED_FORM}),
    Role.INTEGRATION: frozenset({ConsentSource.PORTAL}),
    Role.SUPERVISOR: _EVERY_SOURCE,
    Role.COMPLIANCE_OFFICER: _EVERY_SOURCE,
}
"""The channels each role may record a customer's decision as arriving through."""

CONSENT_MANAGERS = frozenset({Role.COMPLIANCE_OFFICER, Role.SUPERVISOR})
"""Notice versions and mailings, the mailbox review queue, opt-out failure incidents."""


def can_read_consent(role: Role) -> bool:
    """Whether `role` may read approvals and the consent ledger (64.2009(a))."""
    return role in CONSENT_READERS


def can_record_consent(role: Role) -> bool:
    """Whether `role` may record consent events at all."""
    return role in CONSENT_SOURCES_BY_ROLE


def may_record_through(role: Role, source: ConsentSource | None) -> bool:
    """Whether `role` may record an event as arriving through `source` (None: notices, bounces).

    Notices and bounces, which have no source, are recorded by compliance staff and the system.
    """
    if source is None:
        return role in CONSENT_MANAGERS or role is Role.INTEGRATION
    return source in CONSENT_SOURCES_BY_ROLE.get(role, frozenset())


def can_manage_consent(role: Role) -> bool:
    """Whether `role` may manage notices, the mailbox review queue and opt-out failures."""
    return role in CONSENT_MANAGERS
