"""Benchmark the gate's decision function against the same policy in Cedar and in Casbin.

    .venv/bin/python bench/decisions.py --pairs 10000

First it checks that cpniguard's `decide`, cedarpy and pycasbin give the same permit or
deny on every one of the varied pairs (it prints the first disagreements and exits 1 if
any), then it times each engine per decision. Absolute times on a shared machine are
noise, so the figures that matter are the ratios to cpniguard measured in the same run on
the same pairs. The last line printed is one JSON object. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import cedarpy

from casbin_gate import CasbinGate, casbin_request
from cedar_gate import CedarGate, cedar_request
from cpniguard.domain.disclosure import decide
from decision_pairs import Pair, uncovered_values, varied_pairs

TARGET_MEDIAN_US = 3.0
TARGET_CEDAR_RATIO = 10.0


@dataclass(frozen=True)
class Disagreement:
    """A pair on which the three engines do not all give the same outcome."""

    index: int
    pair: Pair
    cpniguard: bool
    cedar: bool
    casbin: bool

    def describe(self) -> str:
        """The pair, each engine's answer, and cpniguard's reasons."""
        request, facts = self.pair
        reasons = "; ".join(reason.rule_id for reason in decide(request, facts).reasons)
        answers = {"cpniguard": self.cpniguard, "cedar": self.cedar, "casbin": self.casbin}
        shown = ", ".join(f"{engine} {'permit' if permit else 'deny'}" for engine, permit in answers.items())
        return f"pair {self.index}: {shown}\n  {request}\n  {facts}\n  cpniguard's reasons: {reasons}"


def disagreements(pairs: Sequence[Pair], cedar: CedarGate, casbin: CasbinGate) -> list[Disagreement]:
    """Every pair on which cpniguard, Cedar and Casbin do not all permit or all deny."""
    found = []
    for index, pair in enumerate(pairs):
        ours = decide(*pair).is_permitted
        theirs = cedar.is_permitted(cedar_request(*pair)), casbin.is_permitted(casbin_request(*pair))
        if theirs != (ours, ours):
            found.append(Disagreement(index, pair, ours, *theirs))
    return found


# ------------------------------------------------------------------ timing


def timed_calls(function: Callable[..., object], arguments: Sequence[tuple[Any, ...]]) -> list[int]:
    """Nanoseconds of each `function(*args)`, one call at a time, with the collector paused."""
    clock = time.perf_counter_ns
    samples = [0] * len(arguments)
    gc.collect()
    gc.disable()
    try:
        for index, args in enumerate(arguments):
            started = clock()
            function(*args)
            samples[index] = clock() - started
    finally:
        gc.enable()
    return samples


@dataclass(frozen=True)
class Engine:
    """One engine under the clock: its call and its inputs, prepared before timing."""

    name: str
    call: Callable[..., object]
    inputs: Sequence[tuple[Any, ...]]


def engines(pairs: Sequence[Pair], cedar: CedarGate, casbin: CasbinGate, casbin_pairs: int) -> list[Engine]:
    """The three calls timed: the library's own entry point, on inputs translated beforehand."""
    return [
        Engine("cpniguard", decide, pairs),
        Engine(
            "cedar",
            cedarpy.is_authorized,
            [(cedar_request(*pair), cedar.policies, cedar.entities) for pair in pairs],
        ),
        Engine("casbin", casbin.enforcer.enforce, [casbin_request(*pair) for pair in pairs[:casbin_pairs]]),
    ]


def measure(timed: list[Engine], rounds: int) -> dict[str, list[list[int]]]:
    """Samples of each engine, round by round; the engines take turns going first."""
    for engine in timed:
        timed_calls(engine.call, engine.inputs[:500])  # warm-up
    samples: dict[str, list[list[int]]] = {engine.name: [] for engine in timed}
    for round_index in range(rounds):
        turn = round_index % len(timed)
        for engine in timed[turn:] + timed[:turn]:
            samples[engine.name].append(timed_calls(engine.call, engine.inputs))
        print(
            "  round "
            f"{round_index + 1}: "
            + ", ".join(f"{name} {median_us(runs[-1]):.2f} µs" for name, runs in samples.items())
        )
    return samples


def median_us(samples: Sequence[int]) -> float:
    """The median of nanosecond samples, in microseconds."""
    return statistics.median(samples) / 1000


def p99_us(samples: Sequence[int]) -> float:
    """The 99th percentile of nanosecond samples, in microseconds."""
    return statistics.quantiles(samples, n=100)[98] / 1000


def cedar_batch_us(cedar: CedarGate, pairs: Sequence[Pair], rounds: int) -> float:
    """Best mean per decision of `is_authorized_batch` over all the pairs: Cedar's cheapest call."""
    requests = [cedar_request(*pair) for pair in pairs]
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter_ns()
        cedarpy.is_authorized_batch(requests, cedar.policies, cedar.entities)
        best = min(best, (time.perf_counter_ns() - started) / len(requests) / 1000)
    return best


def figures(samples: dict[str, list[list[int]]]) -> dict[str, Any]:
    """Median and p99 per engine over all rounds, the ratios to cpniguard, and the per-round spread."""
    every = {name: [sample for run in runs for sample in run] for name, runs in samples.items()}
    medians = {name: median_us(values) for name, values in every.items()}
    result: dict[str, Any] = {}
    for name, values in every.items():
        result[f"{name}_median_us"] = round(medians[name], 3)
        result[f"{name}_p99_us"] = round(p99_us(values), 3)
    result["cedar_ratio"] = round(medians["cedar"] / medians["cpniguard"], 1)
    result["casbin_ratio"] = round(medians["casbin"] / medians["cpniguard"], 1)
    result["cedar_ratio_by_round"] = [
        round(median_us(cedar) / median_us(ours), 1)
        for ours, cedar in zip(samples["cpniguard"], samples["cedar"], strict=True)
    ]
    result["cpniguard_median_us_by_round"] = [round(median_us(run), 3) for run in samples["cpniguard"]]
    return result


# ------------------------------------------------------------------ the run


def parse_arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=10_000, help="varied (request, facts) pairs")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the generator")
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the pairs, per engine")
    parser.add_argument("--casbin-pairs", type=int, default=1_000, help="pairs per timed Casbin pass")
    parser.add_argument("--show", type=int, default=5, help="disagreements printed, at most")
    return parser.parse_args()


def check_agreement(pairs: Sequence[Pair], cedar: CedarGate, casbin: CasbinGate, show: int) -> int:
    """Compare the three engines on every pair; print the first disagreements. The count found."""
    started = time.perf_counter()
    found = disagreements(pairs, cedar, casbin)
    for disagreement in found[:show]:
        print(disagreement.describe())
    seconds = time.perf_counter() - started
    print(f"agreement: {len(pairs) - len(found):,} of {len(pairs):,} pairs ({seconds:.0f} s)")
    return len(found)


def main() -> None:
    """Generate the pairs, check agreement, time the engines, print the figures and one JSON line."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    args = parse_arguments()
    pairs = varied_pairs(args.pairs, args.seed)
    permits = sum(decide(*pair).is_permitted for pair in pairs)
    uncovered = uncovered_values(pairs)
    print(
        f"{len(pairs):,} pairs, {permits:,} permitted by cpniguard; values never drawn: {uncovered or 'none'}"
    )
    cedar, casbin = CedarGate.load(), CasbinGate.load()
    result: dict[str, Any] = {
        "pairs": len(pairs),
        "seed": args.seed,
        "permits": permits,
        "uncovered": uncovered,
    }
    disagreeing = check_agreement(pairs, cedar, casbin, args.show)
    result["disagreements"] = disagreeing
    if disagreeing:
        print(json.dumps(result))
        sys.exit(1)
    samples = measure(engines(pairs, cedar, casbin, args.casbin_pairs), args.rounds)
    result |= figures(samples)
    result["cedar_batch_us_per_decision"] = round(cedar_batch_us(cedar, pairs, args.rounds), 3)
    result["timer_overhead_us"] = round(median_us(timed_calls(lambda: None, [()] * len(pairs))), 3)
    result["statistic"] = (
        f"median and p99 of single calls timed with perf_counter_ns, {args.rounds} rounds over "
        f"{len(pairs)} pairs ({min(args.casbin_pairs, len(pairs))} for Casbin), after a warm-up, "
        "collector paused; engines take turns going first"
    )
    result["cedar_call"] = (
        f"cedarpy {version('cedarpy')} is_authorized(request, PolicySet, Entities), pre-parsed"
    )
    result["casbin_call"] = (
        f"pycasbin {version('pycasbin')} Enforcer.enforce(...), model and policy loaded once"
    )
    result["meets_targets"] = (
        result["cpniguard_median_us"] <= TARGET_MEDIAN_US and result["cedar_ratio"] >= TARGET_CEDAR_RATIO
    )
    print(
        f"median per decision: cpniguard {result['cpniguard_median_us']} µs, "
        f"cedar {result['cedar_median_us']} µs (x{result['cedar_ratio']}), "
        f"casbin {result['casbin_median_us']} µs (x{result['casbin_ratio']})"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
