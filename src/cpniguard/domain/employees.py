"""Who works with CPNI, by role (DESIGN.md 'Who uses it'); roles decide what each may ask."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
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


INTERACTION_HANDLERS = frozenset({Role.REPRESENTATIVE, Role.SUPERVISOR, Role.INTEGRATION})
"""Roles that open and end interactions with customers (64.2010(a))."""
TRAINING_RECORDERS = frozenset({Role.COMPLIANCE_OFFICER, Role.SUPERVISOR, Role.ADMINISTRATOR})
"""Roles that record CPNI training and disciplinary actions (64.2009(b))."""
TRAINING_READERS = TRAINING_RECORDERS | {Role.AUDITOR}


def can_handle_interactions(role: Role) -> bool:
    """Whether `role` may open and end interactions with customers (47 CFR 64.2010(a))."""
    return role in INTERACTION_HANDLERS


def can_record_training(role: Role) -> bool:
    """Whether `role` may record training and disciplinary actions (64.2009(b))."""
    return role in TRAINING_RECORDERS


def can_read_training(role: Role) -> bool:
    """Whether `role` may read training and disciplinary records (64.2009(b))."""
    return role in TRAINING_READERS


class TrainingStatus(StrEnum):
    """Whether the actor's CPNI training is current (64.2009(b))."""

    CURRENT = "current"
    EXPIRED = "expired"
    MISSING = "missing"
    NOT_REQUIRED = "not_required"
    """Not a person: integrations, the customer, outside bodies."""


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    """One completed CPNI training, valid until it expires (64.2009(b))."""

    completed_at: datetime
    expires_at: datetime


def training_status(records: Iterable[TrainingRecord], at: datetime) -> TrainingStatus:
    """Whether an employee's CPNI training is current at `at` (47 CFR 64.2009(b)).

    Current when some completed training has not expired; expired when there were
    trainings but all have lapsed; missing when there was none (or none completed yet).
    """
    completed = [record for record in records if record.completed_at <= at]
    if any(at < record.expires_at for record in completed):
        return TrainingStatus.CURRENT
    return TrainingStatus.EXPIRED if completed else TrainingStatus.MISSING


class DisciplinaryAction(StrEnum):
    """The express disciplinary process for CPNI misuse (64.2009(b))."""

    WARNING = "warning"
    RETRAINING = "retraining"
    SUSPENSION = "suspension"
    TERMINATION = "termination"


CONTACT_CHANGERS = frozenset({Role.REPRESENTATIVE, Role.SUPERVISOR, Role.INTEGRATION})
"""Roles that may change contact points of record and the notice preference (CRM pushes them too)."""


def can_change_contact_points(role: Role) -> bool:
    """Whether `role` may change an account's contact points of record (notified, 64.2010(f))."""
    return role in CONTACT_CHANGERS


def can_administer(role: Role) -> bool:
    """Whether `role` may use the administration endpoints, such as the test clock (DESIGN.md 9)."""
    return role is Role.ADMINISTRATOR
