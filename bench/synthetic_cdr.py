"""A synthetic call detail file for the benchmarks: valid rows, realistic repetition, no real people."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import phonenumbers

from cpniguard.domain.call_detail import CALL_DETAIL_COLUMNS

FIRST_CALL = datetime(2026, 8, 1, tzinfo=UTC)
CALL_SPAN_SECONDS = 92 * 24 * 3600
"""Calls spread over August to October 2026; the benchmark reads September."""
LOCAL_OFFSETS = tuple(timezone(timedelta(hours=h)) for h in (-4, -5, -6, -7, 0))
SWITCHES = ("switch-nyc-01", "switch-chi-02", "mme-west-03", "billing-ucaas")
CALL_TYPES = (
    ("local", 45),
    ("long_distance", 20),
    ("sms", 20),
    ("voicemail", 5),
    ("toll_free", 4),
    ("international", 4),
    ("directory_assistance", 1.5),
    ("emergency", 0.5),
)
US_AREA_CODES = (212, 202, 206, 303, 305, 312, 404, 415, 469, 503, 512, 617, 646, 702, 713, 718, 720, 917)
ABROAD = ("GB", "FR", "DE", "MX", "IN", "JP", "BR", "PH")


class NumberPool:
    """Valid E.164 numbers: one line per account, and called numbers that repeat (skewed)."""

    def __init__(self, rng: random.Random, accounts: int) -> None:
        self._rng = rng
        self.lines = [self._us_number() for _ in range(accounts)]
        self.domestic = [self._us_number() for _ in range(max(1_000, accounts * 4))]
        self.toll_free = [
            self._valid(f"+1{rng.choice((800, 833, 844, 855, 866, 877, 888))}{self._digits(7)}")
            for _ in range(200)
        ]
        self.abroad = [self._abroad_number() for _ in range(2_000)]

    def _digits(self, count: int) -> str:
        return "".join(self._rng.choice("0123456789") for _ in range(count))

    def _valid(self, candidate: str) -> str:
        parsed = phonenumbers.parse(candidate, None)
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(parsed) and e164 == candidate:
            return candidate
        return ""

    def _us_number(self) -> str:
        while True:
            exchange = self._rng.randint(200, 999)
            candidate = f"+1{self._rng.choice(US_AREA_CODES)}{exchange}{self._digits(4)}"
            if exchange % 100 != 11 and self._valid(candidate):
                return candidate

    def _abroad_number(self) -> str:
        while True:
            example = phonenumbers.example_number(self._rng.choice(ABROAD))
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            if number := self._valid(e164[:-4] + self._digits(4)):
                return number

    def called(self, pool: list[str]) -> str:
        """A number from `pool`, skewed: the first 1% of the pool takes about a fifth of the calls."""
        return pool[int(len(pool) * self._rng.random() ** 3)]


def synthetic_row(
    index: int, account_number: str, line: str, pool: NumberPool, rng: random.Random
) -> list[str]:
    """One valid call detail row in CALL_DETAIL_COLUMNS order."""
    call_type = rng.choices([t for t, _ in CALL_TYPES], [w for _, w in CALL_TYPES])[0]
    outbound = call_type in {"directory_assistance", "emergency", "toll_free"} or rng.random() < 0.6
    other = {
        "directory_assistance": "411",
        "emergency": "911",
        "international": pool.called(pool.abroad),
        "toll_free": pool.called(pool.toll_free),
    }.get(call_type) or pool.called(pool.domestic)
    calling, called = (line, other) if outbound else (other, line)
    started = FIRST_CALL + timedelta(seconds=rng.randrange(CALL_SPAN_SECONDS))
    local_start = started.astimezone(rng.choice(LOCAL_OFFSETS))
    ring_seconds = None if call_type == "sms" or rng.random() < 0.2 else rng.randint(1, 25)
    duration = 0 if ring_seconds is None else rng.randint(1, 3_600)
    return [
        SWITCHES[index % len(SWITCHES)],
        f"{index:012d}",
        account_number,
        "outbound" if outbound else "inbound",
        call_type,
        calling,
        called,
        local_start.isoformat(),
        "" if ring_seconds is None else (local_start + timedelta(seconds=ring_seconds)).isoformat(),
        str(duration),
        str(duration - duration % 60) if duration else "",
        f"310260-{rng.randint(10_000, 99_999)}" if rng.random() < 0.5 else "",
    ]


def write_synthetic_file(path: Path, *, rows: int, account_numbers: list[str], seed: int) -> None:
    """Write `rows` valid call detail rows for the given accounts to a CSV file."""
    rng = random.Random(seed)
    pool = NumberPool(rng, len(account_numbers))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CALL_DETAIL_COLUMNS)
        for index in range(rows):
            account = rng.randrange(len(account_numbers))
            writer.writerow(synthetic_row(index, account_numbers[account], pool.lines[account], pool, rng))
