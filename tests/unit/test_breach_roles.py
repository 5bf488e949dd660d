"""Who keeps and reads the breach record and the closure days (64.2009(a), 64.2011(d), 47 CFR 1.4(e)(1))."""

from __future__ import annotations

import pytest

from cpniguard.domain.breach_roles import can_keep_breaches, can_keep_calendar, can_read_breaches
from cpniguard.domain.employees import Role

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("role", list(Role))
def test_only_compliance_keeps_breaches_and_readers_are_few(role):
    assert can_keep_breaches(role) == (role is Role.COMPLIANCE_OFFICER)
    assert can_read_breaches(role) == (role in {Role.COMPLIANCE_OFFICER, Role.SUPERVISOR, Role.AUDITOR})
    assert can_keep_calendar(role) == (role in {Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR})
