"""An interaction: one contact with a customer, and the authentication it reached (64.2010(a)).

Authentication belongs to the interaction: it counts only while the interaction is open,
for the account it was opened on, and for the channel it is on. Issue 4 records how each
method was reached; the gate reads what was reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cpniguard.domain.disclosure_request import AuthenticationMethod, Channel

DEFAULT_INTERACTION_LIFETIME = timedelta(hours=2)
"""An interaction nobody ended stops counting after this long (a carrier's setting)."""


@dataclass(frozen=True, slots=True)
class Interaction:
    """One contact with a customer on one channel."""

    id: int
    account_id: int
    channel: Channel
    started_at: datetime
    ended_at: datetime | None
    authentication: frozenset[AuthenticationMethod]
    expires_at: datetime
    """It ends by itself then, if nobody ended it before (a timeout)."""

    def is_open_at(self, at: datetime) -> bool:
        """Whether the interaction has started and neither ended nor timed out at `at`."""
        ends = self.expires_at if self.ended_at is None else min(self.ended_at, self.expires_at)
        return self.started_at <= at < ends

    def authentication_at(self, at: datetime) -> frozenset[AuthenticationMethod]:
        """What the interaction has proven at `at`; nothing once it has ended (64.2010(a))."""
        return self.authentication if self.is_open_at(at) else frozenset()
