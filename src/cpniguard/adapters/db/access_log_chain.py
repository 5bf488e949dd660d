"""The whole access log read back for `cpniguard audit verify`, in stretches, on one core or several.

A long log is split into stretches checked by worker processes at once (fresh
interpreters with a connection each, so nothing of this process is shared with them);
the results come back in order. Worker processes read what is committed, so a log shorter than the parallel
threshold, or an SQLite database in memory, is read in this process on the session's
own connection instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cpniguard.adapters.db import access_log_segments
from cpniguard.adapters.db.tables import AccessLogCheckpoint, AccessLogHead, AccessLogRecord
from cpniguard.domain.audit import SignedKind, SignedPoint
from cpniguard.domain.audit_verification import ChainState, SegmentCheck
from cpniguard.services.ports import SegmentChecker

STRETCH_ENTRIES = 50_000
"""Entries per stretch: the grain of progress reports and of the work handed to a worker."""
PARALLEL_FROM_ENTRIES = 400_000
"""Below this, starting worker processes costs more than it saves."""


class SqlAccessLogChain:
    """AccessLogChain over the database the sessions open."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        workers: int = 1,
        stretch_entries: int = STRETCH_ENTRIES,
        parallel_from_entries: int = PARALLEL_FROM_ENTRIES,
    ) -> None:
        self._sessions = sessions
        self._workers = workers
        self._stretch_entries = stretch_entries
        self._parallel_from_entries = parallel_from_entries

    def state(self) -> ChainState:
        """The signed head, the checkpoints and the highest stored sequence, in one transaction."""
        with self._sessions() as session, session.begin():
            last_stored = select(func.coalesce(func.max(AccessLogRecord.sequence), 0)).scalar_subquery()
            head = session.execute(
                select(
                    AccessLogHead.last_sequence,
                    AccessLogHead.last_hash,
                    AccessLogHead.signature,
                    AccessLogHead.key_id,
                    last_stored,
                )
            ).one_or_none()
            stored = head[4] if head else session.execute(select(last_stored)).scalar_one()
            checkpoints = session.execute(
                select(
                    AccessLogCheckpoint.sequence,
                    AccessLogCheckpoint.entry_hash,
                    AccessLogCheckpoint.signature,
                    AccessLogCheckpoint.key_id,
                ).order_by(AccessLogCheckpoint.sequence)
            ).all()
        signed_head = None if head is None else SignedPoint(SignedKind.HEAD, *_signed(*head[:4]))
        points = tuple(SignedPoint(SignedKind.CHECKPOINT, *_signed(*row)) for row in checkpoints)
        return ChainState(signed_head, points, int(stored))

    def check_segments(self, check: SegmentChecker, *, through_sequence: int) -> Iterator[SegmentCheck]:
        """Check entries 1..`through_sequence` stretch by stretch; results in sequence order."""
        size = self._stretch_entries
        stretches = [
            (first, min(first + size - 1, through_sequence)) for first in range(1, through_sequence + 1, size)
        ]
        with self._sessions() as session, session.begin():
            url = _worker_url(session)
            if self._workers > 1 and url is not None and through_sequence >= self._parallel_from_entries:
                yield from access_log_segments.check_in_workers(url, check, stretches, self._workers)
                return
            connection = session.connection().connection.driver_connection
            yield from access_log_segments.check_stretches(connection, check, stretches)


def _worker_url(session: Session) -> str | None:
    """Where a worker connects to the same database; None when it cannot (SQLite in memory)."""
    url = session.get_bind().engine.url
    if url.get_backend_name() == "postgresql":
        return url.set(drivername="postgresql").render_as_string(hide_password=False)
    if url.database in {None, "", ":memory:"} or url.database.startswith("file:"):
        return None
    return url.database


def _signed(
    sequence: int, entry_hash: bytes, signature: bytes | None, key_id: str | None
) -> tuple[int, bytes, bytes, str]:
    return sequence, bytes(entry_hash), bytes(signature or b""), key_id or ""
