"""The demo carrier's calls: which lines call, how much, whom, when and for how long.

Pure like demo_carrier.py: the same carrier and seed give the same calls. They come out
as rows of text in CALL_DETAIL_COLUMNS order, the form a switch hands over, so that they
pass the validation real records pass (64.2003(d)).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cpniguard.domain.accounts import AccountKind, ServiceCategory
from cpniguard.domain.call_detail import CallType
from cpniguard.services import demo_catalog as catalog
from cpniguard.services.demo_carrier import DemoCarrier
from cpniguard.services.ports import DemoService

CALL_HISTORY_DAYS = 90
"""Call detail covers the three months before `now`."""
BUSINESS_CALL_WEIGHT = 3
"""A business line carries this many times the calls of a residential one."""
DIRECTORY_ASSISTANCE_SHARE = 0.3
"""Share of accounts that dialled 411 in the three months."""
OUTBOUND_SHARE, ANSWERED_SHARE, FAVOURITE_SHARE = 0.55, 0.8, 0.7
MEAN_TALK_SECONDS, MAX_TALK_SECONDS = 170, 4 * 3600

_T = CallType
_OUTBOUND_MIX = {
    catalog.LOCAL: {
        _T.LOCAL: 50,
        _T.LONG_DISTANCE: 28,
        _T.TOLL_FREE: 8,
        _T.INTERNATIONAL: 2,
        _T.VOICEMAIL: 4,
    },
    catalog.WIRELESS: {_T.LOCAL: 30, _T.LONG_DISTANCE: 14, _T.SMS: 40, _T.TOLL_FREE: 3, _T.INTERNATIONAL: 1},
    catalog.VOIP: {
        _T.LOCAL: 40,
        _T.LONG_DISTANCE: 32,
        _T.TOLL_FREE: 12,
        _T.INTERNATIONAL: 4,
        _T.VOICEMAIL: 5,
    },
}
_INBOUND_MIX = {
    catalog.LOCAL: {_T.LOCAL: 60, _T.LONG_DISTANCE: 36, _T.INTERNATIONAL: 2},
    catalog.WIRELESS: {_T.LOCAL: 36, _T.LONG_DISTANCE: 16, _T.SMS: 45, _T.INTERNATIONAL: 1},
    catalog.VOIP: {_T.LOCAL: 50, _T.LONG_DISTANCE: 45, _T.INTERNATIONAL: 3},
}
_RARE_OUTBOUND = {_T.VOICEMAIL: 6.0, _T.EMERGENCY: 0.03}
"""Weights added to every outbound mix that lacks them (wireless voicemail; 911 everywhere)."""
ABROAD_FACTOR = 6
"""Lines on an account with an international plan call abroad this many times as often."""
_ALWAYS_ANSWERED = frozenset({_T.VOICEMAIL, _T.EMERGENCY, _T.DIRECTORY_ASSISTANCE})
_NEVER_BILLED = frozenset({_T.TOLL_FREE, _T.VOICEMAIL, _T.EMERGENCY})
SOURCE_SYSTEMS = {catalog.LOCAL: "class5-switch", catalog.WIRELESS: "wireless-core", catalog.VOIP: "voip-sbc"}


@dataclass(frozen=True, slots=True)
class CallingLine:
    """A number that places and receives calls, and how many calls it has in the demo."""

    account_number: str
    telephone_number: str
    access: ServiceCategory
    region: int
    active_from: datetime
    active_until: datetime
    is_business: bool
    calls_abroad: bool
    directory_assistance_calls: tuple[datetime, ...] = ()
    call_count: int = 0


@dataclass(frozen=True, slots=True)
class CalledNumbers:
    """The numbers customers call and are called from, kept few so that they repeat."""

    local: tuple[tuple[str, ...], ...]
    """By region (index into demo_catalog.REGIONS): numbers in the region's area codes."""
    national: tuple[str, ...]
    toll_free: tuple[str, ...]
    voicemail: Mapping[ServiceCategory, str]
    """The carrier's voicemail access number, by access category."""


@dataclass(frozen=True, slots=True)
class DemoUsage:
    """The calls each line makes, and the numbers they reach."""

    lines: tuple[CallingLine, ...]
    called: CalledNumbers

    @property
    def call_detail_records(self) -> int:
        """How many call detail records call_detail_rows() yields."""
        return sum(line.call_count + len(line.directory_assistance_calls) for line in self.lines)


def plan_usage(carrier: DemoCarrier, *, call_detail_records: int, seed: int) -> DemoUsage:
    """Decide which lines call how much: exactly `call_detail_records` calls in all."""
    rng = random.Random(f"{seed}:usage")  # noqa: S311  (synthetic data, not secrets)
    in_use = frozenset(s.telephone_number for s in carrier.services) | {
        p.value for p in carrier.contact_points
    }
    called = _called_numbers(catalog.NumberPool(rng, in_use))
    lines = _allot_calls(rng, _calling_lines(rng, carrier), call_detail_records)
    return DemoUsage(lines, called)


def call_detail_rows(usage: DemoUsage, *, seed: int) -> Iterator[list[str]]:
    """Every call of the demo as text fields in CALL_DETAIL_COLUMNS order; the same for the same seed."""
    maker = _CallMaker(random.Random(f"{seed}:calls"), usage.called)  # noqa: S311  (synthetic data)
    for line in usage.lines:
        yield from maker.calls(line)


def _called_numbers(numbers: catalog.NumberPool) -> CalledNumbers:
    local = tuple(tuple(numbers.take(region.area_codes) for _ in range(20)) for region in catalog.REGIONS)
    distant = tuple(numbers.take(catalog.PORTED_IN_AREA_CODES) for _ in range(120))
    return CalledNumbers(
        local=local,
        national=tuple(n for region in local for n in region) + distant + catalog.CANADIAN_NUMBERS,
        toll_free=tuple(numbers.take((area,)) for area in catalog.TOLL_FREE_AREA_CODES for _ in range(4)),
        voicemail={
            access: numbers.take((catalog.CARRIER_AREA_CODE,)) for access in catalog.ACCESS_CATEGORIES
        },
    )


def services_by_account(services: Sequence[DemoService]) -> dict[str, list[DemoService]]:
    """The services of each account number, in order."""
    grouped: dict[str, list[DemoService]] = {}
    for service in services:
        grouped.setdefault(service.account_number, []).append(service)
    return grouped


def _calling_lines(rng: random.Random, carrier: DemoCarrier) -> list[CallingLine]:
    window_start = carrier.now - timedelta(days=CALL_HISTORY_DAYS)
    services = services_by_account(carrier.services)
    dialers = catalog.quota(rng, len(carrier.accounts), {True: DIRECTORY_ASSISTANCE_SHARE}, default=False)
    lines: list[CallingLine] = []
    for account, dials_411 in zip(carrier.accounts, dialers, strict=True):
        own = services.get(account.account_number, [])
        abroad = any(s.category is catalog.INTERNATIONAL for s in own)
        account_lines = [
            CallingLine(
                *(s.account_number, s.telephone_number, s.category, carrier.regions[s.account_number]),
                *(
                    max(s.started_at, window_start),
                    s.ended_at or carrier.now,
                    account.kind is AccountKind.BUSINESS,
                    abroad,
                ),
            )
            for s in own
            if s.category in catalog.ACCESS_CATEGORIES
            and (s.ended_at or carrier.now) > max(s.started_at, window_start)
        ]
        if account_lines and dials_411:
            account_lines[0] = _dialling_411(rng, account_lines[0])
        lines += account_lines
    return lines


def _dialling_411(rng: random.Random, line: CallingLine) -> CallingLine:
    seconds = int((line.active_until - line.active_from).total_seconds())
    times = sorted(
        line.active_from + timedelta(seconds=rng.randrange(seconds)) for _ in range(rng.randint(1, 4))
    )
    return replace(line, directory_assistance_calls=tuple(times))


def _allot_calls(rng: random.Random, lines: list[CallingLine], total: int) -> tuple[CallingLine, ...]:
    """Share exactly `total` records among the lines by activity, directory assistance included."""
    remaining = total - sum(len(line.directory_assistance_calls) for line in lines)
    weights = [
        (BUSINESS_CALL_WEIGHT if line.is_business else 1)
        * (line.active_until - line.active_from).total_seconds()
        for line in lines
    ]
    per_weight = remaining / sum(weights)
    counts = [int(weight * per_weight) for weight in weights]
    for index in rng.sample(range(len(lines)), remaining - sum(counts)):
        counts[index] += 1
    return tuple(replace(line, call_count=count) for line, count in zip(lines, counts, strict=True))


def _mixes() -> dict[tuple[ServiceCategory, bool, bool], tuple[list[str], list[float]]]:
    """(call types, cumulative weights) by (access category, outbound, has an international plan)."""
    table: dict[tuple[ServiceCategory, bool, bool], tuple[list[str], list[float]]] = {}
    for outbound, mixes in ((True, _OUTBOUND_MIX), (False, _INBOUND_MIX)):
        for access, mix in mixes.items():
            full: dict[CallType, float] = {**_RARE_OUTBOUND, **mix} if outbound else dict(mix)
            for abroad in (False, True):
                weights = [
                    w * ABROAD_FACTOR if abroad and t is _T.INTERNATIONAL else w for t, w in full.items()
                ]
                table[access, outbound, abroad] = (
                    [t.value for t in full],
                    list(itertools.accumulate(weights)),
                )
    return table


class _CallMaker:
    """Makes one line's calls: who, when, how long; numbers repeat through each line's contacts."""

    def __init__(self, rng: random.Random, called: CalledNumbers) -> None:
        self.rng = rng
        self.called = called
        self.mixes = _mixes()
        self.sequence = 0

    def calls(self, line: CallingLine) -> Iterator[list[str]]:
        local = self.rng.sample(self.called.local[line.region], 6)
        distant = self.rng.sample(self.called.national, 4)
        span = int((line.active_until - line.active_from).total_seconds())
        for _ in range(line.call_count):
            started = line.active_from + timedelta(seconds=self.rng.randrange(span))
            yield self._call(line, started, local, distant)
        for started in line.directory_assistance_calls:
            yield self._row(line, _T.DIRECTORY_ASSISTANCE, "411", started, outbound=True)

    def _call(self, line: CallingLine, started: datetime, local: list[str], distant: list[str]) -> list[str]:
        outbound = self.rng.random() < OUTBOUND_SHARE
        types, cumulative = self.mixes[line.access, outbound, line.calls_abroad]
        call_type = self.rng.choices(types, cum_weights=cumulative)[0]
        remote = self._remote(call_type, line, local, distant)
        return self._row(line, call_type, remote, started, outbound=outbound)

    def _remote(self, call_type: str, line: CallingLine, local: list[str], distant: list[str]) -> str:
        if call_type == _T.VOICEMAIL:
            return self.called.voicemail[line.access]
        if call_type == _T.EMERGENCY:
            return "911"
        favourite = self.rng.random() < FAVOURITE_SHARE
        pools: dict[str, Sequence[str]] = {
            _T.LOCAL: local if favourite else self.called.local[line.region],
            _T.LONG_DISTANCE: distant if favourite else self.called.national,
            _T.SMS: local if favourite else distant,
            _T.INTERNATIONAL: catalog.INTERNATIONAL_NUMBERS,
            _T.TOLL_FREE: self.called.toll_free,
        }
        return self.rng.choice(pools[call_type])

    def _row(
        self, line: CallingLine, call_type: str, remote: str, started: datetime, *, outbound: bool
    ) -> list[str]:
        self.sequence += 1
        own = line.telephone_number
        answered, duration, billable = self._timing(call_type, started)
        cell_site = (
            f"311480-{line.region:02d}{self.rng.randrange(48):03d}" if line.access is catalog.WIRELESS else ""
        )
        return [
            *(SOURCE_SYSTEMS[line.access], f"D{self.sequence:09d}", line.account_number),
            *("outbound" if outbound else "inbound", call_type),
            *((own, remote) if outbound else (remote, own)),
            *(started.isoformat(), answered, str(duration), str(billable), cell_site),
        ]

    def _timing(self, call_type: str, started: datetime) -> tuple[str, int, int]:
        """(answered_at, duration, billable seconds) of a call."""
        rng = self.rng
        if call_type == _T.SMS:
            return "", 0, 0
        ring = rng.randint(2, 25)
        if call_type not in _ALWAYS_ANSWERED and rng.random() > ANSWERED_SHARE:
            return "", ring, 0
        if call_type == _T.DIRECTORY_ASSISTANCE:
            talk = rng.randint(20, 120)
        else:
            talk = min(int(rng.expovariate(1 / MEAN_TALK_SECONDS)) + 1, MAX_TALK_SECONDS)
        billable = 0 if call_type in _NEVER_BILLED else talk
        return (started + timedelta(seconds=ring)).isoformat(), ring + talk, billable
