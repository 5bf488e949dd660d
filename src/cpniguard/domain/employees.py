"""Who works with CPNI, by role (DESIGN.md 'Who uses it'); roles decide what each may ask."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Roles of employees and integrations."""

    REPRESENTATIVE = "representative"
    MARKETING_ANALYST = "marketing_analyst"
    SUPERVISOR = "supervisor"
    COMPLIANCE_OFFICER = "compliance_officer"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"
    INTEGRATION = "integration"
    """Billing, switching and CRM systems that push records (not a person)."""


CALL_DETAIL_LOADERS = frozenset({Role.INTEGRATION, Role.ADMINISTRATOR})
"""Roles that may push call detail records into cpniguard."""


def can_load_call_detail(role: Role) -> bool:
    """Whether `role` may load call detail records (writing CPNI, not reading it)."""
    return role in CALL_DETAIL_LOADERS


CONTACT_POINT_READERS = frozenset(
    {Role.REPRESENTATIVE, Role.SUPERVISOR, Role.COMPLIANCE_OFFICER, Role.AUDITOR, Role.ADMINISTRATOR}
)
"""Roles that look up where a customer may be reached; marketing works through audiences."""


def can_read_contact_points(role: Role) -> bool:
    """Whether `role` may see an account's contact points and which are of record (64.2003(b))."""
    return role in CONTACT_POINT_READERS
